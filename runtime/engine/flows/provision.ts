import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ValidationError, type Issue } from '../../../shared/errors.js';
import type { Flow } from '../../../shared/flow/schema.js';
import { diffRevisions } from '../../../shared/flow/revision-diff.js';
import { DEFAULT_TEAM_ID } from '../../../shared/people.js';
import type { ProvisionedFile, ProvisioningChange } from '../../../shared/api-views.js';
import { importInputs, parseFlowOrThrow } from './flow-service.js';
import { callIssues, callsOf } from './call-graph.js';

/**
 * Flows as code (`salve serve --flows <dir>`, `salve diff <dir>`): reading a directory of flow
 * files and planning what applying it changes. Pure apart from `readFlowsDir`: the server applies
 * a plan through the flow service (FlowService.applyProvisioning), `salve diff` prints one.
 *
 * Layout: `<dir>/*.json` belong to the `default` team, `<dir>/<team-id>/*.json` to that team.
 * Each file is one flow document or a bundle `{ "flows": [ … ] }` (what `salve export` writes).
 * Files and directories whose names start with "." are skipped (`.git`, editors' swap files,
 * Kubernetes' `..data`), so are files not ending in `.json` and deeper directories.
 */

/** One file of the directory as read: its flows when every one of them validated, else its problems. */
export interface ReadFile {
  /** The path shown to people: the directory's name, then the path inside it (`flows/payments/disk.json`). */
  file: string;
  team: string;
  flows?: Flow[];
  errors?: Issue[];
}

/** The files of `dir` holding flows, in name order: `[shown name, absolute path, team, path inside dir]`. */
export function listFlowFiles(dir: string): [string, string, string, string][] {
  const shown = basename(dir);
  const found: [string, string, string, string][] = [];
  const visit = (folder: string, team: string, prefix: string) => {
    for (const name of readdirSync(folder).sort()) {
      if (name.startsWith('.')) continue;
      const path = join(folder, name);
      let stat: ReturnType<typeof statSync>;
      try {
        stat = statSync(path);
      } catch {
        continue; // removed while listing, or a dangling link: gone for this scan
      }
      if (stat.isDirectory()) {
        if (prefix === '') visit(path, name, `${name}/`);
      } else if (stat.isFile() && name.endsWith('.json')) {
        found.push([`${shown}/${prefix}${name}`, path, team, `${prefix}${name}`]);
      }
    }
  };
  visit(dir, DEFAULT_TEAM_ID, '');
  return found;
}

/** Reads and validates one file's text (all or nothing: one invalid flow makes the file invalid). */
export function parseFlowFile(file: string, team: string, text: string): ReadFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { file, team, errors: [{ path: [], message: `not valid JSON (${(error as Error).message}); a file still being written is read again once complete` }] };
  }
  try {
    const { isBundle, inputs } = importInputs(json);
    const errors: Issue[] = [];
    const flows: Flow[] = [];
    inputs.forEach((input, i) => {
      try {
        flows.push(parseFlowOrThrow(input, isBundle ? ['flows', i] : []));
      } catch (error) {
        if (error instanceof ValidationError) errors.push(...error.issues);
        else throw error;
      }
    });
    const seen = new Set<string>();
    flows.forEach((f, i) => {
      if (seen.has(f.id)) errors.push({ path: ['flows', i, 'id'], message: `flow id "${f.id}" appears twice in this file` });
      seen.add(f.id);
    });
    return errors.length ? { file, team, errors } : { file, team, flows };
  } catch (error) {
    if (error instanceof ValidationError) return { file, team, errors: error.issues };
    throw error;
  }
}

/** Reads every flow file of `dir` (throws only when the directory itself cannot be read). */
export function readFlowsDir(dir: string): ReadFile[] {
  return listFlowFiles(dir).map(([file, path, team]) => {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      return { file, team, errors: [{ path: [], message: `cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` }] };
    }
    return parseFlowFile(file, team, text);
  });
}

