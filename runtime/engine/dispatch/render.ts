import { renderPromqlTemplate, renderTemplate, renderUrlTemplate } from '../../../shared/expr/index.js';
import type { ExprVars, ExpressionRef } from '../../../shared/expr/types.js';
import { isSecretRef } from '../../../shared/flow/schema.js';
import type { SecretUse } from '../../../nodes/network.js';
import type { SecretResolver } from '../../../nodes/source-adapter.js';
import { secretEnvName } from '../secrets/secrets.js';

/** A step's config ready to run, and the form of it that may be stored and shown. */
export interface RenderedConfig {
  /** Templates rendered, secrets resolved: passed to the executor, never stored. */
  value: unknown;
  /** Templates rendered, secrets left as `{ "secret": "NAME" }`: stored and shown. */
  redacted: unknown;
  /** Resolved secret values, to scrub from outputs and errors. */
  secretValues: string[];
  /** Which secrets were resolved, and where: the network checks each against its host list. */
  secrets: SecretUse[];
}

/** Raised when a template fails or a secret is unset; the step fails with this message. */
export class RenderError extends Error {}

const pathKey = (path: (string | number)[]) => JSON.stringify(path);

/**
 * Renders the template strings named by `refs` (once: rendered values are never rendered
 * again) and resolves secret references. With no `secrets` resolver (simulation), secret
 * references stay references in both forms.
 */
export function renderConfig(
  config: unknown,
  refs: ExpressionRef[],
  vars: ExprVars,
  secrets?: SecretResolver,
): RenderedConfig {
  const templatePaths = new Set(refs.filter((r) => r.kind === 'template').map((r) => pathKey(r.path)));
  // URLs are rendered per component, so alert data cannot change their structure.
  const urlPaths = new Set(refs.filter((r) => r.kind === 'url').map((r) => pathKey(r.path)));
  // PromQL queries: values only inside string literals, escaped for them.
  const promqlPaths = new Set(refs.filter((r) => r.kind === 'promql').map((r) => pathKey(r.path)));
  const secretValues: string[] = [];
  const used: SecretUse[] = [];

  const walk = (value: unknown, path: (string | number)[]): { value: unknown; redacted: unknown } => {
    if (typeof value === 'string') {
      const key = pathKey(path);
      const isUrl = urlPaths.has(key);
      const isPromql = promqlPaths.has(key);
      if (!isUrl && !isPromql && !templatePaths.has(key)) return { value, redacted: value };
      try {
        const out = isUrl ? renderUrlTemplate(value, vars) : isPromql ? renderPromqlTemplate(value, vars) : renderTemplate(value, vars);
        return { value: out, redacted: out };
      } catch (error) {
        throw new RenderError(`config.${path.join('.')}: ${(error as Error).message}`);
      }
    }
    if (isSecretRef(value)) {
      if (!secrets) return { value, redacted: value };
      const resolved = secrets(value.secret);
      if (resolved === undefined) {
        throw new RenderError(
          `secret ${value.secret} is not set (environment variable ${secretEnvName(value.secret)}, or store it: Secrets page, salve secrets set ${value.secret})`,
        );
      }
      secretValues.push(resolved);
      used.push({ name: value.secret, path });
      return { value: resolved, redacted: value };
    }
    if (Array.isArray(value)) {
      const parts = value.map((v, i) => walk(v, [...path, i]));
      return { value: parts.map((p) => p.value), redacted: parts.map((p) => p.redacted) };
    }
    if (value && typeof value === 'object') {
      const v: Record<string, unknown> = {};
      const r: Record<string, unknown> = {};
      for (const [k, child] of Object.entries(value)) {
        const part = walk(child, [...path, k]);
        v[k] = part.value;
        r[k] = part.redacted;
      }
      return { value: v, redacted: r };
    }
    return { value, redacted: value };
  };

  const out = walk(config, []);
  return { value: out.value, redacted: out.redacted, secretValues, secrets: used };
}
