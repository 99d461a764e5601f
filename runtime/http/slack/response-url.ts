import type { Logger } from '../../log.js';

/** Slack's Web API (users.info); SALVE_SLACK_API_URL replaces it in tests only. */
export const SLACK_API_URL = 'https://slack.com/api';
/** Where Slack's response_url points: the only host Salve posts message updates and answers to. */
const RESPONSE_ORIGIN = 'https://hooks.slack.com';

/**
 * The one origin a response_url may have: Slack's, or the loopback stand-in's when the Web API
 * is one (tests), so a forged response_url never makes Salve post anywhere else.
 */
function responseOrigin(apiUrl: string): string {
  return apiUrl === SLACK_API_URL ? RESPONSE_ORIGIN : new URL(apiUrl).origin;
}

/** Whether Salve may post to `responseUrl` (the buttons and the slash command alike). */
export function postsTo(apiUrl: string, responseUrl: string): boolean {
  try {
    return new URL(responseUrl).origin === responseOrigin(apiUrl);
  } catch {
    return false;
  }
}

/**
 * Posts `body` to a response_url Salve may post to, within 10 s. Never throws: a message that
 * cannot be posted is logged (`what` names it), the action it reports on is already done.
 */
export async function postToResponseUrl(opts: { apiUrl: string; responseUrl: string; body: Record<string, unknown>; log: Logger; reqId?: string | undefined; what: string }): Promise<void> {
  if (!postsTo(opts.apiUrl, opts.responseUrl)) {
    opts.log.warn({ reqId: opts.reqId }, `Slack response_url is not on ${responseOrigin(opts.apiUrl)}: ${opts.what} not posted`);
    return;
  }
  try {
    const res = await fetch(opts.responseUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(opts.body),
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) opts.log.warn({ reqId: opts.reqId, status: res.status }, `Slack refused the ${opts.what}`);
  } catch (error) {
    opts.log.warn({ reqId: opts.reqId, err: error }, `could not post the ${opts.what} to Slack`);
  }
}
