/**
 * `/metrics`: what an operator's Prometheus scrapes — readings accepted and rejected by reason, the
 * writer's and the assimilator's queues, fit durations and failures, socket clients, process memory,
 * and each reactor's online signals fresh, late, stale or offline with their age on the plant clock.
 */
import { freshnessLevels, type ReactorFreshness } from '../../contract/freshness';
import type { AssimilatorMetrics } from '../assimilator/assimilator-host';
import type { FitNotice } from '../assimilator/worker-protocol';
import type { AuthMetrics } from '../auth/auth-metrics';
import type { MqttRefusalMetrics } from '../broker/refusal-log';
import type { IngesterMetrics } from '../ingest/ingester';
import type { JobHealth } from '../lifecycle';
import type { RealtimeMetrics } from '../realtime/realtime-hub';
import type { RefinementMetrics } from '../refinement/refinement-jobs';
import { Histogram, PrometheusText } from './prometheus-text';

export interface MetricsSources {
  ingester(): IngesterMetrics;
  assimilator(): AssimilatorMetrics | undefined;
  realtime(): RealtimeMetrics;
  estimatesPublished(): number;
  jobs(): { name: string; health: JobHealth }[];
  auth?(): AuthMetrics;
  /** Requests the HTTP port's own rules refused (server/http/http-refusals.ts), by reason. */
  httpRefusals?(): Record<string, number>;
  /** The embedded broker's refusals (undefined with an external broker). */
  mqttRefusals?(): MqttRefusalMetrics | undefined;
  /** Requests to make or revoke a device account refused (server/broker/device-accounts.ts), by reason. */
  deviceAccountRefusals?(): Record<string, number>;
  /** Every reactor's signals' freshness now (server/realtime/signal-freshness.ts). */
  freshness?(): ReadonlyMap<string, ReactorFreshness>;
  refinements?(): RefinementMetrics;
  startedAtMs: number;
}

const jobStates = ['init', 'ready', 'sleeping', 'disconnected', 'lost', 'stopped'] as const;

export class ServiceMetrics {
  private readonly fitSeconds = {
    ok: new Histogram([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]),
    failed: new Histogram([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]),
  };

  constructor(private readonly sources: MetricsSources) {}

  fitDone(fit: FitNotice): void {
    this.fitSeconds[fit.status].observe(fit.durationMs / 1000);
  }

