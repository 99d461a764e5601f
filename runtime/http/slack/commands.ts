import { z } from 'zod';
import type { Actor } from '../../../shared/audit.js';
import { SalveError, ValidationError } from '../../../shared/errors.js';
import { ROLES } from '../../../shared/people.js';
import { escapeMrkdwn } from '../../../shared/slack/mrkdwn.js';
import { TERMINAL_EXECUTION_STATUSES, type ExecutionStatus } from '../../../shared/statuses.js';
import { truncate } from '../../../shared/text.js';
import type { Engine } from '../../engine/engine.js';
import { scrubberFor, type Scrubber } from '../../engine/secrets/scrub.js';
import type { SecretStore } from '../../engine/secrets/secrets.js';
import type { Logger } from '../../log.js';
import type { TeamLookup } from '../../store/teams-repo.js';
import { permissionsIn, ROLE_PERMISSIONS } from '../roles.js';
import { ruleFor, type Permission, type TeamSource } from '../route-table.js';
import { usage, type SlashCommand } from './command-text.js';
import { postsTo, postToResponseUrl, SLACK_API_URL } from './response-url.js';
import { salvePersonOf, type SlackPerson } from './slack-person.js';

/** users.info runs after Slack was answered, so it may take longer than a click's lookup. */
const LOOKUP_TIMEOUT_MS = 5000;
/** Slack's response_url takes messages for 30 minutes; the end of a run is watched for 25 of them. */
const WATCH_LIMIT_MS = 25 * 60_000;
/** Polls back off from 1 s (a short run is reported at once) to this. */
const MAX_POLL_MS = 5000;
/** Runs watched at once; beyond it the start is still posted, with a link instead of the end. */
const MAX_WATCHES = 200;
/** Steps listed by `status`; a long run (a loop) is cut short with a count and the link. */
const MAX_STEPS_SHOWN = 40;

/**
 * What each command needs is read from the route table, so Slack asks exactly what the HTTP API
 * asks for the same action: the permission of the route, in the team found the same way.
 */
function permissionOfRoute(method: string, path: string, team: TeamSource): Permission {
  const rule = ruleFor(method, path);
  if (!rule || rule.team !== team) throw new Error(`route-table.ts: ${method} ${path} must exist with team "${team}": the Slack command checks what it checks`);
  return rule.permission;
}
const RUN_PERMISSION = permissionOfRoute('POST', '/api/flows/:id/run', 'flow-param');
const STATUS_PERMISSION = permissionOfRoute('GET', '/api/executions/:id', 'execution-param');

/** The form fields Salve reads of a slash command (Slack sends them all as strings). */
export const SlashCommandFormSchema = z.object({
  command: z.string().max(64).optional(),
  text: z.string().max(16_000).default(''),
  user_id: z.string({ error: 'user_id is required (Slack sends it)' }).min(1).max(64),
  user_name: z.string().max(200).optional(),
  team_id: z.string().max(64).optional(),
  channel_id: z.string().max(64).optional(),
  response_url: z.string({ error: 'response_url is required (Slack sends it)' }).min(1).max(2048),
  trigger_id: z.string().max(256).optional(),
});
export type SlashCommandForm = z.infer<typeof SlashCommandFormSchema>;

/** How the Slack app names the command (`/salve`), for the usage; anything odd reads as /salve. */
function commandName(form: Pick<SlashCommandForm, 'command'>): string {
  return form.command && /^\/\S{1,32}$/.test(form.command) ? form.command : '/salve';
}

/** A command Salve refuses: said to the person who typed it alone. */
class Refused extends Error {}

/** Who typed the command: the Salve user, as an audit actor and a principal. */
type Person = SlackPerson;

export interface SlackCommandsDeps {
  engine: Engine;
  log: Logger;
  secrets: SecretStore;
  /** SALVE_SLACK_API_URL (tests: a loopback stand-in); default https://slack.com/api. */
  apiUrl?: string;
  /** SALVE_PUBLIC_ORIGIN: runs are linked to `<origin>/#/runs/<id>` when set. */
  publicOrigin?: string;
  now: () => number;
}

