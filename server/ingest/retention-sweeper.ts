/**
 * Deletes raw readings and rollups older than their retention. Ages count back from each reactor's
 * newest reading, not from the wall clock: a simulator's plant calendar lies years in the past, and a
 * reactor that has stopped reporting keeps its last runs instead of silently losing them.
 */
import type Database from 'better-sqlite3';
import type { Logger } from 'pino';
import { plantSignals } from '../../contract/api';
import { prepareRetentionStatements, type RetentionStatements } from '../../db/retention-statements';
import type { RetentionSettings } from '../config';
import { deleteInChunks, PeriodicSweep } from '../periodic-sweep';
import { rollupWidthsMs } from './rollups';

const dayMs = 24 * 3600_000;
/** Rows per DELETE: short enough that ingest commits slip in between. */
const deleteChunkRows = 5000;

export interface SweepResult {
  readingsDeleted: number;
  rollupsDeleted: number;
}

export class RetentionSweeper extends PeriodicSweep<SweepResult> {
  private readonly statements: RetentionStatements;

  constructor(
    sqlite: Database.Database,
    private readonly settings: RetentionSettings,
    logger: Logger,
  ) {
    super('retention', logger, settings.sweepMinutes, () => ({ readingsDeleted: 0, rollupsDeleted: 0 }));
    this.statements = prepareRetentionStatements(sqlite);
  }

  /** One pass over every reactor. */
  protected async sweepInto(result: SweepResult): Promise<void> {
    for (const { id } of this.statements.reactorIds.all()) {
      if (this.stopping) break;
      await this.sweepReactor(id, result);
    }
  }

  private async sweepReactor(reactorId: string, result: SweepResult): Promise<void> {
    const s = this.statements;
    let newestMs = Number.NEGATIVE_INFINITY;
    for (const signal of plantSignals) {
      const row = s.newestReadingMs.get(reactorId, signal);
      if (row?.newestMs != null && row.newestMs > newestMs) newestMs = row.newestMs;
    }
    if (!Number.isFinite(newestMs)) return;
    const rollupCutoffs: [number, number][] = [
      [rollupWidthsMs.oneMinute, newestMs - this.settings.rollup1MinDays * dayMs],
      [rollupWidthsMs.fifteenMinutes, newestMs - this.settings.rollup15MinDays * dayMs],
    ];
    for (const signal of plantSignals) {
      const rawCutoff = newestMs - this.settings.rawDays * dayMs;
      result.readingsDeleted += await deleteInChunks(
        () => s.deleteReadingsBefore.run(reactorId, signal, rawCutoff, deleteChunkRows),
        deleteChunkRows,
      );
      for (const [width, cutoff] of rollupCutoffs) {
        result.rollupsDeleted += await deleteInChunks(
          () => s.deleteRollupsBefore.run(reactorId, signal, width, cutoff, deleteChunkRows),
          deleteChunkRows,
        );
      }
    }
  }
}
