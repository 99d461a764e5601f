import { useState } from 'react';
import type { FlowSummary, StoredFlow } from '../../../shared/api-views.js';
import { ApiError } from '../api/client.js';
import { toast } from '../ui/toast.js';
import { exportText, flowFileName } from './bundle.js';
import { downloadText } from './download.js';
import { deleteFlow, exportFlow, setFlowEnabled } from './flows-api.js';
import { without } from './flow-list.js';
import type { RowError } from './FlowsTable.js';

interface ListUpdates {
  patch: (stored: StoredFlow) => void;
  hide: (id: string) => void;
  refresh: () => void;
}

/**
 * What a row of the flows list does: enable or disable, export, delete. A refusal is kept under
 * its row until dismissed or retried; `pending` holds the rows whose switch is in flight.
 */
export function useFlowRowActions(list: ListUpdates) {
  const [pending, setPending] = useState<ReadonlySet<string>>(new Set());
  const [rowErrors, setRowErrors] = useState<Record<string, RowError>>({});

  const setRowError = (id: string, error: RowError | undefined) =>
    setRowErrors((all) => {
      const next = { ...all };
      if (error) next[id] = error;
      else delete next[id];
      return next;
    });

  const toggle = async (flow: FlowSummary, enabled: boolean) => {
    setPending((p) => new Set([...p, flow.id]));
    setRowError(flow.id, undefined);
    try {
      list.patch(await setFlowEnabled(flow.id, enabled));
      toast(
        enabled
          ? `Enabled “${flow.name}”: matching alerts now start it.`
          : `Disabled “${flow.name}”: new alerts no longer start it; runs in progress continue.`,
        'success',
      );
    } catch (error) {
      setRowError(flow.id, { what: enabled ? 'enable' : 'disable', error: error as Error });
    } finally {
      setPending((p) => without(p, flow.id));
      list.refresh();
    }
  };

  const exportOne = async (flow: FlowSummary) => {
    setRowError(flow.id, undefined);
    try {
      const doc = await exportFlow(flow.id);
      downloadText(flowFileName(flow.id), exportText(doc));
      toast(`Downloaded ${flowFileName(flow.id)}`, 'success');
    } catch (error) {
      setRowError(flow.id, { what: 'export', error: error as Error });
    }
  };

  /** Deletes `flow`; `onDeleted` runs once the server deleted it, just before its row goes. */
  const remove = async (flow: FlowSummary, onDeleted: () => void) => {
    setRowError(flow.id, undefined);
    try {
      await deleteFlow(flow.id);
      onDeleted();
      list.hide(flow.id);
      toast(`Deleted “${flow.name}”. Its run history is kept.`, 'success');
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) {
        list.hide(flow.id);
        toast(`“${flow.name}” was already deleted.`, 'info');
      } else {
        setRowError(flow.id, { what: 'delete', error: error as Error });
      }
    } finally {
      list.refresh();
    }
  };

  return { pending, rowErrors, dismissError: (id: string) => setRowError(id, undefined), toggle, exportOne, remove };
}
