import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const src = (pkg: string, file = "index.ts") =>
  fileURLToPath(new URL(`./packages/${pkg}/src/${file}`, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run against the TypeScript sources; the build is checked by `tsc -b` in `npm test`.
    alias: {
      "@vouch/core": src("core"),
      "@vouch/db": src("db"),
      "@vouch/sdk": src("sdk"),
      "@vouch/server": src("server"),
      "@vouch/pixel": src("pixel", "snippets.ts"),
    },
  },
  test: {
    include: ["packages/*/src/**/*.test.ts", "packages/*/test/**/*.test.ts", "e2e/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
