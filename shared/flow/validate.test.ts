import { describe, it, expect } from 'vitest';
import { z } from 'zod';
import { formatIssues, type Issue } from '../errors.js';
import type { ExpressionRef } from '../expr/types.js';
import type { NodeCategory, NodeSpec, NodeSpecLookup } from './node-spec.js';
import { flowSources, outgoingEdges, resolvePort, validateFlow } from './validate.js';
import type { Flow } from './schema.js';

// Fake node types, one per category, so these tests do not depend on nodes/.
function spec<S extends z.ZodType>(s: {
  type: string;
  category: NodeCategory;
  outputs: string[];
  configSchema: S;
  outputSchema: z.ZodType;
  expressions: (config: z.output<S>) => ExpressionRef[];
}): NodeSpec {
  return s;
}

const template = (path: (string | number)[], source: string): ExpressionRef[] =>
  source.includes('{{') ? [{ path, kind: 'template', source }] : [];

const SPECS = [
  spec({
    type: 'source.fake',
    category: 'source',
    outputs: ['out'],
    configSchema: z.strictObject({ path: z.string().min(1), on: z.enum(['firing', 'any']).default('firing') }),
    outputSchema: z.object({ name: z.string() }),
    expressions: () => [],
  }),
  spec({
    type: 'condition.cel',
    category: 'condition',
    outputs: ['true', 'false'],
    configSchema: z.strictObject({ expression: z.string().min(1) }),
    outputSchema: z.boolean(),
    expressions: (c) => [{ path: ['expression'], kind: 'cel', source: c.expression, returns: 'bool' }],
  }),
  spec({
    type: 'action.http',
    category: 'action',
    outputs: ['ok', 'error'],
    configSchema: z.strictObject({
      method: z.enum(['GET', 'POST']).default('GET'),
      url: z.string().min(1),
      headers: z.record(z.string(), z.string()).default({}),
      timeoutSeconds: z.number().positive().default(10),
    }),
    outputSchema: z.union([z.object({ status: z.int(), body: z.unknown() }), z.object({ status: z.null(), error: z.string() })]),
    expressions: (c) => [
      ...(c.url.includes('{{') ? [{ path: ['url'], kind: 'url' as const, source: c.url }] : []),
      ...Object.entries(c.headers).flatMap(([k, v]) => template(['headers', k], v)),
    ],
  }),
  spec({
    type: 'approval.request',
    category: 'approval',
    outputs: ['approved', 'rejected', 'timeout'],
    configSchema: z.strictObject({ message: z.string().min(1), timeoutSeconds: z.number().int().positive().default(3600) }),
    outputSchema: z.object({ decision: z.enum(['approved', 'rejected', 'timeout']) }),
    expressions: (c) => template(['message'], c.message),
  }),
];
const lookup: NodeSpecLookup = (type) => SPECS.find((s) => s.type === type);

type Obj = Record<string, unknown>;
type Doc = Obj & { nodes: Obj[]; edges: Obj[] };

/** A README-like flow: source → condition → action → approval → action. */
function validDoc(): Doc {
  return {
    format: 'salve.flow/v1',
    id: 'disk-full',
    name: 'Disk full: clean up, ask, then restart',
    enabled: true,
    nodes: [
      { id: 'am', type: 'source.fake', position: { x: 0, y: 0 }, config: { path: 'infra' } },
      { id: 'disk', type: 'condition.cel', config: { expression: 'alert.labels.alertname == "DiskFull"' } },
      { id: 'clean', type: 'action.http', config: { method: 'POST', url: 'http://{{ alert.labels.instance }}/cleanup' } },
      { id: 'ask', type: 'approval.request', config: { message: 'Restart {{ alert.labels.instance }}?' } },
      { id: 'restart', type: 'action.http', config: { method: 'POST', url: 'http://{{ alert.labels.instance }}/restart' } },
    ],
    edges: [
      { source: 'am', target: 'disk' },
      { source: 'disk', sourcePort: 'true', target: 'clean' },
      { source: 'clean', sourcePort: 'ok', target: 'ask' },
      { source: 'ask', sourcePort: 'approved', target: 'restart' },
    ],
  };
}

