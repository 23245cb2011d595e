import type { Migration, MigrationProvider } from "kysely";
import * as core from "./0001-core.js";

// Forward-only: a migration once released is never edited; changes come as new files, in order.
const migrations: Record<string, Migration> = {
  "0001-core": core,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
