// Which IP addresses a webhook may be delivered to. Only "public" is dialled by default: everything else could reach
// the host itself, its network or a cloud metadata service (SSRF). Ranges from the IANA special-purpose registries.

export type AddressClass =
  | "public"
  | "loopback"
  | "private"
  | "link_local"
  | "cgnat"
  | "multicast"
  | "reserved"
  | "unspecified"
  | "invalid";

type V4Range = readonly [base: string, prefix: number, cls: AddressClass];

// Most specific first; the first match wins.
const V4_RANGES: readonly V4Range[] = [
  ["0.0.0.0", 32, "unspecified"],
  ["0.0.0.0", 8, "reserved"], // "this network"
  ["10.0.0.0", 8, "private"],
  ["100.64.0.0", 10, "cgnat"],
  ["127.0.0.0", 8, "loopback"],
  ["169.254.0.0", 16, "link_local"], // includes 169.254.169.254, the cloud metadata service
  ["172.16.0.0", 12, "private"],
  ["192.0.0.0", 24, "reserved"], // IETF protocol assignments (DS-Lite, NAT64 discovery, …)
  ["192.0.2.0", 24, "reserved"], // TEST-NET-1
  ["192.88.99.0", 24, "reserved"], // deprecated 6to4 relay anycast
  ["192.168.0.0", 16, "private"],
  ["198.18.0.0", 15, "reserved"], // benchmarking
  ["198.51.100.0", 24, "reserved"], // TEST-NET-2
  ["203.0.113.0", 24, "reserved"], // TEST-NET-3
  ["224.0.0.0", 4, "multicast"],
  ["240.0.0.0", 4, "reserved"], // future use, and 255.255.255.255 broadcast
];

const V4_TABLE = V4_RANGES.map(([base, prefix, cls]) => {
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return { network: ((parseV4Strict(base) ?? 0) & mask) >>> 0, mask, cls };
});

/**
 * The class of an address as DNS returns it: strict dotted-quad IPv4 or IPv6 text (brackets and a %zone allowed).
 * Anything else, such as the ambiguous "0177.0.0.1", is "invalid"; run host names through parseHostAsIp first.
 * IPv6 forms that carry an IPv4 address (mapped, translated, compatible, NAT64, 6to4) take the class of the
 * embedded address, because that is where the packets end up.
 */
export function classifyAddress(ip: string): AddressClass {
  if (ip.includes(":")) {
    const groups = parseV6(ip);
    return groups ? classifyV6(groups) : "invalid";
  }
  const v4 = parseV4Strict(ip);
  return v4 === null ? "invalid" : classifyV4(v4);
}

/**
 * The canonical address if `host` (a URL host, with or without IPv6 brackets) is an IP literal, else null.
 * IPv4 is read the way WHATWG URL and inet_aton read it — decimal, 0x hex or 0-prefixed octal parts, and fewer than
 * four parts ("127.1", "2130706433") — so a host that looks like a name to us cannot dial loopback behind our back.
 * IPv6 comes back compressed (RFC 5952), as WHATWG URL serialises it, without brackets.
 */
export function parseHostAsIp(host: string): string | null {
  if (host.includes(":")) {
    const groups = parseV6(host, false);
    return groups ? formatV6(groups) : null;
  }
  const v4 = parseV4Lenient(host);
  return v4 === null ? null : formatV4(v4);
}

function classifyV4(address: number): AddressClass {
  for (const { network, mask, cls } of V4_TABLE) {
    if ((address & mask) >>> 0 === network) return cls;
  }
  return "public";
}

