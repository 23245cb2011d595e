// Which reverse proxies may tell Vouch the visitor's address (X-Forwarded-For), from VOUCH_TRUST_PROXY. The
// answer is Fastify's `trustProxy`, so request.ip — the key of every per-address rate limit — is the visitor's.
import { isIP } from "node:net";

/** false: the socket's address; a number: that many proxies in front; a list: proxies at these addresses. */
export type TrustProxy = false | number | string[];

/** proxy-addr's names for the reserved ranges, which Fastify accepts in a list. */
const NAMED_RANGES = new Set(["loopback", "linklocal", "uniquelocal"]);
const MAX_HOPS = 10;
const MAX_ENTRIES = 50;

/**
 * "0"/"false" → false; "1"/"true" → one proxy; "2".."10" → that many; otherwise a comma-separated list of
 * IP addresses, CIDR ranges and the names loopback, linklocal, uniquelocal. Undefined when none of these.
 * "true" means one hop, not Fastify's "trust every hop", which would let a visitor pick their own address.
 */
export function parseTrustProxy(value: string): TrustProxy | undefined {
  const v = value.trim().toLowerCase();
  if (v === "0" || v === "false") return false;
  if (v === "true") return 1;
  if (/^\d+$/.test(v)) {
    const hops = Number(v);
    return hops >= 1 && hops <= MAX_HOPS ? hops : undefined;
  }
  const entries = v.split(",").map((e) => e.trim());
  if (entries.length > MAX_ENTRIES || !entries.every(isAddressOrRange)) return undefined;
  return entries;
}

function isAddressOrRange(entry: string): boolean {
  if (NAMED_RANGES.has(entry)) return true;
  const [address = "", prefix, ...rest] = entry.split("/");
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/**
 * Fastify's option. Its own numeric trustProxy trusts nothing (it cannot check the nearest peer), so a hop
 * count becomes the function proxy-addr calls per address, nearest first: the socket's peer is hop 0.
 */
export function fastifyTrustProxy(
  trust: TrustProxy | undefined,
): false | string[] | ((address: string, hop: number) => boolean) {
  if (trust === undefined || trust === false) return false;
  if (typeof trust === "number") return (_address, hop) => hop < trust;
  return trust;
}
