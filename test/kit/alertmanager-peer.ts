import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnPeer } from './peer-process.js';
import { freePort } from './server.js';
import { waitFor } from './wait.js';

/**
 * A real Alertmanager for tests: Debian's `prometheus-alertmanager` (CI installs it) on
 * 127.0.0.1, clustering off, its data in a temporary directory. Tests talk to its API v2 like
 * any client; `silences()` lists what it holds.
 */
export interface TestAlertmanager {
  /** The base URL, `http://127.0.0.1:<port>`. */
  url: string;
  /** Every silence Alertmanager holds (API v2), expired ones included. */
  silences(): Promise<AlertmanagerSilence[]>;
  stop(): Promise<void>;
}

interface AlertmanagerSilence {
  id: string;
  status: { state: 'active' | 'pending' | 'expired' };
  matchers: { name: string; value: string; isRegex: boolean; isEqual?: boolean }[];
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
}

const COMMAND = 'prometheus-alertmanager';
const NOT_INSTALLED = `Alertmanager is not installed: these tests run a real one. Install Debian's \`prometheus-alertmanager\` package so \`${COMMAND}\` is on PATH.`;

/** Starts Alertmanager; resolves once its API answers. */
export async function startAlertmanager(): Promise<TestAlertmanager> {
  const probe = spawnSync(COMMAND, ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) throw new Error(`${NOT_INSTALLED} (${probe.error?.message ?? probe.stderr})`);
  const dir = mkdtempSync(join(tmpdir(), 'salve-alertmanager-'));
  const config = join(dir, 'alertmanager.yml');
  writeFileSync(config, ['route:', '  receiver: nowhere', 'receivers:', '  - name: nowhere', ''].join('\n'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const peer = spawnPeer(COMMAND, [`--config.file=${config}`, `--storage.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=', '--log.level=warn']);

  const stop = async () => {
    await peer.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  const silences = async (): Promise<AlertmanagerSilence[]> => {
    if (peer.exitCode() !== undefined) throw new Error(`alertmanager exited with ${peer.exitCode()}:\n${peer.output()}`);
    const res = await fetch(`${url}/api/v2/silences`);
    if (!res.ok) throw new Error(`alertmanager answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as AlertmanagerSilence[];
  };
  try {
    await waitFor(
      async () => {
        if (peer.exitCode() !== undefined) throw new Error(`alertmanager exited with ${peer.exitCode()}:\n${peer.output()}`);
        return (await fetch(`${url}/-/ready`).catch(() => null))?.ok === true;
      },
      30_000,
      () => `Alertmanager to answer on ${url}; it said:\n${peer.output()}`,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, silences, stop };
}
