import { describe, expect, it } from 'vitest';
import { amBody } from '../../test/kit/alertmanager.js';
import { teamsFixture } from '../../test/kit/teams.js';
import { replayFlow, REPLAY_LIMITS } from '../engine/flows/replay.js';
import { describePath } from '../../shared/flow/replay-compare.js';

// Replay against history, through the API: deliveries come in through the real hook path (the
// event log stores them), then a draft that changes one matcher is replayed over them. The
// answer must name exactly the runs the change affects, and nothing else.

const USERS = {
  ana: { roles: [{ team: 'alpha', role: 'editor' as const }] },
  vic: { roles: [{ team: 'alpha', role: 'viewer' as const }] },
  bo: { roles: [{ team: 'beta', role: 'editor' as const }] },
};

const T0 = Date.parse('2026-11-24T00:00:00Z');
const RANGE = { since: new Date(T0 - 3_600_000).toISOString(), until: new Date(T0 + 3_600_000).toISOString() };

/** Critical disk alerts get an approval to clean up; everything else nothing. */
const diskFlow = (matchers = 'alertname="DiskFull", severity="critical"') => ({
  format: 'salve.flow/v1',
  id: 'disk',
  name: 'Disk',
  enabled: true,
  nodes: [
    { id: 'am', type: 'source.alertmanager', config: { path: 'infra', auth: { type: 'none' } } },
    { id: 'check', type: 'condition.match', config: { matchers } },
    { id: 'ask', type: 'approval.request', config: { message: 'Clean up {{ alert.labels.instance }}?', timeoutSeconds: 900 } },
  ],
  edges: [
    { source: 'am', target: 'check' },
    { source: 'check', sourcePort: 'match', target: 'ask' },
  ],
});

/** Five deliveries: two critical disk alerts (started), a warning one, a CPU one (nomatch) and a resolved one (not started). */
async function seeded() {
  const fixture = await teamsFixture(USERS);
  const { api } = fixture;
  expect((await api('admin', 'POST', '/api/flows?team=alpha', diskFlow())).status).toBe(201);
  const deliveries = [
    amBody('f-crit-a', { instance: 'a:9100', severity: 'critical' }),
    amBody('f-warn-b', { instance: 'b:9100', severity: 'warning' }),
    amBody('f-cpu-c', { alertname: 'CPUHigh', instance: 'c:9100', severity: 'critical' }),
    amBody('f-crit-d', { instance: 'd:9100', severity: 'critical' }),
    amBody('f-crit-a', { instance: 'a:9100', severity: 'critical', status: 'resolved' }),
  ];
  const eventIds: string[] = [];
  for (const body of deliveries) {
    const res = await api('admin', 'POST', '/hooks/infra', body);
    expect(res.status).toBe(202);
    eventIds.push(res.body.eventId);
  }
  return { ...fixture, eventIds };
}

