/**
 * The time of the first visit (milliseconds, 9 base32 characters, so ids sort by it) and 96 random bits
 * (16 URL-safe characters): 25 characters that say nothing about the person. Sorted by time, the ids of new
 * visitors land together at the end of the server's index of visits, as a time-ordered UUID's do, instead of
 * each on an index page of its own.
 */
export function visitorId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  const random = btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_");
  return Date.now().toString(32).padStart(9, "0") + random;
}
