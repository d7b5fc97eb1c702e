/**
 * Runs the ingester on its own: `node --import tsx server/ingest/run-ingester.ts`, configured by the
 * environment (server/config.ts). Starts the embedded broker when `MQTT_URL` is unset. Prints
 * JSON log lines; "ingester ready" once subscribed.
 *
 * With `DATABASE_URL` (a scaled deployment, deploy/scaled/) it writes to PostgreSQL, and the
 * readings it stores go to every web process's browsers through socket.io's PostgreSQL adapter. Run
 * several with one `MQTT_SHARED_GROUP` and each its own `MQTT_CLIENT_ID`: the broker then hands
 * each message to one of them, and a message redelivered to another after a crash stores nothing twice.
 */
import pino from 'pino';
import { openDatabase } from '../../db/open-database';
import { openPostgres } from '../../db/pg/open-postgres';
import { reloadTlsOnSighup, resolveBroker } from '../broker/resolve-broker';
import { loadConfig, nonLoopbackListeners } from '../config';
import type { Job } from '../lifecycle';
import { clusterBroadcaster } from '../realtime/cluster-broadcaster';
import { RealtimeFanOut } from '../realtime/realtime-fan-out';
import { defaultWriterOptions } from './batched-writer';
import { Ingester } from './ingester';
import { pgBatchStore } from './pg-batch-commit';
import { ReadingPartitionRetention } from './pg-retention';
import { RetentionSweeper } from './retention-sweeper';

const config = loadConfig();
const logger = pino({ level: config.logLevel });
// Alone, the ingester's embedded broker has no device accounts (the service's has, with AUTH on): open,
// it listens on this machine only; devices elsewhere need MQTT_USERNAME/MQTT_PASSWORD (one shared
// login) or a broker at MQTT_URL.
const [exposed] = config.mqtt.username === undefined ? nonLoopbackListeners(config.mqtt) : [];
if (exposed) {
  logger.fatal(
    { [exposed.setting]: exposed.host },
    `the standalone ingester would start an open embedded broker on a non-loopback address: set MQTT_URL to your broker, MQTT_USERNAME and MQTT_PASSWORD for one shared login, or ${exposed.setting} to 127.0.0.1`,
  );
  process.exit(1);
}

/** Where readings go, the retention sweep of that store, what to close at the end. */
async function openStore() {
  const { url } = config.database;
  if (url === undefined) {
    const database = openDatabase(config.database.path, { synchronous: config.database.synchronous });
    return {
      target: { sqlite: database.sqlite },
      retention: new RetentionSweeper(database.sqlite, config.retention, logger) as Job<object>,
      fanOut: undefined,
      where: config.database.path,
      close: async () => database.close(),
    };
  }
  const postgres = await openPostgres(url, { applicationName: `ingester ${config.mqtt.clientId}` });
  const cluster = clusterBroadcaster(postgres.pool, logger);
  const fanOut = new RealtimeFanOut(cluster.target, {
    batchMs: Number(process.env.REALTIME_BATCH_MS ?? 250),
    coalesceMs: Number(process.env.REALTIME_COALESCE_MS ?? 5),
    knownReactors: (await postgres.pool.query<{ id: string }>('SELECT id FROM reactors')).rows.map(
      (r) => r.id,
    ),
  });
  return {
    target: {
      store: pgBatchStore(postgres.pool, {
        maxStoredRejections: defaultWriterOptions.maxStoredRejections,
        now: Date.now,
      }),
    },
    retention: new ReadingPartitionRetention(postgres.pool, config.retention, logger) as Job<object>,
    fanOut,
    where: url.replace(/\/\/[^@/]*@/, '//'),
    close: async () => {
      await cluster.close();
      await postgres.close();
    },
  };
}

const store = await openStore();
const broker = await resolveBroker(config.mqtt, logger);
const ingester = new Ingester({
  broker: broker.connection,
  clientId: config.mqtt.clientId,
  topicPrefix: config.topicPrefix,
  ...(config.mqtt.sharedGroup !== undefined && { sharedGroup: config.mqtt.sharedGroup }),
  ...store.target,
  logger,
});
if (store.fanOut) {
  const fanOut = store.fanOut;
  ingester.onReadingsStored((readings) => fanOut.readingsStored(readings));
}

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'stopping');
  await store.retention.stop();
  await ingester.stop();
  store.fanOut?.flushAll();
  store.fanOut?.stop();
  await broker.embedded?.close();
  await store.close();
  logger.info({ metrics: ingester.metrics() }, 'stopped');
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
reloadTlsOnSighup(broker, logger);

await store.retention.start();
await ingester.start();
logger.info({ url: broker.connection.url, database: store.where }, 'ingester ready');
