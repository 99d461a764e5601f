/** Secret names as shared/flow/schema.ts accepts them: upper-case letters, digits and `_`. */
const SECRET_NAME = /^[A-Z][A-Z0-9_]{0,63}$/;

/** Why `name` cannot be a secret name, or null when it can. */
export function secretNameProblem(name: string): string | null {
  if (name === '') return null;
  if (SECRET_NAME.test(name)) return null;
  if (SECRET_NAME.test(name.toUpperCase())) return `Secret names are upper-case: ${name.toUpperCase()}`;
  if (name.length > 64) return 'Secret names have at most 64 characters';
  return 'Use upper-case letters, digits and "_", starting with a letter (e.g. AM_TOKEN)';
}

/** The server environment variable a secret reference is read from. */
export function secretEnvVar(name: string): string {
  return `SALVE_SECRET_${name || '<NAME>'}`;
}
