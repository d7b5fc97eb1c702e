/**
 * Retention of fits, the webhook log and the alarm history: a fit's documents go after
 * RETENTION_FIT_DOCUMENTS_DAYS and the fit itself after RETENTION_FITS_DAYS, both counted back from
 * the reactor's newest fit (a simulator's calendar is years behind the wall clock); finished
 * notifications go by wall clock; pending ones always stay, and so do the alarm events they refer to.
 */
import { afterEach, expect, it } from 'vitest';
import { type OpenDatabase, openDatabase } from '../../db/open-database';
import { RecordRetention } from '../../server/service/record-retention';
import { silentLogger } from '../fixtures/ingest-harness';

const day = 86_400_000;
const plantT0 = Date.UTC(2016, 0, 1);
const wallNow = Date.UTC(2026, 10, 28);
let database: OpenDatabase | undefined;

afterEach(() => {
  database?.close();
  database = undefined;
});

function addFit(database: OpenDatabase, reactorId: string, windowEndMs: number): number {
  const { sqlite } = database;
  const id = Number(
    sqlite
      .prepare(
        `INSERT INTO fits (reactor_id, window_start_ms, window_end_ms, window_start_h, window_end_h, fitted_at_ms,
           status, refit, cold_start, loss, iterations, duration_ms)
         VALUES (?, ?, ?, ?, ?, ?, 'ok', 0, 0, 1, 3, 10)`,
      )
      .run(
        reactorId,
        windowEndMs - 12 * 3.6e6,
        windowEndMs,
        windowEndMs / 3.6e6 - 12,
        windowEndMs / 3.6e6,
        wallNow,
      ).lastInsertRowid,
  );
  sqlite.prepare("INSERT INTO fit_parameters (fit_id, name, value, free) VALUES (?, 'gB', 3, 1)").run(id);
  sqlite.prepare("INSERT INTO fit_documents (fit_id, trajectory_json) VALUES (?, '{}')").run(id);
  return id;
}

it('keeps parameter history longer than fit documents, and pending notifications always', async () => {
  database = openDatabase(':memory:');
  const { sqlite } = database;
  sqlite.prepare('INSERT INTO reactors (id, first_seen_at_ms) VALUES (?, 0), (?, 0)').run('live', 'ended');
  // "live": a fit a day for 100 days; "ended": 10 fits long ago, which stay as its last run.
  const liveFits = Array.from({ length: 100 }, (_, d) => addFit(database!, 'live', plantT0 + d * day));
  for (let d = 0; d < 10; d++) addFit(database, 'ended', plantT0 + d * day);

  sqlite
    .prepare(
      `INSERT INTO webhook_endpoints (id, name, url, secret, severities_json, enabled, created_at_ms, updated_at_ms)
       VALUES (1, 'hook', 'http://127.0.0.1:9/', 'secret-secret-secret', '["major"]', 1, 0, 0)`,
    )
    .run();
  sqlite
    .prepare(
      `INSERT INTO alarms (id, reactor_id, rule_id, rule_name, rule_kind, severity, active, acknowledged,
         fired_at_ms, summary, values_json, fire_count, updated_at_ms)
       VALUES (1, 'live', 'r', 'r', 'reading-range', 'major', 1, 0, 0, 's', '{}', 1, 0)`,
    )
    .run();
  const event = (id: number, atMs: number) =>
    sqlite
      .prepare(
        `INSERT INTO alarm_events (id, alarm_id, reactor_id, rule_id, kind, actor, at_ms, severity, summary,
           values_json, active, acknowledged)
         VALUES (?, 1, 'live', 'r', 'fired', 'system', ?, 'major', 's', '{}', 1, 0)`,
      )
      .run(id, atMs);
  const notification = (id: number, state: string, createdAtMs: number) => {
    event(id, createdAtMs);
    sqlite
      .prepare(
        `INSERT INTO webhook_outbox (id, endpoint_id, alarm_event_id, idempotency_key, body_json, created_at_ms,
           state, attempts, next_attempt_at_ms)
         VALUES (?, 1, ?, ?, '{}', ?, ?, 1, 0)`,
      )
      .run(id, id, `key-${id}`, createdAtMs, state);
    sqlite
      .prepare(
        `INSERT INTO webhook_deliveries (outbox_id, endpoint_id, attempt, started_at_ms, duration_ms, outcome)
         VALUES (?, 1, 1, ?, 5, 'delivered')`,
      )
      .run(id, createdAtMs);
  };
  notification(1, 'delivered', wallNow - 200 * day);
  notification(2, 'pending', wallNow - 200 * day);
  notification(3, 'cancelled', wallNow - 120 * day);
  notification(4, 'delivered', wallNow - 10 * day);
  // Alarm events no notification went out for.
  event(5, wallNow - 150 * day);
  event(6, wallNow - 50 * day);

  const retention = new RecordRetention(
    sqlite,
    { fitDocumentsDays: 30, fitsDays: 60, webhookLogDays: 90, alarmEventsDays: 100, sweepMinutes: 60 },
    silentLogger,
    () => wallNow,
  );
  const result = await retention.sweepOnce();

  const ids = (sql: string, ...args: unknown[]) =>
    sqlite
      .prepare(sql)
      .all(...args)
      .map((r) => (r as { id: number }).id);
  // Newest live fit ends on day 99: documents from day 69 on stay, fits from day 39 on.
  const liveWithDocuments = ids(
    `SELECT f.id FROM fits f JOIN fit_documents d ON d.fit_id = f.id WHERE f.reactor_id = 'live' ORDER BY f.id`,
  );
  expect(liveWithDocuments).toEqual(liveFits.slice(69));
  expect(ids(`SELECT id FROM fits WHERE reactor_id = 'live' ORDER BY id`)).toEqual(liveFits.slice(39));
  // Their parameters went with them (cascade), and stay for those kept.
  expect(sqlite.prepare('SELECT count(*) AS n FROM fit_parameters').get()).toEqual({ n: 61 + 10 });
  expect(ids(`SELECT id FROM fits WHERE reactor_id = 'ended'`)).toHaveLength(10);
  expect(ids('SELECT id FROM webhook_outbox ORDER BY id')).toEqual([2, 4]);
  expect(sqlite.prepare('SELECT outbox_id AS id FROM webhook_deliveries ORDER BY outbox_id').all()).toEqual([
    { id: 2 },
    { id: 4 },
  ]);
  // Events older than 100 days go (1 and 3 once their notifications went, and 5); the pending
  // notification's event stays however old, and the alarm itself stays.
  expect(ids('SELECT id FROM alarm_events ORDER BY id')).toEqual([2, 4, 6]);
  expect(ids('SELECT id FROM alarms')).toEqual([1]);
  expect(result).toEqual({
    fitDocumentsDeleted: 69,
    fitsDeleted: 39,
    notificationsDeleted: 2,
    alarmEventsDeleted: 3,
  });

  // A second sweep finds nothing more.
  expect(await retention.sweepOnce()).toEqual({
    fitDocumentsDeleted: 0,
    fitsDeleted: 0,
    notificationsDeleted: 0,
    alarmEventsDeleted: 0,
  });
});
