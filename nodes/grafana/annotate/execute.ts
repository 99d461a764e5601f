import { defineExecutor, type ExecContext, type Resolved, type StepOutcome } from '../../executor.js';
import { serviceEndpoint } from '../../fields.js';
import { callJsonApi, isCallFailure } from '../../json-api.js';
import { annotationBody, markerTag, reasonOf } from './annotation.js';
import { grafanaAnnotate, type AnnotateConfig } from './definition.js';
import type { AnnotationOutput } from './output.js';

type Config = Resolved<AnnotateConfig>;

const headersOf = (config: Config) => ({ Authorization: `Bearer ${config.token}` });

/** An annotation as `GET /api/annotations` lists it (only what the lookup reads). */
interface ListedAnnotation {
  id?: unknown;
  tags?: unknown;
}

/**
 * The annotation an earlier try of this step added, found by the step's marker tag; undefined
 * when there is none or the lookup failed (then the step posts: a second annotation is the
 * lesser harm than none).
 */
async function findOwn(config: Config, ctx: ExecContext, marker: string): Promise<number | undefined> {
  const url = serviceEndpoint(config.url, '/api/annotations');
  url.searchParams.set('tags', marker);
  url.searchParams.set('limit', '10');
  try {
    const answer = await callJsonApi(ctx, { method: 'GET', url, headers: headersOf(config), timeoutSeconds: config.timeoutSeconds });
    if (answer.status !== 200 || !Array.isArray(answer.json)) return undefined;
    // Checked here too: a Grafana that ignored the filter must not make the step keep another's annotation.
    const own = (answer.json as ListedAnnotation[]).find((a) => Array.isArray(a.tags) && a.tags.includes(marker));
    return typeof own?.id === 'number' ? own.id : undefined;
  } catch (error) {
    if (isCallFailure(error)) return undefined;
    throw error;
  }
}

/**
 * Runs `grafana.annotate`: adds an annotation for the run to the alert's dashboard and panel (or
 * the organization). Every call goes through the destination policy, which also checks that the
 * token may go to the host. Grafana's refusals, a dashboard or panel that is not one, a timeout
 * or a network error go to `error` with the reason.
 */
export const executeAnnotate = defineExecutor(grafanaAnnotate, async (config, ctx): Promise<StepOutcome<AnnotationOutput>> => {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const built = annotationBody(config, ctx.vars, { now: ctx.now(), idempotencyKey: ctx.idempotencyKey, runUrl: ctx.runUrl });
  if (typeof built === 'string') {
    return { type: 'fail', port: 'error', error: built, output: { annotationId: null, status: null, message: built, dashboardUid: null, panelId: null, durationMs: elapsed() } };
  }
  const { body, target } = built;
  const shown = { ...target, tags: body.tags, time: body.time, ...(body.timeEnd !== undefined ? { timeEnd: body.timeEnd } : {}) };
  const failed = (message: string, status: number | null) =>
    ({ type: 'fail', port: 'error', error: message, output: { annotationId: null, status, message, ...shown, durationMs: elapsed() } }) as const;
  const where = target.dashboardUid === null ? 'the organization' : `dashboard ${target.dashboardUid}${target.panelId === null ? '' : ` panel ${target.panelId}`}`;

  try {
    if (ctx.attempt > 1) {
      const own = await findOwn(config, ctx, markerTag(ctx.idempotencyKey));
      if (own !== undefined) {
        return {
          type: 'next',
          port: 'ok',
          output: { annotationId: own, status: 200, message: `kept annotation ${own}, added by an earlier try of this step`, ...shown, reused: true, durationMs: elapsed() },
        };
      }
    }
    const answer = await callJsonApi(ctx, { method: 'POST', url: serviceEndpoint(config.url, '/api/annotations'), headers: headersOf(config), body, timeoutSeconds: config.timeoutSeconds });
    const id = (answer.json as { id?: unknown } | undefined)?.id;
    if (answer.status === 200 && typeof id === 'number') {
      return { type: 'next', port: 'ok', output: { annotationId: id, status: 200, message: `annotated ${where}`, ...shown, durationMs: elapsed() } };
    }
    return failed(`Grafana answered ${answer.status}: ${reasonOf(answer)}`, answer.status);
  } catch (error) {
    if (isCallFailure(error)) return failed(error.message, null);
    throw error;
  }
});
