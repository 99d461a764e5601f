import { forEachNode, isNode, type CelNode } from './ast.js';
import type { ExprVars } from './types.js';
import { toCel, toCelStringMap } from './values.js';

/**
 * The variables an evaluation sees. Only those the expression reads are converted (`event` can
 * be a large delivery body), found once from its AST rather than with getters: an object with
 * getters costs more to make than evaluating a simple condition.
 */

/** What a program reads: root variable names, and whether it can reach `alert.raw`. */
export interface Reads {
  vars: ReadonlySet<string>;
  alertRaw: boolean;
}

/** The variables (and `alert.raw`) an expression reads. A name shadowed by a loop variable counts too: harmless. */
export function readsOf(root: CelNode): Reads {
  const vars = new Set<string>();
  const fieldsOnly = new Set<CelNode>();
  let alertRaw = false;
  forEachNode(root, (node) => {
    if (node.op === '.' || node.op === '.?') {
      const [left, field] = node.args as [CelNode, string];
      if (isNode(left) && left.op === 'id' && left.args === 'alert') {
        fieldsOnly.add(left);
        if (field === 'raw') alertRaw = true;
      }
    }
  });
  forEachNode(root, (node) => {
    if (node.op !== 'id' || typeof node.args !== 'string') return;
    vars.add(node.args);
    // `alert` used whole (`alert`, `alert["raw"]`): it may reach raw.
    if (node.args === 'alert' && !fieldsOnly.has(node)) alertRaw = true;
  });
  return { vars, alertRaw };
}

// Conversions of data (the event, step outputs, alert.raw) are remembered per source object: a
// template's parts and a webhook's mappings read the same event many times. This relies on
// those objects never being changed once made (they are parsed JSON: the runner, simulation
// and the editor's preview make new ones rather than edit them).
const converted = new WeakMap<object, unknown>();
const convertedRaw = new WeakMap<object, unknown>();

function celOf(value: unknown, ints = true): unknown {
  if (!value || typeof value !== 'object') return toCel(value ?? null, ints);
  const cache = ints ? converted : convertedRaw;
  let out = cache.get(value);
  if (out === undefined) {
    out = toCel(value, ints);
    cache.set(value, out);
  }
  return out;
}

const text = (v: unknown) => (typeof v === 'string' ? v : '');
const EMPTY = new Map<string, unknown>();

/** The alert as CEL reads it: its declared fields only, label maps made safe (values.ts). */
function celAlert(alert: Partial<ExprVars['alert']> = {}, withRaw: boolean): object {
  return {
    source: text(alert.source),
    status: text(alert.status),
    name: text(alert.name),
    severity: text(alert.severity),
    summary: text(alert.summary),
    description: text(alert.description),
    labels: toCelStringMap(alert.labels),
    annotations: toCelStringMap(alert.annotations),
    startsAt: text(alert.startsAt),
    endsAt: text(alert.endsAt),
    fingerprint: text(alert.fingerprint),
    dedupKey: text(alert.dedupKey),
    links: toCelStringMap(alert.links),
    // Numbers in raw stay doubles, as they always were (`alert.raw.values.B + 0.5` keeps working).
    raw: withRaw ? celOf(alert.raw, false) : null,
  };
}

/** The context object for cel-js: the variables (and locals) `reads` names, as CEL values. */
export function celContext(vars: Partial<ExprVars>, reads: Reads, locals: Readonly<Record<string, unknown>> = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  // An expression's own variables (a check's `response`) are data, converted like `event`.
  for (const [name, value] of Object.entries(locals)) if (reads.vars.has(name)) out[name] = celOf(value);
  if (reads.vars.has('alert')) out.alert = celAlert(vars.alert, reads.alertRaw);
  if (reads.vars.has('event')) out.event = celOf(vars.event);
  if (reads.vars.has('steps')) out.steps = vars.steps ? celOf(vars.steps) : EMPTY;
  // Small: converted each time (no reliance on them staying unchanged).
  if (reads.vars.has('flow')) out.flow = vars.flow ? toCel(vars.flow) : EMPTY;
  if (reads.vars.has('execution')) out.execution = vars.execution ? toCel(vars.execution) : EMPTY;
  // Where an expression sits (context-vars.ts): data like `steps`; `item` and `index` only in a loop's body.
  if (reads.vars.has('vars')) out.vars = vars.vars ? celOf(vars.vars) : EMPTY;
  if (reads.vars.has('item') && 'item' in vars) out.item = celOf(vars.item);
  if (reads.vars.has('index') && vars.index !== undefined) out.index = toCel(vars.index);
  // What a `flow.call` passed: data, converted like `event`.
  if (reads.vars.has('input')) out.input = vars.input ? celOf(vars.input) : EMPTY;
  // Approval links (small; made per step): converted each time.
  if (reads.vars.has('approval')) out.approval = vars.approval ? toCel(vars.approval) : EMPTY;
  return out;
}
