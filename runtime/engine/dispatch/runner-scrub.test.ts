import { afterEach, describe, expect, it } from 'vitest';
import { executionsRepo } from '../../store/executions-repo.js';
import { stepsRepo } from '../../store/steps-repo.js';
import { testEngine, webhookDelivery } from '../../../test/kit/engine.js';
import { waitFor } from '../../../test/kit/wait.js';
import { amBody } from '../../../test/kit/alertmanager.js';
import { flowDoc } from '../../../test/kit/flow.js';

/** What a step produced is stored scrubbed of EVERY secret Salve holds, not only those it referenced. */
const USED = 'used-secret-3f9a';
const UNUSED = 'unused secret/8c+d'; // no flow references it: a command could still find it
const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('runner scrubbing', () => {
  const engines: ReturnType<typeof testEngine>[] = [];
  afterEach(() => {
    for (const e of engines.splice(0)) e.store.close();
  });

  it('scrubs unreferenced secrets, keys, encodings, errors and the stored config', async () => {
    const t = testEngine({ secrets: { USED, UNUSED } });
    engines.push(t);
    await t.engine.start();
    const script = [
      'printf "%s\\n" "$TOKEN"',
      `printf '{"%s": 1}\\n' '${UNUSED}'`, // as a JSON key
      `printf 'Authorization: Basic %s\\n' '${b64(`admin:${UNUSED}`)}'`,
      `printf 'q=%s&r=%s\\n' '${encodeURIComponent(UNUSED)}' '${encodeURIComponent(UNUSED).replaceAll('%20', '+')}'`,
      `printf '%s\\n' '${Buffer.from(UNUSED).toString('hex')}'`,
    ].join('; ');
    await t.engine.flows.create(
      flowDoc({
        name: 'leaky',
        nodes: [
          { id: 'leak', type: 'action.shell', config: { command: ['sh', '-c', script], env: { TOKEN: { secret: 'USED' } } } },
          { id: 'missing', type: 'action.shell', config: { command: [`/nonexistent/${UNUSED}`] } },
        ],
        edges: [
          { source: 'am', target: 'leak' },
          { source: 'leak', sourcePort: 'ok', target: 'missing' },
        ],
      }),
      { name: 'test', via: 'token' },
    );
    const result = await t.engine.ingest('infra', webhookDelivery(amBody('fp1')));
    const id = result.executions[0]!.id;
    await waitFor(() => executionsRepo.get(t.store.db, id)?.status === 'failed', 10_000);

    const steps = stepsRepo.forExecution(t.store.db, id);
    const leak = steps.find((s) => s.nodeId === 'leak')!;
    expect(leak.status).toBe('succeeded');
    const stdout = (JSON.parse(leak.output!) as { stdout: string }).stdout;
    expect(stdout.split('\n').slice(0, 5)).toEqual(['***', '{"***": 1}', expect.stringMatching(/^Authorization: Basic .*\*\*\*/), 'q=***&r=***', '***']);
    const missing = steps.find((s) => s.nodeId === 'missing')!;
    expect(missing.error).toBe('command not found: /nonexistent/***');
    const stored = JSON.stringify({ steps, execution: executionsRepo.get(t.store.db, id) });
    for (const form of [USED, UNUSED, encodeURIComponent(UNUSED), b64(UNUSED).slice(2, 14), Buffer.from(UNUSED).toString('hex')]) expect(stored).not.toContain(form);
  });
});
