import { z } from 'zod';

/**
 * SALVE_KUBERNETES_CLUSTERS: the clusters flows may act on, by name, as JSON. The operator
 * writes it; flows only name a cluster. E.g.
 * `{"prod": {"kubeconfig": "KUBECONFIG_PROD", "namespaces": ["web", "batch"]}, "here": {"inCluster": true, "namespaces": ["default"]}}`.
 */

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

const ClusterSpecSchema = z
  .strictObject({
    /** The secret holding the kubeconfig text (SALVE_SECRET_<NAME> or a stored secret). */
    kubeconfig: z.string().regex(/^[A-Z][A-Z0-9_]{0,63}$/, 'must be a secret name (upper-case letters, digits and "_", e.g. KUBECONFIG_PROD)').optional(),
    /** Use the service account of the pod Salve runs in. */
    inCluster: z.literal(true, { error: 'must be true, or left out' }).optional(),
    /** The kubeconfig context to use; default its current-context. */
    context: z.string().min(1).max(253).optional(),
    /** The namespaces steps may act in; nothing else, kube-system included, unless listed. */
    namespaces: z
      .array(z.string().max(63).regex(DNS_LABEL, 'must be a namespace name'))
      .min(1, 'list the namespaces steps may act in (at least one)')
      .max(1000),
    /** Whether steps may cordon and uncordon nodes. */
    nodes: z.boolean().default(false),
    /** Whether the Test tab may send dry-run requests (dryRun=All) to the API server. */
    dryRun: z.boolean().default(true),
  })
  .refine((c) => (c.kubeconfig === undefined) !== (c.inCluster === undefined), {
    message: 'give exactly one of "kubeconfig" (a secret name) and "inCluster": true',
  });

export type ClusterSpec = z.infer<typeof ClusterSpecSchema>;

const ClustersSchema = z.record(z.string(), ClusterSpecSchema).superRefine((clusters, ctx) => {
  for (const name of Object.keys(clusters)) {
    if (name.length > 63 || !DNS_LABEL.test(name)) ctx.addIssue({ code: 'custom', path: [name], message: 'cluster names use lower-case letters, digits and "-" (flows name them)' });
  }
});

export type ClusterSpecs = z.infer<typeof ClustersSchema>;

/** SALVE_KUBERNETES_CLUSTERS as config.ts reads it: JSON, each problem with its cluster and field. */
export const clusterSpecsJson = z.string().transform((raw, ctx): ClusterSpecs => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be JSON, e.g. {"prod": {"kubeconfig": "KUBECONFIG_PROD", "namespaces": ["web"]}}' });
    return z.NEVER;
  }
  const result = ClustersSchema.safeParse(parsed);
  if (!result.success) {
    for (const i of result.error.issues) ctx.addIssue({ code: 'custom', message: i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message });
    return z.NEVER;
  }
  return result.data;
});
