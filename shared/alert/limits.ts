/**
 * Size limits every normalized alert is held to, whatever its source. Ingest enforces them
 * (nodes/source/limits.ts, applied to every alert a source produces) and the expression cost
 * estimate (shared/expr/cost.ts) relies on them, so they live here where both can read them.
 */

/** Most labels (and annotations) one alert may carry. */
export const MAX_LABELS_PER_ALERT = 256;
/** Largest label or annotation name or value, in UTF-8 bytes. */
export const MAX_VALUE_BYTES = 4096;
/**
 * Largest text field of an alert (`name`, `summary`, `description`, `fingerprint`, `dedupKey`,
 * the timestamps) and largest link, in UTF-8 bytes.
 */
export const MAX_ALERT_TEXT_BYTES = 16 * 1024;
