// Webhook delivery transport. Owners choose the URLs, so every connection is checked against the SSRF policy at
// the moment it is dialled: the address checked is the address connected to, which defeats DNS rebinding.
import dns from "node:dns";
import http from "node:http";
import https from "node:https";
import { isIP, type LookupFunction } from "node:net";
import type { Duplex } from "node:stream";
import { type AddressClass, classifyAddress, parseHostAsIp } from "@vouch/core";

export const ADDRESS_BLOCKED = "ERR_WEBHOOK_ADDRESS_BLOCKED";
const TIMEOUT = "ERR_WEBHOOK_TIMEOUT";
const RESPONSE_BODY_BYTES = 1024;
// Past this much unread response, close the socket instead of draining it for reuse.
const DRAIN_LIMIT_BYTES = 64 * 1024;

/** dns.lookup with `all: true`; replaceable so tests can stand in for DNS. */
export type LookupAll = (
  hostname: string,
  options: dns.LookupAllOptions,
  callback: (err: NodeJS.ErrnoException | null, addresses: dns.LookupAddress[]) => void,
) => void;

export interface SafetyOptions {
  /** Allow loopback, private, link-local… addresses: for self-hosters whose receivers live on their own network. */
  allowPrivate: boolean;
  lookup?: LookupAll;
}

export interface DeliveryAgents {
  http: http.Agent;
  https: https.Agent;
}

export interface DeliveryResult {
  /** The receiver's status, or null when no response head arrived. Only 2xx without `error` is a success. */
  status: number | null;
  durationMs: number;
  /** The first 1024 bytes of the response body, as UTF-8. */
  responseBody: string;
  retryAfter?: string;
  /** Why the exchange did not complete: blocked, unreachable, timed out, cut off. */
  error?: string;
  /** Machine-readable form of `error`, e.g. "ERR_WEBHOOK_ADDRESS_BLOCKED", "ERR_WEBHOOK_TIMEOUT", "ECONNREFUSED". */
  errorCode?: string;
}

export class BlockedAddressError extends Error {
  readonly code = ADDRESS_BLOCKED;
  constructor(
    readonly host: string,
    readonly address: string,
    readonly addressClass: AddressClass,
  ) {
    const via = host === address ? "" : ` (resolved from ${host})`;
    super(`Webhook delivery to ${address}${via} blocked: it is a ${addressClass} address, not a public one`);
    this.name = "BlockedAddressError";
  }
}

/** Keep-alive agents that refuse to connect to non-public addresses unless `allowPrivate`. */
export function createDeliveryAgents(options: SafetyOptions): DeliveryAgents {
  const agentOptions = {
    keepAlive: true,
    // Idle sockets are closed after 30 s; receivers rarely keep them longer and a stale one only costs a retry.
    timeout: 30_000,
    lookup: guardedLookup(options),
  };
  return {
    http: new GuardedHttpAgent(options.allowPrivate, agentOptions),
    https: new GuardedHttpsAgent(options.allowPrivate, agentOptions),
  };
}

type SocketCallback = (err: Error | null, stream: Duplex) => void;

class GuardedHttpAgent extends http.Agent {
  constructor(
    private readonly allowPrivate: boolean,
    options: http.AgentOptions,
  ) {
    super(options);
  }

  override createConnection(
    options: http.ClientRequestArgs,
    callback?: SocketCallback,
  ): Duplex | null | undefined {
    const blocked = literalBlocked(options.host ?? options.hostname, this.allowPrivate);
    return blocked ? refuse(blocked, callback) : super.createConnection(options, callback);
  }
}

class GuardedHttpsAgent extends https.Agent {
  constructor(
    private readonly allowPrivate: boolean,
    options: https.AgentOptions,
  ) {
    super(options);
  }

  override createConnection(
    options: https.RequestOptions,
    callback?: SocketCallback,
  ): Duplex | null | undefined {
    const blocked = literalBlocked(options.host ?? options.hostname, this.allowPrivate);
    return blocked ? refuse(blocked, callback) : super.createConnection(options, callback);
  }
}

/**
 * Creation-time check of an endpoint URL, so owners hear about a bad URL when they save it rather than from failed
 * deliveries. Delivery checks again at dial time: DNS may answer differently later.
 */
export async function checkWebhookUrl(
  url: string,
  options: SafetyOptions,
): Promise<{ ok: true } | { ok: false; reason: string }> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, reason: "Not a valid URL" };
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    return {
      ok: false,
      reason: `Only http and https URLs are supported, not ${parsed.protocol.slice(0, -1)}`,
    };
  }
  if (parsed.username || parsed.password) {
    return { ok: false, reason: "The URL must not contain a user name or password" };
  }
  const host = parsed.hostname.replace(/^\[(.*)\]$/, "$1");
  const literal = parseHostAsIp(host);
  const addresses = literal === null ? await resolveAll(host, options.lookup) : [literal];
  if (addresses.length === 0) return { ok: false, reason: `The host ${host} does not resolve` };
  if (!options.allowPrivate) {
    for (const address of addresses) {
      const cls = classifyAddress(address);
      if (cls !== "public") return { ok: false, reason: new BlockedAddressError(host, address, cls).message };
    }
  }
  return { ok: true };
}

