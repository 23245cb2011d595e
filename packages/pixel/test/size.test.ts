import { gzipSync } from "node:zlib";
import { expect, it } from "vitest";
import { builtScript } from "./support/built-script.js";

/** Every site that installs Vouch loads this on every page: keep it small. */
const BUDGET_GZIP_BYTES = 1638;

it(`rht.min.js stays within ${BUDGET_GZIP_BYTES} bytes gzipped`, () => {
  const script = builtScript();
  const gzip = gzipSync(script, { level: 9 }).length;
  console.log(`rht.min.js: ${script.length} bytes, ${gzip} bytes gzip (budget ${BUDGET_GZIP_BYTES})`);
  expect(gzip).toBeLessThanOrEqual(BUDGET_GZIP_BYTES);
});
