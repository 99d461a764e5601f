import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { isDeepStrictEqual } from 'node:util';
import { makeTestCert } from './smtp.js';

/*
 * Test helper: a stand-in Kubernetes API server on 127.0.0.1 (HTTPS, bearer token) for the
 * requests the `action.kubernetes` node makes: workloads and their scale, pods (patch, delete,
 * list, logs), nodes and jobs. It keeps an in-memory map of objects, answers like a
 * kube-apiserver (JSON objects, `Status` errors with the real messages) and records every
 * request as it came, so tests can assert paths, verbs, patch bodies and `dryRun`. Rollouts and
 * jobs advance by counted GETs, not by time, so tests stay deterministic.
 */

interface KubeRequest {
  method: string;
  /** The path without the query, e.g. /apis/apps/v1/namespaces/web/deployments/api */
  path: string;
  /** Query parameters, e.g. { dryRun: 'All' } */
  query: Record<string, string>;
  /** The Content-Type header, or '' */
  contentType: string;
  /** The parsed JSON body, or undefined when there was none (the raw text when it was not JSON). */
  body: unknown;
  authorization: string;
}

interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    deletionTimestamp?: string;
    [k: string]: unknown;
  };
  // `any`: spec and status differ per kind and tests read nested fields of them directly.
  spec?: any;
  status?: any;
  [k: string]: unknown;
}

type KubeKind = 'deployments' | 'statefulsets' | 'daemonsets' | 'pods' | 'nodes' | 'jobs';

export interface KubeApi {
  /** https://127.0.0.1:<port> */
  url: string;
  /** PEM of the certificate the server uses (trust it as the CA). */
  ca: string;
  token: string;
  /** Every request, in order (also those refused with 401/403/404/409). */
  requests: KubeRequest[];
  /** A kubeconfig (YAML text) for this server: one cluster `stand-in` with certificate-authority-data (base64 of `ca`), one user with `token`, one context `stand-in` that is the current-context. */
  kubeconfig(): string;
  /** Adds or replaces an object (namespace null for nodes). Fills uid (random UUID), resourceVersion ('1'), generation (1 for workloads), creationTimestamp when missing. Returns the stored object. */
  put(kind: KubeKind, namespace: string | null, object: KubeObject): KubeObject;
  /** The stored object, or undefined. */
  get(kind: KubeKind, namespace: string | null, name: string): KubeObject | undefined;
  /** Every stored object of a kind (all namespaces). */
  list(kind: KubeKind): KubeObject[];
  /** Requests to this namespace answer 403 Forbidden (as RBAC would). */
  forbidNamespace(namespace: string): void;
  /** The next `count` requests answer 429 TooManyRequests with `Retry-After: <retryAfter>` and change nothing (API Priority and Fairness). */
  throttle(count: number, retryAfter: string): void;
  /** How many GETs of a workload after a change to its pod template (or replicas) until its rollout reads complete (default 2). */
  rolloutAfterGets: number;
  /** How jobs end: after this many GETs of the job it reads finished (default 2), with this outcome (default 'succeeded'). */
  jobOutcome: { afterGets: number; result: 'succeeded' | 'failed' };
  /** Log text for a pod (and container): what GET .../log serves. */
  setLogs(namespace: string, pod: string, text: string, options?: { container?: string; previous?: boolean }): void;
  /**
   * Holds matching requests: they are applied (the object changes) but NO answer is sent until
   * `release()` (or close). For crash tests: Salve is killed while waiting for the answer.
   * Returns a function that releases the held ones and stops holding.
   */
  hold(match: (req: KubeRequest) => boolean): () => void;
  /** Number of requests currently held without an answer. */
  held(): number;
  close(): Promise<void>;
}

/** The identity the stand-in's RBAC refusals name, as a real cluster names Salve's service account. */
const USER = 'system:serviceaccount:salve:salve';

