/**
 * The webhook sender job: delivers the outbox, one request in flight per endpoint so each endpoint
 * receives its notifications in order, every endpoint independent of the others. A failed attempt
 * is logged and retried with exponential backoff and jitter; a request has a time limit; nothing
 * waits on the network but the sender itself. Delivery is at least once: a notification whose
 * outcome was not recorded (a crash mid-request) is sent again after a restart with the same
 * idempotency key, which is what lets a receiver drop the repeat.
 */
import type Database from 'better-sqlite3';
import type { Logger } from 'pino';
import type { WebhookTestResult } from '../../contract/api';
import {
  prepareWebhookStatements,
  type WebhookEndpointRow,
  type WebhookOutboxRow,
  type WebhookStatements,
} from '../../db/webhook-statements';
import { type Job, type JobHealth, JobStatus } from '../lifecycle';
import { defaultRetryBackoff, parseRetryAfter, type RetryBackoff, retryDelayMs } from './retry-backoff';
import { redactedUrl } from './webhook-endpoints';
import { idempotencyHeader, signatureHeader, timestampHeader, webhookSignature } from './webhook-signature';

export interface WebhookSenderOptions {
  sqlite: Database.Database;
  log: Logger;
  /** Time limit of one request, response headers included. */
  requestTimeoutMs?: number;
  backoff?: RetryBackoff;
  /** How often the outbox is looked at even without a wake-up (endpoints edited elsewhere). */
  pollMs?: number;
  now?: () => number;
  random?: () => number;
}

export interface WebhookSenderMetrics {
  delivered: number;
  failedAttempts: number;
  inFlight: number;
  pending: number;
}

type AttemptOutcome = 'delivered' | 'http-error' | 'timeout' | 'network-error';

class RequestTimeout extends Error {}

const userAgent = 'culturewatch-webhooks/1';

export class WebhookSender implements Job<WebhookSenderMetrics> {
  readonly name = 'webhook-sender';
  private readonly status: JobStatus;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly requestTimeoutMs: number;
  private readonly backoff: RetryBackoff;
  private readonly pollMs: number;
  /** Endpoint id → the request in flight. */
  private readonly inFlight = new Map<number, AbortController>();
  private readonly running = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | null = null;
  private timerDueMs = Number.POSITIVE_INFINITY;
  private started = false;
  private stopping = false;
  private delivered = 0;
  private failedAttempts = 0;
  private readonly store: WebhookStatements;

  constructor(private readonly options: WebhookSenderOptions) {
    this.store = prepareWebhookStatements(options.sqlite);
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    this.backoff = options.backoff ?? defaultRetryBackoff;
    this.pollMs = options.pollMs ?? 5_000;
    this.status = new JobStatus(this.now);
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.status.set('ready');
    this.schedule(0);
  }

  /** New notifications are in the outbox (or an endpoint changed): look now. */
  wake(): void {
    if (this.started && !this.stopping) this.schedule(0);
  }

  health(): JobHealth {
    return this.status.health();
  }

  metrics(): WebhookSenderMetrics {
    return {
      delivered: this.delivered,
      failedAttempts: this.failedAttempts,
      inFlight: this.inFlight.size,
      pending: this.store.pendingOutboxCount(),
    };
  }

  /** Abandons requests in flight (their notifications stay in the outbox) and waits for them to settle. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const controller of this.inFlight.values()) controller.abort();
    await Promise.allSettled([...this.running]);
    this.status.set('stopped');
  }

  private schedule(delayMs: number): void {
    const dueMs = this.now() + Math.max(0, delayMs);
    if (this.timer && dueMs >= this.timerDueMs) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerDueMs = dueMs;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.timerDueMs = Number.POSITIVE_INFINITY;
        this.pump();
      },
      Math.max(0, delayMs),
    );
    this.timer.unref();
  }

  /** Starts the due head of every endpoint that has nothing in flight; sleeps until the next is due. */
  private pump(): void {
    if (this.stopping) return;
    const now = this.now();
    let nextDueMs = now + this.pollMs;
    let failing: string[] = [];
    try {
      for (const endpoint of this.store.liveWebhookEndpoints()) {
        if (!endpoint.enabled) continue;
        const head = this.store.oldestPendingOutboxRow(endpoint.id);
        if (!head) continue;
        if (head.attempts > 0) failing.push(`${endpoint.id} (${endpoint.name})`);
        if (this.inFlight.has(endpoint.id)) continue;
        if (head.nextAttemptAtMs > now) {
          nextDueMs = Math.min(nextDueMs, head.nextAttemptAtMs);
          continue;
        }
        this.deliver(endpoint, head);
      }
    } catch (error) {
      this.options.log.error({ err: error }, 'webhook outbox could not be read; trying again');
      failing = ['outbox unreadable'];
    }
    if (failing.length > 0) this.status.set('disconnected', `retrying endpoint ${failing.join(', ')}`);
    else this.status.set('ready');
    this.schedule(nextDueMs - now);
  }

  private deliver(endpoint: WebhookEndpointRow, row: WebhookOutboxRow): void {
    const controller = new AbortController();
    this.inFlight.set(endpoint.id, controller);
    const work = this.attempt(endpoint, row, controller)
      .catch((error) =>
        this.options.log.error({ err: error, endpointId: endpoint.id }, 'webhook attempt failed'),
      )
      .finally(() => {
        this.inFlight.delete(endpoint.id);
        this.running.delete(work);
        if (!this.stopping) this.schedule(0);
      });
    this.running.add(work);
  }

