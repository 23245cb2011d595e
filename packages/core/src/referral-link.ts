/** The campaign's site URL with `mwr=<code>` added; existing query parameters and the fragment are kept. */
export function referralLink(siteUrl: string, code: string): string {
  const url = new URL(siteUrl);
  url.searchParams.set("mwr", code);
  return url.toString();
}
