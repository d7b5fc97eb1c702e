/**
 * The web processes' failed logins on PostgreSQL (table `login_failures`, tables.ts), behind
 * server/auth/login-rate-limit.ts `SharedLoginRateLimit`.
 */
import type pg from 'pg';
import type { LoginFailureStore } from '../auth-statements';

export function pgLoginFailureStore(pool: pg.Pool): LoginFailureStore {
  return {
    recent: async (keys, sinceMs) => {
      const rows = await pool.query<{ key: string; at: number }>(
        'SELECT key, at_ms AS at FROM login_failures WHERE key = ANY($1) AND at_ms > $2 ORDER BY at_ms',
        [keys, sinceMs],
      );
      const out = new Map<string, number[]>();
      for (const { key, at } of rows.rows) out.set(key, [...(out.get(key) ?? []), at]);
      return out;
    },
    add: async (keys, atMs, forgetUpToMs) => {
      await pool.query('DELETE FROM login_failures WHERE at_ms <= $1', [forgetUpToMs]);
      await pool.query('INSERT INTO login_failures (key, at_ms) SELECT unnest($1::text[]), $2', [keys, atMs]);
    },
    forget: async (key) => {
      await pool.query('DELETE FROM login_failures WHERE key = $1', [key]);
    },
  };
}
