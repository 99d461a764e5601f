import { UnauthorizedError, UnavailableError, UnsupportedMediaTypeError } from '../../../shared/errors.js';
import { mediaType } from '../../../shared/media-type.js';
import { JSON_ONLY, type AuthResult, type IngestContext, type IngestRequest } from '../../../nodes/source-adapter.js';
import { isAllowed } from '../../../nodes/source/allowlist.js';
import { foreignSecret } from '../secrets/secret-refs.js';
import { routeEntry, type DeliveryTrace } from './event-rows.js';
import type { HookRoute } from './hook-router.js';

const mediaSkipped = (media: string) => `media type "${media}" is not one this source accepts`;

/**
 * The first step of a delivery, before anything is parsed: media type → allowFrom →
 * authenticate, for every source node on the path. Returns the routes that accepted the
 * delivery and records each route's verdict in `trace`. Throws 415 when no source on the path
 * takes this media type, 503 when a check could not be made right now, 401 when none accepted.
 */
export async function authenticateDelivery(
  routes: readonly HookRoute[],
  request: IngestRequest,
  ctx: IngestContext,
  trace: DeliveryTrace,
  onRejected?: (reasons: string[]) => void,
  secretTeam?: (name: string) => string | undefined,
): Promise<HookRoute[]> {
  // Accept only what the tool behind this path sends (SNS, for one, posts JSON as text/plain).
  const media = mediaType(request.headers['content-type']);
  const byMedia = routes.filter((route) => (route.adapter.contentTypes ?? JSON_ONLY).includes(media));
  if (byMedia.length === 0) {
    const accepted = [...new Set(routes.flatMap((route) => route.adapter.contentTypes ?? JSON_ONLY))];
    trace.routes = routes.map((r) => routeEntry(r, 'skipped', mediaSkipped(media)));
    throw new UnsupportedMediaTypeError(`Content-Type must be ${accepted.join(' or ')}`);
  }

  const checks = await Promise.all(
    byMedia.map(async (route): Promise<AuthResult> => {
      if (!isAllowed(route.adapter.allowFrom(route.node.config), request.remoteAddress)) {
        return { ok: false, reason: `address ${request.remoteAddress ?? '(unknown)'} is not in allowFrom` };
      }
      // A flow may check deliveries only with its own team's stored secrets (as its steps may use only those).
      const foreign = secretTeam && foreignSecret(route.node.config, route.team, secretTeam);
      if (foreign) return { ok: false, reason: foreign };
      return route.adapter.authenticate(route.node.config, request, ctx);
    }),
  );
  const reasons: string[] = [];
  const authenticated = byMedia.filter((route, i) => {
    const result = checks[i]!;
    if (!result.ok) reasons.push(`${route.flow.id}/${route.node.id}: ${result.reason}`);
    return result.ok;
  });
  trace.routes = routes.map((route) => {
    const result = checks[byMedia.indexOf(route)];
    if (!result) return routeEntry(route, 'skipped', mediaSkipped(media));
    return result.ok ? routeEntry(route, 'authenticated') : routeEntry(route, 'rejected', result.reason);
  });
  if (authenticated.length === 0) {
    onRejected?.(reasons);
    if (checks.some((c) => !c.ok && c.retryable)) {
      throw new UnavailableError('the delivery could not be verified right now; retry later', 30);
    }
    throw new UnauthorizedError('invalid or missing credentials');
  }
  return authenticated;
}
