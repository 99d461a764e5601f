import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createScrubber } from './engine/secrets/scrub.js';
import { createLogger } from './log.js';

const SECRET = 'log-secret-value-9d2e';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, destination };
}

describe('createLogger', () => {
  it('passes every line through scrub: a secret in an error message, a key or base64 never reaches the log', () => {
    const { lines, destination } = capture();
    const scrubber = createScrubber([SECRET]);
    const log = createLogger({ level: 'info', destination, scrub: (line) => scrubber.json(line) });
    log.error({ err: new Error(`connect failed: token=${SECRET}`), [SECRET]: 1, basic: Buffer.from(`u:${SECRET}`).toString('base64') }, `oops ${SECRET}`);
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain(SECRET);
    expect(lines[0]!.endsWith('\n')).toBe(true);
    const entry = JSON.parse(lines[0]!);
    expect(entry.msg).toBe('oops ***');
    expect(entry.err.message).toBe('connect failed: token=***');
    expect(entry['***']).toBe(1);
    expect(entry.basic).toContain('***');
  });

  it('still redacts credential fields by name', () => {
    const { lines, destination } = capture();
    createLogger({ level: 'info', destination }).info({ headers: { authorization: 'Bearer x' } }, 'request');
    expect(JSON.parse(lines[0]!).headers.authorization).toBe('***');
  });
});
