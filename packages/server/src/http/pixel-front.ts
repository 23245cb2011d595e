// The pixel's two busiest routes, POST /api/v1/collect/visit and /track, served straight on node:http ahead of
// Fastify: every landing and conversion of every customer's site comes through them, and Fastify's routing,
// hooks and reply pipeline cost about as much CPU as Node's HTTP itself. The request is the pixel's ordinary
// one (text/plain, a Content-Length within the limit); anything else, and everything while the server closes
// or logs requests, goes on to Fastify, whose routes for the same paths answer it. Both answer through the
// same handlers (collectVisit, collectTrack) and the same error answers (errorAnswer).
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import type { AppContext } from "../context.js";
import { AppError } from "../errors.js";
import { collectTrack, collectVisit, type PixelAnswer } from "../routes/collect.js";
import { CONVERSION_BODY_LIMIT } from "../routes/conversions.js";
import { errorAnswer, internalError } from "./error-handler.js";

// A Map, so that no request target can name an inherited property of a plain object.
const ROUTES = new Map<string, (ctx: AppContext, body: unknown) => Promise<PixelAnswer>>([
  ["/api/v1/collect/visit", collectVisit],
  ["/api/v1/collect/track", collectTrack],
]);

export interface PixelFront {
  listener: RequestListener;
  /** From now on every request goes to Fastify (which answers 503 while it closes). */
  stop(): void;
}

export function pixelFront(ctx: AppContext, fastify: RequestListener): PixelFront {
  let serving = true;
  let errors = 0;
  const listener: RequestListener = (req, res) => {
    const route = serving && req.method === "POST" ? ROUTES.get(req.url ?? "") : undefined;
    const length = Number(req.headers["content-length"]);
    if (
      !route ||
      !isTextPlain(req.headers["content-type"]) ||
      !(length > 0 && length <= CONVERSION_BODY_LIMIT) ||
      req.headers["transfer-encoding"] !== undefined
    ) {
      fastify(req, res);
      return;
    }
    readBody(req, (text) => {
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        answerError(res, new AppError("invalid_json", "request body is not valid JSON"));
        return;
      }
      route(ctx, body).then(
        (answer) => send(res, answer.status, answer.body),
        (err: unknown) => answerError(res, err),
      );
    });
  };
  const answerError = (res: ServerResponse, err: unknown) => {
    const known = errorAnswer(err);
    if (known) send(res, known.status, known.body);
    else send(res, 500, internalError(`pixel-${++errors}`));
  };
  return {
    listener,
    stop() {
      serving = false;
    },
  };
}

/** text/plain, with or without parameters (browsers send `text/plain;charset=UTF-8`). */
function isTextPlain(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const semi = contentType.indexOf(";");
  const media = (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  return media === "text/plain";
}

/** The body as text. Node's parser delivers no more than Content-Length; a client gone midway is dropped. */
function readBody(req: IncomingMessage, done: (text: string) => void): void {
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("error", () => undefined);
  req.on("end", () => {
    done(
      chunks.length === 1 ? (chunks[0] as Buffer).toString("utf8") : Buffer.concat(chunks).toString("utf8"),
    );
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  const json = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(json),
    // The pixel posts from customers' sites: any origin may read the answer.
    "access-control-allow-origin": "*",
  });
  res.end(json);
}
