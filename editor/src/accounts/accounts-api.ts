import type { ApiTokenView, Me, Role, SessionView, TeamRoles, TeamView, UserView } from '../../../shared/people.js';
import { api, call, idParam } from '../api/client.js';

/*
 * The accounts API as the editor uses it (docs/api.md, issue 12): who is signed in, their own
 * sessions, password and API tokens, and, for admins, people and teams. Errors are ApiError.
 */

/** Who is signed in, their admin flag and roles per team. */
export const getMe = (): Promise<Me> => call(api.me.$get());

export const listMySessions = async (): Promise<SessionView[]> => (await call(api.me.sessions.$get())).items;

/** Ends one of the caller's sessions; ending the current one signs this browser out. */
export const endSession = async (id: string): Promise<void> => {
  await call(api.me.sessions[':id'].$delete(idParam(id)));
};

/** 403: the current password is wrong; 409: this account has no password to change. */
export const changePassword = async (current: string, password: string): Promise<void> => {
  await call(api.me.password.$put({ json: { current, password } }));
};

/** The caller's own API tokens (an admin: every token). */
export const listTokens = async (): Promise<ApiTokenView[]> => (await call(api.tokens.$get())).items;

export interface NewToken {
  name: string;
  team: string;
  roles: Role[];
  expiresInDays: number;
  /** A service account's id: an admin makes its tokens. Absent: the caller's own token. */
  userId?: string;
}

/** The answer carries the token's value: the only time anyone sees it. */
export const createToken = (body: NewToken): Promise<{ token: string; item: ApiTokenView }> => call(api.tokens.$post({ json: body }));

export const revokeToken = async (id: string): Promise<void> => {
  await call(api.tokens[':id'].$delete(idParam(id)));
};

export const listUsers = async (): Promise<UserView[]> => (await call(api.users.$get())).items;

export interface NewUser {
  username: string;
  displayName: string;
  email?: string;
  password?: string;
  kind: 'person' | 'service';
  admin: boolean;
  roles: TeamRoles;
}

export const createUser = (body: NewUser): Promise<UserView> => call(api.users.$post({ json: body }));

export interface UserChange {
  displayName?: string;
  email?: string | null;
  password?: string;
  admin?: boolean;
  disabled?: boolean;
}

export const updateUser = (id: string, change: UserChange): Promise<UserView> => call(api.users[':id'].$patch({ ...idParam(id), json: change }));

/** Replaces the roles given by hand; roles from single sign-on stay. */
export const putRoles = (id: string, roles: TeamRoles): Promise<UserView> => call(api.users[':id'].roles.$put({ ...idParam(id), json: { roles } }));

/** An admin gets every team; anyone else the teams they hold a role in. */
export const listTeams = async (): Promise<TeamView[]> => (await call(api.teams.$get())).items;

export const createTeam = (id: string, name: string): Promise<TeamView> => call(api.teams.$post({ json: { id, name } }));

export const renameTeam = (id: string, name: string): Promise<TeamView> => call(api.teams[':id'].$patch({ ...idParam(id), json: { name } }));

/** 409 while the team still owns flows or secrets, or for `default`. */
export const deleteTeam = async (id: string): Promise<void> => {
  await call(api.teams[':id'].$delete(idParam(id)));
};
