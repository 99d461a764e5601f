import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createScrubber, MIN_ENCODED_SECRET_LENGTH, MIN_SECRET_LENGTH, REDACTED, scrubberFor, secretForms } from './scrub.js';
import { secretStoreFrom } from './secrets.js';

const SECRET = 'pa55:w/rd+?&"é é';
const scrubber = createScrubber([SECRET, 'other-secret-value']);
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const b64url = (s: string) => Buffer.from(s, 'utf8').toString('base64url');
const hex = (s: string) => Buffer.from(s, 'utf8').toString('hex');

describe('createScrubber', () => {
  it('replaces the secret as it is, in strings, deeply', () => {
    expect(scrubber.scrub({ a: [`x${SECRET}y`, 1, null, true], b: { c: SECRET } })).toEqual({ a: [`x${REDACTED}y`, 1, null, true], b: { c: REDACTED } });
  });

  it('scrubs object keys too', () => {
    const out = scrubber.scrub({ [SECRET]: 1, nested: [{ [`k-${SECRET}`]: SECRET }] });
    expect(JSON.stringify(out)).not.toContain('pa55');
    expect(out).toEqual({ [REDACTED]: 1, nested: [{ [`k-${REDACTED}`]: REDACTED }] });
  });

  it('keeps "__proto__" a plain key and scrubs null-prototype objects', () => {
    const parsed = JSON.parse(`{"__proto__": "${'other-secret-value'}", "x": 1}`);
    const out = scrubber.scrub(parsed) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(JSON.stringify(out)).toBe('{"__proto__":"***","x":1}');
    const bare = Object.assign(Object.create(null), { k: 'other-secret-value' });
    expect(JSON.stringify(scrubber.scrub(bare))).toBe('{"k":"***"}');
  });

  it('scrubs JSON-escaped copies (JavaScript, Python ensure_ascii, PHP slashes)', () => {
    const js = JSON.stringify({ token: SECRET });
    const python = js.replace(/é/g, '\\u00e9');
    const php = js.replaceAll('/', '\\/');
    const quotedBody = JSON.stringify({ reason: `answered 200, not a result: ${js}` }); // JSON text inside a JSON string
    for (const text of [js, python, php, quotedBody]) {
      expect(scrubber.text(`stdout: ${text}`), text).not.toMatch(/pa55/);
    }
  });

  it('scrubs URL-encoded copies: encodeURIComponent, + for spaces, form encoding, lower-case hex', () => {
    const component = encodeURIComponent(SECRET);
    const forms = [
      component,
      component.replaceAll('%20', '+'),
      new URLSearchParams({ t: SECRET }).toString(),
      component.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
      encodeURI(SECRET),
    ];
    for (const form of forms) expect(scrubber.text(`GET /x?t=${form}&y=1`), form).not.toMatch(/pa55/);
  });

  it('scrubs URL-encoded copies however much an encoder escaped, and values encoded twice', () => {
    const mixed = SECRET.replace('"', '%22').replace(' ', '+'); // `/`, `:` and `é` left as they are
    const twice = encodeURIComponent(encodeURIComponent(SECRET));
    const formTwice = encodeURIComponent(new URLSearchParams({ t: SECRET }).toString().slice(2));
    for (const form of [mixed, twice, formTwice, encodeURIComponent(b64(`u:${SECRET}`))]) {
      expect(scrubber.text(`GET /x?t=${form}&y=1`), form).toMatch(/^GET \/x\?t=.{0,12}\*\*\*.{0,6}&y=1$/);
    }
  });

  it('scrubs a secret cut off right before a cut marker, as messages and outputs are cut before they are scrubbed', () => {
    expect(scrubber.text(`Slack answered 400: token ${SECRET.slice(0, 9)}…`)).toBe(`Slack answered 400: token ${REDACTED}…`);
    expect(scrubber.text(`answered: "${SECRET.slice(0, 9)}…"`)).toBe(`answered: "${REDACTED}…"`);
    const marker = '\n[salve: output truncated after 1048576 bytes]';
    expect(scrubber.text(`${b64(`admin:${SECRET}`).slice(0, 16)}${marker}`)).toBe(`YWRtaW46${REDACTED}${marker}`);
    // A short remainder, one without a cut marker, or one in the middle of a text, is no cut-off secret.
    expect(scrubber.text(`ends with ${SECRET.slice(0, 5)}…`)).toBe(`ends with ${SECRET.slice(0, 5)}…`);
    expect(scrubber.text(`x-${SECRET.slice(0, 9)}`)).toBe(`x-${SECRET.slice(0, 9)}`);
    expect(scrubber.text(`${SECRET.slice(0, 9)} and more…`)).toBe(`${SECRET.slice(0, 9)} and more…`);
  });

  it('scrubs hex copies in either case', () => {
    expect(scrubber.text(`hex ${hex(SECRET)} HEX ${hex(SECRET).toUpperCase()}`)).toBe(`hex ${REDACTED} HEX ${REDACTED}`);
  });

  it('scrubs base64 and base64url at every offset inside a longer base64 text', () => {
    for (const prefix of ['', 'u', 'us', 'use', 'user:', 'a longer prefix:']) {
      for (const suffix of ['', '!', 'ab', 'xyz']) {
        const plain = `${prefix}${SECRET}${suffix}`;
        for (const encoded of [b64(plain), b64url(plain)]) {
          const out = scrubber.text(`Authorization: Basic ${encoded}`);
          expect(out, `${prefix}|${suffix}`).toContain(REDACTED);
          // What is left cannot be decoded back to the secret.
          for (const piece of out.split(REDACTED)) expect(Buffer.from(piece, 'base64').toString('latin1')).not.toContain('pa55:w');
        }
      }
    }
  });

  it('finds base64 of any secret at any offset (property)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: MIN_ENCODED_SECRET_LENGTH, maxLength: 40 }), fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), (secret, before, after) => {
        const s = createScrubber([secret]);
        const text = b64(`${before}${secret}${after}`);
        return s.text(text).includes(REDACTED);
      }),
    );
  });

  it('leaves at most one base64 character of the secret at each edge (property)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: MIN_ENCODED_SECRET_LENGTH, maxLength: 40 }), fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), (secret, before, after) => {
        const encoded = b64(`${before}${secret}${after}`);
        const out = createScrubber([secret]).text(encoded);
        const head = out.indexOf(REDACTED);
        const tail = out.length - out.lastIndexOf(REDACTED) - REDACTED.length;
        // The characters that carry any bit of the secret: [first, last).
        const b = Buffer.byteLength(before);
        const first = Math.floor((8 * b) / 6);
        const last = Math.ceil((8 * (b + Buffer.byteLength(secret))) / 6);
        return head >= 0 && head <= first + 1 && encoded.length - tail >= last - 1;
      }),
    );
  });

  it('matches base64 inside longer text only for secrets of the encoded minimum; shorter ones as a whole value', () => {
    const short = 'k3y!x'; // 5 bytes: its stable middles would be 4–5 base64 characters
    expect(short.length).toBeLessThan(MIN_ENCODED_SECRET_LENGTH);
    const s = createScrubber([short]);
    expect(s.text(`Basic ${b64(short)}`)).toBe(`Basic ${REDACTED}`);
    expect(s.text(`t=${b64url(short)}`)).toBe(`t=${REDACTED}`);
    // base64 data that happens to contain a short secret's middle is left alone.
    const middle = b64(`\0${short}`).slice(2, 6);
    const blob = `iVBORw0KGgo${middle}AAAANSUhEUg`;
    expect(s.text(blob)).toBe(blob);
  });

  it('replaces overlapping forms of different secrets as one, leaving no piece of either', () => {
    const s = createScrubber(['zz-first', 'first-secret-part']);
    expect(s.text('a zz-first-secret-part b')).toBe(`a ${REDACTED} b`);
    expect(s.text('x first-secret-partzz-first y')).toBe(`x ${REDACTED}${REDACTED} y`);
  });

  it('is built once per list of secrets, whatever their order', () => {
    expect(createScrubber(['one-secret', 'two-secret'])).toBe(createScrubber(['two-secret', 'one-secret', 'two-secret']));
  });

  it('scrubs every secret it was given, referenced or not, and leaves other text alone', () => {
    expect(scrubber.text('a other-secret-value b')).toBe(`a ${REDACTED} b`);
    expect(scrubber.scrub({ ok: 'nothing secret here', n: 5 })).toEqual({ ok: 'nothing secret here', n: 5 });
  });

  it('ignores secrets shorter than the minimum (they would match everywhere)', () => {
    const s = createScrubber(['abc', '']);
    expect(s.empty).toBe(true);
    expect(s.text('abc abc')).toBe('abc abc');
  });

  it('leaves non-plain objects alone', () => {
    const date = new Date(0);
    expect(scrubber.scrub({ when: date }).when).toBe(date);
  });
});

