import { describe, expect, it } from "vitest";
import { chooseReferrer, friendKey, type ReferralCandidate } from "./attribution.js";

const DAY = 86_400_000;
const now = Date.UTC(2026, 10, 24);
const mark: ReferralCandidate = {
  subscriberId: "sub_mark",
  subscriberEmail: "mark@example.com",
  code: "MARK-1",
  at: now - 10 * DAY,
  source: "twitter",
};
const anna: ReferralCandidate = {
  subscriberId: "sub_anna",
  subscriberEmail: "anna@example.com",
  code: "ANNA-1",
  at: now - 2 * DAY,
  source: "facebook",
};

describe("chooseReferrer", () => {
  const cases: Array<{
    name: string;
    candidates: ReferralCandidate[];
    mode: "first" | "last";
    email: string | null;
    /** The ambassador the converting browser is linked to (identify). */
    linked?: string;
    window?: number;
    expect: string;
  }> = [
    {
      name: "no candidate is organic",
      candidates: [],
      mode: "first",
      email: "sara@example.com",
      expect: "organic:no_referral",
    },
    {
      name: "first referrer wins in first mode",
      candidates: [anna, mark],
      mode: "first",
      email: "sara@example.com",
      expect: "sub_mark",
    },
    {
      name: "last referrer wins in last mode",
      candidates: [mark, anna],
      mode: "last",
      email: "sara@example.com",
      expect: "sub_anna",
    },
    {
      name: "outside the window is organic",
      candidates: [mark],
      mode: "first",
      email: null,
      window: 5,
      expect: "organic:expired",
    },
    {
      name: "window drops the older referral",
      candidates: [mark, anna],
      mode: "first",
      email: null,
      window: 5,
      expect: "sub_anna",
    },
    {
      name: "the referrer's own email is a self-referral",
      candidates: [mark],
      mode: "first",
      email: "mark@example.com",
      expect: "organic:self_referral",
    },
    {
      name: "self-referral leaves the other referrer",
      candidates: [mark, anna],
      mode: "last",
      email: "anna@example.com",
      expect: "sub_mark",
    },
    {
      name: "the ambassador linked to the browser is a self-referral without an email",
      candidates: [mark],
      mode: "first",
      email: null,
      linked: "sub_mark",
      expect: "organic:self_referral",
    },
    {
      name: "the linked ambassador converting with another email is a self-referral",
      candidates: [mark],
      mode: "first",
      email: "mark.private@example.com",
      linked: "sub_mark",
      expect: "organic:self_referral",
    },
    {
      name: "a linked ambassador leaves the other referrer of the browser",
      candidates: [mark, anna],
      mode: "first",
      email: null,
      linked: "sub_mark",
      expect: "sub_anna",
    },
    {
      name: "a browser linked to someone else changes nothing",
      candidates: [mark, anna],
      mode: "first",
      email: null,
      linked: "sub_sara",
      expect: "sub_mark",
    },
    {
      name: "a referral from the far future is ignored",
      candidates: [{ ...mark, at: now + 2 * DAY }],
      mode: "first",
      email: null,
      expect: "organic:expired",
    },
    {
      name: "small clock skew is tolerated",
      candidates: [{ ...mark, at: now + 60_000 }],
      mode: "first",
      email: null,
      expect: "sub_mark",
    },
    {
      name: "no email converts are attributed",
      candidates: [mark],
      mode: "first",
      email: null,
      expect: "sub_mark",
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const out = chooseReferrer({
        candidates: c.candidates,
        mode: c.mode,
        windowDays: c.window ?? 90,
        now,
        convertingEmail: c.email,
        convertingSubscriberId: c.linked ?? null,
      });
      expect(out.kind === "referred" ? out.referral.subscriberId : `organic:${out.reason}`).toBe(c.expect);
    });
  }
});

describe("friendKey", () => {
  it.each([
    [{ email: "sara@example.com", visitorId: "v1", conversionId: "cnv_1" }, "email:sara@example.com"],
    [{ email: null, visitorId: "v1", conversionId: "cnv_1" }, "visitor:v1"],
    [{ email: null, visitorId: null, conversionId: "cnv_1" }, "conversion:cnv_1"],
  ])("%o → %s", (input, key) => {
    expect(friendKey(input)).toBe(key);
  });
});
