import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { nodeDefinitions, getNodeDefinition } from '../../../nodes/catalog.js';
import { getNodeModule } from '../../../nodes/registry.js';
import type { NodeModule } from '../../../nodes/node-module.js';
import type { Flow } from '../../../shared/flow/schema.js';
import { amBody } from '../../../test/kit/alertmanager.js';
import { ManualClock } from '../../../test/kit/engine.js';
import { flowDoc, type NodeDoc } from '../../../test/kit/flow.js';
import { startTarget, type Target } from '../../../test/kit/target.js';
import { createLogger } from '../../log.js';
import { SqliteStore } from '../../store/db.js';
import { Engine } from '../engine.js';
import { REDACTED, scrubberFor } from './scrub.js';
import { secretStoreFrom } from './secrets.js';

/**
 * For EVERY node type: a secret that reaches what a step or a delivery produced, as it is and
 * encoded, is in none of what Salve stores (every table but the flow documents an operator
 * wrote), logs (through the server's logger) or answers (simulate).
 *
 * The table below has one row per type; a type without a row fails the first test. Adding a
 * type is two lines: its row here, e.g.
 *   'notify.example': step((peer) => ({ url: `${peer}/fail`, text: LEAK_TEMPLATE })),
 * (`step`: the real executor runs with the leak in a template and/or in a loopback peer's answer;
 * `answers`: the real type, its executor answering with the leak, for types whose stored data
 * cannot hold alert data; `hook`, `manual`, `schedule`: sources, by how they are started.)
 */

/**
 * Looks like a credential: quotes, a backslash, `/`, `+`, a space and non-ASCII all need escaping
 * somewhere. Its marker `N0DE` is upper case: Salve's ids are lower-case base32 and its hashes
 * lower-case hex, so a random id can never hold it (`n0de` could, by chance).
 */
const SECRET = 'N0DE"ty\\pe/sec+ret é';
/** A credential some types send to their peer (only to 127.0.0.1). */
const TOKEN = 'peer-token-5e1f9a7c';
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const b64url = (s: string) => Buffer.from(s, 'utf8').toString('base64url');

/** The secret in each form the scrubber must catch. */
const FORMS: Record<string, string> = {
  raw: SECRET,
  base64: b64(SECRET),
  base64url: b64url(SECRET),
  basicAuth: b64(`admin:${SECRET}`), // the secret inside a longer base64 text
  basicAuthUrl: b64url(`some-user:${SECRET}`),
  urlEncoded: encodeURIComponent(SECRET),
  formEncoded: new URLSearchParams({ q: SECRET }).toString().slice(2),
  jsonEscaped: JSON.stringify(SECRET).slice(1, -1),
};
/** What a step or a sender hands back: every form, and the other credential. */
const LEAK = `${Object.entries(FORMS)
  .map(([name, form]) => `${name}=${form}`)
  .join(' ')} token=${TOKEN}`;
/** A template that renders the leak (the alert carries it in an annotation). */
const LEAK_TEMPLATE = '{{ alert.annotations.leak }}';

/**
 * The pieces of the secret still readable in `text`: the marker `N0DE` (in every form but
 * base64), the token, and any 6 bytes of the secret in the base64 decoding of any base64-looking
 * run of `text` at any of its 4 character offsets. Independent of how the scrubber works.
 */
function leftovers(text: string): string[] {
  const found: string[] = [];
  if (text.includes('N0DE')) found.push('the secret, as it is or escaped or URL-encoded');
  if (text.includes(TOKEN) || text.includes(b64(TOKEN).slice(0, 16))) found.push('the token');
  const secret = Buffer.from(SECRET, 'utf8');
  const windows = Array.from({ length: secret.length - 5 }, (_, i) => secret.subarray(i, i + 6));
  for (const run of text.match(/[A-Za-z0-9+/_-]{8,}/g) ?? []) {
    const std = run.replaceAll('-', '+').replaceAll('_', '/');
    for (let shift = 0; shift < 4; shift++) {
      const decoded = Buffer.from(std.slice(shift, shift + Math.floor((std.length - shift) / 4) * 4), 'base64');
      if (windows.some((w) => decoded.includes(w))) found.push(`base64 of the secret in ${run}`);
    }
  }
  return [...new Set(found)];
}

/** What one row's test sets up and reads. */
interface Harness {
  engine: Engine;
  store: SqliteStore;
  clock: ManualClock;
  /** Logs `fields` through the server's logger, as any code might. */
  log: ReturnType<typeof createLogger>;
  peers: Peers;
}

/** Loopback servers that answer every request with the leak: as a success (`echo`), as an API's refusal (`fail`). */
interface Peers {
  echo: string;
  fail: string;
  /** A port on 127.0.0.1 where nothing listens. */
  closedPort: number;
}

