import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import type { FastifyInstance } from "fastify";
import { AppError } from "../errors.js";

/**
 * Serves a built browser script to any site's origin, gzipped when asked. The file is read on the first request,
 * so a server started before the bundle was built serves it once it exists.
 */
export function serveBuiltScript(app: FastifyInstance, route: string, file: string | URL): void {
  let script: { plain: Buffer; gzipped: Buffer } | undefined;

  app.get(route, async (request, reply) => {
    if (!script) {
      let plain: Buffer;
      try {
        plain = readFileSync(file);
      } catch {
        throw new AppError("unavailable", `${route} is not built: run npm run build`);
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
