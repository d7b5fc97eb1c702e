/**
 * Opens the PostgreSQL store at a `postgres://` URL: a connection pool whose bigints come back as
 * numbers (epoch ms and ids stay far below 2^53), with the pending migrations applied by drizzle's
 * migrator under an advisory lock, so that several processes starting at once migrate once.
 */
import { fileURLToPath } from 'node:url';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import * as schema from './schema';

export type PgSchema = typeof schema;

export interface OpenPostgres {
  pool: pg.Pool;
  /** Drizzle, for tests reading rows back; the service uses raw SQL (the *-store.ts modules). */
  db: NodePgDatabase<PgSchema>;
  close(): Promise<void>;
}

export interface OpenPostgresOptions {
  /** Connections this process may hold (default 4: a process does one thing at a time, mostly). */
  maxConnections?: number;
  /** For `application_name`, so that pg_stat_activity tells the processes apart. */
  applicationName?: string;
}

const migrationsFolder = fileURLToPath(new URL('./migrations', import.meta.url));
/** pg_advisory_lock key of the migrations (any constant no other lock of ours uses). */
const migrationLock = 0x63770001;

/** bigint (int8) as a JS number. */
export const pgTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8
      ? Number
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

export function isPostgresUrl(url: string | undefined): url is string {
  return url !== undefined && /^postgres(ql)?:\/\//.test(url);
}

export async function openPostgres(url: string, options: OpenPostgresOptions = {}): Promise<OpenPostgres> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 4,
    types: pgTypes,
    ...(options.applicationName && { application_name: options.applicationName }),
  });
  // A connection that breaks while idle in the pool must not throw out of the process.
  pool.on('error', () => {});
  try {
    const db = drizzle({ client: pool, schema });
    const client = await pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock($1)', [migrationLock]);
      await migrate(drizzle({ client, schema }), { migrationsFolder });
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [migrationLock]).catch(() => {});
      client.release();
    }
    return { pool, db, close: () => pool.end() };
  } catch (error) {
    await pool.end();
    throw error;
  }
}
