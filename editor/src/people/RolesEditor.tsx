import { ROLE_MEANING, ROLES, type Role, type TeamRoles } from '../../../shared/people.js';
import { hasRole, toggleRole } from './roles-matrix.js';

/**
 * One row of role checkboxes per team. `fixed` are roles single sign-on gives (shown checked and
 * locked: they change at the identity provider, not here).
 */
export function RolesEditor({
  teams,
  value,
  onChange,
  fixed = [],
}: {
  teams: readonly { id: string; name: string }[];
  value: TeamRoles;
  onChange: (roles: TeamRoles) => void;
  fixed?: TeamRoles;
}) {
  if (teams.length === 0) return <p className="muted small">No teams yet: create one on the Teams page first.</p>;
  return (
    <table className="list roles-editor" data-testid="roles-editor">
      <thead>
        <tr>
          <th scope="col">Team</th>
          {ROLES.map((role) => (
            <th key={role} scope="col" title={ROLE_MEANING[role]}>
              {role}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {teams.map((team) => (
          <tr key={team.id} data-testid={`roles-team-${team.id}`}>
            <th scope="row">
              {team.name} <span className="muted small mono">{team.id}</span>
            </th>
            {ROLES.map((role: Role) => {
              const locked = hasRole(fixed, team.id, role);
              return (
                <td key={role}>
                  <input
                    type="checkbox"
                    aria-label={`${role} in ${team.name}`}
                    title={locked ? 'Given by single sign-on' : ROLE_MEANING[role]}
                    checked={locked || hasRole(value, team.id, role)}
                    disabled={locked}
                    onChange={(e) => onChange(toggleRole(value, team.id, role, e.target.checked))}
                    data-testid={`role-${team.id}-${role}`}
                  />
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** What each role allows, under the checkboxes. */
export function RoleLegend() {
  return (
    <ul className="role-legend muted small">
      {ROLES.map((role) => (
        <li key={role}>
          <strong>{role}</strong>: {ROLE_MEANING[role]}
        </li>
      ))}
    </ul>
  );
}
