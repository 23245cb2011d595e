import { describe, expect, it } from "vitest";
import { pastTense, progressSentence, shareUrl, taggedLink, withArticle } from "../src/text.js";

describe("progress sentences", () => {
  it.each([
    ["download", "downloaded"],
    ["purchase", "purchased"],
    ["signup", "signed up"],
    ["sign-up", "signed up"],
    ["demo", "booked a demo"],
    ["book_demo", "booked demo"],
    ["apply", "applied"],
    ["buy", "bought"],
  ])("%s → %s", (event, past) => expect(pastTense(event)).toBe(past));

  it.each([
    ["Free account", "a free account"],
    ["Extra month", "an extra month"],
    ["3 free months", "3 free months"],
    ["Free tickets", "free tickets"],
    ["The gold tier", "the gold tier"],
    ["50% discount", "a 50% discount"],
  ])("%s → %s", (name, phrase) => expect(withArticle(name)).toBe(phrase));

  it("reads like the seed's example, and says when a reward is unlocked", () => {
    const p = { rule: "rul_1", name: "Free account", description: null, event: "download", need: 3 };
    expect(progressSentence({ ...p, have: 2, complete: false })).toBe(
      "2 of 3 friends downloaded — one more for a free account",
    );
    expect(progressSentence({ ...p, have: 0, complete: false })).toBe(
      "0 of 3 friends downloaded — 3 more for a free account",
    );
    expect(progressSentence({ ...p, have: 3, complete: true })).toBe("Free account: unlocked");
  });
});

describe("share links", () => {
  const link = "https://acme.example.com/join?lang=en&mwr=MARK-7K3Q";

  it("tags the referral link with mws, keeping its query", () => {
    expect(taggedLink(link, "twitter")).toBe(
      "https://acme.example.com/join?lang=en&mwr=MARK-7K3Q&mws=twitter",
    );
  });

  it.each([
    ["twitter", "https://twitter.com/intent/tweet?"],
    ["facebook", "https://www.facebook.com/sharer/sharer.php?u="],
    ["linkedin", "https://www.linkedin.com/sharing/share-offsite/?url="],
    ["whatsapp", "https://wa.me/?text="],
    ["telegram", "https://t.me/share/url?url="],
    ["email", "mailto:?subject="],
  ] as const)("%s opens its share page with the link tagged mws=%s", (network, start) => {
    const url = shareUrl(network, link, "Try it:");
    expect(url.startsWith(start)).toBe(true);
    expect(decodeURIComponent(url)).toContain(`mwr=MARK-7K3Q&mws=${network}`);
  });
});
