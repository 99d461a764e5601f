import type { NodeDefinition } from '../../../nodes/definition.js';
import { pathKey, type Path } from './config-paths.js';

/**
 * Where the node type reads templates, asked of the definition itself (`expressions`), so the
 * form knows that `command.2` or `headers.X-Host` is a template and `auth.username` is not.
 * Returns null when the definition cannot say for this config (it is too incomplete); then
 * any string containing `{{` is checked as a template.
 */
export function templatePathsFor(def: NodeDefinition, config: Record<string, unknown>): Set<string> | null {
  const parsed = def.configSchema.safeParse(config);
  // An invalid config is often still readable: templatesIn() only walks what is there.
  const input = parsed.success ? parsed.data : config;
  try {
    return new Set(
      def
        .expressions(input as never)
        .filter((ref) => ref.kind === 'template' || ref.kind === 'url' || ref.kind === 'promql')
        .map((ref) => pathKey(ref.path)),
    );
  } catch {
    return null;
  }
}

/** Whether the string `text` at `path` should get a template check and preview. */
export function isTemplateAt(paths: Set<string> | null, path: Path, text: string): boolean {
  if (!text.includes('{{')) return false;
  return paths === null || paths.has(pathKey(path));
}
