import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError, issuesFromZod, type Issue } from '../../../shared/errors.js';
import { DEFAULT_TEAM_ID } from '../../../shared/people.js';
import type { Flow } from '../../../shared/flow/schema.js';
import { validateFlow } from '../../../shared/flow/validate.js';
import { lookupNodeSpec } from '../../../nodes/catalog.js';
import type { Store } from '../../store/store.js';
import type { StoreTx } from '../../store/tx.js';
import type { Actor } from '../../../shared/audit.js';
import { StoredFlowError, type FlowRow, type FlowSummaryRow } from '../../store/flows-repo.js';
import type { Clock } from '../clock.js';
import type { FlowRevisionSummary, FlowRevisionView, FlowSummary, RevisionAuthor, StoredFlow } from '../../../shared/api-views.js';
import { isRecord } from '../../../shared/guards.js';
import { describeKind, EXPECTED_IMPORT } from '../../../shared/flow/import-body.js';
import { callersOf, callIssues, callsOf, onHeldIssues } from './call-graph.js';
import type { ProvisioningPlan } from './provision.js';

export type { FlowSummary, StoredFlow };

const MAX_IMPORT_FLOWS = 500;

const BundleSchema = z.strictObject({
  flows: z
    .array(z.unknown(), { error: (i) => `must be a list of flow documents, found ${describeKind(i.input)}` })
    .min(1, 'must not be empty: give at least one flow document')
    .max(MAX_IMPORT_FLOWS, `at most ${MAX_IMPORT_FLOWS} flows per import`),
});

/**
 * Splits an import body into the flow documents to validate. An object with a `flows` field is
 * a bundle; any other object is one flow (validated as such). Everything else, an empty object
 * and a bundle that is not a non-empty list are refused here with one issue naming the problem.
 */
export function importInputs(body: unknown): { isBundle: boolean; inputs: unknown[] } {
  const invalid = (path: (string | number)[], message: string) => new ValidationError('import body is invalid', [{ path, message }]);
  if (!isRecord(body)) {
    const hint = Array.isArray(body) ? '; to import several flows, write { "flows": [ … ] }' : '';
    throw invalid([], `${EXPECTED_IMPORT}, found ${describeKind(body)}${hint}`);
  }
  if (!('flows' in body)) {
    if (Object.keys(body).length === 0) throw invalid([], `is empty: ${EXPECTED_IMPORT}`);
    return { isBundle: false, inputs: [body] };
  }
  const parsed = BundleSchema.safeParse(body);
  if (!parsed.success) {
    const issues = parsed.error.issues.flatMap((i) =>
      i.code === 'unrecognized_keys' ? i.keys.map((key) => ({ path: [...i.path, key], message: `unknown field "${key}" next to "flows"` })) : [i],
    );
    throw new ValidationError('import body is invalid', issuesFromZod(issues));
  }
  return { isBundle: true, inputs: parsed.data.flows };
}

/** Validates or throws ValidationError with every issue, paths prefixed by `base`. */
export function parseFlowOrThrow(input: unknown, base: (string | number)[] = []): Flow {
  const result = validateFlow(input, lookupNodeSpec);
  if (!result.ok) {
    const issues = result.issues.map((i) => ({ ...i, path: [...base, ...i.path] }));
    throw new ValidationError(`flow is invalid (${issues.length} problem${issues.length === 1 ? '' : 's'})`, issues);
  }
  return result.flow;
}

/** Every stored flow's current revision, by id; one whose document does not read back is left out (it calls nothing that runs). */
async function storedFlows(tx: StoreTx): Promise<Map<string, Flow>> {
  const all = new Map<string, Flow>();
  for (const { id } of await tx.flows.list()) {
    try {
      const row = await tx.flows.get(id);
      if (row) all.set(id, row.flow);
    } catch (error) {
      if (!(error instanceof StoredFlowError)) throw error;
    }
  }
  return all;
}

/**
 * Refuses flows whose calls (`flow.call`) name a missing flow or one without a manual source,
 * loop, or nest too deep, over the stored flows as they will be once `saving` is written
 * (call-graph.ts). Inside the write, so the check and the save see the same flows.
 */
