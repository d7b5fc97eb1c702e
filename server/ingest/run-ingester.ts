/**
 * Runs the ingester on its own: `node --import tsx server/ingest/run-ingester.ts`, configured by the
 * environment (server/config.ts). Starts the embedded broker when `MQTT_URL` is unset. Prints
 * JSON log lines; "ingester ready" once subscribed.
 */
import pino from 'pino';
import { openDatabase } from '../../db/open-database';
import { reloadTlsOnSighup, resolveBroker } from '../broker/resolve-broker';
import { loadConfig, nonLoopbackListeners } from '../config';
import { Ingester } from './ingester';
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
const database = openDatabase(config.database.path, { synchronous: config.database.synchronous });
const broker = await resolveBroker(config.mqtt, logger);
const ingester = new Ingester({
  broker: broker.connection,
  clientId: config.mqtt.clientId,
  topicPrefix: config.topicPrefix,
  ...(config.mqtt.sharedGroup !== undefined && { sharedGroup: config.mqtt.sharedGroup }),
  sqlite: database.sqlite,
  logger,
});
const retention = new RetentionSweeper(database.sqlite, config.retention, logger);

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'stopping');
  await retention.stop();
  await ingester.stop();
  await broker.embedded?.close();
  database.close();
  logger.info({ metrics: ingester.metrics() }, 'stopped');
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
reloadTlsOnSighup(broker, logger);

await retention.start();
await ingester.start();
logger.info({ url: broker.connection.url, database: config.database.path }, 'ingester ready');
