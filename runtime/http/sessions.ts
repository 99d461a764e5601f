import { createHash, randomBytes, scryptSync } from 'node:crypto';
import type { Actor } from '../../shared/audit.js';
import type { Logger } from '../log.js';
import { newId } from '../store/ids.js';
import type { SessionRow } from '../store/sessions-repo.js';
import type { Store } from '../store/store.js';
import type { StoreTx } from '../store/tx.js';

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
 * Browser sessions in the database, so they survive restarts and every process behind a load
 * balancer accepts them (PostgreSQL). The cookie value exists only in the Set-Cookie answer and
 * the browser; the database holds its SHA-256. Sessions that can no longer be used are deleted
 * when they are next presented and at every sign-in.
 */
export class SessionManager {
  private readonly fingerprint: string;

  constructor(
    private readonly store: Store,
    adminToken: string,
    private readonly now: () => number = Date.now,
    /** Where a failed bookkeeping write (a session's last use) is said; without it, it is dropped. */
    private readonly log?: Logger,
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
    const row: SessionRow = {
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
    };
    await this.store.write(async (tx) => {
      await tx.sessions.deleteUnusable({ now, idleBefore: now - SESSION_IDLE_MS, adminTokenFingerprint: this.fingerprint });
      await tx.sessions.insert(row);
      if (who.userId) await tx.people.updateUser(who.userId, { lastSignInAt: now });
      await tx.audit.append({ actor, action: 'session.sign_in', target: id, details: who.details, now });
    });
    return { id, cookieValue };
  }

  /** The usable sessions of one user, newest first (for their own list). */
  async listForUser(userId: string): Promise<SessionRow[]> {
    const now = this.now();
    const rows = await this.store.read((tx) => tx.sessions.forUser(userId));
    return rows.filter((r) => this.isUsable(r, now));
  }

  /** Ends one of a user's own sessions (audited); false if it is not theirs or already ended. */
  async endForUser(userId: string, sessionId: string, actor: Actor): Promise<boolean> {
    const now = this.now();
    return this.store.write(async (tx) => {
      const row = await tx.sessions.byId(sessionId);
      if (!row || row.userId !== userId || !(await tx.sessions.delete(row.id))) return false;
      await tx.audit.append({ actor, action: 'session.end', target: row.id, now });
      return true;
    });
  }

  /**
   * The session a cookie value belongs to, if it is usable now (counts as a use). A session
   * that expired or was made with another admin token is deleted and gives undefined.
   */
  async resolve(cookieValue: string): Promise<SessionRow | undefined> {
    if (!this.wellFormed(cookieValue)) return undefined;
    return this.accept(await this.store.read((tx) => this.lookup(tx, cookieValue)));
  }

  /** Whether a cookie value has the form `create()` hands out: anything else is not looked up. */
  wellFormed(cookieValue: string): boolean {
    return COOKIE_VALUE.test(cookieValue);
  }

  /**
   * The session of a cookie value as stored, read in the caller's transaction (the request's
   * authentication reads its user in the same one): no use recorded, not checked for expiry.
   * Pass what it finds to `accept`.
   */
  async lookup(tx: StoreTx, cookieValue: string): Promise<SessionRow | undefined> {
    if (!this.wellFormed(cookieValue)) return undefined;
    // Looking up by hash needs no constant-time compare: timing can at most reveal a hash prefix.
    return tx.sessions.byTokenHash(sha256(cookieValue));
  }

  /**
   * Judges a session `lookup` found: the row if it is usable now, and its use is recorded;
   * undefined otherwise, and it is deleted. Both writes are bookkeeping, made after the answer
   * (store.writeEventually): a request never waits on them, nor fails with them. A use is
   * written at most once a minute per session, so a busy session costs no write per request.
   */
  accept(row: SessionRow | undefined): SessionRow | undefined {
    if (!row) return undefined;
    const now = this.now();
    if (!this.isUsable(row, now)) {
      this.eventually((tx) => tx.sessions.delete(row.id), row.id, 'could not delete an ended session');
      return undefined;
    }
    if (now - row.lastUsedAt >= TOUCH_EVERY_MS) this.eventually((tx) => tx.sessions.touch(row.id, now), row.id, 'could not record a session use');
    return row;
  }

  /** Ends the session of a cookie value (audited); returns its id, or undefined if there was none. */
  async destroy(cookieValue: string, actor: Actor): Promise<string | undefined> {
    if (!this.wellFormed(cookieValue)) return undefined;
    const now = this.now();
    return this.store.write(async (tx) => {
      const row = await tx.sessions.byTokenHash(sha256(cookieValue));
      if (!row || !(await tx.sessions.delete(row.id))) return undefined;
      await tx.audit.append({ actor, action: 'session.sign_out', target: row.id, now });
      return row.id;
    });
  }

  /**
   * Records a refused sign-in: the address, and for a password sign-in the username tried
   * (`details`); never the token or password typed.
   */
  async signInRefused(address: string, details?: { username: string; reason: string }): Promise<void> {
    const now = this.now();
    await this.store.write((tx) =>
      tx.audit.append({ actor: { name: 'unknown', via: 'session', address }, action: 'session.sign_in_failed', target: 'session', details, now }),
    );
  }

  /** The session a cookie value belongs to, as stored (no use recorded, not checked for expiry); undefined if none. */
  async peek(cookieValue: string): Promise<SessionRow | undefined> {
    if (!this.wellFormed(cookieValue)) return undefined;
    return this.store.read((tx) => this.lookup(tx, cookieValue));
  }

  private isUsable(row: SessionRow, now: number): boolean {
    const sameToken = row.userId !== null || row.adminTokenFingerprint === this.fingerprint;
    return sameToken && now < row.expiresAt && now < row.lastUsedAt + SESSION_IDLE_MS;
  }

  /** A bookkeeping write off the request's path; a failure is logged (with the session id, never its hash) and dropped. */
  private eventually(fn: (tx: StoreTx) => Promise<unknown>, session: string, message: string): void {
    this.store.writeEventually(fn).catch((err: unknown) => this.log?.warn({ err, session }, message));
  }
}
