import type { Flow } from '../../../shared/flow/schema.js';
import { isSecretRef } from '../../../shared/flow/schema.js';

/** A saved flow that references a secret. */
export interface FlowUse {
  flowId: string;
  flowName: string;
}

/** The names of the secrets `value` (a flow document or part of one) references. */
function secretNamesIn(value: unknown, into = new Set<string>()): Set<string> {
  if (isSecretRef(value)) into.add(value.secret);
  else if (Array.isArray(value)) for (const v of value) secretNamesIn(v, into);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) secretNamesIn(v, into);
  return into;
}

/**
 * The first stored secret `config` references that belongs to another team than `flowTeam`, as
 * the sentence a refusal shows; undefined when every referenced secret is the team's own or an
 * environment secret (those belong to no team).
 */
export function foreignSecret(config: unknown, flowTeam: string, teamOf: (name: string) => string | undefined): string | undefined {
  for (const name of secretNamesIn(config)) {
    const owner = teamOf(name);
    if (owner !== undefined && owner !== flowTeam) return `secret ${name} belongs to team "${owner}"; a flow of team "${flowTeam}" cannot use it`;
  }
  return undefined;
}

/** For each secret name, the flows (of `flows`) that reference it, by flow id. */
export function secretUses(flows: readonly Flow[]): Map<string, FlowUse[]> {
  const uses = new Map<string, FlowUse[]>();
  for (const flow of [...flows].sort((a, b) => a.id.localeCompare(b.id))) {
    for (const name of secretNamesIn(flow)) {
      const list = uses.get(name) ?? [];
      list.push({ flowId: flow.id, flowName: flow.name });
      uses.set(name, list);
    }
  }
  return uses;
}
