import { beforeEach, describe, expect, it } from 'vitest';
import type { Flow } from '../../../shared/flow/schema.js';
import { copySelection, parseFragment } from './clipboard.js';
import { emptyFlow } from './model.js';
import { currentFlow, isDirty, useEditor } from './store.js';
import exampleJson from '../../../examples/disk-full.json';


const example = exampleJson as Flow;
const editor = () => useEditor.getState();
const ids = () => editor().nodes.map((n) => n.id);
/** A name whose slug differs from every id here. */
const slugless = 'Something else entirely';

describe('editor store', () => {
  beforeEach(() => editor().load(structuredClone(example), 3));

  it('round-trips the document unchanged and is not dirty after loading', () => {
    expect(currentFlow(editor())).toEqual(example);
    expect(isDirty(editor())).toBe(false);
  });

  it("keeps the flow's settings: saving from the editor never drops allowedTargets", () => {
    const narrowed = { ...structuredClone(example), settings: { allowedTargets: ['10.20.0.0/16:9100'] } };
    editor().load(narrowed, 4);
    expect(currentFlow(editor())).toEqual(narrowed);
    editor().setMeta({ settings: { allowedTargets: ['10.20.0.0/16:9100', 'agent.example.internal'] } }, 'settings');
    expect(currentFlow(editor()).settings).toEqual({ allowedTargets: ['10.20.0.0/16:9100', 'agent.example.internal'] });
    editor().setMeta({ settings: undefined }, 'settings');
    expect(currentFlow(editor())).not.toHaveProperty('settings');
  });

  it('undoes and redoes every kind of edit, in order', () => {
    const added = editor().addNode('action.delay', { x: 10, y: 300 });
    editor().connect({ source: 'ask', sourceHandle: 'rejected', target: added, targetHandle: null });
    editor().updateConfig(added, { seconds: 60 }, 'seconds');
    editor().setMeta({ name: 'Renamed' }, 'name');
    expect(isDirty(editor())).toBe(true);
    expect(currentFlow(editor()).edges).toContainEqual({ source: 'ask', sourcePort: 'rejected', target: 'wait' });

    editor().undo(); // name
    expect(editor().meta.name).toBe(example.name);
    editor().undo(); // config
    expect(editor().nodes.find((n) => n.id === added)!.data.config).toEqual({});
    editor().undo(); // edge
    expect(editor().edges).toHaveLength(4);
    editor().undo(); // node
    expect(ids()).toEqual(['am', 'disk', 'clean', 'ask', 'restart']);
    expect(isDirty(editor())).toBe(false);

    editor().redo();
    editor().redo();
    expect(currentFlow(editor()).edges).toHaveLength(5);
    expect(ids()).toContain('wait');
  });

  it('merges keystrokes in one field into one undo step, but not edits of different fields', () => {
    editor().updateConfig('clean', { ...example.nodes[2]!.config, url: 'http://a' }, 'url');
    editor().updateConfig('clean', { ...example.nodes[2]!.config, url: 'http://ab' }, 'url');
    editor().updateConfig('clean', { ...example.nodes[2]!.config, url: 'http://ab', method: 'PUT' }, 'method');
    expect(editor().past).toHaveLength(2);
    editor().undo();
    editor().undo();
    expect(currentFlow(editor())).toEqual(example);
  });

  it('makes one undo step of a whole drag', () => {
    editor().onNodesChange([{ type: 'position', id: 'am', position: { x: 5, y: 5 }, dragging: true }]);
    editor().onNodesChange([{ type: 'position', id: 'am', position: { x: 50, y: 50 }, dragging: true }]);
    editor().onNodesChange([{ type: 'position', id: 'am', position: { x: 80, y: 90 }, dragging: false }]);
    expect(currentFlow(editor()).nodes[0]!.position).toEqual({ x: 80, y: 90 });
    expect(editor().past).toHaveLength(1);
    editor().undo();
    expect(currentFlow(editor()).nodes[0]!.position).toEqual({ x: 0, y: 0 });
  });

  it('refuses edges that saving would reject', () => {
    editor().connect({ source: 'restart', sourceHandle: 'ok', target: 'am', targetHandle: null }); // into a source
    editor().connect({ source: 'restart', sourceHandle: 'ok', target: 'disk', targetHandle: null }); // a cycle
    editor().connect({ source: 'disk', sourceHandle: 'match', target: 'clean', targetHandle: null }); // a duplicate
    expect(editor().edges).toHaveLength(4);
    expect(editor().past).toHaveLength(0);
  });

  it('deletes the selection with its edges as one step', () => {
    editor().selectNodes(['clean']);
    editor().deleteSelection();
    expect(ids()).not.toContain('clean');
    expect(currentFlow(editor()).edges).toEqual([
      { source: 'am', target: 'disk' },
      { source: 'ask', sourcePort: 'approved', target: 'restart' },
    ]);
    editor().undo();
    expect(currentFlow(editor())).toEqual(example);
  });

  it('renames a node and rewires its edges, refusing taken or invalid ids', () => {
    expect(editor().renameNode('clean', 'disk')).toMatch(/already used/);
    expect(editor().renameNode('clean', '9x')).toMatch(/start with a letter/);
    expect(editor().renameNode('clean', 'cleanup')).toBeNull();
    expect(currentFlow(editor()).edges).toContainEqual({ source: 'disk', sourcePort: 'match', target: 'cleanup' });
    expect(currentFlow(editor()).edges).toContainEqual({ source: 'cleanup', sourcePort: 'ok', target: 'ask' });
  });

  it('copies a selection as flow JSON and pastes it with fresh ids and its inner edges only', () => {
    editor().selectNodes(['clean', 'ask']);
    const text = copySelection(editor().meta, editor().nodes, editor().edges)!;
    const fragment = parseFragment(text)!;
    expect(fragment.nodes.map((n) => n.id)).toEqual(['clean', 'ask']);
    expect(fragment.edges).toEqual([{ source: 'clean', sourcePort: 'ok', target: 'ask' }]);

    const pasted = editor().paste(fragment, { x: 0, y: 400 });
    expect(pasted).toEqual(['clean_2', 'ask_2']);
    expect(currentFlow(editor()).edges).toContainEqual({ source: 'clean_2', sourcePort: 'ok', target: 'ask_2' });
    expect(editor().nodes.filter((n) => n.selected).map((n) => n.id)).toEqual(['clean_2', 'ask_2']);
    expect(editor().nodes.find((n) => n.id === 'clean_2')!.position).toEqual({ x: 0, y: 400 });
  });

  it("takes a new flow's id from its name until the operator types an id, and never renames a saved flow", () => {
    editor().load(emptyFlow(), null);
    editor().setMeta({ name: 'Restart nginx on 5xx' }, 'name');
    expect(editor().meta.id).toBe('restart-nginx-on-5xx');
    editor().setMeta({ id: 'web-restart' }, 'id');
    editor().setMeta({ name: 'Restart nginx' }, 'name');
    expect(editor().meta.id).toBe('web-restart');

    editor().load(structuredClone(example), 3);
    editor().setMeta({ name: slugless }, 'name');
    expect(editor().meta.id).toBe(example.id);
  });

  it('never places a new or pasted node on top of an existing one', () => {
    const clean = editor().nodes.find((n) => n.id === 'clean')!;
    const added = editor().addNode('action.delay', { ...clean.position });
    const addedAt = editor().nodes.find((n) => n.id === added)!.position;
    expect(addedAt).not.toEqual(clean.position);
    const clear = (a: { x: number; y: number }, b: { x: number; y: number }) => Math.abs(a.x - b.x) >= 240 || Math.abs(a.y - b.y) >= 72;
    for (const n of editor().nodes) if (n.id !== added) expect(clear(addedAt, n.position), `${added} over ${n.id}`).toBe(true);

    // Pasting the flow over itself (at its own positions) moves the copies clear of the originals.
    const before = editor().nodes.map((n) => n.position);
    const pasted = editor().paste(parseFragment(JSON.stringify(example))!, { x: 0, y: 0 });
    for (const id of pasted) {
      const at = editor().nodes.find((n) => n.id === id)!.position;
      for (const p of before) expect(clear(at, p), `${id} over an existing node`).toBe(true);
    }
  });

  it('pastes a whole exported flow into another flow', () => {
    editor().load({ ...structuredClone(example), id: 'other', nodes: [example.nodes[0]!], edges: [] }, 1);
    const pasted = editor().paste(parseFragment(JSON.stringify(example))!, { x: 0, y: 0 });
    expect(pasted).toEqual(['am_2', 'disk', 'clean', 'ask', 'restart']);
    expect(currentFlow(editor()).edges).toContainEqual({ source: 'am_2', target: 'disk' });
  });

  it('ignores pasted text that is not Salve nodes', () => {
    expect(parseFragment('restart the database')).toBeNull();
    expect(parseFragment('{"nodes": []}')).toBeNull();
    expect(parseFragment('{"nodes": [{"id": "1bad", "type": "x"}]}')).toBeNull();
  });

  it('lays out a flow without positions from left to right', () => {
    const bare = { ...structuredClone(example), nodes: example.nodes.map(({ position: _p, ...n }) => n) };
    editor().load(bare as Flow, 1);
    const xs = currentFlow(editor()).nodes.map((n) => n.position!.x);
    expect([...xs].sort((a, b) => a - b)).toEqual(xs);
    expect(new Set(xs).size).toBe(xs.length);
  });
});

