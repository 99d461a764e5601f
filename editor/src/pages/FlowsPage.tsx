/** Placeholder: being built. */
export function FlowsPage() {
  return <div className="page">FlowsPage</div>;
}
