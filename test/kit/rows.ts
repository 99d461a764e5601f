import type { ApiTokenRow } from '../../runtime/store/api-tokens-repo.js';
import type { ApprovalRow } from '../../runtime/store/approvals-repo.js';
import type { EventRow } from '../../runtime/store/events-repo.js';
import type { NewExecution } from '../../runtime/store/executions-repo.js';
import { newId } from '../../runtime/store/ids.js';
import type { UserRow } from '../../runtime/store/people-repo.js';
import type { SecretRow } from '../../runtime/store/secrets-repo.js';
import type { SessionRow } from '../../runtime/store/sessions-repo.js';

/**
 * Rows for storage tests, every column given. The builders below eventRow take the time a row was
 * made (`at`), so each suite keeps its own base time.
 */

/**
 * An event-log row for storage tests: an accepted Alertmanager delivery on `/hooks/infra` with one
 * alert and one run, received at `receivedAt` (id made from it unless given). Tests override what
 * they look at.
 */
export function eventRow(over: Partial<EventRow> & { receivedAt: number }): EventRow {
  return {
    id: newId('ev', over.receivedAt),
    path: 'infra',
    outcome: 'accepted',
    httpStatus: 202,
    sources: '["alertmanager"]',
    deliveryId: null,
    reason: null,
    remoteAddress: '127.0.0.1',
    headers: '{}',
    body: '{}',
    bodyBytes: 2,
    bodyTruncated: false,
    routes: '[]',
    alerts: '[]',
    matches: '[]',
    error: null,
    alertCount: 1,
    executionCount: 1,
    duplicateCount: 0,
    notStartedCount: 0,
    suppressedBefore: 0,
    ...over,
  };
}

/** An accepted delivery on path `am`, received at `at`, that counted no alert and started no run. */
export function emptyEventRow(at: number, id: string, over: Partial<EventRow> = {}): EventRow {
  return eventRow({ id, receivedAt: at, path: 'am', alertCount: 0, executionCount: 0, ...over });
}

/**
 * A new run of flow `f` (revision 1) from node `am`, queued at `at` with a minute to its deadline;
 * its event id and dedup key are made from its id.
 */
export function executionSeed(at: number, id: string, over: Partial<NewExecution> = {}): NewExecution {
  return {
    id,
    flowId: 'f',
    flowRevision: 1,
    eventId: `ev-${id}`,
    sourceNodeId: 'am',
    dedupKey: `dk-${id}`,
    alert: JSON.stringify({ status: 'firing' }),
    status: 'queued',
    createdAt: at,
    updatedAt: at,
    deadlineAt: at + 60_000,
    fingerprint: 'fp1',
    ...over,
  };
}

/** A pending approval of run `executionId` at node `approve` (step `step-<id>`), asked at `at` with an hour to decide. */
export function approvalRow(at: number, id: string, executionId: string, over: Partial<ApprovalRow> = {}): ApprovalRow {
  return {
    id,
    executionId,
    stepId: `step-${id}`,
    nodeId: 'approve',
    message: 'Restart web-1?',
    status: 'pending',
    createdAt: at,
    deadlineAt: at + 3_600_000,
    decidedAt: null,
    decidedBy: null,
    comment: null,
    planHash: null,
    rules: null,
    ...over,
  };
}

/** A user row made at `at` (a person with no password, e-mail or SSO, shown by the username, unless told). */
export function userRow(at: number, id: string, username: string, over: Partial<UserRow> = {}): UserRow {
  return {
    id,
    kind: 'person',
    username,
    displayName: username,
    email: null,
    passwordHash: null,
    oidcIssuer: null,
    oidcSubject: null,
    admin: false,
    disabled: false,
    createdAt: at,
    updatedAt: at,
    lastSignInAt: null,
    ...over,
  };
}

/** A session of `userId` (null: the admin token's) made and last used at `at`, for an hour, with no address or user agent unless told. */
export function sessionRow(at: number, id: string, userId: string | null, over: Partial<SessionRow> = {}): SessionRow {
  return {
    id,
    tokenHash: `hash-${id}`,
    adminTokenFingerprint: '',
    createdAt: at,
    expiresAt: at + 3_600_000,
    lastUsedAt: at,
    userId,
    address: null,
    userAgent: null,
    ...over,
  };
}

/** An API token of `userId` in team ops with the viewer role, made at `at` for an hour, never used or revoked unless told. */
export function apiTokenRow(at: number, id: string, userId: string, over: Partial<ApiTokenRow> = {}): ApiTokenRow {
  return {
    id,
    userId,
    name: `token ${id}`,
    tokenHash: `hash-${id}`,
    teamId: 'ops',
    roles: '["viewer"]',
    createdAt: at,
    expiresAt: at + 3_600_000,
    lastUsedAt: null,
    revokedAt: null,
    ...over,
  };
}

/**
 * A stored secret of the default team written at `at` by admin. Its sealed columns are placeholders
 * (the store keeps what it is given; crypto.ts seals before).
 */
export function secretRow(at: number, name: string, over: Partial<SecretRow> = {}): SecretRow {
  return {
    name,
    ciphertext: 'c',
    iv: 'i',
    tag: 't',
    wrappedKey: 'w',
    keyId: 'k1',
    description: '',
    hosts: [],
    teamId: 'default',
    createdAt: at,
    updatedAt: at,
    updatedBy: 'admin',
    ...over,
  };
}

/** A promise and what opens it: a concurrency case holds one transaction open until the other has tried. */
export function gate(): [Promise<void>, () => void] {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return [opened, open];
}
