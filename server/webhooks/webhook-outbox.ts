/**
 * Writing notifications into the outbox. Called inside the transaction that records the alarm's
 * transition, so the change and its notifications are committed together or not at all.
 */
import { randomUUID } from 'node:crypto';
import type { CulturewatchDb } from '../../db/open-database';
import { insertOutboxRow, liveWebhookEndpoints } from '../../db/queries/webhooks';
import { grafanaWebhookBody, type NotificationSource } from './grafana-payload';
import { endpointSeverities } from './webhook-endpoints';

/** One outbox row per enabled endpoint that takes the alarm's severity; returns how many. */
export function enqueueNotifications(
  db: CulturewatchDb,
  source: Omit<NotificationSource, 'receiver'>,
  nowMs: number,
): number {
  let queued = 0;
  for (const endpoint of liveWebhookEndpoints(db)) {
    if (!endpoint.enabled || !endpointSeverities(endpoint).includes(source.alarm.severity)) continue;
    insertOutboxRow(db, {
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
