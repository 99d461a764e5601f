import { Fragment } from 'react';
import { hrefFor } from '../router.js';
import { shortRunId } from '../runs/RunRow.js';

/** A run id inside a sentence (`ex_` and the id's lower-case base32). */
const RUN_ID = /\b(ex_[0-9a-z]{10,})\b/g;

/** A held reason with the runs it names as links ("… remediated 4 min before this run (run ex_…)"). */
export function ReasonText({ text }: { text: string }) {
  const parts = text.split(RUN_ID);
  return (
    <>
      {parts.map((part, i) =>
        i % 2 === 1 ? (
          <a key={i} href={hrefFor({ page: 'run', id: part })} className="mono" title={`Open run ${part}`}>
            {shortRunId(part)}
          </a>
        ) : (
          <Fragment key={i}>{part}</Fragment>
        ),
      )}
    </>
  );
}
