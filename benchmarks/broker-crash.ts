/**
 * What a broker crash costs, per mosquitto autosave setting and with RabbitMQ.
 * `npm run bench:broker-crash [-- N [RATE]]` (SETTINGS=0,2 for only those rows)
 *
 * For each broker, runs of N distinct QoS-1 readings from an independent publisher process (500 in
 * flight) through mosquitto into an ingester process (server/ingest/run-ingester.ts) and SQLite.
 * Lost = acknowledged to the publisher and never stored.
 *  - away crash: the ingester is away, so its queue grows in mosquitto (an ingester restart, an
 *    outage); the publisher sends RATE readings/s (default 10k/s) and mosquitto is SIGKILLed at 60 %:
 *    what was acknowledged since the last save is lost. This is the loss window.
 *  - live crash: the ingester keeps up, the publisher as fast as it can; SIGKILL at 40 %.
 *  - cost: no crash, as fast as it can, ingester live and away: readings/s and what mosquitto wrote
 *    (/proc/<pid>/io: wchar handed to write(2), write_bytes sent to the disk); for mosquitto, how long
 *    one save of the N queued readings takes and how big the file is.
 * Not in the list: autosave_on_changes with autosave_interval 100, which rewrote the growing file every
 * 100 messages and so wrote over 8 GB per run of 100k (README, "Durability").
 */
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type BrokerCrashRunOptions, brokerCrashRun, databaseIn } from '../tests/fixtures/broker-crash-run';
import { startMosquitto } from '../tests/fixtures/mosquitto';
import { startRabbitMq } from '../tests/fixtures/rabbitmq';

// On Ctrl-C, exit through the fixtures' exit handlers, which kill the brokers and processes they started.
process.once('SIGINT', () => process.exit(130));
const count = Number(process.argv[2] ?? 100_000);
const rate = Number(process.argv[3] ?? 10_000);
const maxInFlight = 500;
const mosquitto = (interval: number, onChanges: boolean) => () =>
  startMosquitto({ autosave: { interval, onChanges } });
const settings = [
  { label: 'mosquitto, autosave_interval 1800 (its default)', start: mosquitto(1800, false) },
  { label: 'mosquitto, autosave_interval 5', start: mosquitto(5, false) },
  { label: 'mosquitto, autosave_interval 1 (deployed)', start: mosquitto(1, false) },
  { label: 'mosquitto, autosave_on_changes true, autosave_interval 10000', start: mosquitto(10_000, true) },
  { label: 'mosquitto, autosave_on_changes true, autosave_interval 1000', start: mosquitto(1000, true) },
  { label: 'RabbitMQ 3.10, MQTT plugin (deploy/rabbitmq-culturewatch.conf)', start: startRabbitMq },
];
const only = process.env.SETTINGS?.split(',').map(Number);
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const k = (x: number) => `${(x / 1000).toFixed(1)}k/s`;

console.log(
  `bench:broker-crash — ${count} readings per run, ${maxInFlight} in flight; away crash at ${k(rate)}, SIGKILL at 60 %`,
);
const rows: unknown[] = [];
for (const [i, setting] of settings.entries()) {
  if (only && !only.includes(i)) continue;
  const broker = await setting.start();
  const isMosquitto = 'restart' in broker;
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
        if (!isMosquitto) return;
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
        `the broker wrote ${mb(cost.brokerIo.wchar)} (${mb(cost.brokerIo.writeBytes)} to disk)`,
    );
    console.log(
      `  cost, ingester away: publisher ${k(count / awayCost.publishSeconds)}, the broker wrote ` +
        `${mb(awayCost.brokerIo.wchar)} (${mb(awayCost.brokerIo.writeBytes)} to disk)` +
        (isMosquitto ? `; one save of ${count} queued: ${saveMs.toFixed(0)} ms, ${mb(fileBytes)}` : ''),
    );
    rows.push({
      setting: setting.label,
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
