import { exactTime, formatRelative } from '../runs/time.js';
import { useNow } from '../runs/useNow.js';

const iso = (at: number) => new Date(at).toISOString();

/** "3 min ago" for a time in ms since the epoch, with the exact time on hover. */
export function When({ at }: { at: number }) {
  const now = useNow();
  return (
    <time dateTime={iso(at)} title={exactTime(iso(at))}>
      {formatRelative(iso(at), now)}
    </time>
  );
}
