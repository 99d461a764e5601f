import { z } from 'zod';

/**
 * People, teams and roles: the vocabulary the API, the CLI and the editor share.
 *
 * Roles are held per team. `viewer` reads the team's flows, runs and events; `operator` also runs
 * them by hand, cancels runs and turns flows on and off; `editor` also changes flows and sets
 * secrets (never reads their values); `approver` also decides approvals. A global admin (a flag
 * on the user, and the bootstrap admin token) manages users, teams and settings.
 */
export const ROLES = ['viewer', 'operator', 'editor', 'approver'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_MEANING: Record<Role, string> = {
  viewer: "read the team's flows, runs, approvals and events",
  operator: 'viewer, and run flows by hand, cancel runs, turn flows on and off',
  editor: "viewer, and change flows and set the team's secrets (never read them)",
  approver: 'viewer, and approve or reject approval steps',
};

/** The team everything made before teams existed belongs to; it cannot be deleted. */
export const DEFAULT_TEAM_ID = 'default';

/** Team ids appear in URLs and config: short, lowercase. */
export const TeamIdSchema = z
  .string({ error: 'team is required: a team id such as "payments"' })
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'a team id is 1–63 lowercase letters, digits, "-" or "_", starting with a letter or digit');

export const UsernameSchema = z
  .string({ error: 'username is required' })
  .regex(/^[a-z0-9][a-z0-9._@-]{0,99}$/, 'a username is 1–100 lowercase letters, digits, ".", "_", "@" or "-", starting with a letter or digit');

/** Long enough to resist guessing; the upper bound keeps hashing cheap to refuse. */
export const PasswordSchema = z
  .string({ error: 'password is required' })
  .min(12, 'a password has at least 12 characters')
  .max(512, 'a password has at most 512 characters');

export const EmailSchema = z.email({ error: 'email must be an e-mail address, e.g. ana@example.com' }).max(320);

/** A user's roles: which roles in which team. */
export const TeamRolesSchema = z.array(
  z.strictObject({
    team: TeamIdSchema,
    roles: z.array(z.enum(ROLES, { error: `a role is one of ${ROLES.join(', ')}` })).max(ROLES.length),
  }),
);
export type TeamRoles = z.infer<typeof TeamRolesSchema>;

/** Who is signed in, as `GET /api/me` answers (and the editor shows). */
export interface Me {
  /** Undefined for the bootstrap admin token. */
  user?: { id: string; username: string; displayName: string; email: string | null };
  /** `bootstrap-admin` (the admin token), `user` (a person), `service` (a service account's API token). */
  kind: 'bootstrap-admin' | 'user' | 'service';
  admin: boolean;
  via: 'session' | 'token';
  teams: { id: string; name: string; roles: Role[] }[];
  /** Set when the user holds no role anywhere: what to do about it. */
  explanation?: string;
}
