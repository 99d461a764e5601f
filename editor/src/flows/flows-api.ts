import { api } from '../api/client.js';
import type { FlowSummary, Page, StoredFlow } from '../api/types.js';
import type { Flow } from '../../../shared/flow/schema.js';
import { buildBundle, type FlowBundle } from './bundle.js';

/** The /api/flows calls the Flows page makes (docs/api.md). Errors are ApiError. */

const path = (id: string, rest = '') => `/api/flows/${encodeURIComponent(id)}${rest}`;

export const listFlows = () => api.get<Pick<Page<FlowSummary>, 'items'>>('/api/flows');

export const getFlow = (id: string) => api.get<StoredFlow>(path(id));

/** The server validates the whole flow again, so enabling can be refused (422 with issues). */
export const setFlowEnabled = (id: string, enabled: boolean) => api.post<StoredFlow>(path(id, enabled ? '/enable' : '/disable'));

export const createFlow = (flow: Flow) => api.post<StoredFlow>('/api/flows', flow);

export const deleteFlow = (id: string) => api.delete(path(id));

/** All or nothing; imported flows arrive disabled; an existing id gets a new revision. */
export const importFlows = (body: unknown) => api.post<{ items: StoredFlow[] }>('/api/flows/import', body);

/** The flow document as GET /api/flows/:id/export serves it (what `salve export <id>` writes). */
export const exportFlow = (id: string) => api.get<unknown>(path(id, '/export'));

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
