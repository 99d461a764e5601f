import { ApiError } from '../api/client.js';

/** Messages per form field, and `form` for what names no field the form shows. */
export type FieldErrors<F extends string> = Partial<Record<F | 'form', string[]>>;

/**
 * Where a refused request's messages go: each validation issue under the field its path names
 * (a path may start with the request part, `json`, before the field), anything else on the form
 * as a whole. `byStatus` places a refusal without issues by its status (e.g. 403 on "current"
 * for a wrong current password, 409 on "username" for a taken one).
 */
export function placeErrors<F extends string>(
  error: unknown,
  fields: readonly F[],
  byStatus: Partial<Record<number, { field: F | 'form'; message?: string }>> = {},
): FieldErrors<F> {
  const placed: FieldErrors<F> = {};
  const add = (field: F | 'form', text: string) => {
    placed[field] = [...(placed[field] ?? []), text];
  };
  if (!(error instanceof ApiError)) {
    add('form', error instanceof Error ? error.message : String(error));
    return placed;
  }
  for (const issue of error.issues) {
    const field = issue.path.find((p): p is F => fields.includes(p as F));
    add(field ?? 'form', issue.message);
  }
  if (error.issues.length > 0) return placed;
  const rule = byStatus[error.status];
  add(rule?.field ?? 'form', rule?.message ?? sentence(error.message));
  return placed;
}

/** A server message ("wrong username or password") as a sentence. */
export function sentence(text: string): string {
  const s = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(s) ? s : `${s}.`;
}
