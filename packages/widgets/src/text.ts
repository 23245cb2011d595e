// The sentences the ambassador view shows, built from the campaign's rules and events.
import type { ProgressItem } from "./api.js";

const PAST: Record<string, string> = {
  signup: "signed up",
  sign_up: "signed up",
  register: "signed up",
  registration: "signed up",
  buy: "bought",
  demo: "booked a demo",
  trial: "started a trial",
  lead: "signed up",
};

/** "download" → "downloaded", "purchase" → "purchased", "book_demo" → "booked demo". */
export function pastTense(event: string): string {
  const lower = event.toLowerCase();
  const known = PAST[lower.replace(/-/g, "_")];
  if (known) return known;
  const [verb = "", ...rest] = lower.split(/[_.\s-]+/).filter(Boolean);
  let past: string;
  if (/e$/.test(verb)) past = `${verb}d`;
  else if (/[^aeiou]y$/.test(verb)) past = `${verb.slice(0, -1)}ied`;
  else if (/ed$/.test(verb)) past = verb;
  else past = `${verb}ed`;
  return [past, ...rest].join(" ");
}

/** "Free account" → "a free account", "Extra month" → "an extra month", "3 free months" stays plural. */
export function withArticle(name: string): string {
  const text = /^[A-Z][a-z]/.test(name) ? name[0]?.toLowerCase() + name.slice(1) : name;
  const first = text.split(/\s+/)[0] ?? "";
  const last = text.split(/\s+/).pop() ?? "";
  const plural = /[^su]s$/.test(last) || (/^\d+$/.test(first) && first !== "1");
  if (plural || /^(a|an|the|your|one)$/i.test(first)) return text;
  return `${/^[aeiou]/i.test(text) ? "an" : "a"} ${text}`;
}

/** "2 of 3 friends downloaded — one more for a free account". */
export function progressSentence(p: ProgressItem): string {
  if (p.complete) return `${p.name}: unlocked`;
  const friends = p.need === 1 ? "friend" : "friends";
  const did = p.event ? ` ${pastTense(p.event)}` : "";
  const left = p.need - p.have;
  const more = left === 1 ? "one more" : `${left} more`;
  return `${p.have} of ${p.need} ${friends}${did} — ${more} for ${withArticle(p.name)}`;
}

export const NETWORKS = [
  { id: "twitter", label: "X (Twitter)" },
  { id: "facebook", label: "Facebook" },
  { id: "linkedin", label: "LinkedIn" },
  { id: "whatsapp", label: "WhatsApp" },
  { id: "telegram", label: "Telegram" },
  { id: "email", label: "Email" },
] as const;

export type Network = (typeof NETWORKS)[number]["id"];

/** The referral link tagged with where it was shared, so visits and conversions show their source. */
export function taggedLink(link: string, source: string): string {
  const url = new URL(link);
  url.searchParams.set("mws", source);
  return url.toString();
}

/** The network's own share page (or a mailto:) for the ambassador's link tagged with mws=<network>. */
export function shareUrl(network: Network, link: string, message: string): string {
  const url = encodeURIComponent(taggedLink(link, network));
  const text = encodeURIComponent(message);
  switch (network) {
    case "twitter":
      return `https://twitter.com/intent/tweet?text=${text}&url=${url}`;
    case "facebook":
      return `https://www.facebook.com/sharer/sharer.php?u=${url}`;
    case "linkedin":
      return `https://www.linkedin.com/sharing/share-offsite/?url=${url}`;
    case "whatsapp":
      return `https://wa.me/?text=${text}%20${url}`;
    case "telegram":
      return `https://t.me/share/url?url=${url}&text=${text}`;
    case "email":
      return `mailto:?subject=${text}&body=${text}%0A%0A${url}`;
  }
}
