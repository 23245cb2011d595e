import { type Kysely, Migrator } from "kysely";
import { migrationProvider } from "./migrations/index.js";
import type { DB } from "./schema.js";

export interface MigrationReport {
  applied: string[];
}

/** Applies every pending migration, in order; throws with the failing migration's name. */
export async function migrateToLatest(db: Kysely<DB>): Promise<MigrationReport> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === "Error");
  if (error || failed) {
    const name = failed ? ` (${failed.migrationName})` : "";
    throw new Error(`migration failed${name}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { applied: (results ?? []).map((r) => r.migrationName) };
}
