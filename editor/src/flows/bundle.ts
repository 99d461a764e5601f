/**
 * Export files, byte for byte what `salve export` writes: the document as 2-space JSON with a
 * final newline; `--all` wraps every flow (in the order GET /api/flows lists them) as
 * `{ "flows": [ … ] }`, which `salve import` and the Import dialog read back.
 */

export interface FlowBundle {
  flows: unknown[];
}

export function buildBundle(flows: readonly unknown[]): FlowBundle {
  return { flows: [...flows] };
}

export function exportText(doc: unknown): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}

export function flowFileName(id: string): string {
  return `${id}.json`;
}

/** `salve-flows-2026-03-14.json`, dated by the operator's own calendar day. */
export function bundleFileName(now: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `salve-flows-${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}.json`;
}
