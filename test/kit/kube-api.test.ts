import { request } from 'node:https';
import { AppsV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type KubeApi, startKubeApi } from './kube-api.js';
import { waitFor } from './wait.js';

interface Reply {
  status: number;
  contentType: string;
  text: string;
  json: any;
}

/** One HTTPS request to the stand-in, trusting its certificate; `token: null` sends no Authorization. */
function call(
  api: KubeApi,
  method: string,
  path: string,
  opts: { body?: unknown; contentType?: string; token?: string | null; signal?: AbortSignal } = {},
): Promise<Reply> {
  const headers: Record<string, string> = {};
  const token = opts.token === undefined ? api.token : opts.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  if (payload !== undefined) {
    headers['content-type'] = opts.contentType ?? 'application/json';
    // Node sends a DELETE body only with a length: it does not chunk DELETE by default.
    headers['content-length'] = String(Buffer.byteLength(payload));
  }
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, api.url), { method, headers, ca: api.ca, signal: opts.signal }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        const contentType = res.headers['content-type'] ?? '';
        resolve({ status: res.statusCode ?? 0, contentType, text, json: contentType === 'application/json' ? JSON.parse(text) : undefined });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

const MERGE = 'application/merge-patch+json';
const STRATEGIC = 'application/strategic-merge-patch+json';
const DEPLOYMENT = '/apis/apps/v1/namespaces/web/deployments/api';

/** The Status the real apiserver answers with. */
const failure = (code: number, reason: string, message: string, details: object = {}) => ({
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  message,
  reason,
  details,
  code,
});

function putDeployment(api: KubeApi, replicas = 3) {
  return api.put('deployments', 'web', {
    metadata: { name: 'api', labels: { app: 'api' } },
    spec: { replicas, template: { metadata: { labels: { app: 'api' } }, spec: { containers: [{ name: 'api', image: 'api:1' }] } } },
  });
}

