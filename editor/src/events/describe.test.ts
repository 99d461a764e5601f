import { describe, expect, it, vi } from 'vitest';
import { EVENT_OUTCOMES } from '../../../shared/event-log.js';
import { eventOrigin, explainEvent, formatBytes, matchVerdict, OUTCOME_LABELS, prettyBody, routeVerdict } from './describe.js';

const base = { httpStatus: 202, reason: null, executionCount: 0, duplicateCount: 0, notStartedCount: 0, suppressedBefore: 0 };

describe('explainEvent', () => {
  it('says what happened and why, for every outcome', () => {
    expect(explainEvent({ ...base, outcome: 'accepted', executionCount: 2 })).toEqual({ lead: 'Started 2 runs', detail: null, note: null });
    expect(explainEvent({ ...base, outcome: 'accepted', executionCount: 1, duplicateCount: 1, notStartedCount: 2 })).toEqual({
      lead: 'Started 1 run',
      detail: '1 alert already handled, 2 not started',
      note: null,
    });
    expect(explainEvent({ ...base, outcome: 'accepted', executionCount: 1, flows: [{ held: 1 }] }).lead).toBe('Held 1 run: a guard rail stopped it');
    expect(explainEvent({ ...base, outcome: 'accepted', executionCount: 3, flows: [{ held: 1 }, {}] }).lead).toBe('Started 2 runs, held 1');
    expect(explainEvent({ ...base, outcome: 'ignored', reason: 'resolved alert: source starts runs on firing only' })).toMatchObject({
      lead: 'No run started',
      detail: 'resolved alert: source starts runs on firing only',
    });
    expect(explainEvent({ ...base, outcome: 'duplicate', reason: 'every alert was already handled' }).lead).toBe('Already handled: nothing ran again');
    expect(explainEvent({ ...base, outcome: 'handshake', httpStatus: 200, reason: 'subscription confirmed' })).toMatchObject({
      lead: 'Answered by the source (200)',
      detail: 'subscription confirmed',
    });
    expect(
      explainEvent({ ...base, outcome: 'rejected', httpStatus: 401, reason: 'authentication failed: disk/am: wrong bearer token', suppressedBefore: 3 }),
    ).toEqual({
      lead: 'Refused: credentials or address (401)',
      detail: 'disk/am: wrong bearer token',
      note: '3 similar refusals just before this one were not stored (over 60 a minute)',
    });
    expect(explainEvent({ ...base, outcome: 'invalid', httpStatus: 415, reason: 'x' }).lead).toBe('Refused: wrong content type (415)');
    expect(explainEvent({ ...base, outcome: 'invalid', httpStatus: 400, reason: 'x' }).lead).toBe('Refused: the body is not JSON (400)');
    expect(explainEvent({ ...base, outcome: 'invalid', httpStatus: 422, reason: 'x' }).lead).toBe('Refused: the payload does not fit the source (422)');
    expect(explainEvent({ ...base, outcome: 'invalid', httpStatus: 413, reason: 'x' }).lead).toBe('Refused: the body is too large (413)');
    expect(explainEvent({ ...base, outcome: 'not_found', httpStatus: 404, reason: "no enabled flow listens on /hooks/x — flow 'X' on this path is disabled" })).toEqual({
      lead: 'Refused: no enabled flow on this path (404)',
      detail: "no enabled flow listens on /hooks/x — flow 'X' on this path is disabled",
      note: null,
    });
    expect(explainEvent({ ...base, outcome: 'unavailable', httpStatus: 503, reason: 'y' }).lead).toBe('Not taken: Salve was busy (503), the sender should retry');
    // The pill says the filter's word, except where a plainer one reads better in a column.
    const plainer: Partial<Record<string, string>> = { not_found: 'no flow', unavailable: 'busy' };
    for (const o of EVENT_OUTCOMES) expect(OUTCOME_LABELS[o].label).toBe(plainer[o] ?? o);
  });

  it('puts routes and matches in words', () => {
    expect(routeVerdict({ flowId: 'f', nodeId: 'n', source: 'alertmanager', result: 'rejected', reason: 'wrong bearer token' })).toBe('refused: wrong bearer token');
    expect(routeVerdict({ flowId: 'f', nodeId: 'n', source: 'alertmanager', result: 'authenticated' })).toBe('credentials accepted');
    expect(routeVerdict({ flowId: 'f', nodeId: 'n', source: 'alertmanager', result: 'skipped', reason: 'flow disabled' })).toBe('flow disabled: receives nothing');
    expect(matchVerdict({ flowId: 'f', nodeId: 'n', alertIndex: 0, result: 'not_started', reason: 'resolved alert: source starts runs on firing only' })).toBe(
      'not started: resolved alert: source starts runs on firing only',
    );
    expect(explainEvent({ ...base, outcome: 'duplicate', reason: 'same incident: fired again 3 min after it resolved (flap window 10 min); run ex_1 handled it' })).toMatchObject({
      lead: 'Same incident again: no new run',
      detail: 'fired again 3 min after it resolved (flap window 10 min); run ex_1 handled it',
    });
    const flap = { flowId: 'f', nodeId: 'n', alertIndex: 0, result: 'flap' as const, executionId: 'ex_1' };
    expect(matchVerdict({ ...flap, reason: 'same incident: fired again 3 min after it resolved (flap window 10 min); run ex_1 handled it' })).toBe(
      'same incident, no new run — fired again 3 min after it resolved (flap window 10 min)',
    );
  });

  it('says a held match with its reason', () => {
    expect(matchVerdict({ flowId: 'f', nodeId: 'n', alertIndex: 0, result: 'held', reason: 'cooldown: web-1 was remediated 4 min before this run', executionId: 'ex_1' })).toBe(
      'held: cooldown: web-1 was remediated 4 min before this run',
    );
  });

  it('pretty-prints a JSON body and leaves anything else as it came', () => {
    expect(prettyBody('{"a":1}')).toEqual({ text: '{\n  "a": 1\n}', json: true });
    expect(prettyBody('{"alerts": [')).toEqual({ text: '{"alerts": [', json: false });
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(6200)).toBe('6.1 KiB');
  });
});

describe('#/events route', () => {
  it('keeps the filters and the open event in the address', async () => {
    // router.ts installs a beforeunload listener when loaded: give it a window.
    vi.stubGlobal('window', { addEventListener: () => {} });
    const { parseRoute, hrefFor } = await import('../router.js');
    expect(parseRoute('#/events')).toEqual({ page: 'events' });
    const route = parseRoute('#/events?flow=disk-full&outcome=rejected&source=alertmanager&path=infra&event=ev_1');
    expect(route).toEqual({ page: 'events', filters: { flowId: 'disk-full', outcome: 'rejected', source: 'alertmanager', path: 'infra', eventId: 'ev_1' } });
    expect(parseRoute(hrefFor(route))).toEqual(route);
    expect(hrefFor({ page: 'events', filters: { outcome: undefined } })).toBe('#/events');
    vi.unstubAllGlobals();
  });
});

describe('eventOrigin', () => {
  it('shows a webhook delivery at its hook URL, and a run by hand or a schedule tick as what it was', () => {
    expect(eventOrigin('infra')).toBe('/hooks/infra');
    expect(eventOrigin('api/flows/by-hand/run')).toBe('POST /api/flows/by-hand/run');
    expect(eventOrigin('schedule/nightly/every_night')).toBe('schedule/nightly/every_night');
  });
});
