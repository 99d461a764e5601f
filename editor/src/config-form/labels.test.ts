import { describe, expect, it } from 'vitest';
import { itemNounFor, labelFor, splitKey } from './labels.js';

describe('labels from keys', () => {
  it.each([
    ['timeoutSeconds', 'Timeout (seconds)'],
    ['expectStatus', 'Expected status'],
    ['expectExitCodes', 'Expected exit codes'],
    ['cwd', 'Working directory'],
    ['url', 'URL'],
    ['bodyType', 'Body type'],
    ['startsAt', 'Starts at'],
    ['seconds', 'Seconds'],
    ['apiURL', 'API URL'],
    ['max_retries', 'Max retries'],
    ['method', 'Method'],
  ])('%s → %s', (key, label) => expect(labelFor(key)).toBe(label));

  it('splits camel case, acronyms and underscores', () => {
    expect(splitKey('HTTPStatusCode')).toEqual(['http', 'status', 'code']);
    expect(splitKey('a_b-c')).toEqual(['a', 'b', 'c']);
  });

  it('names items of lists and maps', () => {
    expect(itemNounFor('headers')).toBe('header');
    expect(itemNounFor('command')).toBe('argument');
    expect(itemNounFor('env')).toBe('variable');
    expect(itemNounFor('labels')).toBe('label');
    expect(itemNounFor('expectStatus')).toBe('expected status item');
  });
});