const configOf = (doc: Doc, i: number) => doc.nodes[i]!.config as Obj;

function issuesOf(input: unknown): Issue[] {
  const result = validateFlow(input, lookup);
  if (result.ok) throw new Error('expected the flow to be invalid, but it passed');
  return result.issues;
}

/** Asserts an issue sits exactly at `path` and its message contains every word. */
function expectIssue(issues: Issue[], path: (string | number)[], ...words: string[]): void {
  const hit = issues.find((i) => JSON.stringify(i.path) === JSON.stringify(path));
  expect(hit, `no issue at ${JSON.stringify(path)}; got:\n${formatIssues(issues)}`).toBeDefined();
  for (const word of words) expect(hit!.message).toContain(word);
}

function validFlow(doc: Doc = validDoc()): Flow {
  const result = validateFlow(doc, lookup);
  if (!result.ok) throw new Error(formatIssues(result.issues));
  return result.flow;
}

describe('validateFlow: a valid flow', () => {
  it('passes and gets every node config parsed with defaults filled', () => {
    const flow = validFlow();
    expect(flow.id).toBe('disk-full');
    expect(flow.enabled).toBe(true);
    expect(flow.nodes[0]!.config).toEqual({ path: 'infra', on: 'firing' });
    expect(flow.nodes[2]!.config).toEqual({
      method: 'POST',
      url: 'http://{{ alert.labels.instance }}/cleanup',
      headers: {},
      timeoutSeconds: 10,
    });
    expect(flow.nodes[3]!.config).toEqual({ message: 'Restart {{ alert.labels.instance }}?', timeoutSeconds: 3600 });
    expect(flow.edges).toHaveLength(4);
  });

  it('keeps settings.allowedTargets and names each bad entry at its path', () => {
    expect(validFlow({ ...validDoc(), settings: { allowedTargets: ['agent.internal:9100', '10.1.0.0/16'] } }).settings).toEqual({
      allowedTargets: ['agent.internal:9100', '10.1.0.0/16'],
    });
    const issues = issuesOf({ ...validDoc(), settings: { allowedTargets: ['agent.internal', 'not a host', '*'], allowed: true } });
    expect(formatIssues(issues)).toBe(
      [
        'settings.allowedTargets[1]: "not a host": an entry has no spaces: one entry per line, or separate entries with commas',
        'settings.allowedTargets[2]: "*" would allow everywhere; list hosts, *.domains, addresses or CIDR blocks',
        'settings.allowed: unknown field "allowed"',
      ].join('\n'),
    );
    expectIssue(issuesOf({ ...validDoc(), settings: { allowedTargets: [] } }), ['settings', 'allowedTargets'], 'at least one');
  });

  it('defaults `enabled` to false and `edges` to none', () => {
    const doc: Obj = { ...validDoc(), nodes: [validDoc().nodes[0]] };
    delete doc.enabled;
    delete doc.edges;
    const flow = validFlow(doc as Doc);
    expect(flow.enabled).toBe(false);
    expect(flow.edges).toEqual([]);
  });

  it('accepts two sources listening on the same path (the runtime handles that)', () => {
    const doc = validDoc();
    doc.nodes.push({ id: 'am2', type: 'source.fake', config: { path: 'infra' } });
    doc.edges.push({ source: 'am2', target: 'disk' });
    expect(validateFlow(doc, lookup).ok).toBe(true);
  });
});

