import { ArrowDown, ArrowUp, Plus, X } from 'lucide-react';
import { truncate } from '../../../shared/text.js';
import { asStringList, argvItemLabel, insertItem, moveItem, removeItem, replaceItem } from './argv.js';
import { getAt } from './config-paths.js';
import { repeatsProblem } from './expression-check.js';
import type { FieldModel } from './field-model.js';
import { describedBy, FieldErrors, helpText, RequiredMark } from './FieldShell.js';
import { inputId, useForm } from './form-context.js';
import { newRowId, useFocusAfterRender, useRowIds } from './hooks.js';
import { issueText } from './issues.js';
import { itemNounFor } from './labels.js';
import { TemplateLine, useTemplateProblem } from './TemplateLine.js';
import { isTemplateAt } from './template-paths.js';

type ArgvModel = Extract<FieldModel, { kind: 'argv' }>;

/** A list of strings, one input per item (argv: the program, then each argument), with add/remove/reorder. */
export function ArgvField({ field }: { field: ArgvModel }) {
  const ctx = useForm();
  const id = inputId(ctx, field.name);
  const items = asStringList(getAt(ctx.config, field.path) ?? field.defaultValue);
  const [ids, setIds] = useRowIds(items.length);
  const focusLater = useFocusAfterRender();
  const noun = itemNounFor(field.key);
  const errors = ctx.issuesAt(field.path).map(issueText);
  // The field's own help says how its items reach the program (no shell, or each quoted for one).
  const help = helpText(field, 'One item per argument', !field.help && 'Spaces and quotes in an item are literal');
  const itemId = (i: number, part = '') => inputId(ctx, `${field.name}.${i}${part}`);

  const write = (next: string[], changed: string) => ctx.writeField(field, next, changed);
  const move = (from: number, to: number, control: 'up' | 'down') => {
    setIds(moveItem(ids, from, to));
    write(moveItem(items, from, to), field.name);
    // Keep focus on the moved item's button, unless it just reached the end of the list.
    const stillThere = control === 'up' ? to > 0 : to < items.length - 1;
    focusLater(itemId(to, stillThere ? `-${control}` : ''));
  };

  return (
    <fieldset className="cf-group" aria-describedby={describedBy(id, errors.length > 0, !!help)} data-testid={`group-${field.name}`}>
      <legend>
        {field.label}
        <RequiredMark required={field.required} />
      </legend>
      <FieldErrors id={`${id}-error`} errors={errors} />
      {items.length === 0 ? (
        <p className="cf-empty">No {noun}s yet.</p>
      ) : (
        <ol className="cf-rows">
          {items.map((item, i) => (
            <ArgvRow
              key={ids[i]}
              field={field}
              index={i}
              count={items.length}
              text={item}
              noun={noun}
              idOf={(part) => itemId(i, part)}
              onChange={(text) => write(replaceItem(items, i, text), `${field.name}.${i}`)}
              onMove={(to, control) => move(i, to, control)}
              onRemove={() => {
                setIds(removeItem(ids, i));
                write(removeItem(items, i), field.name);
                focusLater(items.length === 1 ? `${id}-add` : itemId(Math.min(i, items.length - 2)));
              }}
            />
          ))}
        </ol>
      )}
      <button
        id={`${id}-add`}
        type="button"
        className="small"
        data-testid={`add-${field.name}`}
        onClick={() => {
          setIds(insertItem(ids, ids.length, newRowId()));
          write(insertItem(items, items.length, ''), field.name);
          focusLater(itemId(items.length));
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

interface ArgvRowProps {
  field: ArgvModel;
  index: number;
  count: number;
  text: string;
  noun: string;
  idOf: (part?: string) => string;
  onChange: (text: string) => void;
  onMove: (to: number, control: 'up' | 'down') => void;
  onRemove: () => void;
}

function ArgvRow({ field, index, count, text, noun, idOf, onChange, onMove, onRemove }: ArgvRowProps) {
  const ctx = useForm();
  const path = [...field.path, index];
  const isTemplate = isTemplateAt(ctx.templatePaths, path, text);
  const problem = useTemplateProblem(text, isTemplate);
  const errors = ctx
    .issuesAt(path)
    .filter((i) => !repeatsProblem(i.message, problem))
    .map(issueText);
  const id = idOf();
  const name = `${field.name}.${index}`;
  const label = argvItemLabel(index);
  const what = `${noun} ${index + 1}${text ? ` (${truncate(text, 25)})` : ''}`;
  return (
    <li className="cf-argv-row" data-testid={`row-${name}`}>
      <label htmlFor={id} className="cf-row-label">
        {label}
      </label>
      <input
        id={id}
        type="text"
        name={name}
        data-testid={`field-${name}`}
        className="cf-code"
        value={text}
        autoComplete="off"
        spellCheck={false}
        aria-invalid={errors.length ? true : undefined}
        aria-describedby={describedBy(id, errors.length > 0, false, [isTemplate && `${id}-template`])}
        onChange={(e) => onChange(e.target.value)}
      />
      <div className="cf-row-buttons">
        <button id={`${id}-up`} type="button" className="ghost icon small" aria-label={`Move ${what} up`} title="Move up" disabled={index === 0} onClick={() => onMove(index - 1, 'up')}>
          <ArrowUp size={16} aria-hidden="true" />
        </button>
        <button
          id={`${id}-down`}
          type="button"
          className="ghost icon small"
          aria-label={`Move ${what} down`}
          title="Move down"
          disabled={index === count - 1}
          onClick={() => onMove(index + 1, 'down')}
        >
          <ArrowDown size={16} aria-hidden="true" />
        </button>
        <button type="button" className="ghost icon small" aria-label={`Remove ${what}`} title={`Remove ${noun}`} onClick={onRemove}>
          <X size={16} aria-hidden="true" />
        </button>
      </div>
      {(errors.length > 0 || isTemplate) && (
        <div className="cf-row-extra">
          <FieldErrors id={`${id}-error`} errors={errors} />
          {isTemplate && <TemplateLine id={`${id}-template`} text={text} problem={problem} />}
        </div>
      )}
    </li>
  );
}
