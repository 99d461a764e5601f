import { z } from 'zod';
import { exceedsValueLimit, MAX_LABELS_PER_ALERT, MAX_VALUE_BYTES } from '../limits.js';

const text = z
  .string({ error: 'must be a string' })
  .refine((v) => !exceedsValueLimit(v), `value is longer than ${MAX_VALUE_BYTES} bytes`);

/** A Zabbix object id ({EVENT.ID}, {TRIGGER.ID}): digits, sent as a string or a number. */
const zabbixId = (macro: string) =>
  z
    .union([z.string(), z.number()], { error: `must be the numeric id Zabbix puts in ${macro}` })
    .transform((v) => String(v).trim())
    .pipe(z.string().regex(/^\d{1,20}$/, `must be the numeric id Zabbix puts in ${macro}`));

/** Unix seconds, as a number or a string of digits (what {EVENT.TIMESTAMP} gives). */
const unixSeconds = (macro: string) =>
  z
    .union([z.number(), z.string().regex(/^\d+$/, `must be Unix seconds, as ${macro} gives`)], { error: `must be Unix seconds, as ${macro} gives` })
    .transform((v) => Number(v))
    .refine((n) => Number.isInteger(n) && n > 0 && n < 32_503_680_000, `must be Unix seconds, as ${macro} gives`);

const flag = z.union([z.boolean(), z.literal(0), z.literal(1), z.literal('0'), z.literal('1')], { error: 'must be true or false' });

/**
 * The document Salve's media type (docs/zabbix/salve-media-type.js) posts, version "1": one
 * trigger event, flat, built from Zabbix macros. Unknown fields are allowed (a newer script may
 * send more).
 */
export const ZabbixEventSchema = z.looseObject(
  {
    version: z.literal('1', { error: 'unsupported document version (Salve reads version "1" of its media type)' }).optional(),
    /** {EVENT.ID}: the problem event, also in recovery and update messages. */
    eventId: zabbixId('{EVENT.ID}'),
    /** {EVENT.VALUE}: 1 problem, 0 recovery. */
    eventValue: z.union([z.literal(0), z.literal(1), z.literal('0'), z.literal('1')], {
      error: 'must be 1 (problem) or 0 (recovery), as {EVENT.VALUE} gives',
    }),
    /** {EVENT.UPDATE.STATUS} = 1: a problem update (acknowledged, commented…), not a new state. */
    eventUpdate: flag.optional(),
    updateAction: text.optional(),
    updateMessage: text.optional(),
    /** {EVENT.RECOVERY.ID}: the recovery event, in recovery messages only. */
    recoveryEventId: z.union([z.string(), z.number()]).transform(String).optional(),
    eventName: text.optional(),
    /** {EVENT.NSEVERITY} 0..5 (preferred: names can be renamed in Zabbix), or a severity name. */
    severity: z.union([z.number(), z.string()], { error: 'must be 0..5 or a Zabbix severity name' }).optional(),
    severityName: text.optional(),
    /** {EVENT.TIMESTAMP}: when the problem started. */
    eventTimestamp: unixSeconds('{EVENT.TIMESTAMP}'),
    /** {EVENT.RECOVERY.TIMESTAMP}: when it recovered (recovery messages). */
    recoveryTimestamp: z.preprocess((v) => (v === '' || v === 0 || v === null ? undefined : v), unixSeconds('{EVENT.RECOVERY.TIMESTAMP}').optional()),
    /** {EVENT.TAGSJSON}: `[{ "tag": "service", "value": "postgresql" }, …]`. */
    tags: z
      .array(z.looseObject({ tag: text.refine((t) => t.trim() !== '', 'tag name is empty'), value: text.default('') }), {
        error: 'must be the list of {"tag", "value"} objects {EVENT.TAGSJSON} gives',
      })
      .max(MAX_LABELS_PER_ALERT, `too many tags (at most ${MAX_LABELS_PER_ALERT})`)
      .default([]),
    opdata: text.optional(),
    triggerId: zabbixId('{TRIGGER.ID}'),
    triggerName: text.optional(),
    triggerStatus: text.optional(),
    triggerDescription: text.optional(),
    host: text.optional(),
    hostIp: text.optional(),
    /** {$ZABBIX.URL}: the frontend's address, for the event link. */
    zabbixUrl: text.optional(),
  },
  { error: "must be a JSON object: the document Salve's Zabbix media type posts" },
);
export type ZabbixEvent = z.infer<typeof ZabbixEventSchema>;

/**
 * The body Zulip's documented Zabbix media type posts: rendered macros, no ids but the event
 * link. Accepted so a Zabbix already set up that way can point at Salve (see docs/sources.md
 * for what it lacks).
 */
export const ZulipStyleSchema = z.looseObject({
  hostname: text,
  /** {TRIGGER.SEVERITY}: a severity name. */
  severity: text.optional(),
  /** {TRIGGER.STATUS}: PROBLEM or OK. */
  status: z
    .string({ error: 'must be "PROBLEM" or "OK"' })
    .transform((s) => s.trim().toUpperCase())
    .pipe(z.enum(['PROBLEM', 'OK'], { error: 'must be "PROBLEM" or "OK"' })),
  item: text.optional(),
  trigger: text.refine((t) => t.trim() !== '', 'the trigger name is empty'),
  /** `<frontend>/tr_events.php?triggerid=…&eventid=…`. */
  link: text.optional(),
});
export type ZulipStyleEvent = z.infer<typeof ZulipStyleSchema>;
