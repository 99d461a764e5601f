import { truncate } from '../../../shared/text.js';

/**
 * Who clicked, in Slack's words: `users.info` (bot token with `users:read` and
 * `users:read.email`) gives the user's email and whether Slack confirmed it. Only a confirmed
 * email of a real, active person is used to find a Salve user: anyone can type an address into
 * their own Slack profile, and a bot or deactivated account decides nothing.
 */

export type SlackUserLookup = { ok: true; email: string } | { ok: false; reason: string };

/** users.info of `userId` at `apiUrl` (`https://slack.com/api`), within `timeoutMs`. */
export async function slackUserEmail(opts: { apiUrl: string; token: string; userId: string; timeoutMs: number; fetch?: typeof fetch }): Promise<SlackUserLookup> {
  const url = `${opts.apiUrl.replace(/\/+$/, '')}/users.info?user=${encodeURIComponent(opts.userId)}`;
  let body: Record<string, unknown>;
  try {
    const res = await (opts.fetch ?? fetch)(url, {
      headers: { authorization: `Bearer ${opts.token}`, 'user-agent': 'salve' },
      signal: AbortSignal.timeout(opts.timeoutMs),
    });
    body = (await res.json()) as Record<string, unknown>;
  } catch (error) {
    return { ok: false, reason: `Salve could not ask Slack who you are (users.info: ${(error as Error).name === 'TimeoutError' ? 'timed out' : (error as Error).message})` };
  }
  if (body.ok !== true) return { ok: false, reason: `Slack refused to tell Salve who you are (users.info: ${truncate(String(body.error ?? 'no answer'), 100)})` };
  const user = (body.user ?? {}) as { deleted?: unknown; is_bot?: unknown; is_email_confirmed?: unknown; profile?: { email?: unknown } };
  if (user.deleted === true || user.is_bot === true) return { ok: false, reason: 'bots and deactivated Slack accounts cannot decide approvals' };
  const email = user.profile?.email;
  if (typeof email !== 'string' || email === '') return { ok: false, reason: 'Slack did not tell Salve your email (the Slack app needs the users:read.email scope)' };
  if (user.is_email_confirmed !== true) return { ok: false, reason: `your Slack email ${email} is not confirmed in Slack, so Salve cannot tell it is yours` };
  return { ok: true, email };
}
