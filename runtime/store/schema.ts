import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { EVENT_OUTCOMES } from '../../shared/event-log.js';
import { APPROVAL_STATUSES, EXECUTION_STATUSES, STEP_STATUSES, WAIT_REASONS } from '../../shared/statuses.js';

// The status enums are defined once in shared/ (the API and the editor use them too).
export {
  APPROVAL_STATUSES,
  EXECUTION_STATUSES,
  STEP_STATUSES,
  WAIT_REASONS,
  TERMINAL_EXECUTION_STATUSES,
  type ApprovalStatus,
  type ExecutionStatus,
  type StepStatus,
  type WaitReason,
} from '../../shared/statuses.js';

/**
 * Salve's tables. Times are integer milliseconds since the epoch (UTC); JSON columns hold
 * documents that were validated before they were written and are validated again when read
 * back at an edge (API, import). Change this file, then run `npm run db:generate` and commit
 * the new migration under runtime/store/migrations.
 */

/** The current revision of every flow. */
export const flows = sqliteTable('flows', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  enabled: integer('enabled', { mode: 'boolean' }).notNull(),
  revision: integer('revision').notNull(),
  /** The whole flow document (salve.flow/v1) of this revision, as JSON. */
  document: text('document').notNull(),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
  /** The team that owns the flow (teams.id); flows from before teams existed are in `default`. */
  teamId: text('team_id').notNull().default('default'),
});

/** Every revision ever saved, so an execution can show the flow exactly as it ran. */
export const flowRevisions = sqliteTable(
  'flow_revisions',
  {
    flowId: text('flow_id').notNull(),
    revision: integer('revision').notNull(),
    document: text('document').notNull(),
    createdAt: integer('created_at').notNull(),
    /** Who saved this revision: `user:<id>`, `admin` (the bootstrap admin token), or null (before accounts). */
    author: text('author'),
  },
  (t) => [primaryKey({ columns: [t.flowId, t.revision] })],
);

/**
 * One webhook delivery, whatever happened to it (see shared/event-log.ts for the outcomes).
 * JSON columns: `sources` (source types on the path), `routes` (per source node: authenticated,
 * rejected with a reason, or skipped), `alerts` (normalized, without `raw`), `matches` (per flow
 * and alert: started, duplicate or not started) and `error` (for invalid deliveries).
 */
export const events = sqliteTable(
  'events',
  {
    id: text('id').primaryKey(),
    receivedAt: integer('received_at').notNull(),
    path: text('path').notNull(),
    outcome: text('outcome', { enum: EVENT_OUTCOMES }).notNull().default('accepted'),
    /** The HTTP status answered. */
    httpStatus: integer('http_status').notNull().default(202),
    sources: text('sources').notNull().default('[]'),
    /** The source's own id of the delivery (PagerDuty X-Webhook-Id, SNS message id), if any. */
    deliveryId: text('delivery_id'),
    /** One line for people: why it was rejected, invalid, ignored or a duplicate. */
    reason: text('reason'),
    remoteAddress: text('remote_address'),
    /** Request headers with credentials removed. */
    headers: text('headers').notNull(),
    /** The body; for rejected/invalid deliveries only its first 4 KiB (`bodyTruncated`). */
    body: text('body').notNull(),
    bodyBytes: integer('body_bytes').notNull().default(0),
    bodyTruncated: integer('body_truncated', { mode: 'boolean' }).notNull().default(false),
    routes: text('routes').notNull().default('[]'),
    alerts: text('alerts').notNull().default('[]'),
    matches: text('matches').notNull().default('[]'),
    error: text('error'),
    alertCount: integer('alert_count').notNull(),
    executionCount: integer('execution_count').notNull(),
    duplicateCount: integer('duplicate_count').notNull(),
    notStartedCount: integer('not_started_count').notNull().default(0),
    /** Rejected/invalid deliveries on this path not stored (over the per-minute cap) just before this one. */
    suppressedBefore: integer('suppressed_before').notNull().default(0),
  },
  (t) => [
    index('events_received_idx').on(t.receivedAt),
    index('events_path_idx').on(t.path, t.id),
    index('events_outcome_idx').on(t.outcome, t.id),
    // Partial: most sources send no delivery id, and an index entry per event costs every insert.
    index('events_delivery_idx')
      .on(t.path, t.deliveryId)
      .where(sql`${t.deliveryId} is not null`),
  ],
);

