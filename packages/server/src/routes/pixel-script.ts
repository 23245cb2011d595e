// GET /pixel/rht.js — the tracking script the loader stub fetches, from any site's origin.
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { scriptPath } from "@vouch/pixel";
import type { FastifyInstance } from "fastify";

export const PIXEL_SCRIPT_PATH = "/pixel/rht.js";

export function pixelScriptRoutes(app: FastifyInstance): void {
  const plain = readFileSync(scriptPath());
  const gzipped = gzipSync(plain, { level: 9 });

  app.get(PIXEL_SCRIPT_PATH, async (request, reply) => {
    reply
      .header("Content-Type", "application/javascript; charset=utf-8")
      .header("Cache-Control", "public, max-age=300")
      .header("Access-Control-Allow-Origin", "*")
      .header("Vary", "Accept-Encoding");
    if (/\bgzip\b/.test(String(request.headers["accept-encoding"] ?? ""))) {
      return reply.header("Content-Encoding", "gzip").send(gzipped);
    }
    return reply.send(plain);
  });
}
