import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { secretStoreFrom } from '../engine/secrets/secrets.js';
import { clusterSpecsJson } from './cluster-specs.js';
import { KubernetesDirectory } from './clusters.js';

const TOKEN = 'sa-token-0123456789abcdef';
const CA = Buffer.from('-----BEGIN CERTIFICATE-----\nnot checked here\n-----END CERTIFICATE-----\n').toString('base64');

/** A kubeconfig with one context per entry of `contexts` (the first is current); `user` fields are YAML lines. */
function kubeconfig(options: { server?: string; user?: string[]; cluster?: string[]; contexts?: string[] } = {}): string {
  const contexts = options.contexts ?? ['main'];
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: c',
    '  cluster:',
    `    server: ${options.server ?? 'https://10.0.0.1:6443'}`,
    ...(options.cluster ?? [`    certificate-authority-data: ${CA}`]),
    'users:',
    '- name: u',
    '  user:',
    ...(options.user ?? [`    token: ${TOKEN}`]),
    'contexts:',
    ...contexts.flatMap((name) => [`- name: ${name}`, '  context:', '    cluster: c', '    user: u']),
    `current-context: ${contexts[0]}`,
    '',
  ].join('\n');
}

const specs = (raw: unknown) => clusterSpecsJson.parse(JSON.stringify(raw));

function directory(secretValues: Record<string, string>, options: { teams?: Record<string, string> } = {}) {
  const base = secretStoreFrom(secretValues);
  const secrets = { ...base, team: (name: string) => options.teams?.[name] };
  return new KubernetesDirectory({ specs: specs({ prod: { kubeconfig: 'KUBECONFIG_PROD', namespaces: ['web', 'batch'] }, staging: { kubeconfig: 'KUBECONFIG_STAGING', context: 'second', namespaces: ['web'], nodes: true } }), secrets });
}

const asFlowOf = (team: string | undefined) => async () => team;

describe('SALVE_KUBERNETES_CLUSTERS', () => {
  it('names the cluster and the field of each problem', () => {
    const problems = (raw: string) => {
      const parsed = clusterSpecsJson.safeParse(raw);
      return parsed.success ? [] : parsed.error.issues.map((i) => i.message);
    };
    expect(problems('{prod')).toEqual(['must be JSON, e.g. {"prod": {"kubeconfig": "KUBECONFIG_PROD", "namespaces": ["web"]}}']);
    expect(problems('{"prod": {"namespaces": ["web"]}}')).toEqual(['prod: give exactly one of "kubeconfig" (a secret name) and "inCluster": true']);
    expect(problems('{"prod": {"kubeconfig": "K", "inCluster": true, "namespaces": ["web"]}}')).toEqual(['prod: give exactly one of "kubeconfig" (a secret name) and "inCluster": true']);
    expect(problems('{"prod": {"kubeconfig": "K", "namespaces": []}}')).toEqual(['prod.namespaces: list the namespaces steps may act in (at least one)']);
    expect(problems('{"prod": {"kubeconfig": "K", "namespaces": ["Kube System"]}}')).toEqual(['prod.namespaces.0: must be a namespace name']);
    expect(problems('{"Prod": {"kubeconfig": "K", "namespaces": ["web"]}}')[0]).toContain('cluster names use lower-case letters');
    expect(specs({ prod: { kubeconfig: 'K', namespaces: ['web'] } }).prod).toEqual({ kubeconfig: 'K', namespaces: ['web'], nodes: false, dryRun: true });
  });
});

