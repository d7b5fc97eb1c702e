/**
 * The Sparkplug B 3.0 host application: a job beside the ingester that subscribes to the mapped
 * groups (`spBv1.0/<group>/#`) and to its own STATE, keeps each edge node's session
 * (edge-node-sessions.ts), turns mapped metrics into the same validated readings the JSON path
 * makes (reading-rules.ts) and hands them, and every refusal, to the ingester's intake.
 *
 * - Clean session, as Sparkplug requires; the will is `spBv1.0/STATE/<host id>`
 *   `{"online": false, "timestamp": T}` (retained, QoS 1), and after each (re)subscription it
 *   publishes `{"online": true, "timestamp": T}` with the same T. A stop publishes the death itself.
 * - Losing the broker forgets every session: after reconnecting, data from a node is refused until
 *   its rebirth, which is requested (NCMD `Node Control/Rebirth`, at most once per node per
 *   `rebirthIntervalMs`).
 * - Messages of edge nodes, devices or metrics the mapping does not name are ignored (counted).
 * - A QoS-1 message's PUBACK waits for its readings' commit, as on the JSON path; Sparkplug data is
 *   QoS 0 by the spec, and then its recovery after a loss is the rebirth.
 */
import { randomUUID } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { sparkplug } from '../../contract/plant-protocols';
import { sparkplugCodec } from '../../simulator/sparkplug-edge-node';
import { type BrokerConnection, connectionOptions } from '../broker/broker-connection';
import { permanentRefusal } from '../broker/permanent-refusal';
import type { ValidationSink } from '../ingest/message-validator';
import { type CommitProgress, PubacksAfterCommit } from '../ingest/pubacks-after-commit';
import { plausibleValue, timestampMs } from '../ingest/reading-rules';
import type { RejectionReason } from '../ingest/rejection-reasons';
import { type Job, JobStatus } from '../lifecycle';
import {
  type BirthMetric,
  EdgeNodeSessions,
  nodeKeyOf,
  type SessionSink,
  type SparkplugMessage,
} from './edge-node-sessions';
import { describeSource, type SparkplugMapping, unitFactor } from './sparkplug-mapping';
import {
  type DecodedMetric,
  datatypeName,
  decodeSparkplugPayload,
  metricExcerpt,
  numericDatatypes,
  numericValue,
} from './sparkplug-payload';
import { parseSparkplugTopic } from './sparkplug-topics';

/** Client ids of the host start with this; the embedded broker keeps them for the service. */
export const sparkplugHostClientIdPrefix = 'culturewatch-sparkplug-host-';

export interface SparkplugHostOptions {
  broker: BrokerConnection;
  hostId: string;
  mapping: SparkplugMapping;
  /** The ingester's intake (Ingester.intake). */
  intake: ValidationSink & CommitProgress;
  /** A refused reading is recorded at `<prefix>/<reactor>/<signal>`, as a JSON one would be. */
  topicPrefix: string;
  reorderTimeoutMs: number;
  rebirthIntervalMs: number;
  maxPayloadBytes: number;
  logger: Logger;
  reconnectPeriodMs?: number;
  now?: () => number;
}

export interface SparkplugHostMetrics {
  messagesReceived: number;
  readingsAccepted: number;
  rejected: number;
  rebirthsRequested: number;
  /** Messages of edge nodes the mapping does not name, and metrics it does not map. */
  unmappedMessages: number;
  unmappedMetrics: number;
  /** Metrics sent with is_null (no current value): not a reading. */
  nullMetrics: number;
  nodesOnline: number;
  connects: number;
}

const excerptBytes = 96;

export class SparkplugHost implements Job<SparkplugHostMetrics> {
  readonly name = 'sparkplug-host';
  private readonly status = new JobStatus();
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly sessions: EdgeNodeSessions;
  private readonly reorderTimers = new Map<string, NodeJS.Timeout>();
  private readonly lastRebirthMs = new Map<string, number>();
  private readonly unmappedLogged = new Set<string>();
  /** The will's and the birth's timestamp (spec 3.0: the birth repeats the will's). */
  private readonly stateTimestampMs: number;
  private client: MqttClient | undefined;
  private readonly counters = {
    messagesReceived: 0,
    readingsAccepted: 0,
    rejected: 0,
    rebirthsRequested: 0,
    unmappedMessages: 0,
    unmappedMetrics: 0,
    nullMetrics: 0,
    connects: 0,
  };

