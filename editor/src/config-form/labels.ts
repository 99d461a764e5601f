/**
 * Readable labels for config keys. Definitions can say more with `label` in their UI hints;
 * until then the key is turned into words (`timeoutSeconds` → "Timeout (seconds)"), with a
 * few keys spelled out where the words alone would be cryptic.
 */
const LABEL_OVERRIDES: Record<string, string> = {
  cwd: 'Working directory',
  env: 'Environment variables',
  auth: 'Authentication',
  on: 'Start on',
  url: 'URL',
};

/** What one element of a list or map field is called, for "Add header", "Remove argument 2". */
const ITEM_NOUNS: Record<string, string> = {
  headers: 'header',
  env: 'variable',
  command: 'argument',
  args: 'argument',
  argv: 'argument',
};

const ACRONYMS = new Set(['url', 'uri', 'id', 'http', 'https', 'json', 'cel', 'api', 'tls', 'ip', 'dns', 'ttl', 'sha', 'hmac']);
const UNITS = new Set(['seconds', 'minutes', 'hours', 'ms', 'millis', 'bytes', 'percent']);

/** `timeoutSeconds` → ["timeout", "seconds"]; `HTTPStatus` → ["http", "status"]; `max_len` → ["max", "len"]. */
export function splitKey(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[\s_\-.]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

/** A sentence-case label for a config key. */
export function labelFor(key: string): string {
  const override = LABEL_OVERRIDES[key];
  if (override) return override;
  const words = splitKey(key);
  if (words.length === 0) return key;
  let unit: string | undefined;
  if (words.length > 1 && UNITS.has(words[words.length - 1]!)) unit = words.pop();
  // `expectStatus` reads as a command; as a label it names what is expected.
  if (words[0] === 'expect' && words.length > 1) words[0] = 'expected';
  const text = words.map((w) => (ACRONYMS.has(w) ? w.toUpperCase() : w)).join(' ');
  const sentence = text.charAt(0).toUpperCase() + text.slice(1);
  return unit ? `${sentence} (${unit})` : sentence;
}

/** The noun for one item of field `key`: "header", "argument", else the label in lower case. */
export function itemNounFor(key: string): string {
  const noun = ITEM_NOUNS[key];
  if (noun) return noun;
  const label = labelFor(key).replace(/\s*\(.*\)$/, '');
  const lower = label.charAt(0).toLowerCase() + label.slice(1);
  // A plural key names its items in the singular ("labels" → "label"); others get "item".
  return /[^su]s$/.test(lower) ? lower.slice(0, -1) : `${lower} item`;
}
