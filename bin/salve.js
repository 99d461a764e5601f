#!/usr/bin/env node
// The `salve` command. Everything happens in dist/runtime/cli.js: `salve serve` starts the
// server as a child process (with the V8 flags Salve needs, and without the secrets in its
// environment), other commands re-run themselves with those flags when they lack them.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/runtime/cli.js', import.meta.url));
if (!existsSync(cli)) {
  console.error('salve: not built; run "npm run build" first');
  process.exit(1);
}
const { main } = await import(cli);
await main(process.argv.slice(2));
