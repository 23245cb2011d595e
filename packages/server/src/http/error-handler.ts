import { isBusy } from "@vouch/db";
import type { FastifyError, FastifyInstance } from "fastify";
import { AppError, type ErrorCode } from "../errors.js";

interface ErrorBody {
  error: { code: ErrorCode; message: string; field?: string; request_id?: string };
}

/** Turns every failure into `{ error: { code, message, field? } }`; unknown errors are 500s logged with the request id. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | AppError, request, reply) => {
    const known = errorAnswer(err);
    if (known) return reply.status(known.status).send(known.body);
    request.log.error({ err }, "unhandled error");
    return reply.status(500).send(internalError(request.id));
  });

  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send({
      error: { code: "not_found", message: `no route ${request.method} ${request.url.split("?")[0]}` },
    });
  });
}

/** The answer to an expected failure (an AppError, the database busy, a request Fastify refused); else undefined. */
export function errorAnswer(err: unknown): { status: number; body: ErrorBody } | undefined {
  if (err instanceof AppError) {
    const body: ErrorBody = { error: { code: err.code, message: err.message } };
    if (err.field) body.error.field = err.field;
    return { status: err.status, body };
  }
  // SQLite's write lock stayed taken (by another process) for longer than a statement waits for it.
  if (isBusy(err)) {
    return {
      status: 503,
      body: { error: { code: "unavailable", message: "the database is busy; try again in a moment" } },
    };
  }
  const framework = fromFramework(err as FastifyError);
  return framework ? { status: framework.status, body: { error: framework.error } } : undefined;
}

export function internalError(requestId: string): ErrorBody {
  return { error: { code: "internal", message: "internal error", request_id: requestId } };
}

function fromFramework(err: FastifyError): { status: number; error: ErrorBody["error"] } | undefined {
  switch (err?.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return {
        status: 413,
        error: { code: "payload_too_large", message: "request body is larger than allowed" },
      };
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return {
        status: 415,
        error: { code: "unsupported_media_type", message: "send JSON (application/json or text/plain)" },
      };
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return { status: 400, error: { code: "invalid_json", message: "request body is empty" } };
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      return { status: 400, error: { code: "invalid_json", message: "request body is not valid JSON" } };
  }
  if (err instanceof SyntaxError || (err?.statusCode === 400 && /JSON/i.test(err.name))) {
    return { status: 400, error: { code: "invalid_json", message: "request body is not valid JSON" } };
  }
  return undefined;
}
