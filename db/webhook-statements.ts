/**
 * Webhook endpoints, the outbox of notifications and the log of delivery attempts, as raw prepared
 * statements. Order per endpoint is the outbox id; server/webhooks/ decides when to send and retry.
 * Rows come back in the shapes of db/schema.ts (booleans as booleans).
 */
import type Database from 'better-sqlite3';
import type { WebhookDeliveryView } from '../contract/api';
import type { webhookDeliveries, webhookEndpoints, webhookOutbox } from './schema';

export type WebhookEndpointRow = typeof webhookEndpoints.$inferSelect;
export type NewWebhookEndpointRow = Omit<WebhookEndpointRow, 'id' | 'deletedAtMs'>;
export type WebhookOutboxRow = typeof webhookOutbox.$inferSelect;
export type NewWebhookOutboxRow = Omit<WebhookOutboxRow, 'id' | 'lastError' | 'deliveredAtMs'>;
export type WebhookDeliveryRow = typeof webhookDeliveries.$inferSelect;
export type NewWebhookDeliveryRow = Omit<WebhookDeliveryRow, 'id'>;

/** What an operator may change of an endpoint; absent fields stay. */
export type WebhookEndpointChange = Partial<
  Pick<WebhookEndpointRow, 'name' | 'url' | 'secret' | 'severitiesJson' | 'enabled'>
> & { updatedAtMs: number };

type StoredEndpoint = Omit<WebhookEndpointRow, 'enabled'> & { enabled: number };

const endpointColumns = `id, name, url, secret, severities_json AS severitiesJson, enabled,
  created_at_ms AS createdAtMs, updated_at_ms AS updatedAtMs, deleted_at_ms AS deletedAtMs`;
const outboxColumns = `id, endpoint_id AS endpointId, alarm_event_id AS alarmEventId,
  idempotency_key AS idempotencyKey, body_json AS bodyJson, created_at_ms AS createdAtMs, state,
  attempts, next_attempt_at_ms AS nextAttemptAtMs, last_error AS lastError,
  delivered_at_ms AS deliveredAtMs`;

const endpointRow = (row: StoredEndpoint): WebhookEndpointRow => ({ ...row, enabled: row.enabled === 1 });

