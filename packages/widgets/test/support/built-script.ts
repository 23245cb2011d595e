// Tests run against the built file; it is rebuilt when missing or older than a source file.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";

const pkg = fileURLToPath(new URL("../../", import.meta.url));
const script = `${pkg}dist/widgets.min.js`;

function isStale(): boolean {
  let built: number;
  try {
    built = statSync(script).mtimeMs;
  } catch {
    return true;
  }
  return readdirSync(`${pkg}src`).some((f) => statSync(`${pkg}src/${f}`).mtimeMs > built);
}

export function builtWidgets(): Buffer {
  if (isStale()) execFileSync(process.execPath, ["build.js"], { cwd: pkg, stdio: "pipe" });
  return readFileSync(script);
}
