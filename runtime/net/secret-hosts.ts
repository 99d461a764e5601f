import { ValidationError } from '../../shared/errors.js';
import { parseTargetList } from '../../shared/net/targets.js';
import { secretHostsEnvName, type SecretStore } from '../engine/secrets/secrets.js';

/**
 * Checks every `SALVE_SECRET_<NAME>_HOSTS` list at start, so a typo stops the server with the
 * variable named instead of silently refusing (or allowing) a destination later.
 */
export function assertSecretHostLists(secrets: SecretStore): void {
  const issues = secrets.names().flatMap((name) => {
    const raw = secrets.hosts(name);
    if (raw === undefined) return [];
    const { problems } = parseTargetList(raw, { allowAny: true });
    return problems.map((p) => ({ path: [secretHostsEnvName(name)], message: p.message }));
  });
  if (issues.length > 0) throw new ValidationError('invalid configuration', issues);
}
