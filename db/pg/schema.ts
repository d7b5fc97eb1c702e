/**
 * What drizzle-kit generates the PostgreSQL migrations from (../../drizzle.pg.config.ts): every
 * table of tables.ts but `readings`, which migration 0001 creates partitioned by time. After a change
 * to ../schema.ts, run `npx drizzle-kit generate --config drizzle.pg.config.ts` beside the SQLite
 * generate; tests/scale/pg-store.test.ts fails while a table or column differs between the two.
 */
import { pgTables } from './tables';

export { loginFailures, reactorClocks, readingArrivals, socketIoAttachments } from './tables';

export const {
  reactors,
  readingRollups,
  rejectedMessages,
  rejectionCounts,
  fits,
  fitParameters,
  fitCombinations,
  fitComposition,
  fitDocuments,
  assimilatorChains,
  models,
  reactorModels,
  dilutionPrograms,
  assayEntries,
  refinements,
  deviceAccounts,
  deviceActivity,
  estimatorSettings,
  alertRules,
  alarms,
  alarmEvents,
  webhookEndpoints,
  webhookOutbox,
  webhookDeliveries,
  users,
  sessions,
  apiTokens,
} = pgTables;
