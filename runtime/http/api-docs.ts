import { ADMIN_PERMISSIONS } from './auth.js';
import { PERMISSION_MEANING, PERMISSIONS, ROUTE_TABLE, TEAM_SOURCES, UNAUTHENTICATED, type Permission, type RouteRule } from './route-table.js';

const MATRIX_START = '<!-- route-matrix:start -->';
const MATRIX_END = '<!-- route-matrix:end -->';

/**
 * The callers the matrix has a column for, with the permissions each holds. Roles (viewer,
 * operator, editor, approver) become more columns when they exist.
 */
const CALLERS: { name: string; permissions: ReadonlySet<Permission> | undefined }[] = [
  { name: 'no credentials', permissions: undefined },
  { name: 'admin (token or session)', permissions: ADMIN_PERMISSIONS },
];

/** What a caller holding `held` gets from a route needing `permission`, before the handler runs. */
function outcome(permission: Permission, held: ReadonlySet<Permission> | undefined): string {
  if (UNAUTHENTICATED.has(permission)) return 'yes';
  if (!held) return '401';
  return permission === 'authenticated' || held.has(permission) ? 'yes' : '403';
}

const code = (text: string) => `\`${text}\``;

/** The permission matrix of docs/api.md, from the route table. */
function routeMatrixMarkdown(table: readonly RouteRule[] = ROUTE_TABLE): string {
  const out: string[] = [];
  out.push('| permission | allows | held by |', '|---|---|---|');
  for (const p of PERMISSIONS) {
    const holders = CALLERS.filter((c) => outcome(p, c.permissions) === 'yes').map((c) => c.name);
    out.push(`| ${code(p)} | ${PERMISSION_MEANING[p]} | ${holders.join(', ')} |`);
  }
  out.push('', `| method | path | what | permission | team from | ${CALLERS.map((c) => c.name).join(' | ')} |`);
  out.push(`|---|---|---|---|---|${CALLERS.map(() => '---|').join('')}`);
  for (const r of table) {
    const cells = CALLERS.map((c) => outcome(r.permission, c.permissions));
    out.push(`| ${r.method === 'ALL' ? 'any' : r.method} | ${code(r.path)} | ${r.summary} | ${code(r.permission)} | ${code(r.team)} | ${cells.join(' | ')} |`);
  }
  out.push('', 'Team from (resources all belong to the default team until teams exist):', '');
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
