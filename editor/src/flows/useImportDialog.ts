import { useDeferredValue, useMemo, useState } from 'react';
import type { FlowSummary } from '../../../shared/api-views.js';
import type { ApiError } from '../api/client.js';
import { importFlows } from './flows-api.js';
import { PASTED } from './import-messages.js';
import { IMPORT_BODY_LIMIT_BYTES, planImport, readSource, type ImportPlan, type ImportSource, type SourceReading } from './import-plan.js';
import { previewImport, summarizeImport, type ImportedRow } from './import-summary.js';

type ImportOutcome = { kind: 'failed'; error: ApiError | Error; plan: ImportPlan } | { kind: 'done'; rows: ImportedRow[] };

/**
 * The import dialog's state: every source read and planned as one body as it is given (the
 * pasted text a frame behind the typing), what the import would do, and the answer once sent.
 */
export function useImportDialog(files: readonly ImportSource[], existing: readonly FlowSummary[], onImported: () => void, team?: string) {
  const [pasted, setPasted] = useState('');
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<ImportOutcome>();
  const pastedNow = useDeferredValue(pasted);

  const readings = useMemo(() => {
    const sources = pastedNow.trim() === '' ? files : [...files, { name: PASTED, text: pastedNow }];
    return sources.map(readSource);
  }, [files, pastedNow]);
  const unreadable = readings.filter((r) => !r.ok);
  const plan = useMemo(() => planImport(readings), [readings]);
  const preview = useMemo(() => (plan ? previewImport(plan.flows, existing) : []), [plan, existing]);
  const tooBig = plan !== null && plan.bytes > IMPORT_BODY_LIMIT_BYTES;
  const ready = plan !== null && unreadable.length === 0 && !tooBig;

  // Server issues describe what was sent; once the input changes they would point at the wrong
  // thing, so a failure is shown only while the plan it was about is the current one.
  const failure = outcome?.kind === 'failed' && outcome.plan === plan ? outcome : undefined;

  const send = async () => {
    if (!ready || busy || !plan) return;
    setBusy(true);
    try {
      const { items } = await importFlows(plan.body, team);
      setOutcome({ kind: 'done', rows: summarizeImport(items, existing) });
      onImported();
    } catch (error) {
      setOutcome({ kind: 'failed', error: error as Error, plan });
    } finally {
      setBusy(false);
    }
  };

  return {
    pasted,
    setPasted,
    busy,
    /** The rows imported, once the import succeeded. */
    done: outcome?.kind === 'done' ? outcome.rows : undefined,
    failure,
    fileReadings: readings.slice(0, files.length),
    pasteReading: readings[files.length] as SourceReading | undefined,
    unreadable,
    plan,
    preview,
    tooBig,
    ready,
    send,
  };
}
