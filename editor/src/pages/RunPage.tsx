/** Placeholder: being built. */
export function RunPage({ executionId }: { executionId: string }) {
  return <div className="page">RunPage</div>;
}
