import { Hono } from 'hono';
import { z } from 'zod';
import type { Page } from '../../shared/api-views.js';
import { AUDIT_VIAS, type AuditEntry } from '../../shared/audit.js';
import type { AuditRow } from '../store/audit-repo.js';
import type { Store } from '../store/store.js';
import { validQuery } from './validated.js';

const time = (name: string) =>
  z.iso
    .datetime({ offset: true, error: `${name} must be an RFC 3339 time, e.g. 2026-11-24T09:00:00Z` })
    .transform((v) => Date.parse(v))
    .optional();

export const AuditQuery = z
  .strictObject({
    limit: z.coerce.number({ error: 'limit must be a number from 1 to 200' }).int().min(1).max(200).default(50),
    /** The `nextCursor` of the previous page: rows older than it. */
    before: z.coerce.number({ error: 'before must be the nextCursor of the previous page' }).int().positive().optional(),
    actor: z.string().min(1).max(200).optional(),
    via: z.enum(AUDIT_VIAS, { error: `via must be one of ${AUDIT_VIAS.join(', ')}` }).optional(),
    /** An action (`flow.update`, `flow.breaker.reset`) or every action of a kind (`flow.*`). */
    action: z
      .string()
      .max(200)
      .regex(/^[a-z_]+(\.[a-z_]+)*(\.\*)?$/, 'action must be an action such as flow.update, or flow.* for every flow action')
      .optional(),
    /** Rows whose target starts with this (a flow id, a secret name, `ex_…`). */
    target: z.string().min(1).max(200).optional(),
    from: time('from'),
    to: time('to'),
  })
  .refine((q) => q.from === undefined || q.to === undefined || q.from <= q.to, { path: ['to'], message: 'to must not be before from' });

const parseJson = (text: string | null): unknown => (text === null ? null : JSON.parse(text));

function auditView(r: AuditRow): AuditEntry {
  return {
    id: r.id,
    at: new Date(r.at).toISOString(),
    actor: r.actor,
    via: r.via,
    address: r.address,
    action: r.action,
    target: r.target,
    details: parseJson(r.details),
    before: parseJson(r.before),
    after: parseJson(r.after),
    hash: r.hash,
  };
}

/** `GET /api/audit`: the audit log, newest first, filtered, a page at a time (see docs/api.md). */
export function auditRoutes(store: Store) {
  return new Hono().get('/', validQuery(AuditQuery), async (c) => {
    const q = c.req.valid('query');
    const rows = await store.read((tx) => tx.audit.list({ ...q, targetPrefix: q.target }));
    return c.json({ items: rows.map(auditView), nextCursor: rows.length === q.limit ? String(rows.at(-1)!.id) : null } satisfies Page<AuditEntry>);
  });
}