  constructor(private readonly options: SparkplugHostOptions) {
    this.log = options.logger.child({ job: this.name });
    this.now = options.now ?? Date.now;
    this.stateTimestampMs = this.now();
    const sink: SessionSink = {
      metric: (message, metric, birth) => this.metric(message, metric, birth),
      reject: (message, reason, detail) =>
        this.rejectMessage(
          message.topic,
          message.receivedAtMs,
          message.bytes,
          reason,
          detail,
          summaryOf(message),
        ),
      requestRebirth: (group, edgeNode, why) => this.requestRebirth(group, edgeNode, why),
      held: (nodeKey) => this.startReorderTimer(nodeKey),
    };
    this.sessions = new EdgeNodeSessions(sink);
  }

  get stateTopic(): string {
    return sparkplug.stateTopic(this.options.hostId);
  }

  /** Resolves once subscribed and the STATE birth is published. */
  start(): Promise<void> {
    if (this.client) throw new Error('sparkplug host already started');
    const { broker } = this.options;
    const client = mqtt.connect(broker.url, {
      ...connectionOptions(broker),
      clientId: `${sparkplugHostClientIdPrefix}${randomUUID().slice(0, 8)}`,
      clean: true,
      reconnectPeriod: this.options.reconnectPeriodMs ?? 1000,
      resubscribe: false,
      will: { topic: this.stateTopic, payload: this.statePayload(false), qos: 1, retain: true },
    });
    broker.tls?.follow(client);
    this.client = client;
    new PubacksAfterCommit(client, this.options.intake);
    client.on('message', (topic, payload) => this.onMessage(topic, payload));
    client.on('connect', () => {
      this.counters.connects++;
      this.subscribe(client);
    });
    client.on('close', () => {
      if (this.status.state === 'stopped') return;
      this.status.set('disconnected', 'broker connection closed');
      // Every node's data is stale now; each needs a birth on the new connection.
      this.sessions.clear();
      for (const timer of this.reorderTimers.values()) clearTimeout(timer);
      this.reorderTimers.clear();
    });
    client.on('error', (error) => this.log.debug({ err: error }, 'broker connection error'));
    const ready = new Promise<void>((resolve) => {
      const unsubscribe = this.status.onChange((health) => {
        if (health.state !== 'ready') return;
        unsubscribe();
        resolve();
      });
    });
    return Promise.race([ready, permanentRefusal(client, broker.url)]);
  }

  health() {
    return this.status.health();
  }

  metrics(): SparkplugHostMetrics {
    return { ...this.counters, nodesOnline: this.sessions.onlineCount() };
  }

  /** Publishes the STATE death (retained), then disconnects. */
  async stop(): Promise<void> {
    if (this.status.state === 'stopped') return;
    this.status.set('stopped');
    for (const timer of this.reorderTimers.values()) clearTimeout(timer);
    this.reorderTimers.clear();
    const client = this.client;
    if (!client) return;
    if (client.connected) {
      await client
        .publishAsync(this.stateTopic, this.statePayload(false), { qos: 1, retain: true })
        .catch((error: unknown) => this.log.warn({ err: error }, 'could not publish the STATE death'));
    }
    await client.endAsync(!client.connected);
  }

  private statePayload(online: boolean): string {
    return JSON.stringify({ online, timestamp: this.stateTimestampMs });
  }

  private subscribe(client: MqttClient): void {
    const topics = [
      ...this.options.mapping.groups.map((g) => `${sparkplug.namespace}/${g}/#`),
      this.stateTopic,
    ];
    client.subscribe(topics, { qos: 1 }, (error, granted) => {
      if (this.status.state === 'stopped') return;
      if (error || !granted || granted.some((g) => g.qos > 2)) {
        const why = error?.message ?? `granted ${JSON.stringify(granted)}`;
        this.status.set('lost', `subscription refused: ${why}`);
        this.log.error({ topics, why }, 'subscription refused');
        return;
      }
      this.publishStateBirth(client);
    });
  }

