import { useEffect, useState } from 'react';
import { isRangeKey, type RangeKey } from './dashboard/figures.js';

/**
 * Hash routes, so the runtime serves one index.html and a reload lands on the same page:
 * `#/flows`, `#/flows/<id>` (`?tab=test` opens the editor on its Test tab, e.g. after "Use as test
 * payload", which stores the chosen delivery in sessionStorage first: see flow-editor/test-input.ts), `#/new` (`#/new?template=<id>`: from a template), `#/runs`, `#/runs?flow=<id>`, `#/runs/<id>`, `#/approvals` (`?link=<token>`: opened from an approval link; the link decides nothing by being opened), `#/secrets`,
 * `#/events` (optionally `?flow=<id>&outcome=<outcome>&source=<type>&path=<path>&event=<id>`),
 * `#/audit` (optionally `?actor=&action=&target=&from=&to=`), `#/dashboard` (optionally `?range=24h|7d|30d&flow=<id>`), `#/account`, `#/people`, `#/teams`.
 * `#/new?team=<id>` creates the flow in that team. `#/sign-in?error=<code>` is where the server sends
 * a refused single sign-on (signed out, the sign-in page shows why: accounts/sso-refusal.ts; signed in,
 * it is the flows page like any unknown address).
 */
export type Route =
  | { page: 'flows' }
  | { page: 'flow'; id: string; tab?: 'test' }
  | { page: 'new-flow'; template?: string; team?: string }
  | { page: 'runs'; flowId?: string }
  | { page: 'run'; id: string }
  | { page: 'approvals'; link?: string }
  | { page: 'events'; filters?: EventsRouteFilters }
  | { page: 'secrets' }
  | { page: 'dashboard'; range: RangeKey; flowId?: string }
  | { page: 'audit'; filters?: AuditRouteFilters }
  | { page: 'account' }
  | { page: 'people' }
  | { page: 'teams' };

/** The Audit page's filters (`#/audit?actor=&action=&target=&from=&to=`; times in ISO). */
export interface AuditRouteFilters {
  actor?: string;
  action?: string;
  target?: string;
  from?: string;
  to?: string;
}

const AUDIT_PARAMS = ['actor', 'action', 'target', 'from', 'to'] as const;

/** The Events page's filters and open event, kept in the address so a reload or a link keeps them. */
export interface EventsRouteFilters {
  flowId?: string;
  outcome?: string;
  source?: string;
  path?: string;
  eventId?: string;
}

const EVENT_PARAMS = [
  ['flow', 'flowId'],
  ['outcome', 'outcome'],
  ['source', 'source'],
  ['path', 'path'],
  ['event', 'eventId'],
] as const;

export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#/, '').split('?');
  const params = new URLSearchParams(query);
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'flows' && parts[1]) return params.get('tab') === 'test' ? { page: 'flow', id: parts[1], tab: 'test' } : { page: 'flow', id: parts[1] };
  if (parts[0] === 'new') {
    const template = params.get('template');
    const team = params.get('team');
    return { page: 'new-flow', ...(template ? { template } : {}), ...(team ? { team } : {}) };
  }
  if (parts[0] === 'runs' && parts[1]) return { page: 'run', id: parts[1] };
  if (parts[0] === 'runs') return params.get('flow') ? { page: 'runs', flowId: params.get('flow')! } : { page: 'runs' };
  if (parts[0] === 'approvals') return params.get('link') ? { page: 'approvals', link: params.get('link')! } : { page: 'approvals' };
  if (parts[0] === 'secrets') return { page: 'secrets' };
  if (parts[0] === 'dashboard') {
    const range = params.get('range') ?? undefined;
    const flow = params.get('flow');
    return { page: 'dashboard', range: isRangeKey(range) ? range : '7d', ...(flow ? { flowId: flow } : {}) };
  }
  if (parts[0] === 'account' || parts[0] === 'people' || parts[0] === 'teams') return { page: parts[0] };
  if (parts[0] === 'audit') {
    const filters: AuditRouteFilters = {};
    for (const key of AUDIT_PARAMS) {
      const value = params.get(key);
      if (value) filters[key] = value;
    }
    return Object.keys(filters).length ? { page: 'audit', filters } : { page: 'audit' };
  }
  if (parts[0] === 'events') {
    const filters: EventsRouteFilters = {};
    for (const [param, key] of EVENT_PARAMS) {
      const value = params.get(param);
      if (value) filters[key] = value;
    }
    return Object.keys(filters).length ? { page: 'events', filters } : { page: 'events' };
  }
  return { page: 'flows' };
}

export function hrefFor(route: Route): string {
  switch (route.page) {
    case 'flows':
      return '#/flows';
    case 'flow':
      return `#/flows/${encodeURIComponent(route.id)}${route.tab ? `?tab=${route.tab}` : ''}`;
    case 'new-flow': {
      const params = new URLSearchParams();
      if (route.template) params.set('template', route.template);
      if (route.team) params.set('team', route.team);
      const qs = params.toString();
      return qs ? `#/new?${qs}` : '#/new';
    }
    case 'runs':
      return route.flowId ? `#/runs?flow=${encodeURIComponent(route.flowId)}` : '#/runs';
    case 'run':
      return `#/runs/${encodeURIComponent(route.id)}`;
    case 'approvals':
      return route.link ? `#/approvals?link=${encodeURIComponent(route.link)}` : '#/approvals';
    case 'secrets':
      return '#/secrets';
    case 'dashboard': {
      const params = new URLSearchParams({ range: route.range });
      if (route.flowId) params.set('flow', route.flowId);
      return `#/dashboard?${params}`;
    }
    case 'account':
    case 'people':
    case 'teams':
      return `#/${route.page}`;
    case 'audit': {
      const params = new URLSearchParams();
      for (const key of AUDIT_PARAMS) if (route.filters?.[key]) params.set(key, route.filters[key]!);
      const qs = params.toString();
      return qs ? `#/audit?${qs}` : '#/audit';
    }
    case 'events': {
      const params = new URLSearchParams();
      for (const [param, key] of EVENT_PARAMS) {
        const value = route.filters?.[key];
        if (value) params.set(param, value);
      }
      const qs = params.toString();
      return qs ? `#/events?${qs}` : '#/events';
    }
  }
}

/**
 * A page with unsaved work registers a guard; navigation (links, back, reload, closing the
 * tab) asks first. Only one page is open at a time, so one guard is enough.
 */
let leaveGuard: (() => string | null) | null = null;

/** Installs `guard` (it returns the question to ask, or null when nothing would be lost). */
export function setLeaveGuard(guard: (() => string | null) | null): void {
  leaveGuard = guard;
}

/** Goes to `route` unless the open page has unsaved work and the operator says no. */
export function navigate(route: Route): void {
  const href = hrefFor(route);
  if (window.location.hash === href) return;
  const question = leaveGuard?.();
  if (question && !window.confirm(question)) return;
  leaveGuard = null;
  window.location.hash = href;
}

window.addEventListener('beforeunload', (e) => {
  if (leaveGuard?.()) e.preventDefault();
});

/** The current route; follows the hash. Back/forward past a guarded page asks too. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    let current = window.location.hash;
    const onChange = () => {
      const next = window.location.hash;
      if (next === current) return;
      const question = leaveGuard?.();
      if (question && !window.confirm(question)) {
        // Put the address back without a second hashchange round trip.
        window.history.pushState(null, '', current || '#/flows');
        return;
      }
      leaveGuard = null;
      current = next;
      setRoute(parseRoute(next));
    };
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