interface Row {
  /** Builds the flow (its nodes after or instead of the default Alertmanager source). */
  flow(peers: Peers): ReturnType<typeof flowDoc>;
  /** Starts what the row tests and logs what the executor or sender produced, unscrubbed. */
  run(h: Harness, flow: ReturnType<typeof flowDoc>): Promise<void>;
  /** The simulate call: source type and payload. */
  simulate: { source: string; payload: unknown };
  /** Tables that must hold the marker `***` after the run (the leak reached them and was scrubbed). */
  scrubbedIn: string[];
  /** Saves what the row's flow needs saved first (a flow it calls). */
  before?(engine: Engine): Promise<void>;
}

/** An Alertmanager delivery whose alert carries the leak in its `leak` annotation. */
function leakyAlertBody() {
  const body = amBody('leaky-fp');
  for (const alert of body.alerts) (alert.annotations as Record<string, string>).leak = LEAK;
  return body;
}
const delivery = (body: unknown, headers: Record<string, string> = {}) => ({
  headers: { 'content-type': 'application/json', ...headers },
  rawBody: new TextEncoder().encode(typeof body === 'string' ? body : JSON.stringify(body)),
});

/** The step's node in an executor row's flow. */
const STEP_ID = 'n';

/**
 * An executor type, run for real after an Alertmanager source whose alert carries the leak:
 * `config` puts it in a template, and `peer` (a loopback server) answers every request with it.
 */
function step(config: (peers: Peers) => object): Row {
  return {
    flow: (peers) => flowDoc({ id: 'f', nodes: [{ id: STEP_ID, type: '', config: config(peers) }], edges: [{ source: 'am', target: STEP_ID }] }),
    async run(h) {
      await h.engine.ingest('infra', delivery(leakyAlertBody()));
      await h.engine.idle();
      h.log.info({ body: leakyAlertBody() }, 'a delivery as received');
    },
    simulate: { source: 'alertmanager', payload: leakyAlertBody() },
    scrubbedIn: ['steps', 'executions', 'events'],
  };
}

/**
 * A type whose stored data cannot hold alert data (no template, a boolean output): the real
 * type in a real run, its executor answering with the leak (an error and an output).
 */
function answers(config: object): Row {
  const row = step(() => config);
  return {
    ...row,
    async run(h, flow) {
      const type = flow.nodes.find((n) => n.id === STEP_ID)!.type;
      const module = getNodeModule(type) as NodeModule;
      const spy = vi.spyOn(module, 'execute').mockResolvedValueOnce({ type: 'fail', error: `the step said ${LEAK}` });
      try {
        await row.run(h, flow);
      } finally {
        spy.mockRestore();
      }
      h.log.warn({ answer: { error: `the step said ${LEAK}` } }, 'what the executor answered');
    },
  };
}

/**
 * A webhook source (its sample config and payload): a delivery carrying the leak in a header
 * and in the body, and a refused one carrying it in a body that is no JSON.
 */
function hook(): Row {
  let path = '';
  let type = '';
  let payload: unknown;
  return {
    flow: () => {
      const doc = flowDoc({ id: 'f', source: null, nodes: [{ id: 'src', type, config: getNodeDefinition(type)!.sampleConfig as object }] });
      path = (getNodeDefinition(type)!.sampleConfig as { path: string }).path;
      return doc;
    },
    async run(h) {
      const headers = { 'x-leak': LEAK, authorization: `Basic ${FORMS.basicAuth}` };
      await h.engine.ingest(path, delivery(payload, headers)).catch(() => undefined);
      await h.engine.ingest(path, delivery(`not json: ${LEAK}`, headers)).catch(() => undefined);
      await h.engine.idle();
      h.log.info({ path, headers, body: payload }, 'a delivery as received');
    },
    get simulate() {
      return { source: type, payload };
    },
    scrubbedIn: ['events'],
    // `type` is set by the table (see `typed`), the payload from the type's first sample.
    set type(t: string) {
      type = t;
      const sample = getNodeDefinition(t)!.samples?.[0]?.payload;
      payload = { ...(sample as object), leak: LEAK };
    },
  } as Row & { type: string };
}

/** The manual source: a person runs the flow with the leak in the payload. */
function manual(): Row {
  const payload = { name: 'by hand', summary: LEAK, labels: { leak: LEAK } };
  return {
    flow: () => flowDoc({ id: 'f', source: null, nodes: [{ id: 'src', type: 'source.manual', config: {} }] }),
    async run(h) {
      await h.engine.runManually('f', { payload }, { name: 'tester', via: 'token' });
      await h.engine.idle();
      h.log.info({ payload }, 'a manual run was asked for');
    },
    simulate: { source: 'manual', payload },
    scrubbedIn: ['events', 'executions'],
  };
}

