import { defineConfig } from 'drizzle-kit';

/** The PostgreSQL store's migrations, generated from the same schema (db/pg/schema.ts, made from db/schema.ts). */
export default defineConfig({
  dialect: 'postgresql',
  schema: './db/pg/schema.ts',
  out: './db/pg/migrations',
});
