import type { KubeConfig } from '@kubernetes/client-node';
import type { KubernetesAccess, KubernetesCluster } from '../../nodes/kubernetes-access.js';
import type { SecretStore } from '../engine/secrets/secrets.js';
import type { ClusterSpec, ClusterSpecs } from './cluster-specs.js';

/**
 * The clusters of SALVE_KUBERNETES_CLUSTERS as steps use them (nodes/kubernetes-access.ts). A
 * cluster's kubeconfig is read from its secret each time a step asks, so a rotated token is
 * used at once. Only what a kubeconfig can say without running or reading anything is taken:
 * inline CA, client certificate and token. `exec` and `auth-provider` plugins, file paths and
 * skipped TLS verification are refused (a secret must not make Salve run a program or read its
 * host's files). In-cluster credentials are the pod's service account files, read by the library.
 */

/** @kubernetes/client-node, loaded on first use: most installations never touch Kubernetes (its import takes ~0.5 s). */
let library: Promise<typeof import('@kubernetes/client-node')> | undefined;
const loadLibrary = () => {
  library ??= import('@kubernetes/client-node');
  return library;
};

export interface KubernetesDirectoryOptions {
  specs: ClusterSpecs;
  secrets: SecretStore;
  /** Tests: where the service account files are (client-node's path prefix); default the real ones. */
  inClusterRoot?: string;
}

/** Why a loaded kubeconfig cannot be used as it is; undefined when it can. */
function unsafeKubeconfig(kc: KubeConfig): string | undefined {
  const cluster = kc.getCurrentCluster();
  const user = kc.getCurrentUser();
  if (!cluster) return 'has no cluster for its current context';
  if (!user) return 'has no user for its current context';
  if (user.exec) return 'runs a program for credentials (exec); give a service account token instead';
  if (user.authProvider) return 'uses an auth-provider plugin; give a service account token instead';
  if (cluster.caFile || user.certFile || user.keyFile) return 'names files; put the data inline (certificate-authority-data, client-certificate-data, client-key-data)';
  if (cluster.skipTLSVerify) return 'skips TLS verification (insecure-skip-tls-verify); give the cluster\'s certificate-authority-data instead';
  if (cluster.proxyUrl) return 'goes through a proxy (proxy-url), which Salve does not support';
  if (user.username || user.password) return 'uses a user name and password; give a service account token instead';
  if (!user.token && !(user.certData && user.keyData)) return 'has no token and no client certificate for its user';
  if (!cluster.server.startsWith('https://')) return 'has a server that is not https:// (the token would be sent in the clear)';
  return undefined;
}

/** The YAML parser's complaint, without quoting the text (it holds the token): only where. */
function parseProblem(error: unknown): string {
  const mark = (error as { mark?: { line?: number } }).mark;
  return typeof mark?.line === 'number' ? `is not valid YAML (line ${mark.line + 1})` : 'is not a kubeconfig';
}

export class KubernetesDirectory {
  constructor(private readonly options: KubernetesDirectoryOptions) {}

  /** The configured cluster names, sorted. */
  names(): string[] {
    return Object.keys(this.options.specs).sort();
  }

  /**
   * One line per cluster for the start-up output: where it is and what steps may touch, or why
   * it cannot be used (a missing secret, a refused kubeconfig), so a mistake shows at start and
   * not at the first alert. A team's kubeconfig is read as that team's.
   */
  async summary(): Promise<{ name: string; usable: boolean; text: string }[]> {
    const lines: { name: string; usable: boolean; text: string }[] = [];
    for (const name of this.names()) {
      const spec = this.options.specs[name]!;
      const owner = spec.kubeconfig ? this.options.secrets.team?.(spec.kubeconfig) : undefined;
      const cluster = await this.cluster(name, async () => owner);
      if (typeof cluster === 'string') {
        lines.push({ name, usable: false, text: `Kubernetes: ${cluster}` });
        continue;
      }
      const limits = [`namespaces ${cluster.namespaces.join(', ')}`, ...(cluster.nodes ? ['nodes'] : []), ...(cluster.dryRun ? [] : ['no dry runs'])];
      lines.push({ name, usable: true, text: `Kubernetes cluster ${name}: ${cluster.server.origin}${cluster.server.pathname === '/' ? '' : cluster.server.pathname} (${limits.join('; ')})` });
    }
    return lines;
  }