/** The schedule source: its labels (written by an operator) carry the leak into each run's alert. */
function schedule(): Row {
  return {
    flow: () => flowDoc({ id: 'f', source: null, nodes: [{ id: 'src', type: 'source.schedule', config: { cron: '* * * * *', labels: { leak: LEAK } } }] }),
    async run(h) {
      h.clock.advance(61_000);
      await h.engine.schedules.check();
      await h.engine.idle();
      h.log.info({ labels: { leak: LEAK } }, 'a schedule fired');
    },
    simulate: { source: 'schedule', payload: getNodeDefinition('source.schedule')!.samples![0]!.payload },
    scrubbedIn: ['events', 'executions'],
  };
}

/**
 * A call of another flow: the leak goes into the called run's `input` (a template), the called
 * flow prints it, and the calling step records the called run's outputs.
 */
function call(): Row {
  return {
    ...step(() => ({ flow: 'proc', input: { leak: LEAK_TEMPLATE } })),
    async before(engine) {
      const proc = flowDoc({
        id: 'proc',
        enabled: false,
        source: { id: 'start', type: 'source.manual', config: {} },
        nodes: [{ id: 'print', type: 'action.shell', config: { command: ['sh', '-c', 'printf "%s" "$LEAK"'], env: { LEAK: '{{ input.leak }}' } } }],
        edges: [{ source: 'start', target: 'print' }],
      });
      await engine.flows.create(proc, { name: 'test', via: 'token' });
    },
  };
}

/** One row per node type (see the top of this file). */
const ROWS: Record<string, Row> = {
  'source.alertmanager': hook(),
  'source.grafana': hook(),
  'source.zabbix': hook(),
  'source.nagios': hook(),
  'source.webhook': hook(),
  'source.cloudwatch': hook(),
  'source.schedule': schedule(),
  'source.manual': manual(),
  'source.pagerduty': hook(),
  'source.datadog': hook(),
  'condition.match': answers({ matchers: 'severity="critical"' }),
  'condition.expr': step(() => ({ expression: `int(alert.annotations.leak) > 0` })),
  'action.http': step((peers) => ({ url: `${peers.echo}/echo?q=${LEAK_TEMPLATE}`, body: { note: LEAK_TEMPLATE } })),
  'action.shell': step(() => ({ command: ['sh', '-c', 'printf "%s" "$LEAK"'], env: { LEAK: LEAK_TEMPLATE } })),
  'action.ssh': step((peers) => ({
    host: '127.0.0.1',
    port: peers.closedPort,
    user: 'salve',
    auth: { type: 'key', privateKey: { secret: 'TOKEN' } },
    hostKey: 'SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU',
    command: ['echo', LEAK_TEMPLATE],
  })),
  'action.delay': answers({ seconds: 5 }),
  'transform.set': step(() => ({ vars: { leak: 'alert.annotations.leak' } })),
  'control.foreach': step(() => ({ items: '[alert.annotations.leak, "b"]' })),
  'wait.resolved': answers({ within: 60 }),
  'check.http': step((peers) => ({ url: `${peers.echo}/echo?q=${LEAK_TEMPLATE}`, expect: 'response.status == 200' })),
  'check.prometheus': step((peers) => ({ url: peers.echo, query: `up{leak="${LEAK_TEMPLATE}"}`, expect: 'result.size() == 0' })),
  'notify.email': step((peers) => ({ host: '127.0.0.1', port: peers.closedPort, security: 'none', from: 'salve@example.com', to: ['oncall@example.com'], subject: LEAK_TEMPLATE, text: LEAK_TEMPLATE })),
  'notify.pagerduty': step((peers) => ({ routingKey: { secret: 'TOKEN' }, summary: LEAK_TEMPLATE, baseUrl: peers.fail })),
  'notify.slack': step((peers) => ({ auth: { type: 'bot', token: { secret: 'TOKEN' }, channel: '#ops' }, text: LEAK_TEMPLATE, apiUrl: peers.fail })),
  'notify.teams': step(() => ({ webhookUrl: { secret: 'TOKEN' }, title: LEAK_TEMPLATE, text: LEAK_TEMPLATE })),
  'notify.opsgenie': step((peers) => ({ apiKey: { secret: 'TOKEN' }, baseUrl: peers.fail, message: LEAK_TEMPLATE, description: LEAK_TEMPLATE })),
  'notify.jira': step((peers) => ({ url: peers.fail, auth: { type: 'bearer', token: { secret: 'TOKEN' } }, project: 'OPS', summary: LEAK_TEMPLATE, description: LEAK_TEMPLATE })),
  'alertmanager.silence': step((peers) => ({ url: peers.fail, comment: LEAK_TEMPLATE })),
  'pagerduty.incident': step((peers) => ({ action: 'note', token: { secret: 'TOKEN' }, from: 'oncall@example.com', baseUrl: peers.fail, incidentId: 'P123ABC', note: LEAK_TEMPLATE })),
  'grafana.annotate': step((peers) => ({ url: peers.fail, token: { secret: 'TOKEN' }, text: LEAK_TEMPLATE })),
  // No cluster is configured here: the rendered names (the leak) reach the step's record and its refusal.
  'action.kubernetes': step(() => ({ cluster: 'prod', operation: { type: 'pod-logs', namespace: 'web', name: LEAK_TEMPLATE } })),
  'enrich.logs': step((peers) => ({
    from: {
      type: 'file',
      ssh: { host: '127.0.0.1', port: peers.closedPort, user: 'salve', auth: { type: 'key', privateKey: { secret: 'TOKEN' } }, hostKey: 'SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU' },
      directory: '/var/log',
      file: LEAK_TEMPLATE,
    },
  })),
  'enrich.graph': step((peers) => ({ url: peers.fail, headers: { Authorization: { secret: 'TOKEN' } }, title: LEAK_TEMPLATE, query: 'up' })),
  'approval.request': step(() => ({ message: `Go ahead? ${LEAK_TEMPLATE}` })),
  'flow.call': call(),
};

