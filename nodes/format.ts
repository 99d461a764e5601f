/** Replaces each `{{ … }}` part of `text` with `{{…}}`, so canvas summaries stay short. */
export function abbreviateTemplates(text: string): string {
  return text.replace(/\{\{[\s\S]*?\}\}/g, '{{…}}');
}

const UNITS: [number, string][] = [
  [86_400, 'd'],
  [3_600, 'h'],
  [60, 'min'],
  [1, 's'],
];

/** A whole number of seconds as people say it: `45 s`, `5 min`, `1 h 30 min`, `7 d`. */
export function formatDuration(seconds: number): string {
  let rest = Math.max(0, Math.round(seconds));
  if (rest === 0) return '0 s';
  const parts: string[] = [];
  for (const [size, unit] of UNITS) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)} ${unit}`);
      rest %= size;
    }
  }
  return parts.join(' ');
}
