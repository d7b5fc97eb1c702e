/**
 * The auth API (contract/auth.ts): logging in and out, changing one's password, API tokens and
 * accounts. Requests go through api-client.ts, which adds the CSRF token to every change.
 */
import type {
  ApiTokenRequest,
  ApiTokenView,
  CreatedApiToken,
  CreatedUser,
  SessionView,
  UserRequest,
  UserView,
} from '../../contract/auth';
import { adoptSession, jsonBody, requestJson, requestVoid } from './api-client';

/** 401: wrong username or password; 429: too many failures (ApiRequestError.retryAfterSeconds). */
export async function logIn(username: string, password: string): Promise<SessionView> {
  const view = await requestJson<SessionView>('/api/auth/login', jsonBody('POST', { username, password }), {
    answers401: true,
    noCsrf: true,
  });
  adoptSession(view);
  return view;
}

export function logOut(): Promise<void> {
  return requestVoid('/api/auth/logout', { method: 'POST' }, { answers401: true });
}

/** 401: the current password is wrong; 400: the new one is too short or the same. */
export async function changePassword(currentPassword: string, newPassword: string): Promise<SessionView> {
  const view = await requestJson<SessionView>(
    '/api/auth/password',
    jsonBody('POST', { currentPassword, newPassword }),
    { answers401: true },
  );
  adoptSession(view);
  return view;
}

export function fetchTokens(): Promise<ApiTokenView[]> {
  return requestJson('/api/tokens');
}

export function createToken(request: ApiTokenRequest): Promise<CreatedApiToken> {
  return requestJson('/api/tokens', jsonBody('POST', request));
}

export function revokeToken(id: number): Promise<void> {
  return requestVoid(`/api/tokens/${id}`, { method: 'DELETE' });
}

export function fetchUsers(): Promise<UserView[]> {
  return requestJson('/api/users');
}

export function createUser(request: UserRequest): Promise<CreatedUser> {
  return requestJson('/api/users', jsonBody('POST', request));
}

export function removeUser(username: string): Promise<void> {
  return requestVoid(`/api/users/${encodeURIComponent(username)}`, { method: 'DELETE' });
}
