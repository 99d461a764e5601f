import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isTest, nodeTypeFolders, ROOT, sourceFiles } from '../test/architecture/imports.js';
import { nodeDefinitions } from './catalog.js';
import { NodeIdSchema } from '../shared/flow/schema.js';
import type { NodeDefinition } from './definition.js';
import { getNodeModule, nodeModuleProblems } from './registry.js';
import { hookPathOf } from './trigger-spec.js';

/**
 * The node contract: adding a node type is its folder (`nodes/<kind>/<name>/definition.ts` and
 * `node.ts`) plus one line in nodes/catalog.ts, and nothing else names it. Checked here, so it
 * is enforced rather than claimed (docs/architecture.md, "Adding a node type").
 */

const folders = nodeTypeFolders();
const typeOf = (folder: string) => folder.replace(/^nodes\//, '').replace(/\/$/, '').replace('/', '.');

/** `text` without comments (a comment may name a type; code may not). */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:\\])\/\/.*$/gm, '$1');
}

describe('the node contract', () => {
  it('every folder nodes/<kind>/<name>/ is one node type: definition.ts and node.ts, in the catalog exactly once', () => {
    expect(folders.length).toBeGreaterThan(10);
    for (const folder of folders) {
      expect(existsSync(join(ROOT, folder, 'definition.ts')), `${folder}definition.ts`).toBe(true);
      expect(existsSync(join(ROOT, folder, 'node.ts')), `${folder}node.ts`).toBe(true);
      expect(nodeDefinitions.filter((d) => d.type === typeOf(folder)).length, `${typeOf(folder)} in nodes/catalog.ts`).toBe(1);
    }
    // …and every catalog entry has its folder.
    expect(nodeDefinitions.map((d) => `nodes/${d.type.replace('.', '/')}/`).sort()).toEqual(folders);
  });

  it('each node.ts joins its own definition object to how it runs (the registry checked it at load)', () => {
    for (const def of nodeDefinitions) {
      const module = getNodeModule(def.type)!;
      expect(module.definition, def.type).toBe(def);
      expect(nodeModuleProblems(def, module), def.type).toEqual([]);
    }
  });

  it('nothing outside a node type’s folder names its type string in code', () => {
    // Flow templates are flow documents written as data (like examples/*.json): they name types by design.
    const files = ['nodes', 'runtime', 'shared', 'editor/src']
      .flatMap((dir) => sourceFiles(dir))
      .filter((f) => !isTest(f) && !f.startsWith('shared/templates/'));
    expect(files.length).toBeGreaterThan(200);
    const found: string[] = [];
    for (const file of files) {
      const text = code(readFileSync(join(ROOT, file), 'utf8'));
      for (const folder of folders) {
        if (file.startsWith(folder)) continue;
        const literal = new RegExp(`['"\`]${typeOf(folder).replace('.', '\\.')}['"\`]`);
        if (literal.test(text)) found.push(`${file} names ${typeOf(folder)}`);
      }
    }
    expect(found).toEqual([]);
  });

  it.each(nodeDefinitions.map((d) => [d.type, d as NodeDefinition] as const))('%s declares what the contract asks of its kind', (type, def) => {
    expect(def.outputSchema, 'outputSchema').toBeInstanceOf(z.ZodType);
    expect(def.outputs.length).toBeGreaterThan(0);
    // The editor's id for a new node: valid as a node id, and not just the type's last word
    // when that word is jargon (`request`, `shell`) — every type says it on purpose.
    expect(NodeIdSchema.safeParse(def.defaultId).success, `defaultId ${def.defaultId}`).toBe(true);
    expect(nodeDefinitions.filter((d) => d.defaultId === def.defaultId), 'defaultId unique').toHaveLength(1);
    if (def.category !== 'source') {
      expect(def.trigger, 'only sources have a trigger').toBeUndefined();
      return;
    }
    expect(def.trigger, 'a source declares how it starts flows').toBeDefined();
    expect(def.samples?.length, 'a source ships samples').toBeGreaterThan(0);
    const config = def.configSchema.parse(def.sampleConfig);
    if (def.trigger!.kind === 'webhook') expect(hookPathOf(def, config), 'the sample config listens on a hook path').toMatch(/^[a-z0-9][a-z0-9-]*$/);
    else expect(hookPathOf(def, config)).toBeUndefined();
    expect(type.startsWith('source.')).toBe(true);
  });
});

describe('the registry refuses a node type whose node.ts does not fit (at start, naming it)', () => {
  const [webhookDef, scheduleDef, actionDef] = ['source.alertmanager', 'source.schedule', 'action.http'].map(
    (t) => nodeDefinitions.find((d) => d.type === t) as NodeDefinition,
  );
  const good = (type: string) => getNodeModule(type)!;

  it('names a missing export and another definition', () => {
    expect(nodeModuleProblems(actionDef!, undefined)).toEqual([
      'action.http (./action/http/node.ts): exports no `node` (write `export const node = defineNodeModule({ … })`)',
    ]);
    expect(nodeModuleProblems(actionDef!, { ...good('action.http'), definition: { ...actionDef } })).toEqual([
      'action.http (./action/http/node.ts): `node.definition` is not the definition the catalog lists',
    ]);
  });

  it('names a source without its adapter or trigger, and an action with one', () => {
    const { source: _source, ...noSource } = good('source.alertmanager');
    expect(nodeModuleProblems(webhookDef!, noSource)).toContain('source.alertmanager (./source/alertmanager/node.ts): a source has a `node.source` adapter, and only a source does');
    const { authenticate: _auth, ...noAuth } = good('source.alertmanager').source as unknown as Record<string, unknown>;
    expect(nodeModuleProblems(webhookDef!, { ...good('source.alertmanager'), source: noAuth })).toContain(
      'source.alertmanager (./source/alertmanager/node.ts): a webhook source needs `node.source.authenticate`',
    );
    const { trigger: _trigger, ...noTrigger } = good('source.schedule');
    expect(nodeModuleProblems(scheduleDef!, noTrigger)).toContain(
      'source.schedule (./source/schedule/node.ts): its definition\'s trigger is "schedule", so `node.trigger` must implement it (nodes/source-trigger.ts)',
    );
    expect(nodeModuleProblems(actionDef!, { ...good('action.http'), source: good('source.alertmanager').source })).toContain(
      'action.http (./action/http/node.ts): a source has a `node.source` adapter, and only a source does',
    );
  });
});
