import { Migrator, sql } from "kysely";
import type { Database } from "./connect.js";
import { migrationProvider } from "./migrations/index.js";

export interface MigrationReport {
  applied: string[];
}

/** Applies every pending migration, in order; throws with the failing migration's name. */
export async function migrateToLatest(database: Database): Promise<MigrationReport> {
  const { db } = database;
  // On PostgreSQL, Kysely looks for its bookkeeping tables in every schema unless told which one: name the
  // connection's own, so that databases sharing a server (one schema each) never see each other's.
  const schema =
    database.dialect === "postgres"
      ? (database.schema ??
        (await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db)).rows[0]
          ?.schema ??
        undefined)
      : undefined;
  const migrator = new Migrator({
    db,
    provider: migrationProvider,
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  let { error, results } = await migrator.migrateToLatest();
  // Kysely's bookkeeping reads the catalog of every schema; a schema another process drops at that moment makes
  // the read fail with "schema … does not exist" (3F000). Nothing was applied then: look again.
  for (let retry = 0; retry < 3 && isVanishedSchema(error) && !results?.length; retry++) {
    await new Promise((resolve) => setTimeout(resolve, 50 * (retry + 1)));
    ({ error, results } = await migrator.migrateToLatest());
  }
  const failed = results?.find((r) => r.status === "Error");
  if (error || failed) {
    const name = failed ? ` (${failed.migrationName})` : "";
    throw new Error(`migration failed${name}: ${error instanceof Error ? error.message : String(error)}`);
  }
  // Fresh statistics for the hot tables, so the planner picks the dedup and visitor indexes even before
  // autovacuum has looked at tables that filled quickly.
  if (database.dialect === "postgres") await sql`analyze conversions, visits, subscribers`.execute(db);
  return { applied: (results ?? []).map((r) => r.migrationName) };
}

function isVanishedSchema(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: string }).code === "3F000";
}
