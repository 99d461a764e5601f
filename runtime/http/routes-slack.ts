import { Hono } from 'hono';
import { BadRequestError, UnauthorizedError, UnavailableError, UnsupportedMediaTypeError } from '../../shared/errors.js';
import { mediaType } from '../../shared/media-type.js';
import type { Logger } from '../log.js';
import type { SecretStore } from '../engine/secrets/secrets.js';
import { clientAddress } from './client-address.js';
import { readRawBody } from './raw-body.js';
import { BlockActionsSchema, SLACK_SIGNING_SECRET, type SlackInteractions } from './slack/interactions.js';
import { verifySlackSignature } from './slack/signature.js';

/** Slack's interaction payloads are small; anything beyond this is not Slack. */
const BODY_LIMIT_BYTES = 64 * 1024;

/**
 * `POST /api/slack/interactions`: the Slack app's interactivity URL. Public (Slack sends no
 * credentials of Salve's); every request must carry Slack's v0 signature made with the signing
 * secret (the secret SLACK_SIGNING_SECRET) over the raw body within five minutes, else 401 and
 * nothing happens. A verified click is answered at once (Slack wants 200 within 3 s) and acted on
 * afterwards; the message is updated through the click's response_url.
 */
export function slackRoutes(opts: { interactions: SlackInteractions; secrets: SecretStore; log: Logger; now: () => number }) {
  return new Hono().post('/interactions', async (c) => {
    const secret = opts.secrets.get(SLACK_SIGNING_SECRET);
    // Fail closed: without the secret nothing can be verified.
    if (!secret) throw new UnavailableError(`Slack buttons are not set up: set the secret ${SLACK_SIGNING_SECRET} (the Slack app's signing secret)`, 60);
    if (mediaType(c.req.header('content-type')) !== 'application/x-www-form-urlencoded') throw new UnsupportedMediaTypeError('Content-Type must be application/x-www-form-urlencoded (what Slack sends)');
    const raw = await readRawBody(c, { limitBytes: BODY_LIMIT_BYTES, anyMediaType: true });
    const check = verifySlackSignature({
      secret,
      timestamp: c.req.header('x-slack-request-timestamp'),
      signature: c.req.header('x-slack-signature'),
      body: raw,
      nowMs: opts.now(),
    });
    if (!check.ok) {
      opts.log.warn({ reqId: c.get('requestId'), address: clientAddress(c), reason: check.reason }, 'Slack interaction refused');
      throw new UnauthorizedError(`Slack signature refused: ${check.reason}`);
    }
    const form = new URLSearchParams(Buffer.from(raw).toString('utf8'));
    let json: unknown;
    try {
      json = JSON.parse(form.get('payload') ?? '');
    } catch {
      throw new BadRequestError('payload: expected the form field payload=<JSON> Slack sends');
    }
    const parsed = BlockActionsSchema.safeParse(json);
    // Other interactions (shortcuts, modals) are not Salve's: acknowledged, ignored.
    if (!parsed.success) return c.body(null, 200);
    opts.interactions.start(parsed.data, c.get('requestId'));
    return c.body(null, 200);
  });
}
