import type { ExprVars } from '../../../shared/expr/types.js';
import { truncate } from '../../../shared/text.js';
import type { Resolved } from '../../executor.js';
import { MAX_FACTS, type TeamsNotifyConfig } from './definition.js';

/**
 * Cuts that keep a card well within Teams' message size (about 28 KB): the title, the text,
 * and every fact's name and value, whatever a template rendered to.
 */
const TITLE_MAX = 500;
const TEXT_MAX = 8000;
const FACT_TITLE_MAX = 100;
const FACT_VALUE_MAX = 500;
const URL_MAX = 2048;

type CardElement =
  | { type: 'TextBlock'; text: string; wrap: true; weight?: 'Bolder'; size?: 'Medium' }
  | { type: 'FactSet'; facts: { title: string; value: string }[] };

/** The body a Workflows webhook takes: a message with one Adaptive Card attachment. */
export interface TeamsMessage {
  type: 'message';
  attachments: [
    {
      contentType: 'application/vnd.microsoft.card.adaptive';
      contentUrl: null;
      content: {
        $schema: 'http://adaptivecards.io/schemas/adaptive-card.json';
        type: 'AdaptiveCard';
        version: '1.4';
        body: CardElement[];
        actions?: { type: 'Action.OpenUrl'; title: string; url: string }[];
      };
    },
  ];
}

/**
 * `text` as the card shows it: Teams reads a Markdown subset in TextBlocks and facts, where
 * `[text](url)` is a link whose words can hide where it goes. A zero-width space after `]`
 * breaks every link form (inline, reference, definition) and changes nothing a reader sees.
 */
export function plainText(text: string): string {
  return text.replace(/\](?=[([:])/g, ']\u200B');
}

/** The title a step shows when its config has none: `[critical] DiskFull`, `[critical, resolved] DiskFull`. */
function defaultTitle(alert: ExprVars['alert']): string {
  const state = alert.status === 'resolved' ? `${alert.severity}, resolved` : alert.severity;
  return `[${state}] ${alert.name || 'Alert'}`;
}

/** The text a step shows when its config has none: the alert's summary, then its description. */
function defaultText(alert: ExprVars['alert']): string {
  const parts = [alert.summary, alert.description].filter((p) => p && p.trim() !== '');
  // Two line breaks: a new paragraph in a TextBlock (one is not always shown).
  return parts.length > 0 ? parts.join('\n\n') : alert.name || 'Alert';
}

/** The facts a step shows when its config has none: the alert's state and where it comes from. */
export function defaultFacts(vars: Pick<ExprVars, 'alert' | 'flow'>): Record<string, string> {
  const { alert } = vars;
  const facts: [string, string | undefined][] = [
    ['Severity', alert.severity],
    ['Status', alert.status],
    [alert.labels.instance ? 'Instance' : 'Host', alert.labels.instance ?? alert.labels.host],
    ['Service', alert.labels.service],
    ['Flow', vars.flow.name || vars.flow.id],
  ];
  return Object.fromEntries(facts.filter((f): f is [string, string] => Boolean(f[1])));
}

/**
 * The message a step posts: from its config (templates already rendered) and, for what the
 * config leaves out, from the alert. The run's button comes only when Salve knows its public
 * address (`runUrl`); a fact whose value rendered empty is left out.
 */
export function teamsMessage(
  config: Pick<Resolved<TeamsNotifyConfig>, 'title' | 'text' | 'facts'>,
  vars: Pick<ExprVars, 'alert' | 'flow'>,
  /** This run's page in the editor (ExecContext.runUrl). */
  runUrl?: string,
): TeamsMessage {
  const body: CardElement[] = [
    { type: 'TextBlock', text: truncate(plainText(config.title ?? defaultTitle(vars.alert)), TITLE_MAX), weight: 'Bolder', size: 'Medium', wrap: true },
    { type: 'TextBlock', text: truncate(plainText(config.text ?? defaultText(vars.alert)), TEXT_MAX), wrap: true },
  ];
  const facts = Object.entries(config.facts ?? defaultFacts(vars))
    .filter(([, value]) => value.trim() !== '')
    .slice(0, MAX_FACTS)
    .map(([title, value]) => ({ title: truncate(plainText(title), FACT_TITLE_MAX), value: truncate(plainText(value), FACT_VALUE_MAX) }));
  if (facts.length > 0) body.push({ type: 'FactSet', facts });
  const withRun = runUrl !== undefined && /^https?:\/\//i.test(runUrl) && runUrl.length <= URL_MAX;
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body,
          ...(withRun ? { actions: [{ type: 'Action.OpenUrl' as const, title: 'Open the run', url: runUrl }] } : {}),
        },
      },
    ],
  };
}
