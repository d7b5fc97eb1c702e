/**
 * Retention on PostgreSQL as it does it natively: raw readings go a week partition at a time
 * (DROP TABLE of the partition, no row deletes, no bloat), rollups by one DELETE per width. Ages
 * count back from the newest reading, as on SQLite (retention-sweeper.ts), but across all reactors at
 * once, since a partition holds every reactor's week: from the oldest of the reactors' newest online
 * readings. So nothing the per-reactor rule would keep is dropped, and a reactor that stopped
 * reporting keeps the others' weeks too (more kept than on SQLite, never less). Every ingester runs it;
 * dropping is idempotent.
 */
import type pg from 'pg';
import type { Logger } from 'pino';
import {
  deleteRollupsBefore,
  dropReadingPartitionsBefore,
  oldestNewestOnlineMs,
} from '../../db/pg/ingest-store';
import type { RetentionSettings } from '../config';
import { PeriodicSweep } from '../periodic-sweep';
import { rollupWidthsMs } from './rollups';

const dayMs = 24 * 3600_000;

export interface PartitionSweepResult {
  partitionsDropped: number;
  rollupsDeleted: number;
}

export class ReadingPartitionRetention extends PeriodicSweep<PartitionSweepResult> {
  constructor(
    private readonly pool: pg.Pool,
    private readonly settings: RetentionSettings,
    logger: Logger,
  ) {
    super('retention', logger, settings.sweepMinutes, () => ({ partitionsDropped: 0, rollupsDeleted: 0 }));
  }

  protected async sweepInto(result: PartitionSweepResult): Promise<void> {
    const newestMs = await oldestNewestOnlineMs(this.pool);
    if (newestMs === null) return;
    const dropped = await dropReadingPartitionsBefore(this.pool, newestMs - this.settings.rawDays * dayMs);
    result.partitionsDropped += dropped.length;
    if (dropped.length > 0) this.log.info({ dropped }, 'reading partitions past retention dropped');
    if (this.stopping) return;
    result.rollupsDeleted += await deleteRollupsBefore(
      this.pool,
      rollupWidthsMs.oneMinute,
      newestMs - this.settings.rollup1MinDays * dayMs,
    );
    result.rollupsDeleted += await deleteRollupsBefore(
      this.pool,
      rollupWidthsMs.fifteenMinutes,
      newestMs - this.settings.rollup15MinDays * dayMs,
    );
  }
}
