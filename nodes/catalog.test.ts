import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkCel } from '../shared/expr/index.js';
import { outputTypeOf } from '../shared/flow/expression-scope.js';
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

  it('types every output for the expressions after it (steps.<id>), from its output schema', () => {
    const steps = new Map(nodeDefinitions.map((d) => [d.type.replace('.', '_'), outputTypeOf(d)]));
    const scope = { steps, nodeIds: new Set([...steps.keys(), 'me']), self: 'me' };
    for (const id of steps.keys()) expect(checkCel(`steps.${id}`, { scope }), id).toEqual([]);
    for (const source of [
      'steps.source_alertmanager.labels.env == "prod" && steps.source_webhook.severity == "critical"',
      'steps.action_http.status == 200 && steps.action_http.headers["content-type"].startsWith("application/json")',
      'steps.action_http.status == null && steps.action_http.error.contains("timeout")',
      'steps.action_shell.exitCode == 0 && steps.action_shell.stdout.contains("ok") && !steps.action_shell.timedOut',
      'steps.approval_request.decision == "approved" && steps.approval_request.decidedBy != ""',
      'steps.condition_expr && !steps.condition_match && steps.action_delay.waitedSeconds > 0',
    ]) {
      expect(checkCel(source, { scope, returns: 'bool' }), source).toEqual([]);
    }
    expect(checkCel('steps.action_shell.exitcode == 0', { scope })[0]!.message).toMatch(/No such key: exitcode/);
    expect(checkCel('steps.action_shell.stdout', { scope, returns: 'bool' })[0]!.message).toMatch(/gives a string, not true\/false/);
  });

  it('knows nothing about unknown or prototype-ish types', () => {
    for (const type of ['action.telnet', 'constructor', '__proto__', 'toString', '']) {
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
