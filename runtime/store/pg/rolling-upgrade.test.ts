import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { knownMigrations } from '../schema-version.js';
import { pgMigrationsFolder } from './migrate.js';
import { rollingVerdict } from './rolling-upgrade.js';

const BREAK = '\n--> statement-breakpoint\n';

describe('rollingVerdict: can older processes keep running while a migration is applied?', () => {
  it('new tables, indexes, foreign keys of new tables, and nullable or defaulted columns are additive', () => {
    const sql = [
      'CREATE TABLE "silences" (\n\t"id" text PRIMARY KEY NOT NULL,\n\t"flow_id" text NOT NULL\n);',
      'ALTER TABLE "silences" ADD CONSTRAINT "silences_flow_fk" FOREIGN KEY ("flow_id") REFERENCES "public"."flows"("id") ON DELETE cascade;',
      'CREATE UNIQUE INDEX "silences_flow_idx" ON "silences" USING btree ("flow_id");',
      'CREATE INDEX "executions_new_idx" ON "executions" USING btree ("created_at");',
      'ALTER TABLE "executions" ADD COLUMN "note" text;',
      'ALTER TABLE "executions" ADD COLUMN "tries" integer DEFAULT 0 NOT NULL;',
    ].join(BREAK);
    expect(rollingVerdict('0003_silences', sql)).toEqual({ additive: true });
  });

  it('names each statement older processes may not tolerate, and why', () => {
    const sql = [
      '-- the old name goes',
      'ALTER TABLE "executions" RENAME COLUMN "note" TO "comment";',
      'ALTER TABLE "executions" ADD COLUMN "owner" text NOT NULL;',
      'CREATE UNIQUE INDEX "executions_owner_idx" ON "executions" USING btree ("owner");',
      'DROP TABLE "old_things";',
      'UPDATE "executions" SET "owner" = \'x\';',
      'CREATE TRIGGER t BEFORE UPDATE ON executions FOR EACH ROW EXECUTE FUNCTION f();',
      'VACUUM executions;',
    ].join(BREAK);
    const verdict = rollingVerdict('0004_rename', sql);
    expect(verdict.additive).toBe(false);
    expect(verdict.additive === false && verdict.problems).toEqual([
      { statement: 'ALTER TABLE "executions" RENAME COLUMN "note" TO "comment";', why: 'it changes an existing table (not only a new column)' },
      { statement: 'ALTER TABLE "executions" ADD COLUMN "owner" text NOT NULL;', why: 'a NOT NULL column without a default: older processes insert rows without it' },
      { statement: 'CREATE UNIQUE INDEX "executions_owner_idx" ON "executions" USING btree ("owner");', why: 'a unique index on an existing table: older processes may write rows it refuses' },
      { statement: 'DROP TABLE "old_things";', why: 'it drops, changes or rewrites something older processes use' },
      { statement: 'UPDATE "executions" SET "owner" = \'x\';', why: 'it drops, changes or rewrites something older processes use' },
      { statement: 'CREATE TRIGGER t BEFORE UPDATE ON executions FOR EACH ROW EXECUTE FUNCTION f();', why: 'a trigger changes what older processes’ writes do' },
      { statement: 'VACUUM executions;', why: 'not recognised as additive' },
    ]);
  });

  it('judges the committed migrations: each after the first is additive or reviewed by a person with a reason', () => {
    const folder = pgMigrationsFolder();
    const verdicts = knownMigrations(folder)
      .slice(1)
      .map((m) => ({ tag: m.tag, verdict: rollingVerdict(m.tag, readFileSync(join(folder, `${m.tag}.sql`), 'utf8')) }));
    expect(verdicts.find((v) => v.tag === '0001_audit_append_only')?.verdict).toEqual({ additive: true, reviewed: expect.stringContaining('no version of Salve sends') });
    expect(verdicts.find((v) => v.tag === '0002_after_run_tasks')?.verdict).toEqual({ additive: true });
    // Without the review, 0001's triggers would count as a change older processes may not tolerate.
    const audit = rollingVerdict('unreviewed', readFileSync(join(folder, '0001_audit_append_only.sql'), 'utf8'));
    expect(audit.additive === false && audit.problems.map((p) => p.why)).toEqual(Array(3).fill('a trigger changes what older processes’ writes do'));
  });
});
