import { useState } from 'react';
import { Plus, X } from 'lucide-react';
import { getAt } from './config-paths.js';
import { repeatsProblem } from './expression-check.js';
import type { FieldModel } from './field-model.js';
import { describedBy, FieldErrors, helpText, RequiredMark } from './FieldShell.js';
import { inputId, useForm } from './form-context.js';
import { newRowId, useFocusAfterRender } from './hooks.js';
import { issueText } from './issues.js';
import { recordFromRows, rowForKey, rowsFromRecord, sameRecord, switchRowMode, type KeyValueRow } from './key-value.js';
import { itemNounFor } from './labels.js';
import { ModeToggle } from './ModeToggle.js';
import { pickerShowsProblem, SecretPicker } from './SecretPicker.js';
import { TemplateLine, useTemplateProblem } from './TemplateLine.js';
import { isTemplateAt } from './template-paths.js';

type KeyValueModel = Extract<FieldModel, { kind: 'keyValue' }>;
type Row = KeyValueRow & { id: number };

const withIds = (rows: KeyValueRow[]): Row[] => rows.map((row) => ({ ...row, id: newRowId() }));

/**
 * The rows of a map field. They are the operator's while they still stand for the config's map
 * (so a new, nameless row survives); when the map changes from outside (undo), they follow it.
 */
function useRows(record: unknown) {
  const key = JSON.stringify(record) ?? '';
  const [state, setState] = useState(() => ({ rows: withIds(rowsFromRecord(record)), key }));
  let rows = state.rows;
  if (state.key !== key) {
    rows = sameRecord(recordFromRows(state.rows).record, record) ? state.rows : withIds(rowsFromRecord(record));
    setState({ rows, key });
  }
  return [rows, (next: Row[]) => setState((s) => ({ ...s, rows: next }))] as const;
}

/** A map of names to values (`headers`, `env`): one row per entry, each value text or a secret. */
export function KeyValueField({ field }: { field: KeyValueModel }) {
  const ctx = useForm();
  const id = inputId(ctx, field.name);
  const record = getAt(ctx.config, field.path) ?? field.defaultValue;
  const [rows, setRows] = useRows(record);
  const focusLater = useFocusAfterRender();
  const noun = itemNounFor(field.key);
  const { skipped } = recordFromRows(rows);
  const errors = ctx.issuesAt(field.path).map(issueText);
  const help = helpText(field);

  const update = (next: Row[], changed: string) => {
    setRows(next);
    const nextRecord = recordFromRows(next).record;
    if (!sameRecord(nextRecord, getAt(ctx.config, field.path))) ctx.writeField(field, nextRecord, changed);
  };
  const rowId = (i: number, part: string) => inputId(ctx, `${field.name}.${i}.${part}`);

  return (
    <fieldset className="cf-group" aria-describedby={describedBy(id, errors.length > 0, !!help)} data-testid={`group-${field.name}`}>
      <legend>
        {field.label}
        <RequiredMark required={field.required} />
      </legend>
      <FieldErrors id={`${id}-error`} errors={errors} />
      {rows.length === 0 ? (
        <p className="cf-empty">No {noun}s.</p>
      ) : (
        <ul className="cf-rows">
          {rows.map((row, i) => (
            <KeyValueRowView
              key={row.id}
              field={field}
              row={row}
              index={i}
              noun={noun}
              skipped={skipped[i]}
              ownsIssues={row.name !== '' && rowForKey(rows, row.name) === i}
              idOf={(part) => rowId(i, part)}
              onChange={(next, part) =>
                update(
                  rows.map((r) => (r.id === row.id ? next : r)),
                  `${field.name}.${i}.${part}`,
                )
              }
              onRemove={() => {
                const next = rows.filter((r) => r.id !== row.id);
                update(next, field.name);
                focusLater(next.length === 0 ? `${id}-add` : rowId(Math.min(i, next.length - 1), 'name'));
              }}
            />
          ))}
        </ul>
      )}
      <button
        id={`${id}-add`}
        type="button"
        className="small"
        data-testid={`add-${field.name}`}
        onClick={() => {
          update([...rows, { id: newRowId(), name: '', mode: 'text', value: '' }], field.name);
          focusLater(rowId(rows.length, 'name'));
        }}
      >
        <Plus size={14} aria-hidden="true" /> Add {noun}
      </button>
      {help && (
        <div id={`${id}-help`} className="field-help">
          {help}
        </div>
      )}
    </fieldset>
  );
}

