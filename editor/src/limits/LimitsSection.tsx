import { useEffect, useId, useMemo, useState, type ReactNode } from 'react';
import { formatPath } from '../../../shared/errors.js';
import type { LocatedIssue } from '../canvas/validation.js';
import type { PreviewContext } from '../config-form/ConfigForm.js';
import { checkExpression, previewExpression, repeatsProblem } from '../config-form/expression-check.js';
import { useDebounced } from '../config-form/hooks.js';
import { limitsSummary, splitWindow, targetNoun, WINDOW_UNITS, windowSeconds, type WindowUnit } from './limits.js';
import type { FlowLimits } from '../../../shared/flow/limits.js';
import { TARGET_KEY_SCOPE } from '../../../shared/flow/validate.js';
import '../styles/limits.css';

/** What a limit starts with when ticked: common, safe values the operator then adjusts. */
const NEW = {
  maxRunsPerWindow: { runs: 20, window: 3600 },
  target: { key: 'alert.labels.instance' },
  cooldown: 1800,
  maxConcurrent: 1,
  blastRadius: { targets: 3, window: 600 },
  breaker: { failures: 3, window: 900 },
} as const;

type Group = keyof FlowLimits;

/** A typed number, or NaN while the box is empty (the schema then names the field). */
const number = (value: string) => (value.trim() === '' ? Number.NaN : Number(value));

/** The messages of the problems at `limits.<path…>` exactly. */
function issuesAt(issues: readonly LocatedIssue[], ...path: string[]): string[] {
  return issues.filter((i) => i.path[0] === 'limits' && i.path.length === path.length + 1 && path.every((p, k) => i.path[k + 1] === p)).map((i) => i.message);
}

/** Problems under `limits` no field below shows (e.g. a shape the form does not know). */
function otherIssues(issues: readonly LocatedIssue[], shown: readonly string[][]): LocatedIssue[] {
  const known = new Set(shown.map((p) => ['limits', ...p].join('.')));
  return issues.filter((i) => i.path[0] === 'limits' && !known.has(i.path.join('.')));
}

const SHOWN_PATHS: string[][] = [
  [],
  ['maxRunsPerWindow'],
  ['maxRunsPerWindow', 'runs'],
  ['maxRunsPerWindow', 'window'],
  ['target'],
  ['target', 'key'],
  ['target', 'cooldown'],
  ['target', 'maxConcurrent'],
  ['blastRadius'],
  ['blastRadius', 'targets'],
  ['blastRadius', 'window'],
  ['breaker'],
  ['breaker', 'failures'],
  ['breaker', 'window'],
  ['onHeld'],
  ['onHeld', 'flow'],
];

function Errors({ messages }: { messages: readonly string[] }) {
  return (
    <>
      {messages.map((m) => (
        <div key={m} className="field-error">
          {m}
        </div>
      ))}
    </>
  );
}

/**
 * A window typed as an amount and a unit (minutes, hours…); the document keeps seconds. The typed
 * text is kept as typed (rebuilding it from seconds on every key would turn "1.5 h" into "90 min"
 * mid-word), and follows changes made elsewhere (undo, another flow).
 */
function WindowInput({ seconds, onChange, label, testId, errors }: { seconds: number; onChange: (seconds: number) => void; label: string; testId: string; errors: readonly string[] }) {
  const id = useId();
  const initial = () => (Number.isFinite(seconds) ? { text: String(splitWindow(seconds).amount), unit: splitWindow(seconds).unit } : { text: '', unit: 'min' as WindowUnit });
  const [typed, setTyped] = useState<{ text: string; unit: WindowUnit }>(initial);
  // biome-ignore lint/correctness/useExhaustiveDependencies: follows the document only; the typed text is compared inside
  useEffect(() => {
    setTyped((current) => {
      const now = windowSeconds(current.text, current.unit);
      return now === seconds || (Number.isNaN(now) && Number.isNaN(seconds)) ? current : initial();
    });
  }, [seconds]);
  return (
    <div className="field limits-window">
      <label htmlFor={`${id}-amount`}>{label}</label>
      <div className="row limits-window-inputs">
        <input
          id={`${id}-amount`}
          type="number"
          min={1}
          step="any"
          inputMode="decimal"
          value={typed.text}
          aria-invalid={errors.length > 0 || undefined}
          onChange={(e) => {
            setTyped({ ...typed, text: e.target.value });
            onChange(windowSeconds(e.target.value, typed.unit));
          }}
          data-testid={testId}
        />
        <select
          aria-label={`${label}: unit`}
          value={typed.unit}
          onChange={(e) => {
            const unit = e.target.value as WindowUnit;
            setTyped({ ...typed, unit });
            onChange(windowSeconds(typed.text, unit));
          }}
          data-testid={`${testId}-unit`}
        >
          {WINDOW_UNITS.map((u) => (
            <option key={u.unit} value={u.unit}>
              {u.label}
            </option>
          ))}
        </select>
      </div>
      <Errors messages={errors} />
    </div>
  );
}

