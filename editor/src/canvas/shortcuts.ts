import { useEffect, useRef } from 'react';

export interface ShortcutHandlers {
  save: () => void;
  undo: () => void;
  redo: () => void;
  deleteSelection: () => void;
  selectAll: () => void;
  /** Returns the text to put on the clipboard, or null when nothing is selected. */
  copy: () => string | null;
  /** Like copy, then removes the selection. */
  cut: () => string | null;
  paste: (text: string) => void;
  /** N: a sticky note in the middle of the view. */
  addNote: () => void;
  /** C: the "Connect to…" picker for the one selected node. */
  connectFrom: () => void;
  /** Enter: edit the selected note's text; returns false when no single note is selected. */
  editNote: () => boolean;
}

/** True while the operator is typing in a field: then keys and the clipboard are the field's own. */
function typingInField(): boolean {
  const el = document.activeElement as HTMLElement | null;
  if (!el) return false;
  return el.isContentEditable || el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT';
}

/** Enter belongs to a focused button or link; on the canvas (or nowhere) it is the canvas's. */
function onCanvas(target: EventTarget | null): boolean {
  return !(target instanceof HTMLElement) || target === document.body || target.closest('.canvas-wrap') !== null;
}

/**
 * The editor's keyboard: Ctrl/Cmd+S saves (even from a field), Ctrl/Cmd+Z undoes,
 * Shift+Ctrl/Cmd+Z or Ctrl+Y redoes, Delete/Backspace removes the selection, Ctrl/Cmd+A selects
 * all, N adds a note, C connects the selected node by keyboard, Enter edits the selected note.
 * Copy, cut and paste use the browser's clipboard events, so they go through the system
 * clipboard without asking for a permission.
 */
export function useEditorShortcuts(handlers: ShortcutHandlers): void {
  const ref = useRef(handlers);
  ref.current = handlers;

  useEffect(() => {
    const onKeyDown = (e: KeyboardEvent) => {
      const mod = e.ctrlKey || e.metaKey;
      const key = e.key.toLowerCase();
      if (mod && key === 's') {
        e.preventDefault();
        ref.current.save();
        return;
      }
      if (typingInField() || document.querySelector('[role="dialog"]')) return;
      if (mod && key === 'z') {
        e.preventDefault();
        if (e.shiftKey) ref.current.redo();
        else ref.current.undo();
      } else if (mod && key === 'y') {
        e.preventDefault();
        ref.current.redo();
      } else if (mod && key === 'a') {
        e.preventDefault();
        ref.current.selectAll();
      } else if (!mod && (e.key === 'Delete' || e.key === 'Backspace')) {
        e.preventDefault();
        ref.current.deleteSelection();
      } else if (!mod && !e.altKey && key === 'n') {
        e.preventDefault();
        ref.current.addNote();
      } else if (!mod && !e.altKey && key === 'c') {
        e.preventDefault();
        ref.current.connectFrom();
      } else if (!mod && e.key === 'Enter' && onCanvas(e.target) && ref.current.editNote()) {
        e.preventDefault();
      }
    };
    const onCopy = (e: ClipboardEvent, cut: boolean) => {
      if (typingInField() || !e.clipboardData) return;
      const text = cut ? ref.current.cut() : ref.current.copy();
      if (text === null) return;
      e.clipboardData.setData('text/plain', text);
      e.preventDefault();
    };
    const copy = (e: ClipboardEvent) => onCopy(e, false);
    const cut = (e: ClipboardEvent) => onCopy(e, true);
    const paste = (e: ClipboardEvent) => {
      if (typingInField() || !e.clipboardData) return;
      const text = e.clipboardData.getData('text/plain');
      if (!text) return;
      e.preventDefault();
      ref.current.paste(text);
    };
    window.addEventListener('keydown', onKeyDown);
    document.addEventListener('copy', copy);
    document.addEventListener('cut', cut);
    document.addEventListener('paste', paste);
    return () => {
      window.removeEventListener('keydown', onKeyDown);
      document.removeEventListener('copy', copy);
      document.removeEventListener('cut', cut);
      document.removeEventListener('paste', paste);
    };
  }, []);
}
