import { sql } from 'drizzle-orm';
import { bigint, boolean, index, integer, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { EVENT_OUTCOMES } from '../../../shared/event-log.js';
import { APPROVAL_STATUSES, EXECUTION_STATUSES, STEP_STATUSES, WAIT_REASONS } from '../../../shared/statuses.js';
import { SCHEDULE_SKIP_REASONS, SCHEDULE_TICK_STATUSES } from '../schema.js';

/**
 * Salve's tables on PostgreSQL, for several Salve processes sharing one database (the scale-out
 * mode). The SQLite schema (../schema.ts) is the reference: the same tables, columns, keys and
 * index names, so `salve copy` moves rows one to one. pg-schema.test.ts checks that, column by
 * column. What each table and column means is documented there, not repeated here.
 *
 * The differences are the types PostgreSQL has and SQLite lacks: times (milliseconds since the
 * epoch) are `bigint` read as JS numbers (they outgrow `integer` in 1970), booleans are
 * `boolean`, and the audit id is an identity column. JSON stays `text`, as in SQLite: Salve
 * validates it at the edges and never queries inside it.
 *
 * Change ../schema.ts and this file together, then run `npm run db:generate` and
 * `npm run db:generate:pg`, and commit both new migrations.
 */

/** Milliseconds since the epoch: a JS number (exact up to 2^53). */
const ms = (name: string) => bigint(name, { mode: 'number' });

export const flows = pgTable('flows', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  enabled: boolean('enabled').notNull(),
  revision: integer('revision').notNull(),
  document: text('document').notNull(),
  createdAt: ms('created_at').notNull(),
  updatedAt: ms('updated_at').notNull(),
  teamId: text('team_id').notNull().default('default'),
});

export const flowRevisions = pgTable(
  'flow_revisions',
  {
    flowId: text('flow_id').notNull(),
    revision: integer('revision').notNull(),
    document: text('document').notNull(),
    createdAt: ms('created_at').notNull(),
    author: text('author'),
  },
  (t) => [primaryKey({ columns: [t.flowId, t.revision] })],
);

export const events = pgTable(
  'events',
  {
    id: text('id').primaryKey(),
    receivedAt: ms('received_at').notNull(),
    path: text('path').notNull(),
    outcome: text('outcome', { enum: EVENT_OUTCOMES }).notNull().default('accepted'),
    httpStatus: integer('http_status').notNull().default(202),
    sources: text('sources').notNull().default('[]'),
    deliveryId: text('delivery_id'),
    reason: text('reason'),
    remoteAddress: text('remote_address'),
    headers: text('headers').notNull(),
    body: text('body').notNull(),
    bodyBytes: integer('body_bytes').notNull().default(0),
    bodyTruncated: boolean('body_truncated').notNull().default(false),
    routes: text('routes').notNull().default('[]'),
    alerts: text('alerts').notNull().default('[]'),
    matches: text('matches').notNull().default('[]'),
    error: text('error'),
    alertCount: integer('alert_count').notNull(),
    executionCount: integer('execution_count').notNull(),
    duplicateCount: integer('duplicate_count').notNull(),
    notStartedCount: integer('not_started_count').notNull().default(0),
    suppressedBefore: integer('suppressed_before').notNull().default(0),
  },
  (t) => [
    index('events_received_idx').on(t.receivedAt),
    index('events_path_idx').on(t.path, t.id),
    index('events_outcome_idx').on(t.outcome, t.id),
    index('events_delivery_idx')
      .on(t.path, t.deliveryId)
      .where(sql`${t.deliveryId} is not null`),
  ],
);

