// Bundles src/main.tsx (with Preact) into dist/widgets.min.js: one minified IIFE, loaded on demand by sites.
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const dist = new URL("./dist/", import.meta.url);
const result = await build({
  entryPoints: [new URL("./src/main.tsx", import.meta.url).pathname],
  bundle: true,
  minify: true,
  format: "iife",
  platform: "browser",
  // As the pixel: browsers from 2020 on. Shadow DOM and CSS custom properties are older than that.
  target: "es2020",
  jsx: "automatic",
  jsxImportSource: "preact",
  legalComments: "none",
  write: false,
});
const [output] = result.outputFiles;
if (!output) throw new Error("esbuild produced no output");

mkdirSync(dist, { recursive: true });
// Write then rename, so a test or the server reading the file never sees half of it.
const tmp = new URL(`widgets.min.js.${process.pid}.tmp`, dist);
writeFileSync(tmp, output.contents);
renameSync(tmp, new URL("widgets.min.js", dist));

const gzip = gzipSync(output.contents, { level: 9 }).length;
console.log(`dist/widgets.min.js: ${output.contents.length} bytes, ${gzip} bytes gzip`);
