import type { Actor } from '../../../shared/audit.js';
import type { Engine } from '../../engine/engine.js';
import type { SecretStore } from '../../engine/secrets/secrets.js';
import { identityOf, type Principal } from '../roles.js';
import { userPrincipal } from '../user-principal.js';
import { slackUserEmail } from './slack-user.js';

/** The bot token Salve asks Slack's users.info with (the one notify.slack posts with). */
const SLACK_BOT_TOKEN = 'SLACK_BOT_TOKEN';

/** A Salve person acting from Slack: who, for the audit log, and what they may do. */
export interface SlackPerson {
  actor: Actor;
  principal: Principal;
}

/**
 * The enabled Salve user with the Slack user's confirmed email (exactly one, a person): how the
 * Approve/Reject buttons and the slash command both find who acted. `{ reason }` says why none.
 */
export async function salvePersonOf(
  deps: { engine: Engine; secrets: SecretStore },
  slack: { apiUrl: string; userId: string; timeoutMs: number },
): Promise<SlackPerson | { reason: string }> {
  const token = deps.secrets.get(SLACK_BOT_TOKEN);
  if (!token) return { reason: `Salve cannot look up Slack users: the secret ${SLACK_BOT_TOKEN} is not set` };
  const found = await slackUserEmail({ apiUrl: slack.apiUrl, token, userId: slack.userId, timeoutMs: slack.timeoutMs });
  if (!found.ok) return { reason: found.reason };
  const { users, person } = await deps.engine.store.read(async (tx) => {
    const users = (await tx.people.usersByEmail(found.email)).filter((u) => !u.disabled && u.kind === 'person');
    return { users, person: users.length === 1 ? await userPrincipal(tx, users[0]!.id, 'slack') : undefined };
  });
  if (users.length === 0) return { reason: `no Salve user has the email ${found.email}` };
  if (users.length > 1) return { reason: `several Salve users have the email ${found.email}; an admin must make it unique` };
  if (!person) return { reason: `the Salve user with the email ${found.email} is disabled` };
  return { actor: { name: person.user.username, via: 'slack', identity: identityOf(person.principal) }, principal: person.principal };
}
