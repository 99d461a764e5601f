import type { SalveNode } from '../canvas/model.js';

export interface SearchHit {
  id: string;
  label: string | undefined;
  type: string;
  /** Where the query was found first: id, label, type or config. */
  where: 'id' | 'label' | 'type' | 'config';
  /** For a config hit: the text around it, so the operator sees why the node matched. */
  excerpt?: string;
}

/** Up to 40 characters either side of the first match in `text`. */
function excerptAround(text: string, at: number, length: number): string {
  const start = Math.max(0, at - 40);
  const end = Math.min(text.length, at + length + 40);
  return `${start > 0 ? '…' : ''}${text.slice(start, end)}${end < text.length ? '…' : ''}`;
}

/**
 * The nodes whose id, label, type or config (as JSON) contain `query`, ignoring case, in
 * document order. An empty query finds nothing.
 */
export function searchNodes(nodes: readonly SalveNode[], query: string): SearchHit[] {
  const q = query.trim().toLowerCase();
  if (q === '') return [];
  const hits: SearchHit[] = [];
  for (const node of nodes) {
    const { type, label, config } = node.data;
    const base = { id: node.id, label, type };
    if (node.id.toLowerCase().includes(q)) hits.push({ ...base, where: 'id' });
    else if (label?.toLowerCase().includes(q)) hits.push({ ...base, where: 'label' });
    else if (type.toLowerCase().includes(q)) hits.push({ ...base, where: 'type' });
    else {
      const json = JSON.stringify(config ?? {});
      const at = json.toLowerCase().indexOf(q);
      if (at >= 0) hits.push({ ...base, where: 'config', excerpt: excerptAround(json, at, q.length) });
    }
  }
  return hits;
}
