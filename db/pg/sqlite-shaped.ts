/**
 * SQLite's SQL and row shapes on PostgreSQL, so that a read written once for SQLite (db/*-statements.ts)
 * runs on both engines: `?` placeholders become `$1, $2, …`, camelCase aliases are quoted (PostgreSQL
 * folds unquoted names to lower case), and rows come back as SQLite gives them (camelCase names,
 * booleans as 0/1).
 */
export function pgSql(sqliteText: string): string {
  let n = 0;
  return sqliteText.replace(/\?/g, () => `$${++n}`).replace(/\bAS ([a-z]+[A-Z]\w*)/g, 'AS "$1"');
}

const camel = (name: string) => name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

export function sqliteShaped<T>(row: Record<string, unknown>): T {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    out[camel(key)] = typeof value === 'boolean' ? (value ? 1 : 0) : value;
  }
  return out as T;
}