describe('a cluster as a step gets it', () => {
  it('carries the kubeconfig\'s server, token and CA, the namespaces, and the secret whose host list applies', async () => {
    const cluster = await directory({ KUBECONFIG_PROD: kubeconfig() }).forTeam(asFlowOf(undefined)).cluster('prod');
    expect(typeof cluster).toBe('object');
    if (typeof cluster === 'string') return;
    expect(cluster.server.href).toBe('https://10.0.0.1:6443/');
    expect(cluster.headers).toEqual({ Authorization: `Bearer ${TOKEN}` });
    expect(Buffer.isBuffer(cluster.tls.ca)).toBe(true);
    expect(cluster).toMatchObject({ name: 'prod', namespaces: ['web', 'batch'], nodes: false, dryRun: true, secret: 'KUBECONFIG_PROD' });
  });

  it('uses the context the spec names', async () => {
    const cluster = await directory({ KUBECONFIG_STAGING: kubeconfig({ contexts: ['first', 'second'] }) }).forTeam(asFlowOf(undefined)).cluster('staging');
    expect(cluster).toMatchObject({ name: 'staging', nodes: true });
    const missing = await directory({ KUBECONFIG_STAGING: kubeconfig({ contexts: ['first'] }) }).forTeam(asFlowOf(undefined)).cluster('staging');
    expect(missing).toBe('cluster staging\'s kubeconfig (secret KUBECONFIG_STAGING) has no context "second"');
  });

  it('says which clusters exist, and when the secret is not set', async () => {
    const access = directory({}).forTeam(asFlowOf(undefined));
    expect(await access.cluster('nope')).toBe('no Kubernetes cluster named "nope" (SALVE_KUBERNETES_CLUSTERS names prod, staging)');
    expect(await access.cluster('prod')).toBe('cluster prod\'s kubeconfig secret KUBECONFIG_PROD is not set (SALVE_SECRET_KUBECONFIG_PROD, or a stored secret)');
    expect(await new KubernetesDirectory({ specs: {}, secrets: secretStoreFrom({}) }).forTeam(asFlowOf(undefined)).cluster('prod')).toBe(
      'no Kubernetes clusters are configured: the operator sets SALVE_KUBERNETES_CLUSTERS',
    );
  });

  it('keeps a team\'s kubeconfig to that team\'s flows', async () => {
    const dir = directory({ KUBECONFIG_PROD: kubeconfig() }, { teams: { KUBECONFIG_PROD: 'payments' } });
    expect(typeof (await dir.forTeam(asFlowOf('payments')).cluster('prod'))).toBe('object');
    expect(await dir.forTeam(asFlowOf('search')).cluster('prod')).toBe('cluster prod\'s kubeconfig (secret KUBECONFIG_PROD) belongs to team "payments"; a flow of team "search" cannot use it');
  });

  it('refuses kubeconfigs that would run a program, read files, skip TLS verification or send the token in the clear', async () => {
    const refusal = async (text: string) => directory({ KUBECONFIG_PROD: text }).forTeam(asFlowOf(undefined)).cluster('prod');
    const exec = ['    exec:', '      apiVersion: client.authentication.k8s.io/v1', '      command: /bin/sh', '      args: ["-c", "touch /tmp/pwned"]'];
    expect(await refusal(kubeconfig({ user: exec }))).toContain('runs a program for credentials (exec)');
    expect(await refusal(kubeconfig({ user: ['    auth-provider:', '      name: gcp'] }))).toContain('uses an auth-provider plugin');
    expect(await refusal(kubeconfig({ cluster: ['    certificate-authority: /etc/ssl/private/key.pem'] }))).toContain('names files');
    expect(await refusal(kubeconfig({ user: ['    client-certificate: /root/cert.pem', '    client-key: /root/key.pem'] }))).toContain('names files');
    expect(await refusal(kubeconfig({ cluster: ['    insecure-skip-tls-verify: true'] }))).toContain('skips TLS verification');
    expect(await refusal(kubeconfig({ server: 'http://10.0.0.1:8080' }))).toContain('not https://');
    expect(await refusal(kubeconfig({ user: ['    username: admin', '    password: hunter2'] }))).toContain('user name and password');
    expect(await refusal(kubeconfig({ user: ['    as: nobody'] }))).toContain('has no token and no client certificate');
  });

  it('says where a kubeconfig is not YAML without quoting it (it holds the token)', async () => {
    const broken = `${kubeconfig()}\n  bad: [${TOKEN}\n`;
    const message = await directory({ KUBECONFIG_PROD: broken }).forTeam(asFlowOf(undefined)).cluster('prod');
    expect(message).toMatch(/^cluster prod's kubeconfig \(secret KUBECONFIG_PROD\) (is not valid YAML \(line \d+\)|is not a kubeconfig)$/);
    expect(message).not.toContain(TOKEN);
  });
});

describe('the start-up summary', () => {
  it('lists where each cluster is and what steps may touch, and why one cannot be used', async () => {
    const lines = await directory({ KUBECONFIG_PROD: kubeconfig() }).summary();
    expect(lines).toEqual([
      { name: 'prod', usable: true, text: 'Kubernetes cluster prod: https://10.0.0.1:6443 (namespaces web, batch)' },
      { name: 'staging', usable: false, text: "Kubernetes: cluster staging's kubeconfig secret KUBECONFIG_STAGING is not set (SALVE_SECRET_KUBECONFIG_STAGING, or a stored secret)" },
    ]);
  });

  it('reads a team\'s kubeconfig as that team\'s', async () => {
    const lines = await directory({ KUBECONFIG_PROD: kubeconfig() }, { teams: { KUBECONFIG_PROD: 'payments' } }).summary();
    expect(lines[0]).toMatchObject({ name: 'prod', usable: true });
  });
});

describe('an in-cluster cluster', () => {
  const saved = { host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT };
  const dirs: string[] = [];
  afterEach(() => {
    for (const [key, value] of [['KUBERNETES_SERVICE_HOST', saved.host], ['KUBERNETES_SERVICE_PORT', saved.port]] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  /** The pod's service account files, as Kubernetes mounts them, below a temporary root. */
  function serviceAccountRoot(token: string): string {
    const root = mkdtempSync(join(tmpdir(), 'salve-sa-'));
    dirs.push(root);
    const dir = join(root, 'var/run/secrets/kubernetes.io/serviceaccount');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'token'), token);
    writeFileSync(join(dir, 'ca.crt'), '-----BEGIN CERTIFICATE-----\nnot checked here\n-----END CERTIFICATE-----\n');
    writeFileSync(join(dir, 'namespace'), 'salve');
    return root;
  }

  const inCluster = (root: string) =>
    new KubernetesDirectory({ specs: specs({ here: { inCluster: true, namespaces: ['default'] } }), secrets: secretStoreFrom({}), inClusterRoot: root }).forTeam(asFlowOf(undefined));

  it('uses the pod\'s service account token and CA, and the service address', async () => {
    process.env.KUBERNETES_SERVICE_HOST = '10.96.0.1';
    process.env.KUBERNETES_SERVICE_PORT = '443';
    const cluster = await inCluster(serviceAccountRoot('in-cluster-token-abc')).cluster('here');
    if (typeof cluster === 'string') throw new Error(cluster);
    expect(cluster.server.href).toBe('https://10.96.0.1/');
    expect(cluster.headers).toEqual({ Authorization: 'Bearer in-cluster-token-abc' });
    expect(Buffer.isBuffer(cluster.tls.ca)).toBe(true);
    expect(cluster.secret).toBeUndefined();
  });

  it('says so when Salve does not run in a pod', async () => {
    delete process.env.KUBERNETES_SERVICE_HOST;
    expect(await inCluster(serviceAccountRoot('t')).cluster('here')).toBe('cluster here is in-cluster, but Salve does not run in a Kubernetes pod (KUBERNETES_SERVICE_HOST is not set)');
  });
});
