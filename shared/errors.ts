/**
 * The few typed errors Salve raises. Each carries a stable `code`; codes map to HTTP status in
 * one table (HTTP_STATUS, below) and the CLI maps them to exit codes.
 * Messages are written for operators: they name the field or thing that is wrong.
 */

/** One problem found in an input, located by a path into that input. */
export interface Issue {
  path: (string | number)[];
  message: string;
}

export type ErrorCode =
  | 'bad_request' // malformed input: not JSON, wrong shape at the envelope level (400)
  | 'unauthorized' // missing or wrong credentials (401)
  | 'forbidden' // authenticated, but the request is refused, e.g. a cross-origin browser request (403)
  | 'not_found' // (404)
  | 'conflict' // stale revision, duplicate id, decision already made (409)
  | 'payload_too_large' // (413)
  | 'unsupported_media_type' // (415)
  | 'validation_failed' // well-formed but invalid: issues name every field (422)
  | 'too_many_requests' // too many failed sign-ins from one address; retry later (429)
  | 'unavailable'; // overload or storage trouble; retry later (503)

/**
 * The HTTP status of each error code: the one table. runtime/http/errors.ts answers with it,
 * and the event log records the status a refused delivery was answered with.
 */
export const HTTP_STATUS = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  validation_failed: 422,
  too_many_requests: 429,
  unavailable: 503,
} as const satisfies Record<ErrorCode, number>;

export class SalveError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'SalveError';
  }
}

export class BadRequestError extends SalveError {
  constructor(message: string, details?: unknown) {
    super('bad_request', message, details);
  }
}

export class UnauthorizedError extends SalveError {
  constructor(message = 'authentication required') {
    super('unauthorized', message);
  }
}

export class ForbiddenError extends SalveError {
  constructor(message: string) {
    super('forbidden', message);
  }
}

export class NotFoundError extends SalveError {
  constructor(message: string) {
    super('not_found', message);
  }
}

export class ConflictError extends SalveError {
  constructor(message: string, details?: unknown) {
    super('conflict', message, details);
  }
}

export class PayloadTooLargeError extends SalveError {
  constructor(limitBytes: number) {
    super('payload_too_large', `request body is larger than ${limitBytes} bytes`);
  }
}

export class UnsupportedMediaTypeError extends SalveError {
  constructor(message = 'Content-Type must be application/json') {
    super('unsupported_media_type', message);
  }
}

export class ValidationError extends SalveError {
  constructor(
    message: string,
    readonly issues: Issue[],
  ) {
    super('validation_failed', message, { issues });
  }
}

export class UnavailableError extends SalveError {
  constructor(
    message: string,
    readonly retryAfterSeconds = 5,
  ) {
    super('unavailable', message);
  }
}

/** Too many attempts (failed sign-ins); the HTTP layer sends `Retry-After`. */
export class TooManyRequestsError extends SalveError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super('too_many_requests', message);
  }
}

/** Formats issues as `path: message` lines (CLI output, error messages). */
export function formatIssues(issues: Issue[]): string {
  return issues.map((i) => `${formatPath(i.path)}: ${i.message}`).join('\n');
}

/** `['nodes', 2, 'config', 'url']` → `nodes[2].config.url`; an empty path is `(root)`. */
export function formatPath(path: (string | number)[]): string {
  if (path.length === 0) return '(root)';
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`))
    .join('');
}

/** Converts zod issues to Salve issues, prefixing `base` to every path. */
export function issuesFromZod(
  zodIssues: readonly { path: readonly PropertyKey[]; message: string }[],
  base: (string | number)[] = [],
): Issue[] {
  return zodIssues.map((i) => ({
    path: [...base, ...i.path.map((p) => (typeof p === 'number' ? p : String(p)))],
    message: i.message,
  }));
}
