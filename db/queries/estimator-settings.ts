/** The operator's estimator settings: one row, or none when the environment's stand. */
import { eq } from 'drizzle-orm';
import type { CulturewatchDb } from '../open-database';
import { estimatorSettings } from '../schema';

export type EstimatorSettingsRow = typeof estimatorSettings.$inferSelect;

export function estimatorSettingsRow(db: CulturewatchDb): EstimatorSettingsRow | undefined {
  return db.select().from(estimatorSettings).where(eq(estimatorSettings.id, 1)).get();
}

export function saveEstimatorSettingsRow(db: CulturewatchDb, row: Omit<EstimatorSettingsRow, 'id'>): void {
  db.insert(estimatorSettings)
    .values({ id: 1, ...row })
    .onConflictDoUpdate({ target: estimatorSettings.id, set: row })
    .run();
}
