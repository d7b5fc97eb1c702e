/**
 * Alerts and webhooks as the service runs them: the rule engine over stored readings and fits, the
 * webhook sender, `$alarm` on MQTT, and the HTTP API. The service hands it its database, broker and
 * logger, feeds it what the ingester and the assimilator store, and adds its routes to the one
 * router; nothing here waits on a webhook or the broker.
 */
import type { Logger } from 'pino';
import type { AlertLevel, ReactorSummary } from '../../contract/api';
import type { ReactorFreshness } from '../../contract/freshness';
import { prepareAlertStatements } from '../../db/alert-statements';
import type { OpenDatabase } from '../../db/open-database';
import { prepareServiceReadStatements } from '../../db/service-read-statements';
import type { BrokerConnection } from '../broker/broker-connection';
import type { Route } from '../http/router';
import type { Job } from '../lifecycle';
import { ReactorMismatches } from '../mismatch/reactor-mismatch';
import { WebhookSender } from '../webhooks/webhook-sender';
import { webhooksApiRoutes } from '../webhooks/webhooks-api';
import { AlarmPublisher } from './alarm-mqtt';
import type { RecordedTransition } from './alarm-recorder';
import { AlertEngine, type StoredReading } from './alert-engine';
import { loadAlertRules, syncConfigRules } from './alert-rule-store';
import type { AlertSettings } from './alert-settings';
import { alertsApiRoutes } from './alerts-api';
import { fitEvidenceById } from './fit-evidence';

export interface AlertingOptions {
  database: OpenDatabase;
  /** Where `$alarm` goes; undefined: not published. */
  broker: BrokerConnection | undefined;
  topicPrefix: string;
  settings: AlertSettings;
  /**
   * The service's own URL, for links in notifications when ALERTS_EXTERNAL_URL is unset; a function
   * when it is known only once the HTTP server listens.
   */
  serviceUrl: string | (() => string);
  /** Every reactor's signals' freshness now, for the sensor-stale rules (server/realtime/signal-freshness.ts). */
  freshness?: () => ReadonlyMap<string, ReactorFreshness>;
  logger: Logger;
}

export interface Alerting {
  engine: AlertEngine;
  sender: WebhookSender;
  publisher: AlarmPublisher | undefined;
  /** The ingester stored these (evaluated on the next turn of the event loop, not in its commit path). */
  readingsStored(readings: readonly StoredReading[]): void;
  /** The assimilator stored this fit. */
  fitStored(fitId: number): void;
  /** A reactor's signals changed level (fresh, late, stale, offline). */
  freshnessChanged(reactorId: string, freshness: ReactorFreshness): void;
  /** `/api/alerts…`, `/api/alert-rules…` and `/api/webhooks…`, for the router (http/router.ts). */
  routes: Route[];
  /** For the reactor overview: the most severe active alarm, or null when none is active. */
  reactorAlert(reactorId: string): ReactorSummary['alert'] | null;
  /** Called after every recorded transition (e.g. to tell socket.io clients). */
  onTransition(listener: (t: RecordedTransition) => void): () => void;
  jobs: Job<object>[];
  stop(): Promise<void>;
}

const severityOrder: AlertLevel[] = ['ok', 'warning', 'minor', 'major', 'critical'];

export async function startAlerting(options: AlertingOptions): Promise<Alerting> {
  const { database, settings } = options;
  const log = options.logger.child({ job: 'alerts' });
  const store = prepareAlertStatements(database.sqlite);
  const mismatches = new ReactorMismatches(prepareServiceReadStatements(database.sqlite));
  syncConfigRules(store, settings.rules, Date.now());
  const engine = new AlertEngine({
    sqlite: database.sqlite,
    log,
    rules: loadAlertRules(store, log),
    externalUrl: settings.externalUrl ?? options.serviceUrl,
    stalenessCheckMs: settings.stalenessCheckMs,
    ...(options.freshness && { freshness: options.freshness }),
    firstFitValues: (reactorId, parameter, count) => store.firstFitValuesOf(reactorId, parameter, count),
  });
  const sender = new WebhookSender({
    sqlite: database.sqlite,
    log: options.logger.child({ job: 'webhook-sender' }),
    requestTimeoutMs: settings.webhookTimeoutMs,
    backoff: settings.webhookRetry,
  });
  const publisher = options.broker
    ? new AlarmPublisher(options.broker, options.topicPrefix, options.logger)
    : undefined;
  engine.onTransition(() => sender.wake());
  if (publisher) engine.onTransition((t) => publisher.publish(t));

  if (publisher) await publisher.start();
  await engine.start();
  await sender.start();

  let queued: StoredReading[] = [];
  let flushScheduled = false;
  const flush = () => {
    flushScheduled = false;
    const batch = queued;
    queued = [];
    if (batch.length > 0) engine.onReadings(batch);
  };

  return {
    engine,
    sender,
    publisher,
    readingsStored(readings) {
      for (const r of readings) queued.push(r);
      if (!flushScheduled) {
        flushScheduled = true;
        setImmediate(flush);
      }
    },
    fitStored(fitId) {
      const evidence = fitEvidenceById(store, fitId);
      if (!evidence) return;
      // The mismatch signal reads days of residuals: only worked out when a rule looks at it.
      if (evidence.status === 'ok' && engine.hasRuleOfKind('model-mismatch', evidence.reactorId))
        evidence.modelMismatch = mismatches.of(evidence.reactorId);
      engine.onFit(evidence);
    },
    freshnessChanged(reactorId, freshness) {
      engine.checkStaleness(new Map([[reactorId, freshness]]));
    },
    routes: [
      ...alertsApiRoutes({ store, engine, logger: options.logger }),
      ...webhooksApiRoutes({ sqlite: database.sqlite, sender, logger: options.logger }),
    ],
    reactorAlert(reactorId) {
      const active = store.activeAlarmsByReactor().get(reactorId);
      if (!active || active.length === 0) return null;
      const worst = active.reduce((a, b) =>
        severityOrder.indexOf(b.severity) > severityOrder.indexOf(a.severity) ? b : a,
      );
      return {
        level: worst.severity,
        summary: active.length === 1 ? worst.summary : `${worst.summary} (and ${active.length - 1} more)`,
        activeCount: active.length,
      };
    },
    onTransition: (listener) => engine.onTransition(listener),
    jobs: [engine, sender, ...(publisher ? [publisher] : [])],
    async stop() {
      flush();
      await engine.stop();
      await sender.stop();
      await publisher?.stop();
    },
  };
}