describe('the Kubernetes API stand-in', () => {
  let api: KubeApi;
  beforeEach(async () => {
    api = await startKubeApi();
  });
  afterEach(async () => {
    await api.close();
  });

  it('refuses a request without the bearer token with a 401 Status, and records it', async () => {
    putDeployment(api);
    const none = await call(api, 'GET', DEPLOYMENT, { token: null });
    expect(none.status).toBe(401);
    expect(none.json).toEqual(failure(401, 'Unauthorized', 'Unauthorized'));
    expect((await call(api, 'GET', DEPLOYMENT, { token: 'not-the-token' })).status).toBe(401);
    expect((await call(api, 'GET', DEPLOYMENT)).status).toBe(200);
    expect(api.requests.map((r) => [r.method, r.path, r.authorization])).toEqual([
      ['GET', DEPLOYMENT, ''],
      ['GET', DEPLOYMENT, 'Bearer not-the-token'],
      ['GET', DEPLOYMENT, `Bearer ${api.token}`],
    ]);
  });

  it('answers a missing object, and a path it does not serve, with a NotFound Status', async () => {
    const missing = await call(api, 'GET', DEPLOYMENT);
    expect(missing.status).toBe(404);
    expect(missing.contentType).toBe('application/json');
    expect(missing.json).toEqual(failure(404, 'NotFound', 'deployments.apps "api" not found', { name: 'api', kind: 'deployments' }));
    const pod = await call(api, 'GET', '/api/v1/namespaces/web/pods/p');
    expect(pod.json.message).toBe('pods "p" not found');
    const unknown = await call(api, 'GET', '/apis/apps/v1/namespaces/web/replicasets/api');
    expect(unknown.json).toEqual(failure(404, 'NotFound', 'the server could not find the requested resource'));
  });

  it('a PATCH of the pod template bumps the generation; the rollout reads in progress for the set GETs, then complete', async () => {
    putDeployment(api);
    const before = await call(api, 'GET', DEPLOYMENT);
    expect(before.json.status).toEqual({ observedGeneration: 1, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 });

    const patch = { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2025-01-01T00:00:00Z' } } } } };
    const patched = await call(api, 'PATCH', DEPLOYMENT, { body: patch, contentType: STRATEGIC });
    expect(patched.status).toBe(200);
    expect(patched.json.metadata).toMatchObject({ generation: 2, resourceVersion: '2' });
    // A merge: the annotation is added, the template's labels and containers stay.
    expect(patched.json.spec.template).toEqual({
      metadata: { labels: { app: 'api' }, annotations: { 'kubectl.kubernetes.io/restartedAt': '2025-01-01T00:00:00Z' } },
      spec: { containers: [{ name: 'api', image: 'api:1' }] },
    });
    expect(api.requests.at(-1)).toEqual({ method: 'PATCH', path: DEPLOYMENT, query: {}, contentType: STRATEGIC, body: patch, authorization: `Bearer ${api.token}` });

    const inProgress = { observedGeneration: 1, replicas: 3, updatedReplicas: 0, readyReplicas: 3, availableReplicas: 3 };
    expect((await call(api, 'GET', DEPLOYMENT)).json.status).toEqual(inProgress);
    expect((await call(api, 'GET', DEPLOYMENT)).json.status).toEqual(inProgress);
    expect((await call(api, 'GET', DEPLOYMENT)).json.status).toEqual({ observedGeneration: 2, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 });

    // Metadata only: a new resourceVersion, no new generation, no rollout; null deletes a key.
    const labelled = await call(api, 'PATCH', DEPLOYMENT, { body: { metadata: { labels: { app: null, tier: 'web' } } }, contentType: MERGE });
    expect(labelled.json.metadata).toMatchObject({ generation: 2, resourceVersion: '3' });
    expect(labelled.json.metadata.labels).toEqual({ tier: 'web' });
    expect((await call(api, 'GET', DEPLOYMENT)).json.status.observedGeneration).toBe(2);

    // Any other patch type is refused, and changes nothing.
    const plain = await call(api, 'PATCH', DEPLOYMENT, { body: { spec: { replicas: 9 } }, contentType: 'application/json' });
    expect(plain.status).toBe(415);
    expect(plain.json.reason).toBe('UnsupportedMediaType');
    expect(api.get('deployments', 'web', 'api')?.spec.replicas).toBe(3);
  });

  it('the scale subresource reads and sets a StatefulSet\'s replicas, which starts a rollout', async () => {
    api.put('statefulsets', 'db', { metadata: { name: 'pg' }, spec: { replicas: 2 } });
    const path = '/apis/apps/v1/namespaces/db/statefulsets/pg';
    expect((await call(api, 'GET', `${path}/scale`)).json).toEqual({
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: { name: 'pg', namespace: 'db' },
      spec: { replicas: 2 },
      status: { replicas: 2 },
    });
    api.rolloutAfterGets = 1;
    const scaled = await call(api, 'PATCH', `${path}/scale`, { body: { spec: { replicas: 5 } }, contentType: MERGE });
    expect(scaled.json.spec).toEqual({ replicas: 5 });
    expect(api.get('statefulsets', 'db', 'pg')?.metadata.generation).toBe(2);
    expect((await call(api, 'GET', path)).json.status).toMatchObject({ observedGeneration: 1, updatedReplicas: 0, currentRevision: 'rev-1', updateRevision: 'rev-2' });
    expect((await call(api, 'GET', path)).json.status).toEqual({
      observedGeneration: 2,
      replicas: 5,
      readyReplicas: 5,
      updatedReplicas: 5,
      currentReplicas: 5,
      currentRevision: 'rev-2',
      updateRevision: 'rev-2',
    });
  });

  it('dryRun=All validates and answers what would be, but changes nothing; any other dryRun is 400', async () => {
    putDeployment(api);
    api.put('pods', 'web', { metadata: { name: 'p' } });
    const patch = { spec: { template: { metadata: { annotations: { restarted: 'now' } } } } };

    const dry = await call(api, 'PATCH', `${DEPLOYMENT}?dryRun=All`, { body: patch, contentType: STRATEGIC });
    expect(dry.status).toBe(200);
    expect(dry.json.metadata.generation).toBe(2);
    expect(dry.json.spec.template.metadata.annotations).toEqual({ restarted: 'now' });
    expect(api.requests.at(-1)?.query).toEqual({ dryRun: 'All' });
    const stored = api.get('deployments', 'web', 'api')!;
    expect(stored.metadata).toMatchObject({ generation: 1, resourceVersion: '1' });
    expect(stored.spec.template.metadata.annotations).toBeUndefined();
    expect((await call(api, 'GET', DEPLOYMENT)).json.status.observedGeneration).toBe(1);
    expect((await call(api, 'GET', DEPLOYMENT)).json.status.updatedReplicas).toBe(3);

    expect((await call(api, 'DELETE', '/api/v1/namespaces/web/pods/p?dryRun=All')).status).toBe(200);
    expect(api.get('pods', 'web', 'p')).toBeDefined();

    const job = await call(api, 'POST', '/apis/batch/v1/namespaces/web/jobs?dryRun=All', { body: { metadata: { name: 'j' }, spec: { template: { spec: {} } } } });
    expect(job.status).toBe(201);
    expect(job.json.metadata.name).toBe('j');
    expect(api.list('jobs')).toEqual([]);
    expect(api.list('pods').map((p) => p.metadata.name)).toEqual(['p']);

    // Validation still applies.
    expect((await call(api, 'PATCH', '/apis/apps/v1/namespaces/web/deployments/nope?dryRun=All', { body: patch, contentType: MERGE })).status).toBe(404);
    expect((await call(api, 'PATCH', `${DEPLOYMENT}?dryRun=All`, { body: patch, contentType: 'application/json' })).status).toBe(415);
    const bad = await call(api, 'PATCH', `${DEPLOYMENT}?dryRun=Yes`, { body: patch, contentType: MERGE });
    expect(bad.status).toBe(400);
    expect(bad.json.reason).toBe('BadRequest');
    expect(api.get('deployments', 'web', 'api')?.metadata.generation).toBe(1);
  });

  it('a pod DELETE with a wrong uid precondition is 409 Conflict and deletes nothing; with the right one the pod is gone', async () => {
    const pod = api.put('pods', 'web', { metadata: { name: 'p' } });
    const path = '/api/v1/namespaces/web/pods/p';
    const options = (uid: string) => ({ kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { uid }, gracePeriodSeconds: 0 });
    const wrong = await call(api, 'DELETE', path, { body: options('not-its-uid') });
    expect(wrong.status).toBe(409);
    expect(wrong.json).toEqual(failure(409, 'Conflict', `Precondition failed: UID in precondition: not-its-uid, UID in object meta: ${pod.metadata.uid}`, { name: 'p', kind: 'pods' }));
    expect(api.get('pods', 'web', 'p')?.metadata.uid).toBe(pod.metadata.uid);

    const right = await call(api, 'DELETE', path, { body: options(pod.metadata.uid!) });
    expect(right.status).toBe(200);
    expect(right.json.metadata.uid).toBe(pod.metadata.uid);
    expect(api.get('pods', 'web', 'p')).toBeUndefined();
    expect((await call(api, 'GET', path)).status).toBe(404);
  });

  it('a pod PATCH naming a stale resourceVersion is 409 Conflict and changes nothing', async () => {
    api.put('pods', 'web', { metadata: { name: 'p', resourceVersion: '7' } });
    const stale = await call(api, 'PATCH', '/api/v1/namespaces/web/pods/p', { body: { metadata: { resourceVersion: '6', labels: { quarantined: 'true' } } }, contentType: MERGE });
    expect(stale.status).toBe(409);
    expect(stale.json.reason).toBe('Conflict');
    expect(api.get('pods', 'web', 'p')?.metadata.labels).toBeUndefined();
    const current = await call(api, 'PATCH', '/api/v1/namespaces/web/pods/p', { body: { metadata: { resourceVersion: '7', labels: { quarantined: 'true' } } }, contentType: MERGE });
    expect(current.json.metadata).toMatchObject({ resourceVersion: '8', labels: { quarantined: 'true' } });
  });

  it("deleting a StatefulSet's pod brings a replacement with the same name and a new uid", async () => {
    const old = api.put('pods', 'db', {
      metadata: { name: 'pg-0', labels: { app: 'pg' }, annotations: { note: 'old' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'pg', uid: 'sts-uid' }] },
      spec: { containers: [{ name: 'pg' }] },
    });
    expect((await call(api, 'DELETE', '/api/v1/namespaces/db/pods/pg-0')).status).toBe(200);
    const replacement = api.get('pods', 'db', 'pg-0');
    expect(replacement?.metadata.uid).toEqual(expect.any(String));
    expect(replacement?.metadata.uid).not.toBe(old.metadata.uid);
    expect(replacement?.metadata.labels).toEqual({ app: 'pg' });
    expect(replacement?.metadata.annotations).toBeUndefined();
    // A pod without such an owner just goes.
    api.put('pods', 'db', { metadata: { name: 'lone' } });
    await call(api, 'DELETE', '/api/v1/namespaces/db/pods/lone');
    expect(api.list('pods').map((p) => p.metadata.name)).toEqual(['pg-0']);
  });

  it('a job POST creates the job and its pod; the same name again is 409 AlreadyExists', async () => {
    const body = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'fix' }, spec: { template: { spec: { containers: [{ name: 'fix', image: 'busybox' }], restartPolicy: 'Never' } } } };
    const created = await call(api, 'POST', '/apis/batch/v1/namespaces/ops/jobs', { body });
    expect(created.status).toBe(201);
    expect(created.json.metadata).toMatchObject({ name: 'fix', namespace: 'ops', uid: expect.any(String) });

    const pods = await call(api, 'GET', '/api/v1/namespaces/ops/pods?labelSelector=job-name%3Dfix');
    expect(pods.json).toMatchObject({ kind: 'PodList', apiVersion: 'v1', metadata: {} });
    expect(pods.json.items).toHaveLength(1);
    const [pod] = pods.json.items;
    expect(pod.metadata.name).toMatch(/^fix-[a-z0-9]{5}$/);
    expect(pod.metadata.labels).toEqual({ 'job-name': 'fix', 'batch.kubernetes.io/job-name': 'fix' });
    expect(pod.metadata.ownerReferences).toMatchObject([{ kind: 'Job', name: 'fix', uid: created.json.metadata.uid }]);
    expect((await call(api, 'GET', '/api/v1/namespaces/ops/pods?labelSelector=job-name%3Dother')).json.items).toEqual([]);

    const again = await call(api, 'POST', '/apis/batch/v1/namespaces/ops/jobs', { body });
    expect(again.status).toBe(409);
    expect(again.json).toEqual(failure(409, 'AlreadyExists', 'jobs.batch "fix" already exists', { name: 'fix', kind: 'jobs' }));
    expect(api.list('pods')).toHaveLength(1);
  });

  it('a job reads active until it has been read jobOutcome.afterGets times, then ends as jobOutcome says', async () => {
    const jobs = '/apis/batch/v1/namespaces/ops/jobs';
    await call(api, 'POST', jobs, { body: { metadata: { name: 'ok' }, spec: { template: { spec: {} } } } });
    expect((await call(api, 'GET', `${jobs}/ok`)).json.status).toEqual({ active: 1 });
    expect((await call(api, 'GET', `${jobs}/ok`)).json.status).toEqual({ active: 1 });
    expect((await call(api, 'GET', `${jobs}/ok`)).json.status).toEqual({ succeeded: 1, completionTime: expect.any(String), conditions: [{ type: 'Complete', status: 'True' }] });

    api.jobOutcome = { afterGets: 0, result: 'failed' };
    await call(api, 'POST', jobs, { body: { metadata: { name: 'bad' }, spec: { template: { spec: {} } } } });
    expect((await call(api, 'GET', `${jobs}/bad`)).json.status).toEqual({
      failed: 1,
      conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' }],
    });
  });

  it('serves pod logs as text, per container and previous, with tailLines and limitBytes', async () => {
    api.put('pods', 'web', { metadata: { name: 'p' }, spec: { containers: [{ name: 'app' }, { name: 'sidecar' }] } });
    api.put('pods', 'web', { metadata: { name: 'quiet' } });
    api.setLogs('web', 'p', 'one\ntwo\nthree\nfour\n');
    api.setLogs('web', 'p', 'side\n', { container: 'sidecar' });
    api.setLogs('web', 'p', 'crashed\n', { container: 'app', previous: true });
    const logs = (query: string) => call(api, 'GET', `/api/v1/namespaces/web/pods/p/log${query}`);

    const tail = await logs('?tailLines=2');
    expect(tail.status).toBe(200);
    expect(tail.contentType).toBe('text/plain');
    expect(tail.text).toBe('three\nfour\n');
    expect((await logs('')).text).toBe('one\ntwo\nthree\nfour\n');
    expect((await logs('?container=app&tailLines=1&limitBytes=3')).text).toBe('fou');
    expect((await logs('?container=sidecar')).text).toBe('side\n');
    expect((await logs('?previous=true')).text).toBe('crashed\n');
    expect((await call(api, 'GET', '/api/v1/namespaces/web/pods/quiet/log')).text).toBe('');
    expect((await call(api, 'GET', '/api/v1/namespaces/web/pods/gone/log')).status).toBe(404);
  });

  it('forbidNamespace answers 403 Forbidden as RBAC would, and changes nothing', async () => {
    api.put('pods', 'kube-system', { metadata: { name: 'p' } });
    api.put('pods', 'web', { metadata: { name: 'p' } });
    api.forbidNamespace('kube-system');
    const refused = await call(api, 'DELETE', '/api/v1/namespaces/kube-system/pods/p');
    expect(refused.status).toBe(403);
    expect(refused.json).toEqual(
      failure(403, 'Forbidden', 'pods "p" is forbidden: User "system:serviceaccount:salve:salve" cannot delete resource "pods" in API group "" in the namespace "kube-system"', {
        name: 'p',
        kind: 'pods',
      }),
    );
    expect(api.get('pods', 'kube-system', 'p')).toBeDefined();
    expect((await call(api, 'GET', '/api/v1/namespaces/kube-system/pods/p')).status).toBe(403);
    expect((await call(api, 'DELETE', '/api/v1/namespaces/web/pods/p')).status).toBe(200);
  });

  it('hold() applies the change at once but keeps the answer until released', async () => {
    putDeployment(api);
    const release = api.hold((r) => r.method === 'PATCH');
    let answered = false;
    const pending = call(api, 'PATCH', DEPLOYMENT, { body: { spec: { replicas: 4 } }, contentType: MERGE }).then((reply) => {
      answered = true;
      return reply;
    });
    await waitFor(() => api.held() === 1, 5000, 'the PATCH to be held');
    expect(api.get('deployments', 'web', 'api')?.spec.replicas).toBe(4);
    expect(api.requests.at(-1)?.body).toEqual({ spec: { replicas: 4 } });
    expect(answered).toBe(false);
    // Requests the hold does not match are answered meanwhile.
    expect((await call(api, 'GET', DEPLOYMENT)).status).toBe(200);

    // A client that goes away while held (Salve killed) leaves the server serving.
    const gone = new AbortController();
    const abandoned = call(api, 'PATCH', DEPLOYMENT, { body: { spec: { replicas: 5 } }, contentType: MERGE, signal: gone.signal });
    await waitFor(() => api.held() === 2, 5000, 'the second PATCH to be held');
    gone.abort();
    await expect(abandoned).rejects.toThrow();

    release();
    expect(api.held()).toBe(0);
    const reply = await pending;
    expect(reply.status).toBe(200);
    expect(reply.json.spec.replicas).toBe(4);
    expect((await call(api, 'PATCH', DEPLOYMENT, { body: { spec: { replicas: 6 } }, contentType: MERGE })).status).toBe(200);
  });

  it("kubeconfig() loads in @kubernetes/client-node, points at the server, and that client's calls work", async () => {
    putDeployment(api);
    const kc = new KubeConfig();
    kc.loadFromString(api.kubeconfig());
    expect(kc.getCurrentContext()).toBe('stand-in');
    expect(kc.getCurrentCluster()?.server).toBe(api.url);
    expect(Buffer.from(kc.getCurrentCluster()?.caData ?? '', 'base64').toString()).toBe(api.ca);
    expect(kc.getCurrentUser()?.token).toBe(api.token);
    const deployment = await kc.makeApiClient(AppsV1Api).readNamespacedDeployment({ name: 'api', namespace: 'web' });
    expect(deployment.metadata?.name).toBe('api');
    expect(api.requests.at(-1)?.authorization).toBe(`Bearer ${api.token}`);
  });
});
