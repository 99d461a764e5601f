import { useId, useState } from 'react';
import { Dialog } from '../ui/Dialog.js';

/** "Which team?" before a flow is created or imported, when the caller may write flows in several. */
export function TeamChoiceDialog({
  teams,
  action,
  onChoose,
  onClose,
}: {
  teams: readonly { id: string; name: string }[];
  /** What happens next, for the title and button: "New flow", "Import flows"… */
  action: string;
  onChoose: (team: { id: string; name: string }) => void;
  onClose: () => void;
}) {
  const [chosen, setChosen] = useState(teams[0]?.id ?? '');
  const formId = useId();
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    const team = teams.find((t) => t.id === chosen);
    if (team) onChoose(team);
  };
  return (
    <Dialog
      title={`${action}: which team?`}
      onClose={onClose}
      testId="team-choice"
      footer={
        <>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" form={formId} className="primary" data-testid="team-choice-continue">
            Continue
          </button>
        </>
      }
    >
      <form id={formId} onSubmit={submit}>
        <p className="muted">The flow belongs to this team: its members see and run it, its editors change it.</p>
        <fieldset className="team-choice-list">
          <legend className="visually-hidden">Team</legend>
          {teams.map((t) => (
            <label key={t.id} className="team-choice-option">
              <input type="radio" name="team" value={t.id} checked={chosen === t.id} onChange={() => setChosen(t.id)} data-testid={`team-choice-${t.id}`} />
              {t.name} <span className="muted small mono">{t.id}</span>
            </label>
          ))}
        </fieldset>
      </form>
    </Dialog>
  );
}
