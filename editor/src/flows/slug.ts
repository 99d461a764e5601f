import { SLUG_MAX_LENGTH, SlugSchema } from '../../../shared/flow/schema.js';

/**
 * Why `id` cannot be a new flow's id, or null when it can. The server's SlugSchema stays the
 * authority; the specific checks before it only exist to say *what* to change, which the
 * schema's one message does not.
 */
export function flowIdProblem(id: string, taken: ReadonlySet<string> = new Set()): string | null {
  if (id === '') return 'Give the flow an id.';
  if (id.length > SLUG_MAX_LENGTH) return `Too long: ${id.length} characters, at most ${SLUG_MAX_LENGTH}.`;
  if (/[A-Z]/.test(id)) return 'Use lower-case letters only.';
  if (id.startsWith('-')) return 'Start with a letter or digit, not "-".';
  const bad = [...new Set(id.replace(/[a-z0-9-]/g, ''))];
  if (bad.length > 0) {
    const shown = bad.map((c) => (c === ' ' ? 'spaces' : `"${c}"`)).join(', ');
    return `${shown} not allowed: use lower-case letters, digits and "-".`;
  }
  if (!SlugSchema.safeParse(id).success) return 'Use lower-case letters, digits and "-", starting with a letter or digit.';
  if (taken.has(id)) return `A flow with id "${id}" already exists.`;
  return null;
}

/**
 * The id a new flow gets from its name while the operator has not chosen one: "Disk full on
 * /var" → `disk-full-on-var`. Accents are dropped, anything else becomes "-"; never empty.
 */
export function slugFromName(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, SLUG_MAX_LENGTH)
    .replace(/-+$/, '');
  return slug || 'new-flow';
}