  private async attempt(endpoint: WebhookEndpointRow, row: WebhookOutboxRow, controller: AbortController) {
    const result = await this.post(endpoint, row.bodyJson, row.idempotencyKey, controller);
    if (result) this.record(endpoint, row, result);
  }

  /**
   * A test notification to the endpoint now, signed like every other, outside the outbox (nothing is
   * queued or retried): what the receiver answered.
   */
  async sendTest(endpoint: WebhookEndpointRow, bodyJson: string): Promise<WebhookTestResult> {
    const result = await this.post(
      endpoint,
      bodyJson,
      `test-${endpoint.id}-${this.now()}`,
      new AbortController(),
    );
    if (!result) throw new Error('the sender is stopping');
    this.options.log.info({ endpointId: endpoint.id, outcome: result.outcome }, 'webhook test sent');
    return {
      startedAtMs: result.startedAtMs,
      durationMs: result.durationMs,
      outcome: result.outcome,
      httpStatus: result.httpStatus,
      error: result.error,
    };
  }

  /** One signed POST of the body with its time limit; undefined when stopped mid-request. */
  private async post(
    endpoint: WebhookEndpointRow,
    bodyJson: string,
    idempotencyKey: string,
    controller: AbortController,
  ): Promise<(WebhookTestResult & { retryAfterMs: number | undefined }) | undefined> {
    const startedAtMs = this.now();
    const started = performance.now();
    const timestamp = String(Math.floor(startedAtMs / 1000));
    let outcome: AttemptOutcome;
    let httpStatus: number | null = null;
    let error: string | null = null;
    let retryAfterMs: number | undefined;
    const timeout = setTimeout(() => controller.abort(new RequestTimeout()), this.requestTimeoutMs);
    try {
      const response = await fetch(endpoint.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': userAgent,
          [timestampHeader]: timestamp,
          [signatureHeader]: webhookSignature(endpoint.secret, timestamp, bodyJson),
          [idempotencyHeader]: idempotencyKey,
        },
        body: bodyJson,
        signal: controller.signal,
        redirect: 'manual',
      });
      httpStatus = response.status;
      await response.body?.cancel().catch(() => undefined);
      if (response.status >= 200 && response.status < 300) {
        outcome = 'delivered';
      } else {
        outcome = 'http-error';
        error = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`.slice(
          0,
          200,
        );
        retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), this.now());
      }
    } catch (caught) {
      if (this.stopping && !(controller.signal.reason instanceof RequestTimeout)) return undefined;
      if (controller.signal.reason instanceof RequestTimeout) {
        outcome = 'timeout';
        error = `no response within ${this.requestTimeoutMs} ms`;
      } else {
        outcome = 'network-error';
        error = networkErrorCode(caught);
      }
    } finally {
      clearTimeout(timeout);
    }
    return { startedAtMs, durationMs: performance.now() - started, outcome, httpStatus, error, retryAfterMs };
  }

  private record(
    endpoint: WebhookEndpointRow,
    row: WebhookOutboxRow,
    result: {
      startedAtMs: number;
      durationMs: number;
      outcome: AttemptOutcome;
      httpStatus: number | null;
      error: string | null;
      retryAfterMs: number | undefined;
    },
  ): void {
    const { sqlite, log } = this.options;
    const { store } = this;
    const attempt = row.attempts + 1;
    const delivered = result.outcome === 'delivered';
    const delayMs = delivered ? 0 : retryDelayMs(attempt, this.backoff, this.random, result.retryAfterMs);
    sqlite.transaction(() => {
      store.insertDeliveryAttempt({
        outboxId: row.id,
        endpointId: endpoint.id,
        attempt,
        startedAtMs: result.startedAtMs,
        durationMs: result.durationMs,
        httpStatus: result.httpStatus,
        outcome: result.outcome,
        error: result.error,
      });
      const current = store.outboxRowById(row.id);
      if (delivered) {
        store.markDelivered(row.id, attempt, this.now());
      } else if (current?.state === 'pending') {
        store.scheduleRetry(row.id, attempt, this.now() + delayMs, result.error);
      }
    })();
    const where = { endpointId: endpoint.id, endpoint: endpoint.name, url: redactedUrl(endpoint.url) };
    if (delivered) {
      this.delivered++;
      if (attempt > 1) log.info({ ...where, outboxId: row.id, attempt }, 'webhook delivered after retries');
      else log.debug({ ...where, outboxId: row.id }, 'webhook delivered');
    } else {
      this.failedAttempts++;
      log.warn(
        {
          ...where,
          outboxId: row.id,
          attempt,
          outcome: result.outcome,
          httpStatus: result.httpStatus,
          error: result.error,
          retryInSeconds: Math.round(delayMs / 1000),
        },
        'webhook delivery failed; will retry',
      );
    }
  }
}

/**
 * The error's code (ECONNREFUSED, UND_ERR_SOCKET, …); without one, a short message that cannot quote
 * the URL (fetch's "bad port"), since a URL may carry a credential.
 */
function networkErrorCode(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; name?: unknown; message?: unknown } } | null)?.cause;
  if (typeof cause?.code === 'string') return cause.code.slice(0, 100);
  const message = cause?.message;
  if (typeof message === 'string' && message.length <= 60 && !/[/:@?]/.test(message)) return message;
  const name = cause?.name ?? (error as { name?: unknown } | null)?.name;
  return typeof name === 'string' ? name.slice(0, 100) : 'network error';
}
