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

/**
 * JSON-lines logger (pino) with credentials redacted as `***`. With `scrub`, every line passes
 * through it before it is written (the server scrubs every known secret, whatever logged it).
 */
export function createLogger(opts: { level: string; destination?: NodeJS.WritableStream; scrub?: (line: string) => string }): Logger {
  const destination = opts.destination ?? process.stderr;
  const scrub = opts.scrub;
  return pino(
    { level: opts.level, redact: { paths: REDACT, censor: '***' }, base: { app: 'salve' } },
    scrub ? { write: (line: string) => destination.write(scrub(line)) } : destination,
  );
}
