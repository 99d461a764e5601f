import { describe, expect, it } from 'vitest';
import { isSecretVariable, splitEnvironment } from './launcher.js';
import { SecretsFileError } from './secrets-file.js';

describe('splitEnvironment', () => {
  const env = {
    PATH: '/usr/bin',
    SALVE_DATA: '/var/lib/salve',
    SALVE_ADMIN_TOKEN: 'admin-token-0123456789',
    SALVE_SECRET_API: 'api-secret',
    SALVE_SECRET_API_HOSTS: 'api.example.com',
  };

  it('keeps every secret out of what the server inherits', () => {
    const { inherited, secrets } = splitEnvironment(env);
    expect(inherited).toEqual({ PATH: '/usr/bin', SALVE_DATA: '/var/lib/salve' });
    expect(secrets).toEqual({ SALVE_ADMIN_TOKEN: 'admin-token-0123456789', SALVE_SECRET_API: 'api-secret', SALVE_SECRET_API_HOSTS: 'api.example.com' });
  });

  it("adds the secrets file's values and drops SALVE_SECRETS_FILE itself", () => {
    const { inherited, secrets } = splitEnvironment({ PATH: '/bin', SALVE_SECRETS_FILE: '/etc/salve/secrets' }, (file) => {
      expect(file).toBe('/etc/salve/secrets');
      return { SALVE_SECRET_DB: 'db-password' };
    });
    expect(inherited).toEqual({ PATH: '/bin' });
    expect(secrets).toEqual({ SALVE_SECRET_DB: 'db-password' });
  });

  it('refuses a name set both in the environment and in the file', () => {
    expect(() => splitEnvironment({ ...env, SALVE_SECRETS_FILE: '/f' }, () => ({ SALVE_SECRET_API: 'other-value' }))).toThrow(
      'SALVE_SECRET_API is set both in the environment and in /f: keep one',
    );
  });

  it('refuses a secret too short to be scrubbed from outputs', () => {
    expect(() => splitEnvironment({ SALVE_SECRET_PIN: '123' })).toThrow(SecretsFileError);
    expect(() => splitEnvironment({ SALVE_SECRET_PIN: '123' })).toThrow(/secret PIN is shorter than 4 characters/);
    // An empty value means unset, as everywhere else.
    expect(() => splitEnvironment({ SALVE_SECRET_PIN: '' })).not.toThrow();
  });
});

describe('isSecretVariable', () => {
  it('covers the secret variables, the admin token and the single sign-on client secret only', () => {
    expect(['SALVE_SECRET_X', 'SALVE_SECRET_X_HOSTS', 'SALVE_ADMIN_TOKEN', 'SALVE_METRICS_TOKEN', 'SALVE_OIDC_CLIENT_SECRET'].every(isSecretVariable)).toBe(true);
    expect(['SALVE_DATA', 'PATH', 'SALVE_SECRETS', 'SALVE_OIDC_CLIENT_ID', 'SALVE_OIDC_CLIENT_SECRET_FILE'].some(isSecretVariable)).toBe(false);
  });
});
