import Database from 'better-sqlite3';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { amAlert, amPayload } from '../kit/alertmanager.js';
import { removeDir, startServer, type TestServer } from '../kit/server.js';
import { waitFor } from '../kit/wait.js';
import { startTarget, type Target } from '../kit/target.js';

/**
 * The secrets-leak matrix, against a real server process. Several secrets: one a command gets
 * through its environment, one sent in an HTTP header, one no flow references, one only a source
 * checks, and the admin token. The flow's commands try every trick (print their environment,
 * read the server's and the launcher's /proc/<pid>/environ, print a secret as base64 at several
 * offsets, base64url, hex, URL- and form-encoded, JSON-escaped and as a JSON key, on stdout and
 * stderr, in an error), and the HTTP target echoes the header back, also as a JSON key. No form
 * of any secret may appear in any API response (executions, events, simulation, flows and
 * exports), in the server's log output, or in the stored steps.
 */
const SECRETS = {
  REF_ENV: 'ref env/secret+Value é 1a2b', // special characters: every encoding differs
  REF_HTTP: 'ref-http-secret-3c4d',
  UNREFERENCED: 'unreferenced-secret-5e6f',
  SOURCE_ONLY: 'source-only-secret-7a8b',
};
const ADMIN_TOKEN = 'leak-matrix-admin-token-0123456789';
const ALL = [...Object.values(SECRETS), ADMIN_TOKEN];

