import { describe, expect, it } from 'vitest';
import { formatPath } from '../../../shared/errors.js';
import { locateIssue, planImport, readSource, type ImportPlan } from './import-plan.js';

const flow = (id: string) => ({ format: 'salve.flow/v1', id, name: `Flow ${id}`, nodes: [] });
const src = (name: string, value: unknown) => ({ name, text: JSON.stringify(value, null, 2) });

function planOf(...sources: { name: string; text: string }[]): ImportPlan {
  const plan = planImport(sources.map(readSource));
  if (!plan) throw new Error('no plan');
  return plan;
}

describe('readSource', () => {
  it('reads one flow or a bundle', () => {
    expect(readSource(src('a.json', flow('a')))).toMatchObject({ ok: true, kind: 'flow', flows: [{ id: 'a', name: 'Flow a', source: 'a.json', indexInSource: null }] });
    const bundle = readSource(src('b.json', { flows: [flow('b'), flow('c')] }));
    expect(bundle).toMatchObject({ ok: true, kind: 'bundle', flows: [{ id: 'b', indexInSource: 0 }, { id: 'c', indexInSource: 1 }] });
  });

  it('keeps the JSON location of a parse error', () => {
    const r = readSource({ name: 'bad.json', text: '{\n  "id": "a",\n}' });
    expect(r).toMatchObject({ ok: false, problem: 'not valid JSON', json: { line: 3, column: 1 } });
  });

  it('refuses what is neither a flow nor a bundle', () => {
    expect(readSource(src('list.json', [flow('a')]))).toMatchObject({ ok: false, problem: expect.stringMatching(/found a list\. To import a list of flows, write it as \{ "flows"/) });
    expect(readSource(src('s.json', 'x'))).toMatchObject({ ok: false, problem: expect.stringMatching(/found a string/) });
    expect(readSource(src('e.json', { flows: [] }))).toMatchObject({ ok: false, problem: expect.stringMatching(/no flows/) });
    expect(readSource(src('o.json', { flows: {} }))).toMatchObject({ ok: false, problem: '"flows" must be a list of flow documents, found an object' });
  });
});

describe('planImport', () => {
  it('sends one source exactly as written', () => {
    const bundle = { flows: [flow('a'), flow('b')] };
    expect(planOf(src('x.json', bundle)).body).toEqual(bundle);
    expect(planOf(src('a.json', flow('a'))).body).toEqual(flow('a'));
  });

  it('joins several sources into one bundle, in order', () => {
    const plan = planOf(src('a.json', flow('a')), src('bc.json', { flows: [flow('b'), flow('c')] }), src('Pasted JSON', flow('d')));
    expect(plan.body).toEqual({ flows: [flow('a'), flow('b'), flow('c'), flow('d')] });
    expect(plan.flows.map((f) => f.id)).toEqual(['a', 'b', 'c', 'd']);
    expect(plan.sourceCount).toBe(3);
    expect(plan.bytes).toBe(JSON.stringify(plan.body).length);
  });

  it('leaves out unreadable sources and has nothing to send without a readable one', () => {
    expect(planImport([readSource({ name: 'x', text: '{' })])).toBeNull();
    const plan = planImport([readSource({ name: 'x', text: '{' }), readSource(src('a.json', flow('a')))]);
    expect(plan?.body).toEqual(flow('a'));
  });
});

describe('locateIssue', () => {
  it('keeps the server path when one source was sent', () => {
    const plan = planOf(src('x.json', { flows: [flow('a'), flow('b')] }));
    const located = locateIssue({ path: ['flows', 1, 'nodes', 2, 'config', 'url'], message: 'Required' }, plan);
    expect(formatPath(located.path)).toBe('flows[1].nodes[2].config.url');
    expect(located).toMatchObject({ flowId: 'b', flowName: 'Flow b', message: 'Required' });
    expect(located.source).toBeUndefined();
    expect(locateIssue({ path: ['nodes', 0], message: 'm' }, planOf(src('a.json', flow('a'))))).toMatchObject({ flowId: 'a', path: ['nodes', 0] });
  });

  it('maps a joined bundle back to each file', () => {
    const plan = planOf(src('a.json', flow('a')), src('bc.json', { flows: [flow('b'), flow('c')] }));
    expect(locateIssue({ path: ['flows', 0, 'edges', 1, 'sourcePort'], message: 'm' }, plan)).toEqual({
      source: 'a.json',
      flowId: 'a',
      flowName: 'Flow a',
      path: ['edges', 1, 'sourcePort'],
      message: 'm',
    });
    expect(locateIssue({ path: ['flows', 2, 'id'], message: 'duplicate' }, plan)).toEqual({
      source: 'bc.json',
      flowId: 'c',
      flowName: 'Flow c',
      path: ['flows', 1, 'id'],
      message: 'duplicate',
    });
    expect(locateIssue({ path: ['flows'], message: 'too many' }, plan)).toEqual({ path: ['flows'], message: 'too many' });
  });
});
