/**
 * The embedded broker's device accounts made in the dashboard, and every device's last login and
 * publish, as raw prepared statements (server/broker/device-accounts.ts; the broker looks an account
 * up at each login). Only scrypt hashes are stored; see db/schema.ts.
 */
import type Database from 'better-sqlite3';

export interface DeviceAccountRow {
  username: string;
  passwordHash: string;
  /** JSON array of reactor ids, or `"*"`. */
  reactors: string;
  createdAtMs: number;
  createdBy: string;
  revokedAtMs: number | null;
}

export interface DeviceActivityRow {
  username: string;
  lastConnectedAtMs: number | null;
  lastPublishedAtMs: number | null;
}

export function prepareDeviceStatements(sqlite: Database.Database) {
  const columns = `username, password_hash AS passwordHash, reactors, created_at_ms AS createdAtMs,
    created_by AS createdBy, revoked_at_ms AS revokedAtMs`;
  return {
    account: sqlite.prepare<[string], DeviceAccountRow>(
      `SELECT ${columns} FROM device_accounts WHERE username = ?`,
    ),
    accounts: sqlite.prepare<[], DeviceAccountRow>(
      `SELECT ${columns} FROM device_accounts ORDER BY username`,
    ),
    /** username, passwordHash, reactors, createdAtMs, createdBy */
    insertAccount: sqlite.prepare<[string, string, string, number, string]>(
      `INSERT INTO device_accounts (username, password_hash, reactors, created_at_ms, created_by)
       VALUES (?, ?, ?, ?, ?)`,
    ),
    /** atMs, username */
    revokeAccount: sqlite.prepare<[number, string]>(
      'UPDATE device_accounts SET revoked_at_ms = ? WHERE username = ? AND revoked_at_ms IS NULL',
    ),
    activity: sqlite.prepare<[], DeviceActivityRow>(
      `SELECT username, last_connected_at_ms AS lastConnectedAtMs, last_published_at_ms AS lastPublishedAtMs
       FROM device_activity`,
    ),
    /** username, lastConnectedAtMs, lastPublishedAtMs: a later time wins, a null keeps what is stored. */
    upsertActivity: sqlite.prepare<[string, number | null, number | null]>(
      `INSERT INTO device_activity (username, last_connected_at_ms, last_published_at_ms) VALUES (?, ?, ?)
       ON CONFLICT (username) DO UPDATE SET
         last_connected_at_ms = nullif(max(coalesce(excluded.last_connected_at_ms, 0), coalesce(last_connected_at_ms, 0)), 0),
         last_published_at_ms = nullif(max(coalesce(excluded.last_published_at_ms, 0), coalesce(last_published_at_ms, 0)), 0)`,
    ),
  };
}

export type DeviceStatements = ReturnType<typeof prepareDeviceStatements>;
