import { z } from 'zod';
import { truncate } from '../../../shared/text.js';
import { defineNodeType } from '../../node-type.js';

export const ForeachControlConfigSchema = z.strictObject({
  /** A CEL expression giving a list, e.g. `alert.labels.hosts.split(",")`. */
  items: z.string({ error: 'must be a CEL expression giving a list' }).trim().min(1, 'expression is empty').max(4096),
  /** How many items run at once. */
  concurrency: z.number({ error: 'must be a whole number from 1 to 16' }).int('must be a whole number').min(1).max(16).default(1),
  /** Most items a run may have; a list longer than this fails the step and runs nothing. */
  maxItems: z.number({ error: 'must be a whole number from 1 to 1000' }).int('must be a whole number').min(1).max(1000).default(100),
});

/** What one item of a loop ended with. */
const ItemResultSchema = z.object({
  index: z.number().int(),
  item: z.unknown(),
  /** No step of the item failed without an error branch that handled it. */
  ok: z.boolean(),
  /** What the item's steps produced, by node id. */
  steps: z.record(z.string(), z.unknown()),
  error: z.string().optional(),
});

/** What a `control.foreach` step records: the list and every item's result, in list order. */
const ForeachOutputSchema = z.object({ items: z.array(z.unknown()), results: z.array(ItemResultSchema) });

/** Runs a branch once per item of a list. */
export const foreachControl = defineNodeType({
  type: 'control.foreach',
  category: 'action',
  label: 'For each',
  defaultId: 'foreach',
  description: 'Runs the nodes on its "each" port once per item of a list (e.g. the hosts of an alert), then continues on "done" with every item\'s result.',
  icon: 'repeat',
  configSchema: ForeachControlConfigSchema,
  outputSchema: ForeachOutputSchema,
  outputs: ['each', 'done', 'error'],
  loopPort: 'each',
  // The loop itself changes nothing; the steps it runs declare their own effects.
  idempotent: true,
  sideEffects: false,
  expressions: (config) => [{ path: ['items'], kind: 'cel', source: config.items }],
  summary: (config) => `each of ${truncate(config.items, 60)}${config.concurrency > 1 ? ` (${config.concurrency} at once)` : ''}`,
  portHelp: {
    each: 'runs once per item; its steps read `item` and `index`',
    done: 'every item ended without an unhandled failure',
    error: 'at least one item had a step that failed with nothing to handle it (the others still ran)',
  },
  notes: [
    'Example: `items: alert.labels.hosts.split(",")` with an HTTP action on `each` whose URL is `http://{{ item }}:9100/cleanup`.',
    'The nodes reachable from `each` form the loop body: they run once per item, reading `item` (the element) and `index` (from 0). At most `concurrency` items run at once; the next starts when one ends. A list with more than `maxItems` elements fails the step before any item runs; an empty list continues on `done` at once.',
    'When every item has ended, the step continues on `done` (or on `error` if an item had a step that failed with nothing to handle it) with `{ items, results }`: one result per item, in list order, `{ index, item, ok, steps, error }`, where `steps` holds what the item\'s steps produced by node id. A failure inside an item does not end the execution: the loop reports it. With nothing on `error`, a failed item fails the execution once the loop ends.',
    'Nothing in the body may connect to a node outside it (continue after the loop from `done`), and loops cannot be nested. The loop is durable: finished items stay finished across a restart.',
  ],
  ui: {
    items: { widget: 'expression', language: 'cel', label: 'Items (CEL list)', help: 'A list, e.g. alert.labels.hosts.split(","). Steps on "each" read item and index.' },
    concurrency: { widget: 'number', label: 'Items at once', help: 'How many items run side by side; the next starts when one ends.' },
    maxItems: { widget: 'number', label: 'Most items', help: 'A longer list fails the step before any item runs.' },
  },
});
