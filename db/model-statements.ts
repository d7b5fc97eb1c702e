/** Model files and the model each reactor runs, as raw prepared statements. */
import type Database from 'better-sqlite3';
import type { models, reactorModels } from './schema';

export type ModelRow = typeof models.$inferSelect;
export type ReactorModelRow = typeof reactorModels.$inferSelect;

export function prepareModelStatements(sqlite: Database.Database) {
  const insert = sqlite.prepare<[ModelRow]>(
    `INSERT INTO models (version, name, file_text, weights_text, added_at_ms)
     VALUES (@version, @name, @fileText, @weightsText, @addedAtMs) ON CONFLICT (version) DO NOTHING`,
  );
  const byVersion = sqlite.prepare<[string], ModelRow>(
    `SELECT version, name, file_text AS fileText, weights_text AS weightsText, added_at_ms AS addedAtMs
     FROM models WHERE version = ?`,
  );
  const ofReactor = sqlite.prepare<[string], ReactorModelRow>(
    `SELECT reactor_id AS reactorId, model_version AS modelVersion, set_at_ms AS setAtMs, set_by AS setBy
     FROM reactor_models WHERE reactor_id = ?`,
  );
  const setOfReactor = sqlite.prepare<[ReactorModelRow]>(
    `INSERT INTO reactor_models (reactor_id, model_version, set_at_ms, set_by)
     VALUES (@reactorId, @modelVersion, @setAtMs, @setBy)
     ON CONFLICT (reactor_id) DO UPDATE SET model_version = excluded.model_version,
       set_at_ms = excluded.set_at_ms, set_by = excluded.set_by`,
  );
  const labelOldFits = sqlite.prepare<[string]>(
    'UPDATE fits SET model_version = ? WHERE model_version IS NULL',
  );
  const setModel = sqlite.transaction((model: ModelRow, choice: ReactorModelRow) => {
    insert.run(model);
    setOfReactor.run(choice);
  });
  return {
    /** Stores a model file with its weights, if any (a version already stored stays as it was). */
    addModel: (model: ModelRow): void => void insert.run(model),
    model: (version: string): ModelRow | undefined => byVersion.get(version),
    reactorModel: (reactorId: string): ReactorModelRow | undefined => ofReactor.get(reactorId),
    /** The model file stored and chosen for the reactor, in one transaction. */
    setReactorModel: (model: ModelRow, choice: ReactorModelRow): void => setModel(model, choice),
    /** Fits stored before models were recorded came from the built-in model: say so. */
    labelUnlabelledFits: (builtInVersion: string): number => labelOldFits.run(builtInVersion).changes,
  };
}

export type ModelStatements = ReturnType<typeof prepareModelStatements>;
