import { expect, it } from "vitest";
import { referralLink } from "./referral-link.js";

it.each([
  ["https://example.com", "MARK-7K3Q", "https://example.com/?mwr=MARK-7K3Q"],
  ["https://example.com/app?plan=pro", "MARK-7K3Q", "https://example.com/app?plan=pro&mwr=MARK-7K3Q"],
  ["https://example.com/app?mwr=OLD#top", "ANNA-2", "https://example.com/app?mwr=ANNA-2#top"],
])("referralLink(%s, %s) = %s", (site, code, link) => {
  expect(referralLink(site, code)).toBe(link);
});
