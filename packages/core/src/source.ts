// Where a visitor came from, as the `source` of a conversion ("twitter", "newsletter", "blog.example.com").
// An explicit tag in the landing URL wins over the browser's referrer, which is often stripped or generic.

export const SOURCE_DIRECT = "direct_visit";

const MAX_SOURCE_LENGTH = 50;

// Checked in order, so the specific hosts (webmail, Hacker News) come before the broad domains that contain
// them. Each entry also matches its subdomains: m.facebook.com, l.instagram.com, mobile.twitter.com.
const NETWORKS: ReadonlyArray<readonly [network: string, domains: readonly string[]]> = [
  ["gmail", ["mail.google.com"]],
  ["outlook", ["outlook.live.com", "outlook.office.com", "outlook.office365.com"]],
  ["hackernews", ["news.ycombinator.com"]],
  ["twitter", ["twitter.com", "x.com", "t.co"]],
  ["messenger", ["messenger.com", "m.me"]],
  ["facebook", ["facebook.com", "fb.com", "fb.me"]],
  ["instagram", ["instagram.com"]],
  ["linkedin", ["linkedin.com", "lnkd.in"]],
  ["reddit", ["reddit.com", "redd.it"]],
  ["youtube", ["youtube.com", "youtu.be"]],
  ["tiktok", ["tiktok.com"]],
  ["pinterest", ["pinterest.com", "pin.it"]],
  ["whatsapp", ["whatsapp.com", "wa.me"]],
  ["telegram", ["t.me", "telegram.org", "telegram.me"]],
  ["bing", ["bing.com"]],
  ["duckduckgo", ["duckduckgo.com"]],
  ["producthunt", ["producthunt.com"]],
];

// Brands that run one site per country: google.de, www.google.co.uk, search.yahoo.co.jp, pinterest.fr.
const COUNTRY_TLD = String.raw`(?:[a-z]{2,3}|(?:co|com|net|org)\.[a-z]{2})`;
const BRANDS: ReadonlyArray<readonly [network: string, host: RegExp]> = [
  ["yahoo_mail", new RegExp(String.raw`(?:^|\.)mail\.yahoo\.${COUNTRY_TLD}$`)],
  ["google", new RegExp(String.raw`(?:^|\.)google\.${COUNTRY_TLD}$`)],
  ["yahoo", new RegExp(String.raw`(?:^|\.)yahoo\.${COUNTRY_TLD}$`)],
  ["pinterest", new RegExp(String.raw`(?:^|\.)pinterest\.${COUNTRY_TLD}$`)],
];

/**
 * The source of a visit: the `mws` query parameter of the landing URL, else `utm_source`, else the
 * referrer's network ("facebook") or host ("blog.example.com"), else "direct_visit".
 */
export function detectSource(input: { url: string; referrer?: string | null }): string {
  const landing = parseUrl(input.url);
  for (const param of ["mws", "utm_source"]) {
    const tagged = normalizeSource(landing?.searchParams.get(param) ?? "");
    if (tagged) return tagged;
  }

  const referrer = parseUrl(input.referrer ?? "");
  const host = referrer ? hostOf(referrer) : "";
  if (!host) return SOURCE_DIRECT;
  // Moving between pages of the same site is not a source.
  if (landing && withoutWww(host) === withoutWww(hostOf(landing))) return SOURCE_DIRECT;
  return networkOf(host) ?? (normalizeSource(withoutWww(host)) || SOURCE_DIRECT);
}

/** Trimmed, lowercased, at most 50 characters of [a-z0-9._-]; anything else becomes "_". */
function normalizeSource(value: string): string {
  return value
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9._-]/g, "_")
    .slice(0, MAX_SOURCE_LENGTH);
}

function networkOf(host: string): string | undefined {
  for (const [network, domains] of NETWORKS) {
    if (domains.some((domain) => host === domain || host.endsWith(`.${domain}`))) return network;
  }
  return BRANDS.find(([, pattern]) => pattern.test(host))?.[0];
}

function parseUrl(value: string): URL | undefined {
  if (!value.trim()) return undefined;
  try {
    return new URL(value.trim());
  } catch {
    return undefined;
  }
}

/** Lowercased hostname without a trailing dot; "" for URLs that have none (about:blank, data:). */
function hostOf(url: URL): string {
  return url.hostname.toLowerCase().replace(/\.$/, "");
}

function withoutWww(host: string): string {
  return host.startsWith("www.") ? host.slice(4) : host;
}
