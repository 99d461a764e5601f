import { ReactFlowProvider } from '@xyflow/react';
import { ApiError } from '../api/client.js';
import { Editor } from '../flow-editor/Editor.js';
import { templateTestInput } from '../flow-editor/template-flow.js';
import { useLoadFlow } from '../flow-editor/useLoadFlow.js';
import { getFlowTemplate } from '../../../shared/templates/index.js';
import { navigate } from '../router.js';

/** `#/flows/<id>` edits a saved flow; `#/new` starts an empty one, `#/new?template=<id>` one from a template. */
export function FlowEditorPage({ flowId, templateId }: { flowId?: string; templateId?: string }) {
  const state = useLoadFlow(flowId, templateId);
  const template = templateId ? getFlowTemplate(templateId) : undefined;

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
      <Editor initialTest={template ? templateTestInput(template) : undefined} />
    </ReactFlowProvider>
  );
}
