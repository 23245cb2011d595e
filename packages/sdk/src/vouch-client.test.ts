import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { VouchApiError, VouchClient } from "./index.js";

interface Seen {
  method: string | undefined;
  url: string | undefined;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

const servers: http.Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A stand-in Vouch API on 127.0.0.1 answering every request with `status` and `body`. */
async function api(status: number, body: string, contentType = "application/json") {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (chunk) => {
      raw += chunk;
    });
    req.on("end", () => {
      seen.push({
        method: req.method,
        url: req.url,
        headers: req.headers,
        body: raw ? JSON.parse(raw) : undefined,
      });
      res.writeHead(status, { "content-type": contentType }).end(body);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

async function caught(promise: Promise<unknown>): Promise<VouchApiError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof VouchApiError) return err;
    throw err;
  }
  throw new Error("expected a VouchApiError");
}

describe("VouchClient.trackConversion", () => {
  it("POSTs the conversion as JSON with the secret key and returns the answer", async () => {
    const created = { created: true, conversion: { id: "cnv_1", event: "purchase" } };
    const server = await api(201, JSON.stringify(created));
    const client = new VouchClient({ apiUrl: `${server.url}/`, secretKey: "sk_live_123" });
    const conversion = {
      event: "purchase",
      email: "ada@example.com",
      amount: 49.99,
      currency: "EUR",
      transaction_id: "ch_1",
      referral_code: "ADA42",
    };
    expect(await client.trackConversion("cmp_abc", conversion)).toEqual(created);
    expect(server.seen).toEqual([
      {
        method: "POST",
        url: "/api/v1/campaigns/cmp_abc/conversions",
        headers: expect.objectContaining({
          authorization: "Bearer sk_live_123",
          "content-type": "application/json",
        }),
        body: conversion,
      },
    ]);
  });

  it("encodes the campaign id into the path", async () => {
    const server = await api(200, "{}");
    await new VouchClient({ apiUrl: server.url, secretKey: "k" }).trackConversion("a/b?c", {
      event: "signup",
    });
    expect(server.seen[0]?.url).toBe("/api/v1/campaigns/a%2Fb%3Fc/conversions");
  });

  it.each([
    [
      "a validation error",
      422,
      JSON.stringify({ error: { code: "validation_failed", message: "email is invalid", field: "email" } }),
      "application/json",
      { status: 422, code: "validation_failed", message: "email is invalid", field: "email" },
    ],
    [
      "an auth error without field",
      401,
      JSON.stringify({ error: { code: "unauthorized", message: "Invalid API key" } }),
      "application/json",
      { status: 401, code: "unauthorized", message: "Invalid API key", field: undefined },
    ],
    [
      "a proxy's HTML page",
      502,
      "<html>Bad Gateway</html>",
      "text/html",
      { status: 502, code: "http_502", message: "Vouch API answered HTTP 502", field: undefined },
    ],
    [
      "an empty error",
      500,
      "",
      "application/json",
      { status: 500, code: "http_500", message: "Vouch API answered HTTP 500", field: undefined },
    ],
  ])("throws VouchApiError for %s", async (_name, status, body, contentType, expected) => {
    const server = await api(status, body, contentType);
    const err = await caught(
      new VouchClient({ apiUrl: server.url, secretKey: "k" }).trackConversion("cmp_1", { event: "signup" }),
    );
    expect({ status: err.status, code: err.code, message: err.message, field: err.field }).toEqual(expected);
  });

  it("throws VouchApiError with status 0 when the server cannot be reached", async () => {
    const server = await api(200, "{}");
    const first = servers.pop();
    first?.closeAllConnections();
    await new Promise((resolve) => first?.close(resolve));
    const err = await caught(
      new VouchClient({ apiUrl: server.url, secretKey: "k" }).trackConversion("cmp_1", { event: "signup" }),
    );
    expect([err.status, err.code]).toEqual([0, "network_error"]);
    expect(err.cause).toBeInstanceOf(Error);
  });

  it("times out a server that never answers", async () => {
    const server = http.createServer(() => {
      // never answers
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const err = await caught(
      new VouchClient({ apiUrl, secretKey: "k", timeoutMs: 200 }).trackConversion("c", { event: "e" }),
    );
    expect([err.status, err.code, err.message]).toEqual([
      0,
      "timeout",
      `No answer from ${apiUrl} within 200 ms`,
    ]);
  });

  it.each([
    [{ apiUrl: "", secretKey: "k" }, "apiUrl"],
    [{ apiUrl: "http://x", secretKey: "" }, "secretKey"],
  ])("refuses incomplete options %j", (options, missing) => {
    expect(() => new VouchClient(options)).toThrow(missing);
  });
});
