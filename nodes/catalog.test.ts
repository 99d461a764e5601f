import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { validateFlow } from '../shared/flow/validate.js';
import { getNodeDefinition, lookupNodeSpec, nodeDefinitions } from './catalog.js';
import { getNodeModule, getSourceAdapter, getWebhookAdapter } from './registry.js';
import { testContext } from '../test/kit/nodes.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

describe('node catalog', () => {
  it('has unique types, and every type has an executor; every source has an adapter', () => {
    const types = nodeDefinitions.map((d) => d.type);
    expect(new Set(types).size).toBe(types.length);
    for (const def of nodeDefinitions) {
      expect(getNodeDefinition(def.type)).toBe(def);
      expect(lookupNodeSpec(def.type)).toBe(def);
      expect(getNodeModule(def.type)?.definition).toBe(def);
      expect(getNodeModule(def.type)?.execute).toBeTypeOf('function');
      expect(getSourceAdapter(def.type) !== undefined).toBe(def.category === 'source');
      expect(getWebhookAdapter(def.type) !== undefined).toBe(def.trigger?.kind === 'webhook');
      expect(def.outputs.length).toBeGreaterThan(0);
      if (def.simulatePort) expect(def.outputs).toContain(def.simulatePort);
      expect(def.description).toMatch(/^[A-Z].*\.$/);
      // Only actions and approvals can have effects the engine must guard after a crash.
      if (def.sideEffects) expect(['action', 'approval']).toContain(def.category);
    }
  });

  it('knows nothing about unknown or prototype-ish types', () => {
    for (const type of ['action.ssh', 'constructor', '__proto__', 'toString', '']) {
      expect(getNodeDefinition(type)).toBeUndefined();
      expect(getNodeModule(type)).toBeUndefined();
      expect(getSourceAdapter(type)).toBeUndefined();
      expect(getWebhookAdapter(type)).toBeUndefined();
    }
  });

  it('source executors pass the alert on through "out"', async () => {
    const ctx = testContext();
    expect(await getNodeModule('source.alertmanager')!.execute({ path: 'infra', auth: { type: 'none' }, on: 'firing', group: false }, ctx)).toEqual({
      type: 'next',
      port: 'out',
      output: ctx.vars.alert,
    });
  });

  it('validates the README example flow with every config default filled', () => {
    const flow = JSON.parse(readFileSync(join(root, 'examples/disk-full.json'), 'utf8'));
    const result = validateFlow(flow, lookupNodeSpec);
    expect(result.ok ? [] : result.issues).toEqual([]);
    if (!result.ok) return;
    const byId = Object.fromEntries(result.flow.nodes.map((n) => [n.id, n.config]));
    expect(byId.am).toMatchObject({ on: 'firing' });
    expect(byId.clean).toMatchObject({ timeoutSeconds: 10, headers: {}, bodyType: 'json' });
    expect(byId.restart).toMatchObject({ timeoutSeconds: 60, env: {}, expectExitCodes: [0] });
  });

  it('reports bad node configs at their path in the flow', () => {
    const flow = JSON.parse(readFileSync(join(root, 'examples/disk-full.json'), 'utf8'));
    delete flow.nodes[0].config.auth;
    flow.nodes[1].config.matchers = 'alertname="DiskFull" oops';
    flow.nodes[2].config.url = 'http://{{ alert.labels.instance }/cleanup';
    const result = validateFlow(flow, lookupNodeSpec);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const paths = result.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['nodes.0.config.auth', 'nodes.1.config.matchers', 'nodes.2.config.url']));
  });
});
