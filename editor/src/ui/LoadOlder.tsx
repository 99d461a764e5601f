import type { LivePages } from './useLivePages.js';

/** The footer of a live list: "Load older", or what "everything" means when all is loaded. */
export function LoadOlder({ pages, allLoaded }: { pages: LivePages<unknown & { id: string }>; allLoaded: string }) {
  return (
    <div className="row load-older">
      {pages.cursor ? (
        <button type="button" onClick={() => void pages.loadOlder()} disabled={pages.loadingOlder} data-testid="load-older">
          {pages.loadingOlder ? 'Loading…' : 'Load older'}
        </button>
      ) : (
        <span className="muted small">{allLoaded}</span>
      )}
      {pages.hasOlderPages && <span className="muted small">Older pages do not refresh; reload to update them.</span>}
    </div>
  );
}
