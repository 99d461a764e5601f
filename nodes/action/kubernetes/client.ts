import { truncate } from '../../../shared/text.js';
import type { ExecContext } from '../../executor.js';
import { describeTarget, RequestFailure, requestChecked } from '../../http-request.js';
import { isCallFailure, parseJsonText, sendWaitingOutRateLimits } from '../../json-api.js';
import type { KubernetesCluster } from '../../kubernetes-access.js';

/** An answer from the API server: any status (the operation judges it), the body parsed when JSON. */
export interface KubeAnswer {
  status: number;
  json: unknown;
  /** The body as text (a log, or an error that is not a Status). */
  text: string;
  truncated: boolean;
}

/** No answer came: a timeout, a refused destination, a network or TLS error (the message names the target). */
export class KubeUnreachable extends Error {}

/** The patch flavours the operations use (Content-Type). */
const PATCH_TYPES = {
  strategic: 'application/strategic-merge-patch+json',
  merge: 'application/merge-patch+json',
} as const;

interface SendOptions {
  query?: Record<string, string>;
  body?: unknown;
  patch?: keyof typeof PATCH_TYPES;
}

/**
 * Plain REST to one cluster's API server, through the destination policy (the server must be an
 * allowed destination, and on the kubeconfig secret's host list) with the kubeconfig's CA, client
 * certificate and token. With `dryRun` every change is sent with `dryRun=All`: the API server
 * validates and answers, and changes nothing.
 */
export class KubeClient {
  /** Waits after a 429 end before this (epoch ms): the step's timeout from when the client was made. */
  private readonly deadline: number;

  constructor(
    private readonly ctx: ExecContext,
    readonly cluster: KubernetesCluster,
    private readonly timeoutSeconds: number,
    readonly dryRun: boolean,
  ) {
    this.deadline = Date.now() + timeoutSeconds * 1000;
  }

  get(path: string, query?: Record<string, string>): Promise<KubeAnswer> {
    return this.send('GET', path, query ? { query } : {});
  }

  post(path: string, body: unknown): Promise<KubeAnswer> {
    return this.send('POST', path, { body });
  }

  patch(path: string, body: unknown, type: keyof typeof PATCH_TYPES): Promise<KubeAnswer> {
    return this.send('PATCH', path, { body, patch: type });
  }

  delete(path: string, body?: unknown): Promise<KubeAnswer> {
    return this.send('DELETE', path, body === undefined ? {} : { body });
  }

  private async send(method: string, path: string, options: SendOptions): Promise<KubeAnswer> {
    const url = new URL(this.cluster.server.href);
    // An API server behind a path prefix (a proxy) keeps it.
    url.pathname = `${url.pathname.replace(/\/+$/, '')}${path}`;
    for (const [key, value] of Object.entries(options.query ?? {})) url.searchParams.set(key, value);
    if (this.dryRun && method !== 'GET') url.searchParams.set('dryRun', 'All');
    const body = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body), 'utf8');
    const headers: Record<string, string> = { 'User-Agent': 'salve', Accept: 'application/json, */*', ...this.cluster.headers };
    if (body) headers['Content-Type'] = options.patch ? PATCH_TYPES[options.patch] : 'application/json';
    try {
      const send = () =>
        requestChecked(this.ctx, {
          method,
          url,
          headers,
          ...(body ? { body } : {}),
          timeoutSeconds: this.timeoutSeconds,
          tls: this.cluster.tls,
          // The kubeconfig's token goes only where its secret may go.
          secrets: this.cluster.secret ? [this.cluster.secret] : [],
        });
      // API Priority and Fairness answers 429 with Retry-After when the server is busy: the
      // request was not run, so it is sent again while the step's timeout allows.
      const res = await sendWaitingOutRateLimits(send, this.deadline, this.ctx.signal, describeTarget(method, url));
      const text = res.body.toString('utf8');
      return { status: res.status, json: parseJsonText(text), text, truncated: res.truncated };
    } catch (error) {
      if (isCallFailure(error)) throw new KubeUnreachable(error instanceof RequestFailure ? error.message : `${describeTarget(method, url)}: ${error.message}`);
      throw error;
    }
  }
}

/** The API server's reason for a refusal: its Status `message`, else the body's start. */
export function refusal(answer: KubeAnswer): string {
  const message = (answer.json as { message?: unknown } | undefined)?.message;
  if (typeof message === 'string' && message) return truncate(message, 1000);
  return truncate(answer.text.trim(), 300) || 'no message';
}

/** A 2xx answer. */
export const succeeded = (answer: KubeAnswer): boolean => answer.status >= 200 && answer.status < 300;

/**
 * The answer's JSON object, or undefined when the body is not one (a proxy's HTML page, an answer
 * cut at the size limit): the operation then reports it instead of reading fields of nothing.
 */
export function objectOf<T>(answer: KubeAnswer): T | undefined {
  return typeof answer.json === 'object' && answer.json !== null && !Array.isArray(answer.json) ? (answer.json as T) : undefined;
}

/** What to say when a 2xx answer is not a Kubernetes object. */
export function notAnObject(what: string, answer: KubeAnswer): string {
  return `the API server's answer for ${what} is not a Kubernetes object${answer.truncated ? ' (it was over the size limit)' : ''}: ${truncate(answer.text.trim(), 200) || 'an empty body'}`;
}