interface Resource {
  group: string;
  /** The object's `kind`. */
  kind: string;
  namespaced: boolean;
  /** Workloads carry a generation and a rollout status computed on GET. */
  workload: boolean;
}

const RESOURCES: Record<KubeKind, Resource> = {
  deployments: { group: 'apps', kind: 'Deployment', namespaced: true, workload: true },
  statefulsets: { group: 'apps', kind: 'StatefulSet', namespaced: true, workload: true },
  daemonsets: { group: 'apps', kind: 'DaemonSet', namespaced: true, workload: true },
  pods: { group: '', kind: 'Pod', namespaced: true, workload: false },
  nodes: { group: '', kind: 'Node', namespaced: false, workload: false },
  jobs: { group: 'batch', kind: 'Job', namespaced: true, workload: false },
};

/** Metadata the server owns: a patch that names them changes nothing there. */
const SERVER_FIELDS = ['name', 'namespace', 'uid', 'creationTimestamp', 'generation', 'resourceVersion'] as const;

const PATCH_TYPES = ['application/merge-patch+json', 'application/strategic-merge-patch+json'];

const apiVersionOf = (group: string) => (group ? `${group}/v1` : 'v1');
/** `deployments.apps`, or `pods` for the core group: how the real server names a resource in messages. */
const qualified = (resource: string, group: string) => (group ? `${resource}.${group}` : resource);
/** Kubernetes timestamps have whole seconds. */
const timestamp = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
/** Five characters from the alphabet Kubernetes uses for generated names (no vowels, no 0/1/3). */
const suffix = () => Array.from(randomBytes(5), (b) => 'bcdfghjklmnpqrstvwxz2456789'[b % 27]).join('');
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A refusal, answered as a Kubernetes `Status`. */
class KubeError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details: { name?: string; kind?: string } = {},
  ) {
    super(message);
  }
}

const badRequest = (message: string) => new KubeError(400, 'BadRequest', message);
/** What the real server answers for a path it does not serve. */
const noSuchPath = () => new KubeError(404, 'NotFound', 'the server could not find the requested resource');

function statusOf(code: number, reason: string, message: string, details: object) {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, details, code };
}

/** RFC 7386 JSON merge patch: objects merge recursively, null deletes a key, anything else replaces. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return structuredClone(patch);
  const result: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

/** The parts of a resource path, as the apiserver's request info splits it. */
interface Target {
  group: string;
  version: string;
  namespace: string | null;
  resource: string;
  name: string | null;
  subresource: string | null;
}

function parseTarget(path: string): Target | undefined {
  const parts = path.split('/').slice(1);
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 2) {
    group = '';
    version = parts[1]!;
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 3) {
    group = parts[1]!;
    version = parts[2]!;
    rest = parts.slice(3);
  } else {
    return undefined;
  }
  let namespace: string | null = null;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1]!;
    rest = rest.slice(2);
  }
  if (rest.length < 1 || rest.length > 3 || rest.some((p) => p === '')) return undefined;
  return { group, version, namespace, resource: rest[0]!, name: rest[1] ?? null, subresource: rest[2] ?? null };
}

function verbOf(method: string, target: Target): string {
  if (method === 'GET') return target.name === null ? 'list' : 'get';
  if (method === 'POST') return 'create';
  if (method === 'PUT') return 'update';
  if (method === 'DELETE') return target.name === null ? 'deletecollection' : 'delete';
  return method.toLowerCase();
}

function kindOf(target: Target): KubeKind | undefined {
  if (target.version !== 'v1') return undefined;
  const kind = (Object.keys(RESOURCES) as KubeKind[]).find((k) => k === target.resource);
  if (kind === undefined) return undefined;
  const r = RESOURCES[kind];
  return r.group === target.group && r.namespaced === (target.namespace !== null) ? kind : undefined;
}