/** The row's flow with the row's type filled in. */
function typed(type: string, row: Row, peers: Peers) {
  if ('type' in row) (row as { type: string }).type = type;
  const doc = row.flow(peers);
  for (const n of doc.nodes as NodeDoc[]) if (n.type === '') n.type = type;
  return doc;
}

/** Every stored row of every table but the flow documents (what an operator wrote), as text, by table. */
function storedText(store: SqliteStore): Record<string, string> {
  const tables = store.sqlite
    .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT IN ('flows', 'flow_revisions')`)
    .all() as { name: string }[];
  return Object.fromEntries(tables.map(({ name }) => [name, JSON.stringify(store.sqlite.prepare(`SELECT * FROM "${name}"`).all())]));
}

describe('every secret is scrubbed, in every form, for every node type', () => {
  let echo: Target;
  let fail: Target;
  let peers: Peers;
  beforeAll(async () => {
    echo = await startTarget((req) => ({ status: 200, body: JSON.stringify({ ok: true, echo: LEAK, received: req.body }) }));
    fail = await startTarget(() => ({ status: 400, body: JSON.stringify({ ok: false, error: LEAK, message: LEAK, errors: [LEAK] }) }));
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    peers = { echo: echo.url, fail: fail.url, closedPort };
  });
  afterAll(async () => {
    await echo.close();
    await fail.close();
  });

  it('has a row for each node type', () => {
    expect(Object.keys(ROWS).sort()).toEqual(nodeDefinitions.map((d) => d.type).sort());
  });

  it.each(nodeDefinitions.map((d) => d.type).filter((t) => t in ROWS))('%s', async (type) => {
    const row = ROWS[type]!;
    let logged = '';
    const secrets = secretStoreFrom({ LEAKY: SECRET, TOKEN }, { TOKEN: '127.0.0.1' });
    const scrubber = scrubberFor(secrets);
    const log = createLogger({
      level: 'debug',
      destination: new Writable({
        write(chunk, _enc, done) {
          logged += String(chunk);
          done();
        },
      }),
      scrub: (line) => scrubber.json(line),
    });
    const clock = new ManualClock();
    const store = new SqliteStore(':memory:');
    const engine = new Engine({
      store,
      clock,
      log,
      secrets,
      allowedTargets: ['127.0.0.1'],
      maxConcurrent: 2,
      executionDeadlineMs: 3_600_000,
      tickMs: 3_600_000,
      scheduleTimers: false,
    });
    try {
      const doc = typed(type, row, peers);
      await row.before?.(engine);
      const created = await engine.flows.create(doc, { name: 'test', via: 'token' }).catch((e) => {
        throw new Error(`${e.message}: ${JSON.stringify(e.issues)}`);
      });
      await engine.start();
      await row.run({ engine, store, clock, log, peers }, doc);
      // Whatever a peer received (the token in a header, the leak in a body), logged as any code might.
      log.debug({ received: [...echo.requests.splice(0), ...fail.requests.splice(0)] }, 'the peers received');
      const answered = JSON.stringify(await engine.simulate(created.flow as Flow, row.simulate.source, row.simulate.payload));

      const stored = storedText(store);
      for (const [table, text] of Object.entries(stored)) expect(leftovers(text), `stored in ${table}`).toEqual([]);
      expect(leftovers(logged), 'in the application log').toEqual([]);
      expect(leftovers(answered), 'in the simulate answer').toEqual([]);
      // The leak did reach each of them (and was replaced): the test can fail.
      for (const table of row.scrubbedIn) expect(stored[table], `${table} holds the marker`).toContain(REDACTED);
      expect(logged).toContain(REDACTED);
    } finally {
      await engine.shutdown(1000);
      store.close();
    }
  });
});
