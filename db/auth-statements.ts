/**
 * Accounts, sessions and API tokens: the store server/auth/ reads on every request, as an async
 * interface with two engines, SQLite here (raw prepared statements) and PostgreSQL for the scaled
 * deployment (db/pg/auth-store.ts), so that the same auth code runs on either. Only hashes are
 * stored; see db/schema.ts.
 */
import type Database from 'better-sqlite3';
import type { Role } from '../contract/auth';

export interface UserRow {
  username: string;
  role: Role;
  passwordHash: string;
  mustChangePassword: number;
  createdAtMs: number;
  lastLoginAtMs: number | null;
}

export interface SessionRow {
  idSha256: string;
  username: string;
  role: Role;
  mustChangePassword: number;
  csrfToken: string;
  expiresAtMs: number;
}

export interface ApiTokenRow {
  id: number;
  name: string;
  role: Role;
  createdAtMs: number;
  createdBy: string;
  lastUsedAtMs: number | null;
  revokedAtMs: number | null;
}

export interface NewUser {
  username: string;
  role: Role;
  passwordHash: string;
  mustChangePassword: boolean;
  createdAtMs: number;
}

export interface NewSession {
  idSha256: string;
  username: string;
  csrfToken: string;
  createdAtMs: number;
  expiresAtMs: number;
}

export interface NewApiToken {
  tokenSha256: string;
  name: string;
  role: Role;
  createdAtMs: number;
  createdBy: string;
}

export interface AuthStore {
  userCount(): Promise<number>;
  operatorCount(): Promise<number>;
  user(username: string): Promise<UserRow | undefined>;
  users(): Promise<UserRow[]>;
  insertUser(user: NewUser): Promise<void>;
  setPassword(username: string, passwordHash: string, mustChangePassword: boolean): Promise<void>;
  loggedIn(username: string, atMs: number): Promise<void>;
  deleteUser(username: string): Promise<void>;

  insertSession(session: NewSession): Promise<void>;
  /** The session if it has not expired at nowMs, with its user's role. */
  session(idSha256: string, nowMs: number): Promise<SessionRow | undefined>;
  renewSession(idSha256: string, expiresAtMs: number): Promise<void>;
  deleteSession(idSha256: string): Promise<void>;
  /** Every session of the user but keepIdSha256 ('' for none). */
  deleteOtherSessions(username: string, keepIdSha256: string): Promise<void>;
  /** How many were deleted. */
  deleteExpiredSessions(nowMs: number): Promise<number>;

  /** The new token's id. */
  insertToken(token: NewApiToken): Promise<number>;
  token(id: number): Promise<ApiTokenRow | undefined>;
  tokens(): Promise<ApiTokenRow[]>;
  /** An unrevoked token by its hash. */
  liveToken(tokenSha256: string): Promise<ApiTokenRow | undefined>;
  tokenUsed(id: number, atMs: number): Promise<void>;
  /** Revokes the token unless it already is. */
  revokeToken(id: number, atMs: number): Promise<void>;
}

/** Failed logins kept where every web process sees them (db/pg/login-failure-store.ts). */
export interface LoginFailureStore {
  /** Each key's failures after sinceMs, oldest first. */
  recent(keys: string[], sinceMs: number): Promise<Map<string, number[]>>;
  /** Records a failure under each key, and forgets every failure at or before forgetUpToMs. */
  add(keys: string[], atMs: number, forgetUpToMs: number): Promise<void>;
  forget(key: string): Promise<void>;
}

/** The name server/auth/ imports the store by. */
export type AuthStatements = AuthStore;

export const userColumns = `username, role, password_hash AS passwordHash,
  must_change_password AS mustChangePassword, created_at_ms AS createdAtMs,
  last_login_at_ms AS lastLoginAtMs`;
export const tokenColumns = `id, name, role, created_at_ms AS createdAtMs, created_by AS createdBy,
  last_used_at_ms AS lastUsedAtMs, revoked_at_ms AS revokedAtMs`;
export const sessionQuery = `SELECT s.id_sha256 AS idSha256, s.username, u.role,
    u.must_change_password AS mustChangePassword, s.csrf_token AS csrfToken, s.expires_at_ms AS expiresAtMs
  FROM sessions s JOIN users u ON u.username = s.username
  WHERE s.id_sha256 = ? AND s.expires_at_ms > ?`;

