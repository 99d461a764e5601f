import { parseCommand, UsageError } from './cli-args.js';
import { passwordOf } from './store/pg/migrate.js';
import { loadConfig } from './config.js';
import { scrubberFor } from './engine/secrets/scrub.js';
import { secretStoreFromEnv, withScrubbedExtras } from './engine/secrets/secrets.js';
import { MASTER_KEY_VAR } from './engine/secrets/master-key.js';
import { onLauncherExit, receiveSecrets } from './launcher.js';
import { createLogger } from './log.js';
import { startServer } from './server.js';

/** The `salve serve` process pair, server side (the launcher side is launcher.ts). */

/** Validates the `serve` flags (the launcher and the server both do, so mistakes show before anything starts). */
export function serveFlags(args: string[]): Record<string, string | undefined> {
  const { positionals, values } = parseCommand(args, {
    port: { type: 'string' },
    host: { type: 'string' },
    data: { type: 'string' },
    database: { type: 'string' },
    'event-retention-days': { type: 'string' },
    flows: { type: 'string' },
  });
  if (positionals.length) throw new UsageError(`unexpected argument ${positionals[0]}`);
  return values;
}

/** A closed stdout/stderr (the launcher or a log pipe gone) must not crash a server that is stopping. */
function ignoreBrokenPipes(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
    });
  }
}

/**
 * The server process, started by the launcher (`salve serve`): takes the secrets from it, runs
 * until SIGTERM, SIGINT or SIGHUP, or until the launcher is gone, then stops gracefully. Resolves with 0.
 */
export async function runServerProcess(args: string[], print: (line: string) => void): Promise<number> {
  const flags = serveFlags(args);
  const handed = await receiveSecrets();
  ignoreBrokenPipes();
  // The secrets exist only here, never in process.env (commands could read it).
  const config = loadConfig(flags, { ...process.env, ...handed });
  const masterKey = handed[MASTER_KEY_VAR];
  const secrets = withScrubbedExtras(secretStoreFromEnv(handed), [config.adminToken, config.metricsToken, masterKey, config.oidcClientSecret, passwordOf(config.databaseUrl)]);
  let scrubber = scrubberFor(secrets);
  const log = createLogger({ level: config.logLevel, destination: process.stderr, scrub: (line) => scrubber.json(line) });
  // Listen for stop requests before starting: a SIGTERM during start-up (migrations, recovery)
  // must still end in a clean stop, not in Node's default exit without releasing the data lock.
  let stopNow: ((why: string) => void) | undefined;
  let stopAsked: string | undefined;
  const askStop = (why: string) => {
    if (stopNow) stopNow(why);
    else stopAsked ??= why;
  };
  // Repeats (a terminal's Ctrl-C reaches both processes, and the launcher forwards it) are ignored.
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => askStop(`received ${signal}`));
  onLauncherExit(() => askStop('the launcher exited'));
  const server = await startServer(config, log, print, secrets, { masterKey });
  scrubber = server.scrubber;
  await new Promise<void>((resolveStop) => {
    let stopping = false;
    stopNow = (why: string) => {
      if (stopping) return;
      stopping = true;
      print(`${why}: stopping (up to ${config.shutdownGraceSeconds} s for running steps)`);
      void server.stop().then(resolveStop);
    };
    if (stopAsked) stopNow(stopAsked);
  });
  return 0;
}
