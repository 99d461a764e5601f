import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { amAlert, amPayload } from '../kit/alertmanager.js';
import { removeDir, startServer, type TestServer } from '../kit/server.js';
import { startSshd, type TestSshd } from '../kit/sshd.js';
import { startTarget, type Target } from '../kit/target.js';
import { waitFor } from '../kit/wait.js';

interface Step {
  nodeId: string;
  status: string;
  output: Record<string, unknown>;
}

/**
 * The shipped example examples/disk-full-ssh-verify.json on a real server, with a real OpenSSH
 * server standing in for db1, a loopback agent answering its disk usage, and loopback stand-ins
 * for Slack and PagerDuty. Old temp files are deleted over SSH (new ones kept); a disk below 90 %
 * gets a reply in the Slack thread, a disk still full pages on-call. The private key reaches sshd
 * only as a login: no stored step, event or API answer holds it.
 */
describe('action.ssh end to end (examples/disk-full-ssh-verify.json)', () => {
  const SLACK_TOKEN = 'xoxb-e2e-0000000000-abcdefghijklmnop';
  const ROUTING_KEY = 'R0UTINGKEY-e2e-0123456789abcdef';
  let usedPercent = 71;
  let sshd: TestSshd;
  let slack: Target;
  let pd: Target;
  let agent: Target;
  let server: TestServer;
  let tmp: string;
  let nextTs = 1;

  beforeAll(async () => {
    sshd = await startSshd();
    tmp = mkdtempSync(join(tmpdir(), 'salve-e2e-vartmp-'));
    slack = await startTarget((req) => {
      if (req.headers.authorization !== `Bearer ${SLACK_TOKEN}`) return { status: 200, body: JSON.stringify({ ok: false, error: 'invalid_auth' }) };
      return { status: 200, body: JSON.stringify({ ok: true, channel: 'C0OPS', ts: `1764900000.00000${nextTs++}` }) };
    });
    pd = await startTarget((req) => {
      const event = JSON.parse(req.body) as { routing_key: string; dedup_key: string };
      if (event.routing_key !== ROUTING_KEY) return { status: 400, body: JSON.stringify({ status: 'invalid event', errors: ['Invalid routing key'] }) };
      return { status: 202, body: JSON.stringify({ status: 'success', message: 'Event processed', dedup_key: event.dedup_key }) };
    });
    agent = await startTarget((req) => (req.url.startsWith('/disk') ? { status: 200, body: JSON.stringify({ mount: '/var', usedPercent }) } : { status: 404 }));
    server = await startServer({
      env: {
        SALVE_ALLOWED_TARGETS: '127.0.0.1',
        SALVE_SECRET_AM_TOKEN: 'am-token-0123456789',
        SALVE_SECRET_SLACK_BOT_TOKEN: SLACK_TOKEN,
        SALVE_SECRET_SLACK_BOT_TOKEN_HOSTS: '127.0.0.1',
        SALVE_SECRET_PD_ROUTING_KEY: ROUTING_KEY,
        SALVE_SECRET_PD_ROUTING_KEY_HOSTS: '127.0.0.1',
        SALVE_SECRET_SSH_KEY: sshd.clientKey,
        SALVE_SECRET_SSH_KEY_HOSTS: '127.0.0.1',
      },
    });
    const text = readFileSync(join(import.meta.dirname, '..', '..', 'examples', 'disk-full-ssh-verify.json'), 'utf8');
    // db1's agent is the test's own; its temp directory is the test's scratch directory.
    const example = JSON.parse(text.replaceAll('http://db1.example.internal:9100', agent.url).replaceAll('"/var/tmp"', JSON.stringify(tmp)));
    for (const node of example.nodes) {
      if (node.type === 'notify.slack') node.config.apiUrl = `${slack.url}/api`;
      if (node.type === 'notify.pagerduty') node.config.baseUrl = pd.url;
      // db1 is the loopback sshd: its address, port, user and host key.
      if (node.type === 'action.ssh') Object.assign(node.config, { host: '127.0.0.1', port: sshd.port, user: sshd.user, hostKey: sshd.fingerprint });
    }
    expect((await server.api('POST', '/api/flows', { ...example, enabled: true })).status).toBe(201);
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    if (server) removeDir(server.dataDir);
    await Promise.all([slack?.close(), pd?.close(), agent?.close()]);
    await sshd?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  /** A file in the scratch "/var/tmp", last modified `days` ago. */
  const tempFile = (name: string, days: number) => {
    const path = join(tmp, name);
    writeFileSync(path, 'x'.repeat(1024));
    const when = new Date(Date.now() - days * 86_400_000);
    utimesSync(path, when, when);
    return path;
  };

  // Each run a different alert: a repeat of the same one would be recognized as a duplicate.
  const deliver = async (fingerprint: string) => {
    const res = await fetch(`${server.url}/hooks/disk-ssh`, {
      method: 'POST',
      headers: { authorization: 'Bearer am-token-0123456789', 'content-type': 'application/json' },
      body: JSON.stringify(amPayload([amAlert({ fingerprint })])),
    });
    expect(res.status).toBe(202);
    const { executions } = (await res.json()) as { executions: string[] };
    expect(executions).toHaveLength(1);
    return waitFor(async () => {
      const exec = (await server.api('GET', `/api/executions/${executions[0]}`)).body;
      return exec.status === 'succeeded' || exec.status === 'failed' ? exec : undefined;
    }, 30_000, 'the run to finish');
  };

  it('deletes the old temp files over SSH, verifies the disk, and replies in the Slack thread', async () => {
    usedPercent = 71;
    const old = tempFile('old.log', 30);
    const fresh = tempFile('fresh.log', 1);
    const exec = await deliver('fp-cleaned');
    expect(exec.status).toBe('succeeded');
    expect(exec.steps.map((s: Step) => s.nodeId)).toEqual(['am', 'disk', 'tell_slack', 'clean_disk', 'verify_disk', 'cleaned']);
    expect(existsSync(old)).toBe(false);
    expect(existsSync(fresh)).toBe(true);
    const clean = exec.steps.find((s: Step) => s.nodeId === 'clean_disk') as Step;
    expect(clean.output).toMatchObject({ host: `127.0.0.1:${sshd.port}`, exitCode: 0, stdout: `${old}\n`, timedOut: false });

    expect(slack.requests).toHaveLength(2);
    const [first, reply] = slack.requests.map((r) => JSON.parse(r.body));
    expect(first.text).toBe('DiskFull on db1.example.internal:9100: Disk almost full on db1.example.internal:9100. Deleting temp files older than 7 days over SSH.');
    expect(reply).toMatchObject({ channel: 'C0OPS', thread_ts: '1764900000.000001', text: 'Deleted old temp files on db1; the disk is 71 % full now.' });
    expect(pd.requests).toHaveLength(0);

    // The key logged in to sshd, and is in nothing Salve stores or answers.
    expect(sshd.log()).toContain(`Accepted publickey for ${sshd.user} from 127.0.0.1`);
    const keyBody = sshd.clientKey.split('\n')[1]!;
    const everything = JSON.stringify([exec, (await server.api('GET', '/api/events')).body, (await server.api('GET', '/api/flows/disk-full-ssh-verify')).body]);
    expect(everything).not.toContain(keyBody);
  });

  it('pages on-call with the reason when the disk is still full after the clean-up', async () => {
    usedPercent = 96;
    const slackBefore = slack.requests.length;
    const exec = await deliver('fp-still-full');
    expect(exec.status).toBe('succeeded');
    expect(exec.steps.map((s: Step) => s.nodeId)).toEqual(['am', 'disk', 'tell_slack', 'clean_disk', 'verify_disk', 'page_oncall']);
    expect(slack.requests.length - slackBefore).toBe(1);
    expect(pd.requests).toHaveLength(1);
    const trigger = JSON.parse(pd.requests[0]!.body);
    expect(trigger).toMatchObject({ routing_key: ROUTING_KEY, event_action: 'trigger', dedup_key: 'fp-still-full' });
    expect(trigger.payload.summary).toMatch(/^DiskFull on db1\.example\.internal:9100 after the clean-up: the expectation was false: response\.status == 200 && response\.body\.usedPercent < 90 /);
  });
});
