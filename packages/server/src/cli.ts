// The `vouch` command: `vouch serve` (the default) and `vouch migrate`.
import { migrateToLatest, openDatabase } from "@vouch/db";
import { ConfigError, loadConfig } from "./config.js";
import { startServer } from "./main.js";

const USAGE = "usage: vouch [serve | migrate | import <campaign-id> <file.csv> [--valid-only]]";

export async function runCli(argv: string[]): Promise<number> {
  const command = argv[0] ?? "serve";
  if (command === "--help" || command === "-h" || command === "help") {
    console.log(USAGE);
    return 0;
  }
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`vouch: configuration error: ${err.message}`);
      return 2;
    }
    throw err;
  }
  if (command === "migrate") return migrate(config.databaseUrl);
  if (command === "serve") return serve(config);
  if (command === "import")
    return (await import("./cli-import.js")).runImport(config.databaseUrl, argv.slice(1));
  console.error(`vouch: unknown command "${command}"\n${USAGE}`);
  return 2;
}

async function migrate(databaseUrl: string): Promise<number> {
  const database = await openDatabase(databaseUrl);
  try {
    const { applied } = await migrateToLatest(database);
    console.log(
      `vouch: ${database.dialect} at ${database.location}: ${applied.length ? `applied ${applied.join(", ")}` : "already up to date"}`,
    );
    return 0;
  } finally {
    await database.close();
  }
}

async function serve(config: ReturnType<typeof loadConfig>): Promise<number> {
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer(config, { logger: process.env.VOUCH_LOG === "1" });
  } catch (err) {
    console.error(`vouch: could not start: ${(err as Error).message}`);
    return 1;
  }
  const { database } = server;
  console.log(`vouch: database ${database.dialect} at ${database.location}`);
  if (server.migrationsApplied.length > 0)
    console.log(`vouch: applied migrations ${server.migrationsApplied.join(", ")}`);
  console.log(`vouch: listening on ${server.url} (public URL ${config.publicUrl})`);
  console.log(
    config.smtpUrl
      ? `vouch: emails (double opt-in) go through SMTP at ${new URL(config.smtpUrl).host}`
      : "vouch: emails (double opt-in) are printed here: set SMTP_URL to send them",
  );
  if (server.generatedAdminKey) {
    console.log(`vouch: admin API key (shown once, stored hashed): ${server.generatedAdminKey}`);
  } else {
    console.log(
      `vouch: admin API key: ${config.adminKey ? "from VOUCH_ADMIN_KEY" : "the one printed at first start"}`,
    );
  }
  const stop = async (signal: string) => {
    console.log(`vouch: ${signal}, finishing accepted requests`);
    await server.close();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop("SIGINT"));
  process.once("SIGTERM", () => void stop("SIGTERM"));
  return new Promise<number>(() => undefined);
}
