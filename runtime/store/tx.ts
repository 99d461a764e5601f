import type { Flow } from '../../shared/flow/schema.js';
import type { ApprovalStatus, ExecutionStatus, StepStatus, WaitReason } from './schema.js';
import { approvalLinksRepo, type ApprovalLinkRow } from './approval-links-repo.js';
import { approvalsRepo, type ApprovalDecisionRow, type ApprovalListFilter, type ApprovalRow } from './approvals-repo.js';
import { teamsRepo, type TeamLookup } from './teams-repo.js';
import { peopleRepo, type MembershipRow, type TeamRow, type UserChanges, type UserRow } from './people-repo.js';
import { settingsRepo } from './settings-repo.js';
import { sessionsRepo, type SessionRow } from './sessions-repo.js';
import { apiTokensRepo, type ApiTokenRow } from './api-tokens-repo.js';
import { authFailuresRepo, type AuthFailureRow } from './auth-failures-repo.js';
import { scheduleTicksRepo, type NewScheduleTick, type ScheduleTickRow } from './schedule-ticks-repo.js';
import { secretsRepo, type SecretRow } from './secrets-repo.js';
import { appendAudit, auditRepo, type AuditFilter, type AuditInput, type AuditRow } from './audit-repo.js';
import { afterRunRepo, type AfterRunTaskRow, type NewAfterRunTask } from './after-run-repo.js';
import { breakersRepo, type BreakerFailure, type BreakerRow } from './breakers-repo.js';
import type { Db } from './db.js';
import { eventsRepo, type EventFilter, type EventRow } from './events-repo.js';
import { executionsRepo, type ExecutionListFilter, type ExecutionRow, type NewExecution } from './executions-repo.js';
import { flowsRepo, type FlowRow, type FlowSummaryRow } from './flows-repo.js';
import { leasesRepo } from './leases-repo.js';
import { outcomesRepo, type OutcomeFilter, type OutcomeRows } from './outcomes-repo.js';
import { stepsRepo, type NewStep, type StepRow } from './steps-repo.js';

/** The columns a step transition may set (executions-repo / steps-repo `transition`). */
type StepChanges = Partial<Omit<StepRow, 'id' | 'executionId' | 'seq' | 'nodeId' | 'nodeType' | 'createdAt'>>;
/** How an approval was decided (approvals-repo `decide`). */
interface ApprovalDecision {
  status: Exclude<ApprovalStatus, 'pending'>;
  decidedAt: number;
  decidedBy: string;
  comment: string | null;
}
type ExecutionChanges = Partial<Pick<ExecutionRow, 'status' | 'error' | 'startedAt' | 'finishedAt' | 'deadlineAt' | 'waitStartedAt' | 'leaseOwner' | 'leaseUntil'>> & {
  updatedAt: number;
};

/** A queued run handed to this process to claim (Store.takeQueued). */
export interface QueuedRun {
  executionId: string;
  /** PostgreSQL: the pg-boss job that handed it out, completed in the transaction that claims the run. */
  jobId?: string;
}

/**
 * The database operations of the engine's transactions, the same on both engines, so that each
 * operation (a webhook delivery's commit, a run's admission…) is written once, async, and runs on
 * SQLite inside the group commit (`sqliteTx`, wrapping the synchronous repos) and on PostgreSQL
 * inside a pool transaction (`pgTx`, runtime/store/pg/tx.ts). Every method runs in the caller's
 * transaction. test/postgres/tx-contract.test.ts runs the same cases against both.
 *
 * It holds what the engine areas moved onto it so far need (ingest, run admission, and the
 * transitions of a run: steps, calls, loops, recovery, breakers); the others still call the
 * SQLite repos directly, and move here one area at a time.
 */
