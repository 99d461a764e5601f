import { createHash } from 'node:crypto';
import type { Alert } from '../../../shared/alert/schema.js';
import type { ExprVars } from '../../../shared/expr/types.js';
import { truncate } from '../../../shared/text.js';
import type { Resolved } from '../../executor.js';
import type { JsonAnswer } from '../../json-api.js';
import { DASHBOARD_UID, MAX_TAG_CHARS, MAX_TEXT_CHARS, PANEL_ID, type AnnotateConfig } from './definition.js';

type Config = Resolved<AnnotateConfig>;

/** Grafana's reserved annotations (or labels) naming an alert rule's dashboard and panel. */
const DASHBOARD_UID_KEY = '__dashboardUid__';
const PANEL_ID_KEY = '__panelId__';

/** The body of `POST /api/annotations`. */
export interface AnnotationBody {
  dashboardUID?: string;
  panelId?: number;
  time: number;
  timeEnd?: number;
  tags: string[];
  text: string;
}

/** Where an annotation goes: a dashboard (and a panel of it), or the organization (both null). */
interface AnnotationTarget {
  dashboardUid: string | null;
  panelId: number | null;
}

/** A URL's text as a URL, or undefined when it is not one. */
function parsedUrl(text: unknown): URL | undefined {
  if (typeof text !== 'string' || text === '') return undefined;
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

/** The dashboard UID in a Grafana dashboard or panel link (`…/d/<uid>[/<slug>]?…`), checked. */
function uidInLink(link: URL | undefined): string | undefined {
  const uid = link ? /\/d\/([^/]+)/.exec(link.pathname)?.[1] : undefined;
  return uid !== undefined && DASHBOARD_UID.test(uid) ? uid : undefined;
}

/** The panel a panel link views (`viewPanel=4`, or `panel-4` in newer links), checked. */
function panelInLink(link: URL | undefined): string | undefined {
  const panel = link?.searchParams.get('viewPanel')?.replace(/^panel-/, '');
  return panel !== undefined && PANEL_ID.test(panel) ? panel : undefined;
}

/**
 * The dashboard and panel a Grafana alert points at: the reserved `__dashboardUid__` and
 * `__panelId__` (kept by alerts of Grafana-managed rules sent through an Alertmanager), else the
 * links of a Grafana webhook's alert (`dashboardURL`, `panelURL`: source.grafana keeps the alert
 * entry as `raw`, and the first of them as `links.dashboard`). Values that are not a UID or a
 * panel id are ignored: an alert may carry anything.
 */
export function alertDashboard(alert: Pick<Alert, 'labels' | 'annotations' | 'links' | 'raw'>): { dashboardUid?: string; panelId?: string } {
  const raw = alert.raw !== null && typeof alert.raw === 'object' ? (alert.raw as { dashboardURL?: unknown; panelURL?: unknown }) : {};
  const panelLink = parsedUrl(raw.panelURL);
  const reservedUid = alert.annotations[DASHBOARD_UID_KEY] ?? alert.labels[DASHBOARD_UID_KEY];
  const dashboardUid =
    (reservedUid !== undefined && DASHBOARD_UID.test(reservedUid) ? reservedUid : undefined) ??
    uidInLink(parsedUrl(raw.dashboardURL)) ??
    uidInLink(panelLink) ??
    uidInLink(parsedUrl(alert.links.dashboard));
  const reservedPanel = alert.annotations[PANEL_ID_KEY] ?? alert.labels[PANEL_ID_KEY];
  const panelId = (reservedPanel !== undefined && PANEL_ID.test(reservedPanel) ? reservedPanel : undefined) ?? panelInLink(panelLink);
  return { ...(dashboardUid ? { dashboardUid } : {}), ...(panelId ? { panelId } : {}) };
}

/**
 * Where the annotation goes, or why it cannot: `dashboardUid` and `panelId` as rendered (empty:
 * none), else the alert's dashboard and panel. The alert's panel is used only with the alert's
 * dashboard, and a panel only with a dashboard.
 */
export function annotationTarget(config: Pick<Config, 'dashboardUid' | 'panelId'>, alert: Pick<Alert, 'labels' | 'annotations' | 'links' | 'raw'>): AnnotationTarget | string {
  const fromAlert = alertDashboard(alert);
  let dashboardUid: string | undefined;
  let panel: string | undefined;
  if (config.dashboardUid !== undefined) {
    dashboardUid = config.dashboardUid.trim() || undefined;
    if (dashboardUid !== undefined && !DASHBOARD_UID.test(dashboardUid)) {
      return `dashboardUid is ${JSON.stringify(truncate(dashboardUid, 100))}, not a Grafana dashboard UID (letters, digits, - and _, at most 40)`;
    }
  } else {
    dashboardUid = fromAlert.dashboardUid;
    panel = fromAlert.panelId;
  }
  if (config.panelId !== undefined) {
    panel = config.panelId.trim() || undefined;
    if (panel !== undefined && !PANEL_ID.test(panel)) return `panelId is ${JSON.stringify(truncate(panel, 100))}, not a panel id (a whole number)`;
  }
  if (dashboardUid === undefined) return { dashboardUid: null, panelId: null };
  return { dashboardUid, panelId: panel === undefined ? null : Number(panel) };
}

/**
 * The tag that ties an annotation to the step that added it, found again when the step is
 * retried: `salve:` and 12 hex digits of the step's key (Grafana keeps `key:value` tags as a
 * pair, each part at most 100 characters, which a whole key could exceed).
 */
export function markerTag(idempotencyKey: string): string {
  return `salve:${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 12)}`;
}

/** The rendered tags, trimmed and cut, without empty ones or repeats, then the step's marker. */
export function annotationTags(tags: readonly string[], idempotencyKey: string): string[] {
  const kept = tags.map((t) => truncate(t.trim(), MAX_TAG_CHARS)).filter((t) => t !== '');
  return [...new Set([...kept, markerTag(idempotencyKey)])];
}

/** When the annotation is: now, or from the alert's start to now (a point when the start is unknown or later). */
function timesOf(config: Pick<Config, 'span'>, alert: Pick<Alert, 'startsAt'>, now: Date): { time: number; timeEnd?: number } {
  const end = now.getTime();
  const start = Date.parse(alert.startsAt);
  if (config.span === 'since-alert' && Number.isFinite(start) && start < end) return { time: start, timeEnd: end };
  return { time: end };
}

/** The annotation a step posts, or why it cannot (the same for the run and the Test panel's preview). */
export function annotationBody(
  config: Config,
  vars: Pick<ExprVars, 'alert' | 'execution'>,
  at: { now: Date; idempotencyKey: string; runUrl?: string | undefined },
): { body: AnnotationBody; target: AnnotationTarget } | string {
  const target = annotationTarget(config, vars.alert);
  if (typeof target === 'string') return target;
  const body: AnnotationBody = {
    ...(target.dashboardUid !== null ? { dashboardUID: target.dashboardUid } : {}),
    ...(target.panelId !== null ? { panelId: target.panelId } : {}),
    ...timesOf(config, vars.alert, at.now),
    tags: annotationTags(config.tags, at.idempotencyKey),
    text: `${truncate(config.text, MAX_TEXT_CHARS)}\nSalve run: ${at.runUrl ?? vars.execution.id}`,
  };
  return { body, target };
}

/** Grafana's words for a refusal: its `message` (and `error`, when it says more); the body's text otherwise. */
export function reasonOf(answer: JsonAnswer): string {
  const json = answer.json as { message?: unknown; error?: unknown } | undefined;
  const message = typeof json?.message === 'string' ? json.message : undefined;
  const error = typeof json?.error === 'string' && json.error !== message ? json.error : undefined;
  const words = [message, error].filter((w): w is string => !!w).join(': ');
  return truncate(words || answer.text, 1000) || 'no reason given';
}
