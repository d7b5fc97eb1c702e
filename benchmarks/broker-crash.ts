/**
 * What a broker crash costs, per mosquitto autosave setting. `npm run bench:broker-crash [-- N [RATE]]`
 *
 * For each setting, runs of N distinct QoS-1 readings from an independent publisher process (500 in
 * flight) through mosquitto into an ingester process (server/ingest/run-ingester.ts) and SQLite.
 * Lost = acknowledged to the publisher and never stored.
 *  - away crash: the ingester is away, so its queue grows in mosquitto (an ingester restart, an
 *    outage); the publisher sends RATE readings/s (default 10k/s) and mosquitto is SIGKILLed at 60 %:
 *    what was acknowledged since the last save is lost. This is the loss window.
 *  - live crash: the ingester keeps up, the publisher as fast as it can; SIGKILL at 40 %.
 *  - cost: no crash, as fast as it can, ingester live and away: readings/s and what mosquitto wrote
 *    (/proc/<pid>/io: wchar handed to write(2), write_bytes sent to the disk); then how long one save
 *    of the N queued readings takes and how big the file is.
 */
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type BrokerCrashRunOptions, brokerCrashRun, databaseIn } from '../tests/fixtures/broker-crash-run';
import { type Autosave, startMosquitto } from '../tests/fixtures/mosquitto';

const count = Number(process.argv[2] ?? 100_000);
const rate = Number(process.argv[3] ?? 10_000);
const maxInFlight = 500;
const settings: { label: string; autosave: Autosave }[] = [
  { label: 'autosave_interval 1800 (mosquitto default)', autosave: { interval: 1800, onChanges: false } },
  { label: 'autosave_interval 5', autosave: { interval: 5, onChanges: false } },
  { label: 'autosave_interval 1', autosave: { interval: 1, onChanges: false } },
  {
    label: 'autosave_on_changes true, autosave_interval 10000',
    autosave: { interval: 10_000, onChanges: true },
  },
  {
    label: 'autosave_on_changes true, autosave_interval 1000',
    autosave: { interval: 1000, onChanges: true },
  },
  { label: 'autosave_on_changes true, autosave_interval 100', autosave: { interval: 100, onChanges: true } },
];
// SETTINGS=0,2 runs only those rows.
const only = process.env.SETTINGS?.split(',').map(Number);
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const k = (x: number) => `${(x / 1000).toFixed(1)}k/s`;

console.log(
  `bench:broker-crash — ${count} readings per run, ${maxInFlight} in flight; away crash at ${k(rate)}, SIGKILL at 60 %`,
);
const rows: unknown[] = [];
for (const [i, setting] of settings.entries()) {
  if (only && !only.includes(i)) continue;
  const broker = await startMosquitto({ autosave: setting.autosave });
  try {
    const run = async (name: string, extra: Partial<BrokerCrashRunOptions>) => {
      const databasePath = databaseIn(broker, name);
      const result = await brokerCrashRun({ broker, databasePath, count, maxInFlight, ...extra });
      rmSync(databasePath, { force: true });
      return result;
    };
    const away = await run('away', { crashAtAcked: 0.6 * count, ingesterAway: true, ratePerSecond: rate });
    const live = await run('live', { crashAtAcked: 0.4 * count });
    const cost = await run('cost', {});
    let saveMs = 0;
    let fileBytes = 0;
    const awayCost = await run('away-cost', {
      ingesterAway: true,
      whileQueued: async () => {
        const saveStarted = performance.now();
        await broker.save();
        saveMs = performance.now() - saveStarted;
        fileBytes = statSync(join(broker.dir, 'mosquitto.db')).size;
      },
    });
    console.log(`${setting.label}`);
    console.log(
      `  away crash: lost ${away.lost} of ${away.acked} acknowledged (${(away.lost / rate).toFixed(2)} s of the stream); ` +
        `duplicates ${away.duplicateRows} rows, ${away.rollupExcess} in rollups`,
    );
    console.log(
      `  live crash: lost ${live.lost} of ${live.acked} acknowledged; duplicates ${live.duplicateRows} rows, ` +
        `${live.rollupExcess} in rollups; ${live.duplicatesIgnored} redelivered and ignored`,
    );
    console.log(
      `  cost, ingester live: ${k(count / cost.storeSeconds)} committed (publisher ${k(count / cost.publishSeconds)}), ` +
        `mosquitto wrote ${mb(cost.brokerIo.wchar)} (${mb(cost.brokerIo.writeBytes)} to disk)`,
    );
    console.log(
      `  cost, ingester away: publisher ${k(count / awayCost.publishSeconds)}, mosquitto wrote ` +
        `${mb(awayCost.brokerIo.wchar)} (${mb(awayCost.brokerIo.writeBytes)} to disk); one save of ${count} queued: ` +
        `${saveMs.toFixed(0)} ms, ${mb(fileBytes)}`,
    );
    rows.push({
      setting: setting.label,
      autosave: setting.autosave,
      away,
      live,
      cost,
      awayCost,
      saveMs,
      fileBytes,
    });
  } finally {
    await broker.stop();
  }
}
console.log(JSON.stringify({ count, rate, maxInFlight, rows }));
