import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnPeer } from './peer-process.js';
import { waitFor } from './wait.js';

/**
 * A real Prometheus for tests: the `prometheus` binary (the Debian package of that name; CI
 * installs it) scraping a tiny exporter on 127.0.0.1 every second. The exporter serves what the
 * test sets in the text exposition format; the test queries Prometheus like any client.
 */
export interface TestPrometheus {
  /** Prometheus's base URL, `http://127.0.0.1:<port>`. */
  url: string;
  /** The exporter's `host:port`, as the `instance` label of its series. */
  instance: string;
  /** Sets what the exporter serves from the next scrape on (text exposition format). */
  serve(metrics: string): void;
  /** Waits until `query` gives a result `accept` takes (bounded), and returns that result. */
  until(query: string, accept: (result: PromResult) => boolean, what: string): Promise<PromResult>;
  /** Stops Prometheus and the exporter, and removes the data directory. */
  stop(): Promise<void>;
}

interface PromResult {
  resultType: string;
  result: { metric: Record<string, string>; value?: [number, string] }[];
}

const NOT_INSTALLED = 'Prometheus is not installed: these tests run a real Prometheus. Install the `prometheus` package (apt-get install prometheus) so the `prometheus` command is on PATH.';

/** Throws, saying to install the package, when there is no `prometheus` command. */
function requirePrometheus(): void {
  const probe = spawnSync('prometheus', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) throw new Error(`${NOT_INSTALLED} (${probe.error?.message ?? probe.stderr})`);
}

/** A loopback port nothing listens on right now. */
async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** Starts the exporter and Prometheus scraping it; resolves once Prometheus answers queries. */
export async function startPrometheus(initialMetrics: string): Promise<TestPrometheus> {
  requirePrometheus();
  let metrics = initialMetrics;
  const exporter = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(metrics);
  });
  const exporterPort = await listen(exporter);
  const instance = `127.0.0.1:${exporterPort}`;

  const dir = mkdtempSync(join(tmpdir(), 'salve-prometheus-'));
  const config = join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    [
      'global:',
      '  scrape_interval: 1s',
      '  evaluation_interval: 1s',
      'scrape_configs:',
      '  - job_name: exporter',
      '    static_configs:',
      `      - targets: ['${instance}']`,
      '',
    ].join('\n'),
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const peer = spawnPeer('prometheus', [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn']);

  const stop = async () => {
    await peer.stop();
    exporter.closeAllConnections();
    await new Promise((resolve) => exporter.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  };

  const query = async (q: string): Promise<PromResult | null> => {
    if (peer.exitCode() !== undefined) throw new Error(`prometheus exited with ${peer.exitCode()}:\n${peer.output()}`);
    try {
      const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(q)}`);
      if (!res.ok) return null;
      const body = (await res.json()) as { data: PromResult };
      return body.data;
    } catch {
      return null; // not listening yet
    }
  };

  const until = (q: string, accept: (result: PromResult) => boolean, what: string) =>
    waitFor(
      async () => {
        const result = await query(q);
        return result && accept(result) ? result : null;
      },
      60_000,
      () => `${what} (query ${q}); prometheus said:\n${peer.output()}`,
    );

  try {
    await until(`up{instance="${instance}"} == 1`, (r) => r.result.length === 1, 'Prometheus to scrape the exporter');
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, instance, serve: (text) => (metrics = text), until, stop };
}
