import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { WebhookConfigSchema } from './definition.js';
import { azureMonitorMapping, kubernetesEventMapping, uptimeKumaMapping } from './mappings.js';

const docs = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'docs', 'sources.md'), 'utf8');

/** The source.webhook node configs docs/sources.md shows, by hook path. */
function documentedConfigs(): Map<string, any> {
  const configs = new Map<string, any>();
  for (const [, block] of docs.matchAll(/```json\n([\s\S]*?)```/g)) {
    if (!block!.includes('"source.webhook"')) continue;
    const node = JSON.parse(block!);
    configs.set(node.config.path, node.config);
  }
  return configs;
}

describe('documented webhook mappings', () => {
  it.each([
    ['azure-monitor', azureMonitorMapping],
    ['uptime', uptimeKumaMapping],
    ['k8s-events', kubernetesEventMapping],
  ] as const)('docs/sources.md shows exactly the tested mapping for %s, in a valid config', (path, mapping) => {
    const config = documentedConfigs().get(path);
    expect(config, `a source.webhook block with "path": "${path}"`).toBeDefined();
    expect(config.mapping).toEqual(mapping);
    expect(WebhookConfigSchema.safeParse(config).success).toBe(true);
  });
});
