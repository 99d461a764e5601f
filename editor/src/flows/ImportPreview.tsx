import type { PreviewRow } from './import-summary.js';

/** What the import would do with each flow: create it, or replace a revision (and disable it). */
export function ImportPreview({ headingId, rows, showSource }: { headingId: string; rows: readonly PreviewRow[]; showSource: boolean }) {
  return (
    <section className="flow-import-section" aria-labelledby={headingId}>
      <h3 id={headingId}>What will happen</h3>
      <table className="list flow-preview" data-testid="import-preview">
        <thead>
          <tr>
            <th>Id</th>
            <th>Name</th>
            {showSource && <th>From</th>}
            <th>Result</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row, i) => (
            <tr key={i}>
              <td className="mono">{row.id ?? <span className="muted">(no id)</span>}</td>
              <td>{row.name ?? <span className="muted">(no name)</span>}</td>
              {showSource && <td className="mono small">{row.source}</td>}
              <td>
                {row.replaces ? (
                  <>
                    Replaces revision {row.replaces.revision} with a new revision
                    {row.replaces.enabled && <div className="flow-warn small">It is enabled now; the import disables it until you enable it again.</div>}
                  </>
                ) : (
                  'New flow'
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