export const eventRefs = pgTable(
  'event_refs',
  {
    ref: text('ref').notNull(),
    eventId: text('event_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.ref, t.eventId] }), index('event_refs_event_idx').on(t.eventId)],
);

export const executions = pgTable(
  'executions',
  {
    id: text('id').primaryKey(),
    flowId: text('flow_id').notNull(),
    flowRevision: integer('flow_revision').notNull(),
    eventId: text('event_id').notNull(),
    sourceNodeId: text('source_node_id').notNull(),
    dedupKey: text('dedup_key').notNull(),
    alert: text('alert').notNull(),
    status: text('status', { enum: EXECUTION_STATUSES }).notNull(),
    error: text('error'),
    createdAt: ms('created_at').notNull(),
    updatedAt: ms('updated_at').notNull(),
    startedAt: ms('started_at'),
    finishedAt: ms('finished_at'),
    deadlineAt: ms('deadline_at').notNull(),
    waitStartedAt: ms('wait_started_at'),
    fingerprint: text('fingerprint').notNull().default(''),
    alertResolvedAt: ms('alert_resolved_at'),
    leaseOwner: text('lease_owner'),
    leaseUntil: ms('lease_until'),
    parentExecutionId: text('parent_execution_id'),
    parentStepId: text('parent_step_id'),
    callDepth: integer('call_depth').notNull().default(0),
    input: text('input'),
    startedBy: text('started_by'),
    targetKey: text('target_key'),
    heldLimit: text('held_limit'),
    heldReason: text('held_reason'),
    heldAt: ms('held_at'),
    releasedBy: text('released_by'),
    releasedAt: ms('released_at'),
    releasedComment: text('released_comment'),
  },
  (t) => [
    uniqueIndex('executions_dedup_idx').on(t.flowId, t.dedupKey),
    // SQLite reads the queue oldest first by rowid; PostgreSQL has no rowid, so the creation time.
    index('executions_status_idx').on(t.status, t.createdAt),
    index('executions_flow_idx').on(t.flowId, t.createdAt),
    index('executions_created_idx').on(t.createdAt),
    index('executions_fingerprint_idx').on(t.flowId, t.fingerprint),
    index('executions_deadline_idx')
      .on(t.deadlineAt)
      .where(sql`${t.status} in ('running', 'waiting', 'queued') and ${t.waitStartedAt} is null`),
    index('executions_lease_idx')
      .on(t.leaseUntil)
      .where(sql`${t.status} = 'running'`),
    index('executions_parent_idx')
      .on(t.parentExecutionId)
      .where(sql`${t.parentExecutionId} is not null`),
    index('executions_target_idx')
      .on(t.flowId, t.targetKey, t.createdAt)
      .where(sql`${t.targetKey} is not null`),
    index('executions_finished_idx')
      .on(t.flowId, t.finishedAt)
      .where(sql`${t.finishedAt} is not null`),
  ],
);

export const steps = pgTable(
  'steps',
  {
    id: text('id').primaryKey(),
    executionId: text('execution_id').notNull(),
    seq: integer('seq').notNull(),
    nodeId: text('node_id').notNull(),
    nodeType: text('node_type').notNull(),
    parentStepId: text('parent_step_id'),
    status: text('status', { enum: STEP_STATUSES }).notNull(),
    attempt: integer('attempt').notNull().default(0),
    port: text('port'),
    input: text('input'),
    config: text('config'),
    output: text('output'),
    error: text('error'),
    createdAt: ms('created_at').notNull(),
    startedAt: ms('started_at'),
    endedAt: ms('ended_at'),
    wakeAt: ms('wake_at'),
    waitReason: text('wait_reason', { enum: WAIT_REASONS }),
    scope: text('scope'),
  },
  (t) => [uniqueIndex('steps_exec_seq_idx').on(t.executionId, t.seq), index('steps_wake_idx').on(t.status, t.wakeAt)],
);

export const approvals = pgTable(
  'approvals',
  {
    id: text('id').primaryKey(),
    executionId: text('execution_id').notNull(),
    stepId: text('step_id').notNull(),
    nodeId: text('node_id').notNull(),
    message: text('message').notNull(),
    status: text('status', { enum: APPROVAL_STATUSES }).notNull(),
    createdAt: ms('created_at').notNull(),
    deadlineAt: ms('deadline_at').notNull(),
    decidedAt: ms('decided_at'),
    decidedBy: text('decided_by'),
    comment: text('comment'),
    planHash: text('plan_hash'),
    rules: text('rules'),
  },
  (t) => [uniqueIndex('approvals_step_idx').on(t.stepId), index('approvals_status_idx').on(t.status, t.deadlineAt)],
);

export const approvalDecisions = pgTable(
  'approval_decisions',
  {
    approvalId: text('approval_id').notNull(),
    decider: text('decider').notNull(),
    deciderName: text('decider_name').notNull(),
    decision: text('decision', { enum: ['approve', 'reject'] }).notNull(),
    comment: text('comment'),
    via: text('via').notNull(),
    planHash: text('plan_hash'),
    at: ms('at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.approvalId, t.decider] })],
);

export const approvalLinks = pgTable('approval_links', {
  id: text('id').primaryKey(),
  executionId: text('execution_id').notNull(),
  nodeId: text('node_id').notNull(),
  approvalId: text('approval_id').notNull(),
  expiresAt: ms('expires_at').notNull(),
  usedAt: ms('used_at').notNull(),
  usedBy: text('used_by').notNull(),
  usedByName: text('used_by_name').notNull(),
});

/** Append-only: triggers refuse UPDATE and DELETE (migration 0001_audit_append_only), as in SQLite. */
export const audit = pgTable(
  'audit',
  {
    // "by default": `salve copy` keeps the ids (the hash chain covers them); new rows get the next one.
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    at: ms('at').notNull(),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    target: text('target').notNull(),
    details: text('details').notNull().default('{}'),
    via: text('via').notNull().default('system'),
    address: text('address'),
    before: text('before'),
    after: text('after'),
    prevHash: text('prev_hash').notNull().default(''),
    hash: text('hash').notNull().default(''),
  },
  (t) => [index('audit_at_idx').on(t.at)],
);

export const flowBreakers = pgTable('flow_breakers', {
  flowId: text('flow_id').primaryKey(),
  trippedAt: ms('tripped_at'),
  failures: text('failures').notNull().default('[]'),
  resetBy: text('reset_by'),
  resetAt: ms('reset_at'),
});

export const afterRunTasks = pgTable(
  'after_run_tasks',
  {
    stepId: text('step_id').primaryKey(),
    executionId: text('execution_id').notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAt: ms('next_at').notNull(),
    lastError: text('last_error'),
    createdAt: ms('created_at').notNull(),
  },
  (t) => [index('after_run_tasks_next_idx').on(t.nextAt)],
);

export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
  updatedAt: ms('updated_at').notNull(),
});

export const sessions = pgTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    tokenHash: text('token_hash').notNull(),
    adminTokenFingerprint: text('admin_token_fingerprint').notNull(),
    createdAt: ms('created_at').notNull(),
    expiresAt: ms('expires_at').notNull(),
    lastUsedAt: ms('last_used_at').notNull(),
    userId: text('user_id'),
    address: text('address'),
    userAgent: text('user_agent'),
  },
  (t) => [uniqueIndex('sessions_token_hash_idx').on(t.tokenHash), index('sessions_expires_idx').on(t.expiresAt), index('sessions_user_idx').on(t.userId)],
);

