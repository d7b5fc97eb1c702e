/**
 * One chain per reactor at a time, whoever takes the jobs: two assimilators (two FitJobs, each with
 * its own pg-boss and pool, as two processes have) on a backlog of one reactor, each job handing the
 * reactor back after every fit (a budget of 1 ms), so that the other is always about to take it; at
 * the start the test holds the reactor's lock itself, so that jobs certainly find it held. Every
 * window is fitted exactly once, in order.
 */
import pino from 'pino';
import { afterAll, expect, it } from 'vitest';
import { sameInstantH } from '../../assimilation';
import type { PlantSignal } from '../../contract/api';
import { type OpenPostgres, openPostgres } from '../../db/pg/open-postgres';
import { defaultAssimilatorSettings } from '../../server/assimilator/assimilator-settings';
import { FitJobs, reactorLockClass } from '../../server/assimilator/fit-jobs';
import { BatchedWriter, defaultWriterOptions } from '../../server/ingest/batched-writer';
import { pgBatchStore } from '../../server/ingest/pg-batch-commit';
import { plantEpochMs, plantMessages } from '../fixtures/plant-stream';
import { type Postgres, startPostgres } from '../fixtures/postgres';

const cleanup: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const step of cleanup.reverse()) await step();
});

it('fits every window of a reactor once while two assimilators keep taking its jobs', async () => {
  const server: Postgres = await startPostgres();
  cleanup.push(() => server.stop());
  const url = server.url;
  const stores: OpenPostgres[] = [];
  for (let i = 0; i < 2; i++) {
    const store = await openPostgres(url, { applicationName: `assimilator test-${i}` });
    cleanup.push(() => store.close());
    stores.push(store);
  }
  const messages = plantMessages(['r1'], 20);
  const writer = new BatchedWriter(
    pgBatchStore(stores[0].pool, {
      maxStoredRejections: defaultWriterOptions.maxStoredRejections,
      now: Date.now,
    }),
  );
  for (const m of messages)
    writer.accept({
      reactorId: m.reactorId,
      signal: m.signal as PlantSignal,
      tsMs: m.tsMs,
      value: m.value,
      receivedAtMs: Date.now(),
    });
  expect(await writer.flush()).toBe(true);

  const { windowHours, stepHours } = defaultAssimilatorSettings;
  const times = messages.filter((m) => m.signal !== 'feed').map((m) => m.timeH);
  const expectedEnds: number[] = [];
  for (let end = Math.min(...times) + windowHours; end < Math.max(...times) - sameInstantH; end += stepHours)
    expectedEnds.push(end);

  const assimilators = stores.map(
    (store) =>
      new FitJobs({
        pool: store.pool,
        databaseUrl: url,
        settings: defaultAssimilatorSettings,
        logger: pino({ level: 'silent' }),
        scanMs: 100,
        expireSeconds: 60,
        jobBudgetMs: 1,
      }),
  );
  // Hold the reactor as another assimilator would, while both start: each job must find it held and
  // hand it back (on an idle machine the two may otherwise never overlap).
  const holder = await stores[0].pool.connect();
  await holder.query('SELECT pg_advisory_lock($1, hashtext($2))', [reactorLockClass, 'r1']);
  for (const a of assimilators) {
    await a.start();
    cleanup.push(() => a.stop());
  }
  const busyJobs = () => assimilators.reduce((n, a) => n + a.metrics().jobsBusy, 0);
  for (let waited = 0; busyJobs() === 0 && waited < 20_000; waited += 50)
    await new Promise((r) => setTimeout(r, 50));
  await holder.query('SELECT pg_advisory_unlock($1, hashtext($2))', [reactorLockClass, 'r1']);
  holder.release();
  const fitted = async () =>
    (
      await stores[0].pool.query<{ endH: number }>(
        'SELECT window_end_h AS "endH" FROM fits WHERE NOT refit ORDER BY id',
      )
    ).rows.map((r) => Math.round((r.endH - plantEpochMs / 3_600_000) * 1e6) / 1e6);
  const deadline = Date.now() + 90_000;
  while ((await fitted()).length < expectedEnds.length && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 200));
  // A little longer: a second fit of a window would land now.
  await new Promise((r) => setTimeout(r, 1000));
  for (const a of assimilators) await a.stop();

  expect(await fitted()).toEqual(expectedEnds);
  const metrics = assimilators.map((a) => a.metrics());
  expect(metrics.reduce((n, m) => n + m.fitsOk + m.fitsFailed, 0)).toBe(expectedEnds.length);
  // Both took jobs of the one reactor, and jobs found it held and let it be.
  expect(metrics.every((m) => m.jobs > 0)).toBe(true);
  expect(metrics.reduce((n, m) => n + m.jobsBusy, 0)).toBeGreaterThan(0);
}, 120_000);
