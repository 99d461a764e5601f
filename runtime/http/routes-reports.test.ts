import { describe, expect, it } from 'vitest';
import { teamsFixture } from '../../test/kit/teams.js';
import { OUTCOMES_RANGE, outcomesHistory, seedOutcomes } from '../../test/kit/outcomes-seed.js';
import { csvCell, csvText } from '../engine/reports/csv.js';

const iso = (t: number) => new Date(t).toISOString();
const RANGE = `since=${iso(OUTCOMES_RANGE.since)}&until=${iso(OUTCOMES_RANGE.until)}&bucket=day`;

async function fixture() {
  const f = await teamsFixture({ ana: { roles: [{ team: 'alpha', role: 'viewer' }] }, bo: { roles: [{ team: 'beta', role: 'viewer' }] } });
  await seedOutcomes(f.store, outcomesHistory());
  const csv = async (who: string, query: string) => {
    const res = await f.app.request(`/api/reports/outcomes?${query}&format=csv`, { headers: { cookie: f.cookies.get(who)! } });
    return { status: res.status, type: res.headers.get('content-type'), disposition: res.headers.get('content-disposition'), text: await res.text() };
  };
  return { ...f, csv };
}

describe('GET /api/reports/outcomes', () => {
  it('answers only the caller’s teams’ flows; an admin sees every team', async () => {
    const { api } = await fixture();
    const ana = await api('ana', 'GET', `/api/reports/outcomes?${RANGE}`);
    expect(ana.status).toBe(200);
    expect(ana.body.flows.map((f: { flowId: string }) => f.flowId)).toEqual(['restart', 'disk']);
    expect(ana.body.overall).toMatchObject({ runs: 10, alertsReceived: 10, pagesAvoided: 2 });
    expect(ana.body.topFailingSteps.map((s: { flowId: string }) => s.flowId)).toEqual(['restart', 'disk']);
    const bo = await api('bo', 'GET', `/api/reports/outcomes?${RANGE}`);
    expect(bo.body.flows.map((f: { flowId: string }) => f.flowId)).toEqual(['other']);
    expect(bo.body.overall).toMatchObject({ runs: 1, pagesAvoided: 1 });
    // Asking for another team's flow by id gives nothing of it.
    const peek = await api('bo', 'GET', `/api/reports/outcomes?${RANGE}&flowId=restart`);
    expect(peek.status).toBe(200);
    expect(peek.body.flows).toEqual([]);
    expect(peek.body.overall.runs).toBe(0);
    expect(peek.body.topFailingSteps).toEqual([]);
    const admin = await api('admin', 'GET', `/api/reports/outcomes?${RANGE}`);
    expect(admin.body.flows.map((f: { flowId: string }) => f.flowId)).toEqual(['restart', 'disk', 'other']);
    expect(admin.body.bucket).toBe('day');
  });

  it('defaults to the last 7 days (hourly up to 2 days)', async () => {
    const { api } = await fixture();
    const r = await api('ana', 'GET', '/api/reports/outcomes');
    expect(r.status).toBe(200);
    expect(Date.parse(r.body.until) - Date.parse(r.body.since)).toBe(7 * 86_400_000);
    expect(r.body.bucket).toBe('day');
    expect(r.body.series).toHaveLength(8);
    const day = await api('ana', 'GET', `/api/reports/outcomes?since=2026-11-20T00:00:00Z&until=2026-11-20T23:59:59Z`);
    expect(day.body.bucket).toBe('hour');
    expect(day.body.series).toHaveLength(24);
  });

  it('422 naming the field for a reversed range, a range too long, a bad bucket or time', async () => {
    const { api } = await fixture();
    const refused = async (query: string) => {
      const r = await api('ana', 'GET', `/api/reports/outcomes?${query}`);
      expect(r.status, query).toBe(422);
      return r.body.error.details.issues.map((i: { path: string[]; message: string }) => `${i.path.join('.')}: ${i.message}`);
    };
    expect(await refused('since=2026-11-21T00:00:00Z&until=2026-11-20T00:00:00Z')).toEqual(['query.until: until must not be before since']);
    expect(await refused('since=2026-01-01T00:00:00Z&until=2026-11-20T00:00:00Z')).toEqual(['query.since: the range from since to until must be at most 90 days']);
    expect(await refused('bucket=week')).toEqual(['query.bucket: bucket must be one of hour, day']);
    expect(await refused('since=2026-09-01T00:00:00Z&until=2026-11-20T00:00:00Z&bucket=hour')).toEqual([
      'query.bucket: bucket=hour covers at most 31 days; use bucket=day',
    ]);
    expect(await refused('since=yesterday')).toEqual(['query.since: since must be an RFC 3339 time, e.g. 2026-11-24T09:00:00Z']);
    expect(await refused('format=xlsx')).toEqual(['query.format: format must be json or csv']);
  });

  it('CSV: one row per flow and day, RFC 4180 quoting, formula-safe cells', async () => {
    const { csv } = await fixture();
    const r = await csv('ana', RANGE);
    expect(r.status).toBe(200);
    expect(r.type).toBe('text/csv; charset=utf-8; header=present');
    expect(r.disposition).toBe('attachment; filename="salve-outcomes-20261120T0000-20261121T2359.csv"');
    expect(r.text.split('\r\n')).toEqual([
      'bucket_start,flow_id,flow_name,alerts_received,runs,succeeded,failed,no_action,cancelled,held,active,success_rate,time_to_remediate_p50_seconds,time_to_remediate_p90_seconds,pages_avoided',
      '2026-11-20T00:00:00.000Z,restart,Restart API,4,3,2,1,0,0,0,0,0.6667,300,900,1',
      '2026-11-21T00:00:00.000Z,restart,Restart API,4,5,2,1,1,0,1,0,0.6667,1860,1860,0',
      // The flow name starts with "=" and holds a comma and quotes: prefixed, quoted, quotes doubled.
      `2026-11-20T00:00:00.000Z,disk,"'=HYPERLINK(""x""), disk",2,2,1,1,0,0,0,0,0.5,180,180,1`,
      `2026-11-21T00:00:00.000Z,disk,"'=HYPERLINK(""x""), disk",0,0,0,0,0,0,0,0,,,,0`,
      '',
    ]);
    // Beta's viewer gets beta's flow only.
    expect((await csv('bo', RANGE)).text.split('\r\n').slice(1, -1).map((l) => l.split(',')[1])).toEqual(['other', 'other']);
  });
});

describe('csvCell', () => {
  it('prefixes cells that a spreadsheet would run as a formula, and quotes per RFC 4180', () => {
    expect(['=1+1', '+1', '-1', '@SUM(A1)', '\tx', 'plain', 'a,b', 'say "hi"', 'two\nlines'].map(csvCell)).toEqual([
      "'=1+1",
      "'+1",
      "'-1",
      "'@SUM(A1)",
      "'\tx",
      'plain',
      '"a,b"',
      '"say ""hi"""',
      '"two\nlines"',
    ]);
    // Numbers are numbers (a negative one is not text to defuse), empty for none.
    expect([-3, 0.5, null, undefined, Number.NaN].map(csvCell)).toEqual(['-3', '0.5', '', '', '']);
    expect(csvText(['a', 'b'], [[1, '=x']])).toBe("a,b\r\n1,'=x\r\n");
  });
});
