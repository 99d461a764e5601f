import type { SourceReading } from './import-plan.js';
import { describeJsonProblem } from './json-text.js';

/** One line about a source to import: what it holds, or why it cannot be imported. */
export function ReadingSummary({ reading }: { reading: SourceReading }) {
  if (!reading.ok) {
    return <span>{reading.json ? `Not valid JSON — ${describeJsonProblem(reading.json)}` : reading.problem}</span>;
  }
  if (reading.kind === 'bundle') {
    const n = reading.flows.length;
    return <span>bundle of {n === 1 ? '1 flow' : `${n} flows`}</span>;
  }
  const id = reading.flows[0]?.id;
  return <span>{id ? <>flow <code>{id}</code></> : 'one flow document'}</span>;
}
