import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConflictError } from '../../../shared/errors.js';
import { testEngine } from '../../../test/kit/engine.js';
import { flowDoc } from '../../../test/kit/flow.js';
import { planProvisioning, readFlowsDir } from './provision.js';

const person = { name: 'ana', via: 'token' as const, identity: 'admin' };
const system = { name: 'flows directory', via: 'system' as const };

const flow = (id: string, expression = 'alert.severity == "critical"', extra: Record<string, unknown> = {}) =>
  flowDoc({ id, nodes: [{ id: 'check', type: 'condition.expr', config: { expression } }], edges: [{ source: 'am', target: 'check' }], ...extra });

describe('flows directory provisioning', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanups.splice(0)) c();
  });
  const setup = () => {
    const k = testEngine();
    const dir = join(mkdtempSync(join(tmpdir(), 'salve-flows-')), 'flows');
    mkdirSync(dir);
    cleanups.push(() => k.store.close(), () => rmSync(join(dir, '..'), { recursive: true, force: true }));
    const write = (name: string, doc: unknown) => writeFileSync(join(dir, name), typeof doc === 'string' ? doc : JSON.stringify(doc, null, 2));
    const plan = async () =>
      planProvisioning(readFlowsDir(dir), { flows: await k.engine.flows.currentFlows(), provisioned: k.engine.flows.provisionedFlows(), teamExists: (t) => t === 'default' });
    const apply = async () => {
      const p = await plan();
      await k.engine.flows.applyProvisioning(p, system);
      return p;
    };
    return { ...k, dir, write, plan, apply };
  };

  it('reads single flows and bundles, skips dot files and other files, and names files by directory', () => {
    const { dir, write } = setup();
    write('a.json', flow('a'));
    write('bundle.json', { flows: [flow('b'), flow('c')] });
    write('.a.json.swp', 'garbage');
    write('README.md', '# flows');
    const read = readFlowsDir(dir);
    expect(read.map((f) => [f.file, f.team, f.flows?.map((x) => x.id)])).toEqual([
      ['flows/a.json', 'default', ['a']],
      ['flows/bundle.json', 'default', ['b', 'c']],
    ]);
  });

  it('applies new and changed flows as revisions authored by their file, and nothing when nothing changed', async () => {
    const { engine, write, apply, plan } = setup();
    write('a.json', flow('a'));
    const first = await apply();
    expect(first.files).toEqual([{ file: 'flows/a.json', team: 'default', status: 'applied', flowIds: ['a'] }]);
    expect((await engine.flows.get('a'))).toMatchObject({ revision: 1, provisioned: { file: 'flows/a.json' }, flow: { enabled: true } });
    expect((await engine.flows.revisions('a'))[0]!.author).toEqual({ identity: 'provisioned:flows/a.json', name: 'flows/a.json (flows directory)' });

    expect((await plan()).files[0]!.status).toBe('unchanged');
    write('a.json', flow('a', 'alert.severity == "warning"'));
    const second = await apply();
    expect(second.changes).toEqual([expect.objectContaining({ flowId: 'a', kind: 'changed', summary: 'nodes: 1 changed (check)' })]);
    expect((await engine.flows.get('a')).revision).toBe(2);
    await apply();
    expect((await engine.flows.get('a')).revision).toBe(2);
  });

  it('reports every problem of an invalid file, applies the others, and keeps the last valid version running', async () => {
    const { engine, write, apply } = setup();
    write('a.json', flow('a'));
    write('b.json', flow('b'));
    await apply();
    write('a.json', '{"format": "salve.flow/v1", "id": "a", "na');
    write('c.json', { ...flow('c'), name: '', nodes: [] });
    write('b.json', flow('b', 'true'));
    const p = await apply();
    const byFile = Object.fromEntries(p.files.map((f) => [f.file, f]));
    expect(byFile['flows/a.json']).toMatchObject({ status: 'invalid', errors: [{ path: [], message: expect.stringContaining('not valid JSON') }] });
    expect(byFile['flows/c.json']!.status).toBe('invalid');
    expect(byFile['flows/c.json']!.errors!.map((e) => e.path.join('.'))).toEqual(expect.arrayContaining(['name', 'nodes']));
    expect(byFile['flows/b.json']!.status).toBe('applied');
    // a keeps running at its last applied version and stays read-only; c was never created.
    expect((await engine.flows.get('a'))).toMatchObject({ revision: 1, flow: { enabled: true }, provisioned: { file: 'flows/a.json' } });
    expect((await engine.flows.list()).map((f) => f.id)).toEqual(['a', 'b']);
  });

  it('reports both files of a duplicate flow id and applies neither', async () => {
    const { engine, write, apply } = setup();
    write('one.json', flow('dup'));
    write('two.json', flow('dup', 'true'));
    const p = await apply();
    expect(p.files.map((f) => [f.file, f.status, f.errors?.[0]?.message])).toEqual([
      ['flows/one.json', 'invalid', 'flow id "dup" is also in flows/two.json: a flow must come from one file'],
      ['flows/two.json', 'invalid', 'flow id "dup" is also in flows/one.json: a flow must come from one file'],
    ]);
    expect((await engine.flows.list())).toEqual([]);
  });

  it('puts a subdirectory\'s flows in that team, and refuses a team that does not exist', async () => {
    const { dir, write, plan } = setup();
    mkdirSync(join(dir, 'payments'));
    write('payments/p.json', flow('p'));
    expect((await plan()).files).toEqual([
      expect.objectContaining({ file: 'flows/payments/p.json', team: 'payments', status: 'invalid', errors: [expect.objectContaining({ message: expect.stringContaining('team "payments"') })] }),
    ]);
  });

  it('puts an existing team\'s subdirectory flows in that team', async () => {
    const { engine, dir, write } = setup();
    mkdirSync(join(dir, 'payments'));
    write('payments/p.json', flow('p'));
    const p = planProvisioning(readFlowsDir(dir), { flows: (await engine.flows.currentFlows()), provisioned: new Map(), teamExists: () => true });
    expect(p.files).toEqual([{ file: 'flows/payments/p.json', team: 'payments', status: 'applied', flowIds: ['p'] }]);
  });

  it('disables (never deletes) a flow whose file was removed, which is then editable again', async () => {
    const { engine, dir, write, apply } = setup();
    write('a.json', flow('a'));
    await apply();
    rmSync(join(dir, 'a.json'));
    const p = await apply();
    expect(p.changes).toEqual([expect.objectContaining({ flowId: 'a', kind: 'disabled' })]);
    expect((await engine.flows.get('a'))).toMatchObject({ revision: 2, flow: { enabled: false } });
    expect((await engine.flows.get('a')).provisioned).toBeUndefined();
    await engine.flows.setEnabled('a', true, person);
  });

  it('remembers the provisioned flows across restarts (the settings table), so a file removed while stopped is found', async () => {
    const { engine, dir, write, apply } = setup();
    write('a.json', flow('a'));
    await apply();
    (await engine.flows.loadProvisioned()); // as a new start does
    expect(engine.flows.provisionedFlows()).toEqual(new Map([['a', 'flows/a.json']]));
    rmSync(join(dir, 'a.json'));
    expect((await apply()).changes.map((c) => c.kind)).toEqual(['disabled']);
  });

  it('refuses changing a provisioned flow through the service, naming its file', async () => {
    const { engine, write, apply } = setup();
    write('a.json', flow('a'));
    await apply();
    const attempts = [
      () => engine.flows.update('a', flow('a', 'true'), 1, person),
      () => engine.flows.delete('a', person),
      () => engine.flows.setEnabled('a', false, person),
      () => engine.flows.rollback('a', 1, 1, person),
      () => engine.flows.import(flow('a'), person),
    ];
    for (const attempt of attempts) {
      const error = await attempt().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConflictError);
      expect((error as Error).message).toMatch(/^flow "a" is provisioned from flows\/a\.json .*: change the file and commit it$/);
    }
  });

  it('reports a call to a flow that exists in no file and not in Salve on the calling file', async () => {
    const { write, plan } = setup();
    write('caller.json', flowDoc({ id: 'caller', nodes: [{ id: 'call', type: 'flow.call', config: { flow: 'missing' } }], edges: [{ source: 'am', target: 'call' }] }));
    const [file] = (await plan()).files;
    expect(file).toMatchObject({ status: 'invalid', errors: [expect.objectContaining({ path: ['nodes', 1, 'config', 'flow'] })] });
  });
});
