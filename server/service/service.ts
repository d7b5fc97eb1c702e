/**
 * The live service as a composition of jobs (lifecycle.ts `JobRunner`): they start in the order
 * below and stop in reverse. So a stop takes, in turn, the simulator, socket.io and the HTTP server
 * (no new requests), auth, the ingester (no more messages; the writer flushed, acknowledgements
 * sent; before it the Sparkplug host, the estimates' edge node and the OPC UA server, when on),
 * the retention sweeps, the assimilator (the fit in hand finished or abandoned), alerts, the
 * `$estimate` publisher, the dashboard, the embedded broker and last the database.
 */
import type { Logger } from 'pino';
import { realPlantRate, simulatedPlantRate } from '../../contract/time';
import { prepareAuthStatements } from '../../db/auth-statements';
import { prepareDesignStatements } from '../../db/design-statements';
import { prepareDeviceStatements } from '../../db/device-statements';
import { prepareModelStatements } from '../../db/model-statements';
import { openDatabase } from '../../db/open-database';
import { prepareRefinementStatements } from '../../db/refinement-statements';
import { asyncServiceReads, prepareServiceReadStatements } from '../../db/service-read-statements';
import { demoSparkplugNode } from '../../simulator/live-publisher';
import { transitionEventView } from '../alerts/alarm-recorder';
import { startAlerting } from '../alerts/alerting';
import { demoApiRoutes } from '../api/demo-api';
import { effectiveAssimilatorSettings, estimatorSettingsApiRoutes } from '../api/estimator-settings-api';
import { fitRecordById } from '../api/fit-records';
import { reactorModelApiRoutes } from '../api/reactor-model-api';
import { reactorsApiRoutes } from '../api/reactors-api';
import { statusApiRoutes } from '../api/status-api';
import { AssimilatorHost } from '../assimilator/assimilator-host';
import { ReactorModels } from '../assimilator/reactor-models';
import { Auth } from '../auth/auth';
import { ClientAddresses } from '../auth/client-address';
import { DeviceAccounts } from '../broker/device-accounts';
import { devicesApiRoutes } from '../broker/devices-api';
import { type ResolvedBroker, resolveBroker } from '../broker/resolve-broker';
import { designApiRoutes } from '../design/design-api';
import { DilutionProgramPublisher } from '../design/dilution-program-publisher';
import { HttpListener } from '../http/http-listener';
import { HttpRefusals } from '../http/http-refusals';
import { createRouter, type Method } from '../http/router';
import { Ingester } from '../ingest/ingester';
import { defaultMessageLimits } from '../ingest/message-validator';
import { RetentionSweeper } from '../ingest/retention-sweeper';
import { type Job, JobRunner } from '../lifecycle';
import { ServiceMetrics } from '../metrics/service-metrics';
import { ReactorMismatches } from '../mismatch/reactor-mismatch';
import { CulturewatchOpcuaServer } from '../opcua/opcua-server';
import { EstimatePublisher } from '../realtime/estimate-publisher';
import { ReactorStatuses } from '../realtime/reactor-status';
import { RealtimeHub } from '../realtime/realtime-hub';
import { SignalFreshnessMonitor } from '../realtime/signal-freshness';
import { refinementApiRoutes } from '../refinement/refinement-api';
import { RefinementJobs } from '../refinement/refinement-jobs';
import { EstimateEdgeNode } from '../sparkplug/estimate-edge-node';
import { SparkplugHost } from '../sparkplug/sparkplug-host';
import { withSimulatedPlant } from '../sparkplug/sparkplug-mapping';
import { type Dashboard, startDashboard } from './dashboard';
import { DemoPlant } from './demo-plant';
import { RecordRetention } from './record-retention';
import { serviceHealth } from './service-health';
import type { ServiceSettings } from './service-settings';

export interface RunningService {
  /** http://host:port */
  url: string;
  port: number;
  brokerUrl: string;
  /** Every route the router serves, as registered. */
  routes: readonly { method: Method; path: string; maxBodyBytes?: number }[];
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
  const jobs = new JobRunner((name, error) =>
    logger.error({ err: error, step: name }, 'error while stopping'),
  );
  try {
    return await composeService(settings, logger, hooks, jobs);
  } catch (error) {
    await jobs.stopAll();
    throw error;
  }
}

