import { api, call, idParam } from '../api/client.js';

/** The flow history calls of the History tab (docs/api.md). Errors are ApiError. */

export const listRevisions = async (flowId: string) => (await call(api.flows[':id'].revisions.$get(idParam(flowId)))).items;

export const getRevision = (flowId: string, revision: number) =>
  call(api.flows[':id'].revisions[':revision'].$get({ param: { id: encodeURIComponent(flowId), revision: String(revision) } }));

/** Saves `revision`'s document as a new revision over `expectedRevision` (409 when someone saved meanwhile). */
export const rollBack = (flowId: string, revision: number, expectedRevision: number) =>
  call(api.flows[':id'].rollback.$post({ ...idParam(flowId), json: { revision, expectedRevision } }));
