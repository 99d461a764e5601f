import { eq } from 'drizzle-orm';
import type { Db } from './db.js';
import { settings } from './schema.js';

export const settingsRepo = {
  get(db: Db, key: string): string | undefined {
    return db.select({ value: settings.value }).from(settings).where(eq(settings.key, key)).get()?.value;
  },

  set(db: Db, key: string, value: string, now: number): void {
    db.insert(settings)
      .values({ key, value, updatedAt: now })
      .onConflictDoUpdate({ target: settings.key, set: { value, updatedAt: now } })
      .run();
  },

  setIfAbsent(db: Db, key: string, value: string, now: number): string {
    db.insert(settings).values({ key, value, updatedAt: now }).onConflictDoNothing().run();
    return settingsRepo.get(db, key)!;
  },
};