export interface StoreTx {
  readonly engine: 'sqlite' | 'postgres';
  readonly events: {
    /** Inserts the event and its filter refs (`eventRef.flow(…)`, `eventRef.source(…)`). */
    insert(row: EventRow, refs?: readonly string[]): Promise<void>;
    /** Whether a delivery with this source delivery id already got through on `path` (refused ones do not count). */
    seenDelivery(path: string, deliveryId: string): Promise<boolean>;
    /** The stored delivery body of an event (what templates read as `event`); undefined when it is gone. */
    body(id: string): Promise<string | undefined>;
    /** Deletes up to `batch` of the oldest events received before `cutoff`, with their refs; how many. */
    deleteReceivedBefore(cutoff: number, batch: number): Promise<number>;
    /**
     * What a replay reads (runtime/engine/flows/replay.ts): deliveries on `paths` received in
     * [since, until] that got through (accepted, duplicate, ignored), oldest first (then by id),
     * none when there are more than `limit`; with `visibleFlowIds`, only those delivered to a path
     * one of these flows listens on. `count` says how many there are in all.
     */
    forReplay(f: { paths: readonly string[]; since: number; until: number; limit: number; visibleFlowIds?: readonly string[] }): Promise<{ rows: EventRow[]; count: number }>;
    get(id: string): Promise<EventRow | undefined>;
    /** The event log, newest first (by id), filtered; a flow or source filter reads the event's refs. */
    list(filter: EventFilter): Promise<EventRow[]>;
  };
  readonly executions: {
    /**
     * Inserts unless the same flow already has this dedup key; true when inserted. A run inserted
     * `queued` is in the run queue once this transaction commits (SQLite: the table is the queue;
     * PostgreSQL: its pg-boss job is enqueued in this transaction).
     */
    insertIfNew(row: NewExecution): Promise<boolean>;
    /** The execution that already handled this dedup key in this flow, if any. */
    idByDedupKey(flowId: string, dedupKey: string): Promise<string | undefined>;
    /** The flow's newest runs an alert started for this fingerprint, newest first (flap protection). */
    latestAlertRuns(flowId: string, fingerprint: string, limit: number): Promise<ExecutionRow[]>;
    /** Sets `alertResolvedAt` on the flow's runs of this fingerprint that have none yet; their ids. */
    markAlertResolved(flowId: string, fingerprint: string, at: number): Promise<string[]>;
    /** How many runs of the flow that count against the limits were created at or after `since`. */
    countAdmittedSince(flowId: string, since: number): Promise<number>;
    /** The newest run of the flow that counts with this target key, created at or after `since`. */
    lastAdmittedForTarget(flowId: string, targetKey: string, since: number): Promise<{ id: string; createdAt: number } | undefined>;
    /** Active (queued, running, waiting) runs of the flow with this target key. */
    countActiveForTarget(flowId: string, targetKey: string): Promise<number>;
    /** The distinct target keys of the flow's runs that count, created at or after `since` (at most `limit`). */
    targetsSince(flowId: string, since: number, limit: number): Promise<string[]>;
    countByStatus(status: ExecutionStatus): Promise<number>;
    /** How many executions each flow has in each of `statuses` (the metrics' active runs); no row for a count of 0. */
    countsByFlowAndStatus(statuses: readonly ExecutionStatus[]): Promise<{ flowId: string; status: ExecutionStatus; n: number }[]>;
    get(id: string): Promise<ExecutionRow | undefined>;
    /**
     * Moves an execution from one of `from` to the changes' status; false if it was in none of
     * them. A run moved to `queued` is in the run queue once this transaction commits.
     */
    transition(id: string, from: readonly ExecutionStatus[], changes: ExecutionChanges): Promise<boolean>;
    /** The runs `flow.call` steps of execution `parentId` started, oldest first. */
    children(parentId: string): Promise<ExecutionRow[]>;
    /** The flow's runs that ended in one of `statuses` at or after `since`, oldest first. */
    endedSince(flowId: string, statuses: readonly ExecutionStatus[], since: number): Promise<{ id: string; status: ExecutionStatus; finishedAt: number }[]>;
    withStatus(status: ExecutionStatus): Promise<ExecutionRow[]>;
    /** Ids of the oldest queued executions (in order of creation) not in `exclude`, at most `limit`. */
    nextQueued(limit: number, exclude: ReadonlySet<string>): Promise<string[]>;
    /** Executions past their deadline that are not parked on an approval (queued, running, or waiting for anything else). */
    pastDeadline(now: number): Promise<ExecutionRow[]>;
    /**
     * Releases a held run to the queue (a person decided), with a fresh deadline; false when it is
     * not held. A released run is in the run queue once this transaction commits.
     */
    release(id: string, by: string, comment: string | null, now: number, deadlineAt: number): Promise<boolean>;
    /**
     * Deletes up to `batch` of the oldest runs that ended (or stayed held) before `cutoff` and
     * have no active called run, with their steps, approvals, decisions and used links; how many.
     */
    deleteFinishedBefore(cutoff: number, batch: number): Promise<number>;
    /** The run list, newest first (by id), filtered; `before` is the last id of the previous page. */
    list(filter: ExecutionListFilter): Promise<ExecutionRow[]>;
    /** The runs one delivery started, by id. */
    forEvent(eventId: string): Promise<ExecutionRow[]>;
  };
  readonly steps: {
    /** Wakes the steps of these runs waiting for `reason` (they continue at the next tick); how many. */
    wakeWaiting(executionIds: readonly string[], reason: WaitReason, now: number): Promise<number>;
    insert(row: NewStep): Promise<void>;
    /** The next sequence number inside an execution (1 for the first step). */
    nextSeq(executionId: string): Promise<number>;
    /** The execution's steps in order of creation. */
    forExecution(executionId: string): Promise<StepRow[]>;
    get(id: string): Promise<StepRow | undefined>;
    /** Updates a step only if it is still in one of `from`; false otherwise. */
    transition(id: string, from: readonly StepStatus[], changes: StepChanges): Promise<boolean>;
    /** Cancels the execution's steps not yet started or parked (pending, waiting). */
    cancelOpen(executionId: string, now: number): Promise<void>;
    withStatus(status: StepStatus): Promise<StepRow[]>;
    /** Waiting steps whose wake time has come (delays ending, approvals timing out), earliest first, at most `limit`. */
    due(now: number, limit: number): Promise<StepRow[]>;
    /** Steps waiting for one of `reasons` in runs that have not ended and whose alert has resolved. */
    waitingInResolvedRuns(reasons: readonly WaitReason[]): Promise<{ id: string; executionId: string }[]>;
  };
  readonly approvals: {
    insert(row: ApprovalRow): Promise<void>;
    get(id: string): Promise<ApprovalRow | undefined>;
    /**
     * `get`, locking the approval until the transaction ends (PostgreSQL: FOR UPDATE), so that
     * people deciding it at once on several processes take turns and each counts the others'.
     */
    lock(id: string): Promise<ApprovalRow | undefined>;
    /** The decisions on one approval, oldest first. */
    decisionsFor(approvalId: string): Promise<ApprovalDecisionRow[]>;
    /** The decisions on several approvals, grouped by approval, oldest first; no entry for one without decisions. */
    decisionsForMany(approvalIds: readonly string[]): Promise<Map<string, ApprovalDecisionRow[]>>;
    /** Records one person's decision; false when that person already decided this approval (nothing written). */
    insertDecision(row: ApprovalDecisionRow): Promise<boolean>;
    forStep(stepId: string): Promise<ApprovalRow | undefined>;
    /** The execution's approvals, newest first, at most `limit`. */
    forExecution(executionId: string, limit: number): Promise<ApprovalRow[]>;
    /** Records a decision if the approval is still pending; false if it was already decided. */
    decide(id: string, decision: ApprovalDecision): Promise<boolean>;
    /** How many approvals wait for a decision (the metrics). */
    countPending(): Promise<number>;
    /** Cancels the pending approvals of an execution (it was cancelled or timed out). */
    cancelForExecution(executionId: string, now: number): Promise<void>;
    /** The approval list: pending ones by deadline, soonest first; otherwise newest first; at most `limit`. */
    list(filter: ApprovalListFilter): Promise<ApprovalRow[]>;
  };
  readonly approvalLinks: {
    /** The record of a used approval link, by its id (linkIdOf). */
    get(id: string): Promise<ApprovalLinkRow | undefined>;
    /** Records a use; false when the link was already used (nothing is written then). */
    markUsed(row: ApprovalLinkRow): Promise<boolean>;
    /** Forgets a use (the decision it carried was refused): the link is usable again. */
    remove(id: string): Promise<void>;
  };
  /** Work left for after a run ends (after-run-repo.ts). */
  readonly afterRun: {
    insert(row: NewAfterRunTask): Promise<void>;
    /** Tasks whose run has ended and whose time has come, earliest first, at most `limit`. */
    due(now: number, limit: number): Promise<AfterRunTaskRow[]>;
    /** Takes a due task until `until`; false when another process took it first. */
    claim(stepId: string, now: number, until: number): Promise<boolean>;
    retryLater(stepId: string, nextAt: number, error: string): Promise<void>;
    remove(stepId: string): Promise<void>;
  };
  readonly breakers: {
    get(flowId: string): Promise<BreakerRow | undefined>;
    /** Trips the flow's breaker with the runs that tripped it. */
    trip(flowId: string, failures: readonly BreakerFailure[], now: number): Promise<void>;
    /** Closes a tripped breaker, saying who and when; false when it is not tripped. */
    reset(flowId: string, by: string, now: number): Promise<boolean>;
    /** The tripped breakers, by flow id: their trip times. */
    tripped(): Promise<Map<string, number>>;
    /** A deleted flow takes its breaker with it. */
    delete(flowId: string): Promise<void>;
  };
  readonly outcomes: {
    /** Every row the outcomes report needs for `filter` (outcomes-repo.ts), each list in a fixed order; the caller keeps the range bounded. */
    rows(filter: OutcomeFilter): Promise<OutcomeRows>;
  };
  readonly flows: {
    /** Every flow's current revision without its document, ordered by id. */
    list(): Promise<FlowSummaryRow[]>;
    /** The enabled flows' current revisions, parsed, ordered by id (throws StoredFlowError for a damaged one). */
    listEnabled(): Promise<FlowRow[]>;
    /** The disabled flows' current revisions, parsed, ordered by id; a damaged one is left out. */
    listDisabled(): Promise<FlowRow[]>;
    /** The flow's current revision with its document parsed (throws StoredFlowError for a damaged one). */
    get(id: string): Promise<FlowRow | undefined>;
    /** One flow's current revision without its document. */
    summary(id: string): Promise<FlowSummaryRow | undefined>;
    /** The current revision of `id`, or undefined when there is no such flow. */
    currentRevision(id: string): Promise<number | undefined>;
    /**
     * Inserts a validated flow whose id is not in use, as revision 1 or, for the id of a deleted
     * flow, the one after its highest revision kept. An id already in use (another process
     * created it meanwhile, on PostgreSQL) is a ConflictError.
     */
    insert(flow: Flow, now: number, owner: { teamId: string; author: string | null }): Promise<FlowRow>;
    /** Writes a new revision if the current one is `expectedRevision`; undefined when it is not (nothing changed). */
    update(flow: Flow, expectedRevision: number, now: number, author: string | null): Promise<FlowRow | undefined>;
    /** The revisions of the flow as it exists now (saved at or after `since`, its createdAt), newest first, documents as stored text. */
    listRevisions(id: string, since: number): Promise<{ revision: number; createdAt: number; author: string | null; document: string }[]>;
    /** Removes the flow (its revisions stay for past executions); false when there is no such flow. */
    delete(id: string): Promise<boolean>;
    /** The team that owns the flow now, or undefined when there is no such flow. */
    team(id: string): Promise<string | undefined>;
    /** One stored revision's document, parsed; undefined when there is no such revision. */
    getRevision(id: string, revision: number): Promise<Flow | undefined>;
    /** Who saved that revision (`user:<id>`, `admin`), or null when unknown or there is no such revision. */
    revisionAuthor(id: string, revision: number): Promise<string | null>;
  };
  readonly people: {
    /** A user by id (removed users are gone). */
    user(id: string): Promise<UserRow | undefined>;
    /** A user by the single sign-on identity (issuer and subject) it signs in with. */
    userByOidc(issuer: string, subject: string): Promise<UserRow | undefined>;
    /** The users whose email is `email`, compared without case (ASCII letters only, as SQLite's lower()), by username. */
    usersByEmail(email: string): Promise<UserRow[]>;
    /** Every user, by username. */
    listUsers(): Promise<UserRow[]>;
    /** Inserts a user; a taken username, sign-in identity or id is a ConflictError. */
    insertUser(row: UserRow): Promise<void>;
    /** Changes a user: the row after, or undefined when there is no such user. A taken username or sign-in identity is a ConflictError. */
    updateUser(id: string, set: UserChanges): Promise<UserRow | undefined>;
    /** Every role of every user, by user, team and role. */
    allMemberships(): Promise<MembershipRow[]>;
    /** The roles held in one team, by user and role. */
    membersOf(teamId: string): Promise<MembershipRow[]>;
    /**
     * Replaces the user's roles that came from `origin` (`manual`: an admin's; `oidc`: mapped from
     * groups at sign-in) with `rows`; the other origin's stay, and a role the user already holds from it is not added twice.
     */
    replaceMemberships(userId: string, origin: MembershipRow['origin'], rows: readonly { teamId: string; role: MembershipRow['role'] }[]): Promise<void>;
    /** Ends every session and revokes every live API token of a user (disabling them): how many of each. */
    endAccessOf(userId: string, now: number): Promise<{ sessions: number; tokens: number }>;
    team(id: string): Promise<TeamRow | undefined>;
    /** Every team, by id. */
    listTeams(): Promise<TeamRow[]>;
    /** Inserts a team; a taken id is a ConflictError. */
    insertTeam(row: TeamRow): Promise<void>;
    /** Renames a team; false when there is no such team. */
    renameTeam(id: string, name: string): Promise<boolean>;
    /** Deletes a team and every role held in it; false when there was no such team. */
    deleteTeam(id: string): Promise<boolean>;
    /** How many flows and secrets a team owns (a team that owns any cannot be deleted). */
    teamHoldings(id: string): Promise<{ flows: number; secrets: number }>;
    /** Flows per team id (teams without flows are absent). */
    flowCounts(): Promise<Map<string, number>>;
    /** The user's team roles. */
    membershipsOf(userId: string): Promise<MembershipRow[]>;
    /** A user by username (as stored: callers lower-case it). */
    userByUsername(username: string): Promise<UserRow | undefined>;
    /** Whether an enabled admin account exists (then the admin token is the break-glass credential). */
    hasEnabledAdmin(): Promise<boolean>;
  };
  /** Browser sessions; only SHA-256 hashes of cookie values come here. */
  readonly sessions: {
    insert(row: SessionRow): Promise<void>;
    byTokenHash(tokenHash: string): Promise<SessionRow | undefined>;
    byId(id: string): Promise<SessionRow | undefined>;
    /** A user's sessions, newest first (usable or not: callers filter). */
    forUser(userId: string): Promise<SessionRow[]>;
    /** Records a use: sets `lastUsedAt`. */
    touch(id: string, now: number): Promise<void>;
    /** Deletes one session; true if it existed. */
    delete(id: string): Promise<boolean>;
    /**
     * Deletes every session past its absolute end at `now`, idle since `idleBefore`, or of the
     * admin token made with another one (fingerprint); how many.
     */
    deleteUnusable(opts: { now: number; idleBefore: number; adminTokenFingerprint: string }): Promise<number>;
  };
  /** API tokens; only SHA-256 hashes of token values come here. */
  readonly apiTokens: {
    /** Newest first; of one user, or of everyone. */
    list(userId?: string): Promise<ApiTokenRow[]>;
    byHash(tokenHash: string): Promise<ApiTokenRow | undefined>;
    byId(id: string): Promise<ApiTokenRow | undefined>;
    insert(row: ApiTokenRow): Promise<void>;
    /** Revokes one token; false if it was already revoked (or is unknown). */
    revoke(id: string, now: number): Promise<boolean>;
    /** Revokes every token of a team not yet revoked; how many. */
    revokeForTeam(teamId: string, now: number): Promise<number>;
    /** Records a use: sets `lastUsedAt`. */
    touch(id: string, now: number): Promise<void>;
  };
  /** Failed-credential counters per `<kind>:<key>` (runtime/http/rate-limit.ts). */
  readonly authFailures: {
    /** The windows of keys starting with `prefix` still open at `now`, the latest-ending first (then by key), at most `limit`. */
    live(prefix: string, now: number, limit: number): Promise<AuthFailureRow[]>;
    /** Stores one key's window as it is now (insert or replace). */
    save(row: AuthFailureRow): Promise<void>;
    /**
     * Counts one failure for `key` atomically (processes sharing the database add up, none lost):
     * a window of `windowMs` starts when none is open at `now`. The window after this failure.
     */
    count(key: string, now: number, windowMs: number): Promise<AuthFailureRow>;
    delete(key: string): Promise<void>;
    /** Deletes every window that ended at or before `now`; how many. */
    deleteEnded(now: number): Promise<number>;
  };
  readonly scheduleTicks: {
    /**
     * Takes the schedule's turn until the transaction ends (PostgreSQL: a transaction-level
     * advisory lock on flow and node), so that processes checking the same schedule at once
     * handle each tick one after the other: the second finds it handled.
     */
    lock(flowId: string, nodeId: string): Promise<void>;
    /** Inserts unless a row for this tick exists; true when inserted. */
    insert(row: NewScheduleTick): Promise<boolean>;
    /** The latest tick handled (started or skipped), or undefined for a schedule never seen. */
    latestTickAt(flowId: string, nodeId: string): Promise<number | undefined>;
    /** Whether a row covers the tick at `tickAt` (its own, or a stretch of skipped ticks around it). */
    covers(flowId: string, nodeId: string, tickAt: number): Promise<boolean>;
    /** The newest row of a schedule. */
    latest(flowId: string, nodeId: string): Promise<ScheduleTickRow | undefined>;
    /** The newest tick that started a run. */
    lastStarted(flowId: string, nodeId: string): Promise<ScheduleTickRow | undefined>;
    /** Makes the stretch ending at `fromTickAt` end at `toTickAt`, one tick longer; false when there is no such row. */
    extend(flowId: string, nodeId: string, fromTickAt: number, toTickAt: number, recordedAt: number): Promise<boolean>;
    /** Forgets a schedule's rows for ticks before `before`. */
    prune(flowId: string, nodeId: string, before: number): Promise<void>;
  };
  /** Which teams own what a request names (authorization); `found: false` when there is no such thing. */
  readonly teams: {
    ofFlow(id: string): Promise<TeamLookup>;
    /** The team of the run's flow (none when the flow was deleted). */
    ofExecution(id: string): Promise<TeamLookup>;
    /** The team of the approval's run's flow. */
    ofApproval(id: string): Promise<TeamLookup>;
    /** The teams of the flows that listened on the delivery's path and still exist, by flow id (none: admins only). */
    ofEvent(id: string): Promise<TeamLookup>;
    ofSecret(name: string): Promise<TeamLookup>;
    /** The ids of the flows owned by any of `teams`, ordered by id (a team's view of runs and events). */
    flowIdsOf(teams: readonly string[]): Promise<string[]>;
  };
  readonly settings: {
    get(key: string): Promise<string | undefined>;
    /** Sets a value, inserting the key if it is new. */
    set(key: string, value: string, now: number): Promise<void>;
    /**
     * Stores `value` unless the key holds one already; answers what the key holds after (a value
     * made once for every process: another process that got there first wins, and both agree).
     */
    setIfAbsent(key: string, value: string, now: number): Promise<string>;
  };
  readonly secrets: {
    /** Every stored secret (values encrypted), ordered by name. */
    list(): Promise<SecretRow[]>;
    get(name: string): Promise<SecretRow | undefined>;
    count(): Promise<number>;
    /** Inserts or replaces secret `row.name` (a replaced row keeps its createdAt), and bumps the revision. */
    put(row: SecretRow): Promise<void>;
    /** Replaces one row's wrapped data key (rotation), and bumps the revision; the value and its metadata are unchanged. */
    rewrap(name: string, wrap: { wrappedKey: string; keyId: string }, now: number): Promise<void>;
    /** Deletes secret `name`, bumping the revision; false when there is no such secret (nothing changed). */
    delete(name: string, now: number): Promise<boolean>;
    /** A number that grows with every change to the table (0 before the first), so a process knows to read it again. */
    revision(): Promise<number>;
    /** Advances the revision by one; on PostgreSQL in one statement, so two processes bumping at once both count. */
    bump(now: number): Promise<void>;
    /** The id of the master key new data keys are wrapped with; undefined until the first secret is stored. */
    masterKeyId(): Promise<string | undefined>;
    setMasterKeyId(id: string, now: number): Promise<void>;
  };
  readonly audit: {
    /** Appends one record to the hash-chained audit log, in this transaction. */
    append(entry: AuditInput): Promise<void>;
    /** The audit log, newest first, filtered (audit-repo.ts `list`). */
    list(filter: AuditFilter): Promise<AuditRow[]>;
  };
  readonly runQueue: {
    /**
     * The runs taken from the queue (Store.takeQueued) were claimed, or found no longer queued, in
     * this transaction. PostgreSQL completes their jobs with it, so a claim that rolls back leaves
     * the job to be handed out again; on SQLite the table is the queue and there is nothing to do.
     */
    taken(runs: readonly QueuedRun[]): Promise<void>;
    /**
     * PostgreSQL: gives a new job to runs `queued` since before `queuedBefore` that have none (see
     * RunQueue.restoreLost); their ids, at most `limit`. SQLite: none (the table is the queue).
     */
    restoreLost(queuedBefore: number, limit: number): Promise<string[]>;
  };
  readonly leases: {
    /** Running executions whose lease has ended at `now` (or that never had one), oldest lease first. */
    expired(now: number, limit: number): Promise<{ id: string; leaseOwner: string | null; leaseUntil: number | null }[]>;
    /** Extends `owner`'s leases on these running executions to `until`; how many it still held. */
    renew(owner: string, ids: readonly string[], until: number): Promise<number>;
    /**
     * Whether `owner` is still the execution's last claimant (the lease fence). PostgreSQL locks
     * the row (FOR SHARE) until the transaction ends, so an adoption (`lockExpired`) cannot commit
     * between this check and what the caller writes.
     */
    holds(id: string, owner: string): Promise<boolean>;
    /**
     * Whether the execution is `running` with its lease ended at `now`, locking it for adoption
     * (PostgreSQL: FOR UPDATE, re-checked after any concurrent commit): a run another process
     * claimed or renewed meanwhile answers false and is left alone.
     */
    lockExpired(id: string, now: number): Promise<boolean>;
  };
}

