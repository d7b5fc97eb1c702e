/**
 * MQTT out: every alarm transition at `<prefix>/<reactor>/$alarm` (QoS 1, not retained), for SCADA
 * and other plant systems. Its own client; mqtt.js holds messages while the broker is away. (The
 * webhook outbox, not MQTT, is the delivery that survives restarts.) The ingester ignores `$` topics.
 */
import { randomUUID } from 'node:crypto';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { AlarmMessage } from '../../contract/mqtt';
import type { BrokerConnection } from '../broker/broker-connection';
import { type Job, type JobHealth, JobStatus } from '../lifecycle';
import type { RecordedTransition } from './alarm-recorder';

export function alarmTopic(prefix: string, reactorId: string): string {
  return `${prefix}/${reactorId}/$alarm`;
}

export function alarmMessage(t: RecordedTransition): AlarmMessage {
  return {
    reactorId: t.alarm.reactorId,
    alarmId: t.alarmId,
    eventId: t.eventId,
    ruleId: t.alarm.ruleId,
    ruleName: t.alarm.ruleName,
    transition: t.kind,
    actor: t.actor,
    atMs: t.atMs,
    severity: t.alarm.severity,
    active: t.alarm.active,
    acknowledged: t.alarm.acknowledged,
    firedAtMs: t.alarm.firedAtMs,
    clearedAtMs: t.alarm.clearedAtMs,
    summary: t.alarm.summary,
    values: t.alarm.values,
  };
}

export interface AlarmPublisherMetrics {
  published: number;
  acknowledged: number;
  failed: number;
}

export class AlarmPublisher implements Job<AlarmPublisherMetrics> {
  readonly name = 'alarm-publisher';
  private readonly status = new JobStatus();
  private readonly log: Logger;
  private client: MqttClient | undefined;
  private readonly counters = { published: 0, acknowledged: 0, failed: 0 };

  constructor(
    private readonly broker: BrokerConnection,
    private readonly topicPrefix: string,
    logger: Logger,
  ) {
    this.log = logger.child({ job: this.name });
  }

  /** Resolves once connected; until then (and during outages) publishes wait in the client's queue. */
  async start(): Promise<void> {
    const options: IClientOptions = {
      clientId: `culturewatch-alarms-${randomUUID().slice(0, 8)}`,
      clean: true,
      reconnectPeriod: 1000,
      protocolVersion: this.broker.protocol === '5' ? 5 : 4,
    };
    if (this.broker.username !== undefined) options.username = this.broker.username;
    if (this.broker.password !== undefined) options.password = this.broker.password;
    const client = mqtt.connect(this.broker.url, options);
    this.client = client;
    client.on('connect', () => this.status.set('ready'));
    client.on('close', () => {
      if (this.status.state !== 'stopped') this.status.set('disconnected', 'broker connection closed');
    });
    client.on('error', (error) => this.log.debug({ err: error }, 'broker connection error'));
    await new Promise<void>((resolve) => {
      if (client.connected) resolve();
      else client.once('connect', () => resolve());
    });
  }

  health(): JobHealth {
    return this.status.health();
  }

  metrics(): AlarmPublisherMetrics {
    return { ...this.counters };
  }

  publish(t: RecordedTransition): void {
    if (!this.client || this.status.state === 'stopped') return;
    this.counters.published++;
    this.client.publish(
      alarmTopic(this.topicPrefix, t.alarm.reactorId),
      JSON.stringify(alarmMessage(t)),
      { qos: 1, retain: false },
      (error) => {
        if (error) {
          this.counters.failed++;
          this.log.warn(
            { err: error, reactorId: t.alarm.reactorId, eventId: t.eventId },
            '$alarm publish failed',
          );
        } else this.counters.acknowledged++;
      },
    );
  }

  /** Waits for what is in flight, then disconnects. */
  async stop(): Promise<void> {
    if (this.status.state === 'stopped') return;
    this.status.set('stopped');
    await this.client?.endAsync(false);
  }
}
