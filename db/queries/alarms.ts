/** Alarms and their history (server/alerts/ decides when they change; this only reads and writes rows). */
import { and, desc, eq, gte, lte, or, sql } from 'drizzle-orm';
import type { CulturewatchDb } from '../open-database';
import { alarmEvents, alarms } from '../schema';

export type AlarmRow = typeof alarms.$inferSelect;
export type NewAlarmRow = typeof alarms.$inferInsert;
export type AlarmEventRow = typeof alarmEvents.$inferSelect;
export type NewAlarmEventRow = typeof alarmEvents.$inferInsert;

export function activeAlarms(db: CulturewatchDb): AlarmRow[] {
  return db.select().from(alarms).where(eq(alarms.active, true)).all();
}

export function alarmById(db: CulturewatchDb, id: number): AlarmRow | undefined {
  return db.select().from(alarms).where(eq(alarms.id, id)).get();
}

export function alarmOfReactorRule(
  db: CulturewatchDb,
  reactorId: string,
  ruleId: string,
): AlarmRow | undefined {
  return db
    .select()
    .from(alarms)
    .where(and(eq(alarms.reactorId, reactorId), eq(alarms.ruleId, ruleId)))
    .get();
}

export function insertAlarm(db: CulturewatchDb, row: NewAlarmRow): number {
  return db.insert(alarms).values(row).returning({ id: alarms.id }).get().id;
}

export function updateAlarm(db: CulturewatchDb, id: number, row: Partial<NewAlarmRow>): void {
  db.update(alarms).set(row).where(eq(alarms.id, id)).run();
}

export function insertAlarmEvent(db: CulturewatchDb, row: NewAlarmEventRow): number {
  return db.insert(alarmEvents).values(row).returning({ id: alarmEvents.id }).get().id;
}

/**
 * Alarms to list, newest fired first: with `openOnly`, the active ones and the cleared ones nobody
 * has acknowledged yet (what an operator still has to look at).
 */
export function alarmsToList(
  db: CulturewatchDb,
  options: { reactorId?: string; openOnly: boolean; limit: number },
): AlarmRow[] {
  const conditions = [];
  if (options.reactorId !== undefined) conditions.push(eq(alarms.reactorId, options.reactorId));
  if (options.openOnly) conditions.push(or(eq(alarms.active, true), eq(alarms.acknowledged, false)));
  return db
    .select()
    .from(alarms)
    .where(and(...conditions))
    .orderBy(desc(alarms.firedAtMs), desc(alarms.id))
    .limit(options.limit)
    .all();
}

/** The history: alarm changes with wall-clock time in [fromMs, toMs], newest first. */
export function alarmEventsInRange(
  db: CulturewatchDb,
  options: { reactorId?: string; alarmId?: number; fromMs?: number; toMs?: number; limit: number },
): AlarmEventRow[] {
  const conditions = [];
  if (options.reactorId !== undefined) conditions.push(eq(alarmEvents.reactorId, options.reactorId));
  if (options.alarmId !== undefined) conditions.push(eq(alarmEvents.alarmId, options.alarmId));
  if (options.fromMs !== undefined) conditions.push(gte(alarmEvents.atMs, options.fromMs));
  if (options.toMs !== undefined) conditions.push(lte(alarmEvents.atMs, options.toMs));
  return db
    .select()
    .from(alarmEvents)
    .where(and(...conditions))
    .orderBy(desc(alarmEvents.id))
    .limit(options.limit)
    .all();
}

export function alarmEventById(db: CulturewatchDb, id: number): AlarmEventRow | undefined {
  return db.select().from(alarmEvents).where(eq(alarmEvents.id, id)).get();
}

/** Each reactor's active alarms, for its summary (most severe first is the caller's to pick). */
export function activeAlarmsByReactor(db: CulturewatchDb): Map<string, AlarmRow[]> {
  const byReactor = new Map<string, AlarmRow[]>();
  for (const row of activeAlarms(db)) {
    const list = byReactor.get(row.reactorId) ?? [];
    list.push(row);
    byReactor.set(row.reactorId, list);
  }
  return byReactor;
}

export function alarmEventCount(db: CulturewatchDb): number {
  return db.select({ n: sql<number>`count(*)` }).from(alarmEvents).get()?.n ?? 0;
}
