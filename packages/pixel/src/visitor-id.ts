/** 22 URL-safe characters carrying 128 random bits; says nothing about the person. */
export function visitorId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes))
    .slice(0, 22)
    .replace(/\+/g, "-")
    .replace(/\//g, "_");
}
