/**
 * The ingester job: a persistent MQTT session, subscribed (again on every connect) at QoS 1 to
 * everything under the topic prefix; each message validated into readings or rejections, written by
 * the batched writer, and acknowledged to the broker only after its commit.
 */
import type Database from 'better-sqlite3';
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { type BrokerConnection, persistentSessionOptions } from '../broker/broker-connection';
import { permanentRefusal } from '../broker/permanent-refusal';
import { type Job, JobStatus } from '../lifecycle';
import {
  BatchedWriter,
  type BatchedWriterOptions,
  type BatchStore,
  type WriterMetrics,
} from './batched-writer';
import {
  type AcceptedReading,
  defaultMessageLimits,
  type MessageLimits,
  type ValidationSink,
  validateMessage,
} from './message-validator';
import { type CommitProgress, PubacksAfterCommit } from './pubacks-after-commit';
import { RejectionBurstLog } from './rejection-burst-log';
import type { Rejection, RejectionReason } from './rejection-reasons';
import { subscriptionTopic } from './topics';

/** Newly stored readings and the highest rowid among them (rowids grow in commit order). */
export type ReadingsStoredListener = (readings: AcceptedReading[], highestRowid: number) => void;

/** Where readings go: the SQLite file, or a store that commits asynchronously (PostgreSQL). */
export type IngesterOptions = IngesterSettings & ({ sqlite: Database.Database } | { store: BatchStore });

interface IngesterSettings {
  broker: BrokerConnection;
  clientId: string;
  topicPrefix: string;
  sharedGroup?: string;
  logger: Logger;
  limits?: Partial<MessageLimits>;
  writer?: Partial<Pick<BatchedWriterOptions, 'maxRows' | 'maxStoredRejections'>>;
  reconnectPeriodMs?: number;
  rejectionLogWindowMs?: number;
  now?: () => number;
}

export interface IngesterMetrics extends WriterMetrics {
  messagesReceived: number;
  readingsAccepted: number;
  rejectionsByReason: Partial<Record<RejectionReason, number>>;
  /** Messages on `<prefix>/<reactor>/$…`, the service's own output. */
  serviceOutputIgnored: number;
  connects: number;
  subscribes: number;
  heldPubacks: number;
  droppedPubacks: number;
}

export class Ingester implements Job<IngesterMetrics> {
  readonly name = 'ingester';
  private readonly status = new JobStatus();
  private readonly writer: BatchedWriter;
  private readonly rejectionLog: RejectionBurstLog;
  private readonly limits: MessageLimits;
  private readonly now: () => number;
  private readonly log: Logger;
  private readonly storedListeners = new Set<ReadingsStoredListener>();
  private client: MqttClient | undefined;
  private acks: PubacksAfterCommit | undefined;
  private brokerErrorLogged = false;
  private commitFailing = false;
  private readonly counters = {
    messagesReceived: 0,
    readingsAccepted: 0,
    serviceOutputIgnored: 0,
    connects: 0,
    subscribes: 0,
  };
  private readonly rejectionsByReason: Partial<Record<RejectionReason, number>> = {};

  private readonly sink: ValidationSink = {
    accept: (reading) => {
      this.counters.readingsAccepted++;
      this.writer.accept(reading);
    },
    reject: (rejection) => {
      this.rejectionsByReason[rejection.reason] = (this.rejectionsByReason[rejection.reason] ?? 0) + 1;
      this.writer.reject(rejection);
      this.rejectionLog.note(rejection);
    },
  };

  constructor(private readonly options: IngesterOptions) {
    this.now = options.now ?? Date.now;
    this.log = options.logger.child({ job: this.name });
    this.limits = { ...defaultMessageLimits, ...options.limits };
    this.rejectionLog = new RejectionBurstLog(this.log, options.rejectionLogWindowMs);
    this.writer = new BatchedWriter('store' in options ? options.store : options.sqlite, {
      ...options.writer,
      now: this.now,
      onCommitted: (stored, highestRowid) => this.afterCommit(stored, highestRowid),
      onCommitFailed: (error, pendingRows) => {
        this.commitFailing = true;
        this.status.set('lost', `database commit failing: ${(error as Error).message}`);
        this.log.error({ err: error, pendingRows }, 'commit failed; retrying');
      },
    });
  }

