/**
 * The PostgreSQL tables, made from the SQLite schema (../schema.ts) so that there is one schema:
 * every table, column, key, index, foreign key and check is the SQLite one's, in PostgreSQL's types.
 * `integer` becomes `bigint` (epoch ms outgrow int4), an autoincrement key `bigserial`, `real`
 * `double precision`, a boolean-mode integer `boolean`, `text` stays `text`. drizzle-kit generates
 * the PostgreSQL migrations from the result (../../drizzle.pg.config.ts), as it does SQLite's.
 */
import { type SQL, sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  check,
  doublePrecision,
  index,
  type PgColumnBuilderBase,
  type PgTableWithColumns,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import {
  getTableConfig,
  type SQLiteColumn,
  SQLiteSyncDialect,
  type SQLiteTable,
} from 'drizzle-orm/sqlite-core';

// biome-ignore lint/suspicious/noExplicitAny: the tables are made at run time; the service reads them with raw SQL.
export type PgTableOf = PgTableWithColumns<any>;

const sqliteDialect = new SQLiteSyncDialect();

function columnBuilder(column: SQLiteColumn): PgColumnBuilderBase {
  const autoIncrement = (column as unknown as { autoIncrement?: boolean }).autoIncrement === true;
  let builder: PgColumnBuilderBase;
  switch (column.columnType) {
    case 'SQLiteInteger':
      builder = autoIncrement
        ? bigserial(column.name, { mode: 'number' })
        : bigint(column.name, { mode: 'number' });
      break;
    case 'SQLiteBoolean':
      builder = boolean(column.name);
      break;
    case 'SQLiteReal':
      builder = doublePrecision(column.name);
      break;
    case 'SQLiteText':
      builder = text(column.name);
      break;
    default:
      throw new Error(`db/pg: no PostgreSQL type for ${column.name} (${column.columnType})`);
  }
  // biome-ignore lint/suspicious/noExplicitAny: the builders' chain types differ per column type.
  let b = builder as any;
  if (column.primary) b = b.primaryKey();
  else if (column.notNull) b = b.notNull();
  if (column.isUnique) b = b.unique();
  return b;
}

/** A check's SQL as SQLite renders it, without the table name before each column. */
function checkSql(table: string, value: SQL): SQL {
  const rendered = sqliteDialect.sqlToQuery(value);
  if (rendered.params.length > 0) throw new Error(`db/pg: a check of ${table} has parameters`);
  return sql.raw(rendered.sql.replaceAll(`"${table}".`, ''));
}

/** PostgreSQL tables for the given SQLite ones; a foreign key must point to one of them. */
export function pgTablesFrom<T extends Record<string, SQLiteTable>>(
  tables: T,
): { [K in keyof T]: PgTableOf } {
  const made = new Map<SQLiteTable, PgTableOf>();
  const madeOf = (table: SQLiteTable): PgTableOf => {
    const pg = made.get(table);
    if (!pg)
      throw new Error(`db/pg: a foreign key points to ${getTableConfig(table).name}, not among the tables`);
    return pg;
  };
  const out = {} as { [K in keyof T]: PgTableOf };
  for (const [key, table] of Object.entries(tables) as [keyof T, SQLiteTable][]) {
    const config = getTableConfig(table);
    const keyOf = new Map<string, string>();
    const columns: Record<string, PgColumnBuilderBase> = {};
    for (const [jsKey, column] of Object.entries(table) as [string, unknown][]) {
      const c = column as SQLiteColumn;
      if (!config.columns.includes(c)) continue;
      keyOf.set(c.name, jsKey);
      columns[jsKey] = columnBuilder(c);
    }
    for (const fk of config.foreignKeys) {
      const ref = fk.reference();
      if (ref.columns.length !== 1) throw new Error(`db/pg: ${config.name} has a composite foreign key`);
      const targetKey = Object.entries(ref.foreignTable).find(([, c]) => c === ref.foreignColumns[0])?.[0];
      const own = keyOf.get(ref.columns[0].name);
      if (!own || !targetKey) throw new Error(`db/pg: ${config.name}: foreign key column not found`);
      // biome-ignore lint/suspicious/noExplicitAny: see columnBuilder.
      columns[own] = (columns[own] as any).references(() => madeOf(ref.foreignTable)[targetKey], {
        ...(fk.onDelete && { onDelete: fk.onDelete }),
      });
    }
    const pg = pgTable(config.name, columns, (t) => {
      const col = (c: SQLiteColumn) => t[keyOf.get(c.name) as string];
      return [
        ...config.primaryKeys.map((p) => primaryKey({ columns: p.columns.map(col) as [never, ...never[]] })),
        ...config.indexes.map((i) => {
          const cols = i.config.columns.map((c) => col(c as SQLiteColumn)) as [never, ...never[]];
          const made = (i.config.unique ? uniqueIndex : index)(i.config.name).on(...cols);
          // A partial index keeps its condition (raw SQL over column names, the same in both dialects).
          return i.config.where ? made.where(i.config.where) : made;
        }),
        ...config.checks.map((c) => check(c.name, checkSql(config.name, c.value))),
      ];
    });
    made.set(table, pg);
    out[key] = pg;
  }
  return out;
}
