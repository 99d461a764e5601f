import { ReactFlowProvider } from '@xyflow/react';
import { ApiError } from '../api/client.js';
import { Editor } from '../flow-editor/Editor.js';
import { useLoadFlow } from '../flow-editor/useLoadFlow.js';
import { navigate } from '../router.js';

/** `#/flows/<id>` edits a saved flow (`?tab=test`: on its Test tab); `#/new` starts an empty one. */
export function FlowEditorPage({ flowId, initialTab }: { flowId?: string; initialTab?: 'test' }) {
  const state = useLoadFlow(flowId);

  if (state === 'loading') return <div className="empty">Loading flow…</div>;
  if (state instanceof Error)
    return (
      <div className="page">
        <div className="banner error">
          {state instanceof ApiError && state.status === 404 ? `There is no flow “${flowId}”.` : `The flow could not be loaded: ${state.message}`}
        </div>
        <button type="button" onClick={() => navigate({ page: 'flows' })}>
          Back to flows
        </button>
      </div>
    );
  return (
    <ReactFlowProvider>
      <Editor initialTab={initialTab} />
    </ReactFlowProvider>
  );
}
