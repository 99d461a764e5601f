import { useEffect, useId, useState } from 'react';
import { getNodeDefinition } from '../../../nodes/catalog.js';
import { hookPathOf, startsBy } from '../../../nodes/trigger-spec.js';
import type { FlowSettings } from '../../../shared/flow/schema.js';
import type { FlowMeta, SalveNode } from '../canvas/model.js';
import type { LocatedIssue } from '../canvas/validation.js';
import { formatDuration } from '../../../nodes/format.js';
import type { PreviewContext } from '../config-form/ConfigForm.js';
import { LimitsSection } from '../limits/LimitsSection.js';

interface Props {
  meta: FlowMeta;
  /** True for a flow not saved yet: only then can its id change. */
  isNew: boolean;
  nodes: readonly SalveNode[];
  issues: readonly LocatedIssue[];
  onChange: (patch: Partial<FlowMeta>, field: string) => void;
  /** The sample alert the target key is previewed against (the Test tab's), or null. */
  preview: PreviewContext | null;
  /** Flows a held run may start: the flow's team's others. */
  escalationChoices: readonly { id: string; name: string }[];
}

const fieldIssues = (issues: readonly LocatedIssue[], field: string) =>
  issues.filter((i) => i.path.length === 1 && i.path[0] === field).map((i) => i.message);

/** The errors under a field. */
function FieldErrors({ messages }: { messages: readonly string[] }) {
  return messages.map((m) => (
    <div key={m} className="field-error">
      {m}
    </div>
  ));
}

/** The flow's settings with `key` set to `value` (left out when undefined); undefined when no setting is left. */
function withSetting<K extends keyof FlowSettings>(settings: FlowSettings | undefined, key: K, value: FlowSettings[K] | undefined): FlowSettings | undefined {
  const { [key]: _, ...rest } = settings ?? {};
  const next: FlowSettings = value === undefined ? rest : { ...rest, [key]: value };
  return Object.keys(next).length > 0 ? next : undefined;
}

const settingsIssues = (issues: readonly LocatedIssue[], key: string) =>
  issues.filter((i) => i.path[0] === 'settings' && (i.path[1] === key || i.path.length === 1)).map((i) => i.message);

/** One entry per line (or comma): a line with a space in it is one bad entry, reported as such. */
const linesOf = (text: string) =>
  text
    .split(/[\n,]/)
    .map((l) => l.trim())
    .filter((l) => l !== '');

/**
 * The flow's own destination list, one entry per line. The text is kept as typed (a list
 * rebuilt on every key would eat the new line being started); an empty box removes the list.
 */
function AllowedTargetsField({ meta, issues, onChange }: Pick<Props, 'meta' | 'issues' | 'onChange'>) {
  const id = useId();
  const saved = (meta.settings?.allowedTargets ?? []).join('\n');
  const [text, setText] = useState(saved);
  // Follow changes made elsewhere (undo, loading another flow) without fighting the typist.
  useEffect(() => {
    setText((current) => (linesOf(current).join('\n') === saved ? current : saved));
  }, [saved]);
  const errors = settingsIssues(issues, 'allowedTargets');
  return (
    <div className="field">
      <label htmlFor={`${id}-targets`}>Allowed destinations</label>
      <textarea
        id={`${id}-targets`}
        className="mono"
        rows={3}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          const entries = linesOf(e.target.value);
          onChange({ settings: withSetting(meta.settings, 'allowedTargets', entries.length > 0 ? entries : undefined) }, 'settings');
        }}
        placeholder={'agent.example.internal:9100\n10.20.0.0/16'}
        aria-invalid={errors.length > 0 || undefined}
        aria-describedby={`${id}-targets-help`}
        data-testid="flow-allowed-targets"
      />
      <div id={`${id}-targets-help`} className="field-help">
        Optional. Host names, *.domains, IP addresses or CIDR blocks (with :port to allow one port), one per line. Steps of this
        flow then connect only to these, and still only where the server allows (SALVE_ALLOWED_TARGETS). Empty: the server’s policy alone.
      </div>
      <FieldErrors messages={errors} />
    </div>
  );
}

/** A number field's text as seconds; empty: none. */
const secondsOf = (text: string) => (text.trim() === '' ? undefined : Number(text));

/**
 * Flap protection: how long after a run saw its alert resolve a new firing of the same alert is
 * still that incident (no second run). Typed in seconds, shown in words; empty: off.
 */
