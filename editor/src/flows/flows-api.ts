import { api, call, idParam } from '../api/client.js';
import type { Flow } from '../../../shared/flow/schema.js';
import { buildBundle, type FlowBundle } from './bundle.js';

/** The /api/flows calls the Flows page makes (docs/api.md). Errors are ApiError. */

export const listFlows = () => call(api.flows.$get());

export const getFlow = (id: string) => call(api.flows[':id'].$get(idParam(id)));

/** The server validates the whole flow again, so enabling can be refused (422 with issues). */
export const setFlowEnabled = (id: string, enabled: boolean) =>
  call(enabled ? api.flows[':id'].enable.$post(idParam(id)) : api.flows[':id'].disable.$post(idParam(id)));

/** Creates `flow` in `team` (without one: the server picks the caller's only team it may write in). */
export const createFlow = (flow: Flow, team?: string) => call(api.flows.$post({ json: flow, query: teamQuery(team) }));

export const deleteFlow = (id: string) => call(api.flows[':id'].$delete(idParam(id)));

/** All or nothing; imported flows arrive disabled; an existing id gets a new revision. */
export const importFlows = (body: unknown, team?: string) => call(api.flows.import.$post({ json: body, query: teamQuery(team) }));

/** `?team=<id>` for the routes that create flows; none when no team was chosen. */
export function teamQuery(team: string | undefined): { team?: string } {
  return team ? { team } : {};
}

/** The flow document as GET /api/flows/:id/export serves it (what `salve export <id>` writes). */
export const exportFlow = (id: string): Promise<unknown> => call(api.flows[':id'].export.$get(idParam(id)));

/**
 * `salve export --all`: GET /api/flows, then each flow's export, in list order. There is no
 * bundle route. A few requests run at once, so a long list does not take one round trip per flow;
 * if any fails the whole export fails, as the CLI's does, rather than leaving flows out.
 */
export async function exportAllFlows(concurrency = 4): Promise<FlowBundle> {
  const { items } = await listFlows();
  const docs: unknown[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      docs[i] = await exportFlow(items[i]!.id);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return buildBundle(docs);
}
