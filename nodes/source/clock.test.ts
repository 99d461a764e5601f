import { afterEach, describe, expect, it, vi } from 'vitest';
import { nodeDefinitions } from '../catalog.js';
import type { NodeDefinition } from '../definition.js';
import { getSourceAdapter } from '../registry.js';

/**
 * Normalizers read the engine's clock (`ctx.now`), never the system's: a delivery normalized at
 * a fixed clock gives the same alerts whenever it runs, and the time of an alert whose payload
 * names none is the engine's now (what its fake clock says in tests, what the dispatcher sees).
 */

const ENGINE_NOW = Date.parse('2031-01-02T03:04:05.000Z');
const ENGINE_ISO = new Date(ENGINE_NOW).toISOString();

const definition = (type: string) => nodeDefinitions.find((d) => d.type === type) as NodeDefinition;
const strip = (payload: unknown, ...keys: string[]) =>
  Object.fromEntries(Object.entries(payload as Record<string, unknown>).filter(([k]) => !keys.includes(k)));

/** A payload of each source that names no time, so the alert's time can only come from the clock. */
const timeless: [type: string, config: unknown, payload: unknown][] = [
  ['source.webhook', { path: 'x', auth: { type: 'none' }, mapping: { name: 'event.title' } }, { title: 'Backup failed' }],
  ['source.nagios', definition('source.nagios').sampleConfig, strip(definition('source.nagios').samples![0]!.payload, 'last_state_change', 'timestamp')],
  ['source.datadog', definition('source.datadog').sampleConfig, strip(definition('source.datadog').samples![0]!.payload, 'date', 'last_updated')],
  [
    'source.zabbix',
    definition('source.zabbix').sampleConfig,
    { hostname: 'db7', severity: 'Disaster', status: 'PROBLEM', item: 'Free disk space on /var: 2%', trigger: 'Disk is almost full', link: 'https://z.example/tr_events.php?triggerid=1&eventid=2' },
  ],
  ['source.manual', {}, { name: 'DiskFull' }],
];

/** Every sample of every source, with the config it is written for. */
const samples = nodeDefinitions
  .filter((d) => d.category === 'source')
  .flatMap((d) => (d.samples ?? []).map((s) => [d.type, d.sampleConfig, s.payload] as [string, unknown, unknown]));

function normalizeAt(systemTime: string, [type, config, payload]: [string, unknown, unknown]) {
  vi.setSystemTime(new Date(systemTime));
  const def = definition(type);
  return getSourceAdapter(type)!.normalize(def.configSchema.parse(config), payload, { now: ENGINE_NOW });
}

describe('source normalizers and the clock', () => {
  afterEach(() => vi.useRealTimers());

  it.each(timeless.map((c) => [c[0], c] as const))('%s: an alert whose payload names no time is stamped with the engine’s now', (_type, input) => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const alerts = normalizeAt('2020-06-01T00:00:00Z', input);
    expect(alerts.length).toBeGreaterThan(0);
    expect(alerts[0]!.startsAt).toBe(ENGINE_ISO);
  });

  it('a fixed engine clock gives fixed output, whatever the system clock says', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    for (const input of [...timeless, ...samples]) {
      const first = normalizeAt('2020-06-01T00:00:00Z', input);
      const later = normalizeAt('2029-12-31T23:59:59Z', input);
      // The manual source's dedup key is fresh per run by design; the rest must not move.
      const comparable = (alerts: typeof first) => (input[0] === 'source.manual' ? alerts.map((a) => ({ ...a, dedupKey: '' })) : alerts);
      expect(comparable(later), input[0]).toEqual(comparable(first));
    }
  });
});
