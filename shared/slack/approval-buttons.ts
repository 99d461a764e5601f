/**
 * The Approve/Reject buttons `notify.slack` adds for an approval step (`approvalButtons`), and
 * how Salve reads a click on them back (runtime/http/slack/interactions.ts). A button's value
 * names the run, the approval node and the Slack step that posted it (whose loop item is the
 * approval's); Slack signs the whole interaction, so the value is trusted as far as Slack is.
 */

export const APPROVE_ACTION = 'salve_approve';
export const REJECT_ACTION = 'salve_reject';
/** The block the buttons are in: replaced by who decided once the approval ends. */
export const APPROVAL_BLOCK_ID = 'salve_approval';

/** What a button's value names. */
export interface ButtonTarget {
  executionId: string;
  /** The approval.request node. */
  nodeId: string;
  /** The notify.slack step that posted the buttons (its loop item is the approval's). */
  stepId: string;
}

export interface ButtonsBlock {
  type: 'actions';
  block_id: string;
  elements: {
    type: 'button';
    action_id: string;
    text: { type: 'plain_text'; text: string };
    style: 'primary' | 'danger';
    value: string;
  }[];
}

export function approvalButtons(target: ButtonTarget): ButtonsBlock {
  const value = JSON.stringify({ e: target.executionId, n: target.nodeId, st: target.stepId });
  return {
    type: 'actions',
    block_id: APPROVAL_BLOCK_ID,
    elements: [
      { type: 'button', action_id: APPROVE_ACTION, text: { type: 'plain_text', text: 'Approve' }, style: 'primary', value },
      { type: 'button', action_id: REJECT_ACTION, text: { type: 'plain_text', text: 'Reject' }, style: 'danger', value },
    ],
  };
}

/** The target of a button's value, or undefined when the value is not one Salve made. */
export function buttonTarget(value: string): ButtonTarget | undefined {
  try {
    const v = JSON.parse(value) as Record<string, unknown>;
    if (typeof v.e !== 'string' || typeof v.n !== 'string' || typeof v.st !== 'string') return undefined;
    return { executionId: v.e, nodeId: v.n, stepId: v.st };
  } catch {
    return undefined;
  }
}
