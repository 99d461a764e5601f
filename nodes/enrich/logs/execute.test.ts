import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { renderConfig } from '../../../runtime/engine/dispatch/render.js';
import { secretStoreFrom } from '../../../runtime/engine/secrets/secrets.js';
import { clusterSpecsJson } from '../../../runtime/kubernetes/cluster-specs.js';
import { KubernetesDirectory } from '../../../runtime/kubernetes/clusters.js';
import { DestinationPolicy } from '../../../runtime/net/destination-policy.js';
import { startKubeApi, type KubeApi } from '../../../test/kit/kube-api.js';
import { testAlert, testContext } from '../../../test/kit/nodes.js';
import { formatIssues, issuesFromZod } from '../../../shared/errors.js';
import { startSshd, type TestSshd } from '../../../test/kit/sshd.js';
import type { Resolved, StepOutcome } from '../../executor.js';
import { enrichLogs, LogsConfigSchema, type LogsConfig } from './definition.js';
import { executeLogs } from './execute.js';
import type { LogsOutput } from './output.js';

/**
 * enrich.logs against the loopback Kubernetes API stand-in (the exact log request) and a real
 * OpenSSH server (the file tail it runs), as the runner calls it: config parsed, templates
 * rendered against a hostile-ish alert, secrets resolved, the destination policy in force.
 */
