import { describe, expect, it } from "vitest";
import {
  readVerificationToken,
  VERIFICATION_RESEND,
  verificationResendWaitMs,
  verificationToken,
} from "./verification-link.js";

const SECRET = "test-secret-0123456789";
const ID = "vrf_01m86pvmrryp8v8j95wjdkzgmm";

describe("verification links", () => {
  it("reads back the id of a token it made", () => {
    const token = verificationToken(SECRET, ID);
    expect(token).toMatch(/^vrf_[0-9a-z]{26}\.[A-Za-z0-9_-]{43}$/);
    expect(readVerificationToken(SECRET, token)).toBe(ID);
  });

  it.each([
    ["another secret's token", verificationToken("other-secret", ID)],
    [
      "a token for another id with this MAC",
      `vrf_01m86pvmrryp8v8j95wjdkzgmn.${verificationToken(SECRET, ID).split(".")[1]}`,
    ],
    ["the id alone", ID],
    ["a truncated MAC", verificationToken(SECRET, ID).slice(0, -1)],
    [
      "a MAC whose last character differs only in unused bits",
      sameBytesVariant(verificationToken(SECRET, ID)),
    ],
    ["an empty string", ""],
    ["junk", "not-a-token"],
  ])("refuses %s", (_what, token) => {
    expect(readVerificationToken(SECRET, token)).toBeNull();
  });
});

describe("resend limit", () => {
  const now = 1_000_000_000;
  it.each([
    ["nothing sent", { count: 0, oldest: null, latest: null }, 0],
    ["one a minute ago", { count: 1, oldest: now - 60_000, latest: now - 60_000 }, 0],
    ["one 20 s ago", { count: 1, oldest: now - 20_000, latest: now - 20_000 }, 40_000],
    [
      "five today, the first 2 h ago",
      { count: VERIFICATION_RESEND.perDay, oldest: now - 7_200_000, latest: now - 600_000 },
      22 * 3_600_000,
    ],
    ["four today", { count: 4, oldest: now - 7_200_000, latest: now - 600_000 }, 0],
  ])("%s", (_what, sent, wait) => {
    expect(verificationResendWaitMs(sent, now)).toBe(wait);
  });
});

/** The token with its MAC's last base64url character changed in the two bits that decoding ignores. */
function sameBytesVariant(token: string): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const last = alphabet.indexOf(token.slice(-1));
  const variant = `${token.slice(0, -1)}${alphabet[last ^ 1]}`;
  const mac = (t: string) => Buffer.from(t.split(".")[1] as string, "base64url");
  if (!mac(variant).equals(mac(token))) throw new Error("expected a same-bytes variant");
  return variant;
}
