import { describe, expect, it } from "vitest";
import {
  type JoinLinkClaims,
  joinLinkMessage,
  joinLinkSignatureMatches,
  joinLinkUrl,
  newJoinLinkSecret,
  signJoinLink,
} from "./join-link.js";

const SECRET = "vjl_testsecret0123456789abcdefghjkmnpqrstvw";
const SARA: JoinLinkClaims = {
  campaignId: "cmp_0123456789abcdefghjkmnpq",
  email: "sara@example.com",
  name: "Sara Smith",
  exp: "1893456000",
};
// Computed independently: printf 'v1\ncmp_…\nsara@example.com\n1893456000\nSara Smith' |
//   openssl dgst -sha256 -hmac "$SECRET" -binary | base64 | tr '+/' '-_' | tr -d '='
const SARA_SIG = "69mqPr44wzBe8shGFDvJIjEKwS3YJb_VyJo3YCJ25Nc";

describe("join link signatures", () => {
  it("signs v1, campaign, email, expiry and name, one per line, as documented", () => {
    expect(joinLinkMessage(SARA)).toBe(
      "v1\ncmp_0123456789abcdefghjkmnpq\nsara@example.com\n1893456000\nSara Smith",
    );
    expect(signJoinLink(SECRET, SARA)).toBe(SARA_SIG);
    expect(joinLinkSignatureMatches(SECRET, SARA, SARA_SIG)).toBe(true);
  });

  it.each<[string, Partial<JoinLinkClaims>]>([
    ["campaign", { campaignId: "cmp_other" }],
    ["email", { email: "mallory@example.com" }],
    ["name", { name: "Mallory" }],
    ["no name", { name: "" }],
    ["expiry", { exp: "1893456001" }],
  ])("does not match when the %s differs", (_what, change) => {
    expect(joinLinkSignatureMatches(SECRET, { ...SARA, ...change }, SARA_SIG)).toBe(false);
  });

  it.each([
    ["another secret", `${SECRET}x`, SARA_SIG],
    ["a cut signature", SECRET, SARA_SIG.slice(0, 42)],
    ["one changed character", SECRET, `${SARA_SIG.slice(0, 42)}d`],
    ["standard base64", SECRET, Buffer.from(SARA_SIG, "base64url").toString("base64")],
    ["nothing", SECRET, ""],
  ])("refuses %s", (_what, secret, signature) => {
    expect(joinLinkSignatureMatches(secret, SARA, signature)).toBe(false);
  });

  it("makes secrets of 200 random bits with their prefix", () => {
    const a = newJoinLinkSecret();
    expect(a).toMatch(/^vjl_[0-9a-z]{40}$/);
    expect(newJoinLinkSecret()).not.toBe(a);
  });

  it("puts the parameters on the page URL, keeping its own and replacing stale ones", () => {
    const url = new URL(joinLinkUrl("https://www.example.com/refer?lang=en&rh_sig=old#top", SARA, SARA_SIG));
    expect(url.pathname).toBe("/refer");
    expect(url.hash).toBe("#top");
    expect([...url.searchParams]).toEqual([
      ["lang", "en"],
      ["rh_email", "sara@example.com"],
      ["rh_name", "Sara Smith"],
      ["rh_exp", "1893456000"],
      ["rh_sig", SARA_SIG],
    ]);
    expect(
      new URL(joinLinkUrl("https://www.example.com/", { ...SARA, name: "" }, "s")).searchParams.has(
        "rh_name",
      ),
    ).toBe(false);
  });
});