/** Equality label selectors (`k=v`, `k==v`, `k!=v`, comma = and), the only kind the stand-in reads. */
function parseSelector(text: string | undefined): (labels: Record<string, string>) => boolean {
  if (!text) return () => true;
  const terms = text.split(',').map((term) => {
    const m = /^\s*([A-Za-z0-9._/-]+)\s*(!=|==|=)\s*([A-Za-z0-9._-]*)\s*$/.exec(term);
    if (!m) throw badRequest(`unable to parse requirement: ${term} (the stand-in reads equality selectors only)`);
    return { key: m[1]!, negated: m[2] === '!=', value: m[3]! };
  });
  return (labels) => terms.every((t) => (labels[t.key] === t.value) !== t.negated);
}

interface Entry {
  kind: KubeKind;
  object: KubeObject;
  /** Workloads: GETs since the last spec change while the rollout still reads in progress; null = complete. */
  rollout: { gets: number } | null;
  /** Jobs: GETs so far, and how the job ended once it did. */
  job: { gets: number; ended?: { result: 'succeeded' | 'failed'; at: string }; pod?: string };
}

interface Answer {
  code: number;
  json?: unknown;
  text?: Buffer;
  headers?: Record<string, string>;
}

interface Call {
  record: KubeRequest;
  target: Target;
  kind: KubeKind;
  namespace: string | null;
  name: string;
  dryRun: boolean;
  invalidJson: boolean;
}

