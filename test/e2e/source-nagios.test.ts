import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeNagios } from '../../nodes/source/nagios/ingest.js';
import { nagiosSamples } from '../../nodes/source/nagios/samples.js';
import { removeDir, startServer, type TestServer } from '../kit/server.js';
import { SALVE_NOTIFY } from '../kit/salve-notify.js';
import { TEST_NOW } from '../kit/nodes.js';

const TOKEN = 'nagios-e2e-token-5f1c';
const FORWARDER = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'nagios', 'salve-icinga-events');

/** Runs a shell script without blocking the event loop (the servers it talks to live in this process). */
function run(script: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', [script, ...args], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A plain HTTP server on a free loopback port; resolves with its URL. */
async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const tmp = mkdtempSync(join(tmpdir(), 'salve-nagios-'));
const tokenFile = join(tmp, 'nagios-token');
writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
const wrongTokenFile = join(tmp, 'wrong-token');
writeFileSync(wrongTokenFile, 'not-the-token\n', { mode: 0o600 });
afterAll(() => removeDir(tmp));

/** What Nagios puts in the environment of a service notification command (values written for Salve). */
const OUTPUT = 'DISK CRITICAL - "/var" is 97% full \\ C:\\new\tquota: 0\u0001x é ✓\nsecond "line"';
function serviceEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    NAGIOS_NOTIFICATIONTYPE: 'PROBLEM',
    NAGIOS_HOSTNAME: 'db7.example.internal',
    NAGIOS_HOSTADDRESS: '10.0.4.27',
    NAGIOS_HOSTSTATE: 'UP',
    NAGIOS_HOSTSTATETYPE: 'HARD',
    NAGIOS_SERVICEDESC: 'DiskFull',
    NAGIOS_SERVICESTATE: 'CRITICAL',
    NAGIOS_SERVICESTATETYPE: 'HARD',
    NAGIOS_SERVICEOUTPUT: OUTPUT,
    NAGIOS_LONGSERVICEOUTPUT: 'mount /var\\nowner "postgres"',
    NAGIOS_TIMET: '1795600000',
    NAGIOS_LASTSERVICESTATECHANGE: '1795599700',
    NAGIOS_SERVICEPROBLEMID: '9001',
    NAGIOS_LASTSERVICEPROBLEMID: '8990',
    NAGIOS_SERVICEATTEMPT: '3',
    NAGIOS_MAXSERVICEATTEMPTS: '3',
    NAGIOS_CONTACTNAME: 'salve',
    ...overrides,
  };
}