/**
 * Acts on a verified slash command (routes-slack.ts answers Slack first, then calls `start`):
 * finds the Salve user behind the Slack user (verified email, as the Approve/Reject buttons do),
 * checks their role as the HTTP API would, acts through the engine with them as the actor, and
 * answers through Slack's response_url. A started run is then watched until it ends (at most 25
 * minutes) and its end is posted too.
 */
export class SlackCommands {
  private readonly apiUrl: string;
  private readonly scrubber: Scrubber;
  private readonly running = new Set<Promise<void>>();
  private watches = 0;

  constructor(private readonly deps: SlackCommandsDeps) {
    this.apiUrl = deps.apiUrl ?? SLACK_API_URL;
    // Run errors and step statuses go to a channel: scrubbed like every API answer.
    this.scrubber = scrubberFor(deps.secrets);
  }

  /** Whether Salve may post to this response_url. Checked before acting, so nothing is run that could not be reported. */
  answersTo(responseUrl: string): boolean {
    return postsTo(this.apiUrl, responseUrl);
  }

  /** Starts acting on a parsed `run` or `status` without waiting (Slack must be answered within 3 s). */
  start(form: SlashCommandForm, command: Extract<SlashCommand, { verb: 'run' | 'status' }>, reqId?: string): void {
    this.track(
      (command.verb === 'run' ? this.run(form, command, reqId) : this.status(form, command, reqId)).catch((error) =>
        this.deps.log.error({ err: error, reqId }, 'Slack command failed'),
      ),
    );
  }

  /** Resolves when every started command (and every run watch) has finished (tests). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }

  private track(work: Promise<void>): void {
    const tracked = work.finally(() => this.running.delete(tracked));
    this.running.add(tracked);
  }

  private async run(form: SlashCommandForm, command: { flowId: string; input: Record<string, unknown> }, reqId?: string): Promise<void> {
    const { engine, log } = this.deps;
    let person: Person | undefined;
    let started: Awaited<ReturnType<Engine['runManually']>>;
    try {
      person = await this.personOf(form.user_id);
      const lookup = await engine.store.read((tx) => tx.teams.ofFlow(command.flowId));
      this.requirePermission(person, RUN_PERMISSION, lookup);
      // The same call as POST /api/flows/:id/run: audited there as flow.run with this actor (via slack).
      started = await engine.runManually(command.flowId, { payload: command.input }, person.actor);
    } catch (error) {
      const reason = this.reasonOf(error, reqId);
      if (reason.refused) await this.refusal(form, person?.actor, command.flowId, reason.text, reqId);
      await this.respond(form, { response_type: 'ephemeral', text: `Salve did not run flow "${command.flowId}": ${reason.text}` }, reqId);
      return;
    }
    const { executionId } = started;
    log.info({ reqId, flowId: command.flowId, executionId, actor: person.actor.name, via: 'slack' }, 'flow run from Slack');
    const flow = await this.flowLabel(started.flowId, started.flowRevision);
    const held = started.held ? ' A guard rail held it: it waits for someone to release it in Salve.' : '';
    await this.respond(form, { response_type: 'in_channel', text: `Started run ${this.runRef(executionId)} of ${flow}, for ${escapeMrkdwn(person.actor.name)}.${held}` }, reqId);
    if (this.watches >= MAX_WATCHES) {
      log.warn({ reqId, executionId, watches: this.watches }, 'too many Slack runs watched: this one’s end is not posted');
      return;
    }
    this.watches++;
    this.track(this.watch(form, executionId, flow, reqId).finally(() => this.watches--));
  }

  /**
   * Polls the run until it ends, then posts its end (a second message, not replacing the first).
   * Bounded: at most WATCH_LIMIT_MS, and it stops when the engine stops admitting work (shutdown:
   * the store is about to close; the run itself goes on after the restart).
   */
  private async watch(form: SlashCommandForm, executionId: string, flow: string, reqId?: string): Promise<void> {
    const { engine, log } = this.deps;
    const until = this.deps.now() + WATCH_LIMIT_MS;
    for (let poll = 0; ; poll++) {
      await pause(Math.min(MAX_POLL_MS, 1000 * 2 ** poll));
      if (!engine.isAdmitting) return;
      let status: ExecutionStatus | undefined;
      let error: string | null = null;
      try {
        const exec = await engine.store.read((tx) => tx.executions.get(executionId));
        if (!exec) {
          await this.respond(form, { response_type: 'in_channel', replace_original: false, text: `Run ${this.runRef(executionId)} of ${flow} is gone (deleted before it ended).` }, reqId);
          return;
        }
        status = exec.status;
        error = exec.error;
      } catch (readError) {
        // A busy or failing database: try again at the next poll, until the limit.
        log.warn({ reqId, executionId, err: readError }, 'could not read a run watched for Slack');
      }
      if (status && TERMINAL_EXECUTION_STATUSES.includes(status)) {
        const why = error ? `: ${this.clean(error, 500)}` : '';
        await this.respond(form, { response_type: 'in_channel', replace_original: false, text: `Run ${this.runRef(executionId)} of ${flow} ended: *${status}*${why}` }, reqId);
        return;
      }
      if (this.deps.now() >= until) {
        const now = status ? ` is still *${status}*` : ' has not ended';
        await this.respond(
          form,
          { response_type: 'in_channel', replace_original: false, text: `Run ${this.runRef(executionId)} of ${flow}${now} after ${WATCH_LIMIT_MS / 60_000} minutes; Salve stops following it here.` },
          reqId,
        );
        return;
      }
    }
  }