/**
 * One POST of `body` to `url` through `agents`. Never follows redirects (a 3xx comes back as it is), gives the
 * whole exchange `timeoutMs`, keeps the first 1 KB of the response and discards the rest. Never throws.
 */
export function deliver(input: {
  url: string;
  headers: Readonly<Record<string, string>>;
  body: string;
  agents: DeliveryAgents;
  timeoutMs?: number;
}): Promise<DeliveryResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  let target: URL;
  try {
    target = new URL(input.url);
    if (target.protocol !== "http:" && target.protocol !== "https:") throw new Error("unsupported protocol");
  } catch {
    return Promise.resolve({ status: null, durationMs: 0, responseBody: "", error: "Invalid webhook URL" });
  }
  const timeoutMs = input.timeoutMs ?? 15_000;
  const isHttps = target.protocol === "https:";

  return new Promise((resolve) => {
    let settled = false;
    let status: number | null = null;
    let retryAfter: string | undefined;
    const kept: Buffer[] = [];
    let keptBytes = 0;

    const settle = (err?: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      const result: DeliveryResult = {
        status,
        durationMs: elapsed(),
        responseBody: Buffer.concat(kept).toString("utf8"),
      };
      if (retryAfter !== undefined) result.retryAfter = retryAfter;
      if (err) {
        result.error = err.message;
        if (typeof err.code === "string") result.errorCode = err.code;
      }
      resolve(result);
    };

    const requestOptions: http.RequestOptions = {
      method: "POST",
      headers: withDefaults(input.headers, input.body),
      agent: isHttps ? input.agents.https : input.agents.http,
    };
    const request = (isHttps ? https.request : http.request)(target, requestOptions);
    const timer = setTimeout(() => {
      const err: NodeJS.ErrnoException = new Error(`No complete response within ${timeoutMs} ms`);
      err.code = TIMEOUT;
      settle(err);
      request.destroy(err);
    }, timeoutMs);
    const fail = (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      settle(err);
    };

    request.on("error", fail);
    request.on("response", (response) => {
      status = response.statusCode ?? null;
      const header = response.headers["retry-after"];
      if (header !== undefined) retryAfter = header;
      let seenBytes = 0;
      response.on("data", (chunk: Buffer) => {
        seenBytes += chunk.length;
        if (keptBytes < RESPONSE_BODY_BYTES) {
          const part = chunk.subarray(0, RESPONSE_BODY_BYTES - keptBytes);
          kept.push(part);
          keptBytes += part.length;
          if (keptBytes === RESPONSE_BODY_BYTES) settle();
        }
        if (seenBytes > DRAIN_LIMIT_BYTES) {
          clearTimeout(timer);
          response.destroy();
        }
      });
      response.on("end", () => {
        clearTimeout(timer);
        settle();
      });
      response.on("error", fail);
      response.on("close", () => {
        if (!response.complete) {
          const err: NodeJS.ErrnoException = new Error("The response was cut off");
          err.code = "ECONNRESET";
          fail(err);
        }
      });
    });
    request.end(input.body);
  });
}

function guardedLookup(options: SafetyOptions): LookupFunction {
  const lookupAll: LookupAll = options.lookup ?? dns.lookup;
  return (hostname, lookupOptions, callback) => {
    // Node 20 asks for all addresses (happy eyeballs) or for one; resolve all either way so that every address the
    // socket might try is checked.
    lookupAll(hostname, { ...lookupOptions, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const first = addresses[0];
      if (!first) {
        const notFound: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
        notFound.code = "ENOTFOUND";
        return callback(notFound, []);
      }
      if (!options.allowPrivate) {
        for (const { address } of addresses) {
          const cls = classifyAddress(address);
          if (cls !== "public") return callback(new BlockedAddressError(hostname, address, cls), []);
        }
      }
      if (lookupOptions.all) callback(null, addresses);
      else callback(null, first.address, first.family);
    });
  };
}

// Node dials IP literals without calling `lookup`, so they are checked here, just before the socket is created.
// Any spelling that net.connect would accept or that getaddrinfo would read as an address counts as a literal.
function literalBlocked(host: string | null | undefined, allowPrivate: boolean): BlockedAddressError | null {
  if (allowPrivate || !host) return null;
  const ip = isIP(host) ? host : parseHostAsIp(host);
  if (ip === null) return null;
  const cls = classifyAddress(ip);
  return cls === "public" ? null : new BlockedAddressError(host, ip, cls);
}

function refuse(err: BlockedAddressError, callback: SocketCallback | undefined): undefined {
  if (!callback) throw err;
  // The agent turns a callback error into an "error" event on the request, and no socket is ever opened.
  (callback as (err: Error) => void)(err);
  return undefined;
}

function resolveAll(hostname: string, lookup: LookupAll = dns.lookup): Promise<string[]> {
  return new Promise((resolve) => {
    lookup(hostname, { all: true }, (err, addresses) => resolve(err ? [] : addresses.map((a) => a.address)));
  });
}

function withDefaults(headers: Readonly<Record<string, string>>, body: string): Record<string, string> {
  const out: Record<string, string> = {
    "content-type": "application/json",
    "user-agent": "Vouch-Webhooks/1.0",
  };
  for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = value;
  out["content-length"] = String(Buffer.byteLength(body));
  return out;
}