  private publishStateBirth(client: MqttClient): void {
    client.publish(this.stateTopic, this.statePayload(true), { qos: 1, retain: true }, (error) => {
      if (error) return this.log.warn({ err: error }, 'could not publish the STATE birth');
      if (this.status.state === 'stopped') return;
      this.status.set('ready');
      this.log.info({ topic: this.stateTopic, groups: this.options.mapping.groups }, 'sparkplug host online');
    });
  }

  private onMessage(topic: string, payload: Buffer): void {
    this.counters.messagesReceived++;
    const receivedAtMs = this.now();
    try {
      this.handle(topic, payload, receivedAtMs);
    } catch (error) {
      this.log.error({ err: error, topic }, 'sparkplug handler threw; message rejected');
      this.rejectMessage(
        topic,
        receivedAtMs,
        payload.length,
        'validator-failed',
        String(error).slice(0, 200),
        hexExcerpt(payload),
      );
    }
  }

  private handle(topic: string, payload: Buffer, receivedAtMs: number): void {
    const where = parseSparkplugTopic(topic);
    if (where.kind === 'state') {
      // Our own death seen while we are up (a stale will, another host with our id): say we live.
      if (
        where.hostId === this.options.hostId &&
        this.client?.connected &&
        /"online"\s*:\s*false/.test(payload.toString('utf8'))
      )
        this.publishStateBirth(this.client);
      return;
    }
    const reject = (reason: RejectionReason, detail: string) =>
      this.rejectMessage(topic, receivedAtMs, payload.length, reason, detail, hexExcerpt(payload));
    if (where.kind === 'malformed') return void reject('sparkplug-topic-malformed', where.detail);
    if (!this.options.mapping.reactorsOfEdgeNode(where.group, where.edgeNode)) {
      this.counters.unmappedMessages++;
      const source = describeSource(where);
      if (!this.unmappedLogged.has(source) && this.unmappedLogged.size < 1000) {
        this.unmappedLogged.add(source);
        this.log.info({ source }, 'sparkplug edge node not in SPARKPLUG_MAPPING: ignored');
      }
      return;
    }
    if (payload.length === 0) return void reject('payload-empty', 'empty payload');
    if (payload.length > this.options.maxPayloadBytes)
      return void reject('payload-too-large', `${payload.length} bytes > ${this.options.maxPayloadBytes}`);
    const decoded = decodeSparkplugPayload(payload);
    if (!decoded.ok) return void reject('sparkplug-payload-invalid', decoded.detail);
    this.sessions.handle({
      topic,
      type: where.type,
      group: where.group,
      edgeNode: where.edgeNode,
      device: where.device,
      payload: decoded.payload,
      bytes: payload.length,
      receivedAtMs,
    });
    const key = nodeKeyOf(where.group, where.edgeNode);
    const timer = this.reorderTimers.get(key);
    if (timer && !this.sessions.hasHeld(key)) {
      clearTimeout(timer);
      this.reorderTimers.delete(key);
    }
  }

