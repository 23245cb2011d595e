// GET /pixel/rht.js — the tracking script the loader stub fetches, from any site's origin.
import { scriptPath } from "@vouch/pixel";
import type { FastifyInstance } from "fastify";
import { serveBuiltScript } from "./built-script.js";

export const PIXEL_SCRIPT_PATH = "/pixel/rht.js";

export function pixelScriptRoutes(app: FastifyInstance): void {
  serveBuiltScript(app, PIXEL_SCRIPT_PATH, scriptPath());
}
