/**
 * Who may see and change what (issue 7): the HTTP and socket.io contract of logins, sessions, API
 * tokens and accounts. A `viewer` reads everything but secrets; an `operator` may also change state.
 */

/** Least privileged first. */
export const roles = ['viewer', 'operator'] as const;
export type Role = (typeof roles)[number];

/** The session cookie: HttpOnly, SameSite=Strict, Secure behind TLS. */
export const sessionCookieName = 'cw_session';

/** Every state-changing request made with a session cookie carries the session's CSRF token here. */
export const csrfHeaderName = 'x-csrf-token';

/** Bearer API tokens start with this, so that a leaked one is recognisable. */
export const apiTokenPrefix = 'cwt_';

/**
 * GET /api/auth/session → 200 SessionView, or 401 when the request carries no valid session or token.
 * With AUTH=off every request is `anonymous` with the operator role and `authDisabled: true`.
 */
export interface SessionView {
  username: string;
  role: Role;
  /** How this request was authenticated. */
  via: 'session' | 'token' | 'auth-off';
  /** Send as the `x-csrf-token` header on every POST/PUT/PATCH/DELETE; empty unless `via` is session. */
  csrfToken: string;
  /** Set on a one-time password: until it is changed, only the password and logout calls are allowed. */
  mustChangePassword: boolean;
  authDisabled: boolean;
  /** When the session ends unless renewed by use (epoch ms); null for tokens and AUTH=off. */
  expiresAtMs: number | null;
}

/**
 * POST /api/auth/login LoginRequest → 200 SessionView with the session cookie set; 401 on a wrong
 * username or password (the same answer for both); 429 with Retry-After when rate-limited.
 * POST /api/auth/logout → 204, the session ended and the cookie cleared.
 */
export interface LoginRequest {
  username: string;
  password: string;
}

/**
 * POST /api/auth/password PasswordChangeRequest → 200 SessionView (any logged-in user, for their own
 * account; a cookie session needs its CSRF token). 401 when `currentPassword` is wrong; 400 when the
 * new one is shorter than `minPasswordLength` or equals the current one. Ends the user's other sessions.
 */
export interface PasswordChangeRequest {
  currentPassword: string;
  newPassword: string;
}

export const minPasswordLength = 12;

/**
 * API tokens, operator only. GET /api/tokens → ApiTokenView[] (revoked ones included);
 * POST /api/tokens ApiTokenRequest → 201 CreatedApiToken, the only time the token is shown;
 * DELETE /api/tokens/:id → 204, revoked at once.
 */
export interface ApiTokenView {
  id: number;
  name: string;
  role: Role;
  createdAtMs: number;
  createdBy: string;
  lastUsedAtMs: number | null;
  revokedAtMs: number | null;
}

export interface ApiTokenRequest {
  /** 1–64 characters, to tell tokens apart. */
  name: string;
  role: Role;
}

export interface CreatedApiToken extends ApiTokenView {
  /** `cwt_…`: shown once, stored only as a hash. Send as `Authorization: Bearer <token>`. */
  token: string;
}

/**
 * Accounts, operator only. GET /api/users → UserView[];
 * POST /api/users UserRequest → 201 CreatedUser with a generated one-time password, shown once;
 * DELETE /api/users/:username → 204 (its sessions end; the last operator cannot be removed).
 */
export interface UserView {
  username: string;
  role: Role;
  createdAtMs: number;
  mustChangePassword: boolean;
  lastLoginAtMs: number | null;
}

export interface UserRequest {
  /** 1–64 of A–Z a–z 0–9 . _ - */
  username: string;
  role: Role;
}

export interface CreatedUser extends UserView {
  oneTimePassword: string;
}
