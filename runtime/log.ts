import pino from 'pino';

export type Logger = pino.Logger;

/** Paths whose values never reach a log line. */
const REDACT = [
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'token',
  '*.token',
  'password',
  '*.password',
  'secret',
  '*.secret',
  'adminToken',
  '*.adminToken',
  'cookie',
  '*.cookie',
];

/** JSON-lines logger (pino) with credentials redacted as `***`. */
export function createLogger(opts: { level: string; destination?: NodeJS.WritableStream }): Logger {
  return pino(
    { level: opts.level, redact: { paths: REDACT, censor: '***' }, base: { app: 'salve' } },
    opts.destination ?? process.stderr,
  );
}
