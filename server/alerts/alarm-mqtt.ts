/**
 * MQTT out: every alarm transition at `<prefix>/<reactor>/$alarm` (QoS 1, not retained), for SCADA
 * and other plant systems. Its own client; mqtt.js holds messages while the broker is away. (The
 * webhook outbox, not MQTT, is the delivery that survives restarts.) The ingester ignores `$` topics.
 */
import type { Logger } from 'pino';
import type { AlarmMessage } from '../../contract/mqtt';
import type { BrokerConnection } from '../broker/broker-connection';
import { ServicePublisher, type ServicePublisherMetrics } from '../broker/service-publisher';
import type { Job, JobHealth } from '../lifecycle';
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

export type AlarmPublisherMetrics = ServicePublisherMetrics;

export class AlarmPublisher implements Job<AlarmPublisherMetrics> {
  readonly name = 'alarm-publisher';
  private readonly publisher: ServicePublisher;

  constructor(
    broker: BrokerConnection,
    private readonly topicPrefix: string,
    logger: Logger,
  ) {
    this.publisher = new ServicePublisher(broker, 'culturewatch-alarms', logger.child({ job: this.name }));
  }

  /** Resolves once connected; until then (and during outages) publishes wait in the client's queue. */
  start(): Promise<void> {
    return this.publisher.start();
  }

  health(): JobHealth {
    return this.publisher.health();
  }

  metrics(): AlarmPublisherMetrics {
    return this.publisher.metrics();
  }

  publish(t: RecordedTransition): void {
    const context = { reactorId: t.alarm.reactorId, eventId: t.eventId };
    this.publisher.publish(
      alarmTopic(this.topicPrefix, t.alarm.reactorId),
      JSON.stringify(alarmMessage(t)),
      false,
      context,
      '$alarm publish failed',
    );
  }

  /** Waits for what is in flight, then disconnects. */
  stop(): Promise<void> {
    return this.publisher.stop();
  }
}
