/**
 * culturewatch: one process, one port. `node --import tsx server.ts` (what `npm start` runs) starts
 * the database, the broker, the ingester, the assimilator, the simulator in demo mode, and the HTTP
 * server with the dashboard, the API and socket.io. Settings: server/README.md. SIGTERM or SIGINT
 * stops it gracefully; a second signal, or a stop that takes too long, ends it at once. With MQTT TLS
 * files (the embedded broker's listener, or the client certificate for MQTT_URL), SIGHUP reads them again.
 */
import { reloadTlsOnSighup } from './server/broker/resolve-broker';
import { ConfigError } from './server/env-schema';
import { createLogger } from './server/service/logger';
import { startService } from './server/service/service';
import { loadServiceSettings, type ServiceSettings } from './server/service/service-settings';

let settings: ServiceSettings;
try {
  settings = loadServiceSettings();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`culturewatch: ${error.message}\n`);
  process.exit(2);
}
const logger = createLogger(settings.base.logLevel, settings.logFormat);
const startedMs = performance.now();
let service: Awaited<ReturnType<typeof startService>>;
try {
  // SIGHUP reads renewed TLS files from the moment the broker is known, also while the start waits for it.
  service = await startService(settings, logger, {
    brokerResolved: (broker) => reloadTlsOnSighup(broker, logger),
  });
} catch (error) {
  logger.fatal({ err: error }, 'could not start');
  process.exit(1);
}
logger.info(
  {
    url: service.url,
    broker: service.brokerUrl,
    simulator: settings.simulator.enabled,
    assimilator: settings.assimilator.enabled,
    dashboard: settings.dashboard,
    configFile: settings.configFile,
    startupMs: Math.round(performance.now() - startedMs),
  },
  'service ready',
);

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) {
    logger.warn({ signal }, 'second signal: exiting now');
    process.exit(1);
  }
  stopping = true;
  logger.info({ signal }, 'stopping');
  const timer = setTimeout(() => {
    logger.error({ timeoutMs: settings.shutdownTimeoutMs }, 'stop took too long: exiting');
    process.exit(1);
  }, settings.shutdownTimeoutMs);
  timer.unref();
  await service.stop();
  logger.info('stopped');
  logger.flush();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
