import { useEffect, useState } from 'react';
import { getFlowTemplate } from '../../../shared/templates/index.js';
import { api, call, idParam } from '../api/client.js';
import { emptyFlow } from '../canvas/model.js';
import { useEditor } from '../canvas/store.js';
import { flowFromTemplate, freeTemplateFlowId } from './template-flow.js';

/**
 * Loads the flow `flowId` into the editor store, or a new flow: from template `templateId` (with
 * the template's id, or `<id>-2`… when a flow has it), or empty. 'loading', 'ready', or the error;
 * and, for a saved flow, the team that owns it and, for a provisioned one, the file it comes from.
 */
export function useLoadFlow(
  flowId: string | undefined,
  templateId?: string,
): { state: 'loading' | 'ready' | Error; team?: string; provisioned?: { file: string } } {
  const [state, setState] = useState<'loading' | 'ready' | Error>('loading');
  const [team, setTeam] = useState<string>();
  const [provisioned, setProvisioned] = useState<{ file: string }>();
  const load = useEditor((s) => s.load);

  useEffect(() => {
    if (templateId) {
      const template = getFlowTemplate(templateId);
      if (!template) {
        setState(new Error(`there is no template “${templateId}”`));
        return;
      }
      call(api.flows.$get()).then(
        ({ items }) => {
          load(flowFromTemplate(template, freeTemplateFlowId(template.id, new Set(items.map((f) => f.id)))), null);
          setState('ready');
        },
        (error: Error) => setState(error),
      );
      return;
    }
    if (!flowId) {
      load(emptyFlow(), null);
      setState('ready');
      return;
    }
    call(api.flows[':id'].$get(idParam(flowId))).then(
      (stored) => {
        load(stored.flow, stored.revision);
        setTeam(stored.team);
        setProvisioned(stored.provisioned);
        setState('ready');
      },
      (error: Error) => setState(error),
    );
  }, [flowId, templateId, load]);

  return { state, team, provisioned };
}
