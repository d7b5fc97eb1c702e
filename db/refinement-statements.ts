/** Structure refinements' rows (server/refinement/), as raw prepared statements. */
import type Database from 'better-sqlite3';
import type { refinements } from './schema';

export type RefinementRow = typeof refinements.$inferSelect;

const columns = `id, reactor_id AS reactorId, status, requested_at_ms AS requestedAtMs, requested_by AS requestedBy,
  finished_at_ms AS finishedAtMs, source, model_name AS modelName, model_version AS modelVersion,
  model_file_text AS modelFileText, settings_json AS settingsJson, progress_json AS progressJson, error,
  result_json AS resultJson`;

export function prepareRefinementStatements(sqlite: Database.Database) {
  const insert = sqlite.prepare<
    Omit<RefinementRow, 'id' | 'status' | 'finishedAtMs' | 'error' | 'resultJson'>
  >(
    `INSERT INTO refinements (reactor_id, status, requested_at_ms, requested_by, source, model_name, model_version,
       model_file_text, settings_json, progress_json)
     VALUES (@reactorId, 'running', @requestedAtMs, @requestedBy, @source, @modelName, @modelVersion,
       @modelFileText, @settingsJson, @progressJson)`,
  );
  const running = sqlite.prepare<[string], RefinementRow>(
    `SELECT ${columns} FROM refinements WHERE reactor_id = ? AND status = 'running'`,
  );
  const progress = sqlite.prepare<[string, number]>(
    `UPDATE refinements SET progress_json = ? WHERE id = ? AND status = 'running'`,
  );
  const finish = sqlite.prepare<{
    id: number;
    status: RefinementRow['status'];
    finishedAtMs: number;
    error: string | null;
    resultJson: string | null;
  }>(
    `UPDATE refinements SET status = @status, finished_at_ms = @finishedAtMs, error = @error, result_json = @resultJson
     WHERE id = @id AND status = 'running'`,
  );
  const interruptAll = sqlite.prepare<[number, string]>(
    `UPDATE refinements SET status = 'interrupted', finished_at_ms = ?, error = ? WHERE status = 'running'`,
  );
  const ofReactor = sqlite.prepare<[string, number], RefinementRow>(
    `SELECT ${columns} FROM refinements WHERE reactor_id = ? ORDER BY requested_at_ms DESC, id DESC LIMIT ?`,
  );
  const byId = sqlite.prepare<[number, string], RefinementRow>(
    `SELECT ${columns} FROM refinements WHERE id = ? AND reactor_id = ?`,
  );
  return {
    /** A new running refinement; throws a SQLITE_CONSTRAINT_UNIQUE error when one runs for the reactor. */
    insertRunning: (row: Parameters<typeof insert.run>[0]): number => Number(insert.run(row).lastInsertRowid),
    running: (reactorId: string): RefinementRow | undefined => running.get(reactorId),
    setProgress: (id: number, progressJson: string): void => void progress.run(progressJson, id),
    finish: (row: Parameters<typeof finish.run>[0]): boolean => finish.run(row).changes === 1,
    /** Every running refinement marked interrupted, with why: none survives its process. */
    interruptRunning: (nowMs: number, why: string): number => interruptAll.run(nowMs, why).changes,
    ofReactor: (reactorId: string, limit: number): RefinementRow[] => ofReactor.all(reactorId, limit),
    byId: (id: number, reactorId: string): RefinementRow | undefined => byId.get(id, reactorId),
  };
}

export type RefinementStatements = ReturnType<typeof prepareRefinementStatements>;
