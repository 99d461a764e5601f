// The Node-RED 4 row: http in POST /hooks/infra → switch (severity == "critical") → change
// (statusCode 202, a small JSON answer) → http response. It stores nothing. Installed from npm
// into the bench's cache (cache.js) the first time; the editor and admin API are off
// (`httpAdminRoot: false`), so only the flow's own endpoint listens.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cacheDir, ensureCached } from './cache.js';
import { spawnTracked, stopChild } from './process.js';
import { alertBody } from './alert.js';

const FLOW = [
  { id: 'bench', type: 'tab', label: 'bench' },
  { id: 'in', type: 'http in', z: 'bench', url: '/hooks/infra', method: 'post', upload: false, wires: [['critical']] },
  {
    id: 'critical', type: 'switch', z: 'bench', property: 'payload.alerts[0].labels.severity', propertyType: 'msg',
    rules: [{ t: 'eq', v: 'critical', vt: 'str' }, { t: 'else' }], checkall: 'false', outputs: 2, wires: [['accept'], ['out']],
  },
  {
    id: 'accept', type: 'change', z: 'bench', wires: [['out']],
    rules: [
      { t: 'set', p: 'statusCode', pt: 'msg', to: '202', tot: 'num' },
      { t: 'set', p: 'payload', pt: 'msg', to: '{"accepted":true}', tot: 'json' },
    ],
  },
  { id: 'out', type: 'http response', z: 'bench', statusCode: '', headers: {}, wires: [] },
];

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Node-RED's version in the cache, installing node-red@4 when missing; rejects when npm cannot. */
export function ensureNodeRed() {
  return ensureCached('node-red', 'node-red@4', (v) => v.startsWith('4.'));
}

/** Starts Node-RED with a settings file and flow of our own in a temp userDir; resolves once the flow answers 202. */
export async function startNodeRed() {
  const userDir = mkdtempSync(join(tmpdir(), 'salve-bench-node-red-'));
  const port = await freePort();
  writeFileSync(join(userDir, 'flows.json'), JSON.stringify(FLOW));
  const settings = {
    uiHost: '127.0.0.1', uiPort: port, userDir, flowFile: 'flows.json', credentialSecret: 'salve-bench-credential-secret',
    httpAdminRoot: false, logging: { console: { level: 'warn', metrics: false, audit: false } }, telemetry: { enabled: false },
  };
  writeFileSync(join(userDir, 'settings.js'), `module.exports = ${JSON.stringify(settings, null, 2)};\n`);
  const child = spawnTracked(process.execPath, [join(cacheDir(), 'node_modules', 'node-red', 'red.js'), '--settings', join(userDir, 'settings.js'), '--userDir', userDir], {
    env: { PATH: process.env.PATH, HOME: userDir }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const stop = async () => {
    await stopChild(child);
    rmSync(userDir, { recursive: true, force: true });
  };
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`Node-RED exited (${child.exitCode}):\n${out}`);
    }
    try {
      const res = await fetch(`${url}/hooks/infra`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: alertBody('ready') });
      await res.arrayBuffer();
      if (res.status === 202) return { url, child, stop };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`Node-RED did not answer 202 within 60 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
