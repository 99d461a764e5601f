import { exactTime, formatRelative, parseTime } from './time.js';
import { useNow } from './useNow.js';

/** "times out in 14 min" for a pending approval; "timing out now" once the deadline passed. */
export function Deadline({ iso }: { iso: string }) {
  const now = useNow();
  const at = parseTime(iso);
  const overdue = at !== null && at <= now;
  return (
    <time dateTime={iso} title={exactTime(iso)} className={overdue ? 'tone-warning' : undefined}>
      {overdue ? 'timing out now' : `times out ${formatRelative(iso, now)}`}
    </time>
  );
}
