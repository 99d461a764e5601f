import type { ClientResponse } from 'hono/client';
import { api, call, idParam } from '../api/client.js';
import type { Execution } from '../../../shared/api-views.js';
import type { BreakerView, Guarded } from './limits-type.js';

/** The guard rails' routes (docs/api.md). Errors are ApiError. */

// TEMPORARY until the engine branch's routes are in AppType: the typed client is a proxy, so these calls work; their types are the contract's.
type Post = (args: unknown) => Promise<ClientResponse<unknown, 200, 'json'>>;
type Get = (args: unknown) => Promise<ClientResponse<unknown, 200, 'json'>>;
const loose = api as unknown as {
  executions: Record<':id', { release: { $post: Post } }>;
  flows: Record<':id', { breaker: { $get: Get; reset: { $post: Post } } }>;
};

/** POST /api/executions/:id/release: the run starts now (409 when it is not held). */
export const releaseRun = async (id: string, comment: string | undefined) =>
  (await call(loose.executions[':id'].release.$post({ ...idParam(id), json: comment ? { comment } : {} }))) as Execution & Guarded;

/** GET /api/flows/:id/breaker. */
export const getBreaker = async (flowId: string) => (await call(loose.flows[':id'].breaker.$get(idParam(flowId)))) as BreakerView;

/** POST /api/flows/:id/breaker/reset (409 when it is not tripped). */
export const resetBreaker = async (flowId: string, comment: string | undefined) =>
  (await call(loose.flows[':id'].breaker.reset.$post({ ...idParam(flowId), json: comment ? { comment } : {} }))) as BreakerView;
