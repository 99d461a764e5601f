import type { ReactNode } from 'react';

// `code`, **bold** and [text](link): all the markdown the definitions' notes use in a paragraph.
const INLINE = /`([^`]+)`|\*\*([^*]+)\*\*|\[([^\]]+)\]\([^)]+\)/g;

/** The inline markdown of one line as React nodes; a link shows its text (the docs it names are not served). */
function inline(text: string): ReactNode[] {
  const out: ReactNode[] = [];
  let last = 0;
  for (const m of text.matchAll(INLINE)) {
    if (m.index > last) out.push(text.slice(last, m.index));
    if (m[1] !== undefined) out.push(<code key={m.index}>{m[1]}</code>);
    else if (m[2] !== undefined) out.push(<strong key={m.index}>{m[2]}</strong>);
    else out.push(...inline(m[3]!));
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

/** One note of a node definition: a paragraph, or a ``` code block. */
export function NoteText({ text }: { text: string }) {
  if (text.startsWith('```')) {
    const body = text.replace(/^```[^\n]*\n/, '').replace(/\n```\s*$/, '');
    return <pre className="help-code">{body}</pre>;
  }
  return <p>{inline(text)}</p>;
}

/** Inline markdown (for ports, help lines that quote code). */
export function InlineText({ text }: { text: string }) {
  return <>{inline(text)}</>;
}
