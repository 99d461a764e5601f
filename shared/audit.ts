/**
 * The audit log's shared vocabulary: who acted and how (API views and the editor read these).
 * `via`: `session` (the editor, signed in), `token` (the admin token as a bearer token), `cli`
 * (a `salve` command on the host), `slack` (a Slack interaction), `break-glass` (the bootstrap
 * admin token used where accounts exist), `system` (Salve itself, e.g. an approval timing out).
 */
export const AUDIT_VIAS = ['session', 'token', 'cli', 'slack', 'break-glass', 'system'] as const;
type AuditVia = (typeof AUDIT_VIAS)[number];

/** Who made a change: a name, how they came in, and from which client address (HTTP only). */
export interface Actor {
  name: string;
  via: AuditVia;
  address?: string;
  /**
   * The stable identity behind the name: `user:<id>`, or `admin` for the bootstrap admin token.
   * Recorded as a flow revision's author and a manual run's starter (no self-approval reads it).
   */
  identity?: string;
}

/** Salve itself (timeouts and other decisions nobody made by hand). */
export const SYSTEM_ACTOR: Actor = { name: 'salve', via: 'system' };
/** A `salve` command run on the host (it can only run with access to the data directory). */
export const CLI_ACTOR: Actor = { name: 'cli', via: 'cli' };

/** One audit row as `GET /api/audit` answers it. */
export interface AuditEntry {
  id: number;
  /** ISO time. */
  at: string;
  actor: string;
  via: string;
  address: string | null;
  action: string;
  target: string;
  details: unknown;
  before: unknown;
  after: unknown;
  hash: string;
}