interface RowViewProps {
  field: KeyValueModel;
  row: Row;
  index: number;
  noun: string;
  skipped: string | undefined;
  /** Whether issues about this row's name are shown here (the first row with a name owns them). */
  ownsIssues: boolean;
  idOf: (part: 'name' | 'value' | 'mode') => string;
  onChange: (row: Row, part: 'name' | 'value' | 'mode') => void;
  onRemove: () => void;
}

function KeyValueRowView({ field, row, index, noun, skipped, ownsIssues, idOf, onChange, onRemove }: RowViewProps) {
  const ctx = useForm();
  const entryPath = [...field.path, row.name];
  const isTemplate = row.mode === 'text' && isTemplateAt(ctx.templatePaths, entryPath, row.value);
  const problem = useTemplateProblem(row.value, isTemplate);
  const showsSecretProblem = row.mode === 'secret' && pickerShowsProblem(row.value, ctx.secrets);
  const issues = ownsIssues
    ? ctx
        .issuesAt(entryPath)
        .filter((i) => !repeatsProblem(i.message, problem) && !(showsSecretProblem && i.rest[0] === 'secret'))
        .map(issueText)
    : [];
  const messages = [...issues, ...(skipped ? [skipped] : [])];
  const errorId = `${idOf('name')}-error`;
  const templateId = `${idOf('value')}-template`;
  const nameA11y = {
    'aria-invalid': messages.length ? (true as const) : undefined,
    'aria-describedby': messages.length ? errorId : undefined,
  };
  const valueA11y = {
    id: idOf('value'),
    ...(messages.length || isTemplate ? { 'aria-describedby': [messages.length && errorId, isTemplate && templateId].filter(Boolean).join(' ') } : {}),
    ...(messages.length ? { 'aria-invalid': true as const } : {}),
  };
  const rowName = row.name || `row ${index + 1}`;
  const namePath = `${field.name}.${index}.name`;
  const valuePath = `${field.name}.${index}.value`;

  return (
    <li className="cf-kv-row" data-testid={`row-${field.name}.${index}`}>
      <label htmlFor={idOf('name')} className="cf-row-label">
        Name
      </label>
      <input
        id={idOf('name')}
        {...nameA11y}
        type="text"
        name={namePath}
        data-testid={`field-${namePath}`}
        className="cf-code"
        value={row.name}
        autoComplete="off"
        spellCheck={false}
        onChange={(e) => onChange({ ...row, name: e.target.value }, 'name')}
      />
      <button type="button" className="ghost icon small" aria-label={`Remove ${noun} ${rowName}`} title={`Remove ${noun}`} onClick={onRemove}>
        <X size={16} aria-hidden="true" />
      </button>

      <label htmlFor={idOf('value')} className="cf-row-label">
        Value
      </label>
      {field.secretValues ? (
        <ModeToggle
          label={`Value of ${noun} ${rowName} is`}
          mode={row.mode}
          testId={`field-${field.name}.${index}.mode`}
          onChange={(mode) => onChange(switchRowMode(row, mode), 'mode')}
        />
      ) : (
        <span className="cf-mode" />
      )}
      <div className="cf-kv-value">
        {row.mode === 'secret' ? (
          <SecretPicker
            a11y={valueA11y}
            name={valuePath}
            value={row.value}
            onChange={(value) => onChange({ ...row, value }, 'value')}
            fieldLabel={`${field.label}: ${rowName}`}
          />
        ) : (
          <input
            {...valueA11y}
            type="text"
            name={valuePath}
            data-testid={`field-${valuePath}`}
            className="cf-code"
            value={row.value}
            autoComplete="off"
            spellCheck={false}
            onChange={(e) => onChange({ ...row, value: e.target.value }, 'value')}
          />
        )}
        {isTemplate && <TemplateLine id={templateId} text={row.value} problem={problem} />}
      </div>
      {messages.length > 0 && <FieldErrors id={errorId} errors={messages} />}
    </li>
  );
}
