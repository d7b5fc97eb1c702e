/** Every alarm transition on MQTT at `<prefix>/<reactor>/$alarm` (QoS 1, not retained), for SCADA and other plant systems. */
import type { MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { AlarmMessage } from '../../contract/mqtt';
import type { RecordedTransition } from './alarm-recorder';

export type AlarmPublishClient = Pick<MqttClient, 'publish'>;

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

/**
 * Publishes through the service's MQTT client, whose queue holds messages while the broker is away
 * (the webhook outbox, not MQTT, is the delivery that survives restarts).
 */
export function publishAlarmTransitions(client: AlarmPublishClient, prefix: string, log: Logger) {
  return (t: RecordedTransition): void => {
    client.publish(
      alarmTopic(prefix, t.alarm.reactorId),
      JSON.stringify(alarmMessage(t)),
      { qos: 1, retain: false },
      (error) => {
        if (error)
          log.warn({ err: error, reactorId: t.alarm.reactorId, eventId: t.eventId }, '$alarm publish failed');
      },
    );
  };
}