  /** Access for the steps of one flow: `team` is its team (asked only for a kubeconfig that is a team's stored secret). */
  forTeam(team: () => Promise<string | undefined>): KubernetesAccess {
    return { names: () => this.names(), cluster: (name) => this.cluster(name, team) };
  }

  private async cluster(name: string, team: () => Promise<string | undefined>): Promise<KubernetesCluster | string> {
    const spec = Object.hasOwn(this.options.specs, name) ? this.options.specs[name] : undefined;
    if (!spec) {
      const known = this.names();
      return known.length === 0
        ? `no Kubernetes clusters are configured: the operator sets SALVE_KUBERNETES_CLUSTERS`
        : `no Kubernetes cluster named "${name}" (SALVE_KUBERNETES_CLUSTERS names ${known.join(', ')})`;
    }
    const { KubeConfig } = await loadLibrary();
    const kc = new KubeConfig();
    let secret: string | undefined;
    if (spec.kubeconfig) {
      secret = spec.kubeconfig;
      const owner = this.options.secrets.team?.(secret);
      if (owner !== undefined) {
        const flowTeam = await team();
        if (owner !== flowTeam) return `cluster ${name}'s kubeconfig (secret ${secret}) belongs to team "${owner}"; a flow of team "${flowTeam ?? 'none'}" cannot use it`;
      }
      const text = this.options.secrets.get(secret);
      if (text === undefined) return `cluster ${name}'s kubeconfig secret ${secret} is not set (SALVE_SECRET_${secret}, or a stored secret)`;
      try {
        kc.loadFromString(text);
      } catch (error) {
        return `cluster ${name}'s kubeconfig (secret ${secret}) ${parseProblem(error)}`;
      }
      if (spec.context) {
        if (!kc.getContextObject(spec.context)) return `cluster ${name}'s kubeconfig (secret ${secret}) has no context "${spec.context}"`;
        kc.setCurrentContext(spec.context);
      }
      const unsafe = unsafeKubeconfig(kc);
      if (unsafe) return `cluster ${name}'s kubeconfig (secret ${secret}) ${unsafe}`;
    } else {
      kc.loadFromCluster(this.options.inClusterRoot);
      if (!process.env.KUBERNETES_SERVICE_HOST) return `cluster ${name} is in-cluster, but Salve does not run in a Kubernetes pod (KUBERNETES_SERVICE_HOST is not set)`;
    }
    return this.connection(name, spec, kc, secret);
  }

  private async connection(name: string, spec: ClusterSpec, kc: KubeConfig, secret: string | undefined): Promise<KubernetesCluster | string> {
    const options: { ca?: Buffer; cert?: Buffer; key?: Buffer; servername?: string; headers?: Record<string, string> } = {};
    try {
      await kc.applyToHTTPSOptions(options);
    } catch (error) {
      // In-cluster: the token file is missing or unreadable.
      return `cluster ${name}: could not read its credentials (${(error as Error).message})`;
    }
    const server = new URL(kc.getCurrentCluster()!.server);
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(options.headers ?? {})) headers[key] = String(value);
    return {
      name,
      server,
      namespaces: spec.namespaces,
      nodes: spec.nodes,
      dryRun: spec.dryRun,
      headers,
      tls: { ...(options.ca ? { ca: options.ca } : {}), ...(options.cert ? { cert: options.cert } : {}), ...(options.key ? { key: options.key } : {}), ...(options.servername ? { servername: options.servername } : {}) },
      ...(secret ? { secret } : {}),
    };
  }
}
