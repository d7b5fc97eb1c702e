import { desc } from 'drizzle-orm';
import type { CulturewatchDb } from '../open-database';
import { rejectedMessages, rejectionCounts } from '../schema';

/** How many messages have ever been rejected, per reason. */
export function rejectionCountsByReason(db: CulturewatchDb): Record<string, number> {
  const rows = db
    .select({ reason: rejectionCounts.reason, count: rejectionCounts.count })
    .from(rejectionCounts)
    .all();
  return Object.fromEntries(rows.map((r) => [r.reason, r.count]));
}

/** The most recent rejected messages, newest first (the table keeps a bounded number). */
export function recentRejections(db: CulturewatchDb, limit: number) {
  return db.select().from(rejectedMessages).orderBy(desc(rejectedMessages.id)).limit(limit).all();
}
