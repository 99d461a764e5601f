import { nodeDefinitions } from './catalog.js';
import type { NodeDefinition } from './definition.js';
import type { NodeModule } from './node-module.js';
import type { SourceAdapter, WebhookAdapter } from './source-adapter.js';
import type { ManualTrigger, ScheduleTrigger } from './source-trigger.js';

/**
 * Node-only: the runtime half of every node type in the catalog. For node type `<kind>.<name>`
 * it loads the `node` export of `nodes/<kind>/<name>/node.ts`, so adding a node type is its
 * folder plus one line in catalog.ts, and nothing else names it. Each module is checked at
 * load: a missing module, or one that does not fit its definition, stops Salve at start with
 * every problem named (never a step failing at run time). The editor never imports this file.
 */

/** Where the Node-only half of node type `<kind>.<name>` lives, relative to this file. */
function nodeModulePath(type: string): string {
  const [kind, name] = type.split('.');
  return `./${kind}/${name}/node.js`;
}

const isFunction = (value: unknown): boolean => typeof value === 'function';

/** Whether a source adapter takes webhook deliveries. */
function isWebhookAdapter(source: SourceAdapter | WebhookAdapter): source is WebhookAdapter {
  return 'authenticate' in source;
}

/** Everything wrong with `loaded` as the Node-only half of `definition`; empty when it fits. */
export function nodeModuleProblems(definition: NodeDefinition, loaded: unknown): string[] {
  const where = `${definition.type} (${nodeModulePath(definition.type).replace(/\.js$/, '.ts')})`;
  if (typeof loaded !== 'object' || loaded === null) return [`${where}: exports no \`node\` (write \`export const node = defineNodeModule({ … })\`)`];
  const m = loaded as Partial<Record<keyof NodeModule, unknown>>;
  const problems: string[] = [];
  if (m.definition !== definition) problems.push(`${where}: \`node.definition\` is not the definition the catalog lists`);
  if (!isFunction(m.execute)) problems.push(`${where}: \`node.execute\` is not a function`);
  const source = m.source as Partial<Record<keyof WebhookAdapter, unknown>> | undefined;
  const trigger = definition.trigger;
  if ((definition.category === 'source') !== (trigger !== undefined)) {
    problems.push(`${where}: a source declares a trigger in its definition, and only a source does`);
  }
  if ((definition.category === 'source') !== (source !== undefined)) {
    problems.push(`${where}: a source has a \`node.source\` adapter, and only a source does`);
  }
  if (source) {
    for (const fn of ['normalize', 'accepts', 'notStartedReason'] as const) {
      if (!isFunction(source[fn])) problems.push(`${where}: \`node.source.${fn}\` is not a function`);
    }
    const webhookFns = ['authenticate', 'allowFrom', 'sensitiveHeaders'] as const;
    if (trigger?.kind === 'webhook') {
      for (const fn of webhookFns) if (!isFunction(source[fn])) problems.push(`${where}: a webhook source needs \`node.source.${fn}\``);
    } else if (source.authenticate !== undefined) {
      problems.push(`${where}: takes no webhooks (trigger "${trigger?.kind}") but its adapter authenticates deliveries`);
    }
  }
  const implemented = (m.trigger as { kind?: unknown } | undefined)?.kind;
  const wanted = trigger?.kind === 'schedule' || trigger?.kind === 'manual' ? trigger.kind : undefined;
  if (implemented !== wanted) {
    problems.push(
      wanted
        ? `${where}: its definition's trigger is "${wanted}", so \`node.trigger\` must implement it (nodes/source-trigger.ts)`
        : `${where}: \`node.trigger\` is set, but its definition's trigger is not "schedule" or "manual"`,
    );
  }
  return problems;
}

async function load(definition: NodeDefinition): Promise<{ module?: NodeModule; problems: string[] }> {
  const path = nodeModulePath(definition.type);
  let exported: { node?: unknown };
  try {
    exported = (await import(path)) as { node?: unknown };
  } catch (error) {
    return { problems: [`${definition.type}: cannot load ${path.replace(/\.js$/, '.ts')}: ${(error as Error).message}`] };
  }
  const problems = nodeModuleProblems(definition, exported.node);
  // Checked field by field just above: the one place a loaded module is taken as what it says.
  return problems.length ? { problems } : { module: exported.node as NodeModule, problems };
}

const loaded = await Promise.all(nodeDefinitions.map(load));
const problems = loaded.flatMap((l) => l.problems);
if (problems.length > 0) throw new Error(`node types do not fit their definitions:\n- ${problems.join('\n- ')}`);

const byType = new Map<string, NodeModule>(loaded.map((l) => [l.module!.definition.type, l.module!]));

/** The Node-only half of node type `type`, or undefined when this version has no such type. */
export function getNodeModule(type: string): NodeModule | undefined {
  return byType.get(type);
}

/** How source type `type` turns payloads into alerts; undefined for other types. */
export function getSourceAdapter(type: string): SourceAdapter | undefined {
  return byType.get(type)?.source;
}

/** How webhook source type `type` checks deliveries; undefined for types that take no webhooks. */
export function getWebhookAdapter(type: string): WebhookAdapter | undefined {
  const source = byType.get(type)?.source;
  return source && isWebhookAdapter(source) ? source : undefined;
}

/** The schedule of source type `type`; undefined unless it starts flows on a schedule. */
export function getScheduleTrigger(type: string): ScheduleTrigger | undefined {
  const trigger = byType.get(type)?.trigger;
  return trigger?.kind === 'schedule' ? trigger : undefined;
}

/** How source type `type` starts a run by hand; undefined unless it is run by hand. */
export function getManualTrigger(type: string): ManualTrigger | undefined {
  const trigger = byType.get(type)?.trigger;
  return trigger?.kind === 'manual' ? trigger : undefined;
}