describe('validateFlow rule 1: document shape', () => {
  it('rejects a document that is not an object', () => {
    for (const input of [null, 'flow', 42, []]) {
      const issues = issuesOf(input);
      expect(issues.length).toBeGreaterThan(0);
      expect(issues[0]!.path).toEqual([]);
    }
  });

  it('stops at the shape when nodes is not an array', () => {
    const issues = issuesOf({ ...validDoc(), nodes: { am: {} } });
    expect(issues).toHaveLength(1);
    expectIssue(issues, ['nodes']);
  });

  it('reports an unknown top-level field by name instead of dropping it', () => {
    const issues = issuesOf({ ...validDoc(), owner: 'sre' });
    expect(issues).toEqual([{ path: ['owner'], message: 'unknown field "owner"' }]);
  });

  it('reports an unknown field in a node at that field', () => {
    const doc = validDoc();
    doc.nodes[1]!.colour = 'red';
    expect(issuesOf(doc)).toEqual([{ path: ['nodes', 1, 'colour'], message: 'unknown field "colour"' }]);
  });

  it('rejects a flow id that is not a slug', () => {
    const issues = issuesOf({ ...validDoc(), id: 'Disk Full!' });
    expect(issues).toHaveLength(1);
    expectIssue(issues, ['id'], 'slug');
  });

  it('rejects an empty (or blank) name', () => {
    expectIssue(issuesOf({ ...validDoc(), name: '' }), ['name'], 'name is required');
    expectIssue(issuesOf({ ...validDoc(), name: '   ' }), ['name'], 'name is required');
  });

  it('rejects another format tag', () => {
    expectIssue(issuesOf({ ...validDoc(), format: 'salve.flow/v2' }), ['format'], 'salve.flow/v1');
  });

  it('still checks configs and edges when the shape is wrong elsewhere', () => {
    const doc = validDoc();
    doc.nodes[0]!.colour = 'red';
    configOf(doc, 2).url = '';
    doc.edges[1]!.sourcePort = 'yes';
    const issues = issuesOf(doc);
    expectIssue(issues, ['nodes', 0, 'colour'], 'unknown field');
    expectIssue(issues, ['nodes', 2, 'config', 'url']);
    expectIssue(issues, ['edges', 1, 'sourcePort'], 'yes');
  });
});

describe('validateFlow rule 2: node ids', () => {
  it('reports a duplicate id at the second node', () => {
    const doc = validDoc();
    doc.nodes[3]!.id = 'clean';
    doc.edges[3]!.source = 'clean'; // keep the graph otherwise sound
    doc.edges[3]!.sourcePort = 'ok';
    const issues = issuesOf(doc);
    expectIssue(issues, ['nodes', 3, 'id'], 'duplicate node id "clean"');
    expect(issues.filter((i) => i.message.includes('duplicate node id'))).toHaveLength(1);
  });
});

describe('validateFlow rule 3: node types', () => {
  it('reports an unknown type without burying it under reachability noise', () => {
    const doc = validDoc();
    doc.nodes[2]!.type = 'action.foo';
    expect(issuesOf(doc)).toEqual([{ path: ['nodes', 2, 'type'], message: 'unknown node type "action.foo"' }]);
  });

  it('does not claim "no source" when the misspelt type may be the source', () => {
    const doc = validDoc();
    doc.nodes[0]!.type = 'source.faek';
    expect(issuesOf(doc)).toEqual([{ path: ['nodes', 0, 'type'], message: 'unknown node type "source.faek"' }]);
  });
});

describe('validateFlow rule 4: node config', () => {
  it('reports config problems at the config field', () => {
    const doc = validDoc();
    delete configOf(doc, 2).url;
    configOf(doc, 2).method = 'PATCH';
    configOf(doc, 2).verb = 'x';
    const issues = issuesOf(doc);
    expectIssue(issues, ['nodes', 2, 'config', 'url']);
    expectIssue(issues, ['nodes', 2, 'config', 'method']);
    expectIssue(issues, ['nodes', 2, 'config', 'verb'], 'unknown field "verb"');
    expect(issues).toHaveLength(3);
  });

  it('checks an omitted config as empty', () => {
    const doc = validDoc();
    delete doc.nodes[3]!.config;
    expectIssue(issuesOf(doc), ['nodes', 3, 'config', 'message']);
  });
});

