import { Hono } from 'hono';
import { z } from 'zod';
import type { ProvisioningDiff, ProvisioningStatus } from '../../shared/api-views.js';
import { ValidationError } from '../../shared/errors.js';
import { DEFAULT_TEAM_ID } from '../../shared/people.js';
import type { Engine } from '../engine/engine.js';
import type { FlowsDirProvisioner } from '../engine/flows/flows-dir.js';
import { parseFlowFile, planProvisioning } from '../engine/flows/provision.js';
import type { Store } from '../store/store.js';
import type { AuthEnv } from './auth.js';
import { validJson } from './validated.js';
import { visibleTeams } from './visibility.js';

/** A directory of flow files can be large: 16 MiB of files per diff. */
const DIFF_BODY_LIMIT = 16 * 1024 * 1024;

/** `POST /api/provisioning/diff`: a flows directory's files as `salve diff` sends them. */
export const ProvisioningDiffBodySchema = z.strictObject({
  /** The directory's name, shown in front of each path (`flows` → `flows/disk.json`). */
  name: z.string().min(1).max(200).default('flows'),
  files: z
    .array(
      z.strictObject({
        /** The path inside the directory: `disk.json` (team `default`) or `<team>/disk.json`. */
        path: z
          .string()
          .regex(/^(?:[^/.][^/]*\/)?[^/.][^/]*\.json$/, 'must be "<file>.json" or "<team>/<file>.json" inside the directory'),
        content: z.string().max(DIFF_BODY_LIMIT),
      }),
    )
    .max(5000),
});

/** `/api/provisioning`: the flows directory (`salve serve --flows`) and what applying one would change. */
export function provisioningRoutes(engine: Engine, store: Store, provisioner: () => FlowsDirProvisioner | undefined) {
  return new Hono<AuthEnv>()
    .get('/', (c) => {
      const teams = visibleTeams(c, 'flows:read');
      const status: ProvisioningStatus = provisioner()?.status() ?? { dir: null, lastScanAt: null, files: [], lastChanges: [] };
      const seen = (team: string) => teams === 'all' || teams.includes(team);
      return c.json({ ...status, files: status.files.filter((f) => seen(f.team)), lastChanges: status.lastChanges.filter((x) => seen(x.team)) } satisfies ProvisioningStatus);
    })
    .post('/diff', validJson(ProvisioningDiffBodySchema, DIFF_BODY_LIMIT), async (c) => {
      const body = c.req.valid('json');
      const paths = new Set<string>();
      body.files.forEach((f, i) => {
        if (paths.has(f.path)) throw new ValidationError('files are invalid', [{ path: ['files', i, 'path'], message: `"${f.path}" is given twice` }]);
        paths.add(f.path);
      });
      const read = body.files.map((f) => {
        const slash = f.path.indexOf('/');
        return parseFlowFile(`${body.name}/${f.path}`, slash < 0 ? DEFAULT_TEAM_ID : f.path.slice(0, slash), f.content);
      });
      // planProvisioning asks synchronously whether a team exists: the teams, read once.
      const teamIds = new Set((await store.read((tx) => tx.people.listTeams())).map((t) => t.id));
      const plan = planProvisioning(read, { flows: await engine.flows.currentFlows(), provisioned: engine.flows.provisionedFlows(), teamExists: (id) => teamIds.has(id) });
      const teams = visibleTeams(c, 'flows:read');
      const seen = (team: string) => teams === 'all' || teams.includes(team);
      return c.json({
        files: plan.files.filter((f) => seen(f.team)),
        changes: plan.changes.filter((x) => seen(x.team)).map(({ flow: _flow, ...change }) => change),
      } satisfies ProvisioningDiff);
    });
}
