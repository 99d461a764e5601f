import { execFileSync, spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { amAlert, amPayload } from '../kit/alertmanager.js';
import { CLI, NODE_FLAGS, removeDir, startServer, tempDataDir, type TestServer } from '../kit/server.js';
import { waitFor } from '../kit/wait.js';

const SECRET = 'command-user-secret-4411';
const isRoot = process.getuid?.() === 0;

/**
 * SALVE_COMMAND_USER: command steps run as that user, who cannot read Salve's environment, its
 * launcher's, or its data directory. CI runs as root, so the switch itself is tested there; as
 * any other user, Salve must refuse to start with it rather than run commands as itself.
 */
describe('SALVE_COMMAND_USER', () => {
  const dirs: string[] = [];
  let server: TestServer | undefined;
  afterAll(async () => {
    await server?.stop();
    for (const d of dirs) removeDir(d);
  });

  it('refuses to start for an unknown user, naming the setting', async () => {
    const dataDir = tempDataDir();
    dirs.push(dataDir);
    const expected = isRoot ? 'SALVE_COMMAND_USER=salve-no-such-user: no such user' : 'SALVE_COMMAND_USER=salve-no-such-user: Salve cannot switch users';
    await expect(startServer({ dataDir, env: { SALVE_COMMAND_USER: 'salve-no-such-user' } })).rejects.toThrow(expected);
  });

  it('refuses to start when Salve cannot switch users, rather than run commands as itself', () => {
    const dataDir = tempDataDir();
    dirs.push(dataDir);
    // As root (CI), drop the capabilities that make switching users possible; as anyone else, as is.
    const argv = [process.execPath, ...NODE_FLAGS, CLI, 'serve', '--port', '0', '--data', dataDir];
    if (isRoot) argv.unshift('setpriv', '--bounding-set=-setuid,-setgid,-kill', '--');
    const r = spawnSync(argv[0]!, argv.slice(1), {
      encoding: 'utf8',
      timeout: 20_000,
      env: { PATH: process.env.PATH ?? '', SALVE_ADMIN_TOKEN: 'refusal-admin-token-0123456789', SALVE_COMMAND_USER: 'nobody' },
    });
    expect(r.stderr).toMatch(/SALVE_COMMAND_USER=nobody: Salve cannot switch users: it runs as uid \d+ without CAP_SETUID, CAP_SETGID and CAP_KILL/);
    expect(r.status).toBe(1);
  });

  // Only root can switch users: as anyone else the test above proves Salve refuses instead.
  it.runIf(isRoot)('runs commands as the user, who cannot read the server or launcher environment or the data directory', async () => {
    const dataDir = tempDataDir();
    dirs.push(dataDir);
    const uid = execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' }).trim();
    const groups = execFileSync('id', ['-G', 'nobody'], { encoding: 'utf8' }).trim();
    const home = execFileSync('getent', ['passwd', 'nobody'], { encoding: 'utf8' }).split(':')[5];
    server = await startServer({ dataDir, env: { SALVE_COMMAND_USER: 'nobody', SALVE_SECRET_TOKEN: SECRET } });
    const probe = (what: string, command: string) => `if ${command} >/dev/null 2>&1; then echo ${what}:READ; else echo ${what}:DENIED; fi`;
    const script = [
      'id -u',
      'id -G',
      'echo "$HOME"',
      probe('environ', 'cat /proc/$PPID/environ'),
      probe('launcher', 'cat /proc/$(cut -d" " -f4 /proc/$PPID/stat)/environ'),
      probe('data', `ls ${dataDir}`),
      probe('db', `cat ${dataDir}/salve.db`),
      probe('token', `cat ${dataDir}/admin-token`),
    ].join('; ');
    const flow = {
      format: 'salve.flow/v1',
      id: 'as-user',
      name: 'as user',
      enabled: true,
      nodes: [
        { id: 'am', type: 'source.alertmanager', config: { path: 'as-user', auth: { type: 'none' } } },
        { id: 'probe', type: 'action.shell', config: { command: ['sh', '-c', script] } },
      ],
      edges: [{ source: 'am', target: 'probe' }],
    };
    expect((await server.api('POST', '/api/flows', flow)).status).toBe(201);
    const res = await fetch(`${server.url}/hooks/as-user`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(amPayload([amAlert()])) });
    const id = ((await res.json()) as { executions: string[] }).executions[0]!;
    const done = await waitFor(async () => {
      const e = (await server!.api('GET', `/api/executions/${id}`)).body;
      return e.status === 'succeeded' || e.status === 'failed' ? e : undefined;
    }, 15_000, 'the probe to run');
    const step = done.steps.find((s: any) => s.nodeId === 'probe');
    expect(step.output.stdout.trim().split('\n')).toEqual([uid, groups, home, 'environ:DENIED', 'launcher:DENIED', 'data:DENIED', 'db:DENIED', 'token:DENIED']);
  });
});