describe('validateFlow rule 5: expressions', () => {
  it('reports a CEL syntax error in a condition at its config path', () => {
    const doc = validDoc();
    configOf(doc, 1).expression = 'alert.labels.alertname == ';
    const issues = issuesOf(doc);
    expect(issues).toHaveLength(1);
    expectIssue(issues, ['nodes', 1, 'config', 'expression'], 'CEL expression', 'disk', 'alert.labels.alertname ==');
  });

  it('reports type errors and regexes RE2 cannot run, not only syntax', () => {
    const doc = validDoc();
    configOf(doc, 1).expression = 'alert.labls.alertname == "DiskFull"';
    expectIssue(issuesOf(doc), ['nodes', 1, 'config', 'expression'], 'labls');
    configOf(doc, 1).expression = 'alert.labels.alertname.matches("(a)\\\\1")';
    expectIssue(issuesOf(doc), ['nodes', 1, 'config', 'expression'], 'not allowed');
  });

  it('says where in the expression the problem is', () => {
    const doc = validDoc();
    configOf(doc, 1).expression = 'alert.labels.alertname == ';
    expectIssue(issuesOf(doc), ['nodes', 1, 'config', 'expression'], '(at character 27)');
  });

  it('reports a template error in an action url at its config path', () => {
    const doc = validDoc();
    configOf(doc, 2).url = 'http://{{ alert.labels.instance /cleanup';
    const issues = issuesOf(doc);
    expect(issues).toHaveLength(1);
    expectIssue(issues, ['nodes', 2, 'config', 'url'], 'template', 'clean');
  });

  it('refuses a URL template that would choose the scheme or write the user info', () => {
    const doc = validDoc();
    configOf(doc, 2).url = 'http://{{ alert.labels.user }}@agent.example/cleanup';
    configOf(doc, 4).url = '{{ alert.labels.scheme }}://agent.example/restart';
    const issues = issuesOf(doc);
    expect(formatIssues(issues)).toBe(
      [
        'nodes[2].config.url: node "clean": URL template "http://{{ alert.labels.user }}@agent.example/cleanup" is invalid: a template cannot write the user info (user:password@) of a URL (at character 11)',
        'nodes[4].config.url: node "restart": URL template "{{ alert.labels.scheme }}://agent.example/restart" is invalid: a URL template must start with http:// or https:// written out: a template cannot choose the scheme (at character 1)',
      ].join('\n'),
    );
  });

  it('follows an expression into a nested config field', () => {
    const doc = validDoc();
    configOf(doc, 2).headers = { 'X-Host': '{{ alert.labels.instance + }}' };
    expectIssue(issuesOf(doc), ['nodes', 2, 'config', 'headers', 'X-Host'], 'template');
  });

  it('accepts the variables a template may read', () => {
    const doc = validDoc();
    configOf(doc, 3).message = '{{ alert.labels.instance }} in {{ flow.name }} ({{ execution.id }})';
    expect(validateFlow(doc, lookup).ok).toBe(true);
  });
});

