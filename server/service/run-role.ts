/**
 * Runs one process of the scaled deployment: `node --import tsx server/service/run-role.ts
 * assimilator|web` (the ingester: server/ingest/run-ingester.ts). Settings from the environment as
 * for the service (server/README.md), with `DATABASE_URL`. Logs "<role> ready"; SIGTERM or SIGINT
 * stops it gracefully.
 */
import { ConfigError } from '../env-schema';
import { createLogger } from './logger';
import { type ScaledRole, scaledRoles, startRole } from './scaled-roles';
import { loadServiceSettings } from './service-settings';

const role = process.argv[2] as ScaledRole;
if (!scaledRoles.includes(role)) {
  process.stderr.write(`usage: run-role.ts ${scaledRoles.join('|')}\n`);
  process.exit(2);
}
let settings: ReturnType<typeof loadServiceSettings>;
try {
  settings = loadServiceSettings(process.env, { scaled: true });
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`culturewatch ${role}: ${error.message}\n`);
  process.exit(2);
}
const logger = createLogger(settings.base.logLevel, settings.logFormat).child({ role });
let running: Awaited<ReturnType<typeof startRole>>;
try {
  running = await startRole(role, settings, logger);
} catch (error) {
  logger.fatal({ err: error }, 'could not start');
  process.exit(1);
}
logger.info({ url: running.url }, `${role} ready`);

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) process.exit(1);
  stopping = true;
  logger.info({ signal }, 'stopping');
  const timer = setTimeout(() => {
    logger.error('stop took too long: exiting');
    process.exit(1);
  }, settings.shutdownTimeoutMs);
  timer.unref();
  await running.stop();
  logger.info('stopped');
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
