import type { Migration, MigrationProvider } from "kysely";
import * as core from "./0001-core.js";
import * as webhooks from "./0002-webhooks.js";
import * as rewards from "./0003-rewards.js";
import * as identify from "./0004-identify.js";
import * as widgets from "./0005-widgets.js";
import * as doubleOptIn from "./0006-double-opt-in.js";
import * as joinLinks from "./0007-join-links.js";
import * as subscriberDeletion from "./0008-subscriber-deletion.js";
import * as ingestIndexes from "./0009-ingest-indexes.js";

// Forward-only: a migration once released is never edited; changes come as new files, in order.
const migrations: Record<string, Migration> = {
  "0001-core": core,
  "0002-webhooks": webhooks,
  "0003-rewards": rewards,
  "0004-identify": identify,
  "0005-widgets": widgets,
  "0006-double-opt-in": doubleOptIn,
  "0007-join-links": joinLinks,
  "0008-subscriber-deletion": subscriberDeletion,
  "0009-ingest-indexes": ingestIndexes,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