describe('scrubber.json', () => {
  it('scrubs decoded strings and keys of a JSON text, keeps its trailing newline, and keeps it valid JSON', () => {
    const line = `${JSON.stringify({ msg: 'failed', err: { message: `bad ${SECRET}`, [SECRET]: 1 } })}\n`;
    const out = scrubber.json(line);
    expect(out.endsWith('\n')).toBe(true);
    expect(JSON.parse(out)).toEqual({ msg: 'failed', err: { message: `bad ${REDACTED}`, [REDACTED]: 1 } });
  });

  it('returns a text without secrets unchanged, byte for byte', () => {
    const text = '{ "a": 1,   "b": [2] }';
    expect(scrubber.json(text)).toBe(text);
  });

  it('scrubs text that is not JSON as text', () => {
    expect(scrubber.json(`not json ${b64(SECRET)}`)).toContain(REDACTED);
  });
});

describe('secretForms', () => {
  it('lists each form once, longest first, none shorter than the minimum', () => {
    const forms = secretForms('abcd');
    expect(new Set(forms).size).toBe(forms.length);
    expect([...forms].sort((a, b) => b.length - a.length)).toEqual(forms);
    expect(forms.every((f) => f.length >= MIN_SECRET_LENGTH)).toBe(true);
    expect(forms).toContain('abcd');
    expect(forms).toContain('61626364');
  });
});

describe('scrubberFor', () => {
  it('builds the scrubber once per store, over all of its values', () => {
    const store = secretStoreFrom({ A: 'first-secret', B: 'second-secret' });
    const s = scrubberFor(store);
    expect(scrubberFor(store)).toBe(s);
    expect(s.text('first-secret second-secret')).toBe(`${REDACTED} ${REDACTED}`);
  });
});
