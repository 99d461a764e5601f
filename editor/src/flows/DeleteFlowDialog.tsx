import type { FlowSummary } from '../../../shared/api-views.js';
import { ConfirmDialog } from '../ui/Dialog.js';

interface Props {
  flow: FlowSummary;
  onConfirm: () => void;
  onCancel: () => void;
}

/**
 * What DELETE /api/flows/:id does, as flow-service.ts and flows-repo.ts do it: the flow row goes,
 * so no new alert starts it; its revisions and executions stay, and executions already queued or
 * waiting keep running on the revision they started with (nothing is cancelled).
 */
export function DeleteFlowDialog({ flow, onConfirm, onCancel }: Props) {
  return (
    <ConfirmDialog
      title={`Delete “${flow.name}”?`}
      confirmLabel="Delete flow"
      danger
      onConfirm={onConfirm}
      onCancel={onCancel}
      message={
        <div className="flow-confirm">
          <p>
            <strong>{flow.name}</strong> (<code>{flow.id}</code>) will be removed from the list.
          </p>
          <ul>
            <li>
              {flow.enabled
                ? 'It is enabled: new alerts stop starting it as soon as it is deleted.'
                : 'It is disabled, so alerts are not starting it now either.'}
            </li>
            <li>
              <strong>Its run history is kept.</strong> Past runs stay on the Runs page, each with the revision it ran.
            </li>
            <li>Runs that are queued, running or waiting for an approval are not cancelled: they finish on the revision they started with.</li>
          </ul>
          <p className="muted">The editor cannot bring a deleted flow back. Export it first if you may need it again.</p>
        </div>
      }
    />
  );
}
