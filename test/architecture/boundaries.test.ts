import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importsOf, isNodeBuiltin, isTest, nodeTypeFolders, ROOT, runtimeClosure, sourceFiles, type ImportRef } from './imports.js';

/**
 * The layers' boundaries, checked on the import statements of every source file (tests and
 * test kits may cross them: an integration test is allowed to reach both sides):
 * - `shared/` is pure: no Node module, nothing outside `shared/` (it runs in the browser);
 * - `nodes/` never imports `runtime/` (node types use the contracts they are given);
 * - `runtime/store` never imports the engine or the HTTP layer (data flows one way);
 * - the editor loads nothing from `runtime/` (`import type` only) and nothing Node-only;
 * - `runtime/engine` and `runtime/http` name no node type: from `nodes/` they use only the
 *   catalog, the registry and contract modules, never a file inside a node type's folder (what a
 *   node type and the runtime both need, e.g. Slack's approval buttons, lives in `shared/`).
 * And the test suite's own rules:
 * - the test kit (`test/kit/`) is loaded by tests only, so nothing of it is built into `dist/`;
 * - a unit test (beside the code) never loads the build output: only test/e2e runs `dist/`;
 * - no test waits with a bare `setTimeout` sleep or a local `sleep`: it waits for a condition
 *   (`waitFor`), for the engine (`idle()`), or through a kit helper that names why time must pass.
 */

const show = (refs: ImportRef[]) => refs.map((r) => `${r.from} imports ${r.specifier}${r.typeOnly ? ' (type)' : ''}`);
const importsIn = (dir: string, opts: { tests?: boolean } = {}) =>
  sourceFiles(dir)
    .filter((f) => opts.tests || !isTest(f))
    .flatMap(importsOf);

/** A path into the build output as a unit test would write it: `'dist'` in a join, or `../dist/…` in an import. */
const DIST_PATH = /['"`](?:\.\.?\/)*dist(?:\/|['"`])/;

/** A fixed sleep, written out: a timer that only resolves a promise, a local `sleep`/`delay`, or node:timers/promises. */
const SLEEPS = [
  /setTimeout\(\s*(?:r|res|resolve|done|ok)\s*[,)]/,
  /setTimeout\(\s*\(\)\s*=>\s*(?:r|res|resolve|done|ok)\(\)/,
  /\bfunction\s+(?:sleep|delay)\b|\b(?:const|let|var)\s+(?:sleep|delay)\s*=\s*(?:async\s*)?\(/,
  /['"](?:node:)?timers\/promises['"]/,
];

describe('architecture boundaries', () => {
  it('shared/ imports no Node module and nothing outside shared/ (tests included)', () => {
    const refs = importsIn('shared', { tests: true });
    expect(refs.length).toBeGreaterThan(50);
    const bad = refs.filter((r) => (r.target ? !r.target.startsWith('shared/') : isNodeBuiltin(r.specifier)));
    expect(show(bad.filter((r) => !(isTest(r.from) && r.specifier === 'vitest')))).toEqual([]);
  });

  it('nodes/ never imports runtime/', () => {
    const bad = importsIn('nodes').filter((r) => r.target?.startsWith('runtime/'));
    expect(show(bad)).toEqual([]);
  });

  it('runtime/store never imports the engine or the HTTP layer', () => {
    const bad = importsIn('runtime/store').filter((r) => r.target?.startsWith('runtime/engine/') || r.target?.startsWith('runtime/http/'));
    expect(show(bad)).toEqual([]);
  });

  it('the editor imports nothing from runtime/ but types', () => {
    const refs = importsIn('editor/src', { tests: true });
    expect(refs.length).toBeGreaterThan(100);
    expect(show(refs.filter((r) => r.target?.startsWith('runtime/') && !r.typeOnly))).toEqual([]);
  });

  it('the editor loads nothing Node-only: no node:* module, no registry, node.ts, executor or adapter', () => {
    const nodeOnly = /^nodes\/(registry|node-module|source-adapter|source-trigger|executor|network|command-user)\.ts$|^nodes\/[^/]+\/[^/]+\/(node|execute|ingest|trigger)\.ts$/;
    for (const entry of ['editor/src/main.tsx', 'nodes/catalog.ts']) {
      const closure = runtimeClosure(entry);
      expect(closure.files.size, entry).toBeGreaterThan(entry === 'nodes/catalog.ts' ? 20 : 100);
      expect([...closure.packages].filter(isNodeBuiltin), entry).toEqual([]);
      expect([...closure.files].filter((f) => nodeOnly.test(f) || f.startsWith('runtime/')), entry).toEqual([]);
    }
  });

  it('runtime/engine and runtime/http use no node type directly: only the catalog, the registry and contract modules', () => {
    const folders = nodeTypeFolders();
    expect(folders.length).toBeGreaterThan(10);
    const bad = [...importsIn('runtime/engine'), ...importsIn('runtime/http')].filter((r) => r.target !== undefined && folders.some((f) => r.target!.startsWith(f)));
    expect(show(bad)).toEqual([]);
  });

  it('the test kit is loaded by tests only: nothing in shared/, nodes/, runtime/ or editor/ imports test/kit but *.test.ts files', () => {
    const refs = ['shared', 'nodes', 'runtime', 'editor'].flatMap((dir) => importsIn(dir));
    expect(refs.length).toBeGreaterThan(500);
    expect(show(refs.filter((r) => r.target?.startsWith('test/')))).toEqual([]);
  });

  it('unit tests never load dist/: the built output is tested from test/e2e only', () => {
    const units = ['shared', 'nodes', 'runtime', 'editor'].flatMap((dir) => sourceFiles(dir)).filter(isTest);
    expect(units.length).toBeGreaterThan(100);
    expect(units.filter((f) => DIST_PATH.test(readFileSync(join(ROOT, f), 'utf8')))).toEqual([]);
  });

  it('no test sleeps: no bare setTimeout promise and no local sleep in a *.test.ts file', () => {
    const tests = ['shared', 'nodes', 'runtime', 'editor', 'test'].flatMap((dir) => sourceFiles(dir)).filter(isTest);
    expect(tests.length).toBeGreaterThan(150);
    const found = tests.flatMap((f) =>
      readFileSync(join(ROOT, f), 'utf8')
        .split('\n')
        .flatMap((line, i) => (SLEEPS.some((re) => re.test(line)) ? [`${f}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(found).toEqual([]);
  });
});

