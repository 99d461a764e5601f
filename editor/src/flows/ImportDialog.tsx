import { useDeferredValue, useEffect, useId, useMemo, useRef, useState, type Ref } from 'react';
import { CheckCircle2, FileJson, FileUp, X } from 'lucide-react';
import { ApiError } from '../api/client.js';
import type { FlowSummary } from '../../../shared/api-views.js';
import { Dialog } from '../ui/Dialog.js';
import type { RejectedFile } from './file-sources.js';
import { importFlows } from './flows-api.js';
import { IMPORT_BODY_LIMIT_BYTES, locateIssue, planImport, readSource, type ImportPlan, type ImportSource, type SourceReading } from './import-plan.js';
import { previewImport, summarizeImport, type ImportedRow } from './import-summary.js';
import { IssueList } from './IssueList.js';
import { describeJsonProblem } from './json-text.js';
import { RouteLink } from './RouteLink.js';

const PASTED = 'Pasted JSON';

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
}

type Outcome = { kind: 'failed'; error: ApiError | Error; plan: ImportPlan } | { kind: 'done'; rows: ImportedRow[] };

/**
 * One dialog for every way in: picked files, dropped files and pasted text. Everything given is
 * read and shown before it is sent as one request, which the server imports all or nothing.
 */
export function ImportDialog({ existing, files, rejected, onAddFiles, onRemoveFile, onImported, onClose }: Props) {
  const [pasted, setPasted] = useState('');
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>();
  const pastedNow = useDeferredValue(pasted);
  const textarea = useRef<HTMLTextAreaElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const chooseButton = useRef<HTMLButtonElement>(null);
  const failureBox = useRef<HTMLDivElement>(null);
  const ids = useId();

  const readings = useMemo(() => {
    const sources = pastedNow.trim() === '' ? files : [...files, { name: PASTED, text: pastedNow }];
    return sources.map(readSource);
  }, [files, pastedNow]);
  const fileReadings = readings.slice(0, files.length);
  const pasteReading: SourceReading | undefined = readings[files.length];
  const unreadable = readings.filter((r) => !r.ok);
  const plan = useMemo(() => planImport(readings), [readings]);
  const preview = useMemo(() => (plan ? previewImport(plan.flows, existing) : []), [plan, existing]);
  const tooBig = plan !== null && plan.bytes > IMPORT_BODY_LIMIT_BYTES;
  const ready = plan !== null && unreadable.length === 0 && !tooBig;

  // Server issues describe what was sent; once the input changes they would point at the wrong
  // thing, so a failure is shown only while the plan it was about is the current one.
  const failure = outcome?.kind === 'failed' && outcome.plan === plan ? outcome : undefined;

  // The answer is what the operator needs next: move focus (and the view) to it, which also keeps
  // focus inside the dialog after the Import button was busy.
  useEffect(() => {
    if (failure) failureBox.current?.focus();
  }, [failure]);

  const send = async () => {
    if (!ready || busy || !plan) return;
    setBusy(true);
    try {
      const { items } = await importFlows(plan.body);
      setOutcome({ kind: 'done', rows: summarizeImport(items, existing) });
      onImported();
    } catch (error) {
      setOutcome({ kind: 'failed', error: error as Error, plan });
    } finally {
      setBusy(false);
    }
  };

  const removeFile = (name: string) => {
    onRemoveFile(name);
    // Its remove button goes away with it; focus would fall out of the dialog.
    chooseButton.current?.focus();
  };

  const showInText = (offset: number) => {
    const el = textarea.current;
    if (!el) return;
    el.focus();
    el.setSelectionRange(offset, Math.min(offset + 1, el.value.length));
  };

  if (outcome?.kind === 'done') return <ImportDone rows={outcome.rows} onClose={onClose} />;

  return (
    <Dialog
      title="Import flows"
      wide
      onClose={onClose}
      testId="import-dialog"
      footer={
        <>
          <span className="muted small flow-footer-note">
            {unreadable.length > 0
              ? unreadable.length === 1 && unreadable[0]!.name === PASTED
                ? 'Fix the pasted JSON to import.'
                : `Fix or remove ${unreadable.length === 1 ? `“${unreadable[0]!.name}”` : `${unreadable.length} inputs`} to import.`
              : tooBig
                ? 'Over 4 MiB: import fewer flows at a time.'
                : plan
                  ? 'All or nothing: if any flow is invalid, none is imported.'
                  : ''}
          </span>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          {/* Busy is aria-disabled, not disabled: a disabled button drops keyboard focus out of the dialog. */}
          <button type="button" className="primary" disabled={!ready} aria-disabled={busy || undefined} onClick={send} data-testid="import-submit">
            {busy ? 'Importing…' : plan ? `Import ${plan.flows.length} ${plan.flows.length === 1 ? 'flow' : 'flows'}` : 'Import'}
          </button>
        </>
      }
    >
      <p className="flow-dialog-intro">
        Import one flow document or a bundle <code>{'{ "flows": [ … ] }'}</code> (what <code>salve export</code> and Export write). Imported flows
        arrive <strong>disabled</strong>; a flow whose id already exists gets a new revision.
      </p>

      {failure && <ImportFailure ref={failureBox} error={failure.error} plan={failure.plan} />}

      <section className="flow-import-section" aria-labelledby={`${ids}-files`}>
        <h3 id={`${ids}-files`}>Files</h3>
        <div className="row flow-import-pick">
          <button ref={chooseButton} type="button" onClick={() => fileInput.current?.click()} data-autofocus>
            <FileUp size={16} aria-hidden="true" /> Choose .json files…
          </button>
          {/* After the button: the dialog focuses the first input it finds. The button is what
              people (and keyboards) use; the input itself is hidden. */}
          <input
            ref={fileInput}
            type="file"
            accept=".json,application/json"
            multiple
            className="visually-hidden"
            tabIndex={-1}
            aria-hidden="true"
            data-testid="import-file-input"
            onChange={(e) => {
              const picked = [...(e.target.files ?? [])];
              e.target.value = ''; // so picking the same file again, after fixing it, is noticed
              if (picked.length) onAddFiles(picked);
            }}
          />
          <span className="muted">or drop them anywhere on this page. Several files are imported together.</span>
        </div>
        {(fileReadings.length > 0 || rejected.length > 0) && (
          <ul className="flow-file-list" data-testid="import-files">
            {fileReadings.map((r) => (
              <li key={r.name} className={r.ok ? '' : 'bad'}>
                <FileJson size={16} aria-hidden="true" />
                <span className="mono flow-file-name">{r.name}</span>
                <span className="flow-file-what">
                  <ReadingSummary reading={r} />
                </span>
                <button type="button" className="ghost icon small" aria-label={`Remove ${r.name}`} onClick={() => removeFile(r.name)}>
                  <X size={14} />
                </button>
              </li>
            ))}
            {rejected.map((r) => (
              <li key={`rejected:${r.name}`} className="skipped">
                <FileJson size={16} aria-hidden="true" />
                <span className="mono flow-file-name">{r.name}</span>
                <span className="flow-file-what muted">skipped: {r.reason}</span>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section className="flow-import-section">
        <label htmlFor={`${ids}-paste`} className="flow-section-title">
          Or paste JSON
        </label>
        <textarea
          ref={textarea}
          id={`${ids}-paste`}
          rows={files.length > 0 ? 3 : 8}
          value={pasted}
          spellCheck={false}
          placeholder={'{ "format": "salve.flow/v1", "id": "…", … }   or   { "flows": [ … ] }'}
          onChange={(e) => setPasted(e.target.value)}
          aria-invalid={pasteReading && !pasteReading.ok ? true : undefined}
          aria-describedby={pasteReading ? `${ids}-paste-status` : undefined}
          data-testid="import-paste"
        />
        {pasteReading && (
          <div id={`${ids}-paste-status`} className={pasteReading.ok ? 'field-help' : 'field-error'} data-testid="import-paste-status">
            <ReadingSummary reading={pasteReading} />
            {!pasteReading.ok && pasteReading.json?.offset !== undefined && (
              <>
                {' '}
                <button type="button" className="small" onClick={() => showInText(pasteReading.json!.offset!)}>
                  Show in text
                </button>
              </>
            )}
          </div>
        )}
      </section>

      {plan && unreadable.length === 0 && !failure && (
        <section className="flow-import-section" aria-labelledby={`${ids}-preview`}>
          <h3 id={`${ids}-preview`}>What will happen</h3>
          <table className="list flow-preview" data-testid="import-preview">
            <thead>
              <tr>
                <th>Id</th>
                <th>Name</th>
                {plan.sourceCount > 1 && <th>From</th>}
                <th>Result</th>
              </tr>
            </thead>
            <tbody>
              {preview.map((row, i) => (
                <tr key={i}>
                  <td className="mono">{row.id ?? <span className="muted">(no id)</span>}</td>
                  <td>{row.name ?? <span className="muted">(no name)</span>}</td>
                  {plan.sourceCount > 1 && <td className="mono small">{row.source}</td>}
                  <td>
                    {row.replaces ? (
                      <>
                        Replaces revision {row.replaces.revision} with a new revision
                        {row.replaces.enabled && <div className="flow-warn small">It is enabled now; the import disables it until you enable it again.</div>}
                      </>
                    ) : (
                      'New flow'
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </Dialog>
  );
}

/** One line about a source: what it holds, or why it cannot be imported. */
function ReadingSummary({ reading }: { reading: SourceReading }) {
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

/** How to try again with a fix: a file is picked again (same name replaces it); pasted text is edited in place. */
function howToRetry(plan: ImportPlan): string {
  const pasted = plan.flows.some((f) => f.source === PASTED);
  const picked = plan.flows.some((f) => f.source !== PASTED);
  const ways = [...(picked ? ['choose the fixed file again (it replaces the one listed)'] : []), ...(pasted ? ['edit the pasted JSON'] : [])];
  return `${ways.join(' or ')} and import again`;
}

function ImportFailure({ error, plan, ref }: { error: ApiError | Error; plan: ImportPlan; ref: Ref<HTMLDivElement> }) {
  const issues = error instanceof ApiError ? error.issues.map((i) => locateIssue(i, plan)) : [];
  return (
    <div ref={ref} tabIndex={-1} className="banner error flow-import-failure" role="alert" data-testid="import-error">
      <p>
        <strong>Nothing was imported.</strong>{' '}
        {issues.length > 0
          ? `The server found ${issues.length === 1 ? '1 problem' : `${issues.length} problems`}. Fix ${issues.length === 1 ? 'it' : 'them'}, then ${howToRetry(plan)}:`
          : error.message}
      </p>
      {issues.length > 0 && <IssueList issues={issues} testId="import-issues" />}
    </div>
  );
}

function ImportDone({ rows, onClose }: { rows: ImportedRow[]; onClose: () => void }) {
  const replaced = rows.filter((r) => r.replaced);
  const stopped = rows.filter((r) => r.wasEnabled);
  return (
    <Dialog
      title="Import flows"
      wide
      onClose={onClose}
      testId="import-dialog"
      footer={
        <button type="button" className="primary" onClick={onClose} data-autofocus>
          Done
        </button>
      }
    >
      <div className="flow-import-done" role="status" data-testid="import-result">
        <p className="row">
          <CheckCircle2 size={18} className="flow-ok-icon" aria-hidden="true" />
          <strong>
            Imported {rows.length === 1 ? '1 flow' : `${rows.length} flows`}
            {replaced.length > 0 && ` (${replaced.length} as a new revision of an existing flow)`}.
          </strong>
        </p>
        <p>
          {rows.length === 1 ? 'It arrived' : 'They arrived'} <strong>disabled</strong> — enable when ready.
          {stopped.length > 0 && (
            <span className="flow-warn">
              {' '}
              {stopped.length === 1 ? `${stopped[0]!.id} was enabled before and` : `${stopped.length} of them were enabled before and`} no longer
              receive alerts until enabled again.
            </span>
          )}
        </p>
      </div>
      <table className="list flow-preview">
        <thead>
          <tr>
            <th>Id</th>
            <th>Name</th>
            <th>Result</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id} data-testid={`import-result-${r.id}`}>
              <td className="mono">
                <RouteLink to={{ page: 'flow', id: r.id }}>{r.id}</RouteLink>
              </td>
              <td>{r.name}</td>
              <td>
                {r.replaced ? `Replaced an existing flow: now revision ${r.revision}` : 'New flow, revision 1'}
                {r.wasEnabled && <div className="flow-warn small">Was enabled; now disabled</div>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Dialog>
  );
}