describe('validateFlow rule 5: what an expression may read, and what a condition gives', () => {
  it('refuses a condition that gives a string, and says how to make it true/false', () => {
    const doc = validDoc();
    configOf(doc, 1).expression = 'alert.severity';
    expect(formatIssues(issuesOf(doc))).toBe(
      'nodes[1].config.expression: node "disk": CEL expression "alert.severity" is invalid: this condition gives a string, not true/false: compare it, e.g. alert.severity == "critical"',
    );
    configOf(doc, 1).expression = 'size(alert.labels)';
    expectIssue(issuesOf(doc), ['nodes', 1, 'config', 'expression'], 'gives a number, not true/false');
  });

  it('accepts a condition that gives a bool, or data known only when it runs (dyn)', () => {
    const doc = validDoc();
    for (const expression of ['alert.severity == "critical"', 'event.retry', 'has(event.x) && event.x']) {
      configOf(doc, 1).expression = expression;
      expect(validateFlow(doc, lookup).ok, expression).toBe(true);
    }
  });

  it('names a step that does not exist', () => {
    const doc = validDoc();
    configOf(doc, 3).message = 'Status was {{ steps.nosuch.status }}';
    expect(formatIssues(issuesOf(doc))).toBe(
      'nodes[3].config.message: node "ask": template "Status was {{ steps.nosuch.status }}" is invalid: {{ steps.nosuch.status }}: no step named "nosuch" in this flow (it can read steps.am, steps.disk and steps.clean) (at character 15)',
    );
  });

  it('refuses a step that runs later, or on no path to the node, and the node itself', () => {
    const doc = validDoc();
    configOf(doc, 1).expression = 'steps.clean.status == 200';
    expectIssue(issuesOf(doc), ['nodes', 1, 'config', 'expression'], 'step "clean" does not run before this node', 'it can read steps.am');
    configOf(doc, 1).expression = 'steps.disk';
    expectIssue(issuesOf(doc), ['nodes', 1, 'config', 'expression'], 'a step cannot read its own output');
    // A node on another branch: connected to the source, but never before "restart".
    doc.nodes.push({ id: 'other', type: 'action.http', config: { url: 'http://agent.example/other' } });
    doc.edges.push({ source: 'disk', sourcePort: 'false', target: 'other' });
    configOf(doc, 1).expression = 'true';
    configOf(doc, 4).url = 'http://agent.example/restart?after={{ steps.other.status }}';
    expectIssue(issuesOf(doc), ['nodes', 4, 'config', 'url'], 'step "other" does not run before this node');
  });

  it('types each earlier step by its output schema', () => {
    const doc = validDoc();
    configOf(doc, 3).message = 'Cleaned ({{ steps.clean.status + 1 }}), {{ steps["am"].name }}, condition {{ steps.disk }}';
    expect(validateFlow(doc, lookup).ok).toBe(true);
    configOf(doc, 3).message = '{{ steps.clean.stauts }}';
    expectIssue(issuesOf(doc), ['nodes', 3, 'config', 'message'], 'stauts');
    configOf(doc, 3).message = '{{ steps.am.name + 1 }}';
    expectIssue(issuesOf(doc), ['nodes', 3, 'config', 'message'], 'no such overload');
    // status is an int or null (no answer): dyn, so comparing it with either checks.
    configOf(doc, 3).message = '{{ steps.clean.status == null ? steps.clean.error : "ok" }}';
    expect(validateFlow(doc, lookup).ok).toBe(true);
  });
});

describe('validateFlow rule 6: edges', () => {
  it('reports an edge from or to a node that does not exist', () => {
    const doc = validDoc();
    doc.edges.push({ source: 'nope', target: 'clean' }, { source: 'clean', sourcePort: 'error', target: 'gone' });
    const issues = issuesOf(doc);
    expectIssue(issues, ['edges', 4, 'source'], '"nope"', 'not a node');
    expectIssue(issues, ['edges', 5, 'target'], '"gone"', 'not a node');
    expect(issues).toHaveLength(2);
  });

  it('reports a port the source type does not have, naming the ports it has', () => {
    const doc = validDoc();
    doc.edges[1]!.sourcePort = 'yes';
    expect(issuesOf(doc)).toEqual([
      {
        path: ['edges', 1, 'sourcePort'],
        message: 'edge from "disk" uses port "yes", but condition.cel has ports true, false',
      },
    ]);
  });

  it('requires sourcePort when the source node has more than one port', () => {
    const doc = validDoc();
    delete doc.edges[1]!.sourcePort;
    expect(issuesOf(doc)).toEqual([
      { path: ['edges', 1, 'sourcePort'], message: 'sourcePort is required: "disk" has ports true, false' },
    ]);
  });

  it('rejects an edge into a source node', () => {
    const doc = validDoc();
    doc.edges.push({ source: 'restart', sourcePort: 'error', target: 'am' });
    const issues = issuesOf(doc);
    expectIssue(issues, ['edges', 4, 'target'], '"am"', 'source');
  });

  it('rejects an edge from a node to itself', () => {
    const doc = validDoc();
    doc.edges.push({ source: 'clean', sourcePort: 'error', target: 'clean' });
    expect(issuesOf(doc)).toEqual([{ path: ['edges', 4, 'target'], message: 'edge from "clean" leads back to itself' }]);
  });

  it('rejects the same edge twice, counting an omitted port as the only port', () => {
    const doc = validDoc();
    doc.edges.push({ source: 'am', sourcePort: 'out', target: 'disk' });
    const issues = issuesOf(doc);
    expect(issues).toHaveLength(1);
    expectIssue(issues, ['edges', 4], 'duplicate edge', '"am"', '"disk"');
  });

  it('allows the same pair of nodes joined through different ports', () => {
    const doc = validDoc();
    doc.edges.push({ source: 'clean', sourcePort: 'error', target: 'ask' });
    expect(validateFlow(doc, lookup).ok).toBe(true);
  });
});

