import { serve } from '@hono/node-server';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { amBody } from '../test/kit/alertmanager.js';
import { teamsFixture } from '../test/kit/teams.js';
import { cmdReplay, parseReplayTime } from './cli-replay.js';

// `salve replay <flow.json> --since 7d` against a server holding a small history.

const flow = (matchers: string) => ({
  format: 'salve.flow/v1',
  id: 'disk',
  name: 'Disk',
  enabled: true,
  nodes: [
    { id: 'am', type: 'source.alertmanager', config: { path: 'infra', auth: { type: 'none' } } },
    { id: 'check', type: 'condition.match', config: { matchers } },
  ],
  edges: [{ source: 'am', target: 'check' }],
});

describe('salve replay', () => {
  it('prints the summary and the runs that change; refusals name the field', async () => {
    const { app, api } = await teamsFixture({});
    expect((await api('admin', 'POST', '/api/flows?team=alpha', flow('severity="critical"'))).status).toBe(201);
    await api('admin', 'POST', '/hooks/infra', amBody('fp-1', { severity: 'critical' }));
    await api('admin', 'POST', '/hooks/infra', amBody('fp-2', { severity: 'warning' }));
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((r) => server.once('listening', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const dir = mkdtempSync(join(tmpdir(), 'salve-replay-cli-'));
    try {
      const file = join(dir, 'draft.json');
      writeFileSync(file, JSON.stringify(flow('severity=~"critical|warning"')));
      const lines: string[] = [];
      const errors: string[] = [];
      const out = { log: (s: string) => lines.push(s), error: (s: string) => errors.push(s) };
      const now = Date.parse('2026-11-24T01:00:00Z');
      const code = await cmdReplay([file, '--since', '7d', '--url', url, '--token', 'the-admin-token-0123456789'], out, now);
      expect(errors).toEqual([]);
      expect(code).toBe(0);
      const text = lines.join('\n');
      expect(text).toContain('replayed 2 stored deliveries to flow disk');
      expect(text).toContain('1 run would take `match` at `check` (was `nomatch`)');
      expect(text).toContain('1 run unchanged');
      expect(text).toMatch(/DiskFull\s+am → check ⇒ am → check: check takes match \(was nomatch\)/);
      // Past the 31-day cap: refused, naming since.
      const refused = await cmdReplay([file, '--since', '40d', '--url', url, '--token', 'the-admin-token-0123456789'], out, now);
      expect(refused).toBe(1);
      expect(errors.join('\n')).toContain('since');
    } finally {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads durations and times, and refuses anything else', () => {
    const now = Date.parse('2026-11-24T12:00:00Z');
    expect(parseReplayTime('7d', '--since', now)).toBe(now - 7 * 86_400_000);
    expect(parseReplayTime('90m', '--since', now)).toBe(now - 90 * 60_000);
    expect(parseReplayTime('2026-11-24T09:00:00Z', '--until', now)).toBe(Date.parse('2026-11-24T09:00:00Z'));
    expect(() => parseReplayTime('last week', '--since', now)).toThrow(/--since must be a duration/);
  });
});