/** What Salve holds now, as the plan compares with it. */
export interface CurrentFlows {
  /** Every stored flow's current document (unreadable ones left out) and team. */
  flows: ReadonlyMap<string, { flow: Flow; team: string }>;
  /** The flows provisioned now, by id: the file each came from. */
  provisioned: ReadonlyMap<string, string>;
  teamExists: (id: string) => boolean;
}

/** One flow's change in a plan; `flow` is the document to store (absent for `unchanged`). */
interface PlannedFlow extends ProvisioningChange {
  flow?: Flow;
}

export interface ProvisioningPlan {
  files: ProvisionedFile[];
  changes: PlannedFlow[];
  /** Which flows are provisioned once the plan is applied, by id: their file. */
  provisioned: Map<string, string>;
}

/** Whether two JSON values are equal, object key order aside. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => sameJson(v, b[i]));
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null && !Array.isArray(a) && !Array.isArray(b)) {
    const ra = a as Record<string, unknown>;
    const rb = b as Record<string, unknown>;
    const keys = new Set([...Object.keys(ra), ...Object.keys(rb)]);
    return [...keys].every((k) => sameJson(ra[k], rb[k]));
  }
  return false;
}

/** A one-line account of what changed between two documents, e.g. `nodes: 1 added (notify), 1 changed (restart); edges: 1 added`. */
function summarizeChange(before: Flow, after: Flow): string {
  const d = diffRevisions(before, after);
  const parts: string[] = [];
  if (d.flow.length) parts.push(`flow: ${d.flow.map((c) => c.path).join(', ')}`);
  const nodes = (kind: string) => d.nodes.filter((n) => n.kind === kind).map((n) => n.id);
  const nodeParts = (['added', 'removed', 'changed', 'moved'] as const)
    .map((kind) => [kind, nodes(kind)] as const)
    .filter(([, ids]) => ids.length > 0)
    .map(([kind, ids]) => `${ids.length} ${kind} (${ids.join(', ')})`);
  if (nodeParts.length) parts.push(`nodes: ${nodeParts.join(', ')}`);
  const edges = [d.edges.added.length ? `${d.edges.added.length} added` : '', d.edges.removed.length ? `${d.edges.removed.length} removed` : ''].filter(Boolean);
  if (edges.length) parts.push(`edges: ${edges.join(', ')}`);
  const notes = d.notes.added.length + d.notes.removed.length + d.notes.changed.length;
  if (notes) parts.push(`notes: ${notes} changed`);
  return parts.join('; ') || 'document fields reordered or defaults written out';
}

/**
 * What applying the directory's `files` to `current` changes. A file is applied whole or not at
 * all: it is invalid when it does not validate, names a team that does not exist or another team
 * than the flow already has, shares a flow id with another file (both are reported), or calls a
 * flow that would not exist (calls are checked over the flows as they will be). Flows of an
 * invalid file keep their last applied version and stay provisioned; flows provisioned before and
 * in no file now are disabled (never deleted) and no longer provisioned.
 */
