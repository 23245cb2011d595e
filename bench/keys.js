// The keys that place rows in their indexes, as production traffic brings them: visitor ids made by the pixel's
// own generator (random), and shoppers' emails in no order. Written in sequence (buyer1, buyer2, …) they would
// all land at the end of their indexes, one page or two per commit, where real traffic lands a row on a page of
// its own.
import { randomUUID } from "node:crypto";

export { visitorId as randomVisitorId } from "../packages/pixel/dist/visitor-id.js";

/** A new shopper's email: a random local part, so in no order, made unique by `n`. */
export function shopperEmail(n, domain) {
  return `${randomUUID().slice(0, 8)}.${n}@${domain}`;
}
