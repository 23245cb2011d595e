// GET /widgets/widgets.js — the embeddable widgets' script, loaded on demand by customers' sites.
import type { FastifyInstance } from "fastify";
import { serveBuiltScript } from "./built-script.js";

export const WIDGET_SCRIPT_PATH = "/widgets/widgets.js";

// packages/widgets/dist, reached from this file's folder in src/routes or dist/routes alike. The widgets are a
// browser bundle built beside the server, not a dependency it imports.
const BUILT = new URL("../../../widgets/dist/widgets.min.js", import.meta.url);

export function widgetScriptRoutes(app: FastifyInstance): void {
  serveBuiltScript(app, WIDGET_SCRIPT_PATH, BUILT);
}
