import type { TlsOptions } from './http-request.js';

/**
 * How executors reach Kubernetes clusters: by the name the operator gave each cluster
 * (SALVE_KUBERNETES_CLUSTERS). A flow names a cluster; it never carries an address or a
 * credential, and the operator's namespace list bounds what it may touch. The runtime implements
 * it (runtime/kubernetes/clusters.ts); this file holds only the contract.
 */

/** A cluster as a step may use it: where its API server is, how to authenticate, and its limits. */
export interface KubernetesCluster {
  name: string;
  /** The API server's base URL (from the kubeconfig, or the in-cluster service). */
  server: URL;
  /** The namespaces steps may act in; nothing else, `kube-system` included, unless listed. */
  namespaces: readonly string[];
  /** Whether steps may cordon and uncordon nodes (cluster-wide objects: off unless the operator says). */
  nodes: boolean;
  /** Whether the editor's Test tab may send the API server dry-run requests (`dryRun=All`). */
  dryRun: boolean;
  /** Headers for every request (the bearer token). */
  headers: Record<string, string>;
  /** The CA to trust and the client certificate, from the kubeconfig. */
  tls: TlsOptions;
  /** The secret holding the kubeconfig: the API server must be on its host list. Undefined in-cluster. */
  secret?: string;
}

export interface KubernetesAccess {
  /** The names of the configured clusters. */
  names(): readonly string[];
  /** The cluster named `name`, or why it cannot be used (unknown, a bad kubeconfig, another team's secret). */
  cluster(name: string): Promise<KubernetesCluster | string>;
}
