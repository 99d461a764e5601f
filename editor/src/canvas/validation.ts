import { useCallback, useEffect, useState } from 'react';
import type { Issue } from '../../../shared/errors.js';
import type { Flow } from '../../../shared/flow/schema.js';
import { validateFlow } from '../../../shared/flow/validate.js';
import { lookupNodeSpec } from '../../../nodes/catalog.js';
import { currentFlow, useEditor } from './store.js';

/** One problem of the flow, located on the canvas where possible. */
export interface LocatedIssue extends Issue {
  /** The node the problem belongs to (a node's own field, or an edge leaving it). */
  nodeId?: string;
  /** For problems inside a node's config: the path within the config. */
  configPath?: (string | number)[];
  /** For edge problems: the edge's index in the document. */
  edgeIndex?: number;
}

export interface FlowProblems {
  issues: LocatedIssue[];
  byNode: Map<string, string[]>;
}

const NONE: FlowProblems = { issues: [], byNode: new Map() };

/** Runs the server's own validation (shared/flow/validate.ts) and ties each problem to a node. */
export function locateProblems(flow: Flow): FlowProblems {
  // An empty canvas is a flow being started, not a list of errors.
  if (flow.nodes.length === 0) return NONE;
  const result = validateFlow(flow, lookupNodeSpec);
  if (result.ok) return NONE;
  const byNode = new Map<string, string[]>();
  const issues = result.issues.map((issue): LocatedIssue => {
    const [head, index, field, ...rest] = issue.path;
    const located: LocatedIssue = { ...issue };
    if (head === 'nodes' && typeof index === 'number') {
      located.nodeId = flow.nodes[index]?.id;
      if (field === 'config') located.configPath = rest;
    } else if (head === 'edges' && typeof index === 'number') {
      located.edgeIndex = index;
      located.nodeId = flow.edges[index]?.source;
    }
    if (located.nodeId) byNode.set(located.nodeId, [...(byNode.get(located.nodeId) ?? []), issue.message]);
    return located;
  });
  return { issues, byNode };
}

/** The problems of the document as it is this instant, with that document. */
export interface CheckedFlow extends FlowProblems {
  flow: Flow;
}

/**
 * The problems of the flow in the editor's store. The list follows edits a moment after the last
 * one (dragging a node does not re-check every expression on every frame). `checkNow` checks the
 * document as it is this instant and shows the result at once: a save must act on the document
 * the operator sees, never on a list computed before the last keystroke (it would refuse a fixed
 * flow, or send a broken one, while the list said otherwise).
 */
export function useFlowProblems(delayMs = 200): FlowProblems & { checkNow: () => CheckedFlow } {
  const [problems, setProblems] = useState<FlowProblems>(() => locateProblems(currentFlow(useEditor.getState())));
  const checkNow = useCallback((): CheckedFlow => {
    const flow = currentFlow(useEditor.getState());
    const found = locateProblems(flow);
    setProblems(found);
    return { ...found, flow };
  }, []);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const unsubscribe = useEditor.subscribe((st, prev) => {
      if (st.meta === prev.meta && st.nodes === prev.nodes && st.edges === prev.edges) return;
      clearTimeout(timer);
      timer = setTimeout(checkNow, delayMs);
    });
    return () => {
      unsubscribe();
      clearTimeout(timer);
    };
  }, [checkNow, delayMs]);
  return { ...problems, checkNow };
}
