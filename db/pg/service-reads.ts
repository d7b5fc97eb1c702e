/**
 * The HTTP API's reads (../service-read-statements.ts `ServiceReads`) on PostgreSQL: the same SQL
 * text as SQLite's prepared statements, the same row shapes, so that server/api/ answers the same
 * JSON from either engine. Sums come back as numbers (PostgreSQL's sum of a bigint is a numeric).
 */
import pg from 'pg';
import {
  rawServiceReads,
  type ServiceReadStatements,
  type ServiceReads,
  serviceReadSql,
} from '../service-read-statements';
import { pgTypes } from './open-postgres';
import { pgSql, sqliteShaped } from './sqlite-shaped';

const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.NUMERIC
      ? Number
      : pgTypes.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

export function pgServiceReads(pool: pg.Pool): ServiceReads {
  const reads: Record<string, unknown> = {};
  for (const [name, sqliteText] of Object.entries(serviceReadSql)) {
    const text = pgSql(sqliteText);
    const raw = rawServiceReads.has(name as keyof ServiceReadStatements);
    const all = async (...values: unknown[]) => {
      if (raw) return (await pool.query({ text, values, types, rowMode: 'array' })).rows;
      return (await pool.query({ text, values, types })).rows.map((r) => sqliteShaped(r));
    };
    reads[name] = { all, get: async (...values: unknown[]) => (await all(...values))[0] };
  }
  return reads as ServiceReads;
}