function FlapWindowField({ meta, issues, onChange }: Pick<Props, 'meta' | 'issues' | 'onChange'>) {
  const id = useId();
  const saved = meta.settings?.flapWindow;
  const [text, setText] = useState(saved === undefined ? '' : String(saved));
  useEffect(() => {
    // Follow changes made elsewhere (undo, loading another flow), keeping what is typed when it says the same.
    setText((current) => (secondsOf(current) === saved ? current : saved === undefined ? '' : String(saved)));
  }, [saved]);
  const errors = settingsIssues(issues, 'flapWindow');
  const seconds = secondsOf(text);
  return (
    <div className="field">
      <label htmlFor={`${id}-flap`}>Flap window (seconds)</label>
      <div className="row">
        <input
          id={`${id}-flap`}
          type="number"
          min={1}
          max={86400}
          style={{ width: 140 }}
          value={text}
          placeholder="off"
          onChange={(e) => {
            setText(e.target.value);
            onChange({ settings: withSetting(meta.settings, 'flapWindow', secondsOf(e.target.value)) }, 'settings');
          }}
          aria-invalid={errors.length > 0 || undefined}
          aria-describedby={`${id}-flap-help`}
          data-testid="flow-flap-window"
        />
        {seconds !== undefined && Number.isInteger(seconds) && seconds > 0 && <span className="muted small">= {formatDuration(seconds, 's')}</span>}
      </div>
      <div id={`${id}-flap-help`} className="field-help">
        Optional. An alert that fires again within this long after its run saw it resolve is the same incident: no second run starts, and the
        Events page says “same incident” with the run that handled it. Empty: every new firing starts a run.
      </div>
      <FieldErrors messages={errors} />
    </div>
  );
}

/** Shown when no node is selected: the flow's name, id, description, whether it runs, and its webhook URLs. */
export function FlowSettingsPanel({ meta, isNew, nodes, issues, onChange, preview, escalationChoices }: Props) {
  const id = useId();
  const idErrors = fieldIssues(issues, 'id');
  const nameErrors = fieldIssues(issues, 'name');
  const allSources = nodes.filter((n) => getNodeDefinition(n.data.type)?.category === 'source');
  // Schedules and runs by hand have no hook path: nothing to POST to.
  const sources = allSources.filter((n) => startsBy(getNodeDefinition(n.data.type), 'webhook'));
  return (
    <div className="side-body" data-testid="flow-settings">
      <h2 style={{ marginBottom: 12 }}>Flow settings</h2>
      <div className="field">
        <label htmlFor={`${id}-name`}>Name</label>
        <input
          id={`${id}-name`}
          value={meta.name}
          onChange={(e) => onChange({ name: e.target.value }, 'name')}
          aria-invalid={nameErrors.length > 0 || undefined}
          data-testid="flow-name"
        />
        <FieldErrors messages={nameErrors} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-id`}>Id</label>
        <input
          id={`${id}-id`}
          className="mono"
          value={meta.id}
          readOnly={!isNew}
          onChange={(e) => onChange({ id: e.target.value }, 'id')}
          aria-invalid={idErrors.length > 0 || undefined}
          aria-describedby={`${id}-id-help`}
          data-testid="flow-id"
        />
        <div id={`${id}-id-help`} className="field-help">
          {isNew
            ? 'Made from the name until you type one. Lower-case letters, digits and “-”; it cannot change after the first save.'
            : 'The id cannot change; duplicate the flow to copy it under a new id.'}
        </div>
        <FieldErrors messages={idErrors} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-desc`}>Description</label>
        <textarea
          id={`${id}-desc`}
          rows={3}
          style={{ fontFamily: 'var(--font)', fontSize: 13 }}
          value={meta.description ?? ''}
          onChange={(e) => onChange({ description: e.target.value || undefined }, 'description')}
          placeholder="What this flow answers, and when it should run"
        />
      </div>
      <div className="field">
        <label className="row" style={{ fontWeight: 550 }}>
          <input type="checkbox" checked={meta.enabled} onChange={(e) => onChange({ enabled: e.target.checked }, 'enabled')} data-testid="flow-enabled" />
          Enabled: run this flow for matching alerts
        </label>
        <div className="field-help">A disabled flow is kept and can be tested, but no alert starts it. Saving applies the change.</div>
      </div>
      <AllowedTargetsField meta={meta} issues={issues} onChange={onChange} />
      <FlapWindowField meta={meta} issues={issues} onChange={onChange} />
      <LimitsSection limits={meta.limits} issues={issues} preview={preview} escalationChoices={escalationChoices} onChange={(limits) => onChange({ limits }, 'limits')} />
      <div className="side-section">
        <h3>Webhook URLs</h3>
        {sources.length === 0 ? (
          <p className="muted small">{allSources.length === 0 ? 'Add an alert source to receive alerts.' : 'This flow’s sources take no webhooks.'}</p>
        ) : (
          <ul className="small" style={{ paddingLeft: 18 }}>
            {sources.map((n) => {
              const path = hookPathOf(getNodeDefinition(n.data.type), n.data.config) ?? '<path>';
              return (
                <li key={n.id}>
                  <span className="mono">
                    POST {window.location.origin}/hooks/{path}
                  </span>{' '}
                  <span className="muted">({n.id})</span>
                </li>
              );
            })}
          </ul>
        )}
        <p className="muted small">Select a node to configure it. Click empty canvas to come back here.</p>
      </div>
    </div>
  );
}