function classifyV6(g: readonly number[]): AddressClass {
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = g;
  const low32 = g6 * 0x10000 + g7;
  const zeroUpTo = (n: number) => g.slice(0, n).every((x) => x === 0);

  if (zeroUpTo(8)) return "unspecified";
  if (zeroUpTo(7) && g7 === 1) return "loopback";
  if (zeroUpTo(5) && g5 === 0xffff) return classifyV4(low32); // ::ffff:a.b.c.d, IPv4-mapped
  if (zeroUpTo(4) && g4 === 0xffff && g5 === 0) return classifyV4(low32); // ::ffff:0:a.b.c.d, IPv4-translated
  if (zeroUpTo(6)) {
    // ::a.b.c.d, IPv4-compatible: deprecated and unroutable, yet some stacks still map it onto IPv4.
    const cls = classifyV4(low32);
    return cls === "public" ? "reserved" : cls;
  }
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return classifyV4(low32); // NAT64
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 1) return "private"; // 64:ff9b:1::/48, local-use NAT64
  if (g0 < 0x100) return "reserved"; // rest of ::/8
  if (g0 === 0x100 && g1 === 0 && g2 === 0 && g3 === 0) return "reserved"; // 100::/64, discard-only
  if (g0 === 0x2001 && g1 === 0xdb8) return "reserved"; // documentation
  if (g0 === 0x2001 && g1 < 0x200) return "reserved"; // 2001::/23: Teredo, benchmarking, ORCHID, …
  if (g0 === 0x2002) return classifyV4(g1 * 0x10000 + g2); // 6to4 carries the IPv4 address in bits 16–47
  if (g0 === 0x3fff && g1 < 0x1000) return "reserved"; // 3fff::/20, documentation
  if (g0 === 0x5f00) return "reserved"; // 5f00::/16, SRv6 SIDs
  if ((g0 & 0xfe00) === 0xfc00) return "private"; // fc00::/7, unique local
  if ((g0 & 0xffc0) === 0xfe80) return "link_local"; // fe80::/10
  if ((g0 & 0xffc0) === 0xfec0) return "private"; // fec0::/10, deprecated site-local
  if ((g0 & 0xff00) === 0xff00) return "multicast";
  if ((g0 & 0xe000) === 0x2000) return "public"; // 2000::/3, global unicast
  return "reserved"; // unallocated
}

function parseV4Strict(text: string): number | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  let value = 0;
  for (const part of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(part)) return null;
    const n = Number(part);
    if (n > 255) return null;
    value = value * 256 + n;
  }
  return value;
}

// WHATWG URL's IPv4 parser: up to four parts; every part but the last is one byte, the last fills the rest.
function parseV4Lenient(host: string): number | null {
  const parts = host.toLowerCase().split(".");
  if (parts.length > 1 && parts[parts.length - 1] === "") parts.pop();
  if (parts.length > 4) return null;
  const numbers: number[] = [];
  for (const part of parts) {
    const n = parseV4Number(part);
    if (n === null) return null;
    numbers.push(n);
  }
  const last = numbers.pop();
  if (last === undefined || numbers.some((n) => n > 255) || last >= 256 ** (4 - numbers.length)) return null;
  return numbers.reduce((sum, n, i) => sum + n * 256 ** (3 - i), last);
}

function parseV4Number(part: string): number | null {
  if (/^0x[0-9a-f]*$/.test(part)) return part.length === 2 ? 0 : Number.parseInt(part.slice(2), 16);
  if (/^0[0-7]+$/.test(part)) return Number.parseInt(part.slice(1), 8);
  if (/^(0|[1-9]\d*)$/.test(part)) return Number(part);
  return null;
}

function formatV4(address: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256).join(".");
}

// Eight 16-bit groups, or null. Brackets are accepted around the address and, for addresses from DNS, a %zone.
function parseV6(text: string, allowZone = true): number[] | null {
  let s = text.toLowerCase();
  if (s.startsWith("[") && s.endsWith("]")) s = s.slice(1, -1);
  const zone = s.indexOf("%");
  if (zone >= 0) {
    if (!allowZone) return null;
    s = s.slice(0, zone);
  }
  if (s.includes(".")) {
    const lastColon = s.lastIndexOf(":");
    const v4 = parseV4Strict(s.slice(lastColon + 1));
    if (v4 === null) return null;
    s = `${s.slice(0, lastColon + 1)}${Math.floor(v4 / 0x10000).toString(16)}:${(v4 % 0x10000).toString(16)}`;
  }
  const halves = s.split("::");
  if (halves.length > 2) return null;
  const head = parseGroups(halves[0] ?? "");
  const tail = halves.length === 2 ? parseGroups(halves[1] ?? "") : [];
  if (!head || !tail) return null;
  if (halves.length === 1) return head.length === 8 ? head : null;
  const missing = 8 - head.length - tail.length;
  return missing >= 1 ? [...head, ...new Array<number>(missing).fill(0), ...tail] : null;
}

function parseGroups(text: string): number[] | null {
  if (text === "") return [];
  const groups: number[] = [];
  for (const group of text.split(":")) {
    if (!/^[0-9a-f]{1,4}$/.test(group)) return null;
    groups.push(Number.parseInt(group, 16));
  }
  return groups;
}

// RFC 5952: lowercase hex, the first longest run of two or more zero groups becomes "::".
function formatV6(groups: readonly number[]): string {
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < groups.length; ) {
    let j = i;
    while (j < groups.length && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLength).join(":")}`;
}
