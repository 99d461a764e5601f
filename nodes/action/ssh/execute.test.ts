import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderConfig } from '../../../runtime/engine/dispatch/render.js';
import { DestinationPolicy, type Resolver } from '../../../runtime/net/destination-policy.js';
import { testAlert, testContext } from '../../../test/kit/nodes.js';
import { processAlive } from '../../../test/kit/server.js';
import { startSshd, type TestSshd } from '../../../test/kit/sshd.js';
import { waitFor } from '../../../test/kit/wait.js';
import type { ExecContext, Resolved, StepOutcome } from '../../executor.js';
import { sshAction, SshActionConfigSchema, type SshActionConfig } from './definition.js';
import { executeSshAction } from './execute.js';
import type { SshOutput } from './output.js';
import { OUTPUT_CAP_BYTES, TRUNCATION_MARKER } from './run-remote.js';

let sshd: TestSshd;
let scratch: string;
beforeAll(async () => {
  sshd = await startSshd();
  scratch = mkdtempSync(join(tmpdir(), 'salve-ssh-scratch-'));
});
afterAll(async () => {
  await sshd?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** The test's DNS: `db1.test` is the loopback sshd; nothing else resolves. */
const resolver: Resolver = async (host) => {
  if (host === 'db1.test') return [{ address: '127.0.0.1', family: 4 }];
  throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
};

interface Secrets {
  SSH_KEY?: string;
  SSH_KEY_PASSPHRASE?: string;
  SSH_PASSWORD?: string;
}

/**
 * Runs a step as the runner would: the config parsed (secret references in it), templates
 * rendered against the alert, secrets resolved, and a network that allows the loopback sshd and
 * sends each secret only to it — unless `allowed`/`secretHosts` say otherwise.
 */
async function runStep(
  input: Record<string, unknown>,
  opts: { secrets?: Secrets; allowed?: string[]; secretHosts?: string[]; labels?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<StepOutcome<SshOutput>> {
  const parsed = SshActionConfigSchema.parse({
    host: '127.0.0.1',
    port: sshd.port,
    user: sshd.user,
    auth: { type: 'key', privateKey: { secret: 'SSH_KEY' } },
    hostKey: sshd.fingerprint,
    ...input,
  });
  const secrets: Secrets = opts.secrets ?? { SSH_KEY: sshd.clientKey };
  const vars = testContext().vars;
  if (opts.labels) vars.alert = testAlert({ labels: opts.labels });
  const rendered = renderConfig(parsed, sshAction.expressions(parsed), vars, (name) => secrets[name as keyof Secrets]);
  const policy = new DestinationPolicy({
    allowedTargets: opts.allowed ?? ['127.0.0.1'],
    secretHosts: (name) => (name in secrets ? (opts.secretHosts ?? ['127.0.0.1', 'db1.test']) : undefined),
    resolver,
  });
  const ctx: ExecContext = testContext({
    vars,
    secrets: rendered.secrets,
    network: policy.forStep({ secrets: rendered.secrets.map((s) => s.name) }),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  return executeSshAction(rendered.value as Resolved<SshActionConfig>, ctx);
}

const outputOf = (outcome: StepOutcome<SshOutput>): SshOutput => {
  if (!('output' in outcome) || !outcome.output) throw new Error(`no output: ${JSON.stringify(outcome)}`);
  return outcome.output;
};
const errorOf = (outcome: StepOutcome<SshOutput>): string => (outcome.type === 'fail' ? outcome.error : `not a failure: ${outcome.type}`);
/** What sshd logged from now on: a refused step must not even have connected. */
const logSince = () => {
  const start = sshd.log().length;
  return () => sshd.log().slice(start);
};

describe('action.ssh executor, against a real OpenSSH server', () => {
  it('runs the argv on a server whose pinned fingerprint matches, and reports where and how it ended', async () => {
    const outcome = await runStep({ command: ['printf', '%s\\n', 'hello from sshd'] });
    expect(outcome).toMatchObject({
      type: 'next',
      port: 'ok',
      output: { host: `127.0.0.1:${sshd.port}`, address: '127.0.0.1', exitCode: 0, signal: null, stdout: 'hello from sshd\n', stderr: '', timedOut: false, stdoutTruncated: false },
    });
  });

  it('accepts a known_hosts line naming the host (as ssh-keyscan prints it) and connects by name to the checked address', async () => {
    const [type, key] = sshd.publicKey.split(' ');
    const byAddress = await runStep({ hostKey: `[127.0.0.1]:${sshd.port} ${type} ${key}`, command: ['echo', 'by address'] });
    expect(byAddress).toMatchObject({ type: 'next', port: 'ok', output: { stdout: 'by address\n' } });
    const byName = await runStep({ host: 'db1.test', hostKey: `# scanned\n[db1.test]:${sshd.port} ${type} ${key}`, command: ['echo', 'by name'] });
    expect(byName).toMatchObject({ type: 'next', port: 'ok', output: { host: `db1.test:${sshd.port}`, address: '127.0.0.1', stdout: 'by name\n' } });
  });

  it('refuses a server whose key is not the pinned one, showing the key it offered, and runs nothing', async () => {
    const marker = join(scratch, 'ran-despite-changed-key');
    const outcome = await runStep({ hostKey: sshd.otherFingerprint, command: ['touch', marker] });
    expect(outcome).toMatchObject({ type: 'fail', port: 'error' });
    expect(errorOf(outcome)).toContain(`host key refused: the server offered ssh-ed25519 ${sshd.fingerprint}, which is not pinned in hostKey`);
    expect(existsSync(marker)).toBe(false);

    // The right key in a known_hosts line for another host is refused too: a pin belongs to its host.
    const [type, key] = sshd.publicKey.split(' ');
    const elsewhere = await runStep({ hostKey: `db2.test ${type} ${key}`, command: ['touch', marker] });
    expect(errorOf(elsewhere)).toContain(`offered ssh-ed25519 ${sshd.fingerprint}`);
    expect(existsSync(marker)).toBe(false);
  });

  it('passes alert values with quotes, ;, $(), backticks and newlines as literal arguments', async () => {
    const marker = join(scratch, 'injected');
    const labels = {
      quote: "it's \"quoted\"",
      semi: `x; touch ${marker}`,
      subst: `$(touch ${marker})`,
      tick: `\`touch ${marker}\``,
      newline: `first\ntouch ${marker}`,
      glob: '* ~ $HOME \\',
    };
    const names = Object.keys(labels);
    const outcome = await runStep({ command: ['printf', '%s|', ...names.map((n) => `{{ alert.labels.${n} }}`)] }, { labels });
    expect(outcome).toMatchObject({ type: 'next', port: 'ok' });
    expect(outputOf(outcome).stdout).toBe(Object.values(labels).map((v) => `${v}|`).join(''));
    expect(existsSync(marker)).toBe(false);
  });

  it('goes to "error" with the exit code and keeps stdout and stderr', async () => {
    const outcome = await runStep({ command: ['sh', '-c', 'echo partial; echo disk still full >&2; exit 3'] });
    expect(outcome).toMatchObject({
      type: 'fail',
      port: 'error',
      error: `sh on 127.0.0.1:${sshd.port} exited with code 3`,
      output: { exitCode: 3, stdout: 'partial\n', stderr: 'disk still full\n' },
    });
  });

  it('on timeout kills the remote command and what it started, and fails saying so', async () => {
    const outcome = await runStep({ command: ['sh', '-c', 'sleep 31 & echo $!; echo $$; exec sleep 30'], timeoutSeconds: 2 });
    expect(outcome).toMatchObject({ type: 'fail', port: 'error', error: `sh on 127.0.0.1:${sshd.port} timed out after 2 s`, output: { timedOut: true } });
    const pids = outputOf(outcome).stdout.trim().split('\n').map(Number);
    expect(pids).toHaveLength(2);
    // sshd runs here, so its command's processes are ours to see.
    for (const pid of pids) await waitFor(() => !processAlive(pid), 5000, () => `remote process ${pid} to be killed; sshd log:\n${sshd.log().slice(-3000)}`);
  });

  it('ends what the command left running in the background once it exits', async () => {
    const outcome = await runStep({ command: ['sh', '-c', 'sleep 30 >/dev/null 2>&1 & echo $!'] });
    expect(outcome).toMatchObject({ type: 'next', port: 'ok', output: { exitCode: 0 } });
    const pid = Number(outputOf(outcome).stdout.trim());
    expect(pid).toBeGreaterThan(1);
    await waitFor(() => !processAlive(pid), 5000, `background process ${pid} to be ended`);
  });

  it('stops the remote command when the execution is cancelled', async () => {
    const controller = new AbortController();
    // Cancelled once the command runs (the marker file says so), however long logging in took.
    const started = join(scratch, 'cancel-started');
    const running = runStep({ command: ['sh', '-c', `echo $$ > '${started}.tmp'; mv '${started}.tmp' '${started}'; exec sleep 30`] }, { signal: controller.signal });
    await waitFor(() => existsSync(started), 10_000, 'the remote command to start');
    controller.abort('cancel');
    const outcome = await running;
    expect(outcome).toMatchObject({ type: 'fail', port: 'error', error: `sh on 127.0.0.1:${sshd.port} was stopped: the execution was cancelled or is shutting down` });
    const pid = Number(readFileSync(started, 'utf8').trim());
    expect(pid).toBeGreaterThan(1);
    await waitFor(() => !processAlive(pid), 5000, `remote process ${pid} to be killed`);
  });

  it('keeps the first 1 MiB of output and marks the cut; kills a command that will not stop writing', async () => {
    const capped = await runStep({ command: ['sh', '-c', 'yes salve | head -c 3000000; echo done >&2'] });
    expect(capped).toMatchObject({ type: 'next', port: 'ok', output: { exitCode: 0, stdoutTruncated: true, stderrTruncated: false, stderr: 'done\n' } });
    const stdout = outputOf(capped).stdout;
    expect(stdout.endsWith(TRUNCATION_MARKER)).toBe(true);
    expect(stdout.length).toBe(OUTPUT_CAP_BYTES + TRUNCATION_MARKER.length);

    const endless = await runStep({ command: ['yes', 'salve'], timeoutSeconds: 120 });
    expect(endless).toMatchObject({ type: 'fail', port: 'error', error: `yes on 127.0.0.1:${sshd.port} wrote more than 16 MiB of output and was killed`, output: { stdoutTruncated: true, timedOut: false } });
  });

  it('logs in with an encrypted key and its passphrase; a wrong passphrase fails without showing it', async () => {
    const auth = { type: 'key', privateKey: { secret: 'SSH_KEY' }, passphrase: { secret: 'SSH_KEY_PASSPHRASE' } };
    const ok = await runStep({ auth, command: ['echo', 'unlocked'] }, { secrets: { SSH_KEY: sshd.encryptedClientKey, SSH_KEY_PASSPHRASE: sshd.clientKeyPassphrase } });
    expect(ok).toMatchObject({ type: 'next', port: 'ok', output: { stdout: 'unlocked\n' } });
    const wrong = await runStep({ auth, command: ['echo', 'unlocked'] }, { secrets: { SSH_KEY: sshd.encryptedClientKey, SSH_KEY_PASSPHRASE: 'not the passphrase' } });
    expect(wrong).toMatchObject({ type: 'fail', port: 'error' });
    expect(errorOf(wrong)).toMatch(/private key could not be (decrypted|read)/);
    expect(JSON.stringify(wrong)).not.toContain('not the passphrase');
  });

  it('fails on "error" when the server refuses password logins, naming neither the password nor the key', async () => {
    const outcome = await runStep({ auth: { type: 'password', password: { secret: 'SSH_PASSWORD' } }, command: ['echo', 'in'] }, { secrets: { SSH_PASSWORD: 'hunter2-hunter2' } });
    expect(outcome).toEqual({
      type: 'fail',
      port: 'error',
      error: `ssh ${sshd.user}@127.0.0.1:${sshd.port}: logging in with a password failed (the server accepted none of the credentials offered)`,
    });
  });

  it('gives up after connectTimeoutSeconds on a server that never speaks SSH, and says so for a closed port', async () => {
    // Accepts TCP connections and says nothing: a firewall black hole or a hung daemon.
    const silent: Server = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const silentPort = (silent.address() as { port: number }).port;
    try {
      const hung = await runStep({ port: silentPort, connectTimeoutSeconds: 1, command: ['true'] });
      expect(hung).toEqual({ type: 'fail', port: 'error', error: `ssh ${sshd.user}@127.0.0.1:${silentPort}: could not connect and log in within 1 s` });
    } finally {
      silent.close();
    }
    const closed = await runStep({ port: silentPort, command: ['true'] });
    expect(closed).toEqual({ type: 'fail', port: 'error', error: `ssh ${sshd.user}@127.0.0.1:${silentPort}: could not connect: 127.0.0.1:${silentPort}: ECONNREFUSED` });
  });

  it('is refused before connecting when the destination policy does not allow the host', async () => {
    const since = logSince();
    const outcome = await runStep({ command: ['echo', 'in'] }, { allowed: [] });
    expect(outcome).toMatchObject({ type: 'fail', port: 'error' });
    expect(errorOf(outcome)).toContain('refused to connect to 127.0.0.1 (loopback)');
    expect(errorOf(outcome)).toContain('SALVE_ALLOWED_TARGETS');
    // A second, allowed step does connect (so the log would show the refused one, had it connected).
    await runStep({ command: ['true'] });
    expect(since().match(/Connection from 127\.0\.0\.1/g)).toHaveLength(1);
  });

  it('is refused before connecting when the key may not go to the host (its _HOSTS list)', async () => {
    const since = logSince();
    const outcome = await runStep({ command: ['echo', 'in'] }, { secretHosts: ['db9.example.internal'] });
    expect(errorOf(outcome)).toContain('secret SSH_KEY may not be sent to 127.0.0.1');
    expect(since()).not.toContain('Connection from');
  });

  it('refuses a rendered host that is not a host name, before resolving it', async () => {
    const outcome = await runStep({ host: '{{ alert.labels.instance }}', command: ['true'] }, { labels: { instance: 'db1 -oProxyCommand=x' } });
    expect(outcome).toEqual({ type: 'fail', port: 'error', error: 'host "db1 -oProxyCommand=x" is not a host name or IP address' });
  });

  it('never puts the private key in the step outcome', async () => {
    const outcome = await runStep({ command: ['sh', '-c', 'echo in; exit 1'] });
    const body = sshd.clientKey.split('\n')[1]!;
    expect(body.length).toBeGreaterThan(20);
    expect(JSON.stringify(outcome)).not.toContain(body);
    const refused = await runStep({ hostKey: sshd.otherFingerprint, command: ['true'] });
    expect(JSON.stringify(refused)).not.toContain(body);
  });
});
