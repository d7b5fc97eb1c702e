/**
 * Webhook endpoints, the outbox of notifications and the log of delivery attempts. Order per
 * endpoint is the outbox id; server/webhooks/ decides when to send and retry.
 */
import { and, asc, desc, eq, isNull, sql } from 'drizzle-orm';
import type { CulturewatchDb } from '../open-database';
import { alarmEvents, webhookDeliveries, webhookEndpoints, webhookOutbox } from '../schema';

export type WebhookEndpointRow = typeof webhookEndpoints.$inferSelect;
export type NewWebhookEndpointRow = typeof webhookEndpoints.$inferInsert;
export type WebhookOutboxRow = typeof webhookOutbox.$inferSelect;
export type NewWebhookOutboxRow = typeof webhookOutbox.$inferInsert;
export type WebhookDeliveryRow = typeof webhookDeliveries.$inferSelect;
export type NewWebhookDeliveryRow = typeof webhookDeliveries.$inferInsert;

/** Endpoints not deleted, enabled or not. */
export function liveWebhookEndpoints(db: CulturewatchDb): WebhookEndpointRow[] {
  return db
    .select()
    .from(webhookEndpoints)
    .where(isNull(webhookEndpoints.deletedAtMs))
    .orderBy(asc(webhookEndpoints.id))
    .all();
}

export function webhookEndpointById(db: CulturewatchDb, id: number): WebhookEndpointRow | undefined {
  return db
    .select()
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.id, id), isNull(webhookEndpoints.deletedAtMs)))
    .get();
}

export function insertWebhookEndpoint(db: CulturewatchDb, row: NewWebhookEndpointRow): number {
  return db.insert(webhookEndpoints).values(row).returning({ id: webhookEndpoints.id }).get().id;
}

export function updateWebhookEndpoint(
  db: CulturewatchDb,
  id: number,
  row: Partial<NewWebhookEndpointRow>,
): void {
  db.update(webhookEndpoints).set(row).where(eq(webhookEndpoints.id, id)).run();
}

/** Marks the endpoint deleted, wipes its secret and cancels what it has not received. */
export function deleteWebhookEndpoint(db: CulturewatchDb, id: number, atMs: number): void {
  db.transaction((tx) => {
    tx.update(webhookEndpoints)
      .set({ deletedAtMs: atMs, secret: '', enabled: false })
      .where(eq(webhookEndpoints.id, id))
      .run();
    tx.update(webhookOutbox)
      .set({ state: 'cancelled' })
      .where(and(eq(webhookOutbox.endpointId, id), eq(webhookOutbox.state, 'pending')))
      .run();
  });
}

export function insertOutboxRow(db: CulturewatchDb, row: NewWebhookOutboxRow): number {
  return db.insert(webhookOutbox).values(row).returning({ id: webhookOutbox.id }).get().id;
}

/** An endpoint's oldest undelivered notification: the only one it may be sent next (an index look-up). */
export function oldestPendingOutboxRow(db: CulturewatchDb, endpointId: number): WebhookOutboxRow | undefined {
  return db
    .select()
    .from(webhookOutbox)
    .where(and(eq(webhookOutbox.endpointId, endpointId), eq(webhookOutbox.state, 'pending')))
    .orderBy(asc(webhookOutbox.id))
    .limit(1)
    .get();
}

export function outboxRowById(db: CulturewatchDb, id: number): WebhookOutboxRow | undefined {
  return db.select().from(webhookOutbox).where(eq(webhookOutbox.id, id)).get();
}

export function updateOutboxRow(db: CulturewatchDb, id: number, row: Partial<NewWebhookOutboxRow>): void {
  db.update(webhookOutbox).set(row).where(eq(webhookOutbox.id, id)).run();
}

export function insertDeliveryAttempt(db: CulturewatchDb, row: NewWebhookDeliveryRow): number {
  return db.insert(webhookDeliveries).values(row).returning({ id: webhookDeliveries.id }).get().id;
}

/** Undelivered notifications per endpoint. */
export function pendingCountsByEndpoint(db: CulturewatchDb): Map<number, number> {
  const rows = db
    .select({ endpointId: webhookOutbox.endpointId, n: sql<number>`count(*)` })
    .from(webhookOutbox)
    .where(eq(webhookOutbox.state, 'pending'))
    .groupBy(webhookOutbox.endpointId)
    .all();
  return new Map(rows.map((r) => [r.endpointId, r.n]));
}

export function pendingOutboxCount(db: CulturewatchDb): number {
  return (
    db
      .select({ n: sql<number>`count(*)` })
      .from(webhookOutbox)
      .where(eq(webhookOutbox.state, 'pending'))
      .get()?.n ?? 0
  );
}

/** An endpoint's delivery attempts, newest first, with the alarm and transition each carried. */
export function deliveryAttemptsOfEndpoint(db: CulturewatchDb, endpointId: number, limit: number) {
  return db
    .select({
      id: webhookDeliveries.id,
      outboxId: webhookDeliveries.outboxId,
      attempt: webhookDeliveries.attempt,
      startedAtMs: webhookDeliveries.startedAtMs,
      durationMs: webhookDeliveries.durationMs,
      httpStatus: webhookDeliveries.httpStatus,
      outcome: webhookDeliveries.outcome,
      error: webhookDeliveries.error,
      alarmId: alarmEvents.alarmId,
      transition: alarmEvents.kind,
    })
    .from(webhookDeliveries)
    .innerJoin(webhookOutbox, eq(webhookOutbox.id, webhookDeliveries.outboxId))
    .innerJoin(alarmEvents, eq(alarmEvents.id, webhookOutbox.alarmEventId))
    .where(eq(webhookDeliveries.endpointId, endpointId))
    .orderBy(desc(webhookDeliveries.id))
    .limit(limit)
    .all();
}