function CountInput({ label, value, onChange, testId, errors, min = 1 }: { label: string; value: number; onChange: (n: number) => void; testId: string; errors: readonly string[]; min?: number }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="number"
        min={min}
        step={1}
        inputMode="numeric"
        value={Number.isFinite(value) ? value : ''}
        aria-invalid={errors.length > 0 || undefined}
        onChange={(e) => onChange(number(e.target.value))}
        data-testid={testId}
      />
      <Errors messages={errors} />
    </div>
  );
}

/** A limit that is on or off: the box, what it does in words, and (when on) its fields. */
function Toggle({ on, onToggle, title, help, testId, children, errors = [] }: { on: boolean; onToggle: (on: boolean) => void; title: string; help: ReactNode; testId: string; children?: ReactNode; errors?: readonly string[] }) {
  return (
    <div className={`limits-group${on ? ' on' : ''}`}>
      <label className="check-row">
        <input type="checkbox" checked={on} onChange={(e) => onToggle(e.target.checked)} data-testid={testId} />
        <span>
          <strong>{title}</strong>
          <span className="field-help">{help}</span>
        </span>
      </label>
      <Errors messages={errors} />
      {on && <div className="limits-fields">{children}</div>}
    </div>
  );
}

/** The target key: a CEL expression over the alert, checked as typed and previewed against the sample alert. */
function TargetKeyField({ value, onChange, preview, errors }: { value: string; onChange: (key: string) => void; preview: PreviewContext | null; errors: readonly string[] }) {
  const id = useId();
  const settled = useDebounced(value, 150);
  const problem = useMemo(() => checkExpression('cel', settled, { scope: TARGET_KEY_SCOPE }), [settled]);
  const result = useMemo(
    () => (preview && !problem && settled.trim() !== '' ? previewExpression('cel', settled, preview.vars, TARGET_KEY_SCOPE) : null),
    [preview, problem, settled],
  );
  const shown = [...(problem ? [problem.text] : []), ...errors.filter((m) => !repeatsProblem(m, problem))];
  return (
    <div className="field">
      <label htmlFor={id}>Target key</label>
      <textarea
        id={id}
        className="cf-code"
        rows={1}
        value={value}
        spellCheck={false}
        autoCapitalize="off"
        autoComplete="off"
        placeholder="alert.labels.instance"
        aria-invalid={shown.length > 0 || undefined}
        aria-describedby={`${id}-help${result ? ` ${id}-preview` : ''}`}
        onChange={(e) => onChange(e.target.value)}
        data-testid="limits-target-key"
      />
      {shown.length > 0 && (
        <div className="field-error cf-errors" data-testid="limits-target-key-error">
          {shown.map((m) => (
            <div key={m}>{m}</div>
          ))}
        </div>
      )}
      {result && preview && (
        <div id={`${id}-preview`} className="cf-preview" data-testid="limits-target-key-preview">
          <div className="cf-preview-label">Preview · {preview.description}</div>
          {result.ok ? <output htmlFor={id} className="cf-preview-value">{result.text === '' ? <span className="muted">(empty)</span> : result.text}</output> : <div className="cf-preview-muted">preview: {result.message}</div>}
        </div>
      )}
      <div id={`${id}-help`} className="field-help">
        CEL expression over the alert naming what a run acts on, e.g. <code>alert.labels.instance</code>. Runs whose key gives the same value are the same target.
      </div>
    </div>
  );
}