export function planProvisioning(read: readonly ReadFile[], current: CurrentFlows): ProvisioningPlan {
  const errors = new Map<string, Issue[]>(read.map((f) => [f.file, [...(f.errors ?? [])]]));
  const fail = (file: string, issue: Issue) => errors.get(file)!.push(issue);

  // Team checks and duplicate ids across files.
  const owners = new Map<string, string[]>();
  for (const f of read) {
    if (!f.flows) continue;
    if (!current.teamExists(f.team)) {
      fail(f.file, { path: [], message: `team "${f.team}" (the file's directory) does not exist: create it (salve teams add ${f.team} --name …) or move the file` });
    }
    f.flows.forEach((flow, i) => {
      owners.set(flow.id, [...(owners.get(flow.id) ?? []), f.file]);
      const stored = current.flows.get(flow.id);
      if (stored && stored.team !== f.team) {
        fail(f.file, {
          path: f.flows!.length > 1 ? ['flows', i, 'id'] : ['id'],
          message: `flow "${flow.id}" belongs to team "${stored.team}": put the file in the ${stored.team === DEFAULT_TEAM_ID ? 'top directory' : `"${stored.team}/" directory`}`,
        });
      }
    });
  }
  for (const [id, files] of owners) {
    if (files.length < 2) continue;
    for (const file of files) {
      fail(file, { path: [], message: `flow id "${id}" is also in ${files.filter((f) => f !== file).join(', ')}: a flow must come from one file` });
    }
  }

  // Calls (flow.call) over the flows as they will be, until no further file drops out.
  for (;;) {
    const valid = read.filter((f) => f.flows && errors.get(f.file)!.length === 0);
    const all = new Map<string, Flow>([...current.flows].map(([id, s]) => [id, s.flow]));
    const teamOf = new Map<string, string>([...current.flows].map(([id, s]) => [id, s.team]));
    for (const f of valid) {
      for (const flow of f.flows!) {
        all.set(flow.id, flow);
        teamOf.set(flow.id, f.team);
      }
    }
    let dropped = false;
    for (const f of valid) {
      const bundle = f.flows!.length > 1;
      f.flows!.forEach((flow, i) => {
        const prefix = bundle ? ['flows', i] : [];
        const issues = callIssues(flow, all).map((issue) => ({ ...issue, path: [...prefix, ...issue.path] }));
        for (const call of callsOf(flow)) {
          const target = teamOf.get(call.target);
          if (target !== undefined && target !== f.team) {
            issues.push({ path: [...prefix, 'nodes', call.index, 'config', 'flow'], message: `flow "${call.target}" belongs to team "${target}": a flow can only call flows of its own team` });
          }
        }
        for (const issue of issues) fail(f.file, issue);
        if (issues.length) dropped = true;
      });
    }
    if (!dropped) break;
  }

  const files: ProvisionedFile[] = [];
  const changes: PlannedFlow[] = [];
  const provisioned = new Map<string, string>();
  const present = new Set(read.map((f) => f.file));
  for (const f of read) {
    const issues = errors.get(f.file)!;
    if (issues.length || !f.flows) {
      files.push({ file: f.file, team: f.team, status: 'invalid', flowIds: f.flows?.map((x) => x.id) ?? [], errors: issues });
      continue;
    }
    let changed = false;
    for (const flow of f.flows) {
      provisioned.set(flow.id, f.file);
      const stored = current.flows.get(flow.id);
      if (!stored) {
        changes.push({ flowId: flow.id, file: f.file, team: f.team, kind: 'added', flow });
        changed = true;
      } else if (!sameJson(stored.flow, flow)) {
        changes.push({ flowId: flow.id, file: f.file, team: f.team, kind: 'changed', summary: summarizeChange(stored.flow, flow), flow });
        changed = true;
      } else {
        changes.push({ flowId: flow.id, file: f.file, team: f.team, kind: 'unchanged' });
      }
    }
    files.push({ file: f.file, team: f.team, status: changed ? 'applied' : 'unchanged', flowIds: f.flows.map((x) => x.id) });
  }
  const invalidFiles = new Set(files.filter((f) => f.status === 'invalid').map((f) => f.file));
  for (const [id, file] of current.provisioned) {
    if (provisioned.has(id)) continue;
    const stored = current.flows.get(id);
    if (!stored) continue; // deleted meanwhile: nothing to keep or disable
    if (present.has(file) && invalidFiles.has(file)) {
      // Its file is there but unreadable now: the last applied version keeps running, still read-only.
      provisioned.set(id, file);
      continue;
    }
    changes.push({
      flowId: id,
      file,
      team: stored.team,
      kind: 'disabled',
      ...(stored.flow.enabled ? { flow: { ...stored.flow, enabled: false } } : { summary: 'already disabled; no longer provisioned' }),
    });
  }
  return { files, changes, provisioned };
}
