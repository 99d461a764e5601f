import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, NODE_FLAGS, processAlive, removeDir, startServer, tempDataDir, type TestServer } from '../kit/server.js';
import { waitFor } from '../kit/wait.js';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'salve.js');
const SECRET = 'launcher-secret-value-71';
const FILE_SECRET = 'file-only-secret-value-93';
const TOKEN = 'launcher-admin-token-0123456789';
const MASTER_KEY = Buffer.alloc(32, 7).toString('base64');

const environ = (pid: number) => readFileSync(`/proc/${pid}/environ`, 'latin1');
const parentOf = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
};

/**
 * `salve serve` is a launcher: it reads the secrets, starts the real server without them in its
 * environment, hands them over IPC, and the server stops when the launcher goes away.
 */
describe('the launcher (salve serve)', () => {
  const dirs: string[] = [];
  const servers: TestServer[] = [];
  afterAll(async () => {
    for (const s of servers) await s.kill();
    for (const d of dirs) removeDir(d);
  });

  it('keeps every secret out of the server process environment; the server still has them', async () => {
    const s = await startServer({ token: TOKEN, env: { SALVE_SECRET_API: SECRET, SALVE_SECRET_API_HOSTS: '127.0.0.1', SALVE_MASTER_KEY: MASTER_KEY } });
    servers.push(s);
    dirs.push(s.dataDir);
    expect(s.serverPid).not.toBe(s.child.pid);
    expect(parentOf(s.serverPid)).toBe(s.child.pid);
    const env = environ(s.serverPid);
    for (const text of ['SALVE_SECRET_', 'SALVE_ADMIN_TOKEN', 'SALVE_MASTER_KEY', SECRET, TOKEN, MASTER_KEY]) expect(env).not.toContain(text);
    // The launcher's own environment still holds them: that is what SALVE_SECRETS_FILE avoids.
    expect(environ(s.child.pid!)).toContain(SECRET);
    expect((await s.api('GET', '/api/secrets')).body.secrets.map((i: { name: string }) => i.name)).toEqual(['API']);
    // The handed-over master key is the one the secret store uses.
    expect(s.output()).toContain('Master key for stored secrets: SALVE_MASTER_KEY');
    expect(await s.stop()).toBe(0);
  });

  /** Runs `bin/salve.js serve` as an operator would, until it listens. */
  async function serveWithBin() {
    const dataDir = tempDataDir();
    dirs.push(dataDir);
    const launcher = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--data', dataDir], {
      env: { PATH: process.env.PATH ?? '', SALVE_ADMIN_TOKEN: TOKEN, SALVE_LOG_LEVEL: 'warn', SALVE_SECRET_API: SECRET, XDG_CONFIG_HOME: `${dataDir}-config` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    launcher.stdout.on('data', (d) => (out += d));
    launcher.stderr.on('data', (d) => (out += d));
    const exited = new Promise<void>((resolve) => launcher.once('exit', () => resolve()));
    await waitFor(() => /listening on/.test(out), 20_000, 'the server to listen');
    const serverPid = Number(readFileSync(join(dataDir, 'salve.pid'), 'utf8'));
    return { dataDir, launcher, serverPid, exited, output: () => out };
  }

  it('bin/salve.js is the launcher itself: one step to a server with the V8 flags and no secrets', async () => {
    const { launcher, serverPid, exited } = await serveWithBin();
    try {
      expect(parentOf(serverPid)).toBe(launcher.pid);
      expect(readFileSync(`/proc/${serverPid}/cmdline`, 'utf8')).toContain('--disallow-code-generation-from-strings');
      // The memory setting of node-flags.ts (the bench's peak RSS depends on it).
      expect(readFileSync(`/proc/${serverPid}/cmdline`, 'utf8')).toContain('--heap-growing-percent=100');
      expect(environ(serverPid)).not.toContain(SECRET);
    } finally {
      launcher.kill('SIGTERM');
      await exited;
    }
  });

  it('kill -9 of bin/salve.js stops the server, which releases the data directory for the next one', async () => {
    const { dataDir, launcher, serverPid, output } = await serveWithBin();
    launcher.kill('SIGKILL');
    try {
      await waitFor(() => !processAlive(serverPid), 15_000, `server ${serverPid} to exit after its launcher was killed`);
    } finally {
      if (processAlive(serverPid)) process.kill(serverPid, 'SIGKILL');
    }
    expect(output()).toContain('the launcher exited: stopping');
    expect(existsSync(join(dataDir, 'salve.pid'))).toBe(false);
    const again = await startServer({ dataDir });
    servers.push(again);
    expect((await again.api('GET', '/api/flows')).status).toBe(200);
    await again.stop();
  });

  it('reads SALVE_SECRETS_FILE, so a secret need be in no environment at all', async () => {
    const dataDir = tempDataDir();
    dirs.push(dataDir);
    const file = join(dataDir, '..', `${dataDir.split('/').pop()}.secrets`);
    writeFileSync(file, `# test\nSALVE_SECRET_FROM_FILE=${FILE_SECRET}\n`, { mode: 0o600 });
    try {
      const s = await startServer({ dataDir, env: { SALVE_SECRETS_FILE: file } });
      servers.push(s);
      expect((await s.api('GET', '/api/secrets')).body.secrets.map((i: { name: string }) => i.name)).toEqual(['FROM_FILE']);
      for (const pid of [s.child.pid!, s.serverPid]) expect(environ(pid)).not.toContain(FILE_SECRET);
      expect(environ(s.serverPid)).not.toContain('SALVE_SECRETS_FILE');
      await s.stop();

      chmodSync(file, 0o644);
      await expect(startServer({ dataDir, env: { SALVE_SECRETS_FILE: file } })).rejects.toThrow(
        `salve: SALVE_SECRETS_FILE=${file}: mode 0644; it must be 0600 or 0400 (readable by its owner only): chmod 600 ${file}`,
      );
    } finally {
      removeDir(file);
    }
  });

  it('refuses the internal server command when no launcher started it', () => {
    const r = spawnSync(process.execPath, [...NODE_FLAGS, CLI, '__server'], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('"__server" is internal: start Salve with "salve serve"');
  });
});