/** Every text a secret could hide in inside `text`: JSON escapes, percent-encoding, base64(url) and hex runs decoded at every offset. */
function decodings(text: string): string[] {
  const out = [text];
  out.push(text.replace(/\\u([0-9a-fA-F]{4})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16))).replace(/\\(["\\/])/g, '$1'));
  for (const t of [text, text.replaceAll('+', ' ')]) {
    out.push(
      t.replace(/(%[0-9a-fA-F]{2})+/g, (m) => {
        try {
          return decodeURIComponent(m);
        } catch {
          return m;
        }
      }),
    );
  }
  for (const run of text.match(/[A-Za-z0-9+/_-]{6,}/g) ?? []) {
    const standard = run.replaceAll('-', '+').replaceAll('_', '/');
    for (let i = 0; i < 4; i++) out.push(Buffer.from(standard.slice(i), 'base64').toString('utf8'));
  }
  for (const run of text.match(/[0-9a-fA-F]{8,}/g) ?? []) {
    for (let i = 0; i < 2; i++) out.push(Buffer.from(run.slice(i), 'hex').toString('utf8'));
  }
  return out;
}

/** The secrets found in `text` in any form. */
function leaked(text: string): string[] {
  const all = decodings(text);
  return ALL.filter((s) => all.some((d) => d.includes(s)));
}

/** A script run by a command step: prints the secret it was given in every form it can. */
const FORMS_SCRIPT = `
const t = process.env.TOKEN;
const b64 = (s) => Buffer.from(s).toString('base64');
console.log([
  'plain ' + t,
  'b64 ' + b64(t),
  'basic ' + b64('user:' + t),
  'b64 offset 1 ' + b64('a' + t + 'z'),
  'b64 offset 2 ' + b64('ab' + t),
  'b64url ' + Buffer.from('xy' + t).toString('base64url'),
  'hex ' + Buffer.from(t).toString('hex'),
  'HEX ' + Buffer.from(t).toString('hex').toUpperCase(),
  'uri ' + encodeURIComponent(t),
  'form ' + new URLSearchParams({ t }).toString(),
  'json ' + JSON.stringify({ v: t }),
  'python json ' + JSON.stringify({ v: t }).replace(/[\\u007f-\\uffff]/g, (c) => '\\\\u' + c.charCodeAt(0).toString(16).padStart(4, '0')),
  'php json ' + JSON.stringify({ v: t }).replaceAll('/', '\\\\/'),
].join('\\n'));
console.log(JSON.stringify({ [t]: 'as a key', nested: { [b64(t)]: 1 } }));
console.error('stderr ' + t);
`;

describe('secrets-leak matrix', () => {
  let server: TestServer;
  let target: Target;
  let scriptDir: string;
  const executionIds: string[] = [];
  let mainExecution: any;

  beforeAll(async () => {
    scriptDir = mkdtempSync(join(tmpdir(), 'salve-leak-'));
    writeFileSync(join(scriptDir, 'forms.cjs'), FORMS_SCRIPT);
    // A careless target: echoes the request headers, and the token as a JSON key.
    target = await startTarget((req) => ({ status: 200, body: JSON.stringify({ youSent: req.headers, [String(req.headers['x-token'])]: 'key' }) }));
    server = await startServer({
      token: ADMIN_TOKEN,
      env: {
        SALVE_LOG_LEVEL: 'debug',
        SALVE_ALLOWED_TARGETS: '127.0.0.1',
        SALVE_SECRET_REF_HTTP_HOSTS: '127.0.0.1',
        ...Object.fromEntries(Object.entries(SECRETS).map(([name, value]) => [`SALVE_SECRET_${name}`, value])),
      },
    });
  });
  afterAll(async () => {
    await server?.stop();
    await target?.close();
    if (server) removeDir(server.dataDir);
    removeDir(scriptDir);
  });

  it('the detector finds every form the commands print (so the checks below can fail)', () => {
    const s = SECRETS.REF_ENV;
    const b64 = (x: string) => Buffer.from(x).toString('base64');
    for (const form of [s, JSON.stringify(s), encodeURIComponent(s), new URLSearchParams({ s }).toString(), Buffer.from(s).toString('hex'), b64(`user:${s}`), b64(`ab${s}`), Buffer.from(`xy${s}`).toString('base64url')]) {
      expect(leaked(`text ${form} text`), form).toEqual([s]);
    }
  });

  it('runs a flow whose steps try every trick, and stores none of it', async () => {
    const sh = (id: string, script: string, extra: Record<string, unknown> = {}) => ({ id, type: 'action.shell', config: { command: ['sh', '-c', script], ...extra } });
    const flow = {
      format: 'salve.flow/v1',
      id: 'leaky',
      name: 'leaky',
      enabled: true,
      nodes: [
        { id: 'am', type: 'source.alertmanager', config: { path: 'leaky', auth: { type: 'bearer', token: { secret: 'SOURCE_ONLY' } } } },
        { id: 'env', type: 'action.shell', config: { command: ['env'] } },
        sh('server_environ', 'tr "\\0" "\\n" < /proc/$PPID/environ'),
        sh('launcher_environ', 'tr "\\0" "\\n" < /proc/$(cut -d" " -f4 /proc/$PPID/stat)/environ'),
        { id: 'forms', type: 'action.shell', config: { command: [process.execPath, join(scriptDir, 'forms.cjs')], env: { TOKEN: { secret: 'REF_ENV' } } } },
        sh('fails', 'echo "$TOKEN" >&2; exit 3', { env: { TOKEN: { secret: 'REF_ENV' } } }),
        { id: 'http', type: 'action.http', config: { url: `${target.url}/echo`, headers: { 'X-Token': { secret: 'REF_HTTP' } } } },
        // Someone pasted a secret into the flow itself: it shows in the error, the flow and its export.
        { id: 'pasted', type: 'action.shell', config: { command: [`/nonexistent/${SECRETS.UNREFERENCED}`] } },
      ],
      edges: [
        { source: 'am', target: 'env' },
        { source: 'env', sourcePort: 'ok', target: 'server_environ' },
        { source: 'server_environ', sourcePort: 'ok', target: 'launcher_environ' },
        { source: 'launcher_environ', sourcePort: 'ok', target: 'forms' },
        { source: 'forms', sourcePort: 'ok', target: 'fails' },
        { source: 'fails', sourcePort: 'error', target: 'http' },
        { source: 'http', sourcePort: 'ok', target: 'pasted' },
      ],
    };
    const created = await server.api('POST', '/api/flows', flow);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const deliver = async (alert: ReturnType<typeof amAlert>) => {
      const res = await fetch(`${server.url}/hooks/leaky`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${SECRETS.SOURCE_ONLY}` },
        body: JSON.stringify(amPayload([alert])),
      });
      expect(res.status).toBe(202);
      const id = ((await res.json()) as { executions: string[] }).executions[0]!;
      executionIds.push(id);
      return id;
    };
    const id = await deliver(amAlert());
    // A sender that puts a secret into the alert itself (its own data, but still never shown).
    await deliver({ ...amAlert({ fingerprint: 'f2' }), annotations: { summary: `runbook https://wiki.example/?t=${encodeURIComponent(SECRETS.SOURCE_ONLY)}` } });
    mainExecution = await waitFor(async () => {
      const e = (await server.api('GET', `/api/executions/${id}`)).body;
      return e.status === 'failed' ? e : undefined;
    }, 30_000, 'the leaky execution to end');

    // Everything really ran, and really saw the secrets.
    const step = (nodeId: string) => mainExecution.steps.find((s: any) => s.nodeId === nodeId);
    expect(target.requests[0]!.headers['x-token']).toBe(SECRETS.REF_HTTP);
    expect(step('launcher_environ').output.stdout).toContain('SALVE_SECRET_UNREFERENCED=***');
    expect(step('launcher_environ').output.stdout).toContain('SALVE_ADMIN_TOKEN=***');
    expect(step('forms').output.stdout).toContain('plain ***');
    // (A base64 form keeps the one or two characters that also depend on its neighbours, and its padding.)
    expect(step('forms').output.stdout).toMatch(/\{"\*\*\*":"as a key","nested":\{"\*\*\*[A-Za-z0-9+/=]{0,3}":1\}\}/);
    expect(step('fails').output.stderr).toBe('***\n');
    expect(Object.keys(step('http').output.body)).toContain('***');
    expect(step('pasted').error).toBe('command not found: /nonexistent/***');
    expect(mainExecution.error).toBe('step "pasted" failed: command not found: /nonexistent/***');
    // The server's own environment held no secret to begin with.
    expect(step('server_environ').output.stdout).not.toContain('SALVE_SECRET_');
  });

  it('no API response holds any form of any secret', async () => {
    expect(mainExecution, 'the flow ran').toBeDefined();
    const responses: [string, unknown][] = [];
    const get = async (path: string) => {
      const res = await server.api('GET', path);
      expect(res.status, path).toBe(200);
      responses.push([path, res.body]);
      return res.body;
    };
    await get('/api/executions?limit=50');
    for (const id of executionIds) await get(`/api/executions/${id}`);
    const events = await get('/api/events?limit=50');
    for (const e of events.items) await get(`/api/events/${e.id}`);
    await get('/api/flows');
    await get('/api/flows/leaky');
    await get('/api/flows/leaky/export');
    await get('/api/secrets');
    const payload = amPayload([{ ...amAlert(), annotations: { summary: `token ${SECRETS.REF_HTTP}, encoded ${Buffer.from(SECRETS.REF_ENV).toString('base64')}` } }]);
    const simulated = await server.api('POST', '/api/flows/simulate', { flowId: 'leaky', source: 'alertmanager', payload });
    expect(simulated.status).toBe(200);
    responses.push(['simulate', simulated.body]);
    for (const [path, body] of responses) expect(leaked(JSON.stringify(body)), path).toEqual([]);
  });

  it("no log line of the server or its launcher holds any form of any secret", async () => {
    expect(mainExecution, 'the flow ran').toBeDefined();
    // Let the second execution finish too, then stop: shutdown lines count as well.
    await waitFor(async () => (await server.api('GET', `/api/executions/${executionIds[1]}`)).body.status === 'failed', 30_000, 'the second execution');
    const dataDir = server.dataDir;
    expect(await server.stop()).toBe(0);
    const output = server.output();
    expect(output).toContain('salve listening');
    expect(leaked(output)).toEqual([]);

    // Stored steps: outputs, errors and configs, as written to the database.
    const db = new Database(join(dataDir, 'salve.db'), { readonly: true });
    try {
      const rows = db.prepare('SELECT node_id, output, error, config FROM steps WHERE execution_id = ?').all(executionIds[0]) as Record<string, string | null>[];
      expect(rows.length).toBeGreaterThan(7);
      for (const row of rows) expect(leaked(JSON.stringify(row)), String(row.node_id)).toEqual([]);
      const errors = db.prepare('SELECT error FROM executions').all();
      expect(leaked(JSON.stringify(errors))).toEqual([]);
    } finally {
      db.close();
    }
  });
});