describe('validateFlow rule 7: cycles', () => {
  it('reports a cycle with its nodes in order, at the edge that closes it', () => {
    const doc = validDoc();
    doc.edges.push({ source: 'restart', sourcePort: 'ok', target: 'clean' });
    const issues = issuesOf(doc);
    expect(issues).toHaveLength(1);
    expectIssue(issues, ['edges', 4], 'cycle', '"clean" → "ask" → "restart" → "clean"');
  });

  it('reports each cycle separately', () => {
    const doc = validDoc();
    doc.edges.push(
      { source: 'ask', sourcePort: 'rejected', target: 'disk' },
      { source: 'restart', sourcePort: 'error', target: 'restart2' },
      { source: 'restart2', sourcePort: 'ok', target: 'restart' },
    );
    doc.nodes.push({ id: 'restart2', type: 'action.http', config: { url: 'http://x/' } });
    const issues = issuesOf(doc);
    expect(issues).toHaveLength(2);
    expectIssue(issues, ['edges', 4], '"disk" → "clean" → "ask" → "disk"');
    expectIssue(issues, ['edges', 6], '"restart" → "restart2" → "restart"');
  });
});

describe('validateFlow rule 8: sources and reachability', () => {
  it('requires at least one source node', () => {
    const doc = validDoc();
    doc.nodes.shift();
    doc.edges.shift();
    expect(issuesOf(doc)).toEqual([
      { path: ['nodes'], message: 'a flow needs at least one source node (e.g. source.alertmanager) to start it' },
    ]);
  });

  it('reports every node no source leads to', () => {
    const doc = validDoc();
    doc.nodes.push({ id: 'orphan', type: 'action.http', config: { url: 'http://x/' } });
    doc.nodes.push({ id: 'orphan_child', type: 'approval.request', config: { message: 'ok?' } });
    doc.edges.push({ source: 'orphan', sourcePort: 'ok', target: 'orphan_child' });
    const issues = issuesOf(doc);
    expect(issues).toEqual([
      { path: ['nodes', 5], message: 'node "orphan" is not reachable from any source' },
      { path: ['nodes', 6], message: 'node "orphan_child" is not reachable from any source' },
    ]);
  });

  it('does not guess reachability when an edge could not be read', () => {
    const doc = validDoc();
    doc.edges[2] = { source: 'clean', sourcePort: 'ok' }; // target missing
    const issues = issuesOf(doc);
    expectIssue(issues, ['edges', 2, 'target']);
    expect(issues.some((i) => i.message.includes('not reachable'))).toBe(false);
  });
});

describe('validateFlow: many problems at once', () => {
  it('reports every problem in one answer, each at its own path', () => {
    const doc = validDoc();
    doc.owner = 'sre';
    configOf(doc, 1).expression = 'alert.labels.alertname ==';
    configOf(doc, 2).timeoutSeconds = -1;
    doc.edges[2]!.sourcePort = 'done';
    doc.nodes.push({ id: 'orphan', type: 'action.http', config: { url: 'http://x/' } });
    const issues = issuesOf(doc);
    expectIssue(issues, ['owner'], 'unknown field');
    expectIssue(issues, ['nodes', 1, 'config', 'expression'], 'CEL expression');
    expectIssue(issues, ['nodes', 2, 'config', 'timeoutSeconds']);
    expectIssue(issues, ['edges', 2, 'sourcePort'], 'port "done"', 'ok, error');
    expectIssue(issues, ['nodes', 5], 'not reachable');
    expect(issues).toHaveLength(5);
  });
});

