/**
 * One stored fit read back from PostgreSQL in the row shapes of SQLite's reads
 * (../service-read-statements.ts: camelCase names, booleans as 0/1), so that
 * server/api/fit-records.ts makes the same `FitRecord` JSON from either engine. Every column is read
 * (`*`), so a column added to the schema reaches the record without a change here.
 */
import type pg from 'pg';
import type {
  FitCombinationRow,
  FitCompositionRow,
  FitDocumentRow,
  FitParameterRow,
  FitRow,
} from '../service-read-statements';
import { sqliteShaped } from './sqlite-shaped';

export interface PgStoredFit {
  row: FitRow;
  parameters: FitParameterRow[];
  combinations: FitCombinationRow[];
  composition: FitCompositionRow[];
  documents: FitDocumentRow | undefined;
}

export async function storedFit(
  client: pg.ClientBase | pg.Pool,
  fitId: number,
): Promise<PgStoredFit | undefined> {
  const rows = async <T>(text: string) =>
    (await client.query(text, [fitId])).rows.map((r) => sqliteShaped<T>(r as Record<string, unknown>));
  const [row] = await rows<FitRow>(
    'SELECT fits.*, (SELECT name FROM models WHERE models.version = fits.model_version) AS model_name FROM fits WHERE id = $1',
  );
  if (!row) return undefined;
  const parameters = await rows<FitParameterRow>('SELECT * FROM fit_parameters WHERE fit_id = $1');
  const combinations = await rows<FitCombinationRow>(
    'SELECT * FROM fit_combinations WHERE fit_id = $1 ORDER BY rank',
  );
  const composition = await rows<FitCompositionRow>('SELECT * FROM fit_composition WHERE fit_id = $1');
  // Not the window file: the record does not carry it, and it is the largest part.
  const [documents] = await rows<FitDocumentRow>(
    'SELECT fit_id, trajectory_json, forecast_json, residuals_json FROM fit_documents WHERE fit_id = $1',
  );
  return { row, parameters, combinations, composition, documents };
}
