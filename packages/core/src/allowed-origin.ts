// Which sites may act for a campaign from a browser (identify): the Origin header's host against the
// campaign's allowed domains, subdomains included.

/** The campaign's allowed domains: the stored list, or — when none was set — the host of its site URL. */
export function effectiveAllowedDomains(campaign: { url: string; allowed_domains: string | null }): string[] {
  if (campaign.allowed_domains !== null) return JSON.parse(campaign.allowed_domains) as string[];
  try {
    return [new URL(campaign.url).hostname];
  } catch {
    return [];
  }
}

/**
 * Whether a request's Origin header names one of the domains or a subdomain of one. A missing or opaque
 * ("null") origin never matches: identify is meant for browsers on the customer's site.
 */
export function originAllowed(origin: string | undefined, domains: readonly string[]): boolean {
  if (!origin) return false;
  let host: string;
  try {
    const url = new URL(origin);
    if (url.protocol !== "https:" && url.protocol !== "http:") return false;
    host = url.hostname;
  } catch {
    return false;
  }
  return domains.some((d) => host === d || host.endsWith(`.${d}`));
}