/**
 * Checks the calls of flows being saved (targets exist, no loops, not too deep) and that each
 * calls only flows of its own team: `teamOf` gives the team each saved flow will be in, from the
 * team it is in now (undefined for a new flow).
 */
async function checkCalls(tx: StoreTx, saving: readonly Flow[], teamOf: (flowId: string, teamNow: string | undefined) => string, isBundle = false): Promise<void> {
  const all = await storedFlows(tx);
  for (const flow of saving) all.set(flow.id, flow);
  const teamsNow = new Map((await tx.flows.list()).map((f) => [f.id, f.teamId]));
  const savingTeams = new Map(saving.map((f) => [f.id, teamOf(f.id, teamsNow.get(f.id))]));
  const teamOfTarget = (id: string) => savingTeams.get(id) ?? teamsNow.get(id);
  const issues = saving.flatMap((flow, i) => {
    const prefix = isBundle ? ['flows', i] : [];
    const team = savingTeams.get(flow.id)!;
    const found = [...callIssues(flow, all), ...onHeldIssues(flow, all, teamOfTarget, team)].map((issue) => ({ ...issue, path: [...prefix, ...issue.path] }));
    for (const call of callsOf(flow)) {
      const targetTeam = teamOfTarget(call.target);
      if (targetTeam !== undefined && targetTeam !== team) {
        found.push({
          path: [...prefix, 'nodes', call.index, 'config', 'flow'],
          message: `flow "${call.target}" belongs to team "${targetTeam}": a flow can only call flows of its own team`,
        });
      }
    }
    return found;
  });
  if (issues.length > 0) throw new ValidationError(`flow is invalid (${issues.length} problem${issues.length === 1 ? '' : 's'})`, issues);
}

function toStored(row: FlowRow, file?: string): StoredFlow {
  return {
    flow: row.flow,
    team: row.teamId,
    revision: row.revision,
    createdAt: new Date(row.createdAt).toISOString(),
    updatedAt: new Date(row.updatedAt).toISOString(),
    ...(file === undefined ? {} : { provisioned: { file } }),
  };
}

/** The settings key holding which flows a flows directory provisioned (JSON `{ flowId: file }`). */
const PROVISIONED_KEY = 'flows-dir.provisioned';

/**
 * The setting every flow write sets to a new random token, in its transaction: a process sharing
 * the database (PostgreSQL) sees it change and rebuilds its routes (FlowService.refreshIfChanged).
 * A token, not a counter: two writes committed at once must still leave a value no reader saw.
 */
const FLOWS_VERSION_KEY = 'flows.version';

/** The revision author of a provisioned flow's revisions: `provisioned:<file>`. */
const PROVISIONED_AUTHOR_PREFIX = 'provisioned:';

/**
 * Who a revision's `author` (or any recorded identity, e.g. who released a held run) is, as a
 * person reads it (the user may have been renamed or removed since).
 */
export async function authorOf(tx: StoreTx, identity: string | null): Promise<RevisionAuthor> {
  if (identity === null) return { identity, name: 'unknown' };
  if (identity === 'admin') return { identity, name: 'admin' };
  if (identity.startsWith(PROVISIONED_AUTHOR_PREFIX)) return { identity, name: `${identity.slice(PROVISIONED_AUTHOR_PREFIX.length)} (flows directory)` };
  const user = identity.startsWith('user:') ? await tx.people.user(identity.slice('user:'.length)) : undefined;
  return user ? { identity, name: user.displayName || user.username, username: user.username } : { identity, name: 'unknown' };
}

/** A stored revision's name and enabled state, read without validating the whole document (the list shows only these). */
function nameAndEnabled(document: string): { name: string; enabled: boolean } {
  try {
    const json: unknown = JSON.parse(document);
    if (isRecord(json)) return { name: typeof json.name === 'string' ? json.name : '', enabled: json.enabled === true };
  } catch {
    // A damaged document is reported when it is opened (getRevision); the list still shows the revision.
  }
  return { name: '', enabled: false };
}

