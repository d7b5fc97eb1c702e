/**
 * The live service, wired in the order the issue gives: the database (migrations applied), the
 * broker (embedded unless MQTT_URL is set), the ingester, the assimilator (a worker thread), the
 * simulator in demo mode, and last the HTTP server with the dashboard, the API and socket.io on one
 * port. `stop()` undoes it gracefully: no more messages taken, the writer flushed, the running fit
 * finished or abandoned, the database closed.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Health } from '../../contract/api';
import { realtimePath } from '../../contract/realtime';
import { type OpenDatabase, openDatabase } from '../../db/open-database';
import { prepareServiceReadStatements } from '../../db/service-read-statements';
import { transitionEventView } from '../alerts/alarm-recorder';
import { startAlerting } from '../alerts/alerting';
import { createApiHandler } from '../api/api-handler';
import { createEstimatorSettingsApi, effectiveAssimilatorSettings } from '../api/estimator-settings-api';
import { fitRecordById } from '../api/fit-records';
import { AssimilatorHost } from '../assimilator/assimilator-host';
import { startAuth } from '../auth/auth';
import { type ResolvedBroker, resolveBroker } from '../broker/resolve-broker';
import { Ingester } from '../ingest/ingester';
import { RetentionSweeper } from '../ingest/retention-sweeper';
import type { Job, JobHealth } from '../lifecycle';
import { ServiceMetrics } from '../metrics/service-metrics';
import { EstimatePublisher } from '../realtime/estimate-publisher';
import { RealtimeHub } from '../realtime/realtime-hub';
import { type Dashboard, startDashboard } from './dashboard';
import { DemoPlant } from './demo-plant';
import { RecordRetention } from './record-retention';
import type { ServiceSettings } from './service-settings';

export interface RunningService {
  /** http://host:port */
  url: string;
  port: number;
  brokerUrl: string;
  stop(): Promise<void>;
}

export interface StartHooks {
  /** Once the broker is known, before waiting for it: where a TLS reload can be wired (resolve-broker.ts). */
  brokerResolved?: (broker: ResolvedBroker) => void;
}

