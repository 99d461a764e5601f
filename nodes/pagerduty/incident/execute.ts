import { defineExecutor, type ExecContext, type Resolved, type StepOutcome } from '../../executor.js';
import { serviceEndpoint } from '../../fields.js';
import { callJsonApi, isCallFailure, type JsonAnswer } from '../../json-api.js';
import { pagerdutyIncident, type PagerDutyIncidentConfig } from './definition.js';
import type { PagerDutyIncidentOutput } from './output.js';
import { errorOf, incidentIdOf, incidentRequest, pagerDutyHeaders, reasonOf, saysAlready, stepMarker } from './request.js';

type Config = Resolved<PagerDutyIncidentConfig>;

/** "PagerDuty answered 400: …", with a hint where the status says more than the words. */
function refusal(answer: JsonAnswer): string {
  const reason = reasonOf(answer);
  if (answer.status === 429) return `rate limited by PagerDuty (429); try again later: ${reason}`;
  return `PagerDuty answered ${answer.status}: ${reason}`;
}

/** A note as `GET /incidents/{id}/notes` lists it (only what the lookup reads). */
interface ListedNote {
  id?: unknown;
  content?: unknown;
}

/**
 * The note an earlier try of this step posted, found by the step's marker in its content;
 * undefined when there is none or the lookup failed (then the step posts: a second note is the
 * lesser harm than none).
 */
async function findOwnNote(config: Config, ctx: ExecContext, id: string): Promise<string | undefined> {
  try {
    const url = serviceEndpoint(config.baseUrl, `/incidents/${encodeURIComponent(id)}/notes`);
    const answer = await callJsonApi(ctx, { method: 'GET', url, headers: pagerDutyHeaders(config), timeoutSeconds: config.timeoutSeconds });
    const notes = (answer.json as { notes?: unknown } | undefined)?.notes;
    if (answer.status !== 200 || !Array.isArray(notes)) return undefined;
    const marker = stepMarker(ctx.idempotencyKey);
    const own = (notes as ListedNote[]).find((n) => typeof n.content === 'string' && n.content.includes(marker));
    return typeof own?.id === 'string' ? own.id : undefined;
  } catch (error) {
    if (isCallFailure(error)) return undefined;
    throw error;
  }
}

/**
 * Runs `pagerduty.incident`: acknowledges or resolves the run's PagerDuty incident, or posts a
 * note on it (REST API v2). Every call goes through the destination policy, which also checks
 * that the API key may go to the host. PagerDuty's refusals, a run without an incident, a
 * timeout or a network error go to `error` with the reason.
 */
export const executePagerDutyIncident = defineExecutor(pagerdutyIncident, async (config, ctx): Promise<StepOutcome<PagerDutyIncidentOutput>> => {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const { action } = config;
  const found = incidentIdOf(config, ctx.vars.alert);
  const incidentId = 'id' in found ? found.id : null;
  const output = (status: number | null, message: string, extra: Partial<PagerDutyIncidentOutput> = {}): PagerDutyIncidentOutput => ({
    action,
    incidentId,
    status,
    message,
    ...extra,
    durationMs: elapsed(),
  });
  const failed = (message: string, status: number | null, extra: Partial<PagerDutyIncidentOutput> = {}) =>
    ({ type: 'fail', port: 'error', error: message, output: output(status, message, extra) }) as const;
  if (!('id' in found)) return failed(found.problem, null);
  const id = found.id;

  try {
    if (action === 'note' && ctx.attempt > 1) {
      const own = await findOwnNote(config, ctx, id);
      if (own) return { type: 'next', port: 'ok', output: output(201, `kept note ${own} on incident ${id}, posted by an earlier try of this step`, { noteId: own, reused: true }) };
    }
    const request = incidentRequest(config, id, ctx.vars, { idempotencyKey: ctx.idempotencyKey, runUrl: ctx.runUrl });
    const answer = await callJsonApi(ctx, { ...request, headers: pagerDutyHeaders(config), timeoutSeconds: config.timeoutSeconds });
    const error = errorOf(answer);
    const errors = error && error.errors.length > 0 ? { errors: error.errors } : {};

    if (action === 'note') {
      const noteId = (answer.json as { note?: { id?: unknown } } | undefined)?.note?.id;
      if (answer.status === 201 || answer.status === 200) {
        return { type: 'next', port: 'ok', output: output(answer.status, `added a note to incident ${id}`, typeof noteId === 'string' ? { noteId } : {}) };
      }
      return failed(refusal(answer), answer.status, errors);
    }

    const status = action === 'acknowledge' ? 'acknowledged' : 'resolved';
    if (answer.status === 200) {
      const incidentStatus = (answer.json as { incident?: { status?: unknown } } | undefined)?.incident?.status;
      return { type: 'next', port: 'ok', output: output(200, `${status} incident ${id}`, typeof incidentStatus === 'string' ? { incidentStatus } : {}) };
    }
    if (saysAlready(error, status)) {
      // A repeat after a crash, or a person was quicker: the incident is as the step asked.
      return { type: 'next', port: 'ok', output: output(answer.status, `incident ${id} was already ${status}`, { incidentStatus: status, already: true, ...errors }) };
    }
    if (action === 'acknowledge' && saysAlready(error, 'resolved')) {
      return failed(`incident ${id} is already resolved: there is nothing to acknowledge (${refusal(answer)})`, answer.status, { incidentStatus: 'resolved', ...errors });
    }
    return failed(refusal(answer), answer.status, errors);
  } catch (error) {
    if (isCallFailure(error)) return failed(error.message, null);
    throw error;
  }
});
