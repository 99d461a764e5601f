/** Placeholder: being built. */
export function RunsPage({ flowId }: { flowId?: string }) {
  return <div className="page">RunsPage</div>;
}