let api: KubeApi;
let sshd: TestSshd;
let dir: string;
beforeAll(async () => {
  [api, sshd] = await Promise.all([startKubeApi(), startSshd()]);
  dir = mkdtempSync(join(tmpdir(), 'salve-logs-'));
});
afterAll(async () => {
  await Promise.all([api?.close(), sshd?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  api.requests.length = 0;
});

const SECRETS: Record<string, string> = {};

async function step(input: Record<string, unknown>, labels: Record<string, string> = {}): Promise<{ outcome: StepOutcome<LogsOutput>; output: LogsOutput }> {
  SECRETS.KUBECONFIG_TEST = api.kubeconfig();
  SECRETS.SSH_KEY = sshd.clientKey;
  const policy = new DestinationPolicy({
    allowedTargets: ['127.0.0.1'],
    secretHosts: (name) => (name in SECRETS ? ['127.0.0.1'] : undefined),
    resolver: async () => {
      throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    },
  });
  const directory = new KubernetesDirectory({
    specs: clusterSpecsJson.parse(JSON.stringify({ test: { kubeconfig: 'KUBECONFIG_TEST', namespaces: ['web'] } })),
    secrets: secretStoreFrom(SECRETS),
  });
  const vars = testContext({ vars: { alert: testAlert({ labels: { alertname: 'KubePodCrashLooping', namespace: 'web', pod: 'api-0', file: 'app.log', ...labels } }) } }).vars;
  const config = LogsConfigSchema.parse(input);
  const rendered = renderConfig(config, enrichLogs.expressions(config), vars, (name) => SECRETS[name]);
  const ctx = testContext({
    vars,
    secrets: rendered.secrets,
    network: policy.forStep({ secrets: rendered.secrets.map((s) => s.name) }),
    kubernetes: directory.forTeam(async () => undefined),
  });
  const outcome = await executeLogs(rendered.value as Resolved<LogsConfig>, ctx);
  return { outcome, output: (outcome as { output: LogsOutput }).output };
}

const pod = (over: Record<string, unknown> = {}) => ({ from: { type: 'kubernetes', cluster: 'test', namespace: '{{ alert.labels.namespace }}', pod: '{{ alert.labels.pod }}', ...over } });
const overSsh = () => ({ host: '127.0.0.1', port: sshd.port, user: sshd.user, auth: { type: 'key', privateKey: { secret: 'SSH_KEY' } }, hostKey: sshd.fingerprint });
const file = (over: Record<string, unknown> = {}) => ({ from: { type: 'file', ssh: overSsh(), directory: dir, file: '{{ alert.labels.file }}', ...over } });

describe('enrich.logs: a pod’s log', () => {
  it('reads the last lines with the API server’s own limits and keeps them as a text attachment named for the pod', async () => {
    api.put('pods', 'web', { metadata: { name: 'api-0' }, spec: { containers: [{ name: 'app' }] } });
    api.setLogs('web', 'api-0', Array.from({ length: 300 }, (_, i) => `line ${i + 1}\n`).join(''));
    const { outcome, output } = await step({ ...pod(), lines: 50 });
    expect(outcome).toMatchObject({ type: 'next', port: 'ok' });
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /api/v1/namespaces/web/pods/api-0/log']);
    expect(api.requests[0]!.query).toEqual({ tailLines: '50', limitBytes: '262144' });
    expect(output).toMatchObject({ from: 'kubernetes', target: 'pod web/api-0 on test', lines: 50, truncated: false });
    expect(output.attachment).toMatchObject({ name: 'api-0.log', mediaType: 'text/plain', encoding: 'utf8' });
    expect(output.attachment!.content.split('\n')[0]).toBe('line 251');
    expect(output.attachment!.size).toBe(Buffer.byteLength(output.attachment!.content));
  });

  it('keeps the NEWEST lines of a log longer than 256 KiB: the API server cuts the start of what was asked, so it is asked again for fewer', async () => {
    api.put('pods', 'web', { metadata: { name: 'api-0' }, spec: { containers: [{ name: 'app' }] } });
    // 3,000 lines of 200 bytes (600 KB): the last 2,000 are 400 KB, over the limit.
    const lines = Array.from({ length: 3000 }, (_, i) => `${`line ${i + 1} `.padEnd(199, '.')}\n`);
    api.setLogs('web', 'api-0', lines.join(''));
    const { outcome, output } = await step({ ...pod(), lines: 2000 });
    expect(outcome).toMatchObject({ type: 'next', port: 'ok' });
    const asked = api.requests.map((r) => Number(r.query.tailLines));
    expect(asked[0]).toBe(2000);
    expect(asked.length).toBeGreaterThan(1);
    expect(asked.length).toBeLessThanOrEqual(4);
    // 1,310 whole lines fit in the first answer; 90% of them are asked for next, and fit.
    expect(asked.at(-1)).toBe(Math.floor(Math.floor(262144 / 200) * 0.9));
    const content = output.attachment!.content;
    expect(content.endsWith(lines[2999]!)).toBe(true);
    expect(content.startsWith(lines[3000 - asked.at(-1)!]!)).toBe(true);
    expect(Buffer.byteLength(content)).toBeLessThanOrEqual(256 * 1024);
    expect(output).toMatchObject({ lines: asked.at(-1), truncated: true });
    expect(output.message).toContain('longer than 256 KiB');
  });

  it('reads a container’s previous run when asked, and names the file for it', async () => {
    api.put('pods', 'web', { metadata: { name: 'api-0' }, spec: { containers: [{ name: 'app' }, { name: 'proxy' }] } });
    api.setLogs('web', 'api-0', 'panic: out of memory\n', { container: 'app', previous: true });
    const { output } = await step(pod({ container: 'app', previous: true }));
    expect(api.requests[0]!.query).toMatchObject({ container: 'app', previous: 'true' });
    expect(output.attachment).toMatchObject({ name: 'api-0-app-previous.log', content: 'panic: out of memory\n' });
  });

  it('sends nothing for a namespace the cluster does not allow, or an alert value that is not a Kubernetes name', async () => {
    const other = await step(pod(), { namespace: 'kube-system' });
    expect(other.outcome).toMatchObject({ type: 'fail', port: 'error' });
    expect(other.output.message).toContain('namespace kube-system is not allowed on cluster test');
    const sneaky = await step(pod(), { pod: '../../nodes/worker-1' });
    expect(sneaky.output.message).toMatch(/pod .* nothing was sent/);
    expect(sneaky.output.attachment).toBeUndefined();
    expect(api.requests).toEqual([]);
  });

  it('goes to error with the API server’s message when the pod is not there', async () => {
    const { outcome, output } = await step(pod(), { pod: 'gone-7' });
    expect(outcome).toMatchObject({ type: 'fail', port: 'error' });
    expect(output.message).toMatch(/could not read the log of pod web\/gone-7 on test: pods "gone-7" not found/);
  });
});

describe('enrich.logs: a file over SSH (a real OpenSSH server)', () => {
  it('tails the file the alert names inside the written-out directory', async () => {
    writeFileSync(join(dir, 'app.log'), Array.from({ length: 30 }, (_, i) => `entry ${i + 1}`).join('\n') + '\n');
    const { outcome, output } = await step({ ...file(), lines: 5 });
    expect(outcome).toMatchObject({ type: 'next', port: 'ok' });
    expect(output).toMatchObject({ from: 'file', target: `${dir}/app.log on 127.0.0.1`, lines: 5, truncated: false });
    expect(output.attachment).toMatchObject({ name: '127.0.0.1-app.log', content: 'entry 26\nentry 27\nentry 28\nentry 29\nentry 30\n' });
  });

  it('refuses an alert value that would leave the directory, before connecting', async () => {
    for (const name of ['../../etc/passwd', '..', 'a/b.log', 'x.log\n/etc/passwd']) {
      const { outcome, output } = await step(file(), { file: name });
      expect(outcome, name).toMatchObject({ type: 'fail', port: 'error' });
      expect(output.message, name).toMatch(/is not a file name .* nothing was run/);
    }
  });

  it('a file that does not exist goes to error with tail’s own words', async () => {
    const { outcome, output } = await step(file({ file: 'missing.log' }));
    expect(outcome).toMatchObject({ type: 'fail', port: 'error' });
    expect(output.message).toMatch(/^tail on 127\.0\.0\.1:\d+ exited with code 1: tail: cannot open .*missing\.log/);
  });

  it('keeps the newest 256 KiB of a long log, from a line start, and says it was cut', async () => {
    const line = `${'x'.repeat(199)}\n`;
    writeFileSync(join(dir, 'big.log'), `${line.repeat(1999)}the last line\n`);
    const { output } = await step({ ...file({ file: 'big.log' }), lines: 2000 });
    expect(output.truncated).toBe(true);
    expect(output.attachment!.size).toBeLessThanOrEqual(256 * 1024);
    expect(output.attachment!.content.endsWith('the last line\n')).toBe(true);
    expect(output.attachment!.content.startsWith('x')).toBe(true);
    expect(output.message).toContain('longer than 256 KiB');
  });

  it('reads the file’s newest bytes, whatever its lines’ length: never half a line, never more than asked', async () => {
    // The last 256 KiB hold the end of the a-line (dropped: half a line), the b-line and the last one.
    writeFileSync(join(dir, 'wide.log'), `${'a'.repeat(300_000)}\n${'b'.repeat(200_000)}\nlast: done`);
    const both = await step({ ...file({ file: 'wide.log' }), lines: 5 });
    expect(both.output).toMatchObject({ lines: 2, truncated: true });
    expect(both.output.attachment!.content).toBe(`${'b'.repeat(200_000)}\nlast: done`);
    expect((await step({ ...file({ file: 'wide.log' }), lines: 1 })).output.attachment!.content).toBe('last: done');
    writeFileSync(join(dir, 'short.log'), 'one\ntwo\nthree');
    expect((await step({ ...file({ file: 'short.log' }), lines: 2 })).output.attachment!.content).toBe('two\nthree');
  });
});

/** The schema's issues for `input`, `path: message` per line; empty when it parses. */
function issuesOf(schema: typeof LogsConfigSchema, input: unknown): string {
  const parsed = schema.safeParse(input);
  return parsed.success ? '' : formatIssues(issuesFromZod(parsed.error.issues));
}

describe('enrich.logs: config', () => {
  it('refuses a templated directory, a path for a file, a unit that is an option, and names the field', () => {
    const ssh = { host: 'db1', user: 'salve', auth: { type: 'key', privateKey: { secret: 'SSH_KEY' } }, hostKey: 'SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU' };
    expect(issuesOf(LogsConfigSchema, { from: { type: 'file', ssh, directory: '/var/log/{{ alert.labels.app }}', file: 'x.log' } })).toMatch(/from\.directory: must be written out/);
    expect(issuesOf(LogsConfigSchema, { from: { type: 'file', ssh, directory: 'var/log', file: 'x.log' } })).toMatch(/from\.directory: .* is not absolute/);
    expect(issuesOf(LogsConfigSchema, { from: { type: 'file', ssh, directory: '/var/log', file: '../shadow' } })).toMatch(/from\.file: .* is not a file name/);
    expect(issuesOf(LogsConfigSchema, { from: { type: 'journal', ssh, unit: '--since=yesterday' } })).toMatch(/from\.unit: .* not a systemd unit name/);
    expect(issuesOf(LogsConfigSchema, { from: { type: 'kubernetes', cluster: 'prod', namespace: 'Web!', pod: 'x' } })).toMatch(/from\.namespace/);
    expect(issuesOf(LogsConfigSchema, { from: { type: 'kubernetes', cluster: 'prod', namespace: 'web', pod: 'x' }, lines: 5000 })).toMatch(/lines: must be between 1 and 2000/);
    expect(issuesOf(LogsConfigSchema, { from: { type: 'file', ssh: { ...ssh, auth: { type: 'key', privateKey: 'BEGIN KEY' } }, directory: '/var/log', file: 'x.log' } })).toMatch(/privateKey must be a secret reference/);
  });
});