describe('editor store: sticky notes', () => {
  const notes: NonNullable<Flow['notes']> = [
    { id: 'why', text: 'Cleans /var/tmp first.\nAsk #infra before enabling.', position: { x: 40, y: -200 }, size: { width: 260, height: 140 }, color: 'blue' },
  ];
  const withNotes = (): Flow => ({ ...structuredClone(example), notes: structuredClone(notes) });
  beforeEach(() => editor().load(withNotes(), 3));

  it('round-trips notes unchanged, not dirty after loading, and keeps them out of the graph', () => {
    expect(currentFlow(editor())).toEqual(withNotes());
    expect(isDirty(editor())).toBe(false);
    expect(ids()).toEqual(['am', 'disk', 'clean', 'ask', 'restart']);
  });

  it('adds, types into and deletes a note, each one undo step, and the flow becomes dirty', () => {
    const id = editor().addNote({ x: 500, y: 500 });
    expect(editor().editingNote).toBe(id);
    editor().updateNoteText(id, 'P');
    editor().updateNoteText(id, 'Page');
    expect(isDirty(editor())).toBe(true);
    expect(currentFlow(editor()).notes).toContainEqual({ id: 'note_1', text: 'Page', position: { x: 500, y: 500 }, size: { width: 220, height: 120 } });

    editor().selectAll();
    editor().deleteSelection();
    expect(currentFlow(editor()).notes).toBeUndefined();
    expect(editor().nodes).toHaveLength(0);
    editor().undo(); // delete
    expect(currentFlow(editor()).notes?.map((n) => n.text)).toEqual([notes[0]!.text, 'Page']);
    editor().undo(); // typing (one step)
    editor().undo(); // add
    expect(currentFlow(editor())).toEqual(withNotes());
    expect(isDirty(editor())).toBe(false);
  });

  it('changes a note\'s colour as one undo step; yellow is written as no colour', () => {
    const canvasId = editor().notes[0]!.id;
    editor().setNoteColor(canvasId, 'yellow');
    expect(currentFlow(editor()).notes![0]).not.toHaveProperty('color');
    editor().setNoteColor(canvasId, 'pink');
    expect(currentFlow(editor()).notes![0]!.color).toBe('pink');
    editor().undo();
    editor().undo();
    expect(currentFlow(editor())).toEqual(withNotes());
  });

  it('a resize is one undo step; measuring a note is none', () => {
    const canvasId = editor().notes[0]!.id;
    editor().onNodesChange([{ type: 'dimensions', id: canvasId, dimensions: { width: 300, height: 140 } }]);
    expect(editor().past).toHaveLength(0);
    editor().onNodesChange([{ type: 'dimensions', id: canvasId, dimensions: { width: 320, height: 150 }, resizing: true, setAttributes: true }]);
    editor().onNodesChange([{ type: 'dimensions', id: canvasId, dimensions: { width: 340, height: 160 }, resizing: true, setAttributes: true }]);
    editor().onNodesChange([{ type: 'dimensions', id: canvasId, dimensions: { width: 340, height: 160 }, resizing: false, setAttributes: true }]);
    expect(currentFlow(editor()).notes![0]!.size).toEqual({ width: 340, height: 160 });
    expect(editor().past).toHaveLength(1);
    editor().undo();
    expect(currentFlow(editor()).notes![0]!.size).toEqual({ width: 260, height: 140 });
  });

  it('copies notes with nodes and pastes them with new ids where they clash', () => {
    editor().selectAll();
    const text = copySelection(editor().meta, editor().nodes, editor().edges, editor().notes)!;
    expect(JSON.parse(text).notes).toHaveLength(1);
    editor().paste(parseFragment(text)!, { x: 0, y: 600 });
    const pasted = currentFlow(editor()).notes!;
    expect(pasted.map((n) => n.id)).toEqual(['why', 'note_1']);
    expect(pasted[1]).toMatchObject({ text: notes[0]!.text, color: 'blue', size: { width: 260, height: 140 } });
    // A note alone is a fragment too; plain text is not.
    expect(parseFragment(JSON.stringify({ notes: [notes[0]] }))?.notes).toHaveLength(1);
    expect(parseFragment(JSON.stringify({ nodes: [], notes: [] }))).toBeNull();
  });
});
