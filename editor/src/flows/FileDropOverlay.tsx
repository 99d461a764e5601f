import { Upload } from 'lucide-react';

/** Shown over the whole page while .json files are dragged over it. */
export function FileDropOverlay() {
  return (
    <div className="flow-drop-overlay" data-testid="flow-drop-zone">
      <div className="flow-drop-target">
        <Upload size={28} aria-hidden="true" />
        <strong>Drop .json files to import flows</strong>
        <span className="muted">One flow or a bundle per file. You review them before anything is imported.</span>
      </div>
    </div>
  );
}
