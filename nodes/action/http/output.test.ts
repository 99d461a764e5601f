import { describe, expect, it } from 'vitest';
import { presentOutput } from '../../output-view.js';
import { httpAction } from './definition.js';

const present = (output: unknown) => presentOutput(httpAction, output);

describe('action.http output', () => {
  it('reads a response: status, time, content type, location, body', () => {
    expect(
      present({ status: 200, headers: { 'content-type': 'application/json', location: '/x' }, body: { freed: 1 }, truncated: false, durationMs: 12 }),
    ).toEqual({
      facts: [
        { label: 'HTTP status', text: '200', tone: 'ok', status: true },
        { label: 'Took', durationMs: 12 },
        { label: 'Content type', text: 'application/json', mono: true },
        { label: 'Location', text: '/x', mono: true },
      ],
      blocks: [{ kind: 'json', title: 'Response body', value: { freed: 1 } }],
    });
    const cut = present({ status: 503, headers: {}, body: 'busy', truncated: true, durationMs: 3 })!;
    expect(cut.facts[0]).toEqual({ label: 'HTTP status', text: '503', tone: 'error', status: true });
    expect(cut.blocks).toEqual([
      { kind: 'note', text: 'The response was cut at 1 MiB.', tone: 'muted' },
      { kind: 'text', title: 'Response body', text: 'busy' },
    ]);
  });

  it('reads a request that got no answer, with or without a duration', () => {
    expect(present({ status: null, error: 'connect ECONNREFUSED 127.0.0.1:9100', durationMs: 3 })).toEqual({
      facts: [
        { label: 'HTTP status', missing: 'No answer' },
        { label: 'Took', durationMs: 3 },
      ],
      blocks: [{ kind: 'note', text: 'connect ECONNREFUSED 127.0.0.1:9100', tone: 'error' }],
    });
    expect(present({ status: null, error: 'url is not a valid URL' })!.facts).toEqual([{ label: 'HTTP status', missing: 'No answer' }]);
  });

  it('refuses other shapes, including an alert that happens to have a status', () => {
    expect(present({ status: 'firing', name: 'DiskFull' })).toBeNull();
    expect(present({ status: 200 })).toBeNull();
    expect(present([1])).toBeNull();
  });
});
