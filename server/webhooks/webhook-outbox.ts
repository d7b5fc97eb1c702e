/**
 * Writing notifications into the outbox. Called inside the transaction that records the alarm's
 * transition, so the change and its notifications are committed together or not at all.
 */
import { randomUUID } from 'node:crypto';
import type { WebhookStatements } from '../../db/webhook-statements';
import { grafanaWebhookBody, type NotificationSource } from './grafana-payload';
import { endpointSeverities } from './webhook-endpoints';

/** One outbox row per enabled endpoint that takes the alarm's severity; returns how many. */
export function enqueueNotifications(
  store: WebhookStatements,
  source: Omit<NotificationSource, 'receiver'>,
  nowMs: number,
): number {
  let queued = 0;
  for (const endpoint of store.liveWebhookEndpoints()) {
    if (!endpoint.enabled || !endpointSeverities(endpoint).includes(source.alarm.severity)) continue;
    store.insertOutboxRow({
      endpointId: endpoint.id,
      alarmEventId: source.event.id,
      idempotencyKey: randomUUID(),
      bodyJson: JSON.stringify(grafanaWebhookBody({ ...source, receiver: endpoint.name })),
      createdAtMs: nowMs,
      state: 'pending',
      attempts: 0,
      nextAttemptAtMs: nowMs,
    });
    queued++;
  }
  return queued;
}
