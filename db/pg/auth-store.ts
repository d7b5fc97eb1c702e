/**
 * Accounts, sessions and API tokens on PostgreSQL (../auth-statements.ts `AuthStore`), so that every
 * web process of the scaled deployment knows every session and token: a login on one is valid on all.
 * The reads are SQLite's own text (pgSql), their rows SQLite's shape.
 */
import type pg from 'pg';
import {
  type ApiTokenRow,
  type AuthStore,
  type SessionRow,
  sessionQuery,
  tokenColumns,
  type UserRow,
  userColumns,
} from '../auth-statements';
import { pgSql, sqliteShaped } from './sqlite-shaped';

export function pgAuthStore(pool: pg.Pool): AuthStore {
  const rows = async <T>(sqliteText: string, values: unknown[] = []): Promise<T[]> =>
    (await pool.query(pgSql(sqliteText), values)).rows.map((r) => sqliteShaped<T>(r));
  const first = async <T>(sqliteText: string, values: unknown[] = []) =>
    (await rows<T>(sqliteText, values))[0];
  const run = async (sqliteText: string, values: unknown[]) =>
    (await pool.query(pgSql(sqliteText), values)).rowCount ?? 0;
  const count = async (sqliteText: string) => Number((await first<{ n: number }>(sqliteText))?.n ?? 0);
  return {
    userCount: () => count('SELECT count(*) AS n FROM users'),
    operatorCount: () => count("SELECT count(*) AS n FROM users WHERE role = 'operator'"),
    user: (username) => first<UserRow>(`SELECT ${userColumns} FROM users WHERE username = ?`, [username]),
    users: () => rows<UserRow>(`SELECT ${userColumns} FROM users ORDER BY username`),
    insertUser: async (u) => {
      await run(
        `INSERT INTO users (username, role, password_hash, must_change_password, created_at_ms)
         VALUES (?, ?, ?, ?, ?)`,
        [u.username, u.role, u.passwordHash, u.mustChangePassword, u.createdAtMs],
      );
    },
    setPassword: async (username, hash, mustChange) => {
      await run('UPDATE users SET password_hash = ?, must_change_password = ? WHERE username = ?', [
        hash,
        mustChange,
        username,
      ]);
    },
    loggedIn: async (username, atMs) => {
      await run('UPDATE users SET last_login_at_ms = ? WHERE username = ?', [atMs, username]);
    },
    deleteUser: async (username) => {
      await run('DELETE FROM users WHERE username = ?', [username]);
    },
    insertSession: async (n) => {
      await run(
        `INSERT INTO sessions (id_sha256, username, csrf_token, created_at_ms, expires_at_ms)
         VALUES (?, ?, ?, ?, ?)`,
        [n.idSha256, n.username, n.csrfToken, n.createdAtMs, n.expiresAtMs],
      );
    },
    session: (idSha256, nowMs) => first<SessionRow>(sessionQuery, [idSha256, nowMs]),
    renewSession: async (idSha256, expiresAtMs) => {
      await run('UPDATE sessions SET expires_at_ms = ? WHERE id_sha256 = ?', [expiresAtMs, idSha256]);
    },
    deleteSession: async (idSha256) => {
      await run('DELETE FROM sessions WHERE id_sha256 = ?', [idSha256]);
    },
    deleteOtherSessions: async (username, keep) => {
      await run('DELETE FROM sessions WHERE username = ? AND id_sha256 != ?', [username, keep]);
    },
    deleteExpiredSessions: (nowMs) => run('DELETE FROM sessions WHERE expires_at_ms <= ?', [nowMs]),
    insertToken: async (t) => {
      const [row] = await rows<{ id: number }>(
        `INSERT INTO api_tokens (token_sha256, name, role, created_at_ms, created_by)
         VALUES (?, ?, ?, ?, ?) RETURNING id`,
        [t.tokenSha256, t.name, t.role, t.createdAtMs, t.createdBy],
      );
      return row.id;
    },
    token: (id) => first<ApiTokenRow>(`SELECT ${tokenColumns} FROM api_tokens WHERE id = ?`, [id]),
    tokens: () => rows<ApiTokenRow>(`SELECT ${tokenColumns} FROM api_tokens ORDER BY id`),
    liveToken: (sha) =>
      first<ApiTokenRow>(
        `SELECT ${tokenColumns} FROM api_tokens WHERE token_sha256 = ? AND revoked_at_ms IS NULL`,
        [sha],
      ),
    tokenUsed: async (id, atMs) => {
      await run('UPDATE api_tokens SET last_used_at_ms = ? WHERE id = ?', [atMs, id]);
    },
    revokeToken: async (id, atMs) => {
      await run('UPDATE api_tokens SET revoked_at_ms = ? WHERE id = ? AND revoked_at_ms IS NULL', [atMs, id]);
    },
  };
}