  /** A metric of a born node or device: a reading if the mapping maps it, validated as the JSON path does. */
  private metric(message: SparkplugMessage, metric: DecodedMetric, birth: BirthMetric): void {
    const { mapping } = this.options;
    const mapped = mapping.source(message.group, message.edgeNode, message.device);
    const target = mapped?.metrics.get(birth.name);
    if (!mapped || !target) {
      this.counters.unmappedMetrics++;
      return;
    }
    if (metric.isNull) {
      this.counters.nullMetrics++;
      return;
    }
    const { signal } = target;
    const { receivedAtMs } = message;
    const where = `${message.topic} metric "${birth.name}"`;
    const rejectReading = (reason: RejectionReason, detail: string, tsMs?: number, value?: number) => {
      const excerpt =
        tsMs !== undefined && value !== undefined && Number.isFinite(value)
          ? JSON.stringify({ ts: tsMs, value })
          : metricExcerpt(metric, birth.datatype);
      this.rejectMessage(
        `${this.options.topicPrefix}/${mapped.reactorId}/${signal}`,
        receivedAtMs,
        message.bytes,
        reason,
        `${where}: ${detail}`,
        excerpt,
      );
    };
    const rawTs = metric.timestampMs ?? message.payload.timestampMs ?? receivedAtMs;
    if (!numericDatatypes.has(birth.datatype))
      return void rejectReading('value-not-number', `a ${datatypeName(birth.datatype)} is not a reading`);
    const raw = numericValue(metric.proto, birth.datatype);
    if (raw === undefined) return void rejectReading('value-not-number', 'no value');
    if (target.unit !== undefined && birth.engUnit !== undefined && target.unit !== birth.engUnit)
      return void rejectReading(
        'sparkplug-unit-mismatch',
        `the birth says ${birth.engUnit}, the mapping ${target.unit}`,
      );
    const factor = unitFactor(signal, target.unit ?? birth.engUnit, mapping.concentrationUnit);
    if (!factor.ok) return void rejectReading('sparkplug-unit-mismatch', factor.problem);
    const value = plausibleValue(raw * factor.factor, signal);
    if (!value.ok && value.reason !== 'value-out-of-range')
      return void rejectReading(value.reason, value.detail);
    const ts = timestampMs(rawTs, receivedAtMs);
    if (!ts.ok) return void rejectReading(ts.reason, ts.detail);
    if (!value.ok) return void rejectReading(value.reason, value.detail, ts.value, raw * factor.factor);
    this.counters.readingsAccepted++;
    this.options.intake.accept({
      reactorId: mapped.reactorId,
      signal,
      tsMs: ts.value,
      value: value.value,
      receivedAtMs,
    });
  }

  private rejectMessage(
    topic: string,
    receivedAtMs: number,
    payloadBytes: number,
    reason: RejectionReason,
    detail: string,
    payloadExcerpt: string,
  ): void {
    this.counters.rejected++;
    this.options.intake.reject({
      receivedAtMs,
      topic: topic.length > 256 ? `${topic.slice(0, 256)}…` : topic,
      payloadExcerpt,
      payloadBytes,
      reason,
      detail: detail.slice(0, 300),
    });
  }

  private startReorderTimer(nodeKey: string): void {
    if (this.reorderTimers.has(nodeKey)) return;
    this.reorderTimers.set(
      nodeKey,
      setTimeout(() => {
        this.reorderTimers.delete(nodeKey);
        this.sessions.expireHeld(nodeKey);
      }, this.options.reorderTimeoutMs),
    );
  }

  private requestRebirth(group: string, edgeNode: string, why: string): void {
    const client = this.client;
    if (!client?.connected) return;
    const key = nodeKeyOf(group, edgeNode);
    const nowMs = this.now();
    const last = this.lastRebirthMs.get(key);
    if (last !== undefined && nowMs - last < this.options.rebirthIntervalMs) return;
    this.lastRebirthMs.set(key, nowMs);
    this.counters.rebirthsRequested++;
    const payload = sparkplugCodec.encodePayload({
      timestamp: nowMs,
      metrics: [{ name: sparkplug.rebirthMetric, type: 'Boolean', value: true }],
    });
    client.publish(sparkplug.topic(group, 'NCMD', edgeNode), Buffer.from(payload), { qos: 0, retain: false });
    this.log.info({ source: `${group}/${edgeNode}`, why }, 'sparkplug rebirth requested');
  }
}

function summaryOf(message: SparkplugMessage): string {
  const { payload } = message;
  return JSON.stringify({
    type: message.type,
    seq: payload.seq,
    timestamp: payload.timestampMs,
    metrics: payload.metrics.slice(0, 8).map((m) => m.name ?? `alias ${m.alias}`),
  }).slice(0, 256);
}

function hexExcerpt(payload: Buffer): string {
  return `hex:${payload.subarray(0, excerptBytes).toString('hex')}${payload.length > excerptBytes ? '…' : ''}`;
}
