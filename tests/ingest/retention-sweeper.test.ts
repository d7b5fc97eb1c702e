import { afterEach, expect, it } from 'vitest';
import { type OpenDatabase, openDatabase } from '../../db/open-database';
import { BatchedWriter } from '../../server/ingest/batched-writer';
import { RetentionSweeper } from '../../server/ingest/retention-sweeper';
import { silentLogger } from '../fixtures/ingest-harness';
import { readingsInRange, rollupsInRange } from '../fixtures/stored-rows';

const day = 86_400_000;
// A simulator's virtual calendar, years behind the wall clock: ages must not count from "now".
const t0 = Date.UTC(2016, 0, 1);
let database: OpenDatabase | undefined;

afterEach(() => {
  database?.close();
  database = undefined;
});

it('drops raw readings and rollups past their retention, counting back from each reactor’s newest reading', async () => {
  database = openDatabase(':memory:');
  const { db, sqlite } = database;
  const writer = new BatchedWriter(sqlite);
  // Reactor "live": one od reading a day for 40 days, and a substrate reading on its last day.
  for (let d = 0; d < 40; d++)
    writer.accept({ reactorId: 'live', signal: 'od', tsMs: t0 + d * day, value: d, receivedAtMs: 0 });
  writer.accept({
    reactorId: 'live',
    signal: 'substrate',
    tsMs: t0 + 39 * day + 1,
    value: 1,
    receivedAtMs: 0,
  });
  // Reactor "ended": stopped reporting long ago; its last 20 days stay.
  for (let d = 0; d < 20; d++)
    writer.accept({ reactorId: 'ended', signal: 'od', tsMs: t0 + d * day, value: d, receivedAtMs: 0 });
  writer.flush();

  const sweeper = new RetentionSweeper(
    sqlite,
    { rawDays: 30, rollup1MinDays: 10, rollup15MinDays: 35, sweepMinutes: 60 },
    silentLogger,
  );
  const result = await sweeper.sweepOnce();

  // Newest of "live" is day 39 (+1 ms, the substrate reading): raw keeps days 10..39.
  const liveOd = readingsInRange(db, { reactorId: 'live', signal: 'od', fromMs: 0, toMs: t0 + 100 * day });
  expect(liveOd.map((r) => r.value)).toEqual(Array.from({ length: 30 }, (_, i) => i + 10));
  expect(
    readingsInRange(db, { reactorId: 'ended', signal: 'od', fromMs: 0, toMs: t0 + 100 * day }),
  ).toHaveLength(20);
  const buckets = (bucketWidthMs: number, reactorId = 'live') =>
    rollupsInRange(db, { reactorId, signal: 'od', bucketWidthMs, fromMs: 0, toMs: t0 + 100 * day }).map(
      (b) => b.mean,
    );
  expect(buckets(60_000)).toEqual(Array.from({ length: 10 }, (_, i) => i + 30));
  expect(buckets(900_000)).toEqual(Array.from({ length: 35 }, (_, i) => i + 5));
  // "ended": newest is day 19, so its 1-minute buckets keep days 9..19 (the cutoff is exactly day 9).
  expect(buckets(60_000, 'ended')).toEqual(Array.from({ length: 11 }, (_, i) => i + 9));
  expect(buckets(900_000, 'ended')).toHaveLength(20);
  expect(result).toEqual({ readingsDeleted: 10, rollupsDeleted: 30 + 5 + 9 });

  // A second sweep finds nothing more to do.
  expect(await sweeper.sweepOnce()).toEqual({ readingsDeleted: 0, rollupsDeleted: 0 });
  await sweeper.stop();
});
