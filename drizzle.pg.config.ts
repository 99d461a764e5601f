import { defineConfig } from 'drizzle-kit';

// The PostgreSQL engine's migrations (scale-out mode); the SQLite ones are drizzle.config.ts's.
export default defineConfig({
  dialect: 'postgresql',
  schema: './runtime/store/pg/schema.ts',
  out: './runtime/store/pg/migrations',
});