  private async status(form: SlashCommandForm, command: { runId: string }, reqId?: string): Promise<void> {
    const { engine } = this.deps;
    let text: string;
    try {
      const person = await this.personOf(form.user_id);
      const lookup = await engine.store.read((tx) => tx.teams.ofExecution(command.runId));
      this.requirePermission(person, STATUS_PERMISSION, lookup);
      text = await this.statusText(command.runId);
    } catch (error) {
      text = `Salve cannot show run ${command.runId}: ${this.reasonOf(error, reqId).text}`;
    }
    await this.respond(form, { response_type: 'ephemeral', text }, reqId);
  }

  /** A run in a few lines: status, flow, start and end, then each step's node and status. */
  private async statusText(runId: string): Promise<string> {
    const { engine } = this.deps;
    const run = await engine.store.read(async (tx) => {
      const exec = await tx.executions.get(runId);
      if (!exec) return undefined;
      return { exec, steps: await tx.steps.forExecution(exec.id), flow: await engine.revisionIn(tx, exec.flowId, exec.flowRevision) };
    });
    if (!run) throw new Refused(`there is no run "${runId}"`);
    const { exec, steps } = run;
    const flow = run.flow ? `${escapeMrkdwn(run.flow.name)} (${exec.flowId})` : exec.flowId;
    const lines = [
      `Run ${this.runRef(exec.id)} of ${flow}: *${exec.status}*`,
      `Started ${when(exec.startedAt)} · ended ${when(exec.finishedAt)}`,
    ];
    if (exec.error) lines.push(`Error: ${this.clean(exec.error, 500)}`);
    lines.push(steps.length === 0 ? 'No steps yet.' : 'Steps:');
    for (const step of steps.slice(0, MAX_STEPS_SHOWN)) lines.push(`• ${escapeMrkdwn(step.nodeId)}: ${step.status}`);
    if (steps.length > MAX_STEPS_SHOWN) lines.push(`… and ${steps.length - MAX_STEPS_SHOWN} more steps`);
    return lines.join('\n');
  }

  /** The Salve person behind the Slack user (slack-person.ts), or Refused saying why none. */
  private async personOf(slackUser: string): Promise<SlackPerson> {
    const found = await salvePersonOf(this.deps, { apiUrl: this.apiUrl, userId: slackUser, timeoutMs: LOOKUP_TIMEOUT_MS });
    if ('reason' in found) throw new Refused(found.reason);
    return found;
  }


  /**
   * The API's two checks (authorize.ts): the permission held somewhere first (so a stranger
   * learns nothing of what exists), then in a team that owns what is named. A name that is not
   * found passes here, as there, and the engine or the read says it is not found.
   */
  private requirePermission(person: Person, permission: Permission, lookup: TeamLookup): void {
    const { principal, actor } = person;
    const roles = ROLES.filter((role) => ROLE_PERMISSIONS[role].includes(permission));
    const needs = `${actor.name} needs the role ${roles.join(' or ')} (permission ${permission})`;
    if (!principal.permissions.has(permission)) throw new Refused(`${needs}, and holds it in no team`);
    if (!lookup.found || principal.admin) return;
    if (lookup.teams.some((team) => permissionsIn(principal, team).has(permission))) return;
    if (lookup.teams.length === 0) throw new Refused(`${needs} as an admin: it belongs to no team any more`);
    throw new Refused(`${needs} in team ${lookup.teams.map((t) => `"${t}"`).join(' or ')}`);
  }