/** The SQLite store: one prepared statement per call. */
export function prepareAuthStatements(sqlite: Database.Database): AuthStore {
  const s = {
    userCount: sqlite.prepare<[], { n: number }>('SELECT count(*) AS n FROM users'),
    operatorCount: sqlite.prepare<[], { n: number }>(
      "SELECT count(*) AS n FROM users WHERE role = 'operator'",
    ),
    user: sqlite.prepare<[string], UserRow>(`SELECT ${userColumns} FROM users WHERE username = ?`),
    users: sqlite.prepare<[], UserRow>(`SELECT ${userColumns} FROM users ORDER BY username`),
    insertUser: sqlite.prepare<[string, Role, string, number, number]>(
      `INSERT INTO users (username, role, password_hash, must_change_password, created_at_ms)
       VALUES (?, ?, ?, ?, ?)`,
    ),
    setPassword: sqlite.prepare<[string, number, string]>(
      'UPDATE users SET password_hash = ?, must_change_password = ? WHERE username = ?',
    ),
    loggedIn: sqlite.prepare<[number, string]>('UPDATE users SET last_login_at_ms = ? WHERE username = ?'),
    deleteUser: sqlite.prepare<[string]>('DELETE FROM users WHERE username = ?'),
    insertSession: sqlite.prepare<[string, string, string, number, number]>(
      `INSERT INTO sessions (id_sha256, username, csrf_token, created_at_ms, expires_at_ms)
       VALUES (?, ?, ?, ?, ?)`,
    ),
    session: sqlite.prepare<[string, number], SessionRow>(sessionQuery),
    renewSession: sqlite.prepare<[number, string]>(
      'UPDATE sessions SET expires_at_ms = ? WHERE id_sha256 = ?',
    ),
    deleteSession: sqlite.prepare<[string]>('DELETE FROM sessions WHERE id_sha256 = ?'),
    deleteOtherSessions: sqlite.prepare<[string, string]>(
      'DELETE FROM sessions WHERE username = ? AND id_sha256 != ?',
    ),
    deleteExpiredSessions: sqlite.prepare<[number]>('DELETE FROM sessions WHERE expires_at_ms <= ?'),
    insertToken: sqlite.prepare<[string, string, Role, number, string]>(
      `INSERT INTO api_tokens (token_sha256, name, role, created_at_ms, created_by) VALUES (?, ?, ?, ?, ?)`,
    ),
    token: sqlite.prepare<[number], ApiTokenRow>(`SELECT ${tokenColumns} FROM api_tokens WHERE id = ?`),
    tokens: sqlite.prepare<[], ApiTokenRow>(`SELECT ${tokenColumns} FROM api_tokens ORDER BY id`),
    liveToken: sqlite.prepare<[string], ApiTokenRow>(
      `SELECT ${tokenColumns} FROM api_tokens WHERE token_sha256 = ? AND revoked_at_ms IS NULL`,
    ),
    tokenUsed: sqlite.prepare<[number, number]>('UPDATE api_tokens SET last_used_at_ms = ? WHERE id = ?'),
    revokeToken: sqlite.prepare<[number, number]>(
      'UPDATE api_tokens SET revoked_at_ms = ? WHERE id = ? AND revoked_at_ms IS NULL',
    ),
  };
  return {
    userCount: async () => s.userCount.get()?.n ?? 0,
    operatorCount: async () => s.operatorCount.get()?.n ?? 0,
    user: async (username) => s.user.get(username),
    users: async () => s.users.all(),
    insertUser: async (u) => {
      s.insertUser.run(u.username, u.role, u.passwordHash, u.mustChangePassword ? 1 : 0, u.createdAtMs);
    },
    setPassword: async (username, hash, mustChange) => {
      s.setPassword.run(hash, mustChange ? 1 : 0, username);
    },
    loggedIn: async (username, atMs) => {
      s.loggedIn.run(atMs, username);
    },
    deleteUser: async (username) => {
      s.deleteUser.run(username);
    },
    insertSession: async (n) => {
      s.insertSession.run(n.idSha256, n.username, n.csrfToken, n.createdAtMs, n.expiresAtMs);
    },
    session: async (idSha256, nowMs) => s.session.get(idSha256, nowMs),
    renewSession: async (idSha256, expiresAtMs) => {
      s.renewSession.run(expiresAtMs, idSha256);
    },
    deleteSession: async (idSha256) => {
      s.deleteSession.run(idSha256);
    },
    deleteOtherSessions: async (username, keep) => {
      s.deleteOtherSessions.run(username, keep);
    },
    deleteExpiredSessions: async (nowMs) => s.deleteExpiredSessions.run(nowMs).changes,
    insertToken: async (t) =>
      Number(s.insertToken.run(t.tokenSha256, t.name, t.role, t.createdAtMs, t.createdBy).lastInsertRowid),
    token: async (id) => s.token.get(id),
    tokens: async () => s.tokens.all(),
    liveToken: async (sha) => s.liveToken.get(sha),
    tokenUsed: async (id, atMs) => {
      s.tokenUsed.run(atMs, id);
    },
    revokeToken: async (id, atMs) => {
      s.revokeToken.run(atMs, id);
    },
  };
}