/** One adapter per connection: the repos take the connection, the adapter holds it. */
const sqliteAdapters = new WeakMap<Db, StoreTx>();

/**
 * The SQLite side of StoreTx: the synchronous repos, answered as settled promises, so an async
 * operation's awaits stay microtasks inside the group commit's transaction.
 */
export function sqliteTx(db: Db): StoreTx {
  let tx = sqliteAdapters.get(db);
  if (tx) return tx;
  tx = {
    engine: 'sqlite',
    events: {
      insert: async (row, refs) => eventsRepo.insert(db, row, refs),
      seenDelivery: async (path, deliveryId) => eventsRepo.seenDelivery(db, path, deliveryId),
      body: async (id) => eventsRepo.get(db, id)?.body,
      deleteReceivedBefore: async (cutoff, batch) => eventsRepo.deleteReceivedBefore(db, cutoff, batch),
      forReplay: async (f) => eventsRepo.forReplay(db, f),
      get: async (id) => eventsRepo.get(db, id),
      list: async (filter) => eventsRepo.list(db, filter),
    },
    executions: {
      insertIfNew: async (row) => executionsRepo.insertIfNew(db, row),
      idByDedupKey: async (flowId, dedupKey) => executionsRepo.idByDedupKey(db, flowId, dedupKey),
      latestAlertRuns: async (flowId, fingerprint, limit) => executionsRepo.latestAlertRuns(db, flowId, fingerprint, limit),
      markAlertResolved: async (flowId, fingerprint, at) => executionsRepo.markAlertResolved(db, flowId, fingerprint, at),
      countAdmittedSince: async (flowId, since) => executionsRepo.countAdmittedSince(db, flowId, since),
      lastAdmittedForTarget: async (flowId, targetKey, since) => executionsRepo.lastAdmittedForTarget(db, flowId, targetKey, since),
      countActiveForTarget: async (flowId, targetKey) => executionsRepo.countActiveForTarget(db, flowId, targetKey),
      targetsSince: async (flowId, since, limit) => executionsRepo.targetsSince(db, flowId, since, limit),
      countByStatus: async (status) => executionsRepo.countByStatus(db, status),
      countsByFlowAndStatus: async (statuses) => executionsRepo.countsByFlowAndStatus(db, statuses),
      get: async (id) => executionsRepo.get(db, id),
      transition: async (id, from, changes) => executionsRepo.transition(db, id, from, changes),
      children: async (parentId) => executionsRepo.children(db, parentId),
      endedSince: async (flowId, statuses, since) => executionsRepo.endedSince(db, flowId, statuses, since),
      withStatus: async (status) => executionsRepo.withStatus(db, status),
      nextQueued: async (limit, exclude) => executionsRepo.nextQueued(db, limit, exclude),
      pastDeadline: async (now) => executionsRepo.pastDeadline(db, now),
      release: async (id, by, comment, now, deadlineAt) => executionsRepo.release(db, id, by, comment, now, deadlineAt),
      deleteFinishedBefore: async (cutoff, batch) => executionsRepo.deleteFinishedBefore(db, cutoff, batch),
      list: async (filter) => executionsRepo.list(db, filter),
      forEvent: async (eventId) => executionsRepo.forEvent(db, eventId),
    },
    steps: {
      wakeWaiting: async (executionIds, reason, now) => stepsRepo.wakeWaiting(db, executionIds, reason, now),
      insert: async (row) => stepsRepo.insert(db, row),
      nextSeq: async (executionId) => stepsRepo.nextSeq(db, executionId),
      forExecution: async (executionId) => stepsRepo.forExecution(db, executionId),
      get: async (id) => stepsRepo.get(db, id),
      transition: async (id, from, changes) => stepsRepo.transition(db, id, from, changes),
      cancelOpen: async (executionId, now) => stepsRepo.cancelOpen(db, executionId, now),
      withStatus: async (status) => stepsRepo.withStatus(db, status),
      due: async (now, limit) => stepsRepo.due(db, now, limit),
      waitingInResolvedRuns: async (reasons) => stepsRepo.waitingInResolvedRuns(db, reasons),
    },
    approvals: {
      insert: async (row) => approvalsRepo.insert(db, row),
      get: async (id) => approvalsRepo.get(db, id),
      // One writer on SQLite: the transaction already excludes every other decision.
      lock: async (id) => approvalsRepo.get(db, id),
      decisionsFor: async (approvalId) => approvalsRepo.decisionsFor(db, approvalId),
      decisionsForMany: async (approvalIds) => approvalsRepo.decisionsForMany(db, approvalIds),
      insertDecision: async (row) => approvalsRepo.insertDecision(db, row),
      forStep: async (stepId) => approvalsRepo.forStep(db, stepId),
      forExecution: async (executionId, limit) => approvalsRepo.list(db, { executionId, limit }),
      decide: async (id, decision) => approvalsRepo.decide(db, id, decision),
      countPending: async () => approvalsRepo.countPending(db),
      cancelForExecution: async (executionId, now) => approvalsRepo.cancelForExecution(db, executionId, now),
      list: async (filter) => approvalsRepo.list(db, filter),
    },
    approvalLinks: {
      get: async (id) => approvalLinksRepo.get(db, id),
      markUsed: async (row) => approvalLinksRepo.markUsed(db, row),
      remove: async (id) => approvalLinksRepo.remove(db, id),
    },
    afterRun: {
      insert: async (row) => afterRunRepo.insert(db, row),
      due: async (now, limit) => afterRunRepo.due(db, now, limit),
      claim: async (stepId, now, until) => afterRunRepo.claim(db, stepId, now, until),
      retryLater: async (stepId, nextAt, error) => afterRunRepo.retryLater(db, stepId, nextAt, error),
      remove: async (stepId) => afterRunRepo.remove(db, stepId),
    },
    breakers: {
      get: async (flowId) => breakersRepo.get(db, flowId),
      trip: async (flowId, failures, now) => breakersRepo.trip(db, flowId, failures, now),
      tripped: async () => breakersRepo.tripped(db),
      delete: async (flowId) => breakersRepo.delete(db, flowId),
      reset: async (flowId, by, now) => breakersRepo.reset(db, flowId, by, now),
    },
    outcomes: {
      rows: async (filter) => outcomesRepo.rows(db, filter),
    },
    flows: {
      list: async () => flowsRepo.list(db),
      listEnabled: async () => flowsRepo.listEnabled(db),
      listDisabled: async () => flowsRepo.listDisabled(db),
      get: async (id) => flowsRepo.get(db, id),
      summary: async (id) => flowsRepo.summary(db, id),
      currentRevision: async (id) => flowsRepo.currentRevision(db, id),
      // One writer on SQLite: the caller checked the id is free in this same transaction.
      insert: async (flow, now, owner) => flowsRepo.insert(db, flow, now, owner),
      update: async (flow, expectedRevision, now, author) => flowsRepo.update(db, flow, expectedRevision, now, author),
      listRevisions: async (id, since) => flowsRepo.listRevisions(db, id, since),
      delete: async (id) => flowsRepo.delete(db, id),
      team: async (id) => flowsRepo.team(db, id),
      getRevision: async (id, revision) => flowsRepo.getRevision(db, id, revision),
      revisionAuthor: async (id, revision) => flowsRepo.revisionAuthor(db, id, revision),
    },
    people: {
      user: async (id) => peopleRepo.user(db, id),
      userByOidc: async (issuer, subject) => peopleRepo.userByOidc(db, issuer, subject),
      usersByEmail: async (email) => peopleRepo.usersByEmail(db, email),
      listUsers: async () => peopleRepo.listUsers(db),
      insertUser: async (row) => peopleRepo.insertUser(db, row),
      updateUser: async (id, set) => peopleRepo.updateUser(db, id, set),
      allMemberships: async () => peopleRepo.allMemberships(db),
      membersOf: async (teamId) => peopleRepo.membersOf(db, teamId),
      replaceMemberships: async (userId, origin, rows) => peopleRepo.replaceMemberships(db, userId, origin, rows),
      endAccessOf: async (userId, now) => peopleRepo.endAccessOf(db, userId, now),
      team: async (id) => peopleRepo.team(db, id),
      listTeams: async () => peopleRepo.listTeams(db),
      insertTeam: async (row) => peopleRepo.insertTeam(db, row),
      renameTeam: async (id, name) => peopleRepo.renameTeam(db, id, name),
      deleteTeam: async (id) => peopleRepo.deleteTeam(db, id),
      teamHoldings: async (id) => peopleRepo.teamHoldings(db, id),
      flowCounts: async () => peopleRepo.flowCounts(db),
      membershipsOf: async (userId) => peopleRepo.membershipsOf(db, userId),
      userByUsername: async (username) => peopleRepo.userByUsername(db, username),
      hasEnabledAdmin: async () => peopleRepo.hasEnabledAdmin(db),
    },
    sessions: {
      insert: async (row) => sessionsRepo.insert(db, row),
      byTokenHash: async (tokenHash) => sessionsRepo.byTokenHash(db, tokenHash),
      byId: async (id) => sessionsRepo.byId(db, id),
      forUser: async (userId) => sessionsRepo.forUser(db, userId),
      touch: async (id, now) => sessionsRepo.touch(db, id, now),
      delete: async (id) => sessionsRepo.delete(db, id),
      deleteUnusable: async (opts) => sessionsRepo.deleteUnusable(db, opts),
    },
    apiTokens: {
      list: async (userId) => apiTokensRepo.list(db, userId),
      byHash: async (tokenHash) => apiTokensRepo.byHash(db, tokenHash),
      byId: async (id) => apiTokensRepo.byId(db, id),
      insert: async (row) => apiTokensRepo.insert(db, row),
      revoke: async (id, now) => apiTokensRepo.revoke(db, id, now),
      revokeForTeam: async (teamId, now) => apiTokensRepo.revokeForTeam(db, teamId, now),
      touch: async (id, now) => apiTokensRepo.touch(db, id, now),
    },
    authFailures: {
      live: async (prefix, now, limit) => authFailuresRepo.live(db, prefix, now, limit),
      save: async (row) => authFailuresRepo.save(db, row),
      count: async (key, now, windowMs) => authFailuresRepo.count(db, key, now, windowMs),
      delete: async (key) => authFailuresRepo.delete(db, key),
      deleteEnded: async (now) => authFailuresRepo.deleteEnded(db, now),
    },
    scheduleTicks: {
      // One writer on SQLite: the transaction already has every schedule to itself.
      lock: async () => {},
      insert: async (row) => scheduleTicksRepo.insert(db, row),
      latestTickAt: async (flowId, nodeId) => scheduleTicksRepo.latestTickAt(db, flowId, nodeId),
      covers: async (flowId, nodeId, tickAt) => scheduleTicksRepo.covers(db, flowId, nodeId, tickAt),
      latest: async (flowId, nodeId) => scheduleTicksRepo.latest(db, flowId, nodeId),
      lastStarted: async (flowId, nodeId) => scheduleTicksRepo.lastStarted(db, flowId, nodeId),
      extend: async (flowId, nodeId, fromTickAt, toTickAt, recordedAt) => scheduleTicksRepo.extend(db, flowId, nodeId, fromTickAt, toTickAt, recordedAt),
      prune: async (flowId, nodeId, before) => scheduleTicksRepo.prune(db, flowId, nodeId, before),
    },
    teams: {
      ofFlow: async (id) => teamsRepo.ofFlow(db, id),
      ofExecution: async (id) => teamsRepo.ofExecution(db, id),
      ofApproval: async (id) => teamsRepo.ofApproval(db, id),
      ofEvent: async (id) => teamsRepo.ofEvent(db, id),
      ofSecret: async (name) => teamsRepo.ofSecret(db, name),
      flowIdsOf: async (teams) => teamsRepo.flowIdsOf(db, teams),
    },
    settings: {
      get: async (key) => settingsRepo.get(db, key),
      set: async (key, value, now) => settingsRepo.set(db, key, value, now),
      setIfAbsent: async (key, value, now) => settingsRepo.setIfAbsent(db, key, value, now),
    },
    secrets: {
      list: async () => secretsRepo.list(db),
      get: async (name) => secretsRepo.get(db, name),
      count: async () => secretsRepo.count(db),
      put: async (row) => secretsRepo.put(db, row),
      rewrap: async (name, wrap, now) => secretsRepo.rewrap(db, name, wrap, now),
      delete: async (name, now) => secretsRepo.delete(db, name, now),
      revision: async () => secretsRepo.revision(db),
      // One writer on SQLite: the read and the write of the bump cannot interleave with another's.
      bump: async (now) => secretsRepo.bump(db, now),
      masterKeyId: async () => secretsRepo.masterKeyId(db),
      setMasterKeyId: async (id, now) => secretsRepo.setMasterKeyId(db, id, now),
    },
    audit: {
      append: async (entry) => appendAudit(db, entry),
      list: async (filter) => auditRepo.list(db, filter),
    },
    runQueue: {
      taken: async () => {},
      restoreLost: async () => [],
    },
    leases: {
      expired: async (now, limit) => leasesRepo.expired(db, now, limit),
      renew: async (owner, ids, until) => leasesRepo.renew(db, owner, ids, until),
      holds: async (id, owner) => leasesRepo.holds(db, id, owner),
      // One writer on SQLite: nothing can change the row between this read and the caller's writes.
      lockExpired: async (id, now) => {
        const exec = executionsRepo.get(db, id);
        return exec?.status === 'running' && (exec.leaseUntil === null || exec.leaseUntil <= now);
      },
    },
  };
  sqliteAdapters.set(db, tx);
  return tx;
}
