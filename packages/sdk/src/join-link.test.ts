import { describe, expect, it } from "vitest";
import { joinLinkSignatureMatches } from "../../core/src/join-link.js";
import { joinLink, signJoinLink } from "./index.js";

const SECRET = "vjl_testsecret0123456789abcdefghjkmnpqrstvw";
const CAMPAIGN = "cmp_0123456789abcdefghjkmnpq";

describe("joinLink", () => {
  it("reproduces the documented signature (computed with openssl)", () => {
    expect(
      signJoinLink(SECRET, {
        campaignId: CAMPAIGN,
        email: "sara@example.com",
        name: "Sara Smith",
        exp: 1893456000,
      }),
    ).toBe("69mqPr44wzBe8shGFDvJIjEKwS3YJb_VyJo3YCJ25Nc");
  });

  it("builds a link whose parameters the server's verification accepts", () => {
    const link = new URL(
      joinLink({
        secret: SECRET,
        campaignId: CAMPAIGN,
        url: "https://www.example.com/refer?lang=en",
        email: "  Sara@Example.com ",
        name: " Sara Smith ",
        expiresAt: new Date("2030-01-01T00:00:00Z"),
      }),
    );
    const q = link.searchParams;
    expect(link.origin + link.pathname).toBe("https://www.example.com/refer");
    expect(q.get("lang")).toBe("en");
    expect(q.get("rh_email")).toBe("sara@example.com");
    expect(q.get("rh_name")).toBe("Sara Smith");
    expect(q.get("rh_exp")).toBe("1893456000");
    const claims = { campaignId: CAMPAIGN, email: "sara@example.com", name: "Sara Smith", exp: "1893456000" };
    expect(joinLinkSignatureMatches(SECRET, claims, q.get("rh_sig") ?? "")).toBe(true);
    // Any change to what was signed, or another secret, fails.
    expect(
      joinLinkSignatureMatches(SECRET, { ...claims, email: "mark@example.com" }, q.get("rh_sig") ?? ""),
    ).toBe(false);
    expect(joinLinkSignatureMatches(`${SECRET}2`, claims, q.get("rh_sig") ?? "")).toBe(false);
  });

  it("leaves rh_name out when there is no name, and expires in 30 days by default", () => {
    const before = Math.floor(Date.now() / 1000);
    const q = new URL(
      joinLink({ secret: SECRET, campaignId: CAMPAIGN, url: "https://x.example/", email: "a@b.co" }),
    ).searchParams;
    expect(q.has("rh_name")).toBe(false);
    const exp = Number(q.get("rh_exp"));
    expect(exp - before).toBeGreaterThanOrEqual(30 * 86_400);
    expect(exp - before).toBeLessThanOrEqual(30 * 86_400 + 2);
    expect(
      joinLinkSignatureMatches(
        SECRET,
        { campaignId: CAMPAIGN, email: "a@b.co", name: "", exp: String(exp) },
        q.get("rh_sig") ?? "",
      ),
    ).toBe(true);
  });

  it("accepts the expiry as unix seconds and refuses what is not one", () => {
    const q = new URL(
      joinLink({
        secret: SECRET,
        campaignId: CAMPAIGN,
        url: "https://x.example/",
        email: "a@b.co",
        expiresAt: 1893456000,
      }),
    ).searchParams;
    expect(q.get("rh_exp")).toBe("1893456000");
    expect(() => signJoinLink(SECRET, { campaignId: CAMPAIGN, email: "a@b.co", exp: 1.5 })).toThrow(
      /whole seconds/,
    );
    expect(() => signJoinLink("", { campaignId: CAMPAIGN, email: "a@b.co", exp: 1 })).toThrow(
      /secret is empty/,
    );
  });
});