  text(): string {
    const ingest = this.sources.ingester();
    const assimilator = this.sources.assimilator();
    const realtime = this.sources.realtime();
    const memory = process.memoryUsage();
    const out = new PrometheusText()
      .counter(
        'culturewatch_mqtt_messages_received_total',
        'MQTT messages received by the ingester.',
        ingest.messagesReceived,
      )
      .counter(
        'culturewatch_readings_accepted_total',
        'Readings that passed validation.',
        ingest.readingsAccepted,
      )
      .counter(
        'culturewatch_readings_stored_total',
        'Readings committed (new, not duplicates).',
        ingest.readingsStored,
      )
      .counter(
        'culturewatch_readings_duplicate_total',
        'Accepted readings already stored (redeliveries).',
        ingest.duplicatesIgnored,
      )
      .counter(
        'culturewatch_readings_rejected_total',
        'Readings and messages refused, by reason.',
        Object.entries(ingest.rejectionsByReason).map(([reason, value]) => ({
          labels: { reason },
          value: value ?? 0,
        })),
      )
      .gauge('culturewatch_ingest_queue_rows', 'Rows waiting for the batched writer.', ingest.pendingRows)
      .gauge(
        'culturewatch_ingest_held_pubacks',
        'Acknowledgements held until their rows commit.',
        ingest.heldPubacks,
      )
      .counter(
        'culturewatch_ingest_commit_failures_total',
        'Failed database commits (retried).',
        ingest.commitFailures,
      )
      .gauge(
        'culturewatch_assimilator_queue_depth',
        'Fit windows due across all reactors.',
        assimilator?.queueDepth ?? 0,
      )
      .gauge(
        'culturewatch_assimilator_reactors_due',
        'Reactors with a fit window due.',
        assimilator?.reactorsDue ?? 0,
      )
      .counter('culturewatch_fits_total', 'Window fits, by status.', [
        { labels: { status: 'ok' }, value: assimilator?.fitsOk ?? 0 },
        { labels: { status: 'failed' }, value: assimilator?.fitsFailed ?? 0 },
      ])
      .counter(
        'culturewatch_fit_failures_total',
        'Failed window fits, by reason.',
        Object.entries(assimilator?.failuresByReason ?? {}).map(([reason, value]) => ({
          labels: { reason },
          value,
        })),
      )
      .counter(
        'culturewatch_refits_total',
        'Windows fitted again because late data arrived in them.',
        assimilator?.refits ?? 0,
      )
      .histogram('culturewatch_fit_duration_seconds', 'Wall time of one window fit, by status.', [
        { labels: { status: 'ok' }, histogram: this.fitSeconds.ok },
        { labels: { status: 'failed' }, histogram: this.fitSeconds.failed },
      ])
      .counter(
        'culturewatch_estimates_published_total',
        'Estimates published on MQTT $estimate.',
        this.sources.estimatesPublished(),
      )
      .gauge('culturewatch_socket_clients', 'Connected socket.io clients.', realtime.clients)
      .counter(
        'culturewatch_realtime_reading_batches_total',
        'Reading batches sent over socket.io.',
        realtime.readingBatches,
      )
      .counter('culturewatch_realtime_readings_total', 'Readings sent over socket.io.', realtime.readingsSent)
      .counter(
        'culturewatch_realtime_estimates_total',
        'Estimates sent over socket.io.',
        realtime.estimatesSent,
      )
      .gauge(
        'culturewatch_job_state',
        'Each job’s state (1 for the current one).',
        this.sources.jobs().flatMap(({ name, health }) =>
          jobStates.map((state) => ({
            labels: { job: name, state },
            value: health.state === state ? 1 : 0,
          })),
        ),
      )
      .gauge('process_resident_memory_bytes', 'Resident set size.', memory.rss)
      .gauge('nodejs_heap_used_bytes', 'V8 heap in use (main thread).', memory.heapUsed)
      .gauge(
        'process_start_time_seconds',
        'Start of the process, epoch seconds.',
        this.sources.startedAtMs / 1000,
      );
    const auth = this.sources.auth?.();
    if (auth) {
      out
        .counter(
          'culturewatch_logins_total',
          'Login attempts, by outcome.',
          Object.entries(auth.logins).map(([outcome, value]) => ({ labels: { outcome }, value })),
        )
        .counter(
          'culturewatch_http_refused_total',
          'Requests and socket.io connections refused (or sent to the login page), by reason.',
          Object.entries(auth.refused).map(([reason, value]) => ({ labels: { reason }, value })),
        );
    }
    const httpRefusals = this.sources.httpRefusals?.();
    if (httpRefusals) {
      out.counter(
        'culturewatch_http_bad_requests_total',
        'Requests the HTTP port refused by its own rules (body limit, timeouts, connections per client), by reason.',
        Object.entries(httpRefusals).map(([reason, value]) => ({ labels: { reason }, value })),
      );
    }
    const mqttRefusals = this.sources.mqttRefusals?.();
    if (mqttRefusals) {
      out.counter(
        'culturewatch_mqtt_refused_total',
        'Connections, publishes and subscriptions the embedded broker refused, by kind.',
        [
          { labels: { kind: 'connection' }, value: mqttRefusals.refusedConnections },
          { labels: { kind: 'publish' }, value: mqttRefusals.refusedPublishes },
          { labels: { kind: 'subscribe' }, value: mqttRefusals.refusedSubscribes },
        ],
      );
    }
    const deviceRefusals = this.sources.deviceAccountRefusals?.();
    if (deviceRefusals) {
      out.counter(
        'culturewatch_device_account_requests_refused_total',
        'Requests to make or revoke a device account that were refused (bad name, unknown reactor, name taken…), by reason.',
        Object.entries(deviceRefusals).map(([reason, value]) => ({ labels: { reason }, value })),
      );
    }
    const refinements = this.sources.refinements?.();
    if (refinements) {
      out
        .gauge('culturewatch_refinements_running', 'Structure refinements running now.', refinements.running)
        .counter(
          'culturewatch_refinements_total',
          'Structure refinements ended since start, by outcome.',
          (['done', 'failed', 'interrupted'] as const).map((outcome) => ({
            labels: { outcome },
            value: refinements[outcome],
          })),
        )
        .counter(
          'culturewatch_refinements_refused_total',
          'Structure refinement requests refused, by reason.',
          Object.entries(refinements.refused).map(([reason, value]) => ({ labels: { reason }, value })),
        );
    }
    const freshness = this.sources.freshness?.();
    if (freshness) {
      const signals = [...freshness].flatMap(([reactor, f]) =>
        Object.entries(f.signals).flatMap(([signal, s]) => (s ? [{ reactor, signal, s }] : [])),
      );
      out
        .gauge(
          'culturewatch_signal_freshness',
          'Each online signal’s freshness (1 for the current level), judged on the plant clock against its usual cadence.',
          signals.flatMap(({ reactor, signal, s }) =>
            freshnessLevels.map((level) => ({
              labels: { reactor, signal, level },
              value: s.level === level ? 1 : 0,
            })),
          ),
        )
        .gauge(
          'culturewatch_signal_age_seconds',
          'Plant seconds since each online signal’s newest reading.',
          signals.map(({ reactor, signal, s }) => ({ labels: { reactor, signal }, value: s.ageMs / 1000 })),
        )
        .gauge(
          'culturewatch_signal_cadence_seconds',
          'Each online signal’s usual interval between readings (plant seconds).',
          signals.map(({ reactor, signal, s }) => ({
            labels: { reactor, signal },
            value: s.cadenceMs / 1000,
          })),
        );
    }
    return out.toString();
  }
}