describe('source.nagios end to end', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ env: { SALVE_SECRET_NAGIOS_TOKEN: TOKEN } });
    const flow = {
      format: 'salve.flow/v1',
      id: 'nagios-disk',
      name: 'Nagios disk full',
      enabled: true,
      nodes: [
        { id: 'nagios', type: 'source.nagios', config: { path: 'nagios', auth: { type: 'bearer', token: { secret: 'NAGIOS_TOKEN' } } } },
        { id: 'check', type: 'condition.expr', config: { expression: 'alert.severity == "critical"' } },
      ],
      edges: [{ source: 'nagios', target: 'check' }],
    };
    expect((await server.api('POST', '/api/flows', flow)).status).toBe(201);
  });
  afterAll(async () => {
    await server?.stop();
    if (server) removeDir(server.dataDir);
  });

  const send = (body: unknown, authorization = `Bearer ${TOKEN}`) =>
    fetch(`${server.url}/hooks/nagios`, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const executions = async () => (await server.api('GET', '/api/executions?flowId=nagios-disk&limit=200')).body.items as { id: string }[];
  const problem = nagiosSamples[0]!.payload as Record<string, string>;

  it('an authenticated PROBLEM is accepted (202) and starts one execution with the normalized alert', async () => {
    const res = await send(problem);
    expect(res.status).toBe(202);
    const body = (await res.json()) as { executions: string[]; alerts: number };
    expect(body).toMatchObject({ alerts: 1 });
    expect(body.executions).toHaveLength(1);
    const execution = (await server.api('GET', `/api/executions/${body.executions[0]}`)).body;
    expect(execution.alert).toMatchObject({
      source: 'nagios',
      status: 'firing',
      severity: 'critical',
      name: 'DiskFull',
      fingerprint: 'db1.example.internal!DiskFull',
      labels: { host: 'db1.example.internal', service: 'DiskFull', state: 'CRITICAL', state_type: 'HARD', notification_type: 'PROBLEM' },
    });
  });

  it('a wrong or missing token is refused with 401 and nothing runs', async () => {
    const before = (await executions()).length;
    const other = { ...problem, problem_id: '5000' };
    for (const authorization of ['Bearer not-the-token', '', `Basic ${Buffer.from(`nagios:${TOKEN}`).toString('base64')}`]) {
      const res = await send(other, authorization);
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: { message: string } }).error.message).toBe('invalid or missing credentials');
    }
    expect((await executions()).length).toBe(before);
  });

  it('a redelivery, and a re-notification of the same problem, start nothing new', async () => {
    const before = (await executions()).length;
    const again = await send(problem);
    expect(again.status).toBe(202);
    expect(await again.json()).toMatchObject({ executions: [], duplicates: 1 });
    const renotified = { ...problem, notification_number: '2', timestamp: String(Number(problem.timestamp) + 3600) };
    expect(await (await send(renotified)).json()).toMatchObject({ executions: [], duplicates: 1 });
    expect((await executions()).length).toBe(before);
  });

  it('recoveries, SOFT states and acknowledgements are recorded (202) and start nothing; 422 names a bad field', async () => {
    const before = (await executions()).length;
    for (const body of [nagiosSamples[1]!.payload, { ...problem, problem_id: '6001', state_type: 'SOFT' }, { ...problem, notification_type: 'ACKNOWLEDGEMENT', acknowledgement_author: 'ops' }]) {
      const res = await send(body);
      expect(res.status).toBe(202);
      expect(await res.json()).toMatchObject({ alerts: 1, executions: [] });
    }
    const bad = await send({ ...problem, state: 'MOSTLY OK' });
    expect(bad.status).toBe(422);
    expect(JSON.stringify(await bad.json())).toContain('"state"');
    expect((await send('{"host_name": "x", ')).status).toBe(400);
    expect((await executions()).length).toBe(before);
  });

  it('salve-notify, run as Nagios runs it, delivers a notification with hostile plugin output; a wrong token file gets 401 and runs nothing', async () => {
    const before = (await executions()).length;
    const ok = await run(SALVE_NOTIFY, [`${server.url}/hooks/nagios`, tokenFile], serviceEnv());
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    const after = await executions();
    expect(after.length).toBe(before + 1);
    const execution = (await server.api('GET', `/api/executions/${after[0]!.id}`)).body;
    expect(execution.alert).toMatchObject({
      name: 'DiskFull',
      fingerprint: 'db7.example.internal!DiskFull',
      summary: 'DISK CRITICAL - "/var" is 97% full \\ C:\\new\tquota: 0\u0001x é ✓',
      description: 'mount /var\nowner "postgres"',
      annotations: { output: OUTPUT, problem_id: '9001' },
    });
    // The same notification sent again (Nagios re-notifying) is a duplicate.
    expect((await run(SALVE_NOTIFY, [`${server.url}/hooks/nagios`, tokenFile], serviceEnv({ NAGIOS_TIMET: '1795603600' }))).code).toBe(0);
    const refused = await run(SALVE_NOTIFY, [`${server.url}/hooks/nagios`, wrongTokenFile], serviceEnv({ NAGIOS_SERVICEPROBLEMID: '9002' }));
    expect(refused.code).toBe(22);
    expect(refused.stderr).toContain('401');
    expect((await executions()).length).toBe(before + 1);
    // Usage errors say what is missing.
    expect(await run(SALVE_NOTIFY, [], serviceEnv())).toMatchObject({ code: 3 });
    expect((await run(SALVE_NOTIFY, [`${server.url}/hooks/nagios`, tokenFile], {})).stderr).toContain('enable_environment_macros=1');
  });

  it('salve-icinga-events forwards the Icinga 2 event stream: a HARD problem starts a run, the rest is recorded', async () => {
    const passwordFile = join(tmp, 'icinga-password');
    writeFileSync(passwordFile, 'pa"ss\\word\n', { mode: 0o600 });
    const lines = [
      { type: 'StateChange', host: 'app9', service: 'load', state: 2, state_type: 1, timestamp: 1795600100.5, check_result: { output: 'CRITICAL - load 40' }, downtime_depth: 0, acknowledgement: false },
      { type: 'StateChange', host: 'app9', service: 'swap', state: 1, state_type: 0, timestamp: 1795600101.5, check_result: { output: 'WARNING - swap 80%' }, downtime_depth: 0, acknowledgement: false },
      { type: 'AcknowledgementSet', host: 'app9', service: 'load', state: 2, state_type: 1, author: 'ops', comment: 'looking', timestamp: 1795600200, acknowledgement_type: 1, notify: true, expiry: 0 },
    ];
    let seen: { url?: string; headers?: IncomingHttpHeaders; body?: string } = {};
    const icinga = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d)).on('end', () => {
        seen = { url: req.url, headers: req.headers, body };
        if (req.headers.authorization !== `Basic ${Buffer.from('salve:pa"ss\\word').toString('base64')}`) {
          res.writeHead(401).end();
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        for (const line of lines) res.write(`${JSON.stringify(line)}\n`);
        res.end();
      });
    });
    const icingaUrl = await listen(icinga);
    try {
      const before = (await executions()).length;
      const result = await run(FORWARDER, [icingaUrl, `${server.url}/hooks/nagios`, tokenFile], {
        ICINGA_API_USER: 'salve',
        ICINGA_API_PASSWORD_FILE: passwordFile,
        SALVE_ONCE: '1',
      });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(seen.url).toBe('/v1/events?queue=salve&types=StateChange&types=AcknowledgementSet&types=AcknowledgementCleared&types=Flapping');
      expect(seen.headers!.accept).toBe('application/json');
      const after = await executions();
      expect(after.length).toBe(before + 1);
      const execution = (await server.api('GET', `/api/executions/${after[0]!.id}`)).body;
      expect(execution.alert).toMatchObject({ name: 'load', fingerprint: 'app9!load', labels: { state: 'CRITICAL', notification_type: 'PROBLEM' } });
      // Forwarding the same stream again (a reconnect replaying nothing new) starts nothing.
      expect((await run(FORWARDER, [icingaUrl, `${server.url}/hooks/nagios`, tokenFile], { ICINGA_API_USER: 'salve', ICINGA_API_PASSWORD_FILE: passwordFile, SALVE_ONCE: '1' })).code).toBe(0);
      expect((await executions()).length).toBe(before + 1);
    } finally {
      await new Promise((resolve) => icinga.close(resolve));
    }
  });
});

