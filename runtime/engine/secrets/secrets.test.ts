import { describe, expect, it } from 'vitest';
import { parseHostList, secretStoreFromEnv, withScrubbedExtras } from './secrets.js';

describe('secretStoreFromEnv', () => {
  const store = secretStoreFromEnv({
    SALVE_SECRET_API_TOKEN: 'tok-123456',
    SALVE_SECRET_API_TOKEN_HOSTS: 'api.example.com, *.internal.example.com 10.0.0.0/8',
    SALVE_SECRET_UNBOUND: 'unbound-value',
    SALVE_SECRET_EMPTY: '',
    PATH: '/usr/bin',
  });

  it('reads values by name and keeps _HOSTS lists apart from the secrets', () => {
    expect(store.get('API_TOKEN')).toBe('tok-123456');
    expect(store.get('API_TOKEN_HOSTS')).toBeUndefined();
    expect(store.names()).toEqual(['API_TOKEN', 'UNBOUND']);
    expect([...store.values()].sort()).toEqual(['tok-123456', 'unbound-value']);
    expect(store.resolve('EMPTY')).toBeUndefined();
  });

  it('gives each secret its host list, or undefined when it has none', () => {
    expect(store.hosts('API_TOKEN')).toEqual(['api.example.com', '*.internal.example.com', '10.0.0.0/8']);
    expect(store.hosts('UNBOUND')).toBeUndefined();
  });

  it('splits host lists on commas and whitespace', () => {
    expect(parseHostList(' a.example.com,,b.example.com\n* ')).toEqual(['a.example.com', 'b.example.com', '*']);
  });
});

describe('withScrubbedExtras', () => {
  it('adds values to scrub without making them referenceable', () => {
    const store = withScrubbedExtras(secretStoreFromEnv({ SALVE_SECRET_A: 'value-a' }), ['admin-token-value', undefined, '']);
    expect(store.values()).toEqual(['value-a', 'admin-token-value']);
    expect(store.names()).toEqual(['A']);
    expect(store.get('A')).toBe('value-a');
  });
});
