import { asc } from 'drizzle-orm';
import type { CulturewatchDb } from '../open-database';
import { reactors } from '../schema';

/** Every reactor that has ever sent a reading, with when it first did. */
export function knownReactors(db: CulturewatchDb): { id: string; firstSeenAtMs: number }[] {
  return db.select().from(reactors).orderBy(asc(reactors.id)).all();
}
