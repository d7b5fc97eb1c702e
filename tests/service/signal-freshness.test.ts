/**
 * Signal freshness (contract/freshness.ts, server/realtime/signal-freshness.ts): each online signal
 * judged on its reactor's plant clock against its own cadence; the clock runs on when readings stop,
 * at the plant's rate (a demo plant's fast); the monitor reads its state back from the database and
 * tells of each change of level once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { judgeFreshness } from '../../contract/freshness';
import { plantNowMs } from '../../contract/time';
import { type OpenDatabase, openDatabase } from '../../db/open-database';
import { prepareServiceReadStatements } from '../../db/service-read-statements';
import { BatchedWriter } from '../../server/ingest/batched-writer';
import { cadenceOf, SignalFreshnessMonitor } from '../../server/realtime/signal-freshness';

const minute = 60_000;

describe('the judgement', () => {
  it('goes late, stale, offline at 1.25, 1.75 and 12 usual intervals (plus a second of delivery)', () => {
    const level = (ageMin: number, cadenceMin = 15) =>
      judgeFreshness(0, cadenceMin * minute, ageMin * minute, 1).level;
    expect([10, 18, 19, 26, 27, 179, 181].map((a) => level(a))).toEqual([
      'fresh',
      'fresh',
      'late',
      'late',
      'stale',
      'stale',
      'offline',
    ]);
    // A sensor that reports every 10 s is stale after 18 s, not after the plant's 15 min.
    expect(judgeFreshness(0, 10_000, 19_000, 1).level).toBe('stale');
    expect(judgeFreshness(0, 15 * minute, 40 * minute, 1).words).toBe(
      'stale: last reading 40 min ago, usually every 15 min',
    );
  });

  it('allows a second of delivery on the plant clock: an hour on a demo plant at 1 plant h/s', () => {
    const demoRate = 3600;
    expect(judgeFreshness(0, 15 * minute, 80 * minute, demoRate).level).toBe('late');
    expect(judgeFreshness(0, 15 * minute, 90 * minute, demoRate).level).toBe('stale');
    expect(judgeFreshness(0, 15 * minute, 90 * minute, demoRate).words).toMatch(/\(plant time\)$/);
  });

  it('runs the plant clock on from the most advanced reading at the plant rate', () => {
    const arrivals = [
      { tsMs: 1000 * minute, receivedAtMs: 50_000 },
      { tsMs: 990 * minute, receivedAtMs: 51_000 },
    ];
    expect(plantNowMs(arrivals, 1, 60_000)).toBe(1000 * minute + 10_000);
    // 10 wall seconds at 0.1 plant h/s are an hour of plant time.
    expect(plantNowMs(arrivals, 360, 60_000)).toBe(1060 * minute);
    expect(plantNowMs([], 1, 0)).toBeNull();
  });

  it('takes the median interval as the cadence, ignoring repeats', () => {
    expect(cadenceOf([0, 15, 30, 30, 45, 200].map((m) => m * minute))).toBe(15 * minute);
    expect(cadenceOf([5])).toBe(15 * minute);
  });
});

describe('the monitor', () => {
  let dir: string | undefined;
  let database: OpenDatabase | undefined;
  afterEach(() => {
    database?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reads the state back at start, follows new readings, and tells of each change once', async () => {
    dir = mkdtempSync(join(tmpdir(), 'cw-freshness-'));
    database = openDatabase(join(dir, 'db.sqlite'), { synchronous: 'normal' });
    const writer = new BatchedWriter(database.sqlite, { maxRows: 1000 });
    const t0 = Date.UTC(2026, 0, 1);
    // od every 5 min, substrate every 15 min, both until t0 + 60 min, received as stamped.
    for (let m = 0; m <= 60; m += 5) {
      writer.accept({
        reactorId: 'r1',
        signal: 'od',
        tsMs: t0 + m * minute,
        value: 1,
        receivedAtMs: t0 + m * minute,
      });
      if (m % 15 === 0)
        writer.accept({
          reactorId: 'r1',
          signal: 'substrate',
          tsMs: t0 + m * minute,
          value: 1,
          receivedAtMs: t0 + m * minute,
        });
    }
    writer.flush();
    let wall = t0 + 61 * minute;
    const monitor = new SignalFreshnessMonitor({
      reads: prepareServiceReadStatements(database.sqlite),
      plantRateOf: () => 1,
      sweepMs: 60_000,
      now: () => wall,
    });
    const changes: string[] = [];
    monitor.onChange((id, f) =>
      changes.push(`${id}: od ${f.signals.od?.level}, substrate ${f.signals.substrate?.level}`),
    );
    await monitor.start();
    try {
      const f = monitor.freshnessOf('r1');
      expect(f?.signals.od).toMatchObject({ level: 'fresh', cadenceMs: 5 * minute, ageMs: minute });
      expect(f?.signals.substrate).toMatchObject({ level: 'fresh', cadenceMs: 15 * minute });
      expect(f?.signals.dilution).toBeUndefined();
      monitor.sweep();
      expect(changes).toEqual([]);

      // Readings stop: od is stale after 1.75 × 5 min, substrate only after 1.75 × 15 min.
      wall = t0 + 70 * minute;
      monitor.sweep();
      wall = t0 + 70 * minute + 1;
      monitor.sweep();
      expect(changes).toEqual(['r1: od stale, substrate fresh']);
      wall = t0 + 88 * minute;
      monitor.sweep();
      expect(changes.at(-1)).toBe('r1: od stale, substrate stale');

      // od comes back: fresh again, and a late reading does not move the clock back.
      monitor.readingsStored([{ reactorId: 'r1', signal: 'od', tsMs: t0 + 88 * minute, receivedAtMs: wall }]);
      monitor.readingsStored([{ reactorId: 'r1', signal: 'od', tsMs: t0 + 62 * minute, receivedAtMs: wall }]);
      monitor.sweep();
      expect(changes.at(-1)).toBe('r1: od fresh, substrate stale');
      expect(monitor.freshnessOf('r1')?.plantNowMs).toBe(t0 + 88 * minute);
      // Assays are sparse by nature: not tracked.
      monitor.readingsStored([{ reactorId: 'r1', signal: 'assay/X', tsMs: wall, receivedAtMs: wall }]);
      expect(Object.keys(monitor.freshnessOf('r1')?.signals ?? {}).sort()).toEqual(['od', 'substrate']);
    } finally {
      await monitor.stop();
    }
  });
});