describe('POST /api/flows/replay', () => {
  it('shows exactly the run a changed matcher changes, with both paths and what the saved flow recorded', async () => {
    const { api, eventIds } = await seeded();
    const res = await api('ana', 'POST', '/api/flows/replay', { flow: diskFlow('alertname="DiskFull"'), ...RANGE });
    expect(res.status).toBe(200);
    const r = res.body;
    expect(r.events).toEqual({ considered: 5, replayed: 5, skipped: 0 });
    expect(r.runs).toEqual({ total: 5, changed: 1 });
    // Only the warning disk alert changes: it now matches and reaches the approval.
    expect(r.rows.map((row: any) => [row.eventId, row.fingerprint])).toEqual([[eventIds[1], 'f-warn-b']]);
    const [row] = r.rows;
    expect(describePath(row.saved)).toBe('am → check');
    expect(describePath(row.draft)).toBe('am → check → ask');
    expect(row.recorded).toEqual({ result: 'started', executionId: expect.stringMatching(/^ex/) });
    expect(row.saved.revision).toBe(1);
    expect(row.draft.actions).toEqual([{ nodeId: 'ask', type: 'approval.request', rendered: expect.objectContaining({ message: 'Clean up b:9100?' }) }]);
    expect(r.summary.map((l: any) => l.text)).toEqual(['1 run would take `match` at `check` (was `nomatch`)', '1 run would now reach `ask`', '4 runs unchanged']);
    expect(r.cutShort).toBeNull();
  });

  it('replays a saved flow by id against itself: nothing differs; `show: all` lists every run', async () => {
    const { api } = await seeded();
    const res = await api('ana', 'POST', '/api/flows/replay', { flowId: 'disk', show: 'all', ...RANGE });
    expect(res.status).toBe(200);
    expect(res.body.runs).toEqual({ total: 5, changed: 0 });
    // (The five deliveries share one millisecond: their order among themselves is the ids'.)
    const byAlert = res.body.rows.map((row: any) => `${row.fingerprint} ${row.status}: ${describePath(row.saved)} (${row.recorded.result})`).sort();
    expect(byAlert).toEqual([
      'f-cpu-c firing: am → check (started)',
      'f-crit-a firing: am → check → ask (started)',
      'f-crit-a resolved: not started (not_started)',
      'f-crit-d firing: am → check → ask (started)',
      'f-warn-b firing: am → check (started)',
    ]);
    expect(res.body.rows.find((row: any) => row.status === 'resolved').saved.reason).toMatch(/resolved/);
    expect(res.body.summary.map((l: any) => l.text)).toEqual(['all 5 runs unchanged']);
  });

  it('a draft that stops listening for resolved alerts only changes nothing; one that starts on them says "would now start"', async () => {
    const { api } = await seeded();
    const both = diskFlow();
    both.nodes[0] = { ...both.nodes[0]!, config: { ...both.nodes[0]!.config, on: 'both' } as never };
    const res = await api('ana', 'POST', '/api/flows/replay', { flow: both, ...RANGE });
    expect(res.status).toBe(200);
    expect(res.body.summary[0].text).toBe('would now start 1 run that did not start');
    expect(res.body.rows.map((row: any) => row.status)).toEqual(['resolved']);
  });

  it('refuses a bad range, an invalid draft and an unknown team with 422 naming the field', async () => {
    const { api } = await seeded();
    const fields = async (body: unknown, path = '/api/flows/replay') => {
      const res = await api('ana', 'POST', path, body);
      expect(res.status, JSON.stringify(res.body)).toBe(422);
      return res.body.error.details.issues.map((i: any) => i.path.join('.'));
    };
    expect(await fields({ flow: diskFlow(), since: RANGE.until, until: RANGE.since })).toEqual(['until']);
    expect(await fields({ flow: diskFlow(), since: '2026-01-01T00:00:00Z', until: RANGE.until })).toEqual(['since']);
    expect(await fields({ flow: diskFlow(), since: 'last tuesday' })).toEqual(['since']);
    const broken = diskFlow('alertname=~"(unclosed"');
    expect((await fields({ flow: broken, ...RANGE })).some((p: string) => p.startsWith('flow.nodes.1.config.matchers'))).toBe(true);
    expect(await fields({ flow: { ...diskFlow(), id: 'brand-new' }, ...RANGE }, '/api/flows/replay?team=nope')).toEqual(['team']);
  });

  it('refuses a range holding more events than the cap, naming since', async () => {
    const { engine, eventIds } = await seeded();
    expect(eventIds).toHaveLength(5);
    const draft = (await import('../engine/flows/flow-service.js')).parseFlowOrThrow(diskFlow());
    const run = replayFlow(engine.store, { draft, savedFlowId: 'disk', since: T0 - 1000, until: T0 + 1000 }, { ...REPLAY_LIMITS, maxEvents: 4 });
    await expect(run).rejects.toMatchObject({ details: { issues: [{ path: ['since'], message: expect.stringContaining('holds 5 events') }] } });
  });

  it('says when the time budget cut the replay short', async () => {
    const { engine } = await seeded();
    const draft = (await import('../engine/flows/flow-service.js')).parseFlowOrThrow(diskFlow());
    let t = 0;
    const result = await replayFlow(engine.store, { draft, savedFlowId: 'disk', since: T0 - 1000, until: T0 + 1000 }, { ...REPLAY_LIMITS, budgetMs: 2 }, () => t++);
    expect(result.cutShort).toEqual({ reason: expect.stringContaining('narrow the range'), remainingEvents: expect.any(Number) });
    expect(result.events.replayed).toBeLessThan(5);
  });

  it('is refused (403) to another team’s editor and to a viewer, for a saved flow and for a draft of it', async () => {
    const { api } = await seeded();
    expect((await api('bo', 'POST', '/api/flows/replay', { flowId: 'disk', ...RANGE })).status).toBe(403);
    expect((await api('bo', 'POST', '/api/flows/replay', { flow: diskFlow('alertname="X"'), ...RANGE })).status).toBe(403);
    expect((await api('vic', 'POST', '/api/flows/replay', { flowId: 'disk', ...RANGE })).status).toBe(403);
  });

  it('a draft of a new flow on another team’s path replays none of that team’s deliveries', async () => {
    const { api } = await seeded();
    const res = await api('bo', 'POST', '/api/flows/replay', { flow: { ...diskFlow(), id: 'bo-copy' }, ...RANGE });
    expect(res.status).toBe(200);
    expect(res.body.events.considered).toBe(0);
  });
});
