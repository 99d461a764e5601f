import { describe, expect, it } from 'vitest';
import { scrubberFor } from '../../engine/secrets/scrub.js';
import { secretStoreFrom, withScrubbedExtras } from '../../engine/secrets/secrets.js';
import { passwordOf, printableUrl } from './migrate.js';

describe('a PostgreSQL URL in outputs', () => {
  it('is printed without its password, and the password (decoded) is scrubbed from any output that still holds it', () => {
    const url = 'postgres://salve:s3cr%40t-pass@db.internal:5432/salve';
    expect(printableUrl(url)).toBe('postgres://salve:***@db.internal:5432/salve');
    expect(passwordOf(url)).toBe('s3cr@t-pass');
    expect(passwordOf('postgres://salve@db.internal/salve')).toBeUndefined();
    expect(passwordOf(undefined)).toBeUndefined();
    // As the server builds its scrubber: an error that quotes the password shows *** instead.
    const scrubber = scrubberFor(withScrubbedExtras(secretStoreFrom({}), [passwordOf(url)]));
    expect(scrubber.text('password authentication failed (tried s3cr@t-pass)')).not.toContain('s3cr@t-pass');
  });
});
