/**
 * Every table of the PostgreSQL store: the SQLite schema's, made by from-sqlite.ts, and four that
 * only the scaled deployment needs (below). `readings` is among them as drizzle sees it; on the
 * server it is partitioned by time (migration 0001, written by hand: drizzle-kit cannot say
 * PARTITION BY), so drizzle-kit is not shown it (schema.ts).
 */
import {
  bigint,
  bigserial,
  customType,
  index,
  pgTable,
  primaryKey,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';
import * as sqliteSchema from '../schema';
import { pgTablesFrom } from './from-sqlite';

export const pgTables = pgTablesFrom(sqliteSchema);

/**
 * Each reactor's arrivals: a count that every ingest transaction with readings of the reactor raises
 * by one, under the row's lock, so that it grows in commit order (SQLite's rowids do; PostgreSQL's
 * sequences do not), and the newest online reading (the plant clock), so that the assimilators
 * need not scan `readings` to know what is due.
 */
export const reactorClocks = pgTable('reactor_clocks', {
  reactorId: text('reactor_id')
    .primaryKey()
    .references(() => pgTables.reactors.id),
  arrivals: bigint('arrivals', { mode: 'number' }).notNull(),
  newestOnlineMs: bigint('newest_online_ms', { mode: 'number' }),
});

/**
 * One row per ingest transaction and reactor: its arrival number and the oldest reading time in it.
 * A chain that fitted with arrivals up to n finds late readings it has not seen among the rows
 * above n (as SQLite's chains do by rowid). Rows a chain has seen are deleted with its next fit.
 */
export const readingArrivals = pgTable(
  'reading_arrivals',
  {
    reactorId: text('reactor_id')
      .notNull()
      .references(() => pgTables.reactors.id),
    arrival: bigint('arrival', { mode: 'number' }).notNull(),
    oldestTsMs: bigint('oldest_ts_ms', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.reactorId, t.arrival] })],
);

const bytea = customType<{ data: Buffer }>({ dataType: () => 'bytea' });

/** @socket.io/postgres-adapter's table for messages too large for a NOTIFY (its README's definition). */
export const socketIoAttachments = pgTable('socket_io_attachments', {
  id: bigserial('id', { mode: 'number' }).unique(),
  createdAt: timestamp('created_at', { withTimezone: true }).defaultNow(),
  payload: bytea('payload'),
});

/**
 * Failed logins of the web processes (server/auth/login-rate-limit.ts `SharedLoginRateLimit`), so
 * that one limit holds across all of them: a row per failure and key (`u:<name>` or `a:<address>`),
 * forgotten after the 15-minute window. The one-process service counts them in memory.
 */
export const loginFailures = pgTable(
  'login_failures',
  {
    key: text('key').notNull(),
    atMs: bigint('at_ms', { mode: 'number' }).notNull(),
  },
  (t) => [index('login_failures_key_at').on(t.key, t.atMs), index('login_failures_at').on(t.atMs)],
);