export function prepareWebhookStatements(sqlite: Database.Database) {
  const s = {
    liveEndpoints: sqlite.prepare<[], StoredEndpoint>(
      `SELECT ${endpointColumns} FROM webhook_endpoints WHERE deleted_at_ms IS NULL ORDER BY id`,
    ),
    endpoint: sqlite.prepare<[number], StoredEndpoint>(
      `SELECT ${endpointColumns} FROM webhook_endpoints WHERE id = ? AND deleted_at_ms IS NULL`,
    ),
    insertEndpoint: sqlite.prepare<[Omit<NewWebhookEndpointRow, 'enabled'> & { enabled: number }]>(
      `INSERT INTO webhook_endpoints (name, url, secret, severities_json, enabled, created_at_ms, updated_at_ms)
       VALUES (@name, @url, @secret, @severitiesJson, @enabled, @createdAtMs, @updatedAtMs)`,
    ),
    /** Null fields stay as they are (every column here is NOT NULL). */
    changeEndpoint: sqlite.prepare<
      [
        {
          id: number;
          name: string | null;
          url: string | null;
          secret: string | null;
          severitiesJson: string | null;
          enabled: number | null;
          updatedAtMs: number;
        },
      ]
    >(
      `UPDATE webhook_endpoints SET name = coalesce(@name, name), url = coalesce(@url, url),
         secret = coalesce(@secret, secret), severities_json = coalesce(@severitiesJson, severities_json),
         enabled = coalesce(@enabled, enabled), updated_at_ms = @updatedAtMs
       WHERE id = @id`,
    ),
    /** (deletedAtMs, id): the secret is wiped; the row stays for its delivery log. */
    markEndpointDeleted: sqlite.prepare<[number, number]>(
      `UPDATE webhook_endpoints SET deleted_at_ms = ?, secret = '', enabled = 0 WHERE id = ?`,
    ),
    cancelPendingOf: sqlite.prepare<[number]>(
      `UPDATE webhook_outbox SET state = 'cancelled' WHERE endpoint_id = ? AND state = 'pending'`,
    ),
    insertOutbox: sqlite.prepare<[NewWebhookOutboxRow]>(
      `INSERT INTO webhook_outbox (endpoint_id, alarm_event_id, idempotency_key, body_json, created_at_ms,
         state, attempts, next_attempt_at_ms)
       VALUES (@endpointId, @alarmEventId, @idempotencyKey, @bodyJson, @createdAtMs, @state, @attempts,
         @nextAttemptAtMs)`,
    ),
    oldestPending: sqlite.prepare<[number], WebhookOutboxRow>(
      `SELECT ${outboxColumns} FROM webhook_outbox WHERE endpoint_id = ? AND state = 'pending'
       ORDER BY id LIMIT 1`,
    ),
    outboxRow: sqlite.prepare<[number], WebhookOutboxRow>(
      `SELECT ${outboxColumns} FROM webhook_outbox WHERE id = ?`,
    ),
    /** (attempts, deliveredAtMs, id) */
    markDelivered: sqlite.prepare<[number, number, number]>(
      `UPDATE webhook_outbox SET state = 'delivered', attempts = ?, delivered_at_ms = ?, last_error = NULL
       WHERE id = ?`,
    ),
    /** (attempts, nextAttemptAtMs, lastError, id) */
    scheduleRetry: sqlite.prepare<[number, number, string | null, number]>(
      'UPDATE webhook_outbox SET attempts = ?, next_attempt_at_ms = ?, last_error = ? WHERE id = ?',
    ),
    insertDelivery: sqlite.prepare<[NewWebhookDeliveryRow]>(
      `INSERT INTO webhook_deliveries (outbox_id, endpoint_id, attempt, started_at_ms, duration_ms,
         http_status, outcome, error)
       VALUES (@outboxId, @endpointId, @attempt, @startedAtMs, @durationMs, @httpStatus, @outcome, @error)`,
    ),
    pendingCounts: sqlite.prepare<[], { endpointId: number; n: number }>(
      `SELECT endpoint_id AS endpointId, count(*) AS n FROM webhook_outbox WHERE state = 'pending'
       GROUP BY endpoint_id`,
    ),
    pendingCount: sqlite.prepare<[], { n: number }>(
      `SELECT count(*) AS n FROM webhook_outbox WHERE state = 'pending'`,
    ),
    /** (endpointId, limit): newest first, with the alarm and transition each carried. */
    deliveries: sqlite.prepare<[number, number], WebhookDeliveryView>(
      `SELECT d.id, d.outbox_id AS outboxId, d.attempt, d.started_at_ms AS startedAtMs,
         d.duration_ms AS durationMs, d.http_status AS httpStatus, d.outcome, d.error,
         e.alarm_id AS alarmId, e.kind AS transition
       FROM webhook_deliveries d
       JOIN webhook_outbox o ON o.id = d.outbox_id
       JOIN alarm_events e ON e.id = o.alarm_event_id
       WHERE d.endpoint_id = ? ORDER BY d.id DESC LIMIT ?`,
    ),
  };

  return {
    /** Endpoints not deleted, enabled or not. */
    liveWebhookEndpoints: (): WebhookEndpointRow[] => s.liveEndpoints.all().map(endpointRow),
    webhookEndpointById: (id: number): WebhookEndpointRow | undefined => {
      const row = s.endpoint.get(id);
      return row && endpointRow(row);
    },
    insertWebhookEndpoint: (row: NewWebhookEndpointRow): number =>
      Number(s.insertEndpoint.run({ ...row, enabled: row.enabled ? 1 : 0 }).lastInsertRowid),
    changeWebhookEndpoint: (id: number, change: WebhookEndpointChange): void =>
      void s.changeEndpoint.run({
        id,
        name: change.name ?? null,
        url: change.url ?? null,
        secret: change.secret ?? null,
        severitiesJson: change.severitiesJson ?? null,
        enabled: change.enabled === undefined ? null : change.enabled ? 1 : 0,
        updatedAtMs: change.updatedAtMs,
      }),
    /** Marks the endpoint deleted, wipes its secret and cancels what it has not received. */
    deleteWebhookEndpoint: (id: number, atMs: number): void =>
      sqlite.transaction(() => {
        s.markEndpointDeleted.run(atMs, id);
        s.cancelPendingOf.run(id);
      })(),
    insertOutboxRow: (row: NewWebhookOutboxRow): number => Number(s.insertOutbox.run(row).lastInsertRowid),
    /** An endpoint's oldest undelivered notification: the only one it may be sent next (an index look-up). */
    oldestPendingOutboxRow: (endpointId: number): WebhookOutboxRow | undefined =>
      s.oldestPending.get(endpointId),
    outboxRowById: (id: number): WebhookOutboxRow | undefined => s.outboxRow.get(id),
    markDelivered: (id: number, attempts: number, deliveredAtMs: number): void =>
      void s.markDelivered.run(attempts, deliveredAtMs, id),
    scheduleRetry: (id: number, attempts: number, nextAttemptAtMs: number, lastError: string | null): void =>
      void s.scheduleRetry.run(attempts, nextAttemptAtMs, lastError, id),
    insertDeliveryAttempt: (row: NewWebhookDeliveryRow): number =>
      Number(s.insertDelivery.run(row).lastInsertRowid),
    /** Undelivered notifications per endpoint. */
    pendingCountsByEndpoint: (): Map<number, number> =>
      new Map(s.pendingCounts.all().map((r) => [r.endpointId, r.n])),
    pendingOutboxCount: (): number => s.pendingCount.get()?.n ?? 0,
    deliveryAttemptsOfEndpoint: (endpointId: number, limit: number): WebhookDeliveryView[] =>
      s.deliveries.all(endpointId, limit),
  };
}

export type WebhookStatements = ReturnType<typeof prepareWebhookStatements>;
