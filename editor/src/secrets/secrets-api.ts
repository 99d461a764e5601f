import type { PutSecretBody, SecretListItem } from '../../../shared/secrets-api.js';
import { ApiError, api, call } from '../api/client.js';

/*
 * The secret store's API as the editor uses it: the typed client over `/api/secrets`, with the
 * shapes of shared/secrets-api.ts. No answer carries a value; the editor only ever sends one.
 */

/** One row of `GET /api/secrets`: everything about a secret except its value, which the API never sends. */
export type SecretItem = SecretListItem;
/** The body of `PUT /api/secrets/:name`: only what changes (a new secret needs its value). */
export type SecretWrite = PutSecretBody;

/** A route's `:name` parameter, encoded (the typed client puts parameters into the path as they are). */
function nameParam(name: string): { param: { name: string } } {
  return { param: { name: encodeURIComponent(name) } };
}

/** Every secret the server knows, stored or from its environment, sorted by name. */
export async function listSecrets(): Promise<SecretItem[]> {
  const answer = await call(api.secrets.$get());
  return [...answer.secrets].sort((a, b) => a.name.localeCompare(b.name));
}

/** Creates secret `name` (in `team`, when given) or changes it; the answer is its new list row. */
export function saveSecret(name: string, body: SecretWrite, team?: string): Promise<SecretItem> {
  return call(api.secrets[':name'].$put({ ...nameParam(name), query: team ? { team } : {}, json: body }));
}

/** Deletes a stored secret. A 409 names the flows that still use it. */
export async function deleteSecret(name: string): Promise<void> {
  await call(api.secrets[':name'].$delete(nameParam(name)));
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
