import { api, call, idParam } from '../api/client.js';

/** The guard rails' routes (docs/api.md). Errors are ApiError. */

/** POST /api/executions/:id/release: the run starts now, the limits are not checked again (409 when it is not held). */
export const releaseRun = (id: string, comment: string | undefined) =>
  call(api.executions[':id'].release.$post({ ...idParam(id), json: comment ? { comment } : {} }));

/** GET /api/flows/:id/breaker. */
export const getBreaker = (flowId: string) => call(api.flows[':id'].breaker.$get(idParam(flowId)));

/** POST /api/flows/:id/breaker/reset (409 when it is not tripped); audited. */
export const resetBreaker = (flowId: string, comment: string | undefined) =>
  call(api.flows[':id'].breaker.reset.$post({ ...idParam(flowId), json: comment ? { comment } : {} }));
