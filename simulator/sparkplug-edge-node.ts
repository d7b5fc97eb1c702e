/**
 * A Sparkplug B 3.0 edge node over MQTT, with Eclipse Tahu's payload codec (sparkplug-payload):
 * what a plant's gateway does, for the simulator's Sparkplug mode and the tests, and what
 * culturewatch itself is when it publishes its estimates (server/sparkplug/estimate-edge-node.ts).
 *
 * - Each MQTT connection carries the NDEATH as its will, with a bdSeq that starts at 0 and counts
 *   up by one for every new connection; its NBIRTH repeats that bdSeq, with seq 0.
 * - The NBIRTH declares the node's metrics (with `bdSeq` and `Node Control/Rebirth`), each DBIRTH a
 *   device's, every metric with an alias; data then names metrics by alias only.
 * - `Node Control/Rebirth` in an NCMD, or a new connection, publishes the births again.
 * - `stop()` publishes the NDEATH, then disconnects.
 *
 * Sparkplug sends births and data at QoS 0 (the spec requires it); the will at QoS 1.
 */
import { randomUUID } from 'node:crypto';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import sparkplugPayload from 'sparkplug-payload';
import type { UMetric, UPayload } from 'sparkplug-payload/lib/sparkplugbpayload.js';
import { type SparkplugMessageType, sparkplug } from '../contract/plant-protocols';

export const sparkplugCodec = sparkplugPayload.get(sparkplug.namespace)!;

export type MetricType = UMetric['type'];

export interface EdgeMetric {
  name: string;
  type: MetricType;
  /** null: the metric has no current value (is_null). */
  value: number | boolean | string | null;
  /** Epoch ms the value is for; the message's time when absent. */
  timestamp?: number;
  /** Its engineering unit, sent in the birth as the `engUnit` property. */
  engUnit?: string;
}

export interface SparkplugEdgeNodeOptions {
  url: string;
  clientOptions?: IClientOptions;
  onClient?: (client: MqttClient) => void;
  group: string;
  edgeNode: string;
  /** The node's own metrics at each birth (beside bdSeq and Node Control/Rebirth). */
  nodeMetrics?: () => EdgeMetric[];
  /** Each device's metrics at each birth, with their current values. */
  devices: () => ReadonlyMap<string, EdgeMetric[]>;
  now?: () => number;
}

export interface EdgeNodeMetrics {
  births: number;
  rebirthRequests: number;
  messages: number;
  bdSeq: number;
}

export class SparkplugEdgeNode {
  /** Resolves once the first births are out. */
  readonly born: Promise<void>;
  private client: MqttClient | undefined;
  private bdSeqValue = 0;
  private seq = 0;
  private nextAlias = 0;
  /** alias by scope ('' for the node) and metric name, from the latest births. */
  private aliases = new Map<string, Map<string, number>>();
  private metricTypes = new Map<string, Map<string, MetricType>>();
  private readonly counters = { births: 0, rebirthRequests: 0, messages: 0 };
  private readonly now: () => number;
  private resolveBorn: () => void = () => {};
  private stopping = false;

  constructor(private readonly options: SparkplugEdgeNodeOptions) {
    this.now = options.now ?? Date.now;
    this.born = new Promise((resolve) => (this.resolveBorn = resolve));
  }

  get bdSeq(): number {
    return this.bdSeqValue;
  }

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  /** Connects (the NDEATH as will), subscribes to its commands and publishes its births. */
  async start(): Promise<void> {
    if (this.client) throw new Error('edge node already started');
    const client = mqtt.connect(this.options.url, {
      clientId: `sparkplug-${this.options.edgeNode}-${randomUUID().slice(0, 8)}`,
      reconnectPeriod: 1000,
      ...this.options.clientOptions,
      clean: true,
      // Data sent while away would reach the host before the next connection's NBIRTH; the rebirth
      // on reconnecting carries the current values instead.
      queueQoSZero: false,
      will: this.will(),
    });
    this.client = client;
    this.options.onClient?.(client);
    client.on('message', (topic, payload) => this.onCommand(topic, payload));
    // Each new connection is a new Sparkplug session: the next bdSeq, in the will and the NBIRTH.
    client.on('close', () => {
      if (this.stopping) return;
      this.bdSeqValue = (this.bdSeqValue + 1) % 256;
      client.options.will = this.will();
    });
    client.on('connect', () => {
      const { group, edgeNode } = this.options;
      client.subscribe(
        [sparkplug.topic(group, 'NCMD', edgeNode), `${sparkplug.topic(group, 'DCMD', edgeNode)}/+`],
        { qos: 1 },
        () => this.publishBirths(),
      );
    });
    await this.born;
  }

  metrics(): EdgeNodeMetrics {
    return { ...this.counters, bdSeq: this.bdSeqValue };
  }

  /** NBIRTH (seq 0) and every device's DBIRTH, with aliases and current values. */
  publishBirths(): void {
    this.aliases = new Map();
    this.metricTypes = new Map();
    this.nextAlias = 0;
    this.seq = 0;
    const node = this.declare('', [
      { name: sparkplug.bdSeqMetric, type: 'UInt64', value: this.bdSeqValue },
      { name: sparkplug.rebirthMetric, type: 'Boolean', value: false },
      ...(this.options.nodeMetrics?.() ?? []),
    ]);
    this.send('NBIRTH', undefined, { timestamp: this.now(), seq: this.seq, metrics: node });
    for (const [device, metrics] of this.options.devices()) this.sendDeviceBirth(device, metrics);
    this.counters.births++;
    this.resolveBorn();
  }

