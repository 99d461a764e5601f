import { describe, expect, it } from 'vitest';
import { loadConfig, redactConfig } from './config.js';

describe('config', () => {
  it('has safe defaults: loopback, port 8470, ./data', () => {
    const c = loadConfig({}, {});
    expect(c.host).toBe('127.0.0.1');
    expect(c.port).toBe(8470);
    expect(c.dataDir).toMatch(/\/data$/);
    expect(c.maxConcurrentExecutions).toBe(64);
    expect(c.executionDeadlineSeconds).toBe(7200);
  });

  it('prefers flags over SALVE_* variables', () => {
    const c = loadConfig({ port: '9000' }, { SALVE_PORT: '9100', SALVE_HOST: '0.0.0.0' });
    expect(c.port).toBe(9000);
    expect(c.host).toBe('0.0.0.0');
  });

  it('names the flag or variable that is wrong', () => {
    expect(() => loadConfig({ port: 'abc' }, {})).toThrow(expect.objectContaining({ issues: [expect.objectContaining({ path: ['--port'] })] }));
    expect(() => loadConfig({}, { SALVE_ADMIN_TOKEN: 'short' })).toThrow(
      expect.objectContaining({ issues: [expect.objectContaining({ path: ['SALVE_ADMIN_TOKEN'], message: 'must be at least 16 characters' })] }),
    );
  });

  it('takes SALVE_PUBLIC_ORIGIN only as a bare origin', () => {
    expect(loadConfig({}, { SALVE_PUBLIC_ORIGIN: 'https://salve.example.internal/' }).publicOrigin).toBe('https://salve.example.internal');
    expect(loadConfig({}, {}).publicOrigin).toBeUndefined();
    for (const bad of ['salve.example.internal', 'https://salve.example.internal/editor', 'ftp://salve.example.internal']) {
      expect(() => loadConfig({}, { SALVE_PUBLIC_ORIGIN: bad }), bad).toThrow(
        expect.objectContaining({ issues: [expect.objectContaining({ path: ['SALVE_PUBLIC_ORIGIN'] })] }),
      );
    }
  });

  it('keeps events 14 days unless --event-retention-days or SALVE_EVENT_RETENTION_DAYS says otherwise', () => {
    expect(loadConfig({}, {}).eventRetentionDays).toBe(14);
    expect(loadConfig({}, { SALVE_EVENT_RETENTION_DAYS: '30' }).eventRetentionDays).toBe(30);
    expect(loadConfig({ 'event-retention-days': '7' }, { SALVE_EVENT_RETENTION_DAYS: '30' }).eventRetentionDays).toBe(7);
    expect(() => loadConfig({}, { SALVE_EVENT_RETENTION_DAYS: '0' })).toThrow(
      expect.objectContaining({ issues: [expect.objectContaining({ path: ['SALVE_EVENT_RETENTION_DAYS'] })] }),
    );
    expect(() => loadConfig({ 'event-retention-days': 'two weeks' }, {})).toThrow(
      expect.objectContaining({ issues: [expect.objectContaining({ path: ['--event-retention-days'] })] }),
    );
  });

  it('allows no non-public destination unless SALVE_ALLOWED_TARGETS lists it, and names a bad entry', () => {
    expect(loadConfig({}, {}).allowedTargets).toEqual([]);
    expect(loadConfig({}, { SALVE_ALLOWED_TARGETS: '10.20.0.0/16:9100, agent.internal\n*.corp.example [fd00::1]:443' }).allowedTargets).toEqual([
      '10.20.0.0/16:9100',
      'agent.internal',
      '*.corp.example',
      '[fd00::1]:443',
    ]);
    expect(() => loadConfig({}, { SALVE_ALLOWED_TARGETS: '10.0.0.0/8, *, 10.0.0.0/40' })).toThrow(
      expect.objectContaining({
        issues: [
          { path: ['SALVE_ALLOWED_TARGETS'], message: '"*" would allow everywhere; list hosts, *.domains, addresses or CIDR blocks' },
          { path: ['SALVE_ALLOWED_TARGETS'], message: '"10.0.0.0/40" has a prefix length that is not 0-32' },
        ],
      }),
    );
  });

  it('never prints the admin token', () => {
    const c = loadConfig({}, { SALVE_ADMIN_TOKEN: 'a-very-secret-admin-token' });
    expect(JSON.stringify(redactConfig(c))).not.toContain('a-very-secret-admin-token');
  });

  it('bounds slow clients and connections by default, and takes SALVE_HTTP_* and SALVE_MAX_CONNECTIONS*', () => {
    const c = loadConfig({}, {});
    expect([c.httpHeadersTimeoutSeconds, c.httpRequestTimeoutSeconds, c.httpKeepAliveTimeoutSeconds]).toEqual([10, 30, 5]);
    expect([c.maxConnections, c.maxConnectionsPerAddress]).toEqual([1024, 256]);
    const set = loadConfig({}, {
      SALVE_HTTP_HEADERS_TIMEOUT: '2',
      SALVE_HTTP_REQUEST_TIMEOUT: '4',
      SALVE_HTTP_KEEPALIVE_TIMEOUT: '1',
      SALVE_MAX_CONNECTIONS: '50',
      SALVE_MAX_CONNECTIONS_PER_ADDRESS: '10',
    });
    expect([set.httpHeadersTimeoutSeconds, set.httpRequestTimeoutSeconds, set.httpKeepAliveTimeoutSeconds, set.maxConnections, set.maxConnectionsPerAddress]).toEqual([2, 4, 1, 50, 10]);
    expect(() => loadConfig({}, { SALVE_HTTP_HEADERS_TIMEOUT: '40' })).toThrow(
      expect.objectContaining({ issues: [expect.objectContaining({ path: ['SALVE_HTTP_HEADERS_TIMEOUT'], message: expect.stringContaining('SALVE_HTTP_REQUEST_TIMEOUT') })] }),
    );
    expect(() => loadConfig({}, { SALVE_MAX_CONNECTIONS: '0' })).toThrow(
      expect.objectContaining({ issues: [expect.objectContaining({ path: ['SALVE_MAX_CONNECTIONS'] })] }),
    );
  });

  it('takes SALVE_COMMAND_USER as a user name or uid only', () => {
    expect(loadConfig({}, {}).commandUser).toBeUndefined();
    expect(loadConfig({}, { SALVE_COMMAND_USER: 'salve-cmd' }).commandUser).toBe('salve-cmd');
    expect(loadConfig({}, { SALVE_COMMAND_USER: '65534' }).commandUser).toBe('65534');
    for (const bad of ['-x', 'a b', 'root;id', '../x']) {
      expect(() => loadConfig({}, { SALVE_COMMAND_USER: bad }), bad).toThrow(
        expect.objectContaining({ issues: [expect.objectContaining({ path: ['SALVE_COMMAND_USER'], message: 'must be a user name (e.g. salve-cmd) or a numeric uid' })] }),
      );
    }
  });
});
