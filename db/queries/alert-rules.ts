/** Stored alert rules (validated by server/alerts/alert-rules.ts before they get here). */
import { asc, eq } from 'drizzle-orm';
import type { CulturewatchDb } from '../open-database';
import { alertRules } from '../schema';

export type AlertRuleRow = typeof alertRules.$inferSelect;

export function allAlertRuleRows(db: CulturewatchDb): AlertRuleRow[] {
  return db.select().from(alertRules).orderBy(asc(alertRules.id)).all();
}

export function alertRuleRow(db: CulturewatchDb, id: string): AlertRuleRow | undefined {
  return db.select().from(alertRules).where(eq(alertRules.id, id)).get();
}

export function upsertAlertRuleRow(db: CulturewatchDb, row: AlertRuleRow): void {
  db.insert(alertRules)
    .values(row)
    .onConflictDoUpdate({
      target: alertRules.id,
      set: {
        kind: row.kind,
        definitionJson: row.definitionJson,
        source: row.source,
        updatedAtMs: row.updatedAtMs,
        updatedBy: row.updatedBy,
      },
    })
    .run();
}

export function deleteAlertRuleRow(db: CulturewatchDb, id: string): boolean {
  return db.delete(alertRules).where(eq(alertRules.id, id)).run().changes > 0;
}
