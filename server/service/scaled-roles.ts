/**
 * The processes of the scaled deployment besides the ingester (server/ingest/run-ingester.ts), each
 * stateless over the PostgreSQL store at `DATABASE_URL`, any number of each (deploy/scaled/):
 *
 * - assimilator: fits as pg-boss jobs (server/assimilator/fit-jobs.ts); each stored fit goes to the
 *   browsers through socket.io's PostgreSQL adapter and to MQTT as the retained `$estimate`.
 * - web: the dashboard, the reactors' read API and the auth API over PostgreSQL (accounts, sessions
 *   and tokens there, so that a login on one web process is valid on every other), and socket.io
 *   with @socket.io/postgres-adapter, so that what an ingester or an assimilator emits, and what any
 *   web process emits, reaches the browsers of every web process. Alerts, settings, the model and
 *   design APIs still run in the one-process service on SQLite only (README, "Past one machine").
 */
import { createAdapter } from '@socket.io/postgres-adapter';
import type { Logger } from 'pino';
import { pgAuthStore } from '../../db/pg/auth-store';
import { pgLoginFailureStore } from '../../db/pg/login-failure-store';
import { type OpenPostgres, openPostgres } from '../../db/pg/open-postgres';
import { pgServiceReads } from '../../db/pg/service-reads';
import { reactorsApiRoutes } from '../api/reactors-api';
import { FitJobs } from '../assimilator/fit-jobs';
import { Auth } from '../auth/auth';
import { ClientAddresses } from '../auth/client-address';
import { SharedLoginRateLimit } from '../auth/login-rate-limit';
import { resolveBroker } from '../broker/resolve-broker';
import { HttpListener } from '../http/http-listener';
import { HttpRefusals } from '../http/http-refusals';
import { sendJson } from '../http/responses';
import { createRouter } from '../http/router';
import { type Job, JobRunner } from '../lifecycle';
import { AsyncReactorMismatches } from '../mismatch/reactor-mismatch';
import { clusterBroadcaster } from '../realtime/cluster-broadcaster';
import { EstimatePublisher } from '../realtime/estimate-publisher';
import { RealtimeFanOut } from '../realtime/realtime-fan-out';
import { RealtimeHub } from '../realtime/realtime-hub';
import { type Dashboard, startDashboard } from './dashboard';
import type { ServiceSettings } from './service-settings';

export const scaledRoles = ['assimilator', 'web'] as const;
export type ScaledRole = (typeof scaledRoles)[number];

export interface RunningRole {
  /** The web process's http://host:port. */
  url?: string;
  stop(): Promise<void>;
}

export async function startRole(
  role: ScaledRole,
  settings: ServiceSettings,
  logger: Logger,
): Promise<RunningRole> {
  const jobs = new JobRunner((name, error) =>
    logger.error({ err: error, step: name }, 'error while stopping'),
  );
  try {
    return role === 'assimilator'
      ? await composeAssimilator(settings, logger, jobs)
      : await composeWeb(settings, logger, jobs);
  } catch (error) {
    await jobs.stopAll();
    throw error;
  }
}

async function openStore(
  settings: ServiceSettings,
  role: ScaledRole,
  jobs: JobRunner,
  maxConnections?: number,
): Promise<OpenPostgres> {
  const url = settings.base.database.url as string;
  return jobs.open(
    'database',
    () =>
      openPostgres(url, {
        applicationName: `${role} ${process.pid}`,
        ...(maxConnections !== undefined && { maxConnections }),
      }),
    (p) => p.close(),
  );
}

