import { spawn } from 'node:child_process';

/**
 * A real protocol peer (Prometheus, Alertmanager) run by a test: its output kept for failure
 * messages, whether it has exited, and a stop that waits for it (SIGTERM, then SIGKILL after 10 s).
 */
export interface PeerProcess {
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  /** Its exit code once it has exited (null when killed by a signal); undefined while it runs. */
  exitCode(): number | null | undefined;
  stop(): Promise<void>;
}

export function spawnPeer(command: string, args: readonly string[]): PeerProcess {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  return {
    output: () => output,
    exitCode: () => exitCode,
    async stop() {
      if (exitCode !== undefined) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
