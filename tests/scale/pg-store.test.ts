/**
 * The PostgreSQL store against a real server (Debian's postgresql-15, started by the fixture): the
 * same tables and columns as the SQLite schema, readings partitioned by week, a redelivered batch
 * stored once, retention by dropping partitions, and a fit stored and read back as the same record
 * the SQLite assimilator makes of the same readings.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getTableConfig, type SQLiteTable } from 'drizzle-orm/sqlite-core';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileModel } from '../../assimilation';
import type { FitRecord, PlantSignal } from '../../contract/api';
import { openDatabase } from '../../db/open-database';
import { storedFit } from '../../db/pg/fit-reads';
import { type OpenPostgres, openPostgres } from '../../db/pg/open-postgres';
import * as sqliteSchema from '../../db/schema';
import { prepareServiceReadStatements } from '../../db/service-read-statements';
import { fitRecord, fitRecordById } from '../../server/api/fit-records';
import { AssimilatorCore } from '../../server/assimilator/assimilator-core';
import { chainOptionsOf, defaultAssimilatorSettings } from '../../server/assimilator/assimilator-settings';
import { PgReactorFit } from '../../server/assimilator/pg-reactor-fit';
import { builtInModelRow } from '../../server/assimilator/reactor-models';
import type { FitNotice } from '../../server/assimilator/worker-protocol';
import { BatchedWriter } from '../../server/ingest/batched-writer';
import type { AcceptedReading } from '../../server/ingest/message-validator';
import { pgBatchStore } from '../../server/ingest/pg-batch-commit';
import { ReadingPartitionRetention } from '../../server/ingest/pg-retention';
import type { Rejection } from '../../server/ingest/rejection-reasons';
import { builtInModel } from '../../simulator/model-files';
import { plantMessages } from '../fixtures/plant-stream';
import { type Postgres, startPostgres } from '../fixtures/postgres';

let server: Postgres;
const cleanup: (() => Promise<void> | void)[] = [];
beforeAll(async () => {
  server = await startPostgres();
}, 60_000);
afterAll(async () => {
  for (const step of cleanup.reverse()) await step();
  await server?.stop();
});

async function freshStore(name: string): Promise<OpenPostgres> {
  const store = await openPostgres(await server.createDatabase(name));
  cleanup.push(() => store.close());
  return store;
}

function sqliteFile() {
  const dir = mkdtempSync(join(tmpdir(), 'cw-pg-compare-'));
  const database = openDatabase(join(dir, 'db.sqlite'), { synchronous: 'normal' });
  cleanup.push(() => {
    database.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return database;
}

const readingsOf = (reactors: string[], hours: number, receivedAtMs = Date.now()): AcceptedReading[] =>
  plantMessages(reactors, hours).map((m) => ({
    reactorId: m.reactorId,
    signal: m.signal as PlantSignal,
    tsMs: m.tsMs,
    value: m.value,
    receivedAtMs,
  }));

const storeOptions = { maxStoredRejections: 1000, now: Date.now };

describe('the PostgreSQL schema', () => {
  it('has every table and column of the SQLite schema, with readings partitioned by time', async () => {
    const store = await freshStore('schema');
    const columns = await store.pool.query<{ table: string; column: string; nullable: string }>(
      `SELECT table_name AS table, column_name AS column, is_nullable AS nullable FROM information_schema.columns
       WHERE table_schema = 'public'`,
    );
    const pgColumns = new Map<string, string[]>();
    for (const c of columns.rows) {
      pgColumns.set(c.table, [
        ...(pgColumns.get(c.table) ?? []),
        `${c.column}${c.nullable === 'NO' ? ' not null' : ''}`,
      ]);
    }
    const tables = Object.values(sqliteSchema) as SQLiteTable[];
    expect(tables.length).toBeGreaterThan(15);
    for (const table of tables) {
      const config = getTableConfig(table);
      const expected = config.columns.map((c) => `${c.name}${c.notNull ? ' not null' : ''}`).sort();
      expect({ table: config.name, columns: (pgColumns.get(config.name) ?? []).sort() }).toEqual({
        table: config.name,
        columns: expected,
      });
    }
    const partitioned = await store.pool.query<{ name: string; strategy: string }>(
      `SELECT c.relname AS name, p.partstrat AS strategy FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid`,
    );
    expect(partitioned.rows).toEqual([{ name: 'readings', strategy: 'r' }]);
  });
});

describe('ingest on PostgreSQL', () => {
  it('stores a redelivered batch once (the first value of a key stays), with the rollups SQLite computes', async () => {
    const store = await freshStore('ingest');
    const batch = readingsOf(['r1', 'r2'], 3);
    const pg = pgBatchStore(store.pool, storeOptions);
    const first = await pg.commit(batch, [], new Set());
    expect(first.stored).toHaveLength(batch.length);
    expect([...first.registered].sort()).toEqual(['r1', 'r2']);
    // The same messages again, as a broker redelivers them after a crash, with other values.
    const again = batch.map((r) => ({ ...r, value: r.value + 1 }));
    const second = await pg.commit(again, [], new Set(['r1', 'r2']));
    expect(second.stored).toEqual([]);
    const stored = await store.pool.query<{ n: number; sum: number }>(
      'SELECT count(*)::int AS n, sum(value) AS sum FROM readings',
    );
    expect(stored.rows[0].n).toBe(batch.length);
    expect(stored.rows[0].sum).toBeCloseTo(
      batch.reduce((s, r) => s + r.value, 0),
      6,
    );

    const sqlite = sqliteFile();
    const writer = new BatchedWriter(sqlite.sqlite);
    for (const r of batch) writer.accept(r);
    writer.flush();
    for (const r of again) writer.accept(r);
    writer.flush();
    const rollupSql = `SELECT reactor_id, signal, bucket_width_ms, bucket_start_ms, count, value_sum, value_min, value_max
      FROM reading_rollups ORDER BY reactor_id, signal, bucket_width_ms, bucket_start_ms`;
    const fromSqlite = sqlite.sqlite.prepare(rollupSql).all();
    const fromPg = (await store.pool.query(rollupSql)).rows;
    expect(fromPg.length).toBeGreaterThan(0);
    expect(fromPg).toEqual(fromSqlite);

    // Each commit counts as one arrival per reactor, duplicates too (a redelivered late reading counts).
    const clocks = await store.pool.query('SELECT reactor_id, arrivals FROM reactor_clocks ORDER BY 1');
    expect(clocks.rows).toEqual([
      { reactor_id: 'r1', arrivals: 2 },
      { reactor_id: 'r2', arrivals: 2 },
    ]);
  });

  it('keeps a rejected payload that holds U+0000 (PostgreSQL text cannot) with the character replaced', async () => {
    const store = await freshStore('rejections');
    const rejection: Rejection = {
      receivedAtMs: Date.now(),
      topic: 'culturewatch/r1/od',
      payloadExcerpt: 'a\u0000b',
      payloadBytes: 3,
      reason: 'json-invalid',
      detail: 'Unexpected token',
    };
    await pgBatchStore(store.pool, storeOptions).commit([], [rejection, rejection], new Set());
    const rows = await store.pool.query('SELECT payload_excerpt, reason FROM rejected_messages');
    expect(rows.rows).toEqual([
      { payload_excerpt: 'a\ufffdb', reason: 'json-invalid' },
      { payload_excerpt: 'a\ufffdb', reason: 'json-invalid' },
    ]);
    const counts = await store.pool.query('SELECT reason, count FROM rejection_counts');
    expect(counts.rows).toEqual([{ reason: 'json-invalid', count: 2 }]);
  });

  it('drops whole week partitions past retention, counting back from the oldest newest reading of any reactor', async () => {
    const store = await freshStore('retention');
    const week = 7 * 24 * 3_600_000;
    const t0 = Date.UTC(2024, 0, 1);
    const at = (reactorId: string, tsMs: number): AcceptedReading => ({
      reactorId,
      signal: 'od',
      tsMs,
      value: 1,
      receivedAtMs: tsMs,
    });
    const pg = pgBatchStore(store.pool, storeOptions);
    await pg.commit(
      [at('r1', t0), at('r1', t0 + 3 * week), at('r1', t0 + 10 * week), at('r2', t0 + 10 * week)],
      [],
      new Set(),
    );
    const retention = new ReadingPartitionRetention(
      store.pool,
      { rawDays: 30, rollup1MinDays: 180, rollup15MinDays: 1825, sweepMinutes: 60 },
      pino({ level: 'silent' }),
    );
    await retention.start();
    await retention.stop();
    const left = await store.pool.query<{ ts: number }>('SELECT ts_ms AS ts FROM readings ORDER BY 1');
    expect(left.rows.map((r) => (r.ts - t0) / week)).toEqual([10, 10]);
    expect(retention.metrics().partitionsDropped).toBe(2);

    // A reactor whose newest reading is old holds back every week after its own cutoff.
    await pg.commit([at('r3', t0 + 3 * week)], [], new Set(['r1', 'r2']));
    await pg.commit([at('r1', t0 + 4 * week)], [], new Set(['r1', 'r2', 'r3']));
    const held = new ReadingPartitionRetention(
      store.pool,
      { rawDays: 30, rollup1MinDays: 180, rollup15MinDays: 1825, sweepMinutes: 60 },
      pino({ level: 'silent' }),
    );
    await held.start();
    await held.stop();
    expect(held.metrics().partitionsDropped).toBe(0);
    expect((await store.pool.query('SELECT count(*)::int AS n FROM readings')).rows[0].n).toBe(4);
  });
});

describe('fits on PostgreSQL', () => {
  it('fits and stores the first window of a reactor as the same record as the SQLite assimilator', async () => {
    const readings = readingsOf(['r1'], 16);
    const sqlite = sqliteFile();
    const writer = new BatchedWriter(sqlite.sqlite);
    for (const r of readings) writer.accept(r);
    writer.flush();
    const fits: FitNotice[] = [];
    const core = new AssimilatorCore({
      sqlite: sqlite.sqlite,
      settings: defaultAssimilatorSettings,
      onFit: (fit) => fits.push(fit),
      log: () => {},
    });
    core.start();
    expect(core.step()).toBe(true);
    const fromSqlite = fitRecordById(prepareServiceReadStatements(sqlite.sqlite), fits[0].fitId) as FitRecord;

    const store = await freshStore('fits');
    await pgBatchStore(store.pool, storeOptions).commit(readings, [], new Set());
    const model = compileModel(builtInModel());
    const pgFit = new PgReactorFit(
      model,
      chainOptionsOf(model, defaultAssimilatorSettings),
      builtInModelRow(0).version,
    );
    const client = await store.pool.connect();
    try {
      const result = await pgFit.fitNext(client, 'r1');
      expect(result).not.toBeNull();
      const stored = await storedFit(client, result?.fitId as number);
      const fromPg = stored && fitRecord(stored.row, stored, true);
      const comparable = (f: FitRecord | undefined) => f && { ...f, id: 0, fittedAtMs: 0, durationMs: 0 };
      expect(fromSqlite.status).toBe('ok');
      expect(comparable(fromPg)).toEqual(comparable(fromSqlite));
      // The chain moved on: the next job fits the next window, not this one again.
      const next = await pgFit.fitNext(client, 'r1');
      expect(next?.fitted.windowEndH).toBeCloseTo(
        fromSqlite.windowEndH + defaultAssimilatorSettings.stepHours,
        9,
      );
      const chain = await store.pool.query('SELECT last_fit_id FROM assimilator_chains');
      expect(chain.rows).toEqual([{ last_fit_id: next?.fitId }]);
    } finally {
      client.release();
    }
  });
});