async function composeService(
  settings: ServiceSettings,
  logger: Logger,
  hooks: StartHooks,
  jobs: JobRunner,
): Promise<RunningService> {
  const startedAtMs = Date.now();
  const { base } = settings;

  const database = await jobs.open(
    'database',
    () => openDatabase(base.database.path, { synchronous: base.database.synchronous }),
    (opened) => opened.close(),
  );
  const reads = prepareServiceReadStatements(database.sqlite);
  logger.info({ path: base.database.path }, 'database open, migrations applied');

  // Sparkplug B: the plant's mapping, with the demo plant's edge node when it speaks Sparkplug.
  const simulatedSparkplug = settings.simulator.enabled && settings.simulator.protocol === 'sparkplug';
  const sparkplugMapping = simulatedSparkplug
    ? withSimulatedPlant(
        settings.sparkplug.mapping,
        demoSparkplugNode,
        settings.simulator.reactors.map((r) => r.id),
      )
    : settings.sparkplug.mapping;

  // The dashboard's device accounts; the embedded broker looks them up at each login.
  const devices = new DeviceAccounts({
    statements: prepareDeviceStatements(database.sqlite),
    knownReactor: (id) => reads.reactor.get(id) !== undefined,
    logger,
  });
  const broker = await jobs.open(
    'embedded broker',
    () =>
      resolveBroker(base.mqtt, logger, {
        authEnabled: settings.auth.enabled,
        topicPrefix: base.topicPrefix,
        devices,
        ...(settings.simulator.enabled && {
          simulatedReactors: settings.simulator.reactors.map((r) => r.id),
        }),
        ...(sparkplugMapping && {
          sparkplugReactors: (group: string, edgeNode: string) =>
            sparkplugMapping.reactorsOfEdgeNode(group, edgeNode),
        }),
      }),
    (resolved) => resolved.embedded?.close(),
  );
  hooks.brokerResolved?.(broker);

  const retention = new RetentionSweeper(database.sqlite, base.retention, logger);
  const recordRetention = new RecordRetention(database.sqlite, settings.recordRetention, logger);
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
        settings: effectiveAssimilatorSettings(settings.assimilator, database.sqlite, logger),
        logger,
      })
    : undefined;
  const demo = settings.simulator.enabled
    ? new DemoPlant({
        broker: broker.simulatorConnection,
        reactors: settings.simulator.reactors,
        seed: settings.simulator.seed,
        plantHoursPerSecond: settings.simulator.plantHoursPerSecond,
        backfillDays: settings.simulator.backfillDays,
        topicPrefix: base.topicPrefix,
        protocol: settings.simulator.protocol,
        logger,
      })
    : undefined;
  const estimates = new EstimatePublisher(broker.connection, base.topicPrefix, logger);
  const programs = new DilutionProgramPublisher(broker.connection, base.topicPrefix, logger);
  // The plant protocols (issue 19): the Sparkplug host feeds the ingester; the estimates' edge node
  // and the OPC UA server show each reactor as server/realtime/reactor-status.ts reads it.
  const sparkplugHost = sparkplugMapping
    ? new SparkplugHost({
        broker: broker.connection,
        hostId: settings.sparkplug.hostId,
        mapping: sparkplugMapping,
        intake: ingester.intake,
        topicPrefix: base.topicPrefix,
        reorderTimeoutMs: settings.sparkplug.reorderTimeoutMs,
        rebirthIntervalMs: settings.sparkplug.rebirthIntervalMs,
        maxPayloadBytes: defaultMessageLimits.maxPayloadBytes,
        logger,
      })
    : undefined;
  // Each reactor's signals judged on its plant clock: a simulated reactor's runs at the demo's speed.
  const simulated = new Set(settings.simulator.enabled ? settings.simulator.reactors.map((r) => r.id) : []);
  const simulatedRate = simulatedPlantRate(settings.simulator.plantHoursPerSecond);
  const freshness = new SignalFreshnessMonitor({
    reads,
    plantRateOf: (reactorId) => (simulated.has(reactorId) ? simulatedRate : realPlantRate),
  });
  const statuses = new ReactorStatuses(reads, database.sqlite, (id) => freshness.freshnessOf(id));
  const estimateNode = settings.sparkplug.estimates.enabled
    ? new EstimateEdgeNode({
        broker: broker.connection,
        group: settings.sparkplug.estimates.group,
        edgeNode: settings.sparkplug.estimates.edgeNode,
        statuses,
        logger,
      })
    : undefined;
  const { opcua: opcuaSettings } = settings;
  const opcua =
    opcuaSettings.port !== undefined
      ? new CulturewatchOpcuaServer({
          settings: { ...opcuaSettings, port: opcuaSettings.port },
          sqlite: database.sqlite,
          statuses,
          loginAttemptsPer15Min: settings.auth.loginAttemptsPer15Min,
          logger,
        })
      : undefined;
  /** The protocols that show a reactor's estimate, model state and alarms. */
  const reactorChanged = (reactorId: string) => {
    try {
      estimateNode?.refresh(reactorId);
      opcua?.refresh(reactorId);
    } catch (error) {
      logger.error({ err: error, reactorId }, 'a plant protocol could not show the reactor');
    }
  };
  const auth = new Auth({
    store: prepareAuthStatements(database.sqlite),
    settings: settings.auth,
    demo: demo !== undefined,
    logger,
  });

  let dashboard: Dashboard | undefined;
  const httpRefusals = new HttpRefusals();
  const proxies = new ClientAddresses(settings.auth.trustedProxies);
  const http = new HttpListener({
    host: settings.http.host,
    port: settings.http.port,
    limits: settings.http.limits,
    uncapped: (peer) => proxies.isTrustedProxy(peer),
    refusals: httpRefusals,
    gate: auth.gate,
    router: (req, res) => router(req, res),
    dashboard: () => dashboard?.handle,
    logger,
  });
  const hub = new RealtimeHub(http.server, {
    batchMs: settings.realtime.batchMs,
    coalesceMs: settings.realtime.coalesceMs,
    logger,
    knownReactors: reads.reactors.all().map((r) => r.id),
  });
  auth.guardSockets(hub.io);

  if (settings.dashboard !== 'off') {
    const mode = settings.dashboard;
    const started = performance.now();
    dashboard = await jobs.open(
      'dashboard',
      () => startDashboard(mode, http.server, settings.http.host, settings.http.port),
      (prepared) => prepared.close(),
    );
    logger.info({ mode, ms: Math.round(performance.now() - started) }, 'dashboard prepared');
  }

  // The estimate publisher connects before the assimilator runs, so that no fit goes unpublished.
  await jobs.start(estimates);
  await jobs.start(programs);
  // Alerts and webhooks (server/alerts/): rules over stored readings and fits, the webhook outbox, $alarm.
  let publicUrl = `http://${settings.http.host}:${settings.http.port}`;
  const alerting = await jobs.open(
    'alerts',
    () =>
      startAlerting({
        database,
        broker: broker.connection,
        topicPrefix: base.topicPrefix,
        settings: settings.alerts,
        serviceUrl: () => publicUrl,
        freshness: () => freshness.all(),
        logger,
      }),
    (started) => started.stop(),
  );
  freshness.onChange((reactorId, f) => {
    alerting.freshnessChanged(reactorId, f);
    hub.reactorChanged(reactorId);
    reactorChanged(reactorId);
  });
  alerting.onTransition((t) => {
    hub.alarmChanged(transitionEventView(t));
    reactorChanged(t.alarm.reactorId);
  });

  // Structure refinements (server/refinement/): background jobs over a reactor's stored readings.
  const refinementStatements = prepareRefinementStatements(database.sqlite);
  const refinements = await jobs.start(
    new RefinementJobs({ statements: refinementStatements, databasePath: base.database.path, logger }),
  );

  const health: Job<object>[] = [
    ingester,
    retention,
    recordRetention,
    estimates,
    programs,
    ...alerting.jobs,
    freshness,
    ...(host ? [host] : []),
    ...(demo ? [demo] : []),
    ...(sparkplugHost ? [sparkplugHost] : []),
    ...(estimateNode ? [estimateNode] : []),
    ...(opcua ? [opcua] : []),
    refinements,
    auth,
    hub,
  ];
  const metrics = new ServiceMetrics({
    ingester: () => ingester.metrics(),
    assimilator: () => host?.metrics(),
    realtime: () => hub.metrics(),
    estimatesPublished: () => estimates.metrics().published,
    jobs: () => health.map((job) => ({ name: job.name, health: job.health() })),
    auth: () => auth.metrics(),
    httpRefusals: () => httpRefusals.metrics(),
    mqttRefusals: () => broker.embedded?.metrics(),
    deviceAccountRefusals: () => devices.refusals(),
    freshness: () => freshness.all(),
    refinements: () => refinements.metrics(),
    startedAtMs,
  });

  const mismatches = new ReactorMismatches(reads);
  const routes = [
    ...statusApiRoutes(
      () =>
        serviceHealth({
          database,
          databasePath: base.database.path,
          reads,
          ingester,
          assimilator: host,
          startedAtMs,
        }),
      () => metrics.text(),
    ),
    ...reactorsApiRoutes({
      reads: asyncServiceReads(reads),
      topicPrefix: base.topicPrefix,
      limits: settings.api,
      freshnessOf: (id) => freshness.freshnessOf(id),
      estimatorOf: (id) =>
        host
          ? {
              windowHours: host.windowHours,
              windowsDue: host.currentStatus.dueByReactor[id] ?? 0,
              running: host.health().state === 'ready',
            }
          : null,
      alarmState: (reactorId) => alerting.reactorAlert(reactorId),
      mismatchOf: (reactorId) => mismatches.of(reactorId),
    }),
    ...demoApiRoutes(demo, logger),
    ...estimatorSettingsApiRoutes({
      sqlite: database.sqlite,
      configured: settings.assimilator,
      assimilator: host,
      logger,
    }),
    ...designApiRoutes({
      statements: prepareDesignStatements(database.sqlite),
      models: new ReactorModels(prepareModelStatements(database.sqlite), Date.now()),
      assimilatorSettings: () => effectiveAssimilatorSettings(settings.assimilator, database.sqlite, logger),
      ingester,
      publisher: programs,
      simulator: demo,
      logger,
    }),
    ...reactorModelApiRoutes({
      sqlite: database.sqlite,
      knownReactor: (id) => reads.reactor.get(id) !== undefined,
      configured: settings.assimilator,
      assimilator: host,
      logger,
    }),
    ...refinementApiRoutes({
      sqlite: database.sqlite,
      jobs: refinements,
      statements: refinementStatements,
      knownReactor: (id) => reads.reactor.get(id) !== undefined,
    }),
    ...alerting.routes,
    ...auth.routes,
    ...(broker.view ? devicesApiRoutes(devices, broker.view) : []),
  ];
  const router = createRouter(routes, logger, httpRefusals);

  if (host) {
    host.onFit((fit) => {
      metrics.fitDone(fit);
      alerting.fitStored(fit.fitId);
      const record = fitRecordById(reads, fit.fitId);
      if (!record) return;
      hub.fitStored(record);
      estimates.publish(record);
      reactorChanged(record.reactorId);
    });
    await jobs.start(host);
  }
  await jobs.start(recordRetention);
  await jobs.start(retention);
  await jobs.start(freshness);
  ingester.onReadingsStored((readings, highestRowid) => {
    freshness.readingsStored(readings);
    host?.readingsStored(readings, highestRowid);
    alerting.readingsStored(readings);
    hub.readingsStored(readings);
    opcua?.readingsStored(readings);
  });
  await jobs.start(ingester);
  logger.info({ url: broker.connection.url, embedded: broker.embedded !== undefined }, 'ingester subscribed');
  if (sparkplugHost) await jobs.start(sparkplugHost);
  if (estimateNode) await jobs.start(estimateNode);
  if (opcua) await jobs.start(opcua);
  await jobs.start(auth);
  await jobs.start(http);
  publicUrl = http.url;
  await jobs.start(hub);
  if (demo) await jobs.start(demo);

  return {
    url: http.url,
    port: http.port,
    brokerUrl: broker.connection.url,
    routes: routes.map(({ method, path, maxBodyBytes }) => ({ method, path, maxBodyBytes })),
    stop: () => jobs.stopAll(),
  };
}
