import { defineConfig } from "vitest/config";
export default defineConfig({
  root: "/work/main",
  resolve: { alias: { "@vouch/core": "/tmp/vouch-check/core-shim.ts" } },
  test: { include: ["packages/server/src/webhooks/**/*.test.ts", "packages/sdk/src/**/*.test.ts"], testTimeout: 30000, pool: "forks" },
});
