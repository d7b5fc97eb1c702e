import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { PlantSignal as Signal } from '../../contract/api';
import { type OpenDatabase, openDatabase } from '../../db/open-database';
import { BatchedWriter } from '../../server/ingest/batched-writer';
import type { AcceptedReading } from '../../server/ingest/message-validator';
import type { Rejection } from '../../server/ingest/rejection-reasons';
import { tempDir } from '../fixtures/ingest-harness';
import {
  knownReactors,
  readingCount,
  readingsInRange,
  recentRejections,
  rejectionCountsByReason,
  rollupsInRange,
} from '../fixtures/stored-rows';

const minute = 60_000;
const t0 = Date.UTC(2016, 0, 1);
let database: OpenDatabase | undefined;
let dir: string | undefined;

afterEach(() => {
  database?.close();
  database = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function fresh(path = ':memory:'): OpenDatabase {
  database = openDatabase(path);
  return database;
}

function reading(tsMs: number, value: number, signal: Signal = 'od', reactorId = 'r1'): AcceptedReading {
  return { reactorId, signal, tsMs, value, receivedAtMs: t0 + 100 * minute };
}

function rejection(reason: Rejection['reason']): Rejection {
  return {
    receivedAtMs: t0,
    topic: 'culturewatch/r1/od',
    payloadExcerpt: 'x',
    payloadBytes: 1,
    reason,
    detail: '',
  };
}

describe('batched writer', () => {
  it('stores a duplicate or an out-of-order reading harmlessly: first value wins, rollups count it once', () => {
    const { db, sqlite } = fresh();
    const stored: AcceptedReading[][] = [];
    const writer = new BatchedWriter(sqlite, { onCommitted: (r) => stored.push(r) });
    writer.accept(reading(t0 + 2 * minute + 30_000, 3));
    writer.accept(reading(t0 + 30_000, 1));
    writer.accept(reading(t0 + 30_000, 1)); // duplicate inside one batch
    expect(writer.flush()).toBe(true);
    writer.accept(reading(t0 + 2 * minute + 30_000, 99)); // redelivered with another value
    writer.accept(reading(t0 + 10_000, 5)); // late, into an existing bucket
    expect(writer.flush()).toBe(true);

    expect(
      readingsInRange(db, { reactorId: 'r1', signal: 'od', fromMs: t0, toMs: t0 + 60 * minute }),
    ).toEqual([
      { tsMs: t0 + 10_000, value: 5 },
      { tsMs: t0 + 30_000, value: 1 },
      { tsMs: t0 + 2 * minute + 30_000, value: 3 },
    ]);
    expect(
      rollupsInRange(db, {
        reactorId: 'r1',
        signal: 'od',
        bucketWidthMs: minute,
        fromMs: t0,
        toMs: t0 + 60 * minute,
      }),
    ).toEqual([
      { bucketStartMs: t0, count: 2, mean: 3, min: 1, max: 5 },
      { bucketStartMs: t0 + 2 * minute, count: 1, mean: 3, min: 3, max: 3 },
    ]);
    expect(
      rollupsInRange(db, {
        reactorId: 'r1',
        signal: 'od',
        bucketWidthMs: 15 * minute,
        fromMs: t0,
        toMs: t0 + 60 * minute,
      }),
    ).toEqual([{ bucketStartMs: t0, count: 3, mean: 3, min: 1, max: 5 }]);
    expect(writer.metrics()).toMatchObject({ transactions: 2, readingsStored: 3, duplicatesIgnored: 2 });
    expect(stored.map((batch) => batch.length)).toEqual([2, 1]);
  });

  it('registers a new reactor with its first reading, once', () => {
    const { db, sqlite } = fresh();
    const writer = new BatchedWriter(sqlite, { now: () => t0 });
    writer.accept(reading(t0, 1, 'od', 'bio-7'));
    writer.accept(reading(t0, 2, 'substrate', 'bio-7'));
    writer.flush();
    writer.accept(reading(t0 + 1, 1, 'od', 'bio-7'));
    writer.flush();
    expect(knownReactors(db)).toEqual([{ id: 'bio-7', firstSeenAtMs: t0 }]);
    expect(readingCount(db, 'bio-7')).toBe(3);
  });

  it('counts every rejection by reason but keeps only the newest examples', () => {
    const { db, sqlite } = fresh();
    const writer = new BatchedWriter(sqlite, { maxStoredRejections: 3 });
    for (let i = 0; i < 5; i++) writer.reject(rejection('json-invalid'));
    writer.reject(rejection('value-out-of-range'));
    writer.flush();
    writer.reject(rejection('json-invalid'));
    writer.flush();
    expect(rejectionCountsByReason(db)).toEqual({ 'json-invalid': 6, 'value-out-of-range': 1 });
    expect(recentRejections(db, 10).map((r) => r.reason)).toEqual([
      'json-invalid',
      'value-out-of-range',
      'json-invalid',
    ]);
  });

  it('commits on its own once the queued input is processed, and at once when a batch is full', async () => {
    const { sqlite } = fresh();
    const writer = new BatchedWriter(sqlite, { maxRows: 4 });
    for (let i = 0; i < 6; i++) writer.accept(reading(t0 + i, i));
    // The fourth row filled a batch: committed synchronously, before the event loop turned.
    expect(writer.metrics()).toMatchObject({ transactions: 1, readingsStored: 4, pendingRows: 2 });
    expect(writer.committedSeq).toBe(4);
    expect(writer.enqueuedSeq).toBe(6);
    await new Promise((resolve) => setImmediate(resolve));
    expect(writer.metrics()).toMatchObject({ transactions: 2, readingsStored: 6, pendingRows: 0 });
    expect(writer.committedSeq).toBe(6);
    writer.close();
  });

  it('keeps a batch whose commit failed and commits it once the database is free again', async () => {
    dir = tempDir('writer');
    const path = join(dir, 'locked.db');
    const { db, sqlite } = fresh(path);
    sqlite.pragma('busy_timeout = 0');
    const failures: number[] = [];
    const writer = new BatchedWriter(sqlite, { onCommitFailed: (_error, pending) => failures.push(pending) });
    const lock = new Database(path);
    lock.exec('BEGIN IMMEDIATE');
    writer.accept(reading(t0, 1));
    writer.reject(rejection('json-invalid'));
    expect(writer.flush()).toBe(false);
    expect(failures).toEqual([2]);
    expect(writer.committedSeq).toBe(0);
    writer.accept(reading(t0 + 1, 2));
    expect(writer.metrics().pendingRows).toBe(3);
    lock.exec('ROLLBACK');
    lock.close();
    // The retry timer (backoff from 50 ms) commits it without being asked.
    const deadline = Date.now() + 2000;
    while (writer.metrics().pendingRows > 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10));
    expect(writer.metrics()).toMatchObject({
      pendingRows: 0,
      readingsStored: 2,
      rejectionsStored: 1,
      commitFailures: 1,
    });
    expect(writer.committedSeq).toBe(3);
    expect(readingCount(db, 'r1')).toBe(2);
    writer.close();
  });
});

describe('database', () => {
  it('opens in WAL mode with migrations applied, twice without harm', () => {
    dir = tempDir('open');
    const path = join(dir, 'nested', 'culturewatch.db');
    fresh(path).close();
    const again = fresh(path);
    expect(again.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(again.sqlite.pragma('synchronous', { simple: true })).toBe(2); // FULL
    const tables = again.sqlite
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .pluck()
      .all();
    expect(tables).toEqual(
      expect.arrayContaining(['reactors', 'readings', 'reading_rollups', 'rejected_messages']),
    );
  });

  it('refuses to store NaN even if something upstream let it through', () => {
    const { sqlite } = fresh();
    sqlite.prepare("INSERT INTO reactors VALUES ('r1', 0)").run();
    const insert = sqlite.prepare("INSERT INTO readings VALUES ('r1', 'od', 1, ?, 1)");
    expect(() => insert.run(Number.NaN)).toThrow(/NOT NULL/);
  });
});
