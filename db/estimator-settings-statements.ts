/** The operator's estimator settings, as raw prepared statements: one row, or none when the environment's stand. */
import type Database from 'better-sqlite3';
import type { estimatorSettings } from './schema';

export type EstimatorSettingsRow = Omit<typeof estimatorSettings.$inferSelect, 'id'>;

export function prepareEstimatorSettingsStatements(sqlite: Database.Database) {
  const row = sqlite.prepare<[], EstimatorSettingsRow>(
    `SELECT settings_json AS settingsJson, updated_at_ms AS updatedAtMs, updated_by AS updatedBy
     FROM estimator_settings WHERE id = 1`,
  );
  const save = sqlite.prepare<[EstimatorSettingsRow]>(
    `INSERT INTO estimator_settings (id, settings_json, updated_at_ms, updated_by)
     VALUES (1, @settingsJson, @updatedAtMs, @updatedBy)
     ON CONFLICT (id) DO UPDATE SET settings_json = excluded.settings_json,
       updated_at_ms = excluded.updated_at_ms, updated_by = excluded.updated_by`,
  );
  return {
    estimatorSettingsRow: (): EstimatorSettingsRow | undefined => row.get(),
    saveEstimatorSettingsRow: (settings: EstimatorSettingsRow): void => void save.run(settings),
  };
}

export type EstimatorSettingsStatements = ReturnType<typeof prepareEstimatorSettingsStatements>;
