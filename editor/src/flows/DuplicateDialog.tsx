import { useEffect, useId, useMemo, useState } from 'react';
import { FLOW_NAME_MAX_LENGTH } from '../../../shared/flow/schema.js';
import { ApiError } from '../api/client.js';
import type { FlowSummary, StoredFlow } from '../../../shared/api-views.js';
import { Dialog } from '../ui/Dialog.js';
import { suggestCopyId, suggestCopyName } from './copy-id.js';
import { createFlow, getFlow } from './flows-api.js';
import { hookPaths } from './hook-paths.js';
import { IssueList } from './IssueList.js';
import { flowIdProblem } from './slug.js';

interface Props {
  flow: FlowSummary;
  /** Ids in the list; the suggestion avoids them (the server still has the last word: 409). */
  takenIds: ReadonlySet<string>;
  onClose: () => void;
  onCreated: (copy: StoredFlow) => void;
}

type Failure = { kind: 'id'; message: string } | { kind: 'api'; error: ApiError | Error };

/** Asks for the copy's name and id, then creates it disabled (POST /api/flows). */
export function DuplicateDialog({ flow, takenIds, onClose, onCreated }: Props) {
  const [original, setOriginal] = useState<StoredFlow>();
  const [loadError, setLoadError] = useState<Error>();
  const [name, setName] = useState(() => suggestCopyName(flow.name));
  const [id, setId] = useState(() => suggestCopyId(flow.id, takenIds));
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<Failure>();
  const formId = useId();

  useEffect(() => {
    let live = true;
    getFlow(flow.id).then(
      (stored) => live && setOriginal(stored),
      (error: Error) => live && setLoadError(error),
    );
    return () => {
      live = false;
    };
  }, [flow.id]);

  const idProblem = flowIdProblem(id, takenIds) ?? (failure?.kind === 'id' ? failure.message : null);
  const nameProblem = name.trim() === '' ? 'Give the copy a name.' : name.length > FLOW_NAME_MAX_LENGTH ? `At most ${FLOW_NAME_MAX_LENGTH} characters.` : null;
  const paths = useMemo(() => (original ? hookPaths(original.flow) : []), [original]);
  const canSubmit = original !== undefined && !idProblem && !nameProblem;

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    if (!canSubmit || busy || !original) return;
    setBusy(true);
    setFailure(undefined);
    try {
      // The whole document is copied; only what makes it a different flow changes. It starts
      // disabled so a copy never answers alerts before someone has looked at it.
      // The copy belongs to the original's team.
      const copy = await createFlow({ ...original.flow, id, name: name.trim(), enabled: false }, original.team);
      onCreated(copy);
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) setFailure({ kind: 'id', message: `A flow with id "${id}" already exists.` });
      else setFailure({ kind: 'api', error: error as Error });
      setBusy(false);
    }
  };

  // The id is pre-filled, so a problem is always the operator's latest edit: say it at once.
  const showIdProblem = idProblem !== null;
  const apiError = failure?.kind === 'api' ? failure.error : undefined;

  return (
    <Dialog
      title={`Duplicate “${flow.name}”`}
      onClose={onClose}
      testId="duplicate-dialog"
      footer={
        <>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button
            type="submit"
            form={formId}
            className="primary"
            disabled={!canSubmit}
            aria-disabled={busy || undefined}
            data-testid="duplicate-submit"
          >
            {busy ? 'Creating…' : 'Create copy and open it'}
          </button>
        </>
      }
    >
      <form id={formId} onSubmit={submit} noValidate>
        {loadError && (
          <div className="banner error" role="alert">
            Could not load “{flow.name}”: {loadError.message}
          </div>
        )}
        <div className="field">
          <label htmlFor={`${formId}-name`}>Name</label>
          <input
            id={`${formId}-name`}
            value={name}
            onChange={(e) => setName(e.target.value)}
            aria-invalid={nameProblem ? true : undefined}
            aria-describedby={nameProblem ? `${formId}-name-error` : undefined}
            data-autofocus
          />
          {nameProblem && (
            <div id={`${formId}-name-error`} className="field-error">
              {nameProblem}
            </div>
          )}
        </div>
        <div className="field">
          <label htmlFor={`${formId}-id`}>Id</label>
          <input
            id={`${formId}-id`}
            className="mono"
            value={id}
            spellCheck={false}
            autoCapitalize="off"
            autoComplete="off"
            onChange={(e) => {
              setId(e.target.value);
              if (failure?.kind === 'id') setFailure(undefined);
            }}
            aria-invalid={showIdProblem ? true : undefined}
            aria-describedby={`${formId}-id-help${showIdProblem ? ` ${formId}-id-error` : ''}`}
            data-testid="duplicate-id"
          />
          {showIdProblem && (
            <div id={`${formId}-id-error`} className="field-error" data-testid="duplicate-id-error">
              {idProblem}
            </div>
          )}
          <div id={`${formId}-id-help`} className="field-help">
            Lower-case letters, digits and “-”, up to 64 characters. It names the flow in URLs and cannot be changed later.
          </div>
        </div>
        <p className="flow-note">
          The copy starts <strong>disabled</strong>.
          {paths.length > 0 && (
            <>
              {' '}
              It listens on the same webhook {paths.length === 1 ? 'path' : 'paths'} as the original ({paths.map((p, i) => (
                <span key={p}>
                  {i > 0 && ', '}
                  <code>{p}</code>
                </span>
              ))}
              ): once both are enabled, every matching alert runs both.
            </>
          )}
        </p>
        {apiError && (
          <div className="banner error" role="alert" data-testid="duplicate-error">
            Could not create the copy: {apiError.message}
            {apiError instanceof ApiError && apiError.issues.length > 0 && <IssueList issues={apiError.issues} />}
          </div>
        )}
      </form>
    </Dialog>
  );
}
