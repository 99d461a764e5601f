/** Placeholder: being built. */
export function ApprovalsPage({ onChanged }: { onChanged: () => void }) {
  return <div className="page">ApprovalsPage</div>;
}
