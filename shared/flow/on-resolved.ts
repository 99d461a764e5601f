import { z } from 'zod';
import type { WaitReason } from '../statuses.js';
import type { NodeSpec } from './node-spec.js';

/**
 * The alert lifecycle, browser-safe: what a waiting step does when the alert that started its
 * run resolves (a node's `onResolved`), and the words the runtime stores and the editor shows.
 */

const ON_RESOLVED_POLICIES = ['cancel', 'continue'] as const;
export type OnResolved = (typeof ON_RESOLVED_POLICIES)[number];

export const OnResolvedSchema = z.enum(ON_RESOLVED_POLICIES, { error: 'must be "cancel" or "continue"' });

/** The waits the policy applies to: a person, a time, the next try, the next probe. */
export const RESOLVABLE_WAITS: readonly WaitReason[] = ['approval', 'delay', 'retry', 'poll'];

/**
 * The policy of a node type when its node sets none, or undefined when a step of the type never
 * waits (a source, a condition, a transform), where `onResolved` is refused at save. A type
 * declares it (`onResolvedDefault`: approvals cancel, a delay continues); an action that changes
 * the world may wait between retries (and a check between probes), and continues by default.
 */
export function onResolvedDefault(spec: Pick<NodeSpec, 'category' | 'sideEffects' | 'onResolvedDefault'>): OnResolved | undefined {
  if (spec.onResolvedDefault) return spec.onResolvedDefault;
  return spec.category === 'action' && spec.sideEffects === true ? 'continue' : undefined;
}

/** What a node does when its run's alert resolves while its step waits. */
export function onResolvedPolicy(spec: Pick<NodeSpec, 'category' | 'sideEffects' | 'onResolvedDefault'> | undefined, node: { onResolved?: OnResolved } | undefined): OnResolved {
  return node?.onResolved ?? (spec ? onResolvedDefault(spec) : undefined) ?? 'continue';
}

const WAITING_FOR: Record<string, string> = {
  approval: 'waiting for approval',
  delay: 'waiting for a delay to end',
  retry: 'waiting to retry after a failure',
  poll: 'waiting to probe again',
};

/** The start every reason below shares: how the run view knows a cancel came from the alert. */
const RESOLVED_PREFIX = 'the alert resolved ';

/**
 * Why a run was cancelled by its node's `onResolved: cancel`, as the run records it (its
 * `error`): "the alert resolved while waiting for approval at node "approve" (onResolved: cancel)".
 * `before`: the resolution had arrived before the step began waiting.
 */
export function resolvedCancelReason(reason: WaitReason, nodeId: string, before: boolean): string {
  const what = WAITING_FOR[reason] ?? 'waiting';
  return `${RESOLVED_PREFIX}${before ? `before the step began ${what}` : `while ${what}`} at node "${nodeId}" (onResolved: cancel)`;
}

/** Whether a run's error is one written by `resolvedCancelReason`. */
export function isResolvedCancel(error: string | null | undefined): boolean {
  return error?.startsWith(RESOLVED_PREFIX) === true;
}
