import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ASSETS = join(ROOT, 'dist', 'editor', 'assets');

/**
 * The editor imports the server's route types (`import type { AppType }`) for its typed API
 * client. Types are erased, so no server code may reach the browser bundle; and because those
 * types bring Node's own declarations into the editor's typecheck, Node globals would no longer
 * be caught there, so this looks for them in the editor's and shared/'s code instead.
 */
describe('the editor is browser code only', () => {
  it('bundles no server code (npm run build first)', () => {
    if (!existsSync(ASSETS)) throw new Error('dist/editor is missing: run `npm run build` first');
    const scripts = readdirSync(ASSETS).filter((f) => f.endsWith('.js'));
    expect(scripts.length).toBeGreaterThan(0);
    const bundle = scripts.map((f) => readFileSync(join(ASSETS, f), 'utf8')).join('\n');
    // Server-only packages, Node built-ins, and strings only the runtime's own modules hold.
    const markers = ['better-sqlite3', 'drizzle', 'pino', '@hono/node-server', 'PRAGMA ', 'storage is busy or full', 'no such flow route', 'wrong admin token'];
    expect(markers.filter((m) => bundle.includes(m))).toEqual([]);
    expect(bundle.match(/["'`]node:[a-z_/]+["'`]/g) ?? []).toEqual([]);
  });

  it('uses no Node global (process, Buffer, NodeJS.*, …) in editor/src or shared/', () => {
    const configPath = join(ROOT, 'editor', 'tsconfig.json');
    const { config } = ts.readConfigFile(configPath, (p) => ts.sys.readFile(p));
    const parsed = ts.parseJsonConfigFileContent(config, ts.sys, dirname(configPath));
    const program = ts.createProgram(parsed.fileNames, parsed.options);
    const checker = program.getTypeChecker();
    const nodeTypes = `${sep}node_modules${sep}@types${sep}node${sep}`;
    const browserSide = [join(ROOT, 'editor', 'src') + sep, join(ROOT, 'shared') + sep];
    const found: string[] = [];
    let checked = 0;

    for (const file of program.getSourceFiles()) {
      const name = file.fileName.split('/').join(sep);
      if (!browserSide.some((dir) => name.startsWith(dir)) || /\.test\.tsx?$/.test(name)) continue;
      checked++;
      const visit = (node: ts.Node) => {
        if (ts.isIdentifier(node)) {
          const declarations = checker.getSymbolAtLocation(node)?.declarations ?? [];
          // Declared only by Node (a global the DOM also declares, such as setTimeout, is fine).
          if (declarations.length > 0 && declarations.every((d) => d.getSourceFile().fileName.split('/').join(sep).includes(nodeTypes))) {
            const { line } = file.getLineAndCharacterOfPosition(node.getStart());
            found.push(`${name.slice(ROOT.length + 1)}:${line + 1} ${node.text}`);
          }
        }
        ts.forEachChild(node, visit);
      };
      visit(file);
    }
    expect(checked).toBeGreaterThan(100);
    expect(found).toEqual([]);
  }, 180_000);
});