export const scheduleTicks = pgTable(
  'schedule_ticks',
  {
    flowId: text('flow_id').notNull(),
    nodeId: text('node_id').notNull(),
    tickAt: ms('tick_at').notNull(),
    firstTickAt: ms('first_tick_at').notNull(),
    count: integer('count').notNull().default(1),
    status: text('status', { enum: SCHEDULE_TICK_STATUSES }).notNull(),
    reason: text('reason', { enum: SCHEDULE_SKIP_REASONS }),
    executionId: text('execution_id'),
    recordedAt: ms('recorded_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.flowId, t.nodeId, t.tickAt] }), index('schedule_ticks_status_idx').on(t.flowId, t.nodeId, t.status, t.tickAt)],
);

export const authFailures = pgTable('auth_failures', {
  key: text('key').primaryKey(),
  failures: integer('failures').notNull(),
  windowEndsAt: ms('window_ends_at').notNull(),
});

export const secrets = pgTable('secrets', {
  name: text('name').primaryKey(),
  ciphertext: text('ciphertext').notNull(),
  iv: text('iv').notNull(),
  tag: text('tag').notNull(),
  wrappedKey: text('wrapped_key').notNull(),
  keyId: text('key_id').notNull(),
  description: text('description').notNull().default(''),
  hosts: text('hosts').notNull().default('[]'),
  createdAt: ms('created_at').notNull(),
  updatedAt: ms('updated_at').notNull(),
  updatedBy: text('updated_by').notNull(),
  teamId: text('team_id').notNull().default('default'),
});

export const users = pgTable(
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
    admin: boolean('admin').notNull().default(false),
    disabled: boolean('disabled').notNull().default(false),
    createdAt: ms('created_at').notNull(),
    updatedAt: ms('updated_at').notNull(),
    lastSignInAt: ms('last_sign_in_at'),
  },
  (t) => [uniqueIndex('users_username_idx').on(t.username), uniqueIndex('users_oidc_idx').on(t.oidcIssuer, t.oidcSubject)],
);

export const teams = pgTable('teams', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  createdAt: ms('created_at').notNull(),
});

export const memberships = pgTable(
  'memberships',
  {
    userId: text('user_id').notNull(),
    teamId: text('team_id').notNull(),
    role: text('role', { enum: ['viewer', 'operator', 'editor', 'approver'] }).notNull(),
    origin: text('origin', { enum: ['manual', 'oidc'] }).notNull().default('manual'),
  },
  (t) => [primaryKey({ columns: [t.userId, t.teamId, t.role] }), index('memberships_team_idx').on(t.teamId)],
);

export const apiTokens = pgTable(
  'api_tokens',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').notNull(),
    name: text('name').notNull(),
    tokenHash: text('token_hash').notNull(),
    teamId: text('team_id').notNull(),
    roles: text('roles').notNull(),
    createdAt: ms('created_at').notNull(),
    expiresAt: ms('expires_at').notNull(),
    lastUsedAt: ms('last_used_at'),
    revokedAt: ms('revoked_at'),
  },
  (t) => [uniqueIndex('api_tokens_hash_idx').on(t.tokenHash), index('api_tokens_user_idx').on(t.userId)],
);