/**
 * What the event list filters on besides its own columns, one row per event and value:
 * `flow:<flow id>` for every flow listening on the path, `source:<type>` for every source type.
 * Keyed (ref, event) so a filter reads its events newest first straight from the key.
 */
export const eventRefs = sqliteTable(
  'event_refs',
  {
    ref: text('ref').notNull(),
    eventId: text('event_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.ref, t.eventId] }), index('event_refs_event_idx').on(t.eventId)],
);

/** One run of one flow for one alert. */
export const executions = sqliteTable(
  'executions',
  {
    id: text('id').primaryKey(),
    flowId: text('flow_id').notNull(),
    flowRevision: integer('flow_revision').notNull(),
    eventId: text('event_id').notNull(),
    sourceNodeId: text('source_node_id').notNull(),
    /** Same flow + same key = same alert delivered again: it must not run twice. */
    dedupKey: text('dedup_key').notNull(),
    /** The normalized alert (JSON). */
    alert: text('alert').notNull(),
    status: text('status', { enum: EXECUTION_STATUSES }).notNull(),
    error: text('error'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    startedAt: integer('started_at'),
    finishedAt: integer('finished_at'),
    /** Wall-clock deadline; pushed back by the time spent waiting for approvals. */
    deadlineAt: integer('deadline_at').notNull(),
    /** Set while the execution is parked: when the wait started (to extend the deadline). */
    waitStartedAt: integer('wait_started_at'),
    /** The alert's fingerprint: a resolved alert with the same one marks this run's alert resolved. */
    fingerprint: text('fingerprint').notNull().default(''),
    /** When the alert this run answered was resolved (its `endsAt`, else when the resolution arrived). */
    alertResolvedAt: integer('alert_resolved_at'),
    /**
     * The runner that owns a `running` execution: an id unique to one server process, and until
     * when its claim holds unless renewed. A `running` execution whose lease has ended has no
     * live runner and is adopted again (see the dispatcher), without waiting for a restart.
     */
    leaseOwner: text('lease_owner'),
    leaseUntil: integer('lease_until'),
    /** A run started by a `flow.call` step: the calling execution and its step (null otherwise). */
    parentExecutionId: text('parent_execution_id'),
    parentStepId: text('parent_step_id'),
    /** How many `flow.call`s deep this run is (0 for a run an alert or a person started). */
    callDepth: integer('call_depth').notNull().default(0),
    /** JSON: the input object a `flow.call` passed (null otherwise). */
    input: text('input'),
    /** A run started by hand: who started it (`user:<id>` or `admin`); null otherwise. */
    startedBy: text('started_by'),
    /** The flow's target key (`limits.target.key`) rendered for this run's alert; null when the flow has none. */
    targetKey: text('target_key'),
    /**
     * A run a guard rail stopped when it was created (status `held`): the limit (LIMIT_NAMES),
     * one sentence why, and when. Kept after a release, so the run's page says it was held.
     */
    heldLimit: text('held_limit'),
    heldReason: text('held_reason'),
    heldAt: integer('held_at'),
    /** Who released a held run (an actor identity), when, and what they said. */
    releasedBy: text('released_by'),
    releasedAt: integer('released_at'),
    releasedComment: text('released_comment'),
  },
  (t) => [
    uniqueIndex('executions_dedup_idx').on(t.flowId, t.dedupKey),
    // (status, rowid): the queue read oldest first straight from the index (prepared.ts queuedIds).
    index('executions_status_idx').on(t.status),
    index('executions_flow_idx').on(t.flowId, t.createdAt),
    index('executions_created_idx').on(t.createdAt),
    index('executions_fingerprint_idx').on(t.flowId, t.fingerprint),
    // Deadlines of runs that can pass theirs (the dispatcher's tick, every second): without it
    // each tick read every queued run, tens of milliseconds with thousands queued. Queries must
    // spell the condition literally (pastDeadline) for SQLite to use a partial index.
    index('executions_deadline_idx')
      .on(t.deadlineAt)
      .where(sql`${t.status} in ('running', 'waiting', 'queued') and ${t.waitStartedAt} is null`),
    // Leases of running executions only: a queued or ended run has no entry, so an insert (every
    // alert's run is inserted queued) does not update it. Each index is one more b-tree every
    // insert writes, the ingest path's largest cost. Queries must say status = 'running' literally.
    index('executions_lease_idx')
      .on(t.leaseUntil)
      .where(sql`${t.status} = 'running'`),
    // Partial indexes: only the rows that have the value are indexed, so an alert's run (no
    // parent, usually no target key, not finished) adds no entry when it is inserted. Every
    // query on them compares the column, which implies it is not null.
    index('executions_parent_idx')
      .on(t.parentExecutionId)
      .where(sql`${t.parentExecutionId} is not null`),
    // Guard rails: runs per target within a window (cooldown, blast radius, concurrency per target)…
    index('executions_target_idx')
      .on(t.flowId, t.targetKey, t.createdAt)
      .where(sql`${t.targetKey} is not null`),
    // …and the circuit breaker's failures within a window.
    index('executions_finished_idx')
      .on(t.flowId, t.finishedAt)
      .where(sql`${t.finishedAt} is not null`),
  ],
);

/** One node run inside an execution (a node runs once per arriving token). */
export const steps = sqliteTable(
  'steps',
  {
    id: text('id').primaryKey(),
    executionId: text('execution_id').notNull(),
    /** Order of creation within the execution. */
    seq: integer('seq').notNull(),
    nodeId: text('node_id').notNull(),
    nodeType: text('node_type').notNull(),
    /** The step whose output port led here (null for the source step). */
    parentStepId: text('parent_step_id'),
    status: text('status', { enum: STEP_STATUSES }).notNull(),
    attempt: integer('attempt').notNull().default(0),
    /** Output port taken when finished. */
    port: text('port'),
    /** JSON: what the step received (the parent's output). */
    input: text('input'),
    /** JSON: config with templates rendered and secrets shown as references. */
    config: text('config'),
    output: text('output'),
    error: text('error'),
    createdAt: integer('created_at').notNull(),
    startedAt: integer('started_at'),
    endedAt: integer('ended_at'),
    /** For waiting steps: when a delay ends or an approval times out. */
    wakeAt: integer('wake_at'),
    /** For waiting steps: what they wait for (see WAIT_REASONS); null on rows written before it existed. */
    waitReason: text('wait_reason', { enum: WAIT_REASONS }),
    /**
     * The `control.foreach` item this step runs for (`<foreach step id>#<index>`), inherited by the
     * steps it leads to; null outside a loop.
     */
    scope: text('scope'),
  },
  (t) => [
    uniqueIndex('steps_exec_seq_idx').on(t.executionId, t.seq),
    index('steps_wake_idx').on(t.status, t.wakeAt),
  ],
);

export const approvals = sqliteTable(
  'approvals',
  {
    id: text('id').primaryKey(),
    executionId: text('execution_id').notNull(),
    stepId: text('step_id').notNull(),
    nodeId: text('node_id').notNull(),
    message: text('message').notNull(),
    status: text('status', { enum: APPROVAL_STATUSES }).notNull(),
    createdAt: integer('created_at').notNull(),
    deadlineAt: integer('deadline_at').notNull(),
    decidedAt: integer('decided_at'),
    decidedBy: text('decided_by'),
    comment: text('comment'),
    /**
     * SHA-256 over what approving runs (flow revision, the steps after the approval, their
     * config): decisions are bound to it, and a decision made for another plan does not count.
     */
    planHash: text('plan_hash'),
    /** JSON: the node's approval rules when the step began (approvers, quorum, self-approval, comment). */
    rules: text('rules'),
  },
  (t) => [uniqueIndex('approvals_step_idx').on(t.stepId), index('approvals_status_idx').on(t.status, t.deadlineAt)],
);

/** Each person's decision on an approval (a quorum needs several); one per person and approval. */
export const approvalDecisions = sqliteTable(
  'approval_decisions',
  {
    approvalId: text('approval_id').notNull(),
    /** `user:<id>` or `admin` (the bootstrap admin token). */
    decider: text('decider').notNull(),
    deciderName: text('decider_name').notNull(),
    decision: text('decision', { enum: ['approve', 'reject'] }).notNull(),
    comment: text('comment'),
    via: text('via').notNull(),
    planHash: text('plan_hash'),
    at: integer('at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.approvalId, t.decider] })],
);

/**
 * Approval links that were used (runtime/engine/approvals/link-token.ts): a link is a signed
 * pointer to (run, approval node, loop item), and is good for one decision. Its row is written in
 * the same transaction as the decision it carried; a second use finds it and is refused.
 */
export const approvalLinks = sqliteTable('approval_links', {
  /** linkIdOf(run, node, loop item). */
  id: text('id').primaryKey(),
  executionId: text('execution_id').notNull(),
  nodeId: text('node_id').notNull(),
  approvalId: text('approval_id').notNull(),
  expiresAt: integer('expires_at').notNull(),
  usedAt: integer('used_at').notNull(),
  /** `user:<id>` or `admin`, and the name shown ("used by alice"). */
  usedBy: text('used_by').notNull(),
  usedByName: text('used_by_name').notNull(),
});

/** Append-only record of who changed what. */
export const audit = sqliteTable(
  'audit',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: integer('at').notNull(),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    target: text('target').notNull(),
    details: text('details').notNull().default(sql`'{}'`),
    /** How the actor acted: session, token, cli, slack, break-glass, system (rows before the chain: system). */
    via: text('via').notNull().default('system'),
    /** The client address, when the change came over HTTP. */
    address: text('address'),
    /** Small JSON summaries of the target before and after the change (secrets by name only). */
    before: text('before'),
    after: text('after'),
    /** Hash chain (audit-chain.ts): the previous row's hash, and SHA-256 over this row's fields and it. */
    prevHash: text('prev_hash').notNull().default(''),
    hash: text('hash').notNull().default(''),
  },
  (t) => [index('audit_at_idx').on(t.at)],
);

/**
 * A flow's circuit breaker (`limits.breaker`): a row exists once it tripped. `trippedAt` is set
 * while it is tripped (new runs are created `held`), null after a person reset it.
 */
export const flowBreakers = sqliteTable('flow_breakers', {
  flowId: text('flow_id').primaryKey(),
  trippedAt: integer('tripped_at'),
  /** JSON: the runs whose endings tripped it, `{executionId, status, endedAt}[]`, oldest first. */
  failures: text('failures').notNull().default('[]'),
  resetBy: text('reset_by'),
  resetAt: integer('reset_at'),
});

/**
 * Work left for after a run ends: a step that set something up for the run's duration (a
 * silence until the run ends) asks, when it succeeds, to be called back once the run has ended
 * (`StepOutcome.afterRun`). The row is written in the same transaction as the step's success and
 * deleted once the callback is done (or given up), so a restart in between loses nothing.
 */
export const afterRunTasks = sqliteTable(
  'after_run_tasks',
  {
    stepId: text('step_id').primaryKey(),
    executionId: text('execution_id').notNull(),
    /** Calls made so far (failed ones are tried again later). */
    attempts: integer('attempts').notNull().default(0),
    /** Not before then: the next try, or a process's claim on it. */
    nextAt: integer('next_at').notNull(),
    lastError: text('last_error'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('after_run_tasks_next_idx').on(t.nextAt)],
);

/** Runtime switches that must survive restarts (e.g. the global automation pause). */
export const settings = sqliteTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

/**
 * Browser sessions of the editor (sign-in with the admin token). Only a SHA-256 hash of the
 * cookie value is stored, so reading the database does not give a usable session.
 */
export const sessions = sqliteTable(
  'sessions',
  {
    /** A non-secret id (for the audit log and logs); never the cookie value. */
    id: text('id').primaryKey(),
    /** SHA-256 (hex) of the cookie value. */
    tokenHash: text('token_hash').notNull(),
    /** Fingerprint of the admin token signed in with: a new token invalidates older sessions. */
    adminTokenFingerprint: text('admin_token_fingerprint').notNull(),
    createdAt: integer('created_at').notNull(),
    /** Absolute end of the session, whatever its use. */
    expiresAt: integer('expires_at').notNull(),
    /** Last request made with it; the idle timeout counts from here. */
    lastUsedAt: integer('last_used_at').notNull(),
    /** The user signed in (users.id); null for a session of the bootstrap admin token. */
    userId: text('user_id'),
    /** The client address and browser at sign-in, shown in the user's own session list. */
    address: text('address'),
    userAgent: text('user_agent'),
  },
  (t) => [
    uniqueIndex('sessions_token_hash_idx').on(t.tokenHash),
    index('sessions_expires_idx').on(t.expiresAt),
    index('sessions_user_idx').on(t.userId),
  ],
);

export const SCHEDULE_TICK_STATUSES = ['started', 'skipped'] as const;
/** Why a tick started no run: Salve was not running (or too late) for it, or the previous run had not finished. */
export const SCHEDULE_SKIP_REASONS = ['missed', 'overlap', 'duplicate'] as const;

/**
 * Ticks of `source.schedule` nodes that Salve handled: one row per tick that started a run, one
 * row per stretch of skipped ticks (`first_tick_at` … `tick_at`, `count` ticks). Written in the
 * same transaction as the run it starts, so a tick is never run twice (restarts, a second
 * process) and a restart knows where each schedule stopped.
 */
export const scheduleTicks = sqliteTable(
  'schedule_ticks',
  {
    flowId: text('flow_id').notNull(),
    nodeId: text('node_id').notNull(),
    /** The (last) tick's scheduled time. */
    tickAt: integer('tick_at').notNull(),
    /** The first tick this row stands for (= `tick_at` for a single tick). */
    firstTickAt: integer('first_tick_at').notNull(),
    count: integer('count').notNull().default(1),
    status: text('status', { enum: SCHEDULE_TICK_STATUSES }).notNull(),
    reason: text('reason', { enum: SCHEDULE_SKIP_REASONS }),
    /** `started`: the run it queued; `overlap`: the unfinished run that held it back. */
    executionId: text('execution_id'),
    recordedAt: integer('recorded_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.flowId, t.nodeId, t.tickAt] }),
    index('schedule_ticks_status_idx').on(t.flowId, t.nodeId, t.status, t.tickAt),
  ],
);

/**
 * Failed credential attempts per client address and kind (`admin-token`: sign-in and bearer) in a fixed window
 * that starts at the first failure. Kept in the database so a restart does not reset the count.
 */
export const authFailures = sqliteTable('auth_failures', {
  /** `<kind>:<address>` */
  key: text('key').primaryKey(),
  failures: integer('failures').notNull(),
  windowEndsAt: integer('window_ends_at').notNull(),
});

/**
 * Secrets kept in the database (`/api/secrets`, `salve secrets`), encrypted: the value with its
 * own data key (AES-256-GCM: `ciphertext`, `iv`, `tag`), the data key wrapped by the master key
 * `key_id` (runtime/engine/secrets/crypto.ts). The master key is never in the database.
 */
export const secrets = sqliteTable('secrets', {
  name: text('name').primaryKey(),
  ciphertext: text('ciphertext').notNull(),
  iv: text('iv').notNull(),
  tag: text('tag').notNull(),
  wrappedKey: text('wrapped_key').notNull(),
  /** Which master key wrapped `wrapped_key`: rotation re-wraps row by row. */
  keyId: text('key_id').notNull(),
  description: text('description').notNull().default(''),
  /** JSON list: where steps may send the secret (as SALVE_SECRET_<NAME>_HOSTS); empty = nowhere. */
  hosts: text('hosts').notNull().default('[]'),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
  updatedBy: text('updated_by').notNull(),
  /** The team that owns the secret: only its editors change it, only its flows use it. */
  teamId: text('team_id').notNull().default('default'),
});

/**
 * People and service accounts. A person signs in with a password (`password_hash`, scrypt:
 * runtime/http/passwords.ts) or through single sign-on (`oidc_issuer` + `oidc_subject`); a
 * service account only uses API tokens. Users are disabled, never deleted: the audit log names them.
 */
export const users = sqliteTable(
  'users',
  {
    id: text('id').primaryKey(),
    kind: text('kind', { enum: ['person', 'service'] }).notNull().default('person'),
    username: text('username').notNull(),
    displayName: text('display_name').notNull(),
    email: text('email'),
    passwordHash: text('password_hash'),
    oidcIssuer: text('oidc_issuer'),
    oidcSubject: text('oidc_subject'),
    /** Global admin: users, teams, settings, the kill switch. */
    admin: integer('admin', { mode: 'boolean' }).notNull().default(false),
    disabled: integer('disabled', { mode: 'boolean' }).notNull().default(false),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    lastSignInAt: integer('last_sign_in_at'),
  },
  (t) => [uniqueIndex('users_username_idx').on(t.username), uniqueIndex('users_oidc_idx').on(t.oidcIssuer, t.oidcSubject)],
);

/** Teams own flows, secrets and approvers. `default` exists from the start (and holds everything made before teams). */
export const teams = sqliteTable('teams', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  createdAt: integer('created_at').notNull(),
});

/** A user's roles in a team: one row per (user, team, role). */
export const memberships = sqliteTable(
  'memberships',
  {
    userId: text('user_id').notNull(),
    teamId: text('team_id').notNull(),
    role: text('role', { enum: ['viewer', 'operator', 'editor', 'approver'] }).notNull(),
    /** Where the role came from: `manual` (an admin) or `oidc` (group mapping, re-applied at each sign-in). */
    origin: text('origin', { enum: ['manual', 'oidc'] }).notNull().default('manual'),
  },
  (t) => [primaryKey({ columns: [t.userId, t.teamId, t.role] }), index('memberships_team_idx').on(t.teamId)],
);

/**
 * API tokens of users and service accounts: scoped to one team and a subset of roles, with an
 * expiry. Only the SHA-256 of the token is stored; the token is shown once when made.
 */
export const apiTokens = sqliteTable(
  'api_tokens',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').notNull(),
    name: text('name').notNull(),
    tokenHash: text('token_hash').notNull(),
    teamId: text('team_id').notNull(),
    /** JSON list of roles (a subset of the owner's roles in the team when used). */
    roles: text('roles').notNull(),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    lastUsedAt: integer('last_used_at'),
    revokedAt: integer('revoked_at'),
  },
  (t) => [uniqueIndex('api_tokens_hash_idx').on(t.tokenHash), index('api_tokens_user_idx').on(t.userId)],
);
