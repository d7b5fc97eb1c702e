/**
 * The assimilator's reads and writes on PostgreSQL (server/assimilator/fit-jobs.ts): what one fit
 * job reads of a reactor (its stored chain, its clock, its late arrivals, a window's readings), and
 * the fit's rows written in the order and shape of SQLite's prepared statements
 * (../assimilation-statements.ts), so that server/assimilator/fit-store.ts writes both.
 */
import type pg from 'pg';
import type { ModelRow } from '../model-statements';

export interface PgChainRow {
  reactorId: string;
  settingsKey: string;
  stateJson: string;
  fittedUpToH: number;
  /** On PostgreSQL: the reactor's arrival count (tables.ts `reactor_clocks`) as of the newest fit. */
  readingsSeenRowid: number | null;
}

export async function chainOf(client: pg.ClientBase, reactorId: string): Promise<PgChainRow | undefined> {
  const result = await client.query<PgChainRow>(
    `SELECT reactor_id AS "reactorId", settings_key AS "settingsKey", state_json AS "stateJson",
            fitted_up_to_h AS "fittedUpToH", readings_seen_rowid AS "readingsSeenRowid"
     FROM assimilator_chains WHERE reactor_id = $1`,
    [reactorId],
  );
  return result.rows[0];
}

/** The reactor's arrival count and newest online reading; zero and null before its first reading. */
export async function clockOf(
  client: pg.ClientBase,
  reactorId: string,
): Promise<{ arrivals: number; newestOnlineMs: number | null }> {
  const result = await client.query<{ arrivals: number; newestOnlineMs: number | null }>(
    'SELECT arrivals, newest_online_ms AS "newestOnlineMs" FROM reactor_clocks WHERE reactor_id = $1',
    [reactorId],
  );
  return result.rows[0] ?? { arrivals: 0, newestOnlineMs: null };
}

/** The oldest reading time among the signals (each its own walk of the primary key), or null. */
export async function oldestReadingMs(
  client: pg.ClientBase,
  reactorId: string,
  signals: readonly string[],
): Promise<number | null> {
  const each = signals.map(
    (_, i) => `(SELECT min(ts_ms) FROM readings WHERE reactor_id = $1 AND signal = $${i + 2})`,
  );
  const result = await client.query<{ oldest: number | null }>(`SELECT least(${each.join(', ')}) AS oldest`, [
    reactorId,
    ...signals,
  ]);
  return result.rows[0].oldest;
}

/** The oldest reading time of the arrivals numbered in (after, upTo], or null: late data not yet seen. */
export async function oldestArrivedBetween(
  client: pg.ClientBase,
  reactorId: string,
  after: number,
  upTo: number,
): Promise<number | null> {
  const result = await client.query<{ oldest: number | null }>(
    `SELECT min(oldest_ts_ms) AS oldest FROM reading_arrivals
     WHERE reactor_id = $1 AND arrival > $2 AND arrival <= $3`,
    [reactorId, after, upTo],
  );
  return result.rows[0].oldest;
}

export interface PgWindowRow {
  signal: string;
  tsMs: number;
  value: number;
}

/**
 * A window's readings: every reading of `signals` in [fromMs, toMs], plus the newest before `fromMs`
 * of each of `before` and the oldest after `toMs` of each of `after` (interpolated inputs, constants).
 */
export async function windowReadings(
  client: pg.ClientBase,
  reactorId: string,
  fromMs: number,
  toMs: number,
  signals: { inside: readonly string[]; before: readonly string[]; after: readonly string[] },
): Promise<PgWindowRow[]> {
  const parts = [
    `SELECT signal, ts_ms AS "tsMs", value FROM readings
     WHERE reactor_id = $1 AND signal = ANY($4::text[]) AND ts_ms >= $2 AND ts_ms <= $3`,
    ...signals.before.map(
      (s) => `(SELECT signal, ts_ms, value FROM readings WHERE reactor_id = $1 AND signal = '${quoted(s)}'
               AND ts_ms < $2 ORDER BY ts_ms DESC LIMIT 1)`,
    ),
    ...signals.after.map(
      (s) => `(SELECT signal, ts_ms, value FROM readings WHERE reactor_id = $1 AND signal = '${quoted(s)}'
               AND ts_ms > $3 ORDER BY ts_ms LIMIT 1)`,
    ),
  ];
  const result = await client.query<PgWindowRow>(parts.join(' UNION ALL '), [
    reactorId,
    fromMs,
    toMs,
    signals.inside,
  ]);
  return result.rows;
}

/** Signal names are our vocabulary (contract/api.ts), never input; still, no quote gets through. */
function quoted(signal: string): string {
  if (!/^[a-z/A-Z]+$/.test(signal)) throw new Error(`not a signal name: ${signal}`);
  return signal;
}

/** A model file by version, once (fits name theirs by version). */
export async function storeModel(client: pg.ClientBase | pg.Pool, model: ModelRow): Promise<void> {
  await client.query(
    'INSERT INTO models (version, name, file_text, added_at_ms) VALUES ($1, $2, $3, $4) ON CONFLICT (version) DO NOTHING',
    [model.version, model.name, model.fileText, model.addedAtMs],
  );
}

/** The fit ids' sequence: a fit's id is taken before its rows are written (they refer to it). */
export async function nextFitId(client: pg.ClientBase): Promise<number> {
  const result = await client.query<{ id: number }>(
    "SELECT nextval(pg_get_serial_sequence('fits', 'id')) AS id",
  );
  return result.rows[0].id;
}

