import { describe, expect, it } from 'vitest';
import { nodeDefinitions } from '../../../nodes/catalog.js';
import type { NodeDefinition } from '../../../nodes/definition.js';
import { pathKey } from './config-paths.js';
import { formModelFor } from './field-model.js';
import { anchorPaths, issuePathText, issueText, listIssueText, placeIssues } from './issues.js';

const model = (type: string) => formModelFor(nodeDefinitions.find((d) => d.type === type) as unknown as NodeDefinition);
const keys = (paths: readonly (readonly (string | number)[])[]) => paths.map((p) => p.join('.'));

describe('anchorPaths', () => {
  it('lists the chosen union variant only', () => {
    const { fields } = model('source.alertmanager');
    expect(keys(anchorPaths(fields, { auth: { type: 'basic' } }))).toEqual(['path', 'auth', 'auth.type', 'auth.username', 'auth.password', 'on', 'allowFrom', 'group']);
    expect(keys(anchorPaths(fields, {}))).toEqual(['path', 'auth', 'auth.type', 'on', 'allowFrom', 'group']);
  });
  it('lists map entries by key and argv items by index', () => {
    const { fields } = model('action.shell');
    const anchors = keys(anchorPaths(fields, { command: ['a', 'b'], env: { FOO: 'x', BAR: { secret: 'B' } } }));
    expect(anchors).toEqual(expect.arrayContaining(['command', 'command.0', 'command.1', 'env', 'env.FOO', 'env.BAR']));
  });
  it('lists nested object fields', () => {
    expect(keys(anchorPaths(model('source.webhook').fields, {}))).toEqual(expect.arrayContaining(['mapping', 'mapping.name', 'mapping.startsAt']));
  });
});

describe('placeIssues', () => {
  const anchors = [['url'], ['auth'], ['auth', 'type'], ['auth', 'token'], ['headers'], ['headers', 'X-Token'], ['expectStatus'], ['command'], ['command', 0]];
  const at = (placement: ReturnType<typeof placeIssues>, path: (string | number)[]) => placement.at.get(pathKey(path)) ?? [];

  it('places an issue at the field whose path it matches', () => {
    const p = placeIssues([{ path: ['url'], message: 'url is required' }], anchors);
    expect(at(p, ['url'])).toEqual([{ path: ['url'], message: 'url is required', rest: [] }]);
    expect(p.top).toEqual([]);
  });
  it('places a deeper issue at the nearest rendered ancestor', () => {
    const p = placeIssues(
      [
        { path: ['auth', 'token', 'secret'], message: 'bad name' },
        { path: ['expectStatus', 1], message: 'must be an HTTP status' },
        { path: ['headers', 'X-Token', 'secret'], message: 'bad secret' },
      ],
      anchors,
    );
    expect(at(p, ['auth', 'token'])[0]).toMatchObject({ rest: ['secret'] });
    expect(at(p, ['expectStatus'])[0]).toMatchObject({ rest: [1] });
    expect(at(p, ['headers', 'X-Token'])[0]).toMatchObject({ message: 'bad secret' });
  });
  it('matches list indexes given as numbers', () => {
    const p = placeIssues([{ path: ['command', 0], message: 'the program name is empty' }], anchors);
    expect(at(p, ['command', 0])).toHaveLength(1);
  });
  it('puts empty paths and unknown paths at the top', () => {
    const p = placeIssues(
      [
        { path: [], message: 'with bodyType "text" the body must be a string' },
        { path: ['typo'], message: 'unknown field "typo"' },
      ],
      anchors,
    );
    expect(p.top.map((i) => i.message)).toEqual(['with bodyType "text" the body must be a string', 'unknown field "typo"']);
    expect(p.at.size).toBe(0);
  });
  it('keeps several issues of one field in order', () => {
    const p = placeIssues(
      [
        { path: ['url'], message: 'a' },
        { path: ['url'], message: 'b' },
      ],
      anchors,
    );
    expect(at(p, ['url']).map((i) => i.message)).toEqual(['a', 'b']);
  });
});

describe('issue text', () => {
  it('says which item a list issue is about', () => {
    expect(issueText({ path: ['expectStatus', 1], message: 'must be an HTTP status', rest: [1] })).toBe('item 2: must be an HTTP status');
    expect(issueText({ path: ['body', 'a', 0], message: 'x', rest: ['a', 0] })).toBe('a › item 1: x');
  });
  it('names the line of an item in a list typed one per line (blank lines are not items)', () => {
    const issue = { path: ['allowFrom', 1], message: 'must be an IP address or CIDR block', rest: [1] };
    expect(listIssueText(issue, [1, 3])).toBe('line 3: must be an IP address or CIDR block');
    expect(listIssueText(issue, [1])).toBe('item 2: must be an IP address or CIDR block');
    expect(listIssueText({ path: ['allowFrom'], message: 'list at least one', rest: [] }, [])).toBe('list at least one');
  });
  it('adds nothing for the inside of a secret reference', () => {
    expect(issueText({ path: ['auth', 'token', 'secret'], message: 'bad', rest: ['secret'] })).toBe('bad');
  });
  it('says "Required" for zod\'s missing-value message', () => {
    expect(issueText({ path: ['path'], message: 'Invalid input: expected string, received undefined', rest: [] })).toBe('Required');
    expect(issueText({ path: ['auth', 'token'], message: 'Invalid input: expected object, received undefined', rest: [] })).toBe('Required');
  });
  it('formats top-level paths', () => {
    expect(issuePathText(['expectStatus', 0])).toBe('expectStatus[0]');
    expect(issuePathText(['auth', 'token'])).toBe('auth.token');
  });
});