export async function startService(
  settings: ServiceSettings,
  logger: Logger,
  hooks: StartHooks = {},
): Promise<RunningService> {
  const startedAtMs = Date.now();
  const { base } = settings;
  const cleanup: { name: string; run: () => Promise<void> | void }[] = [];
  const stopAll = async () => {
    for (const step of cleanup.reverse()) {
      try {
        await step.run();
      } catch (error) {
        logger.error({ err: error, step: step.name }, 'error while stopping');
      }
    }
    cleanup.length = 0;
  };

  try {
    const database: OpenDatabase = openDatabase(base.database.path, {
      synchronous: base.database.synchronous,
    });
    cleanup.push({ name: 'database', run: () => database.close() });
    const reads = prepareServiceReadStatements(database.sqlite);
    logger.info({ path: base.database.path }, 'database open, migrations applied');

    const broker: ResolvedBroker = await resolveBroker(base.mqtt, logger, {
      authEnabled: settings.auth.enabled,
      topicPrefix: base.topicPrefix,
      ...(settings.simulator.enabled && { simulatedReactors: settings.simulator.reactors.map((r) => r.id) }),
    });
    if (broker.embedded) cleanup.push({ name: 'embedded broker', run: () => broker.embedded?.close() });
    hooks.brokerResolved?.(broker);

    const retention = new RetentionSweeper(database.sqlite, base.retention, logger);
    const ingester = new Ingester({
      broker: broker.connection,
      clientId: base.mqtt.clientId,
      topicPrefix: base.topicPrefix,
      ...(base.mqtt.sharedGroup !== undefined && { sharedGroup: base.mqtt.sharedGroup }),
      sqlite: database.sqlite,
      logger,
    });

    // An operator's estimator settings (stored) stand over the environment's.
    const host = settings.assimilator.enabled
      ? new AssimilatorHost({
          databasePath: base.database.path,
          settings: effectiveAssimilatorSettings(settings.assimilator, database.db, logger),
          logger,
        })
      : undefined;

    const auth = await startAuth({
      sqlite: database.sqlite,
      settings: settings.auth,
      demo: settings.simulator.enabled,
      logger,
    });
    cleanup.push({ name: 'auth', run: () => auth.stop() });

    const httpServer: Server = createServer();
    const hub = new RealtimeHub(httpServer, {
      batchMs: settings.realtime.batchMs,
      coalesceMs: settings.realtime.coalesceMs,
      logger,
      knownReactors: reads.reactors.all().map((r) => r.id),
    });
    auth.guardSockets(hub.io);
    const estimates = new EstimatePublisher(broker.connection, base.topicPrefix, logger);

    ingester.onReadingsStored((readings, highestRowid) => {
      host?.readingsStored(readings, highestRowid);
      alerting.readingsStored(readings);
      hub.readingsStored(readings);
    });

    // The estimate publisher connects first, so that no fit goes unpublished.
    await estimates.start();
    cleanup.push({ name: 'estimate publisher', run: () => estimates.stop() });
    // Alerts and webhooks (server/alerts/): rules over stored readings and fits, the webhook outbox, $alarm.
    let publicUrl = `http://${settings.http.host}:${settings.http.port}`;
    const alerting = await startAlerting({
      database,
      broker: broker.connection,
      topicPrefix: base.topicPrefix,
      settings: settings.alerts,
      serviceUrl: () => publicUrl,
      logger,
    });
    cleanup.push({ name: 'alerts', run: () => alerting.stop() });
    alerting.onTransition((t) => hub.alarmChanged(transitionEventView(t)));

    await retention.start();
    cleanup.push({ name: 'retention', run: () => retention.stop() });
    const recordRetention = new RecordRetention(database.sqlite, settings.recordRetention, logger);
    await recordRetention.start();
    cleanup.push({ name: 'record retention', run: () => recordRetention.stop() });
    await ingester.start();
    cleanup.push({ name: 'ingester', run: () => ingester.stop() });
    logger.info(
      { url: broker.connection.url, embedded: broker.embedded !== undefined },
      'ingester subscribed',
    );

    const metrics = new ServiceMetrics({
      ingester: () => ingester.metrics(),
      assimilator: () => host?.metrics(),
      realtime: () => hub.metrics(),
      estimatesPublished: () => estimates.metrics().published,
      jobs: () => jobs.map((job) => ({ name: job.name, health: job.health() })),
      auth: () => auth.metrics(),
      mqttRefusals: () => broker.embedded?.metrics(),
      startedAtMs,
    });
    if (host) {
      host.onFit((fit) => {
        metrics.fitDone(fit);
        alerting.fitStored(fit.fitId);
        const record = fitRecordById(reads, fit.fitId);
        if (!record) return;
        hub.fitStored(record);
        estimates.publish(record);
      });
      await host.start();
      cleanup.push({ name: 'assimilator', run: () => host.stop() });
    }

    let demo: DemoPlant | undefined;
    if (settings.simulator.enabled) {
      demo = new DemoPlant({
        broker: broker.simulatorConnection,
        reactors: settings.simulator.reactors,
        seed: settings.simulator.seed,
        plantHoursPerSecond: settings.simulator.plantHoursPerSecond,
        backfillDays: settings.simulator.backfillDays,
        topicPrefix: base.topicPrefix,
        logger,
      });
      await demo.start();
      cleanup.push({ name: 'simulator', run: () => demo?.stop() });
    }

    const jobs: Job<object>[] = [
      ingester,
      retention,
      recordRetention,
      estimates,
      ...alerting.jobs,
      ...(host ? [host] : []),
      ...(demo ? [demo] : []),
    ];

    const health = (): Health => {
      let databaseOk = true;
      try {
        database.sqlite.prepare('SELECT 1').get();
      } catch {
        databaseOk = false;
      }
      const now = Date.now();
      const lastFitAgeSeconds: Record<string, number | null> = {};
      for (const { id } of reads.reactors.all()) {
        const fit = reads.latestGoodFit.get(id);
        lastFitAgeSeconds[id] = fit ? Math.max(0, (now - fit.fittedAtMs) / 1000) : null;
      }
      const ingest: JobHealth = ingester.health();
      const worker = host ? host.health() : undefined;
      const ok = ingest.state === 'ready' && databaseOk && (worker === undefined || worker.state === 'ready');
      return {
        status: ok ? 'ok' : 'degraded',
        broker: { state: ingest.state, ...(ingest.detail !== undefined && { detail: ingest.detail }) },
        database: { ok: databaseOk, path: base.database.path },
        worker: host
          ? { state: worker?.state ?? 'init', queueDepth: host.queueDepth }
          : { state: 'off', queueDepth: 0 },
        lastFitAgeSeconds,
        uptimeSeconds: (now - startedAtMs) / 1000,
      };
    };

    const api = createApiHandler({
      reads,
      topicPrefix: base.topicPrefix,
      limits: settings.api,
      health,
      metricsText: () => metrics.text(),
      demo,
      alarmState: (reactorId) => alerting.reactorAlert(reactorId),
      logger,
    });

    const estimatorSettingsApi = createEstimatorSettingsApi({
      db: database.db,
      configured: settings.assimilator,
      assimilator: host,
      logger,
    });

    let dashboard: Dashboard | undefined;
    if (settings.dashboard !== 'off') {
      const started = performance.now();
      dashboard = await startDashboard(
        settings.dashboard,
        httpServer,
        settings.http.host,
        settings.http.port,
      );
      logger.info(
        { mode: settings.dashboard, ms: Math.round(performance.now() - started) },
        'dashboard prepared',
      );
      cleanup.push({ name: 'dashboard', run: () => dashboard?.close() });
    }
    httpServer.on('request', (req: IncomingMessage, res: ServerResponse) => {
      // socket.io answers its own path; without this, Next would answer it too (a 308 on polling).
      if (req.url?.startsWith(`${realtimePath}/`)) return;
      if (
        auth.gate(req, res) ||
        auth.api(req, res) ||
        alerting.api(req, res) ||
        estimatorSettingsApi(req, res) ||
        api(req, res)
      )
        return;
      if (dashboard) {
        dashboard.handle(req, res).catch((error: unknown) => {
          logger.error({ err: error, url: req.url }, 'dashboard request failed');
          if (!res.headersSent) res.writeHead(500).end();
        });
        return;
      }
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('the dashboard is off (DASHBOARD=off); the API is under /api\n');
    });
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(settings.http.port, settings.http.host, () => resolve());
    });
    cleanup.push({
      name: 'http server',
      run: async () => {
        await hub.close();
        httpServer.closeAllConnections();
        await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      },
    });
    const port = (httpServer.address() as AddressInfo).port;
    const shownHost =
      settings.http.host === '0.0.0.0' || settings.http.host === '::' ? 'localhost' : settings.http.host;
    const url = `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}`;
    publicUrl = url;

    // The stop order is the reverse of `cleanup`, but the issue's order matters more: producers and
    // intake first, then the fit in hand, then outputs, then the database.
    const orderedStop = async () => {
      const order = [
        'simulator',
        'http server',
        'auth',
        'ingester',
        'retention',
        'record retention',
        'assimilator',
        'alerts',
        'estimate publisher',
        'dashboard',
        'embedded broker',
        'database',
      ];
      cleanup.sort((a, b) => order.indexOf(b.name) - order.indexOf(a.name));
      await stopAll();
    };
    return { url, port, brokerUrl: broker.connection.url, stop: orderedStop };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
