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

const UsernameSchema = z
  .string({ error: 'username is required' })
  .regex(/^[a-z0-9][a-z0-9._@-]{0,99}$/, 'a username is 1–100 lowercase letters, digits, ".", "_", "@" or "-", starting with a letter or digit');

/** Long enough to resist guessing; the upper bound keeps hashing cheap to refuse. */
export const PasswordSchema = z
  .string({ error: 'password is required' })
  .min(12, 'a password has at least 12 characters')
  .max(512, 'a password has at most 512 characters');

const EmailSchema = z.email({ error: 'email must be an e-mail address, e.g. ana@example.com' }).max(320);

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

/** Names that would be confused with Salve's own actors in the audit log. */
export const RESERVED_USERNAMES = ['admin', 'salve', 'cli', 'system', 'unknown'] as const;

/** `POST /api/users` (admin). Without `password`, a person can only sign in with single sign-on. */
export const CreateUserSchema = z.strictObject({
  username: UsernameSchema.refine((u) => !(RESERVED_USERNAMES as readonly string[]).includes(u), 'this username is reserved'),
  displayName: z.string().trim().min(1, 'displayName is required').max(200),
  email: EmailSchema.optional(),
  password: PasswordSchema.optional(),
  kind: z.enum(['person', 'service']).default('person'),
  admin: z.boolean().default(false),
  roles: TeamRolesSchema.default([]),
});
export type CreateUser = z.infer<typeof CreateUserSchema>;

/** `PATCH /api/users/:id` (admin): omitted fields stay. Disabling ends the user's sessions and tokens. */
export const UpdateUserSchema = z.strictObject({
  displayName: z.string().trim().min(1).max(200).optional(),
  email: EmailSchema.nullable().optional(),
  password: PasswordSchema.optional(),
  admin: z.boolean().optional(),
  disabled: z.boolean().optional(),
});

/** `PUT /api/users/:id/roles` (admin): the user's roles given by hand (single sign-on roles are kept apart). */
export const PutRolesSchema = z.strictObject({ roles: TeamRolesSchema });

/** `POST /api/teams` (admin). */
export const CreateTeamSchema = z.strictObject({ id: TeamIdSchema, name: z.string().trim().min(1, 'name is required').max(200) });

/** `POST /api/session` with a password (the admin token form `{ token }` stays). */
export const PasswordSignInSchema = z.strictObject({
  username: z.string({ error: 'username is required' }).min(1, 'username is required').max(100),
  password: z.string({ error: 'password is required' }).min(1, 'password is required').max(512),
});

/** `PUT /api/me/password`. */
export const ChangePasswordSchema = z.strictObject({
  current: z.string().min(1, 'current is required: your current password').max(512),
  password: PasswordSchema,
});

/** `POST /api/tokens`: a token of the caller (or, for an admin, of a service account via `userId`). */
export const CreateApiTokenSchema = z.strictObject({
  name: z.string().trim().min(1, 'name is required: what the token is for').max(100),
  team: TeamIdSchema,
  roles: z.array(z.enum(ROLES)).min(1, 'roles: give at least one role').max(ROLES.length),
  /** Days until it expires (1–366). */
  expiresInDays: z.number().int().min(1).max(366),
  userId: z.string().min(1).max(100).optional(),
});

/** A user as the API answers it (never the password hash). */
export interface UserView {
  id: string;
  kind: 'person' | 'service';
  username: string;
  displayName: string;
  email: string | null;
  admin: boolean;
  disabled: boolean;
  /** How they sign in: `password`, `sso`, both, or none (service accounts). */
  signIn: ('password' | 'sso')[];
  roles: { team: string; roles: Role[]; origin: 'manual' | 'oidc' }[];
  createdAt: string;
  lastSignInAt: string | null;
}

export interface TeamView {
  id: string;
  name: string;
  createdAt: string;
  members: { userId: string; username: string; displayName: string; roles: Role[] }[];
  flowCount: number;
}

/** One of the caller's own sessions (`GET /api/me/sessions`). */
export interface SessionView {
  id: string;
  createdAt: string;
  lastUsedAt: string;
  expiresAt: string;
  address: string | null;
  userAgent: string | null;
  /** The session this request came with. */
  current: boolean;
}

/** An API token as listed (never its value; the value is in the creation answer only). */
export interface ApiTokenView {
  id: string;
  name: string;
  userId: string;
  username: string;
  team: string;
  roles: Role[];
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}
