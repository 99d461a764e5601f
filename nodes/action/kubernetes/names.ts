/**
 * Kubernetes object names, checked before any request: a rendered name from an alert that is
 * not one (`../kube-system`, `a b`, upper case) fails the step with the field named instead of
 * reaching the API server as part of a path.
 */

/** RFC 1123 label: namespaces, container and job names. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** RFC 1123 subdomain: deployments, pods, nodes. */
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export type NameKind = 'label' | 'subdomain';

/** Why `value` is not a Kubernetes name of `kind`, naming `field`; undefined when it is one. */
export function nameProblem(field: string, value: string, kind: NameKind): string | undefined {
  const max = kind === 'label' ? 63 : 253;
  const shown = JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  if (value.length === 0) return `${field} is empty`;
  if (value.length > max) return `${field} ${shown} is longer than ${max} characters`;
  if (!(kind === 'label' ? DNS_LABEL : DNS_SUBDOMAIN).test(value)) {
    return `${field} ${shown} is not a Kubernetes name (lower-case letters, digits and "-"${kind === 'subdomain' ? ', "." between parts' : ''}; starting and ending with a letter or digit)`;
  }
  return undefined;
}

/** The same check for a config value at save time: templates are checked once rendered. */
export function literalNameProblem(field: string, value: string | undefined, kind: NameKind): string | undefined {
  if (value === undefined || value.includes('{{')) return undefined;
  return nameProblem(field, value, kind);
}
