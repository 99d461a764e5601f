import { ReactFlowProvider } from '@xyflow/react';
import { ApiError } from '../api/client.js';
import { Editor } from '../flow-editor/Editor.js';
import { templateTestInput } from '../flow-editor/template-flow.js';
import { useLoadFlow } from '../flow-editor/useLoadFlow.js';
import { getFlowTemplate } from '../../../shared/templates/index.js';
import { navigate } from '../router.js';

/**
 * `#/flows/<id>` edits a saved flow (`?tab=test`: on its Test tab); `#/new` starts an empty one,
 * `#/new?template=<id>` one from a template (on the Test tab, with the template's sample); `&team=<id>`
 * names the team a new flow is created in.
 */
export function FlowEditorPage({ flowId, initialTab, templateId, team }: { flowId?: string; initialTab?: 'test'; templateId?: string; team?: string }) {
  const { state, team: savedTeam, provisioned } = useLoadFlow(flowId, templateId);
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
      {/* A saved flow stays in its team; a new one is created in the team chosen before (`#/new?team=`). */}
      <Editor provisioned={provisioned} initialTab={initialTab} initialTest={template ? templateTestInput(template) : undefined} team={savedTeam ?? team} />
    </ReactFlowProvider>
  );
}
