import { gzipSync } from "node:zlib";
import { expect, it } from "vitest";
import { builtWidgets } from "./support/built-script.js";

/** Loaded only on pages with a widget, never with the pixel; Preact included. Keep it lean all the same. */
const BUDGET_GZIP_BYTES = 16 * 1024;

it(`widgets.min.js stays within ${BUDGET_GZIP_BYTES} bytes gzipped`, () => {
  const script = builtWidgets();
  const gzip = gzipSync(script, { level: 9 }).length;
  console.log(`widgets.min.js: ${script.length} bytes, ${gzip} bytes gzip (budget ${BUDGET_GZIP_BYTES})`);
  expect(gzip).toBeLessThanOrEqual(BUDGET_GZIP_BYTES);
});