async function composeAssimilator(
  settings: ServiceSettings,
  logger: Logger,
  jobs: JobRunner,
): Promise<RunningRole> {
  const { base } = settings;
  const postgres = await openStore(settings, 'assimilator', jobs);
  const cluster = await jobs.open(
    'socket.io adapter',
    async () => clusterBroadcaster(postgres.pool, logger),
    (c) => c.close(),
  );
  const fanOut = new RealtimeFanOut(cluster.target, { ...settings.realtime, knownReactors: [] });
  const broker = await resolveBroker(base.mqtt, logger);
  const estimates = new EstimatePublisher(broker.connection, base.topicPrefix, logger);
  await jobs.start(estimates);
  const fits = new FitJobs({
    pool: postgres.pool,
    databaseUrl: base.database.url as string,
    settings: settings.assimilator,
    logger,
    ...settings.fitJobs,
    onFit: (_notice, record) => {
      if (!record) return;
      fanOut.fitStored(record);
      if (record.status === 'ok') estimates.publish(record);
    },
  });
  await jobs.start(fits);
  return { stop: () => jobs.stopAll() };
}

async function composeWeb(settings: ServiceSettings, logger: Logger, jobs: JobRunner): Promise<RunningRole> {
  // Page loads ask for several series at once, and the socket.io adapter holds one connection.
  const postgres = await openStore(settings, 'web', jobs, 10);
  const auth = new Auth({
    store: pgAuthStore(postgres.pool),
    loginLimit: new SharedLoginRateLimit(
      pgLoginFailureStore(postgres.pool),
      settings.auth.loginAttemptsPer15Min,
    ),
    settings: settings.auth,
    demo: false,
    logger,
  });
  const reads = pgServiceReads(postgres.pool);
  const mismatches = new AsyncReactorMismatches(reads);
  const refusals = new HttpRefusals();
  const proxies = new ClientAddresses(settings.auth.trustedProxies);
  const health: Job<object>[] = [auth];
  const router = createRouter(
    [
      {
        method: 'GET',
        path: '/healthz',
        handle: async ({ req, res }) => {
          const database = await postgres.pool.query('SELECT 1').then(
            () => 'ok',
            (error: Error) => error.message,
          );
          const states = Object.fromEntries(health.map((j) => [j.name, j.health().state]));
          const ok = database === 'ok' && Object.values(states).every((s) => s === 'ready');
          await sendJson(req, res, ok ? 200 : 503, {
            status: ok ? 'ok' : 'degraded',
            role: 'web',
            database,
            jobs: states,
          });
        },
      },
      ...reactorsApiRoutes({
        reads,
        topicPrefix: settings.base.topicPrefix,
        limits: settings.api,
        // Freshness and the fit queue are known in the ingesters and assimilators, not here.
        freshnessOf: () => undefined,
        estimatorOf: () => ({
          windowHours: settings.assimilator.windowHours,
          windowsDue: 0,
          running: true,
        }),
        mismatchOf: (reactorId) => mismatches.of(reactorId),
      }),
      ...auth.routes,
    ],
    logger,
    refusals,
  );
  let dashboard: Dashboard | undefined;
  const http = new HttpListener({
    host: settings.http.host,
    port: settings.http.port,
    limits: settings.http.limits,
    uncapped: (peer) => proxies.isTrustedProxy(peer),
    refusals,
    gate: auth.gate,
    router,
    dashboard: () => dashboard?.handle,
    logger,
  });
  if (settings.dashboard !== 'off') {
    const mode = settings.dashboard;
    dashboard = await jobs.open(
      'dashboard',
      () => startDashboard(mode, http.server, settings.http.host, settings.http.port),
      (prepared) => prepared.close(),
    );
  }
  const known = await postgres.pool.query<{ id: string }>('SELECT id FROM reactors');
  const hub = new RealtimeHub(http.server, {
    ...settings.realtime,
    logger,
    knownReactors: known.rows.map((r) => r.id),
    adapter: createAdapter(postgres.pool, {
      errorHandler: (error) => logger.warn({ err: error }, 'socket.io adapter'),
    }),
  });
  auth.guardSockets(hub.io);
  health.push(hub);
  await jobs.start(auth);
  await jobs.start(http);
  await jobs.start(hub);
  return { url: http.url, stop: () => jobs.stopAll() };
}
