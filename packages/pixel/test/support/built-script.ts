import { fileURLToPath } from "node:url";
import { builtBundle } from "../../../../e2e/support/built-bundle.js";

/** The built rht.min.js, rebuilt first when missing or older than a source file. */
export function builtScript(): Buffer {
  return builtBundle(fileURLToPath(new URL("../../", import.meta.url)), "rht.min.js");
}
