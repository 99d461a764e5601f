import { Hono, type Context } from 'hono';
import { BadRequestError, UnauthorizedError, UnavailableError, UnsupportedMediaTypeError } from '../../shared/errors.js';
import { mediaType } from '../../shared/media-type.js';
import type { Logger } from '../log.js';
import type { SecretStore } from '../engine/secrets/secrets.js';
import { clientAddress } from './client-address.js';
import { readRawBody } from './raw-body.js';
import { parseCommandText } from './slack/command-text.js';
import { SlashCommandFormSchema, usageAnswer, type SlackCommands } from './slack/commands.js';
import { BlockActionsSchema, SLACK_SIGNING_SECRET, type SlackInteractions } from './slack/interactions.js';
import { verifySlackSignature } from './slack/signature.js';

/** Slack's interaction payloads and slash commands are small; anything beyond this is not Slack. */
const BODY_LIMIT_BYTES = 64 * 1024;

/**
 * `POST /api/slack/interactions`: the Slack app's interactivity URL, and `POST
 * /api/slack/commands`: its slash command URL (`/salve`). Public (Slack sends no credentials of
 * Salve's); every request must carry Slack's v0 signature made with the signing secret (the
 * secret SLACK_SIGNING_SECRET) over the raw body within five minutes, else 401 and nothing
 * happens. A verified request is answered at once (Slack wants 200 within 3 s) and acted on
 * afterwards; the answer goes to the request's response_url.
 */
export function slackRoutes(opts: { interactions: SlackInteractions; commands: SlackCommands; secrets: SecretStore; log: Logger; now: () => number }) {
  /**
   * The verified form Slack posted; throws (503, 415, 413, 401) before anything acts on it.
   * `notSetUp` starts the 503's message, `refused` is the warning logged for a bad signature.
   */
  const verifiedForm = async (c: Context, notSetUp: string, refused: string): Promise<URLSearchParams> => {
    const secret = opts.secrets.get(SLACK_SIGNING_SECRET);
    // Fail closed: without the secret nothing can be verified.
    if (!secret) throw new UnavailableError(`${notSetUp}: set the secret ${SLACK_SIGNING_SECRET} (the Slack app's signing secret)`, 60);
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
      opts.log.warn({ reqId: c.get('requestId'), address: clientAddress(c), reason: check.reason }, refused);
      throw new UnauthorizedError(`Slack signature refused: ${check.reason}`);
    }
    return new URLSearchParams(Buffer.from(raw).toString('utf8'));
  };

  return new Hono()
    .post('/interactions', async (c) => {
      const form = await verifiedForm(c, 'Slack buttons are not set up', 'Slack interaction refused');
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
    })
    .post('/commands', async (c) => {
      const parsed = SlashCommandFormSchema.safeParse(Object.fromEntries(await verifiedForm(c, 'The Slack command is not set up', 'Slack command refused')));
      if (!parsed.success) throw new BadRequestError(`not a Slack slash command: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
      const form = parsed.data;
      const command = parseCommandText(form.text);
      // Help and bad syntax need nobody looked up: answered now, to the person alone.
      if (command.verb === 'help') return c.json(usageAnswer(form));
      if (command.verb === 'invalid') return c.json(usageAnswer(form, command.problem));
      // Nothing is run that could not be reported.
      if (!opts.commands.answersTo(form.response_url)) throw new BadRequestError('response_url: Salve answers only to Slack’s https://hooks.slack.com; nothing was done');
      opts.commands.start(form, command, c.get('requestId'));
      return c.json({ response_type: 'ephemeral', text: 'Working on it…' });
    });
}
