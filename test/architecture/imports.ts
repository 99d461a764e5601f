import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** One import (or re-export) in a source file. */
export interface ImportRef {
  /** The file that imports, relative to the root (`runtime/engine/engine.ts`). */
  from: string;
  /** As written: `../store/db.js`, `node:fs`, `zod`. */
  specifier: string;
  /** The imported file relative to the root (`.js` read as `.ts`/`.tsx`); undefined for packages. */
  target?: string;
  /** `import type …` / `export type … from`: erased at build, so it loads nothing. */
  typeOnly: boolean;
}

const SOURCE = /\.(ts|tsx)$/;

/** Every .ts/.tsx file under `dir` (relative to the root), sorted. */
export function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(join(ROOT, d), { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && entry.name !== 'dist') walk(path);
      } else if (SOURCE.test(entry.name)) out.push(path);
    }
  };
  walk(dir);
  return out.sort();
}

export const isTest = (file: string) => /\.test\.tsx?$/.test(file);

/** `./x.js` from `dir` → the file it names, relative to the root. */
function resolveRelative(fromFile: string, specifier: string): string {
  const base = resolve(ROOT, dirname(fromFile), specifier);
  for (const candidate of [base.replace(/\.js$/, '.ts'), base.replace(/\.js$/, '.tsx'), base, `${base}.ts`, `${base}.tsx`, join(base, 'index.ts')]) {
    if (existsSync(candidate) && SOURCE.test(candidate)) return relative(ROOT, candidate);
  }
  return relative(ROOT, base);
}

// Statements only: `import … from '…'`, `import '…'`, `export … from '…'`, `import('…')`.
const STATIC = /^\s*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm;
const DYNAMIC = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

/** The imports of one file. */
export function importsOf(file: string): ImportRef[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const refs: ImportRef[] = [];
  const add = (specifier: string, typeOnly: boolean) =>
    refs.push({ from: file, specifier, typeOnly, ...(specifier.startsWith('.') ? { target: resolveRelative(file, specifier) } : {}) });
  for (const m of text.matchAll(STATIC)) add(m[3]!, m[2] !== undefined);
  for (const m of text.matchAll(DYNAMIC)) add(m[1]!, false);
  return refs;
}

/** Every file `entry` loads at run time (type-only imports are erased), following relative imports. */
export function runtimeClosure(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (f: string) => {
    if (files.has(f)) return;
    files.add(f);
    for (const ref of importsOf(f)) {
      if (ref.typeOnly) continue;
      if (ref.target) visit(ref.target);
      else packages.add(ref.specifier);
    }
  };
  visit(entry);
  return { files, packages };
}

/** Node's built-in modules, with or without `node:`. */
export function isNodeBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || ['fs', 'path', 'crypto', 'http', 'https', 'net', 'os', 'child_process', 'url', 'stream', 'util'].includes(specifier.split('/')[0]!);
}

/** Every `nodes/<kind>/<name>/` folder: each is one node type. */
export function nodeTypeFolders(): string[] {
  const out: string[] = [];
  for (const kind of readdirSync(join(ROOT, 'nodes'), { withFileTypes: true })) {
    if (!kind.isDirectory()) continue;
    for (const name of readdirSync(join(ROOT, 'nodes', kind.name), { withFileTypes: true })) {
      if (name.isDirectory()) out.push(`nodes/${kind.name}/${name.name}/`);
    }
  }
  return out.sort();
}
