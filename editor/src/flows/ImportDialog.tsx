import { useEffect, useId, useRef } from 'react';
import type { FlowSummary } from '../../../shared/api-views.js';
import { Dialog } from '../ui/Dialog.js';
import type { RejectedFile } from './file-sources.js';
import { importButtonLabel, importFooterNote } from './import-messages.js';
import type { ImportSource } from './import-plan.js';
import { ImportFiles } from './ImportFiles.js';
import { ImportDone, ImportFailure } from './ImportOutcome.js';
import { ImportPaste } from './ImportPaste.js';
import { ImportPreview } from './ImportPreview.js';
import { useImportDialog } from './useImportDialog.js';

interface Props {
  /** The list as the page has it: tells which ids an import replaces. */
  existing: readonly FlowSummary[];
  /** Files picked here or dropped on the page (the page owns them so drops while open add here). */
  files: readonly ImportSource[];
  rejected: readonly RejectedFile[];
  onAddFiles: (files: File[]) => void;
  onRemoveFile: (name: string) => void;
  onImported: () => void;
  onClose: () => void;
  /** The team new flows land in (chosen before, when the caller may write in several). */
  team?: { id: string; name: string };
}

/**
 * One dialog for every way in: picked files, dropped files and pasted text. Everything given is
 * read and shown before it is sent as one request, which the server imports all or nothing.
 */
export function ImportDialog({ existing, files, rejected, onAddFiles, onRemoveFile, onImported, onClose, team }: Props) {
  const state = useImportDialog(files, existing, onImported, team?.id);
  const { plan, failure } = state;
  const failureBox = useRef<HTMLDivElement>(null);
  const ids = useId();

  // The answer is what the operator needs next: move focus (and the view) to it, which also keeps
  // focus inside the dialog after the Import button was busy.
  useEffect(() => {
    if (failure) failureBox.current?.focus();
  }, [failure]);

  if (state.done) return <ImportDone rows={state.done} onClose={onClose} />;

  return (
    <Dialog
      title={team ? `Import flows into ${team.name}` : 'Import flows'}
      wide
      onClose={onClose}
      testId="import-dialog"
      footer={
        <>
          <span className="muted small flow-footer-note">{importFooterNote(state.unreadable, state.tooBig, plan)}</span>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          {/* Busy is aria-disabled, not disabled: a disabled button drops keyboard focus out of the dialog. */}
          <button type="button" className="primary" disabled={!state.ready} aria-disabled={state.busy || undefined} onClick={state.send} data-testid="import-submit">
            {importButtonLabel(state.busy, plan)}
          </button>
        </>
      }
    >
      <p className="flow-dialog-intro">
        Import one flow document or a bundle <code>{'{ "flows": [ … ] }'}</code> (what <code>salve export</code> and Export write). Imported flows
        arrive <strong>disabled</strong>; a flow whose id already exists gets a new revision.
      </p>

      {failure && <ImportFailure ref={failureBox} error={failure.error} plan={failure.plan} />}

      <ImportFiles headingId={`${ids}-files`} readings={state.fileReadings} rejected={rejected} onAddFiles={onAddFiles} onRemoveFile={onRemoveFile} />
      <ImportPaste idBase={ids} text={state.pasted} onText={state.setPasted} reading={state.pasteReading} compact={files.length > 0} />

      {plan && state.unreadable.length === 0 && !failure && <ImportPreview headingId={`${ids}-preview`} rows={state.preview} showSource={plan.sourceCount > 1} />}
    </Dialog>
  );
}
