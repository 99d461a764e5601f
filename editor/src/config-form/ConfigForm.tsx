import { useId, useMemo, type JSX } from 'react';
import type { NodeDefinition } from '../../../nodes/definition.js';
import type { ExprScope, ExprVars } from '../../../shared/expr/types.js';
import '../styles/config-form.css';
import { dotted, pathKey, setAt, writeField, type Path } from './config-paths.js';
import { formModelFor, type FormModel } from './field-model.js';
import { FieldView } from './FieldView.js';
import { FormContext, type ExpressionSiteInfo, type FormContextValue } from './form-context.js';
import { anchorPaths, issuePathText, placeIssues } from './issues.js';
import { templatePathsFor } from './template-paths.js';
import { UnknownFields } from './UnknownFields.js';
import type { SecretChoices } from '../secrets/useSecrets.js';

interface ConfigIssue {
  path: (string | number)[];
  message: string;
} // path relative to the node's config, e.g. ['url'] or ['auth','token']

export interface PreviewContext {
  vars: ExprVars;
  /** e.g. 'sample: DiskFull firing' */
  description: string;
}

export interface ConfigFormProps {
  def: NodeDefinition;
  /** The node's config as written in the flow document; may be incomplete or invalid while editing. */
  config: Record<string, unknown>;
  /** Called with the whole new config; `field` is the dotted path changed (used to merge keystrokes into one undo step). */
  onChange: (config: Record<string, unknown>, field: string) => void;
  /** Problems from the same validation the server runs (shared/flow/validate.ts), already narrowed to this node's config. */
  issues: readonly ConfigIssue[];
  /** Variables for live expression previews, or null when the flow has no sample alert yet. */
  preview: PreviewContext | null;
  /** The secrets the server has (GET /api/secrets), for the secret picker, which can also create one. */
  secrets: SecretChoices;
  /** What the node's expressions can read (shared/flow/expression-scope.ts): checks and hints use it. */
  scope: ExprScope;
  readOnly?: boolean;
}

const NO_ISSUES: never[] = [];
const NO_SITE: ExpressionSiteInfo = {};

/**
 * Where each of the config's expressions sits, by dotted path: whether it is a condition (must give
 * true or false) and the variables only it has, as the node type lists its expressions for the flow
 * validator. Read from the parsed config, as the validator does: while the config does not parse,
 * the validator checks no expression either.
 */
function expressionSites(def: NodeDefinition, config: Record<string, unknown>): Map<string, ExpressionSiteInfo> {
  const parsed = def.configSchema.safeParse(config);
  if (!parsed.success) return new Map();
  return new Map(def.expressions(parsed.data).map((ref) => [pathKey(ref.path), { returns: ref.returns, locals: ref.locals }]));
}

/** If a schema cannot be turned into fields, the whole config is still editable as JSON. */
function safeModel(def: NodeDefinition): { model: FormModel; failure?: string } {
  try {
    return { model: formModelFor(def) };
  } catch (error) {
    return {
      model: { fields: [{ kind: 'json', key: 'config', path: [], name: 'config', label: 'Config (JSON)', required: true, compact: false }], keys: [] },
      failure: (error as Error).message,
    };
  }
}

/**
 * The settings form of one node, generated from its type's config schema and UI hints: no
 * code here knows any node type. Writes go through `onChange` as whole configs.
 */
export function ConfigForm(props: ConfigFormProps): JSX.Element {
  const { def, onChange, issues, preview, secrets, scope, readOnly = false } = props;
  const config = props.config ?? {};
  const idBase = useId();
  const { model, failure } = useMemo(() => safeModel(def), [def]);
  const templatePaths = useMemo(() => templatePathsFor(def, config), [def, config]);
  const sites = useMemo(() => expressionSites(def, config), [def, config]);
  const unknownKeys = failure ? [] : Object.keys(config).filter((key) => !model.keys.includes(key));
  const unknownKey = unknownKeys.join('\u0000');
  const placement = useMemo(
    () => placeIssues(issues, [...anchorPaths(model.fields, config), ...unknownKey.split('\u0000').filter(Boolean).map((k) => [k])]),
    [issues, model, config, unknownKey],
  );

  const ctx: FormContextValue = {
    idBase,
    config,
    write: (path: Path, value: unknown, changed: string) => {
      if (!readOnly) onChange(setAt(config, path, value), changed);
    },
    writeField: (field, value, changed) => {
      if (!readOnly) onChange(writeField(config, field, value), changed ?? field.name);
    },
    issuesAt: (path: Path) => placement.at.get(pathKey(path)) ?? NO_ISSUES,
    preview,
    secrets,
    scope,
    siteAt: (path: Path) => sites.get(pathKey(path)) ?? NO_SITE,
    templatePaths,
  };

  return (
    <FormContext.Provider value={ctx}>
      <div className="cf" data-testid="config-form" data-node-type={def.type}>
        {failure && <div className="banner warning">This node type's settings cannot be shown as a form ({failure}); edit them as JSON.</div>}
        {placement.top.length > 0 && (
          <div className="banner error cf-top-issues" data-testid="config-issues">
            <ul className="issues">
              {placement.top.map((issue, i) => (
                <li key={i}>
                  {issue.path.length > 0 && <span className="issue-path">{issuePathText(issue.path)}</span>}
                  <span>{issue.message}</span>
                </li>
              ))}
            </ul>
          </div>
        )}
        <fieldset className="cf-root" disabled={readOnly}>
          <legend className="visually-hidden">{def.label} settings</legend>
          {model.fields.length === 0 && <p className="cf-empty">This node type has no settings.</p>}
          {model.fields.map((field) => (
            <FieldView key={field.name || dotted(field.path)} field={field} />
          ))}
          <UnknownFields keys={unknownKeys} />
        </fieldset>
      </div>
    </FormContext.Provider>
  );
}
