import { Fragment } from 'react';
import { getNodeDefinition } from '../../../nodes/catalog.js';
import { presentOutput, type OutputBlock, type OutputFact, type OutputView } from '../../../nodes/output-view.js';
import { AttachmentView } from './AttachmentView.js';
import { StatusPill } from './StatusPill.js';
import { JsonView, TextView } from './JsonView.js';
import { formatDuration } from '../../../nodes/format.js';

/** The readable form of a step's output, as its node type presents it (null: show the JSON). */
function readableView(nodeType: string, output: unknown): OutputView | null {
  return presentOutput(getNodeDefinition(nodeType), output);
}

function FactValue({ fact }: { fact: OutputFact }) {
  if ('durationMs' in fact) return <dd>{formatDuration(fact.durationMs, 'ms')}</dd>;
  if ('missing' in fact) {
    return (
      <dd>
        <StatusPill status="error" title={fact.missing} />
      </dd>
    );
  }
  const classes = [fact.status ? 'http-status' : '', fact.tone ? `tone-${fact.tone}` : ''].filter(Boolean).join(' ');
  return <dd className={fact.mono ? 'mono' : undefined}>{classes ? <span className={classes}>{fact.text}</span> : fact.text}</dd>;
}

function Block({ block }: { block: OutputBlock }) {
  switch (block.kind) {
    case 'note':
      return <div className={block.tone === 'error' ? 'tone-error' : 'muted small'}>{block.text}</div>;
    case 'text':
      return <TextView title={block.title} text={block.text} tone={block.tone} />;
    case 'json':
      return <JsonView title={block.title} value={block.value} />;
    case 'attachment':
      return <AttachmentView attachment={block.attachment} />;
  }
}

/**
 * A step's output as a person reads it, for the node types where JSON is in the way (a
 * command's exit code, stdout and stderr; an HTTP response's status and body): drawn from what
 * the node type's definition presents (`present(output)`), so this knows no node type. Others
 * return null and their output is shown as JSON by the caller.
 */
export function ReadableOutput({ nodeType, output }: { nodeType: string; output: unknown }) {
  const view = readableView(nodeType, output);
  if (!view) return null;
  return (
    <div className="readable-output stack">
      <dl className="kv">
        {view.facts.map((fact) => (
          <Fragment key={fact.label}>
            <dt>{fact.label}</dt>
            <FactValue fact={fact} />
          </Fragment>
        ))}
      </dl>
      {view.blocks.map((block, i) => (
        <Block key={i} block={block} />
      ))}
    </div>
  );
}

/** Whether ReadableOutput has something to show for this output. */
export function hasReadableOutput(nodeType: string, output: unknown): boolean {
  return readableView(nodeType, output) !== null;
}