  /** A DBIRTH of one device (a new one, or one whose metrics changed), as `devices()` now has it. */
  publishDeviceBirth(device: string): void {
    const metrics = this.options.devices().get(device);
    if (metrics) this.sendDeviceBirth(device, metrics);
  }

  private sendDeviceBirth(device: string, metrics: EdgeMetric[]): void {
    this.send('DBIRTH', device, {
      timestamp: this.now(),
      seq: this.nextSeq(),
      metrics: this.declare(device, metrics),
    });
  }

  /** Gives a birth's metrics aliases unique within the node (a device born again gets new ones). */
  private declare(scope: string, metrics: EdgeMetric[]): UMetric[] {
    const aliases = new Map<string, number>();
    const types = new Map<string, MetricType>();
    this.aliases.set(scope, aliases);
    this.metricTypes.set(scope, types);
    return metrics.map((m) => {
      const alias = this.nextAlias++;
      aliases.set(m.name, alias);
      types.set(m.name, m.type);
      return birthMetric(m, alias);
    });
  }

  /** DDATA of one device, metrics by alias (names the birth did not declare are sent by name). */
  publishDeviceData(device: string, metrics: Omit<EdgeMetric, 'type'>[], onSent?: () => void): void {
    this.send('DDATA', device, this.dataPayload(device, metrics), onSent);
  }

  /** NDATA: the node's own metrics. */
  publishNodeData(metrics: Omit<EdgeMetric, 'type'>[], onSent?: () => void): void {
    this.send('NDATA', undefined, this.dataPayload('', metrics), onSent);
  }

  /** DDEATH: the device is gone until its next DBIRTH. */
  publishDeviceDeath(device: string): void {
    this.send('DDEATH', device, { timestamp: this.now(), seq: this.nextSeq() });
  }

  /** Takes the next seq for a message sent by other means (or none: what a host sees as a lost message). */
  takeSeq(): number {
    return this.nextSeq();
  }

  /** The alias the latest birth gave a metric ('' for the node's own). */
  aliasOf(scope: string, name: string): number | undefined {
    return this.aliases.get(scope)?.get(name);
  }

  /** Publishes the NDEATH, then disconnects. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    const client = this.client;
    if (!client) return;
    if (client.connected) {
      const will = this.will();
      await client.publishAsync(will.topic, will.payload as Buffer, { qos: 1 }).catch(() => undefined);
    }
    await client.endAsync(!client.connected);
  }

  private dataPayload(scope: string, metrics: Omit<EdgeMetric, 'type'>[]): UPayload {
    const aliases = this.aliases.get(scope);
    const types = this.metricTypes.get(scope);
    return {
      timestamp: this.now(),
      seq: this.nextSeq(),
      metrics: metrics.map((m) => {
        const alias = aliases?.get(m.name);
        const type = types?.get(m.name) ?? 'Double';
        const metric: UMetric = { type, value: m.value };
        if (alias === undefined) metric.name = m.name;
        else metric.alias = alias;
        if (m.timestamp !== undefined) metric.timestamp = m.timestamp;
        return metric;
      }),
    };
  }

  private nextSeq(): number {
    this.seq = (this.seq + 1) % 256;
    return this.seq;
  }

  private send(
    type: SparkplugMessageType,
    device: string | undefined,
    payload: UPayload,
    onSent?: () => void,
  ): void {
    const { group, edgeNode } = this.options;
    this.counters.messages++;
    this.client?.publish(
      sparkplug.topic(group, type, edgeNode, device),
      Buffer.from(sparkplugCodec.encodePayload(payload)),
      { qos: 0 },
      () => onSent?.(),
    );
  }

  private will(): { topic: string; payload: Buffer; qos: 1; retain: false } {
    const { group, edgeNode } = this.options;
    const payload = sparkplugCodec.encodePayload({
      timestamp: this.now(),
      metrics: [{ name: sparkplug.bdSeqMetric, type: 'UInt64', value: this.bdSeqValue }],
    });
    return {
      topic: sparkplug.topic(group, 'NDEATH', edgeNode),
      payload: Buffer.from(payload),
      qos: 1,
      retain: false,
    };
  }

  private onCommand(topic: string, payload: Buffer): void {
    if (!topic.includes('/NCMD/')) return;
    let decoded: UPayload;
    try {
      decoded = sparkplugCodec.decodePayload(payload);
    } catch {
      return;
    }
    const rebirth = decoded.metrics?.some((m) => m.name === sparkplug.rebirthMetric && m.value === true);
    if (!rebirth) return;
    this.counters.rebirthRequests++;
    this.publishBirths();
  }
}

function birthMetric(m: EdgeMetric, alias: number): UMetric {
  const metric: UMetric = { name: m.name, alias, type: m.type, value: m.value };
  if (m.timestamp !== undefined) metric.timestamp = m.timestamp;
  if (m.engUnit !== undefined)
    metric.properties = { [sparkplug.engineeringUnitProperty]: { type: 'String', value: m.engUnit } };
  return metric;
}
