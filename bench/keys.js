// The keys that place rows in their indexes, as production traffic brings them: a new visitor's id made by the
// pixel's own generator (the time of the first visit, then random bits), and shoppers' emails in no order.
// Emails written in sequence (buyer1, buyer2, …) would all land at the end of their index, one page or two per
// commit, where real traffic lands each on a page of its own.
import { randomUUID } from "node:crypto";

export { visitorId as newVisitorId } from "../packages/pixel/dist/visitor-id.js";

/** A new shopper's email: a random local part, so in no order, made unique by `n`. */
export function shopperEmail(n, domain) {
  return `${randomUUID().slice(0, 8)}.${n}@${domain}`;
}