interface Props {
  limits: FlowLimits | undefined;
  issues: readonly LocatedIssue[];
  preview: PreviewContext | null;
  /** Flows a held run may start (same team, not this one), by id and name. */
  escalationChoices: readonly { id: string; name: string }[];
  onChange: (limits: FlowLimits | undefined) => void;
}

/**
 * The flow's guard rails: how many runs it may start, how often the same target, how many
 * targets, and when its circuit breaker stops it. A run over a limit is held for a person.
 */
export function LimitsSection({ limits, issues, preview, escalationChoices, onChange }: Props) {
  const id = useId();
  const current: FlowLimits = limits ?? {};
  const set = <K extends Group>(group: K, value: FlowLimits[K] | undefined) => {
    const next: FlowLimits = { ...current };
    if (value === undefined) delete next[group];
    else next[group] = value;
    // Blast radius counts targets: without a target key it cannot work (and the schema refuses it).
    if (group === 'target' && value === undefined) delete next.blastRadius;
    onChange(Object.keys(next).length > 0 ? next : undefined);
  };
  const target = current.target;
  const noun = targetNoun(target?.key);
  const flowName = (flow: string) => escalationChoices.find((f) => f.id === flow)?.name ?? flow;
  const summary = limitsSummary(limits, flowName);
  const others = otherIssues(issues, SHOWN_PATHS);
  const escalationKnown = !current.onHeld || escalationChoices.some((f) => f.id === current.onHeld?.flow);

  return (
    <section className="side-section limits-section" aria-labelledby={`${id}-title`} data-testid="limits-section">
      <h3 id={`${id}-title`}>Guard rails</h3>
      <p className={`limits-summary${summary ? '' : ' muted'}`} data-testid="limits-summary">
        {summary ?? 'No limits: every matching alert starts a run.'}
      </p>
      <Errors messages={issuesAt(issues)} />

      <Toggle
        on={current.maxRunsPerWindow !== undefined}
        onToggle={(on) => set('maxRunsPerWindow', on ? { ...NEW.maxRunsPerWindow } : undefined)}
        title="Runs per window"
        help="At most this many runs of this flow start within any such window."
        testId="limits-runs-enabled"
        errors={issuesAt(issues, 'maxRunsPerWindow')}
      >
        {current.maxRunsPerWindow && (
          <div className="limits-grid">
            <CountInput
              label="Runs"
              value={current.maxRunsPerWindow.runs}
              onChange={(runs) => set('maxRunsPerWindow', { ...current.maxRunsPerWindow!, runs })}
              testId="limits-runs"
              errors={issuesAt(issues, 'maxRunsPerWindow', 'runs')}
            />
            <WindowInput
              label="Within"
              seconds={current.maxRunsPerWindow.window}
              onChange={(window) => set('maxRunsPerWindow', { ...current.maxRunsPerWindow!, window })}
              testId="limits-runs-window"
              errors={issuesAt(issues, 'maxRunsPerWindow', 'window')}
            />
          </div>
        )}
      </Toggle>

      <Toggle
        on={target !== undefined}
        onToggle={(on) => set('target', on ? { ...NEW.target } : undefined)}
        title="Per target"
        help="Name what a run acts on (a host, a pod) to limit how often the same one, and how many different ones, are remediated."
        testId="limits-target-enabled"
        errors={issuesAt(issues, 'target')}
      >
        {target && (
          <>
            <TargetKeyField value={target.key} onChange={(key) => set('target', { ...target, key })} preview={preview} errors={issuesAt(issues, 'target', 'key')} />
            <Toggle
              on={target.cooldown !== undefined}
              onToggle={(on) => {
                const { cooldown: _, ...rest } = target;
                set('target', on ? { ...rest, cooldown: NEW.cooldown } : rest);
              }}
              title="Cooldown"
              help={`The same ${noun} is not remediated again within this time.`}
              testId="limits-cooldown-enabled"
            >
              {target.cooldown !== undefined && (
                <WindowInput
                  label="Not again within"
                  seconds={target.cooldown}
                  onChange={(cooldown) => set('target', { ...target, cooldown })}
                  testId="limits-cooldown"
                  errors={issuesAt(issues, 'target', 'cooldown')}
                />
              )}
            </Toggle>
            <Toggle
              on={target.maxConcurrent !== undefined}
              onToggle={(on) => {
                const { maxConcurrent: _, ...rest } = target;
                set('target', on ? { ...rest, maxConcurrent: NEW.maxConcurrent } : rest);
              }}
              title={`Runs at once per ${noun}`}
              help={`At most this many unfinished runs on the same ${noun}.`}
              testId="limits-concurrent-enabled"
            >
              {target.maxConcurrent !== undefined && (
                <CountInput
                  label="Runs at once"
                  value={target.maxConcurrent}
                  onChange={(maxConcurrent) => set('target', { ...target, maxConcurrent })}
                  testId="limits-concurrent"
                  errors={issuesAt(issues, 'target', 'maxConcurrent')}
                />
              )}
            </Toggle>
            <Toggle
              on={current.blastRadius !== undefined}
              onToggle={(on) => set('blastRadius', on ? { ...NEW.blastRadius } : undefined)}
              title="Blast radius"
              help={`At most this many different ${noun === 'target' ? 'targets' : `${noun}s`} within the window: stops a runaway remediation across a fleet.`}
              testId="limits-blast-enabled"
              errors={issuesAt(issues, 'blastRadius')}
            >
              {current.blastRadius && (
                <div className="limits-grid">
                  <CountInput
                    label={noun === 'target' ? 'Targets' : `${noun[0]!.toUpperCase()}${noun.slice(1)}s`}
                    value={current.blastRadius.targets}
                    onChange={(targets) => set('blastRadius', { ...current.blastRadius!, targets })}
                    testId="limits-blast-targets"
                    errors={issuesAt(issues, 'blastRadius', 'targets')}
                  />
                  <WindowInput
                    label="Within"
                    seconds={current.blastRadius.window}
                    onChange={(window) => set('blastRadius', { ...current.blastRadius!, window })}
                    testId="limits-blast-window"
                    errors={issuesAt(issues, 'blastRadius', 'window')}
                  />
                </div>
              )}
            </Toggle>
          </>
        )}
      </Toggle>
      {!target && current.blastRadius && <Errors messages={issuesAt(issues, 'blastRadius')} />}

      <Toggle
        on={current.breaker !== undefined}
        onToggle={(on) => set('breaker', on ? { ...NEW.breaker } : undefined)}
        title="Circuit breaker"
        help="After this many failed runs within the window the flow stops starting runs (they are held) until a person resets it."
        testId="limits-breaker-enabled"
        errors={issuesAt(issues, 'breaker')}
      >
        {current.breaker && (
          <div className="limits-grid">
            <CountInput
              label="Failed runs"
              value={current.breaker.failures}
              onChange={(failures) => set('breaker', { ...current.breaker!, failures })}
              testId="limits-breaker-failures"
              errors={issuesAt(issues, 'breaker', 'failures')}
            />
            <WindowInput
              label="Within"
              seconds={current.breaker.window}
              onChange={(window) => set('breaker', { ...current.breaker!, window })}
              testId="limits-breaker-window"
              errors={issuesAt(issues, 'breaker', 'window')}
            />
          </div>
        )}
      </Toggle>

      <div className="field">
        <label htmlFor={`${id}-escalate`}>When a run is held, start</label>
        <select
          id={`${id}-escalate`}
          value={current.onHeld?.flow ?? ''}
          onChange={(e) => set('onHeld', e.target.value ? { flow: e.target.value } : undefined)}
          aria-invalid={issuesAt(issues, 'onHeld', 'flow').length > 0 || undefined}
          data-testid="limits-escalate"
        >
          <option value="">nothing (it waits in Runs for a person)</option>
          {!escalationKnown && current.onHeld && <option value={current.onHeld.flow}>{current.onHeld.flow} (not found)</option>}
          {escalationChoices.map((f) => (
            <option key={f.id} value={f.id}>
              {f.name} ({f.id})
            </option>
          ))}
        </select>
        <div className="field-help">
          A flow of the same team with a “Run by hand” source, e.g. one that pages the on-call. It gets the run id, the limit and the reason as input.
        </div>
        <Errors messages={[...issuesAt(issues, 'onHeld'), ...issuesAt(issues, 'onHeld', 'flow')]} />
      </div>
      {others.map((i) => (
        <div key={`${i.path.join('.')}:${i.message}`} className="field-error">
          {formatPath(i.path)}: {i.message}
        </div>
      ))}
    </section>
  );
}
