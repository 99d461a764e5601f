/** "text | secret": what a value is. Two pressed-state buttons in a labelled group (`.segmented`). */
export function ModeToggle({
  label,
  mode,
  onChange,
  testId,
}: {
  label: string;
  mode: 'text' | 'secret';
  onChange: (mode: 'text' | 'secret') => void;
  testId: string;
}) {
  return (
    // biome-ignore lint/a11y/useSemanticElements: a segmented control; a <fieldset> would bring its own box and legend styling for the same semantics
    <div className="segmented cf-mode" role="group" aria-label={label}>
      {(['text', 'secret'] as const).map((m) => (
        <button
          key={m}
          type="button"
          className="small"
          aria-pressed={mode === m}
          data-testid={`${testId}-${m}`}
          onClick={() => mode !== m && onChange(m)}
        >
          {m}
        </button>
      ))}
    </div>
  );
}
