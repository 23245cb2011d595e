// GET /widgets/widgets.js — the embeddable widgets' script, loaded on demand by customers' sites.
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import type { FastifyInstance } from "fastify";
import { AppError } from "../errors.js";

export const WIDGET_SCRIPT_PATH = "/widgets/widgets.js";

// packages/widgets/dist, reached from this file's folder in src/routes or dist/routes alike. The widgets are a
// browser bundle built beside the server, not a dependency it imports.
const BUILT = new URL("../../../widgets/dist/widgets.min.js", import.meta.url);

export function widgetScriptRoutes(app: FastifyInstance): void {
  // Read on first request, so a server started before the bundle was built still serves it once it exists.
  let script: { plain: Buffer; gzipped: Buffer } | undefined;

  app.get(WIDGET_SCRIPT_PATH, async (request, reply) => {
    if (!script) {
      let plain: Buffer;
      try {
        plain = readFileSync(BUILT);
      } catch {
        throw new AppError("unavailable", "the widgets script is not built: run npm run build");
      }
      script = { plain, gzipped: gzipSync(plain, { level: 9 }) };
    }
    reply
      .header("Content-Type", "application/javascript; charset=utf-8")
      .header("Cache-Control", "public, max-age=300")
      .header("Access-Control-Allow-Origin", "*")
      .header("Vary", "Accept-Encoding");
    if (/\bgzip\b/.test(String(request.headers["accept-encoding"] ?? ""))) {
      return reply.header("Content-Encoding", "gzip").send(script.gzipped);
    }
    return reply.send(script.plain);
  });
}