/** Each SQLite statement's table and columns, its positional parameters in order. */
const fitTables = {
  insertFit: {
    table: 'fits',
    columns: [
      'id',
      'reactor_id',
      'window_start_ms',
      'window_end_ms',
      'window_start_h',
      'window_end_h',
      'fitted_at_ms',
      'status',
      'reason',
      'detail',
      'refit',
      'cold_start',
      'loss',
      'iterations',
      'duration_ms',
      'residual_summary_json',
      'model_version',
      'network_terms_json',
    ],
  },
  insertParameter: {
    table: 'fit_parameters',
    columns: [
      'fit_id',
      'name',
      'value',
      'free',
      'sd_log',
      'sd_log_data',
      'lower95',
      'upper95',
      'determined',
      'prior_sd_log',
    ],
  },
  insertCombination: {
    table: 'fit_combinations',
    columns: [
      'fit_id',
      'rank',
      'label',
      'exponents_json',
      'value',
      'sd_log',
      'sd_log_data',
      'name',
      'meaning',
      'lower95',
      'upper95',
      'determined',
    ],
  },
  insertComposition: {
    table: 'fit_composition',
    columns: ['fit_id', 'quantity', 'value', 'sd', 'lower95', 'upper95'],
  },
  insertDocuments: {
    table: 'fit_documents',
    columns: [
      'fit_id',
      'trajectory_json',
      'forecast_json',
      'residuals_json',
      'window_file_json',
      'posterior_json',
    ],
  },
  upsertChain: {
    table: 'assimilator_chains',
    columns: [
      'reactor_id',
      'settings_key',
      'state_json',
      'fitted_up_to_h',
      'readings_seen_rowid',
      'last_fit_id',
      'updated_at_ms',
      'model_version',
    ],
  },
} as const;

type FitStatementName = keyof typeof fitTables;

/** Statements that take their parameters as SQLite's do and keep the rows, for `writtenFitQueries`. */
export type CollectedFitWrites = {
  [K in FitStatementName]: { run(...params: unknown[]): { lastInsertRowid: number } };
};

/**
 * Collects a fit's rows (fit-store.ts `fitWriter` runs against it); `queries` then writes them, one
 * multi-row INSERT per table, for the caller to run in one transaction. `fitId` is taken beforehand
 * (`nextFitId`).
 */
export function collectFitWrites(fitId: number): { writes: CollectedFitWrites; queries(): pg.QueryConfig[] } {
  const rows = new Map<FitStatementName, unknown[][]>();
  const keep = (name: FitStatementName) => ({
    run(...params: unknown[]) {
      const list = rows.get(name) ?? [];
      list.push(name === 'insertFit' ? [fitId, ...params] : params);
      rows.set(name, list);
      return { lastInsertRowid: fitId };
    },
  });
  const writes = Object.fromEntries(
    (Object.keys(fitTables) as FitStatementName[]).map((name) => [name, keep(name)]),
  ) as CollectedFitWrites;
  return {
    writes,
    queries() {
      const out: pg.QueryConfig[] = [];
      for (const name of Object.keys(fitTables) as FitStatementName[]) {
        const list = rows.get(name);
        if (!list) continue;
        const { table, columns } = fitTables[name];
        for (const row of list) {
          if (row.length !== columns.length)
            throw new Error(`${name}: ${row.length} values for ${columns.length} PostgreSQL columns`);
        }
        const values = list.map(
          (row, r) => `(${row.map((_, c) => `$${r * columns.length + c + 1}`).join(', ')})`,
        );
        const upsert =
          name === 'upsertChain'
            ? ` ON CONFLICT (reactor_id) DO UPDATE SET ${columns
                .slice(1)
                .map((c) => `${c} = excluded.${c}`)
                .join(', ')}`
            : '';
        out.push({
          text: `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${values.join(', ')}${upsert}`,
          values: list.flat(),
        });
      }
      return out;
    },
  };
}

/** Arrivals a chain has seen (numbered up to `seen`) are no longer needed to find late data. */
export async function forgetSeenArrivals(
  client: pg.ClientBase,
  reactorId: string,
  seen: number,
): Promise<void> {
  await client.query('DELETE FROM reading_arrivals WHERE reactor_id = $1 AND arrival <= $2', [
    reactorId,
    seen,
  ]);
}

/**
 * Reactors that may have a window due: no chain yet, a clock past the next window's end (the
 * newest fitted end plus a step), or late arrivals the chain has not seen. Each fit job decides
 * exactly (the chain's own rule); this only keeps the queue from asking about every reactor.
 */
export async function reactorsMaybeDue(pool: pg.Pool, stepHours: number): Promise<string[]> {
  const result = await pool.query<{ reactorId: string }>(
    `SELECT c.reactor_id AS "reactorId" FROM reactor_clocks c
     LEFT JOIN assimilator_chains a ON a.reactor_id = c.reactor_id
     WHERE a.reactor_id IS NULL
        OR c.newest_online_ms > (a.fitted_up_to_h + $1) * 3600000
        OR EXISTS (SELECT 1 FROM reading_arrivals r WHERE r.reactor_id = c.reactor_id
                   AND r.arrival > coalesce(a.readings_seen_rowid, 0)
                   AND r.oldest_ts_ms <= a.fitted_up_to_h * 3600000)`,
    [stepHours],
  );
  return result.rows.map((r) => r.reactorId);
}
