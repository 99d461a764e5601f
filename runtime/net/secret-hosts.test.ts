import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../shared/errors.js';
import { secretStoreFrom } from '../engine/secrets/secrets.js';
import { assertSecretHostLists } from './secret-hosts.js';

describe('secret host lists at start', () => {
  it('accepts good lists and secrets without one', () => {
    expect(() => assertSecretHostLists(secretStoreFrom({ A: 'a-value', B: 'b-value', C: 'c-value' }, { A: 'agent.internal, 10.0.0.0/8:9100', B: '*' }))).not.toThrow();
  });

  it('names the variable and the bad entry', () => {
    const store = secretStoreFrom({ AGENT_TOKEN: 'value-1234' }, { AGENT_TOKEN: 'agent.internal 10.0.0.0/99' });
    expect(() => assertSecretHostLists(store)).toThrow(ValidationError);
    try {
      assertSecretHostLists(store);
    } catch (error) {
      expect((error as ValidationError).issues).toEqual([{ path: ['SALVE_SECRET_AGENT_TOKEN_HOSTS'], message: '"10.0.0.0/99" has a prefix length that is not 0-32' }]);
    }
  });
});
