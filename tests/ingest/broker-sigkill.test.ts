/**
 * A crash of mosquitto mid-stream under QoS 1, configured as deployed (deploy/mosquitto-culturewatch.conf,
 * autosave_interval 1): an independent publisher process records the broker's PUBACKs, mosquitto is
 * SIGKILLed and started again on its last saved file, and the database is held against that record.
 * The stated window (README, "Durability"): a crash loses at most the last 2 s of readings that the
 * ingester had not yet stored. Checked here at 2000 readings/s with 1 s to spare for a busy machine;
 * with mosquitto's default autosave (30 min) the first case loses everything since its last save, 5 s.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type BrokerCrashRunResult, brokerCrashRun, databaseIn } from '../fixtures/broker-crash-run';
import { deployedAutosave, type Mosquitto, startMosquitto } from '../fixtures/mosquitto';

const ratePerSecond = 2000;
const windowSeconds = 2;
const lossBound = ratePerSecond * (windowSeconds + 1);

let mosquitto: Mosquitto;
beforeAll(async () => {
  mosquitto = await startMosquitto();
});
afterAll(async () => {
  await mosquitto?.stop();
});

function report(name: string, run: BrokerCrashRunResult): void {
  console.log(
    `mosquitto SIGKILL, ${name} (autosave ${JSON.stringify(deployedAutosave())}): lost ${run.lost} of ` +
      `${run.acked} acknowledged (bound ${lossBound}); ${run.duplicateRows} duplicate rows; ` +
      `${run.duplicatesIgnored} redelivered readings ignored as already stored`,
  );
}

/** The crash fell inside the stream, lost no more than the window, and stored nothing twice. */
function expectWithinWindow(run: BrokerCrashRunResult): void {
  expect(run.publisherReconnects).toBeGreaterThan(0);
  expect(run.lost, `lost readings, e.g. ${run.lostExamples.join(', ')}`).toBeLessThanOrEqual(lossBound);
  expect(run.stored).toBe(run.acked - run.lost);
  expect(run.duplicateRows).toBe(0);
  // Rollups count each stored reading once: a reading stored twice under another key would show here.
  expect(run.rollupExcess).toBe(0);
}

it('loses at most the stated window when mosquitto is killed while the ingester is away', async () => {
  // 7 s of readings queued for the absent ingester; the crash at 5 s.
  const run = await brokerCrashRun({
    broker: mosquitto,
    databasePath: databaseIn(mosquitto, 'away'),
    count: 7 * ratePerSecond,
    maxInFlight: 500,
    ratePerSecond,
    crashAtAcked: 5 * ratePerSecond,
    ingesterAway: true,
  });
  report('ingester away', run);
  expect(run.acked).toBe(7 * ratePerSecond);
  expectWithinWindow(run);
}, 30_000);

it('loses at most the stated window, and duplicates nothing, when mosquitto is killed under a live ingester', async () => {
  const run = await brokerCrashRun({
    broker: mosquitto,
    databasePath: databaseIn(mosquitto, 'live'),
    count: 6 * ratePerSecond,
    maxInFlight: 500,
    ratePerSecond,
    crashAtAcked: 3 * ratePerSecond,
  });
  report('ingester live', run);
  expect(run.acked).toBe(6 * ratePerSecond);
  expectWithinWindow(run);
}, 30_000);
