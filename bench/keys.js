// The keys that place rows in their indexes, as production traffic brings them: the pixel's visitor ids are
// random (packages/pixel/src/visitor-id.ts) and shoppers' emails come in no order. Written in sequence
// (buyer1, buyer2, …) they would all land at the end of their indexes, one page or two per commit, where real
// traffic lands a row on a page of its own.
import { randomUUID } from "node:crypto";

/** 22 random URL-safe characters, as long as the pixel's visitor ids. */
export function randomVisitorId() {
  return randomUUID().replaceAll("-", "").slice(0, 22);
}

/** A new shopper's email: a random local part, so in no order, made unique by `n`. */
export function shopperEmail(n, domain) {
  return `${randomUUID().slice(0, 8)}.${n}@${domain}`;
}
