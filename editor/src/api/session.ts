import type { SignInHint } from '../../../shared/api-views.js';
import { api, ApiError, call } from './client.js';

/** Whether this browser is signed in (the session cookie is HttpOnly, so only the server knows). */
export async function isSignedIn(): Promise<boolean> {
  try {
    await call(api.session.$get());
    return true;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return false;
    throw error;
  }
}

/** Exchanges the admin token for a session cookie; the token itself is not kept anywhere. */
export async function signIn(token: string): Promise<void> {
  await call(api.session.$post({ json: { token } }));
}

/** Signs a person in with their username and password (401 names no reason beyond "wrong username or password", or a disabled account). */
export async function signInWithPassword(username: string, password: string): Promise<void> {
  await call(api.session.$post({ json: { username, password } }));
}

/** How one can sign in here: where the admin token is kept (the token file), and single sign-on when it is set up. */
export async function signInHint(): Promise<SignInHint> {
  return call(api.session.hint.$get());
}

export async function signOut(): Promise<void> {
  await call(api.session.$delete());
}
