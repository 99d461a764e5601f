import { X } from 'lucide-react';
import { formatJson } from './parse-input.js';
import { FieldErrors } from './FieldShell.js';
import { inputId, useForm } from './form-context.js';
import { issueText } from './issues.js';

/**
 * Keys in the config that this node type does not have (a typo, or a field from a newer
 * version). Validation rejects them; the form cannot edit them, so it offers to remove them.
 */
export function UnknownFields({ keys }: { keys: readonly string[] }) {
  const ctx = useForm();
  if (keys.length === 0) return null;
  return (
    <fieldset className="cf-group cf-unknown" data-testid="unknown-fields">
      <legend>Fields this node type does not have</legend>
      <ul className="cf-rows">
        {keys.map((key) => {
          const id = inputId(ctx, `unknown.${key}`);
          return (
            <li key={key} className="cf-unknown-row">
              <code className="cf-unknown-key">{key}</code>
              <code className="cf-unknown-value muted">{formatJson(ctx.config[key])}</code>
              <button type="button" className="small" aria-label={`Remove unknown field ${key}`} aria-describedby={`${id}-error`} onClick={() => ctx.write([key], undefined, key)}>
                <X size={14} aria-hidden="true" /> Remove
              </button>
              <FieldErrors id={`${id}-error`} errors={ctx.issuesAt([key]).map(issueText)} />
            </li>
          );
        })}
      </ul>
    </fieldset>
  );
}