  /** Resolves once connected and subscribed for the first time. */
  start(): Promise<void> {
    if (this.client) throw new Error('ingester already started');
    const { broker, clientId } = this.options;
    const client = mqtt.connect(
      broker.url,
      persistentSessionOptions(broker, clientId, this.options.reconnectPeriodMs ?? 1000),
    );
    broker.tls?.follow(client);
    this.client = client;
    this.acks = new PubacksAfterCommit(client, this.writer);
    client.on('message', (topic, payload) => this.onMessage(topic, payload));
    client.on('connect', () => {
      this.counters.connects++;
      this.brokerErrorLogged = false;
      this.subscribe(client);
    });
    client.on('close', () => {
      if (this.status.state !== 'stopped') this.status.set('disconnected', 'broker connection closed');
    });
    client.on('error', (error) => {
      // Once per outage: mqtt.js retries every reconnect period and would repeat this each time.
      if (this.brokerErrorLogged) return;
      this.brokerErrorLogged = true;
      this.log.warn({ err: error, url: broker.url }, 'broker connection error; retrying');
    });
    const ready = new Promise<void>((resolve, reject) => {
      const unsubscribe = this.status.onChange((health) => {
        if (health.state === 'ready') resolve();
        else if (health.state === 'stopped') reject(new Error('ingester stopped before it was ready'));
        else return;
        unsubscribe();
      });
    });
    return Promise.race([ready, permanentRefusal(client, broker.url)]);
  }

  health() {
    return this.status.health();
  }

  metrics(): IngesterMetrics {
    return {
      ...this.writer.metrics(),
      ...this.counters,
      rejectionsByReason: { ...this.rejectionsByReason },
      heldPubacks: this.acks?.heldCount ?? 0,
      droppedPubacks: this.acks?.droppedCount ?? 0,
    };
  }

  /**
   * Where another protocol's adapter (server/sparkplug/) hands its validated readings and
   * rejections: counted, logged and written exactly as this ingester's own, with the commit
   * progress its acknowledgements wait for. Past here nothing knows which protocol a reading came by.
   */
  get intake(): ValidationSink & CommitProgress {
    const writer = this.writer;
    return {
      accept: this.sink.accept,
      reject: this.sink.reject,
      get enqueuedSeq() {
        return writer.enqueuedSeq;
      },
      get committedSeq() {
        return writer.committedSeq;
      },
    };
  }

  /**
   * Commits what is queued now, for a caller that answers only once its reading is stored (an assay
   * entered by hand). False if the commit failed: the rows stay queued and are retried.
   */
  async commitNow(): Promise<boolean> {
    return this.writer.flush();
  }

  /** Hears the readings of each commit that were new; for live views and the assimilator's late-data check. */
  onReadingsStored(listener: ReadingsStoredListener): () => void {
    this.storedListeners.add(listener);
    return () => this.storedListeners.delete(listener);
  }

  /** Commits what is queued, acknowledges it, then disconnects; anything still unacknowledged comes again. */
  async stop(): Promise<void> {
    if (this.status.state === 'stopped') return;
    this.status.set('stopped');
    await this.writer.flush();
    const client = this.client;
    if (client) await client.endAsync(false);
    await this.writer.flush();
    this.writer.close();
    this.rejectionLog.closeBurst();
  }

  private subscribe(client: MqttClient): void {
    const topic = subscriptionTopic(this.options.topicPrefix, this.options.sharedGroup);
    client.subscribe(topic, { qos: 1 }, (error, granted) => {
      if (this.status.state === 'stopped') return;
      if (error || !granted || granted.some((g) => g.qos !== 1)) {
        const why = error?.message ?? `granted ${JSON.stringify(granted)}`;
        this.status.set('lost', `subscription to ${topic} refused: ${why}`);
        this.log.error({ topic, why }, 'subscription refused');
        return;
      }
      this.counters.subscribes++;
      this.status.set('ready');
      this.log.info({ topic, connects: this.counters.connects }, 'subscribed');
    });
  }

  private onMessage(topic: string, payload: Buffer): void {
    this.counters.messagesReceived++;
    const receivedAtMs = this.now();
    try {
      const { topicPrefix } = this.options;
      if (
        validateMessage(topic, payload, receivedAtMs, topicPrefix, this.limits, this.sink) ===
        'service-output'
      ) {
        this.counters.serviceOutputIgnored++;
      }
    } catch (error) {
      this.log.error({ err: error, topic }, 'validator threw; message rejected');
      const rejection: Rejection = {
        receivedAtMs,
        topic: topic.slice(0, 256),
        payloadExcerpt: payload.subarray(0, 256).toString('utf8'),
        payloadBytes: payload.length,
        reason: 'validator-failed',
        detail: String(error).slice(0, 200),
      };
      this.sink.reject(rejection);
    }
  }

  private afterCommit(stored: AcceptedReading[], highestRowid: number): void {
    this.acks?.release();
    if (this.commitFailing) {
      this.commitFailing = false;
      this.log.info('commits succeed again');
      if (this.client?.connected && this.status.state !== 'stopped') this.status.set('ready');
    }
    if (stored.length === 0) return;
    for (const listener of this.storedListeners) {
      try {
        listener(stored, highestRowid);
      } catch (error) {
        this.log.error({ err: error }, 'a readings listener threw');
      }
    }
  }
}
