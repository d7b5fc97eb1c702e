/**
 * Accounts, sessions and API tokens as raw prepared statements (server/auth/ uses them on every
 * request). Only hashes are stored; see db/schema.ts.
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

export function prepareAuthStatements(sqlite: Database.Database) {
  const userColumns = `username, role, password_hash AS passwordHash,
    must_change_password AS mustChangePassword, created_at_ms AS createdAtMs,
    last_login_at_ms AS lastLoginAtMs`;
  const tokenColumns = `id, name, role, created_at_ms AS createdAtMs, created_by AS createdBy,
    last_used_at_ms AS lastUsedAtMs, revoked_at_ms AS revokedAtMs`;
  return {
    userCount: sqlite.prepare<[], { n: number }>('SELECT count(*) AS n FROM users'),
    operatorCount: sqlite.prepare<[], { n: number }>(
      "SELECT count(*) AS n FROM users WHERE role = 'operator'",
    ),
    user: sqlite.prepare<[string], UserRow>(`SELECT ${userColumns} FROM users WHERE username = ?`),
    users: sqlite.prepare<[], UserRow>(`SELECT ${userColumns} FROM users ORDER BY username`),
    /** username, role, passwordHash, mustChangePassword (0|1), createdAtMs */
    insertUser: sqlite.prepare<[string, Role, string, number, number]>(
      `INSERT INTO users (username, role, password_hash, must_change_password, created_at_ms)
       VALUES (?, ?, ?, ?, ?)`,
    ),
    /** passwordHash, mustChangePassword (0|1), username */
    setPassword: sqlite.prepare<[string, number, string]>(
      'UPDATE users SET password_hash = ?, must_change_password = ? WHERE username = ?',
    ),
    /** atMs, username */
    loggedIn: sqlite.prepare<[number, string]>('UPDATE users SET last_login_at_ms = ? WHERE username = ?'),
    deleteUser: sqlite.prepare<[string]>('DELETE FROM users WHERE username = ?'),

    /** idSha256, username, csrfToken, createdAtMs, expiresAtMs */
    insertSession: sqlite.prepare<[string, string, string, number, number]>(
      `INSERT INTO sessions (id_sha256, username, csrf_token, created_at_ms, expires_at_ms)
       VALUES (?, ?, ?, ?, ?)`,
    ),
    /** idSha256, nowMs */
    session: sqlite.prepare<[string, number], SessionRow>(
      `SELECT s.id_sha256 AS idSha256, s.username, u.role, u.must_change_password AS mustChangePassword,
              s.csrf_token AS csrfToken, s.expires_at_ms AS expiresAtMs
       FROM sessions s JOIN users u ON u.username = s.username
       WHERE s.id_sha256 = ? AND s.expires_at_ms > ?`,
    ),
    /** expiresAtMs, idSha256 */
    renewSession: sqlite.prepare<[number, string]>(
      'UPDATE sessions SET expires_at_ms = ? WHERE id_sha256 = ?',
    ),
    deleteSession: sqlite.prepare<[string]>('DELETE FROM sessions WHERE id_sha256 = ?'),
    /** username, keepIdSha256 (or '' for none) */
    deleteOtherSessions: sqlite.prepare<[string, string]>(
      'DELETE FROM sessions WHERE username = ? AND id_sha256 != ?',
    ),
    /** nowMs */
    deleteExpiredSessions: sqlite.prepare<[number]>('DELETE FROM sessions WHERE expires_at_ms <= ?'),

    /** tokenSha256, name, role, createdAtMs, createdBy */
    insertToken: sqlite.prepare<[string, string, Role, number, string]>(
      `INSERT INTO api_tokens (token_sha256, name, role, created_at_ms, created_by) VALUES (?, ?, ?, ?, ?)`,
    ),
    token: sqlite.prepare<[number], ApiTokenRow>(`SELECT ${tokenColumns} FROM api_tokens WHERE id = ?`),
    tokens: sqlite.prepare<[], ApiTokenRow>(`SELECT ${tokenColumns} FROM api_tokens ORDER BY id`),
    /** An unrevoked token by its hash. */
    liveToken: sqlite.prepare<[string], ApiTokenRow>(
      `SELECT ${tokenColumns} FROM api_tokens WHERE token_sha256 = ? AND revoked_at_ms IS NULL`,
    ),
    /** atMs, id */
    tokenUsed: sqlite.prepare<[number, number]>('UPDATE api_tokens SET last_used_at_ms = ? WHERE id = ?'),
    /** atMs, id */
    revokeToken: sqlite.prepare<[number, number]>(
      'UPDATE api_tokens SET revoked_at_ms = ? WHERE id = ? AND revoked_at_ms IS NULL',
    ),
  };
}

export type AuthStatements = ReturnType<typeof prepareAuthStatements>;
