import { useId, useState, type ReactNode } from 'react';
import { ApiErrorBanner } from '../runs/ApiErrorBanner.js';
import { Dialog } from '../ui/Dialog.js';
import { toast } from '../ui/toast.js';

interface Props {
  /** The button that opens the confirmation. */
  trigger: (open: () => void) => ReactNode;
  title: string;
  /** What the dialog says the action does (paragraphs). */
  children: ReactNode;
  keepLabel: string;
  confirmLabel: string;
  busyLabel: string;
  confirmClassName: string;
  placeholder: string;
  /** For the error banner: "Releasing". */
  doing: string;
  testIds: { dialog: string; confirm: string; comment: string };
  /** Does it, with the trimmed comment (undefined when empty); a rejection is shown in the dialog. */
  act: (comment: string | undefined) => Promise<unknown>;
  /** Said once it is done. */
  success: string;
  /**
   * Called after it is done, and after a failure too: a 409 means someone else acted meanwhile,
   * and the page behind the dialog should show the real state.
   */
  onSettled: () => void;
}

/**
 * A guard-rail action a person confirms with an optional comment (kept on the run or flow and in
 * the audit log): releasing a held run, resetting a tripped breaker.
 */
export function CommentedAction(props: Props) {
  const id = useId();
  const [asking, setAsking] = useState(false);
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await props.act(comment.trim() || undefined);
      toast(props.success, 'success');
      setAsking(false);
    } catch (err) {
      setError(err instanceof Error ? err : new Error(String(err)));
    } finally {
      setBusy(false);
      props.onSettled();
    }
  };
  return (
    <>
      {props.trigger(() => {
        setError(null);
        setAsking(true);
      })}
      {asking && (
        <Dialog
          title={props.title}
          onClose={() => !busy && setAsking(false)}
          testId={props.testIds.dialog}
          footer={
            <>
              <button type="button" onClick={() => setAsking(false)} disabled={busy}>
                {props.keepLabel}
              </button>
              <button type="button" className={props.confirmClassName} onClick={confirm} disabled={busy} data-testid={props.testIds.confirm}>
                {busy ? props.busyLabel : props.confirmLabel}
              </button>
            </>
          }
        >
          <div className="stack">
            {error && <ApiErrorBanner error={error} doing={props.doing} />}
            {props.children}
            <div className="field" style={{ margin: 0 }}>
              <label htmlFor={`${id}-comment`}>Comment (optional)</label>
              <textarea
                id={`${id}-comment`}
                className="release-comment"
                rows={3}
                maxLength={2000}
                value={comment}
                onChange={(e) => setComment(e.target.value)}
                placeholder={props.placeholder}
                data-testid={props.testIds.comment}
                data-autofocus
              />
            </div>
          </div>
        </Dialog>
      )}
    </>
  );
}