describe('salve-notify against a plain HTTP server', () => {
  let received: { method?: string; url?: string; headers?: IncomingHttpHeaders; body?: string }[] = [];
  let status = 202;
  const capture = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d) => (body += d)).on('end', () => {
      received.push({ method: req.method, url: req.url, headers: req.headers, body });
      res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
    });
  });
  let url = '';
  beforeAll(async () => {
    url = await listen(capture);
  });
  afterAll(() => new Promise((resolve) => capture.close(resolve)));

  it('posts valid JSON with the bearer token from the file; quotes, backslashes, tabs, control characters and newlines arrive intact', async () => {
    received = [];
    status = 202;
    const result = await run(SALVE_NOTIFY, [`${url}/hooks/nagios`, tokenFile], serviceEnv());
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request).toMatchObject({ method: 'POST', url: '/hooks/nagios' });
    expect(request!.headers!['content-type']).toBe('application/json');
    expect(request!.headers!.authorization).toBe(`Bearer ${TOKEN}`);
    const body = JSON.parse(request!.body!);
    expect(body).toMatchObject({
      sender: 'salve-notify/1',
      notification_type: 'PROBLEM',
      host_name: 'db7.example.internal',
      service_description: 'DiskFull',
      state: 'CRITICAL',
      state_type: 'HARD',
      plugin_output: OUTPUT,
      long_plugin_output: 'mount /var\\nowner "postgres"',
      timestamp: '1795600000',
      last_state_change: '1795599700',
      problem_id: '9001',
      last_problem_id: '8990',
    });
    // It normalizes as source.nagios reads it.
    const [alert] = normalizeNagios(body, TEST_NOW);
    expect(alert).toMatchObject({ status: 'firing', severity: 'critical', fingerprint: 'db7.example.internal!DiskFull', startsAt: '2026-11-25T09:41:40.000Z' });
  });

  it('a host notification sends the host state, output and problem ids', async () => {
    received = [];
    const env = {
      NAGIOS_NOTIFICATIONTYPE: 'RECOVERY',
      NAGIOS_HOSTNAME: 'edge-router',
      NAGIOS_HOSTADDRESS: '192.0.2.1',
      NAGIOS_HOSTSTATE: 'UP',
      NAGIOS_HOSTSTATETYPE: 'HARD',
      NAGIOS_HOSTOUTPUT: 'PING OK - Packet loss = 0%, RTA = 1.20 ms',
      NAGIOS_HOSTPROBLEMID: '0',
      NAGIOS_LASTHOSTPROBLEMID: '311',
      NAGIOS_LASTHOSTSTATECHANGE: '1795600500',
      NAGIOS_TIMET: '1795600510',
    };
    expect((await run(SALVE_NOTIFY, [`${url}/hooks/nagios`, tokenFile], env)).code).toBe(0);
    const body = JSON.parse(received[0]!.body!);
    expect(body).toMatchObject({ service_description: '', state: 'UP', state_type: 'HARD', plugin_output: 'PING OK - Packet loss = 0%, RTA = 1.20 ms', problem_id: '0', last_problem_id: '311' });
    const [alert] = normalizeNagios(body, TEST_NOW);
    expect(alert).toMatchObject({ status: 'resolved', name: 'edge-router', fingerprint: 'edge-router', labels: { notification_type: 'RECOVERY' } });
    expect(alert!.dedupKey).toBe(JSON.stringify(['nagios', 'edge-router', 'problem', '311', 'UP', 'RECOVERY']));
  });

  it('--print writes the same JSON to stdout and sends nothing; an HTTP error is a failing exit status', async () => {
    received = [];
    const printed = await run(SALVE_NOTIFY, ['--print'], serviceEnv());
    expect(printed.code).toBe(0);
    expect(JSON.parse(printed.stdout).plugin_output).toBe(OUTPUT);
    expect(received).toHaveLength(0);
    status = 422;
    const failed = await run(SALVE_NOTIFY, [`${url}/hooks/nagios`, tokenFile], serviceEnv());
    expect(failed.code).toBe(22);
  });
});
