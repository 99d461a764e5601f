import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, redactConfig } from './config.js';
import { oidcSettingsOf } from './http/oidc.js';

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

  it('takes a PostgreSQL URL (--database or SALVE_DATABASE_URL) only with a shared admin token, and never prints its password', () => {
    const token = 'a-shared-admin-token-0123';
    const config = loadConfig({}, { SALVE_DATABASE_URL: 'postgres://salve:s3cret-pass@db.internal/salve', SALVE_ADMIN_TOKEN: token, SALVE_DATABASE_POOL_SIZE: '20' });
    expect([config.databaseUrl, config.databasePoolSize]).toEqual(['postgres://salve:s3cret-pass@db.internal/salve', 20]);
    expect(JSON.stringify(redactConfig(config))).not.toContain('s3cret-pass');
    expect(redactConfig(config).databaseUrl).toContain('db.internal/salve');
    expect(loadConfig({ database: 'postgresql://db.internal/salve' }, { SALVE_ADMIN_TOKEN: token }).databaseUrl).toBe('postgresql://db.internal/salve');
    // Each process would generate its own token: behind a load balancer, requests would fail at random.
    expect(() => loadConfig({}, { SALVE_DATABASE_URL: 'postgres://db.internal/salve' })).toThrow(
      expect.objectContaining({ issues: [expect.objectContaining({ path: ['SALVE_ADMIN_TOKEN'], message: expect.stringContaining('same admin token') })] }),
    );
    expect(() => loadConfig({ database: 'mysql://db.internal/salve' }, { SALVE_ADMIN_TOKEN: token })).toThrow(
      expect.objectContaining({ issues: [expect.objectContaining({ path: ['--database'], message: 'must be a postgres:// or postgresql:// URL' })] }),
    );
    // An empty value is no setting: the data directory's SQLite database.
    expect(loadConfig({}, { SALVE_DATABASE_URL: '' }).databaseUrl).toBeUndefined();
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

  it('keeps finished executions 30 days unless SALVE_EXECUTION_RETENTION_DAYS says otherwise', () => {
    expect(loadConfig({}, {}).executionRetentionDays).toBe(30);
    expect(loadConfig({}, { SALVE_EXECUTION_RETENTION_DAYS: '7' }).executionRetentionDays).toBe(7);
    expect(() => loadConfig({}, { SALVE_EXECUTION_RETENTION_DAYS: '0' })).toThrow(
      expect.objectContaining({ issues: [expect.objectContaining({ path: ['SALVE_EXECUTION_RETENTION_DAYS'] })] }),
    );
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

  it('provisions no flows directory unless --flows or SALVE_FLOWS_DIR names an existing directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'salve-flows-config-'));
    try {
      expect(loadConfig({}, {}).flowsDir).toBeUndefined();
      expect(loadConfig({}, { SALVE_FLOWS_DIR: dir }).flowsDir).toBe(dir);
      expect(loadConfig({ flows: dir }, { SALVE_FLOWS_DIR: '/nowhere' }).flowsDir).toBe(dir);
      expect(loadConfig({}, {}).flowsRescanSeconds).toBe(30);
      expect(() => loadConfig({ flows: join(dir, 'missing') }, {})).toThrow(
        expect.objectContaining({ issues: [{ path: ['--flows'], message: 'must be an existing directory of flow files' }] }),
      );
      expect(() => loadConfig({}, { SALVE_FLOWS_RESCAN_SECONDS: '0' })).toThrow(
        expect.objectContaining({ issues: [expect.objectContaining({ path: ['SALVE_FLOWS_RESCAN_SECONDS'] })] }),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
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

describe('single sign-on config', () => {
  const base = {
    SALVE_OIDC_ISSUER: 'https://sso.example.com/realms/ops/',
    SALVE_OIDC_CLIENT_ID: 'salve',
    SALVE_OIDC_CLIENT_SECRET: 'a-client-secret-0123456789',
    SALVE_PUBLIC_ORIGIN: 'https://salve.example.com',
  };
  const issueOf = (env: Record<string, string>) => {
    try {
      loadConfig({}, env);
    } catch (error) {
      return (error as { issues: { path: string[]; message: string }[] }).issues;
    }
    return [];
  };

  it('is off without SALVE_OIDC_ISSUER, and has defaults for scopes, groups claim and label', () => {
    expect(loadConfig({}, {}).oidcIssuer).toBeUndefined();
    const c = loadConfig({}, base);
    expect(c).toMatchObject({ oidcIssuer: 'https://sso.example.com/realms/ops', oidcScopes: 'openid profile email', oidcGroupsClaim: 'groups', oidcRoleMap: {} });
    expect(oidcSettingsOf(c)?.redirectUri).toBe('https://salve.example.com/api/session/oidc/callback');
  });

  it('refuses to start without SALVE_PUBLIC_ORIGIN, the client id or exactly one client secret, naming each', () => {
    const { SALVE_PUBLIC_ORIGIN: _, ...noOrigin } = base;
    expect(issueOf(noOrigin)).toEqual([{ path: ['SALVE_PUBLIC_ORIGIN'], message: expect.stringContaining('/api/session/oidc/callback') }]);
    const { SALVE_OIDC_CLIENT_ID: __, SALVE_OIDC_CLIENT_SECRET: ___, ...bare } = base;
    expect(issueOf(bare).map((i) => i.path[0])).toEqual(['SALVE_OIDC_CLIENT_ID', 'SALVE_OIDC_CLIENT_SECRET']);
    expect(issueOf({ ...base, SALVE_OIDC_CLIENT_SECRET_FILE: '/etc/salve/oidc' })[0]?.message).toContain('exactly one');
  });

  it('takes an https issuer, or http on a loopback host only', () => {
    expect(loadConfig({}, { ...base, SALVE_OIDC_ISSUER: 'http://127.0.0.1:9000' }).oidcIssuer).toBe('http://127.0.0.1:9000');
    for (const bad of ['http://sso.example.com', 'sso.example.com', 'https://sso.example.com/?x=1']) {
      expect(issueOf({ ...base, SALVE_OIDC_ISSUER: bad }).map((i) => i.path[0]), bad).toEqual(['SALVE_OIDC_ISSUER']);
    }
  });

  it('reads the role map as JSON and names the group that is wrong', () => {
    const map = '{"salve-admins":"admin","payments-oncall":[{"team":"payments","roles":["operator","approver"]}]}';
    expect(loadConfig({}, { ...base, SALVE_OIDC_ROLE_MAP: map }).oidcRoleMap).toEqual(JSON.parse(map));
    expect(issueOf({ ...base, SALVE_OIDC_ROLE_MAP: '{nope' })).toEqual([{ path: ['SALVE_OIDC_ROLE_MAP'], message: expect.stringContaining('must be JSON') }]);
    const [issue] = issueOf({ ...base, SALVE_OIDC_ROLE_MAP: '{"ops":[{"team":"payments","roles":["owner"]}]}' });
    expect(issue?.path).toEqual(['SALVE_OIDC_ROLE_MAP']);
    expect(issue?.message).toMatch(/^ops/);
  });

  it('scopes must include openid', () => {
    expect(issueOf({ ...base, SALVE_OIDC_SCOPES: 'profile email' })[0]?.message).toContain('"openid"');
  });

  it('reads the client secret from SALVE_OIDC_CLIENT_SECRET_FILE, and never prints it', () => {
    const { SALVE_OIDC_CLIENT_SECRET: _, ...withoutSecret } = base;
    const c = loadConfig({}, { ...withoutSecret, SALVE_OIDC_CLIENT_SECRET_FILE: '/etc/salve/oidc-secret' });
    expect(oidcSettingsOf(c, () => 'from-the-file-0123456789\n')?.clientSecret).toBe('from-the-file-0123456789');
    expect(() => oidcSettingsOf(c, () => '  \n')).toThrow('SALVE_OIDC_CLIENT_SECRET_FILE: /etc/salve/oidc-secret is empty');
    expect(JSON.stringify(redactConfig(loadConfig({}, base)))).not.toContain(base.SALVE_OIDC_CLIENT_SECRET);
  });
});

describe('SALVE_METRICS_TOKEN', () => {
  it('must be at least 16 characters, and is never printed', () => {
    expect(() => loadConfig({}, { SALVE_METRICS_TOKEN: 'short' })).toThrow();
    const c = loadConfig({}, { SALVE_METRICS_TOKEN: 'a-metrics-token-0123456789' });
    expect(c.metricsToken).toBe('a-metrics-token-0123456789');
    expect(JSON.stringify(redactConfig(c))).not.toContain('a-metrics-token-0123456789');
  });
});
