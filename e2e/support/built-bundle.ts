// Browser tests run against a package's built bundle; it is rebuilt (the package's build.js) when missing or
// older than a file of its src/.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";

export function builtBundle(packageDir: string, bundle: string): Buffer {
  const file = `${packageDir}dist/${bundle}`;
  let built = 0;
  try {
    built = statSync(file).mtimeMs;
  } catch {}
  const stale =
    built === 0 ||
    readdirSync(`${packageDir}src`).some((f) => statSync(`${packageDir}src/${f}`).mtimeMs > built);
  if (stale) execFileSync(process.execPath, ["build.js"], { cwd: packageDir, stdio: "pipe" });
  return readFileSync(file);
}