  /**
   * What to tell the person, and whether it is a refusal (audited for runs). Salve's own errors
   * (not found, invalid input, overloaded) say what is wrong; anything else is logged, not shown.
   */
  private reasonOf(error: unknown, reqId?: string): { text: string; refused: boolean } {
    if (error instanceof ValidationError) {
      // The input's issues are named by the keys the person typed (`labels`), not `payload.labels`.
      const issues = error.issues.map((i) => {
        const path = i.path[0] === 'payload' ? i.path.slice(1) : [];
        return path.length > 0 ? `${path.join('.')}: ${i.message}` : i.message;
      });
      return { text: this.clean(`${error.message}: ${issues.join('; ')}`, 1000), refused: true };
    }
    if (error instanceof Refused || error instanceof SalveError) return { text: this.clean(error.message, 1000), refused: true };
    this.deps.log.error({ err: error, reqId }, 'Slack command failed');
    return { text: 'Salve failed while doing it (see its log); try again, or use Salve directly', refused: false };
  }

  /** Audits a refused run: who (the Salve user when known, else the Slack user id), which flow, why. */
  private async refusal(form: SlashCommandForm, actor: Actor | undefined, flowId: string, reason: string, reqId?: string): Promise<void> {
    const now = this.deps.now();
    try {
      await this.deps.engine.store.write((tx) =>
        tx.audit.append({
          actor: actor ?? { name: `slack:${form.user_id}`, via: 'slack' },
          action: 'flow.run.refused',
          target: flowId,
          details: { reason, slackUser: form.user_id, ...(form.channel_id ? { slackChannel: form.channel_id } : {}) },
          now,
        }),
      );
    } catch (error) {
      this.deps.log.error({ err: error, reqId, flowId }, 'could not audit a refused Slack run');
    }
  }

  /** The run's id, as a Slack link to its page when SALVE_PUBLIC_ORIGIN is set (`<url|ex_…>`). */
  private runRef(executionId: string): string {
    const id = escapeMrkdwn(executionId);
    return this.deps.publicOrigin ? `<${this.deps.publicOrigin}/#/runs/${encodeURIComponent(executionId)}|${id}>` : id;
  }

  /** `Restart web (restart-web)`, or the id alone when the revision cannot be read. */
  private async flowLabel(flowId: string, revision: number): Promise<string> {
    try {
      const flow = await this.deps.engine.store.read((tx) => this.deps.engine.revisionIn(tx, flowId, revision));
      return flow ? `${escapeMrkdwn(flow.name)} (${flowId})` : flowId;
    } catch {
      return flowId;
    }
  }

  /** Text from Salve's store or errors, made safe for a Slack message: no secrets, no mentions, short. */
  private clean(text: string, max: number): string {
    return escapeMrkdwn(truncate(this.scrubber.text(text), max));
  }

  /** Posts to the command's response_url (response-url.ts: Slack's own host only). */
  private async respond(form: SlashCommandForm, body: Record<string, unknown>, reqId?: string): Promise<void> {
    await postToResponseUrl({ apiUrl: this.apiUrl, responseUrl: form.response_url, body, log: this.deps.log, reqId, what: 'command answer' });
  }

}

/** The usage answered at once for `help`, empty text and bad syntax (with what was wrong). */
export function usageAnswer(form: Pick<SlashCommandForm, 'command'>, problem?: string): { response_type: 'ephemeral'; text: string } {
  const name = commandName(form);
  return { response_type: 'ephemeral', text: `${problem ? `${truncate(escapeMrkdwn(problem), 300)}\n` : ''}${usage(name)}` };
}

/** ISO time to the second, or `–` for a time that has not come. */
function when(ms: number | null): string {
  return ms === null ? '–' : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Waits between polls without keeping the process alive (shutdown does not wait for a watch). */
function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
