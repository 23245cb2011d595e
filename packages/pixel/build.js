// Bundles src/main.ts into dist/rht.min.js: one minified IIFE, the file the tracking code loads.
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const dist = new URL("./dist/", import.meta.url);
const result = await build({
  entryPoints: [new URL("./src/main.ts", import.meta.url).pathname],
  bundle: true,
  minify: true,
  format: "iife",
  platform: "browser",
  // Browsers from 2020 on (Chrome 80, Safari 13.1, Firefox 74): ?. and ?? stay native and small.
  target: "es2020",
  legalComments: "none",
  write: false,
});
const [output] = result.outputFiles;
if (!output) throw new Error("esbuild produced no output");

mkdirSync(dist, { recursive: true });
// Write then rename, so a test reading the file never sees half of it.
const tmp = new URL(`rht.min.js.${process.pid}.tmp`, dist);
writeFileSync(tmp, output.contents);
renameSync(tmp, new URL("rht.min.js", dist));

const gzip = gzipSync(output.contents, { level: 9 }).length;
console.log(`dist/rht.min.js: ${output.contents.length} bytes, ${gzip} bytes gzip`);
