import type { Issue } from '../../../shared/errors.js';
import { describeKind, EXPECTED_IMPORT } from '../../../shared/flow/import-body.js';
import { isRecord } from '../../../shared/guards.js';
import { parseJsonText, type JsonProblem } from './json-text.js';

/**
 * Turning what the operator gave (files, pasted text) into one body for POST /api/flows/import,
 * and mapping the server's issue paths back to those inputs.
 *
 * One input is sent exactly as written, so the server's paths (`nodes[2]…` for a flow,
 * `flows[1].nodes[2]…` for a bundle) are paths into that input. Several inputs become one bundle
 * (the server imports one body all or nothing); its `flows[i]` then means nothing to the
 * operator, so `locateIssue` turns it back into the file and the path inside that file.
 */

/** One thing to import: a picked or dropped file, or the pasted text. */
export interface ImportSource {
  /** File name, or a label such as "Pasted JSON". */
  name: string;
  text: string;
}

/** One flow document found in a source (not validated yet: that is the server's job). */
export interface PlannedFlow {
  /** The document's `id` and `name` when they are strings. */
  id?: string;
  name?: string;
  /** Name of the source it came from. */
  source: string;
  /** Its index in the source's own `flows` list; null when the source is a single flow. */
  indexInSource: number | null;
}

export type SourceReading =
  | { name: string; ok: true; kind: 'flow' | 'bundle'; value: unknown; flows: PlannedFlow[] }
  | { name: string; ok: false; problem: string; json?: JsonProblem };

/** The API refuses bodies over 4 MiB (docs/api.md); better to say so before sending. */
export const IMPORT_BODY_LIMIT_BYTES = 4 * 1024 * 1024;

function plannedFlow(doc: unknown, source: string, indexInSource: number | null): PlannedFlow {
  const planned: PlannedFlow = { source, indexInSource };
  if (isRecord(doc)) {
    if (typeof doc.id === 'string') planned.id = doc.id;
    if (typeof doc.name === 'string') planned.name = doc.name;
  }
  return planned;
}

/**
 * Parses one source and checks only what decides how it is sent: a flow document (an object)
 * or a bundle `{ "flows": [ … ] }` with at least one flow. Everything else is the server's.
 */
export function readSource(source: ImportSource): SourceReading {
  const parsed = parseJsonText(source.text);
  if (!parsed.ok) return { name: source.name, ok: false, problem: 'not valid JSON', json: parsed.problem };
  const value = parsed.value;
  if (!isRecord(value)) {
    const hint = Array.isArray(value) ? ' To import a list of flows, write it as { "flows": [ … ] }.' : '';
    return {
      name: source.name,
      ok: false,
      problem: `${EXPECTED_IMPORT}, found ${describeKind(value)}.${hint}`,
    };
  }
  if ('flows' in value) {
    const flows = value.flows;
    if (!Array.isArray(flows)) return { name: source.name, ok: false, problem: `"flows" must be a list of flow documents, found ${describeKind(flows)}` };
    // The server would accept an empty bundle and import nothing; an operator means something else.
    if (flows.length === 0) return { name: source.name, ok: false, problem: 'the bundle has no flows ("flows" is empty)' };
    return { name: source.name, ok: true, kind: 'bundle', value, flows: flows.map((f, i) => plannedFlow(f, source.name, i)) };
  }
  return { name: source.name, ok: true, kind: 'flow', value, flows: [plannedFlow(value, source.name, null)] };
}

export interface ImportPlan {
  body: unknown;
  flows: PlannedFlow[];
  sourceCount: number;
  /** Size of the body as JSON, UTF-8. */
  bytes: number;
}

/** One body for all readable sources; null when there is nothing to send. */
export function planImport(readings: readonly SourceReading[]): ImportPlan | null {
  const ok = readings.filter((r): r is Extract<SourceReading, { ok: true }> => r.ok);
  if (ok.length === 0) return null;
  let body: unknown;
  if (ok.length === 1) {
    body = ok[0]!.value;
  } else {
    const flows: unknown[] = [];
    for (const r of ok) {
      if (r.kind === 'bundle') flows.push(...((r.value as { flows: unknown[] }).flows));
      else flows.push(r.value);
    }
    body = { flows };
  }
  const bytes = new TextEncoder().encode(JSON.stringify(body)).length;
  return { body, flows: ok.flatMap((r) => r.flows), sourceCount: ok.length, bytes };
}

export interface LocatedIssue {
  /** The source the issue is in; only set when several sources were sent together. */
  source?: string;
  /** The flow's id and name as written, when known. */
  flowId?: string;
  flowName?: string;
  /** Path inside that source (equal to the server's path when one source was sent). */
  path: (string | number)[];
  message: string;
}

/** Where a server issue is, in the operator's own files. */
export function locateIssue(issue: Issue, plan: ImportPlan): LocatedIssue {
  const [head, index, ...rest] = issue.path;
  const entry = head === 'flows' && typeof index === 'number' ? plan.flows[index] : undefined;
  if (plan.sourceCount === 1) {
    const only = entry ?? (plan.flows.length === 1 && plan.flows[0]!.indexInSource === null ? plan.flows[0] : undefined);
    return { path: issue.path, message: issue.message, ...flowOf(only) };
  }
  if (!entry) return { path: issue.path, message: issue.message };
  const path = entry.indexInSource === null ? rest : ['flows', entry.indexInSource, ...rest];
  return { source: entry.source, path, message: issue.message, ...flowOf(entry) };
}

function flowOf(entry: PlannedFlow | undefined): Pick<LocatedIssue, 'flowId' | 'flowName'> {
  return { ...(entry?.id ? { flowId: entry.id } : {}), ...(entry?.name ? { flowName: entry.name } : {}) };
}