/**
 * A new revision over the one just read in the same transaction. On SQLite nothing can come
 * between; on PostgreSQL another process may have saved meanwhile: a conflict, like a stale edit.
 */
async function updateOrConflict(tx: StoreTx, flow: Flow, revision: number, now: number, author: string | null): Promise<FlowRow> {
  const row = await tx.flows.update(flow, revision, now, author);
  if (!row) throw new ConflictError(`flow "${flow.id}" was changed by someone else meanwhile; nothing was saved, try again`);
  return row;
}

/** What the audit log keeps of a flow before and after a change (the document is in its revisions). */
const flowSummary = (r: FlowSummaryRow) => ({ revision: r.revision, name: r.name, enabled: r.enabled });

/**
 * Creating, changing and removing flows. Every write validates the whole document first (an
 * invalid flow is never stored), records an audit entry in the same transaction, and then
 * calls `onChange` so the hook routes follow.
 */
export class FlowService {
  /**
   * The flows provisioned from a flows directory (`salve serve --flows`), by id: their file. Empty
   * unless provisioning runs (it loads the set it persisted, then each scan replaces it); these
   * flows are read-only through the API.
   */
  private provisioned = new Map<string, string>();
  /** The flows version (FLOWS_VERSION_KEY) this process's routes were built from, as far as it knows. */
  private seenVersion: string | undefined;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    /** Called after every change, once committed (the engine rebuilds its hook routes and schedules). */
    private readonly onChange: () => Promise<void>,
  ) {}

  /** A flow write: `fn` in one transaction that also sets a new flows version. */
  private async write<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    let version = '';
    const result = await this.store.write(async (tx) => {
      const out = await fn(tx);
      version = randomUUID();
      await tx.settings.set(FLOWS_VERSION_KEY, version, this.clock.now());
      return out;
    });
    this.seenVersion = version;
    return result;
  }

  /**
   * Calls onChange (the engine rebuilds its hook routes and schedules) when the flows changed
   * since this process last looked: another process saved, imported or deleted one. One read of
   * one setting, so it can run at every tick. The first call refreshes once.
   */
  async refreshIfChanged(): Promise<boolean> {
    const version = await this.store.read((tx) => tx.settings.get(FLOWS_VERSION_KEY));
    if (version === this.seenVersion) return false;
    this.seenVersion = version;
    await this.onChange();
    return true;
  }

  /** The file a provisioned flow comes from, or undefined for a flow people edit here. */
  provisionedFile(id: string): string | undefined {
    return this.provisioned.get(id);
  }

  /** The provisioned flows by id: their file (empty when no flows directory is provisioned). */
  provisionedFlows(): Map<string, string> {
    return new Map(this.provisioned);
  }

  /** Refuses changing a provisioned flow through the API (ConflictError naming its file). */
  private refuseProvisioned(id: string, what: string): void {
    const file = this.provisioned.get(id);
    if (file !== undefined) {
      throw new ConflictError(`flow "${id}" is provisioned from ${file} (read-only here; ${what}): change the file and commit it`, { provisioned: { file } });
    }
  }

  /**
   * Starts provisioning: loads which flows the last run provisioned (kept in the settings table,
   * so flows whose file went away while Salve was stopped are still found and disabled) and
   * returns them, for the first plan to compare with.
   */
  async loadProvisioned(): Promise<Map<string, string>> {
    const text = await this.store.read((tx) => tx.settings.get(PROVISIONED_KEY));
    const map = new Map<string, string>();
    if (text) {
      try {
        for (const [id, file] of Object.entries(JSON.parse(text) as Record<string, unknown>)) if (typeof file === 'string') map.set(id, file);
      } catch {
        // A damaged marker: the directory is the source of truth; the next scan writes it anew.
      }
    }
    this.provisioned = map;
    return new Map(map);
  }

  /** Every stored flow's current document and team (for planning a flows directory). */
  currentFlows(): Promise<Map<string, { flow: Flow; team: string }>> {
    return this.store.read(async (tx) => {
      const out = new Map<string, { flow: Flow; team: string }>();
      for (const { id, teamId } of await tx.flows.list()) {
        try {
          const row = await tx.flows.get(id);
          if (row) out.set(id, { flow: row.flow, team: teamId });
        } catch (error) {
          if (!(error instanceof StoredFlowError)) throw error;
        }
      }
      return out;
    });
  }

  /**
   * Applies a flows directory's plan (provision.ts) in one transaction: new flows are created in
   * their file's team, changed ones get a new revision, flows no longer in the directory are
   * disabled; each revision's author is `provisioned:<file>`, each change audited by `actor`.
   * The calls of the flows saved are checked again inside the write (a person may have changed
   * a called flow since the plan was made); a refusal there leaves everything as it was.
   */
  async applyProvisioning(plan: ProvisioningPlan, actor: Actor): Promise<void> {
    const writes = plan.changes.filter((c) => c.flow !== undefined);
    const now = this.clock.now();
    await this.write(async (tx) => {
      const saving = writes.filter((c) => c.kind !== 'disabled').map((c) => c.flow!);
      const teams = new Map(writes.map((c) => [c.flowId, c.team]));
      if (saving.length) await checkCalls(tx, saving, (id, teamNow) => teams.get(id) ?? teamNow ?? DEFAULT_TEAM_ID);
      for (const change of writes) {
        const flow = change.flow!;
        const author = `${PROVISIONED_AUTHOR_PREFIX}${change.file}`;
        const who = { ...actor, identity: author };
        const before = await tx.flows.summary(flow.id);
        const row = before === undefined ? await tx.flows.insert(flow, now, { teamId: change.team, author }) : await updateOrConflict(tx, flow, before.revision, now, author);
        const action = change.kind === 'disabled' ? 'flow.unprovision' : 'flow.provision';
        await tx.audit.append({ actor: who, action, target: flow.id, details: { file: change.file }, before: before && flowSummary(before), after: flowSummary(row), now });
      }
      await tx.settings.set(PROVISIONED_KEY, JSON.stringify(Object.fromEntries(plan.provisioned)), now);
    });
    this.provisioned = new Map(plan.provisioned);
    if (writes.length) await this.onChange();
  }

  /** The flows of `teams` (every flow for `all`), ordered by id. */
  async list(teams: 'all' | readonly string[] = 'all'): Promise<FlowSummary[]> {
    const { tripped, rows } = await this.store.read(async (tx) => ({ tripped: await tx.breakers.tripped(), rows: await tx.flows.list() }));
    return rows
      .filter((r) => teams === 'all' || teams.includes(r.teamId))
      .map((r) => {
        const trippedAt = tripped.get(r.id);
        return {
          id: r.id,
          name: r.name,
          enabled: r.enabled,
          revision: r.revision,
          updatedAt: new Date(r.updatedAt).toISOString(),
          team: r.teamId,
          ...(trippedAt === undefined ? {} : { breaker: { trippedAt } }),
          ...(this.provisioned.has(r.id) ? { provisioned: { file: this.provisioned.get(r.id)! } } : {}),
        };
      });
  }

  async get(id: string): Promise<StoredFlow> {
    const row = await this.store.read((tx) => tx.flows.get(id));
    if (!row) throw new NotFoundError(`flow "${id}" not found`);
    return toStored(row, this.provisioned.get(id));
  }

  /** The flow document of a past or current revision (for showing what an execution ran). */
  getRevision(id: string, revision: number): Promise<Flow | undefined> {
    return this.store.read((tx) => tx.flows.getRevision(id, revision));
  }

  /** The revisions of a flow, newest first, with who saved each (GET /api/flows/:id/revisions). */
  revisions(id: string): Promise<FlowRevisionSummary[]> {
    return this.store.read(async (tx) => {
      const flow = await tx.flows.summary(id);
      if (!flow) throw new NotFoundError(`flow "${id}" not found`);
      const authors = new Map<string | null, RevisionAuthor>();
      const out: FlowRevisionSummary[] = [];
      for (const row of await tx.flows.listRevisions(id, flow.createdAt)) {
        if (!authors.has(row.author)) authors.set(row.author, await authorOf(tx, row.author));
        out.push({ revision: row.revision, createdAt: new Date(row.createdAt).toISOString(), author: authors.get(row.author)!, ...nameAndEnabled(row.document) });
      }
      return out;
    });
  }

  /** One revision of a flow with its document (GET /api/flows/:id/revisions/:revision). */
  async revision(id: string, revision: number): Promise<FlowRevisionView> {
    const summary = (await this.revisions(id)).find((r) => r.revision === revision);
    const flow = summary && (await this.getRevision(id, revision));
    if (!summary || !flow) throw new NotFoundError(`flow "${id}" has no revision ${revision}`);
    return { ...summary, flow };
  }

  /**
   * Saves the document of an earlier `revision` as a new revision over `expectedRevision`
   * (checked like any update: a document that no longer validates is refused, a stale
   * revision is a conflict). The flow stays enabled or disabled as it is now: turning a flow
   * on or off is a decision of its own (runs:operate), not a side effect of restoring its steps.
   */
  async rollback(id: string, revision: number, expectedRevision: number, actor: Actor): Promise<StoredFlow> {
    this.refuseProvisioned(id, 'roll back by reverting the file');
    const target = await this.revision(id, revision);
    const current = await this.get(id);
    if (revision === current.revision && expectedRevision === current.revision) {
      throw new ValidationError('nothing to roll back', [{ path: ['revision'], message: `revision ${revision} is the current revision; choose an earlier one` }]);
    }
    return this.update(id, { ...target.flow, enabled: current.flow.enabled }, expectedRevision, actor, 'flow.rollback', {
      from: expectedRevision,
      to: revision,
    });
  }

  enabledRows(): Promise<FlowRow[]> {
    return this.store.read((tx) => tx.flows.listEnabled());
  }

  /** The disabled flows (readable ones), for naming them when a delivery finds no enabled flow. */
  disabledRows(): Promise<FlowRow[]> {
    return this.store.read((tx) => tx.flows.listDisabled());
  }

  /** Stores a new flow in `teamId` (authorization chose and checked the team). */
  async create(input: unknown, actor: Actor, teamId: string = DEFAULT_TEAM_ID): Promise<StoredFlow> {
    const flow = parseFlowOrThrow(input);
    const now = this.clock.now();
    const row = await this.write(async (tx) => {
      if ((await tx.flows.currentRevision(flow.id)) !== undefined) {
        throw new ConflictError(`flow "${flow.id}" already exists; update it with PUT /api/flows/${flow.id}`);
      }
      await checkCalls(tx, [flow], () => teamId);
      const inserted = await tx.flows.insert(flow, now, { teamId, author: actor.identity ?? null });
      await tx.audit.append({ actor, action: 'flow.create', target: flow.id, after: flowSummary(inserted), now });
      return inserted;
    });
    await this.onChange();
    return toStored(row);
  }

  /** Turns a flow on or off (a new revision; audited as flow.enable / flow.disable). */
  async setEnabled(id: string, enabled: boolean, actor: Actor): Promise<StoredFlow> {
    this.refuseProvisioned(id, `"enabled" comes from the file too; to stop all automation at once use the kill switch`);
    const current = await this.get(id);
    return this.update(id, { ...current.flow, enabled }, current.revision, actor, enabled ? 'flow.enable' : 'flow.disable');
  }

  /** Saves a new revision over `expectedRevision`; a stale revision is a ConflictError. */
  async update(id: string, input: unknown, expectedRevision: number, actor: Actor, action = 'flow.update', details?: Record<string, unknown>): Promise<StoredFlow> {
    this.refuseProvisioned(id, 'it cannot be saved here');
    const flow = parseFlowOrThrow(input);
    if (flow.id !== id) {
      throw new ValidationError('flow id cannot change', [
        { path: ['id'], message: `must be "${id}" (the flow being updated); import it as a new flow to copy it` },
      ]);
    }
    const now = this.clock.now();
    const row = await this.write(async (tx) => {
      const before = await tx.flows.summary(id);
      const current = before?.revision;
      if (current === undefined) throw new NotFoundError(`flow "${id}" not found`);
      await checkCalls(tx, [flow], () => before?.teamId ?? DEFAULT_TEAM_ID);
      const updated = await tx.flows.update(flow, expectedRevision, now, actor.identity ?? null);
      if (!updated) {
        throw new ConflictError(
          `flow "${id}" was changed by someone else: you edited revision ${expectedRevision}, the current revision is ${current}`,
          { currentRevision: current },
        );
      }
      await tx.audit.append({ actor, action, target: id, details, before: before && flowSummary(before), after: flowSummary(updated), now });
      return updated;
    });
    await this.onChange();
    return toStored(row);
  }

  async delete(id: string, actor: Actor): Promise<void> {
    this.refuseProvisioned(id, 'remove the file to disable it');
    const now = this.clock.now();
    await this.write(async (tx) => {
      const callers = callersOf(id, (await storedFlows(tx)).values());
      if (callers.length > 0) {
        throw new ConflictError(
          `flow "${id}" is called by ${callers.map((c) => `"${c}"`).join(', ')}: remove those calls first (a call to a missing flow fails at run time)`,
          { callers },
        );
      }
      const before = await tx.flows.summary(id);
      if (!(await tx.flows.delete(id))) throw new NotFoundError(`flow "${id}" not found`);
      await tx.breakers.delete(id);
      await tx.audit.append({ actor, action: 'flow.delete', target: id, before: before && flowSummary(before), now });
    });
    await this.onChange();
  }

  /**
   * Imports one flow or `{ "flows": [...] }`, all or nothing. Imported flows arrive disabled
   * (an import is data, not a decision to run it); an existing id gets a new revision, the id
   * of a deleted flow continues after its last revision (see flowsRepo.insert).
   */
  async import(
    body: unknown,
    actor: Actor,
    opts: { teamId: string; mayChange: (teamId: string) => boolean } = { teamId: DEFAULT_TEAM_ID, mayChange: () => true },
  ): Promise<StoredFlow[]> {
    const { isBundle, inputs } = importInputs(body);
    const issues: Issue[] = [];
    const flows: Flow[] = [];
    inputs.forEach((input, i) => {
      try {
        flows.push({ ...parseFlowOrThrow(input, isBundle ? ['flows', i] : []), enabled: false });
      } catch (error) {
        if (error instanceof ValidationError) issues.push(...error.issues);
        else throw error;
      }
    });
    const ids = new Set<string>();
    flows.forEach((f, i) => {
      if (ids.has(f.id)) issues.push({ path: ['flows', i, 'id'], message: `duplicate flow id "${f.id}" in the bundle` });
      ids.add(f.id);
    });
    if (issues.length) throw new ValidationError(`import rejected: ${issues.length} problem(s); nothing was imported`, issues);
    for (const flow of flows) this.refuseProvisioned(flow.id, 'an import cannot replace it; nothing was imported');
    const now = this.clock.now();
    const rows = await this.write(async (tx) => {
      await checkCalls(tx, flows, (_id, teamNow) => teamNow ?? opts.teamId, isBundle);
      // An import that would replace another team's flow is refused whole: nothing is imported.
      const foreign: { i: number; id: string; team: string }[] = [];
      for (const [i, flow] of flows.entries()) {
        const team = (await tx.flows.summary(flow.id))?.teamId;
        if (team !== undefined && !opts.mayChange(team)) foreign.push({ i, id: flow.id, team });
      }
      if (foreign.length) {
        throw new ForbiddenError(
          `import refused: ${foreign.map((f) => `flow "${f.id}" belongs to team "${f.team}"`).join(', ')}, where you may not change flows; nothing was imported`,
        );
      }
      const saved: FlowRow[] = [];
      for (const flow of flows) {
        const before = await tx.flows.summary(flow.id);
        const author = actor.identity ?? null;
        const row = before === undefined ? await tx.flows.insert(flow, now, { teamId: opts.teamId, author }) : await updateOrConflict(tx, flow, before.revision, now, author);
        await tx.audit.append({ actor, action: 'flow.import', target: flow.id, before: before && flowSummary(before), after: flowSummary(row), now });
        saved.push(row);
      }
      return saved;
    });
    await this.onChange();
    return rows.map((r) => toStored(r));
  }
}
