/** Placeholder: being built. */
export function FlowEditorPage({ flowId }: { flowId?: string }) {
  return <div className="page">FlowEditorPage {flowId}</div>;
}
