import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain JS module of the bench, without type declarations
import { parseWrk, wrkScript } from './wrk.js';

// Captured from `wrk -t2 -c50 -d3s --latency` against test/bench/bare-node.js.
const CLEAN = `Running 3s test @ http://127.0.0.1:40111/hooks/infra
  2 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     4.20ms    7.11ms  81.13ms   94.68%
    Req/Sec     8.63k     3.55k   14.97k    66.67%
  Latency Distribution
     50%    2.64ms
     75%    3.42ms
     90%    6.47ms
     99%   43.44ms
  51615 requests in 3.01s, 11.57MB read
Requests/sec:  17137.04
Transfer/sec:      3.84MB
`;

// The same report shape with refusals, socket errors and other time units.
const REFUSED = `Running 1m test @ http://127.0.0.1:8470/hooks/infra
  1 threads and 50 connections
  Latency Distribution
     50%  812.00us
     75%    1.20ms
     90%    3.00ms
     99%    1.02s
  120000 requests in 1.00m, 30.00MB read
  Socket errors: connect 0, read 2, write 0, timeout 7
  Non-2xx or 3xx responses: 30000
Requests/sec:   2000.00
Transfer/sec:    512.00KB
`;

describe('parseWrk', () => {
  it('reads requests, duration, rate and percentiles of a clean run', () => {
    expect(parseWrk(CLEAN)).toEqual({ requests: 51615, seconds: 3.01, non2xx: 0, socketErrors: 0, rps: 17137.04, okRps: 17137.04, p50: 2.64, p99: 43.44 });
  });

  it('counts refusals and socket errors and converts us, s and m', () => {
    const r = parseWrk(REFUSED);
    expect(r).toMatchObject({ requests: 120000, seconds: 60, non2xx: 30000, socketErrors: 9, rps: 2000, okRps: 1500, p99: 1020 });
    expect(r.p50).toBeCloseTo(0.812, 6);
  });

  it('refuses a report without latency figures (wrk run without --latency)', () => {
    expect(() => parseWrk(CLEAN.replace(/ {2}Latency Distribution[\s\S]*?99%.*\n/, ''))).toThrow(/unexpected output/);
  });
});

describe('wrkScript', () => {
  it('sets the headers and builds the body around a per-thread, per-request id', () => {
    const lua = wrkScript({ nonce: 'abc', headers: { authorization: 'Bearer t0k' } });
    expect(lua).toContain('wrk.headers[ [=[authorization]=] ] = [=[Bearer t0k]=]');
    expect(lua).toContain('wrk.headers[ [=[content-type]=] ] = [=[application/json]=]');
    expect(lua).toContain('local nonce = [=[abc]=]');
    // The body is split where the id goes: the fingerprint and the instance (three places).
    expect(lua.match(/"fingerprint":"fp\]=\]/g)).toHaveLength(1);
    const parts = /local parts = \{ (.*) \}/.exec(lua)?.[1] ?? '';
    expect(parts.match(/\[=\[/g)).toHaveLength(4);
  });
});
