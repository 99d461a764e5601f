import { afterEach, describe, expect, it } from 'vitest';
import { ConflictError, ValidationError } from '../../../shared/errors.js';
import { testEngine } from '../../../test/kit/engine.js';
import { flowDoc } from '../../../test/kit/flow.js';

const flow = (id = 'f1', name = 'first') =>
  flowDoc({ id, name, nodes: [{ id: 'check', type: 'condition.expr', config: { expression: 'alert.severity == "critical"' } }], edges: [{ source: 'am', target: 'check' }] });

/** The rejection `fn` throws, as a ValidationError. */
async function validationError(fn: () => Promise<unknown>): Promise<ValidationError> {
  const error = await fn().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ValidationError);
  return error as ValidationError;
}

describe('FlowService', () => {
  const stores: { close(): void }[] = [];
  const kit = () => {
    const k = testEngine();
    stores.push(k.store);
    return k;
  };
  afterEach(() => {
    for (const s of stores.splice(0)) s.close();
  });

  describe('re-creating a deleted flow', () => {
    it('continues the revisions after the highest one kept; old revisions still read as they ran', async () => {
      const { engine } = kit();
      await engine.flows.create(flow('f1', 'first'), { name: 'test', via: 'token' });
      await engine.flows.update('f1', flow('f1', 'second'), 1, { name: 'test', via: 'token' });
      await engine.flows.delete('f1', { name: 'test', via: 'token' });

      const created = await engine.flows.create(flow('f1', 'recreated'), { name: 'test', via: 'token' });
      expect(created.revision).toBe(3);
      expect((await engine.flows.get('f1'))).toMatchObject({ revision: 3, flow: { name: 'recreated' } });
      expect((await engine.flows.getRevision('f1', 1))?.name).toBe('first');
      expect((await engine.flows.getRevision('f1', 2))?.name).toBe('second');
      expect((await engine.flows.getRevision('f1', 3))?.name).toBe('recreated');
      expect((await engine.flows.update('f1', flow('f1', 'edited'), 3, { name: 'test', via: 'token' })).revision).toBe(4);

      await engine.flows.delete('f1', { name: 'test', via: 'token' });
      const [imported] = await engine.flows.import(flow('f1', 'imported'), { name: 'test', via: 'token' });
      expect(imported).toMatchObject({ revision: 5, flow: { name: 'imported', enabled: false } });
      expect((await engine.flows.getRevision('f1', 4))?.name).toBe('edited');
    });

    it('imports a bundle mixing a deleted id, a live id and a new id', async () => {
      const { engine } = kit();
      await engine.flows.create(flow('gone', 'gone'), { name: 'test', via: 'token' });
      await engine.flows.create(flow('live', 'live'), { name: 'test', via: 'token' });
      await engine.flows.delete('gone', { name: 'test', via: 'token' });
      const items = await engine.flows.import({ flows: [flow('gone', 'back'), flow('live', 'live 2'), flow('new', 'new')] }, { name: 'test', via: 'token' });
      expect(items.map((i) => [i.flow.id, i.revision])).toEqual([
        ['gone', 2],
        ['live', 2],
        ['new', 1],
      ]);
    });

    it('records the revision it created in the audit log', async () => {
      const { engine, store } = kit();
      await engine.flows.create(flow(), { name: 'test', via: 'token' });
      await engine.flows.delete('f1', { name: 'test', via: 'token' });
      await engine.flows.create(flow(), { name: 'test', via: 'token' });
      const rows = store.sqlite.prepare("SELECT after FROM audit WHERE action = 'flow.create' ORDER BY id").all() as { after: string }[];
      expect(rows.map((r) => JSON.parse(r.after).revision)).toEqual([1, 2]);
    });

    it('still refuses an id that exists (409), also when several creates race', async () => {
      const { engine } = kit();
      await engine.flows.create(flow(), { name: 'test', via: 'token' });
      await engine.flows.delete('f1', { name: 'test', via: 'token' });
      const results = await Promise.allSettled([1, 2, 3].map(() => engine.flows.create(flow(), { name: 'test', via: 'token' })));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(rejected).toHaveLength(2);
      for (const r of rejected) expect(r.reason).toBeInstanceOf(ConflictError);
      expect((await engine.flows.get('f1')).revision).toBe(2);
    });
  });

  describe('import body', () => {
    it('refuses an empty bundle, naming flows, and imports nothing', async () => {
      const { engine } = kit();
      const error = await validationError(() => engine.flows.import({ flows: [] }, { name: 'test', via: 'token' }));
      expect(error.issues).toEqual([{ path: ['flows'], message: expect.stringMatching(/must not be empty/) }]);
      expect((await engine.flows.list())).toEqual([]);
    });

    it.each([
      ['a string for flows', { flows: 'x' }, ['flows'], /must be a list of flow documents, found a string/],
      ['an object for flows', { flows: {} }, ['flows'], /must be a list of flow documents, found an object/],
      ['null for flows', { flows: null }, ['flows'], /must be a list of flow documents, found null/],
      ['a list', [], [], /expected one flow document .* or a bundle \{ "flows": \[ … \] \}, found a list.*\{ "flows"/],
      ['a list of flows', [flow()], [], /found a list/],
      ['null', null, [], /found null/],
      ['a string', 'x', [], /found a string/],
      ['a number', 5, [], /found a number/],
      ['an empty object', {}, [], /is empty: expected one flow document/],
    ])('refuses %s with one issue that names it', async (_what, body, path, message) => {
      const { engine } = kit();
      const error = await validationError(() => engine.flows.import(body, { name: 'test', via: 'token' }));
      expect(error.issues).toEqual([{ path, message: expect.stringMatching(message) }]);
    });

    it('refuses unknown fields next to flows, and a bundle over 500 flows', async () => {
      const { engine } = kit();
      const extra = await validationError(() => engine.flows.import({ flows: [flow()], exportedAt: 'today' }, { name: 'test', via: 'token' }));
      expect(extra.issues).toEqual([{ path: ['exportedAt'], message: expect.stringMatching(/unknown field/) }]);
      const many = await validationError(() => engine.flows.import({ flows: Array.from({ length: 501 }, (_, i) => flow(`f${i}`)) }, { name: 'test', via: 'token' }));
      expect(many.issues).toEqual([{ path: ['flows'], message: expect.stringMatching(/500/) }]);
      expect((await engine.flows.list())).toEqual([]);
    });

    it('still reports every problem of a single flow and of each flow in a bundle at its path', async () => {
      const { engine } = kit();
      const single = await validationError(() => engine.flows.import({ ...flow(), nodes: 'x' }, { name: 'test', via: 'token' }));
      expect(single.issues.map((i) => i.path)).toContainEqual(['nodes']);
      const bundle = await validationError(() => engine.flows.import({ flows: [flow('a'), 7, { ...flow('c'), id: 'Bad Id' }] }, { name: 'test', via: 'token' }));
      expect(bundle.issues.map((i) => i.path.join('.'))).toEqual(expect.arrayContaining(['flows.1', 'flows.2.id']));
      const dup = await validationError(() => engine.flows.import({ flows: [flow('a'), flow('a')] }, { name: 'test', via: 'token' }));
      expect(dup.issues).toEqual([{ path: ['flows', 1, 'id'], message: 'duplicate flow id "a" in the bundle' }]);
      expect((await engine.flows.list())).toEqual([]);
    });

    it('imports one flow and a bundle', async () => {
      const { engine } = kit();
      expect((await engine.flows.import(flow('one'), { name: 'test', via: 'token' })).map((i) => i.flow.id)).toEqual(['one']);
      expect((await engine.flows.import({ flows: [flow('two'), flow('three')] }, { name: 'test', via: 'token' })).map((i) => i.flow.id)).toEqual(['two', 'three']);
    });
  });
});
