import type { ClientResponse } from 'hono/client';
import { z } from 'zod';
import { ApiError, apiFetch, call } from '../api/client.js';

/*
 * The secret store's API as the editor uses it. Until the server's routes (and their zod schemas
 * in shared/secrets-api.ts) are part of AppType, the shapes are declared here, exactly as the API
 * contract states them, and the requests go through the same fetch and error handling as the
 * typed client (`call`). Switching over: import the types from the shared module and replace the
 * three request functions with `api.secrets...` calls; nothing else in the editor changes.
 */

const SecretItemSchema = z.object({
  name: z.string(),
  description: z.string(),
  /** Where steps may send the value; empty: nowhere (sources may still check deliveries with it). */
  hosts: z.array(z.string()),
  source: z.enum(['store', 'environment']),
  /** A stored secret whose name the server environment also defines: the environment's value wins. */
  overriddenByEnvironment: z.boolean(),
  createdAt: z.string().nullable(),
  updatedAt: z.string().nullable(),
  updatedBy: z.string().nullable(),
  usedBy: z.array(z.object({ flowId: z.string(), flowName: z.string() })),
});

const SecretWriteSchema = z.object({
  value: z.string().optional(),
  description: z.string().optional(),
  hosts: z.array(z.string()).optional(),
});

/** One row of `GET /api/secrets`: everything about a secret except its value, which the API never sends. */
export type SecretItem = z.infer<typeof SecretItemSchema>;
/** The body of `PUT /api/secrets/:name`: only what changes (a new secret needs its value). */
export type SecretWrite = z.infer<typeof SecretWriteSchema>;

function secretPath(name?: string): string {
  return name === undefined ? '/api/secrets' : `/api/secrets/${encodeURIComponent(name)}`;
}

/** A request answered with JSON `T` (or nothing for 204), failing with the server's ApiError. */
function request<T>(path: string, init?: RequestInit): Promise<T> {
  return call(apiFetch(path, init) as unknown as Promise<ClientResponse<T, 200, 'json'>>) as Promise<T>;
}

/** Every secret the server knows, stored or from its environment, sorted by name. */
export async function listSecrets(): Promise<SecretItem[]> {
  const answer = await request<{ secrets: SecretItem[] }>(secretPath());
  return [...answer.secrets].sort((a, b) => a.name.localeCompare(b.name));
}

/** Creates secret `name` or changes it; the answer is its new list row. */
export function saveSecret(name: string, body: SecretWrite): Promise<SecretItem> {
  return request<SecretItem>(secretPath(name), { method: 'PUT', body: JSON.stringify(body) });
}

/** Deletes a stored secret. A 409 names the flows that still use it. */
export async function deleteSecret(name: string): Promise<void> {
  await request<undefined>(secretPath(name), { method: 'DELETE' });
}

/** The fields of the secret form a refusal can name. */
export type SecretField = 'name' | 'value' | 'description' | 'hosts';
const FIELDS: readonly SecretField[] = ['name', 'value', 'description', 'hosts'];

/**
 * Where to show a refused save: the field the server named (an issue's path, or `details.field`)
 * with its messages, or the form as a whole (`form`) when it named none.
 */
export function placeSaveError(error: unknown): { field: SecretField | 'form'; messages: string[] }[] {
  const message = error instanceof Error ? error.message : String(error);
  if (!(error instanceof ApiError)) return [{ field: 'form', messages: [message] }];
  const byField = new Map<SecretField | 'form', string[]>();
  const add = (field: SecretField | 'form', text: string) => byField.set(field, [...(byField.get(field) ?? []), text]);
  for (const issue of error.issues) {
    // A path may start with the request part (`body`, `param`) before the field.
    const field = issue.path.find((p): p is SecretField => FIELDS.includes(p as SecretField));
    const at = field === 'hosts' ? issue.path[issue.path.indexOf('hosts') + 1] : undefined;
    add(field ?? 'form', typeof at === 'number' ? `Entry ${at + 1}: ${issue.message}` : issue.message);
  }
  if (byField.size === 0) {
    const named = (error.details as { field?: unknown } | undefined)?.field;
    add(FIELDS.includes(named as SecretField) ? (named as SecretField) : 'form', message);
  }
  return [...byField].map(([field, messages]) => ({ field, messages }));
}

/** The flows a 409 on delete names (`details.usedBy` or `details.flows`), when it names them. */
export function flowsInConflict(error: unknown): { flowId: string; flowName: string }[] {
  if (!(error instanceof ApiError) || error.status !== 409) return [];
  const d = error.details as { usedBy?: unknown; flows?: unknown } | undefined;
  const list = Array.isArray(d?.usedBy) ? d.usedBy : Array.isArray(d?.flows) ? d.flows : [];
  return list.flatMap((f: unknown) => {
    const flow = f as { flowId?: unknown; flowName?: unknown; id?: unknown; name?: unknown };
    const flowId = typeof flow.flowId === 'string' ? flow.flowId : typeof flow.id === 'string' ? flow.id : null;
    if (!flowId) return [];
    const flowName = typeof flow.flowName === 'string' ? flow.flowName : typeof flow.name === 'string' ? flow.name : flowId;
    return [{ flowId, flowName }];
  });
}