/** Starts the stand-in on a random loopback port with a fresh certificate and token. */
export async function startKubeApi(): Promise<KubeApi> {
  const { key, cert } = makeTestCert();
  const token = randomBytes(16).toString('hex');
  const entries = new Map<string, Entry>();
  const logs = new Map<string, string>();
  const forbidden = new Set<string>();
  /** The next `count` requests answer 429 (see throttle). */
  const throttled = { count: 0, retryAfter: '1' };
  const holds = new Set<{ match: (req: KubeRequest) => boolean; waiting: (() => void)[] }>();

  const keyOf = (kind: KubeKind, namespace: string | null, name: string) => `${kind}/${namespace ?? ''}/${name}`;
  const logKey = (namespace: string, pod: string, container: string, previous: boolean) => JSON.stringify([namespace, pod, container, previous]);

  /** Completes an object as the apiserver would on create. Mutates and returns `o`. */
  function fill(kind: KubeKind, namespace: string | null, o: KubeObject): KubeObject {
    const r = RESOURCES[kind];
    o.apiVersion ??= apiVersionOf(r.group);
    o.kind ??= r.kind;
    if (namespace === null) delete o.metadata.namespace;
    else o.metadata.namespace = namespace;
    o.metadata.uid ??= randomUUID();
    o.metadata.resourceVersion ??= '1';
    if (r.workload) o.metadata.generation ??= 1;
    o.metadata.creationTimestamp ??= timestamp();
    return o;
  }

  function store(kind: KubeKind, namespace: string | null, object: KubeObject): Entry {
    if (RESOURCES[kind].namespaced !== (namespace !== null)) throw new Error(`kube-api stand-in: ${kind} ${RESOURCES[kind].namespaced ? 'need a namespace' : 'take namespace null'}`);
    const entry: Entry = { kind, object: fill(kind, namespace, structuredClone(object)), rollout: null, job: { gets: 0 } };
    entries.set(keyOf(kind, namespace, object.metadata.name), entry);
    return entry;
  }

  function need(call: Call): Entry {
    const entry = entries.get(keyOf(call.kind, call.namespace, call.name));
    if (entry) return entry;
    const { resource, group } = call.target;
    throw new KubeError(404, 'NotFound', `${qualified(resource, group)} "${call.name}" not found`, { name: call.name, kind: resource });
  }

  function workloadStatus(kind: KubeKind, o: KubeObject, inProgress: boolean): Record<string, unknown> {
    const generation = o.metadata.generation ?? 1;
    const replicas: number = typeof o.spec?.replicas === 'number' ? o.spec.replicas : 1;
    // In progress: the controller has not observed the new generation and updated nothing yet.
    const observedGeneration = inProgress ? generation - 1 : generation;
    if (kind === 'deployments') return { observedGeneration, replicas, updatedReplicas: inProgress ? 0 : replicas, readyReplicas: replicas, availableReplicas: replicas };
    if (kind === 'statefulsets') {
      return { observedGeneration, replicas, readyReplicas: replicas, updatedReplicas: inProgress ? 0 : replicas, currentReplicas: replicas, currentRevision: `rev-${observedGeneration}`, updateRevision: `rev-${generation}` };
    }
    return { observedGeneration, desiredNumberScheduled: 3, currentNumberScheduled: 3, updatedNumberScheduled: inProgress ? 0 : 3, numberReady: 3, numberAvailable: 3 };
  }

  function jobStatus(entry: Entry): Record<string, unknown> {
    const ended = entry.job.ended;
    if (!ended) return { active: 1 };
    if (ended.result === 'succeeded') return { succeeded: 1, completionTime: ended.at, conditions: [{ type: 'Complete', status: 'True' }] };
    return { failed: 1, conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' }] };
  }

  /** The object as the API shows it: workloads and jobs with their computed status (no GET counted). */
  function shown(entry: Entry): KubeObject {
    const o = structuredClone(entry.object);
    if (RESOURCES[entry.kind].workload) o.status = workloadStatus(entry.kind, o, entry.rollout !== null);
    if (entry.kind === 'jobs') o.status = jobStatus(entry);
    return o;
  }

  /** A GET: advances the workload's rollout or the job by one read. */
  function read(entry: Entry): KubeObject {
    if (entry.rollout && entry.rollout.gets >= api.rolloutAfterGets) entry.rollout = null;
    const answer = shown(entry);
    if (entry.rollout) entry.rollout.gets += 1;
    if (entry.kind === 'jobs') {
      if (!entry.job.ended && entry.job.gets >= api.jobOutcome.afterGets) {
        entry.job.ended = { result: api.jobOutcome.result, at: timestamp() };
        // The job's pod ends with it, for a test or node that reads the pod afterwards.
        const pod = entry.job.pod === undefined ? undefined : entries.get(keyOf('pods', entry.object.metadata.namespace ?? null, entry.job.pod));
        if (pod) commit(pod, { ...pod.object, status: { phase: entry.job.ended.result === 'succeeded' ? 'Succeeded' : 'Failed' } }, false);
      }
      entry.job.gets += 1;
      answer.status = jobStatus(entry);
    }
    return answer;
  }

  /**
   * Replaces the entry's object with `next` (unless dry run), as an update does: resourceVersion
   * +1 on a change, and for workloads a spec change bumps the generation and starts a rollout.
   * Returns the object as it is (or would be) after the change.
   */
  function commit(entry: Entry, proposed: KubeObject, dryRun: boolean): KubeObject {
    const before = entry.object;
    const next = structuredClone(proposed); // it may share parts with the stored object
    const workload = RESOURCES[entry.kind].workload;
    const specChanged = !isDeepStrictEqual(before.spec, next.spec);
    if (isDeepStrictEqual(before, next)) return shown(entry);
    next.metadata.resourceVersion = String((Number.parseInt(before.metadata.resourceVersion ?? '', 10) || 0) + 1);
    if (workload && specChanged) next.metadata.generation = (before.metadata.generation ?? 1) + 1;
    const rollout = workload && specChanged ? { gets: 0 } : entry.rollout;
    const after: Entry = { ...entry, object: next, rollout };
    if (!dryRun) Object.assign(entry, after);
    return shown(after);
  }

  /** Optimistic locking: a body that names a resourceVersion must name the current one. */
  function checkResourceVersion(entry: Entry, call: Call, body: Record<string, unknown>): void {
    const wanted = isObject(body.metadata) ? body.metadata.resourceVersion : undefined;
    if (wanted === undefined || wanted === entry.object.metadata.resourceVersion) return;
    const { resource, group } = call.target;
    throw new KubeError(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(resource, group)} "${call.name}": the object has been modified; please apply your changes to the latest version and try again`, {
      name: call.name,
      kind: resource,
    });
  }

  function objectBody(call: Call): Record<string, unknown> {
    if (call.invalidJson || !isObject(call.record.body)) throw badRequest('the request body must be a JSON object');
    return call.record.body;
  }

  function patchBody(call: Call): Record<string, unknown> {
    const type = call.record.contentType.split(';')[0]!.trim().toLowerCase();
    if (!PATCH_TYPES.includes(type)) throw new KubeError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${PATCH_TYPES.join(', ')}`);
    return objectBody(call);
  }

  /** A POST or DELETE body: JSON (the apiserver takes a missing Content-Type as JSON). */
  function jsonBody(call: Call, required: boolean): Record<string, unknown> | undefined {
    if (call.record.body === undefined && !required) return undefined;
    const type = call.record.contentType.split(';')[0]!.trim().toLowerCase();
    if (type !== '' && type !== 'application/json') throw new KubeError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json`);
    return objectBody(call);
  }

  function patchObject(call: Call): KubeObject {
    const patch = patchBody(call);
    const entry = need(call);
    checkResourceVersion(entry, call, patch);
    const next = mergePatch(entry.object, patch) as KubeObject;
    // Identity and server-managed fields are not the client's to change.
    const meta: Record<string, unknown> = { ...next.metadata };
    for (const field of SERVER_FIELDS) {
      if (entry.object.metadata[field] === undefined) delete meta[field];
      else meta[field] = entry.object.metadata[field];
    }
    next.metadata = meta as KubeObject['metadata'];
    return commit(entry, next, call.dryRun);
  }

  function scaleOf(o: KubeObject) {
    const replicas: number = typeof o.spec?.replicas === 'number' ? o.spec.replicas : 1;
    return { kind: 'Scale', apiVersion: 'autoscaling/v1', metadata: { name: o.metadata.name, namespace: o.metadata.namespace }, spec: { replicas }, status: { replicas } };
  }

  function patchScale(call: Call): Answer {
    const patch = patchBody(call);
    const entry = need(call);
    checkResourceVersion(entry, call, patch);
    const replicas = (mergePatch(scaleOf(entry.object), patch) as { spec?: { replicas?: unknown } }).spec?.replicas;
    if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) throw badRequest(`Scale.autoscaling "${call.name}" is invalid: spec.replicas: must be a non-negative integer`);
    const next = structuredClone(entry.object);
    next.spec = { ...next.spec, replicas };
    return { code: 200, json: scaleOf(commit(entry, next, call.dryRun)) };
  }

  function deleteObject(call: Call): Answer {
    const options = jsonBody(call, false) ?? {};
    const entry = need(call);
    const pre = isObject(options.preconditions) ? options.preconditions : {};
    const meta = entry.object.metadata;
    if (pre.uid !== undefined && pre.uid !== meta.uid) {
      throw new KubeError(409, 'Conflict', `Precondition failed: UID in precondition: ${String(pre.uid)}, UID in object meta: ${meta.uid}`, { name: call.name, kind: call.target.resource });
    }
    if (pre.resourceVersion !== undefined && pre.resourceVersion !== meta.resourceVersion) {
      throw new KubeError(409, 'Conflict', `Precondition failed: ResourceVersion in precondition: ${String(pre.resourceVersion)}, ResourceVersion in object meta: ${meta.resourceVersion}`, {
        name: call.name,
        kind: call.target.resource,
      });
    }
    if (!call.dryRun) {
      entries.delete(keyOf(call.kind, call.namespace, call.name));
      if (call.kind === 'pods') replaceStatefulSetPod(call.namespace!, entry.object);
      const policy = options.propagationPolicy ?? call.record.query.propagationPolicy;
      // Jobs orphan their pods by default (a batch/v1 legacy); Background/Foreground take them along.
      if (call.kind === 'jobs' && (policy === 'Background' || policy === 'Foreground')) {
        for (const [k, e] of entries) {
          if (e.kind === 'pods' && (e.object.metadata.ownerReferences as { uid?: string }[] | undefined)?.some((ref) => ref.uid === meta.uid)) entries.delete(k);
        }
      }
    }
    if (call.kind === 'jobs') {
      return { code: 200, json: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name: call.name, group: 'batch', kind: 'jobs', uid: meta.uid } } };
    }
    // A pod is deleted gracefully: the answer is the pod marked for deletion.
    const answer = shown(entry);
    answer.metadata.deletionTimestamp = timestamp();
    return { code: 200, json: answer };
  }

  /** What a StatefulSet controller does: the same name again, a new uid, labels kept, annotations not. */
  function replaceStatefulSetPod(namespace: string, old: KubeObject): void {
    const owners = (old.metadata.ownerReferences ?? []) as { kind?: string }[];
    if (!owners.some((ref) => ref.kind === 'StatefulSet')) return;
    store('pods', namespace, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: old.metadata.name, labels: structuredClone(old.metadata.labels ?? {}), ownerReferences: structuredClone(owners) },
      spec: structuredClone(old.spec),
      // Ready at once, so a node waiting for the replacement does not wait on the stand-in.
      status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
    });
  }

  function createJob(call: Call): Answer {
    const body = jsonBody(call, true)!;
    const meta = isObject(body.metadata) ? body.metadata : {};
    const name = typeof meta.name === 'string' && meta.name ? meta.name : typeof meta.generateName === 'string' && meta.generateName ? meta.generateName + suffix() : undefined;
    if (name === undefined) throw badRequest('Job.batch "" is invalid: metadata.name: Required value: name or generateName is required');
    if (meta.namespace !== undefined && meta.namespace !== call.namespace) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    if (entries.has(keyOf('jobs', call.namespace, name))) throw new KubeError(409, 'AlreadyExists', `jobs.batch "${name}" already exists`, { name, kind: 'jobs' });
    // A create ignores the status it is sent, as the real server does.
    const { status: _ignored, ...job } = structuredClone(body);
    const object = { ...job, apiVersion: 'batch/v1', kind: 'Job', metadata: { ...(job.metadata as object), name } } as KubeObject;
    if (call.dryRun) return { code: 201, json: fill('jobs', call.namespace, object) };
    const entry = store('jobs', call.namespace, object);
    const template = isObject(body.spec) && isObject(body.spec.template) ? body.spec.template : {};
    const templateLabels = isObject(template.metadata) && isObject(template.metadata.labels) ? template.metadata.labels : {};
    const pod = store('pods', call.namespace, {
      metadata: {
        name: `${name}-${suffix()}`,
        labels: { ...(templateLabels as Record<string, string>), 'batch.kubernetes.io/job-name': name, 'job-name': name },
        ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name, uid: entry.object.metadata.uid, controller: true, blockOwnerDeletion: true }],
      },
      spec: structuredClone(template.spec ?? {}),
      status: { phase: 'Running' },
    });
    entry.job.pod = pod.object.metadata.name;
    return { code: 201, json: structuredClone(entry.object) };
  }

  function listObjects(call: Call): Answer {
    if (call.record.query.fieldSelector !== undefined) throw badRequest('the stand-in supports no fieldSelector');
    const matches = parseSelector(call.record.query.labelSelector);
    const items = [...entries.values()]
      .filter((e) => e.kind === call.kind && (call.namespace === null || e.object.metadata.namespace === call.namespace) && matches(e.object.metadata.labels ?? {}))
      .map(shown)
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    return { code: 200, json: { kind: `${RESOURCES[call.kind].kind}List`, apiVersion: apiVersionOf(RESOURCES[call.kind].group), metadata: {}, items } };
  }

  function podLogs(call: Call): Answer {
    const pod = need(call).object;
    const q = call.record.query;
    const names = ((pod.spec?.containers ?? []) as { name?: string }[]).map((c) => c.name ?? '');
    if (q.container !== undefined && names.length > 0 && !names.includes(q.container)) throw badRequest(`container ${q.container} is not valid for pod ${call.name}`);
    // Without `container` the pod's first container answers; logs set without one are that container's.
    const container = q.container ?? names[0] ?? '';
    const previous = q.previous === 'true';
    const isDefault = container === (names[0] ?? '');
    let text = logs.get(logKey(call.namespace!, call.name, container, previous)) ?? (isDefault ? logs.get(logKey(call.namespace!, call.name, '', previous)) : undefined) ?? '';
    if (q.tailLines !== undefined) {
      if (!/^\d+$/.test(q.tailLines)) throw badRequest(`tailLines: invalid value "${q.tailLines}"`);
      const lines = text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
      text = lines.slice(Math.max(0, lines.length - Number(q.tailLines))).join('');
    }
    let bytes = Buffer.from(text, 'utf8');
    if (q.limitBytes !== undefined) {
      if (!/^[1-9]\d*$/.test(q.limitBytes)) throw badRequest(`limitBytes: invalid value "${q.limitBytes}": must be greater than 0`);
      bytes = bytes.subarray(0, Number(q.limitBytes));
    }
    return { code: 200, text: bytes };
  }

  /** Routes a request that passed authentication and authorization. */
  function route(call: Call, method: string): Answer {
    const { kind, target } = call;
    const notAllowed = new KubeError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
    if (target.name === null) {
      if (method === 'GET') return listObjects(call);
      if (method === 'POST' && kind === 'jobs') return createJob(call);
      throw notAllowed;
    }
    if (target.subresource === null) {
      if (method === 'GET') return { code: 200, json: read(need(call)) };
      if (method === 'PATCH' && kind !== 'jobs') return { code: 200, json: patchObject(call) };
      if (method === 'DELETE' && (kind === 'pods' || kind === 'jobs')) return deleteObject(call);
      throw notAllowed;
    }
    if (target.subresource === 'scale' && (kind === 'deployments' || kind === 'statefulsets')) {
      if (method === 'GET') return { code: 200, json: scaleOf(need(call).object) };
      if (method === 'PATCH') return patchScale(call);
      throw notAllowed;
    }
    if (target.subresource === 'log' && kind === 'pods') {
      if (method === 'GET') return podLogs(call);
      throw notAllowed;
    }
    throw noSuchPath();
  }

  function answer(record: KubeRequest, invalidJson: boolean): Answer {
    if (record.authorization !== `Bearer ${token}`) throw new KubeError(401, 'Unauthorized', 'Unauthorized');
    const target = parseTarget(record.path);
    if (!target) throw noSuchPath();
    // Authorization comes before the handler, as in the apiserver: even a missing object is 403.
    if (target.namespace !== null && forbidden.has(target.namespace)) {
      const what = target.name === null ? qualified(target.resource, target.group) : `${qualified(target.resource, target.group)} "${target.name}"`;
      const resource = target.subresource === null ? target.resource : `${target.resource}/${target.subresource}`;
      throw new KubeError(
        403,
        'Forbidden',
        `${what} is forbidden: User "${USER}" cannot ${verbOf(record.method, target)} resource "${resource}" in API group "${target.group}" in the namespace "${target.namespace}"`,
        target.name === null ? { kind: target.resource } : { name: target.name, kind: target.resource },
      );
    }
    const kind = kindOf(target);
    if (!kind) throw noSuchPath();
    const mutating = record.method !== 'GET' && record.method !== 'HEAD';
    const dryRun = mutating ? record.query.dryRun : undefined;
    if (dryRun !== undefined && dryRun !== 'All') throw badRequest(`dryRun: Unsupported value: "${dryRun}": supported values: "All"`);
    const call: Call = { record, target, kind, namespace: target.namespace, name: target.name ?? '', dryRun: dryRun === 'All', invalidJson };
    return route(call, record.method);
  }

  function write(res: ServerResponse, a: Answer): void {
    if (res.destroyed || res.writableEnded) return; // the client is gone (e.g. killed while held)
    if (a.text !== undefined) {
      res.writeHead(a.code, { 'content-type': 'text/plain', ...a.headers }).end(a.text);
      return;
    }
    res.writeHead(a.code, { 'content-type': 'application/json', ...a.headers }).end(JSON.stringify(a.json));
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    let invalidJson = false;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
        invalidJson = true;
      }
    }
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const record: KubeRequest = {
      method: req.method ?? '',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      contentType: req.headers['content-type'] ?? '',
      body,
      authorization: req.headers.authorization ?? '',
    };
    api.requests.push(record);
    let a: Answer;
    if (throttled.count > 0) {
      // API Priority and Fairness: refused before anything is done, with a Retry-After.
      throttled.count--;
      write(res, { code: 429, json: statusOf(429, 'TooManyRequests', 'Too many requests, please try again later.', {}), headers: { 'retry-after': throttled.retryAfter } });
      return;
    }
    try {
      a = answer(record, invalidJson);
    } catch (err) {
      a = err instanceof KubeError ? { code: err.code, json: statusOf(err.code, err.reason, err.message, err.details) } : { code: 500, json: statusOf(500, 'InternalError', String(err), {}) };
    }
    // The change is applied above; a matching hold only delays the answer.
    for (const h of holds) {
      if (h.match(record)) {
        h.waiting.push(() => write(res, a));
        return;
      }
    }
    write(res, a);
  }

  const server = createServer({ key, cert }, (req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const release = (h: { waiting: (() => void)[] }) => {
    for (const send of h.waiting.splice(0)) send();
  };

  const api: KubeApi = {
    url,
    ca: cert,
    token,
    requests: [],
    rolloutAfterGets: 2,
    jobOutcome: { afterGets: 2, result: 'succeeded' },
    kubeconfig: () =>
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        '- name: stand-in',
        '  cluster:',
        `    server: ${url}`,
        `    certificate-authority-data: ${Buffer.from(cert).toString('base64')}`,
        'users:',
        '- name: stand-in',
        '  user:',
        `    token: ${token}`,
        'contexts:',
        '- name: stand-in',
        '  context:',
        '    cluster: stand-in',
        '    user: stand-in',
        'current-context: stand-in',
        '',
      ].join('\n'),
    put: (kind, namespace, object) => structuredClone(store(kind, namespace, object).object),
    get: (kind, namespace, name) => {
      const entry = entries.get(keyOf(kind, namespace, name));
      return entry && structuredClone(entry.object);
    },
    list: (kind) => [...entries.values()].filter((e) => e.kind === kind).map((e) => structuredClone(e.object)),
    forbidNamespace: (namespace) => {
      forbidden.add(namespace);
    },
    throttle: (count, retryAfter) => {
      throttled.count = count;
      throttled.retryAfter = retryAfter;
    },
    setLogs: (namespace, pod, text, options = {}) => {
      logs.set(logKey(namespace, pod, options.container ?? '', options.previous ?? false), text);
    },
    hold: (match) => {
      const h = { match, waiting: [] as (() => void)[] };
      holds.add(h);
      return () => {
        holds.delete(h);
        release(h);
      };
    },
    held: () => [...holds].reduce((n, h) => n + h.waiting.length, 0),
    close: async () => {
      for (const h of holds) release(h);
      holds.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
  return api;
}
