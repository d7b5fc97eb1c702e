import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { type BetterSQLite3Database, drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as schema from './schema';

export type Schema = typeof schema;
export type CulturewatchDb = BetterSQLite3Database<Schema>;

export interface OpenDatabase {
  /** Drizzle, for everything but the hot path. */
  db: CulturewatchDb;
  /** The raw connection, for the ingester's prepared statements. */
  sqlite: Database.Database;
  close(): void;
}

export interface OpenDatabaseOptions {
  /**
   * `full` (default) fsyncs the WAL at every commit, so a reading acknowledged to the broker after
   * its commit survives a power cut; `normal` survives only a process crash, and is faster.
   */
  synchronous?: 'full' | 'normal';
}

const migrationsFolder = fileURLToPath(new URL('./migrations', import.meta.url));

/** Opens (creating if needed) the database file in WAL mode and applies any pending migrations. */
export function openDatabase(path: string, options: OpenDatabaseOptions = {}): OpenDatabase {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new Database(path);
  try {
    const mode = sqlite.pragma('journal_mode = WAL', { simple: true });
    if (path !== ':memory:' && mode !== 'wal')
      throw new Error(`${path}: could not switch to WAL (got ${mode})`);
    sqlite.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
    // Another connection (a reader, the retention sweep in another process) waits instead of failing.
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('foreign_keys = ON');
    const db = drizzle({ client: sqlite, schema });
    migrate(db, { migrationsFolder });
    return { db, sqlite, close: () => sqlite.close() };
  } catch (error) {
    sqlite.close();
    throw error;
  }
}
