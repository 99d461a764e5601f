import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { lookupNodeSpec, nodeDefinitions } from '../catalog.js';
import { getSourceAdapter } from '../registry.js';
import { validateFlow } from '../../shared/flow/validate.js';
import { simulateFlow } from '../../runtime/engine/flows/simulate.js';
import { alertmanagerSamples } from './alertmanager/samples.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const NOW = { now: Date.parse('2026-11-24T01:00:00.000Z') };

// Sources started by a schedule or a person take no deliveries (no resolved state, no
// DiskFull): their samples are checked in their own tests.
const sources = nodeDefinitions.filter((d) => d.trigger?.kind === 'webhook');

describe('source samples', () => {
  it('every source type has samples with a name and a description', () => {
    for (const def of sources) {
      expect(def.samples?.length, def.type).toBeGreaterThan(0);
      for (const sample of def.samples ?? []) {
        expect(sample.name, def.type).toMatch(/\S/);
        expect(sample.description, def.type).toMatch(/^[A-Z].*\.$/);
      }
    }
  });

  it.each(sources.map((d) => [d.type, d] as const))('%s: every sample normalizes to at least one alert', (type, def) => {
    const adapter = getSourceAdapter(type)!;
    expect(def.sampleConfig, `write a sampleConfig on the definition of ${type}`).toBeDefined();
    const config = def.configSchema.parse(def.sampleConfig);
    for (const sample of def.samples ?? []) {
      // Through JSON, as the Test panel sends it.
      const alerts = adapter.normalize(config, JSON.parse(JSON.stringify(sample.payload)), NOW);
      expect(alerts.length, sample.name).toBeGreaterThan(0);
      for (const alert of alerts) expect(alert.name, sample.name).toBe('DiskFull');
    }
  });

  it('the firing and resolved samples are told apart: only firing starts a default source', () => {
    for (const def of sources) {
      const adapter = getSourceAdapter(def.type)!;
      const config = def.configSchema.parse(def.sampleConfig);
      const started = (def.samples ?? []).map((s) => adapter.normalize(config, s.payload, NOW).some((a) => adapter.accepts(config, a)));
      expect(started, def.type).toEqual([true, false]);
    }
  });

  it('the Alertmanager firing sample takes the README example flow all the way to its approval', async () => {
    const result = validateFlow(JSON.parse(readFileSync(join(root, 'examples/disk-full.json'), 'utf8')), lookupNodeSpec);
    if (!result.ok) throw new Error('example flow is invalid');
    const [simulated] = await simulateFlow(result.flow, 'alertmanager', alertmanagerSamples[0]!.payload);
    expect(simulated!.steps.map((s) => `${s.nodeId}:${s.port}`)).toEqual(['am:out', 'disk:match', 'clean:ok', 'ask:approved', 'restart:ok']);
    const restart = simulated!.steps.find((s) => s.nodeId === 'restart')!;
    expect(restart.rendered).toMatchObject({ command: ['echo', 'restarting', 'postgresql'] });
  });
});