describe('graph walking helpers', () => {
  it('flowSources lists the source nodes', () => {
    const doc = validDoc();
    doc.nodes.push({ id: 'am2', type: 'source.fake', config: { path: 'other' } });
    doc.edges.push({ source: 'am2', target: 'disk' });
    expect(flowSources(validFlow(doc), lookup).map((n) => n.id)).toEqual(['am', 'am2']);
  });

  it('outgoingEdges follows a port, resolving an omitted port to the only one', () => {
    const doc = validDoc();
    doc.nodes.push({ id: 'page', type: 'action.http', config: { url: 'http://pager/' } });
    doc.edges.push({ source: 'disk', sourcePort: 'true', target: 'page' });
    const flow = validFlow(doc);
    expect(outgoingEdges(flow, 'am', 'out', lookup).map((e) => e.target)).toEqual(['disk']);
    expect(outgoingEdges(flow, 'disk', 'true', lookup).map((e) => e.target)).toEqual(['clean', 'page']);
    expect(outgoingEdges(flow, 'disk', 'false', lookup)).toEqual([]);
  });

  it('resolvePort returns the explicit port, the only port, or undefined when it cannot tell', () => {
    const flow = validFlow();
    expect(resolvePort({ source: 'disk', sourcePort: 'false', target: 'clean' }, lookup, flow)).toBe('false');
    expect(resolvePort({ source: 'am', target: 'disk' }, lookup, flow)).toBe('out');
    expect(resolvePort({ source: 'disk', target: 'clean' }, lookup, flow)).toBeUndefined();
    expect(resolvePort({ source: 'missing', target: 'clean' }, lookup, flow)).toBeUndefined();
  });
});

describe('validateFlow: sticky notes', () => {
  const note = (over: Obj = {}): Obj => ({ id: 'n1', text: 'Ask #infra before enabling', position: { x: 10, y: -20 }, ...over });

  it('keeps notes exactly as written; a document without notes stays valid and gets none', () => {
    const notes = [note(), note({ id: 'why', text: '', size: { width: 300, height: 160 }, color: 'blue' })];
    expect(validFlow({ ...validDoc(), notes }).notes).toEqual(notes);
    expect(validFlow().notes).toBeUndefined();
  });

  it('names each bad note field at its path', () => {
    const issues = issuesOf({
      ...validDoc(),
      notes: [
        note({ text: 'x'.repeat(2001) }),
        note({ id: 'b', color: 'purple' }),
        note({ id: 'c', position: { x: 1 } }),
        note({ id: 'd', size: { width: 10, height: 100 } }),
        note({ id: 'e', html: '<b>hi</b>' }),
      ],
    });
    expectIssue(issues, ['notes', 0, 'text'], 'at most 2000');
    expectIssue(issues, ['notes', 1, 'color'], 'yellow, blue');
    expectIssue(issues, ['notes', 2, 'position', 'y']);
    expectIssue(issues, ['notes', 3, 'size', 'width'], 'at least 60');
    expectIssue(issues, ['notes', 4, 'html'], 'unknown field "html"');
  });

  it('refuses two notes with the same id, naming the second', () => {
    const issues = issuesOf({ ...validDoc(), notes: [note(), note({ text: 'again' })] });
    expect(formatIssues(issues)).toBe('notes[1].id: duplicate note id "n1"');
  });

  it('does not read notes as part of the graph: a note may share an id with a node', () => {
    const flow = validFlow({ ...validDoc(), notes: [note({ id: 'disk' })] });
    expect(flow.nodes.map((n) => n.id)).toEqual(['am', 'disk', 'clean', 'ask', 'restart']);
    expect(flowSources(flow, lookup).map((n) => n.id)).toEqual(['am']);
  });
});
