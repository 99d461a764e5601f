#!/usr/bin/env node
// The `salve` command. Salve's Node process must run with two V8 flags (one of them is not
// allowed in NODE_OPTIONS), so when they are missing this re-runs Node with them.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { needsReexec, requiredFlags } from './exec-with-flags.js';

const cli = fileURLToPath(new URL('../dist/runtime/cli.js', import.meta.url));
if (!existsSync(cli)) {
  console.error('salve: not built; run "npm run build" first');
  process.exit(1);
}

if (needsReexec(process.execArgv)) {
  const child = spawn(process.execPath, [...requiredFlags, cli, ...process.argv.slice(2)], { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => child.kill(signal));
  }
  child.on('exit', (code, signal) => {
    if (signal) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
} else {
  const { main } = await import(cli);
  await main(process.argv.slice(2));
}
