import { ROLES } from '../../shared/people.js';
import { ADMIN_PERMISSIONS, permissionsOfRoles } from './roles.js';
import { PERMISSION_MEANING, PERMISSIONS, ROUTE_TABLE, TEAM_SOURCES, UNAUTHENTICATED, type Permission, type RouteRule } from './route-table.js';

const MATRIX_START = '<!-- route-matrix:start -->';
const MATRIX_END = '<!-- route-matrix:end -->';

/**
 * The callers the matrix has a column for, with the permissions each holds: no credentials, an
 * admin (a user with the admin flag, or the admin token), each team role, and a signed-in user
 * holding no role.
 */
const CALLERS: { name: string; permissions: ReadonlySet<Permission> | undefined; admin?: boolean }[] = [
  { name: 'no credentials', permissions: undefined },
  { name: 'admin', permissions: ADMIN_PERMISSIONS, admin: true },
  ...ROLES.map((role) => ({ name: role, permissions: permissionsOfRoles([role]) })),
  { name: 'no role', permissions: new Set<Permission>() },
];

/**
 * What a caller holding `held` gets from `rule`, before the handler runs. A team role holds its
 * permissions in its own team only: `own team` for routes naming a team's resource, `own teams`
 * for lists (answering only its teams' items); another team's resource answers 403.
 */
function outcome(rule: Pick<RouteRule, 'permission' | 'team'>, held: ReadonlySet<Permission> | undefined, admin = false): string {
  if (UNAUTHENTICATED.has(rule.permission)) return 'yes';
  if (!held) return '401';
  if (rule.permission === 'authenticated') return 'yes';
  if (!held.has(rule.permission)) return '403';
  if (admin || rule.team === 'none') return 'yes';
  return rule.team === 'list' ? 'own teams' : 'own team';
}

const code = (text: string) => `\`${text}\``;

/** The permission matrix of docs/api.md, from the route table. */
function routeMatrixMarkdown(table: readonly RouteRule[] = ROUTE_TABLE): string {
  const out: string[] = [];
  out.push('| permission | allows | held by |', '|---|---|---|');
  for (const p of PERMISSIONS) {
    const holders = CALLERS.filter((c) => outcome({ permission: p, team: 'none' }, c.permissions, c.admin) === 'yes').map((c) => c.name);
    out.push(`| ${code(p)} | ${PERMISSION_MEANING[p]} | ${holders.join(', ')} |`);
  }
  out.push('', `| method | path | what | permission | team from | ${CALLERS.map((c) => c.name).join(' | ')} |`);
  out.push(`|---|---|---|---|---|${CALLERS.map(() => '---|').join('')}`);
  for (const r of table) {
    const cells = CALLERS.map((c) => outcome(r, c.permissions, c.admin));
    out.push(`| ${r.method === 'ALL' ? 'any' : r.method} | ${code(r.path)} | ${r.summary} | ${code(r.permission)} | ${code(r.team)} | ${cells.join(' | ')} |`);
  }
  out.push('', 'Team from (how the team owning what a route touches is found):', '');
  for (const [source, meaning] of Object.entries(TEAM_SOURCES)) out.push(`- ${code(source)}: ${meaning}`);
  return `${out.join('\n')}\n`;
}

/**
 * `markdown` (docs/api.md) with the part between the matrix markers replaced by the matrix of
 * `table`; the hand-written text around it is kept as it is.
 */
export function withGeneratedRouteMatrix(markdown: string, table: readonly RouteRule[] = ROUTE_TABLE): string {
  const start = markdown.indexOf(MATRIX_START);
  const end = markdown.indexOf(MATRIX_END);
  if (start < 0 || end < start) throw new Error(`the markers ${MATRIX_START} and ${MATRIX_END} are missing or out of order`);
  const note = '<!-- Generated from runtime/http/route-table.ts by `npm run docs:api`: edit the table, not this part. -->';
  return `${markdown.slice(0, start)}${MATRIX_START}\n${note}\n\n${routeMatrixMarkdown(table)}\n${markdown.slice(end)}`;
}
