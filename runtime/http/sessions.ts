import { createHash, randomBytes, scryptSync } from 'node:crypto';
import type { SqliteStore } from '../store/db.js';
import { peopleRepo } from '../store/people-repo.js';
import type { Actor } from '../../shared/audit.js';
import { appendAudit } from '../store/audit-repo.js';
import { newId } from '../store/ids.js';
import { sessionsRepo, type SessionRow } from '../store/sessions-repo.js';

/** A session unused for this long ends. */
export const SESSION_IDLE_MS = 12 * 3600_000;
/** A session ends this long after sign-in, however much it is used. */
export const SESSION_MAX_MS = 7 * 24 * 3600_000;
/** `last_used_at` is written at most this often per session: one write per request would be waste. */
const TOUCH_EVERY_MS = 60_000;
/** 32 random bytes in base64url: what `create()` hands out. Anything else is not looked up. */
const COOKIE_VALUE = /^[A-Za-z0-9_-]{43}$/;

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/**
 * A fingerprint of the admin token, stored with each session so that a new token ends every
 * older session. Deliberately slow (scrypt): SALVE_ADMIN_TOKEN may be chosen by a person, and a
 * copy of the database (a backup) must not make guessing it cheap. Computed once per process.
 */
function adminTokenFingerprint(adminToken: string): string {
  return scryptSync(adminToken, 'salve/session/admin-token-fingerprint/v1', 32, { N: 16384, r: 8, p: 1 }).toString('hex');
}

/**
 * Browser sessions in SQLite, so they survive restarts. The cookie value exists only in the
 * Set-Cookie answer and the browser; the database holds its SHA-256. Sessions that can no
 * longer be used are deleted when they are next presented and at every sign-in.
 */
export class SessionManager {
  private readonly fingerprint: string;

  constructor(
    private readonly store: SqliteStore,
    adminToken: string,
    private readonly now: () => number = Date.now,
  ) {
    this.fingerprint = adminTokenFingerprint(adminToken);
  }

  /**
   * Starts a session (audited, with `details`): of `userId` (whose last sign-in time it records),
   * or of the bootstrap admin token when it is absent. Returns the cookie value to send once, and
   * the session id.
   */
  async create(actor: Actor, who: { userId?: string; userAgent?: string; details?: unknown } = {}): Promise<{ id: string; cookieValue: string }> {
    const now = this.now();
    const cookieValue = randomBytes(32).toString('base64url');
    const id = newId('se', now);
    await this.store.write((db) => {
      sessionsRepo.deleteUnusable(db, { now, idleBefore: now - SESSION_IDLE_MS, adminTokenFingerprint: this.fingerprint });
      sessionsRepo.insert(db, {
        id,
        tokenHash: sha256(cookieValue),
        // Only admin-token sessions end with the token; a user's session is theirs.
        adminTokenFingerprint: who.userId ? '' : this.fingerprint,
        createdAt: now,
        expiresAt: now + SESSION_MAX_MS,
        lastUsedAt: now,
        userId: who.userId ?? null,
        address: actor.address ?? null,
        userAgent: who.userAgent?.slice(0, 300) ?? null,
      });
      if (who.userId) peopleRepo.updateUser(db, who.userId, { lastSignInAt: now });
      appendAudit(db, { actor, action: 'session.sign_in', target: id, details: who.details, now });
    });
    return { id, cookieValue };
  }

  /** The usable sessions of one user, newest first (for their own list). */
  listForUser(userId: string): SessionRow[] {
    const now = this.now();
    return sessionsRepo.forUser(this.store.db, userId).filter((r) => this.isUsable(r, now));
  }

  /** Ends one of a user's own sessions (audited); false if it is not theirs or already ended. */
  async endForUser(userId: string, sessionId: string, actor: Actor): Promise<boolean> {
    const now = this.now();
    return this.store.write((db) => {
      const row = sessionsRepo.byId(db, sessionId);
      if (!row || row.userId !== userId || !sessionsRepo.delete(db, row.id)) return false;
      appendAudit(db, { actor, action: 'session.end', target: row.id, now });
      return true;
    });
  }

  /**
   * The session a cookie value belongs to, if it is usable now (counts as a use). A session
   * that expired or was made with another admin token is deleted and gives undefined.
   */
  async resolve(cookieValue: string): Promise<SessionRow | undefined> {
    if (!COOKIE_VALUE.test(cookieValue)) return undefined;
    // Looking up by hash needs no constant-time compare: timing can at most reveal a hash prefix.
    const row = sessionsRepo.byTokenHash(this.store.db, sha256(cookieValue));
    if (!row) return undefined;
    const now = this.now();
    if (!this.isUsable(row, now)) {
      await this.store.write((db) => sessionsRepo.delete(db, row.id));
      return undefined;
    }
    if (now - row.lastUsedAt >= TOUCH_EVERY_MS) await this.store.write((db) => sessionsRepo.touch(db, row.id, now));
    return row;
  }

  /** Ends the session of a cookie value (audited); returns its id, or undefined if there was none. */
  async destroy(cookieValue: string, actor: Actor): Promise<string | undefined> {
    if (!COOKIE_VALUE.test(cookieValue)) return undefined;
    const now = this.now();
    return this.store.write((db) => {
      const row = sessionsRepo.byTokenHash(db, sha256(cookieValue));
      if (!row || !sessionsRepo.delete(db, row.id)) return undefined;
      appendAudit(db, { actor, action: 'session.sign_out', target: row.id, now });
      return row.id;
    });
  }

  /**
   * Records a refused sign-in: the address, and for a password sign-in the username tried
   * (`details`); never the token or password typed.
   */
  async signInRefused(address: string, details?: { username: string; reason: string }): Promise<void> {
    const now = this.now();
    await this.store.write((db) =>
      appendAudit(db, { actor: { name: 'unknown', via: 'session', address }, action: 'session.sign_in_failed', target: 'session', details, now }),
    );
  }

  /** The session a cookie value belongs to, as stored (no use recorded, not checked for expiry); undefined if none. */
  peek(cookieValue: string): SessionRow | undefined {
    if (!COOKIE_VALUE.test(cookieValue)) return undefined;
    return sessionsRepo.byTokenHash(this.store.db, sha256(cookieValue));
  }


  private isUsable(row: SessionRow, now: number): boolean {
    const sameToken = row.userId !== null || row.adminTokenFingerprint === this.fingerprint;
    return sameToken && now < row.expiresAt && now < row.lastUsedAt + SESSION_IDLE_MS;
  }
}
