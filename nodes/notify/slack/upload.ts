import type { Attachment } from '../../../shared/attachment.js';
import { truncate } from '../../../shared/text.js';
import { attachmentBytes } from '../../attachments.js';
import type { ExecContext } from '../../executor.js';
import { describeTarget, requestChecked } from '../../http-request.js';
import { isCallFailure, parseJsonText, sendWaitingOutRateLimits } from '../../json-api.js';

/**
 * Files into a Slack thread, the way Slack asks since files.upload was retired: per file,
 * `files.getUploadURLExternal` (name and length) gives an upload URL and a file id; the bytes are
 * POSTed to that URL (no token: the URL is the permission); then one
 * `files.completeUploadExternal` shares them all in the channel, as replies to the message.
 * Needs the bot token's `files:write` scope.
 */

export interface UploadTarget {
  /** The Web API base, as configured (`https://slack.com/api`). */
  apiUrl: string;
  token: string;
  /** Slack's channel id (chat.postMessage's answer), never a name: completeUploadExternal takes ids. */
  channel: string;
  /** The thread's parent message. */
  threadTs: string;
  /** For the whole upload, every file and request together. */
  timeoutSeconds: number;
}

/** The files shared, by name; or why none were (Slack shares them all in one call at the end). */
type UploadResult = { uploaded: string[] } | { problem: string };

/** Why the upload URL Slack gave may not be used, or undefined: an answer never sends bytes elsewhere. */
export function uploadUrlProblem(apiUrl: URL, raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'Slack gave an upload URL that is not a URL';
  }
  // Slack's own API uploads to files.slack.com over https; another API base (a proxy, a test) to its own host.
  const slack = apiUrl.hostname === 'slack.com';
  const allowed = slack ? url.protocol === 'https:' && url.hostname === 'files.slack.com' : url.hostname === apiUrl.hostname && url.protocol === apiUrl.protocol;
  if (allowed) return undefined;
  return `Slack gave an upload URL on ${url.protocol}//${url.host}, not ${slack ? 'https://files.slack.com' : `${apiUrl.protocol}//${apiUrl.hostname}`}; it was not used`;
}

/** Slack's JSON answer: `{ ok, error, … }`; a field read only when it has the type expected. */
function answerOf(text: string): Record<string, unknown> {
  const json = parseJsonText(text);
  return json && typeof json === 'object' && !Array.isArray(json) ? (json as Record<string, unknown>) : {};
}

/**
 * Uploads `files` into the thread `target` names. Stops at the first failure and says which file
 * and why; then none is shared (a file uploaded but never completed is dropped by Slack).
 */
export async function uploadToThread(files: readonly Attachment[], target: UploadTarget, ctx: Pick<ExecContext, 'network' | 'signal'>): Promise<UploadResult> {
  const api = new URL(target.apiUrl.replace(/\/+$/, ''));
  const method = (name: string) => new URL(`${api.href}/${name}`);
  const auth = { Authorization: `Bearer ${target.token}`, 'User-Agent': 'salve' };
  const ids: { id: string; title: string }[] = [];
  // One budget for every request of the upload: what is left of the step's timeout when it began.
  const deadline = Date.now() + target.timeoutSeconds * 1000;
  const left = () => Math.max(1, Math.ceil((deadline - Date.now()) / 1000));
  /** One Web API call; a 429 (Slack's rate limit: nothing was done) is sent again after its Retry-After while the budget allows. */
  const callMethod = (name: string, contentType: string, body: Buffer) => {
    const url = method(name);
    const send = () => requestChecked(ctx, { method: 'POST', url, headers: { ...auth, 'Content-Type': contentType }, body, timeoutSeconds: left() });
    return sendWaitingOutRateLimits(send, deadline, ctx.signal, describeTarget('POST', url));
  };
  try {
    for (const file of files) {
      const bytes = attachmentBytes(file);
      const form = new URLSearchParams({ filename: file.name, length: String(bytes.length) });
      const asked = await callMethod('files.getUploadURLExternal', 'application/x-www-form-urlencoded', Buffer.from(form.toString(), 'utf8'));
      const answer = answerOf(asked.body.toString('utf8'));
      if (answer.ok !== true || typeof answer.upload_url !== 'string' || typeof answer.file_id !== 'string') {
        const why = typeof answer.error === 'string' ? truncate(answer.error, 200) : `HTTP ${asked.status}`;
        return { problem: `Slack refused to take ${file.name} (files.getUploadURLExternal): ${why}${why === 'missing_scope' ? ' (the bot token needs files:write)' : ''}` };
      }
      const problem = uploadUrlProblem(api, answer.upload_url);
      if (problem) return { problem: `${file.name}: ${problem}` };
      const uploadUrl = new URL(answer.upload_url);
      // The upload URL carries its own permission: the token is not sent there.
      const sent = await requestChecked(ctx, {
        method: 'POST',
        url: uploadUrl,
        headers: { 'User-Agent': 'salve', 'Content-Type': 'application/octet-stream' },
        body: bytes,
        timeoutSeconds: left(),
        secrets: [],
      });
      if (sent.status !== 200) return { problem: `uploading ${file.name} to ${describeTarget('POST', uploadUrl)} failed: HTTP ${sent.status}` };
      ids.push({ id: answer.file_id, title: file.name });
    }
    const done = await callMethod('files.completeUploadExternal', 'application/json; charset=utf-8', Buffer.from(JSON.stringify({ files: ids, channel_id: target.channel, thread_ts: target.threadTs }), 'utf8'));
    const answer = answerOf(done.body.toString('utf8'));
    if (answer.ok !== true) {
      const why = typeof answer.error === 'string' ? truncate(answer.error, 200) : `HTTP ${done.status}`;
      return { problem: `Slack did not share the files in the thread (files.completeUploadExternal): ${why}` };
    }
    return { uploaded: ids.map((f) => f.title) };
  } catch (error) {
    if (isCallFailure(error)) return { problem: error.message };
    throw error;
  }
}
