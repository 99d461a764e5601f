import { describe, expect, it } from 'vitest';
import { ValidationError, formatIssues } from '../../../shared/errors.js';
import { validateFlow } from '../../../shared/flow/validate.js';
import { lookupNodeSpec } from '../../catalog.js';
import { getSourceAdapter, getWebhookAdapter } from '../../registry.js';
import { hookPathOf } from '../../trigger-spec.js';
import { simulateFlow } from '../../../runtime/engine/flows/simulate.js';
import { CronSchedule, cronProblem, describeNextTicks, isTimeZone, nextTicks } from './cron.js';
import { ScheduleConfigSchema, scheduleSource } from './definition.js';
import { normalizeTick, scheduleAlert, tickPayload } from './ingest.js';
import { scheduleSamples } from './samples.js';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
const config = (extra: object = {}) => ScheduleConfigSchema.parse({ cron: '*/5 * * * *', ...extra });
const issues = (input: unknown) => {
  const r = ScheduleConfigSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('cron expressions', () => {
  it('accepts 5 and 6 fields and the @ nicknames; refuses the rest with the reason', () => {
    for (const ok of ['*/5 * * * *', '0 3 * * 1-5', '*/10 * * * * *', '0 0 1 * *', '@daily', '@hourly', '0 0 29 2 *']) expect(cronProblem(ok), ok).toBeUndefined();
    expect(cronProblem('* * * *')).toBe('needs 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first), found 4');
    expect(cronProblem('0 0 0 1 1 * 2030')).toContain('found 7');
    expect(cronProblem('61 * * * *')).toBe('not a cron expression: Invalid value for minute: 61');
    expect(cronProblem('0 0 31 2 *')).toBe('this expression never matches a date');
    expect(cronProblem('0 0 * * ?')).toContain('use "*" instead of "?"');
  });

  it('gives the next ticks after a time, strictly after it, in whole seconds', () => {
    expect(nextTicks('*/5 * * * *', 'UTC', at('2026-11-24T09:12:00Z'), 3).map(iso)).toEqual([
      '2026-11-24T09:15:00.000Z',
      '2026-11-24T09:20:00.000Z',
      '2026-11-24T09:25:00.000Z',
    ]);
    expect(nextTicks('*/5 * * * *', 'UTC', at('2026-11-24T09:15:00Z'), 1).map(iso)).toEqual(['2026-11-24T09:20:00.000Z']);
    expect(nextTicks('* * * * * *', 'UTC', at('2026-11-24T09:15:00.400Z'), 2).map(iso)).toEqual(['2026-11-24T09:15:01.000Z', '2026-11-24T09:15:02.000Z']);
  });

  it('reads the expression in its time zone, following daylight saving time', () => {
    // 03:00 in Berlin is 02:00 UTC in winter (CET) and 01:00 UTC in summer (CEST).
    expect(nextTicks('0 3 * * *', 'Europe/Berlin', at('2026-11-24T09:00:00Z'), 1).map(iso)).toEqual(['2026-11-25T02:00:00.000Z']);
    expect(nextTicks('0 3 * * *', 'Europe/Berlin', at('2026-07-01T09:00:00Z'), 1).map(iso)).toEqual(['2026-07-02T01:00:00.000Z']);
    // The night the clocks go forward (29 March 2026): 02:30 does not exist that day; croner runs it at 03:00 CEST.
    expect(nextTicks('30 2 * * *', 'Europe/Berlin', at('2026-03-28T12:00:00Z'), 2).map(iso)).toEqual(['2026-03-29T01:00:00.000Z', '2026-03-30T00:30:00.000Z']);
    expect(nextTicks('0 9 * * *', 'America/New_York', at('2026-11-24T00:00:00Z'), 1).map(iso)).toEqual(['2026-11-24T14:00:00.000Z']);
  });

  it('finds the latest tick at or before a time', () => {
    const s = new CronSchedule('*/5 * * * * *', 'UTC');
    expect(iso(s.latest(at('2026-11-24T00:00:10.000Z')))).toBe('2026-11-24T00:00:10.000Z');
    expect(iso(s.latest(at('2026-11-24T00:00:14.999Z')))).toBe('2026-11-24T00:00:10.000Z');
    expect(iso(s.next(at('2026-11-24T00:00:10.000Z')))).toBe('2026-11-24T00:00:15.000Z');
  });

  it('knows IANA time zones', () => {
    for (const tz of ['UTC', 'Europe/Berlin', 'America/Argentina/Buenos_Aires', 'Etc/GMT+2']) expect(isTimeZone(tz), tz).toBe(true);
    for (const tz of ['Mars/Olympus', '+01:00', '', 'Europe/', 'Europe/Berlin ']) expect(isTimeZone(tz), tz).toBe(false);
  });

  it('describes the next three runs for the canvas', () => {
    const now = at('2026-11-24T09:12:00Z');
    expect(describeNextTicks('*/5 * * * *', 'UTC', now)).toBe('next 09:15, 09:20, 09:25');
    expect(describeNextTicks('* * * * * *', 'UTC', now)).toBe('next 09:12:01, 09:12:02, 09:12:03');
    expect(describeNextTicks('0 3 * * *', 'Europe/Berlin', now)).toBe('next Nov 25 03:00, Nov 26 03:00, Nov 27 03:00');
  });
});

describe('source.schedule config', () => {
  it('fills defaults: UTC, no labels, one hour of catch-up', () => {
    expect(config()).toEqual({ cron: '*/5 * * * *', timezone: 'UTC', labels: {}, catchUpSeconds: 3600 });
  });

  it('checks the expression and the time zone at save time, naming the field', () => {
    expect(issues({})).toEqual(['cron: must be a cron expression, e.g. "*/5 * * * *"']);
    expect(issues({ cron: '*/5 * * *' })).toEqual(['cron: needs 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first), found 4']);
    expect(issues({ cron: '*/5 * * * *', timezone: 'Mars/Olympus' })).toEqual([
      'timezone: must be an IANA time zone name, e.g. "UTC", "Europe/Berlin" or "America/New_York"',
    ]);
    expect(issues({ cron: '* * * * *', labels: { team: 3 }, catchUpSeconds: 10, path: 'x' }).sort()).toEqual([
      ': Unrecognized key: "path"',
      'catchUpSeconds: must be between 60 and 604800 seconds',
      'labels.team: must be a string',
    ]);
  });

  it('is validated as part of a flow, with the problem at its path', () => {
    const flow = {
      format: 'salve.flow/v1',
      id: 'nightly',
      name: 'Nightly',
      nodes: [
        { id: 'tick', type: 'source.schedule', config: { cron: '0 3 * * * * *' } },
        { id: 'check', type: 'condition.expr', config: { expression: 'alert.source == "schedule"' } },
      ],
      edges: [{ source: 'tick', target: 'check' }],
    };
    const bad = validateFlow(flow, lookupNodeSpec);
    expect(bad.ok ? [] : bad.issues.map((i) => i.path.join('.'))).toEqual(['nodes.0.config.cron']);
    flow.nodes[0]!.config.cron = '0 3 * * *';
    expect(validateFlow(flow, lookupNodeSpec).ok).toBe(true);
  });

  it('summarizes the expression, the zone and the next runs', () => {
    // Runs on another day than now carry their date ("Dec 5 00:00"): near midnight in Berlin they do.
    const run = String.raw`(?:[A-Z][a-z]{2} \d{1,2} )?\d\d:\d\d`;
    expect(scheduleSource.summary(config({ timezone: 'Europe/Berlin' }))).toMatch(new RegExp(String.raw`^\*/5 \* \* \* \* · Europe/Berlin · next ${run}, ${run}, ${run}$`));
  });
});

describe('a tick', () => {
  const tick = () =>
    tickPayload(config({ cron: '0 3 * * *', timezone: 'Europe/Berlin' }), {
      flowId: 'nightly-disk-check',
      flowName: 'Nightly disk check',
      nodeId: 'nightly',
      scheduledAt: at('2026-11-24T02:00:00Z'),
      firedAt: at('2026-11-24T02:00:00.004Z'),
    });

  it('is the sample payload', () => {
    expect(tick()).toEqual(scheduleSamples[0]!.payload);
  });

  it('becomes an info alert named after the flow, one fingerprint per schedule, one dedup key per tick', () => {
    const alert = scheduleAlert(config({ cron: '0 3 * * *', timezone: 'Europe/Berlin', labels: { check: 'disk' } }), tick());
    expect(alert).toEqual({
      source: 'schedule',
      status: 'firing',
      name: 'Nightly disk check',
      severity: 'info',
      summary: 'Scheduled run for 2026-11-24T02:00:00.000Z (0 3 * * *, Europe/Berlin)',
      description: '',
      labels: { check: 'disk' },
      annotations: {},
      startsAt: '2026-11-24T02:00:00.000Z',
      endsAt: '',
      fingerprint: 'nightly-disk-check/nightly',
      dedupKey: 'nightly@2026-11-24T02:00:00.000Z',
      links: {},
      raw: tick(),
    });
    expect(scheduleAlert(config({ name: 'Disk check' }), tick()).name).toBe('Disk check');
  });

  it('normalizes from its payload (simulation), naming a wrong field', () => {
    const adapter = getSourceAdapter('source.schedule')!;
    expect(adapter.normalize(config(), tick(), { now: 0 })).toEqual([scheduleAlert(config(), tick())]);
    expect(adapter.accepts(config(), scheduleAlert(config(), tick()))).toBe(true);
    const fail = (body: unknown) => {
      try {
        normalizeTick(config(), body);
      } catch (error) {
        expect(error).toBeInstanceOf(ValidationError);
        return formatIssues((error as ValidationError).issues);
      }
      throw new Error('expected a ValidationError');
    };
    expect(fail({ ...tick(), scheduledAt: 'yesterday' })).toBe('scheduledAt: must be an RFC 3339 timestamp, e.g. 2026-11-24T02:00:00.000Z');
    expect(fail([])).toContain('must be a JSON object: a schedule tick');
  });

  it('takes no webhook deliveries: no hook path, no webhook adapter', () => {
    expect(scheduleSource.trigger).toEqual({ kind: 'schedule' });
    expect(hookPathOf(scheduleSource, config())).toBeUndefined();
    expect(getWebhookAdapter('source.schedule')).toBeUndefined();
  });

  it('simulates a flow with the sample tick', async () => {
    const result = validateFlow(
      {
        format: 'salve.flow/v1',
        id: 'nightly-disk-check',
        name: 'Nightly disk check',
        nodes: [
          { id: 'nightly', type: 'source.schedule', config: { cron: '0 3 * * *', timezone: 'Europe/Berlin' } },
          { id: 'is_tick', type: 'condition.expr', config: { expression: 'alert.source == "schedule" && alert.severity == "info"' } },
        ],
        edges: [{ source: 'nightly', target: 'is_tick' }],
      },
      lookupNodeSpec,
    );
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    const [sim] = await simulateFlow(result.flow, 'schedule', scheduleSamples[0]!.payload);
    expect(sim!.starts).toBe(true);
    expect(sim!.steps.map((s) => `${s.nodeId}:${s.port}`)).toEqual(['nightly:out', 'is_tick:true']);
  });
});
