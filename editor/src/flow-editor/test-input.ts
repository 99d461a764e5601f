import { z } from 'zod';

/**
 * What the operator chose to test a flow with: a source node and the payload it receives, and
 * where the payload came from (a sample, a pasted payload, or a stored delivery). Kept per flow
 * in `sessionStorage` (see `saveTestInput`), so a reload keeps the choice and closing the tab
 * forgets it: a real delivery's body may hold host names the operator would not leave lying around.
 */
const TestInputSchema = z.object({
  sourceNodeId: z.string().min(1),
  /** The sample's name, `custom` for a pasted (or edited) payload, `delivery` for a stored delivery. */
  sample: z.string(),
  payloadText: z.string(),
  /** Set when the payload is the body of a stored delivery (`sample` is `delivery` then). */
  delivery: z
    .object({
      eventId: z.string().min(1),
      /** How the Test tab names it, e.g. `Delivery 14:02:11 · accepted · DiskFull`. */
      label: z.string(),
    })
    .optional(),
});
export type TestInput = z.infer<typeof TestInputSchema>;

/** The `sample` of a TestInput whose payload is a stored delivery's body. */
export const DELIVERY_SAMPLE = 'delivery';

/** The part of `sessionStorage` the choice needs (tests pass a plain object). */
export interface TestInputStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
  readonly length: number;
  key(index: number): string | null;
}

const KEY_PREFIX = 'salve.editor.test.';

export function testInputKey(flowId: string): string {
  return `${KEY_PREFIX}${flowId}`;
}

/** `sessionStorage`, or null where there is none or it may not be used (private windows can throw). */
export function browserSessionStorage(): TestInputStorage | null {
  try {
    return typeof sessionStorage === 'undefined' ? null : sessionStorage;
  } catch {
    return null;
  }
}

/** The choice stored for `flowId`; null when there is none or it is not one (old shape, garbage, storage that throws). */
export function loadTestInput(storage: TestInputStorage | null, flowId: string): TestInput | null {
  try {
    const text = storage?.getItem(testInputKey(flowId));
    if (!text) return null;
    const parsed = TestInputSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Remembers the choice for `flowId`; a storage that refuses (full, disabled) only means it is not remembered. */
export function saveTestInput(storage: TestInputStorage | null, flowId: string, input: TestInput): void {
  try {
    storage?.setItem(testInputKey(flowId), JSON.stringify(input));
  } catch {
    // Not remembered, still applied: the Test tab goes on with the choice.
  }
}

/** Forgets every flow's choice (on sign-out: the next person at this browser must not find them). */
export function clearTestInputs(storage: TestInputStorage | null): void {
  try {
    if (!storage) return;
    const keys: string[] = [];
    for (let i = 0; i < storage.length; i++) {
      const key = storage.key(i);
      if (key?.startsWith(KEY_PREFIX)) keys.push(key);
    }
    for (const key of keys) storage.removeItem(key);
  } catch {
    // Nothing stored that can be reached: nothing to forget.
  }
}

/**
 * The input a flow's Test tab starts with: the stored choice, else `initial` (e.g. a template's
 * sample), each only while its source node is still in the flow; null lets the tab pick the
 * first sample.
 */
export function startingTestInput(
  stored: TestInput | null,
  initial: TestInput | undefined,
  nodeIds: readonly string[],
): TestInput | null {
  for (const candidate of [stored, initial]) {
    if (candidate && nodeIds.includes(candidate.sourceNodeId)) return candidate;
  }
  return null;
}
