import { exactTime, formatRelative } from './time.js';
import { useNow } from './useNow.js';

/** "3 min ago" that keeps counting, with the exact time on hover and for assistive tech. */
export function RelativeTime({ iso, prefix, empty = '—' }: { iso: string | null | undefined; prefix?: string; empty?: string }) {
  const now = useNow();
  if (!iso) return <span className="muted">{empty}</span>;
  return (
    <time dateTime={iso} title={exactTime(iso)}>
      {prefix ? `${prefix} ` : ''}
      {formatRelative(iso, now)}
    </time>
  );
}
