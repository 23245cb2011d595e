import { describe, expect, it } from "vitest";
import { detectSource, SOURCE_DIRECT } from "./source.js";

const LANDING = "https://shop.example.com/pricing";

describe("detectSource", () => {
  it("exports the direct source name", () => {
    expect(SOURCE_DIRECT).toBe("direct_visit");
  });

  describe("query parameters", () => {
    it.each([
      ["mws wins over utm_source", `${LANDING}?utm_source=google&mws=twitter`, "twitter"],
      ["utm_source when no mws", `${LANDING}?utm_source=Newsletter`, "newsletter"],
      ["trims and lowercases", `${LANDING}?mws=%20%20Spring%20Sale%20`, "spring_sale"],
      ["replaces other characters", `${LANDING}?mws=caf%C3%A9/promo!`, "caf__promo_"],
      ["keeps dots, dashes, underscores", `${LANDING}?mws=ads.v2-fb_x`, "ads.v2-fb_x"],
      ["caps at 50 characters", `${LANDING}?mws=${"a".repeat(80)}`, "a".repeat(50)],
      ["empty mws falls through to utm_source", `${LANDING}?mws=&utm_source=reddit`, "reddit"],
      ["blank mws falls through", `${LANDING}?mws=%20%20&utm_source=ig`, "ig"],
      ["parameter names are case-sensitive", `${LANDING}?MWS=twitter`, "facebook"],
      ["hash is not the query", `${LANDING}#mws=twitter`, "facebook"],
    ])("%s", (_, url, expected) => {
      // The referrer is there to show that a tag in the URL wins over it.
      expect(detectSource({ url, referrer: "https://www.facebook.com/" })).toBe(expected);
    });

    it("falls through from empty parameters to direct_visit without a referrer", () => {
      expect(detectSource({ url: `${LANDING}?mws=&utm_source=` })).toBe(SOURCE_DIRECT);
    });
  });

  describe("referrer networks", () => {
    it.each([
      ["https://t.co/abc123", "twitter"],
      ["https://twitter.com/someone/status/1", "twitter"],
      ["https://mobile.twitter.com/", "twitter"],
      ["https://x.com/someone", "twitter"],
      ["https://www.facebook.com/", "facebook"],
      ["https://m.facebook.com/story.php", "facebook"],
      ["https://l.facebook.com/l.php?u=x", "facebook"],
      ["https://lm.facebook.com/", "facebook"],
      ["https://fb.me/abc", "facebook"],
      ["https://www.messenger.com/t/1", "messenger"],
      ["https://m.me/page", "messenger"],
      ["https://l.instagram.com/?u=x", "instagram"],
      ["https://www.linkedin.com/feed/", "linkedin"],
      ["https://lnkd.in/abc", "linkedin"],
      ["https://old.reddit.com/r/x", "reddit"],
      ["https://redd.it/abc", "reddit"],
      ["https://m.youtube.com/watch?v=1", "youtube"],
      ["https://youtu.be/1", "youtube"],
      ["https://www.tiktok.com/@x", "tiktok"],
      ["https://pin.it/abc", "pinterest"],
      ["https://www.pinterest.co.uk/pin/1", "pinterest"],
      ["https://web.whatsapp.com/", "whatsapp"],
      ["https://wa.me/123", "whatsapp"],
      ["https://t.me/channel", "telegram"],
      ["https://web.telegram.org/", "telegram"],
      ["https://www.google.com/", "google"],
      ["https://www.google.co.uk/", "google"],
      ["https://google.de/", "google"],
      ["https://www.google.com.br/", "google"],
      ["https://mail.google.com/mail/u/0/", "gmail"],
      ["https://www.bing.com/search?q=x", "bing"],
      ["https://duckduckgo.com/", "duckduckgo"],
      ["https://search.yahoo.com/", "yahoo"],
      ["https://search.yahoo.co.jp/", "yahoo"],
      ["https://mail.yahoo.com/", "yahoo_mail"],
      ["https://outlook.live.com/mail/0/", "outlook"],
      ["https://outlook.office.com/", "outlook"],
      ["https://news.ycombinator.com/item?id=1", "hackernews"],
      ["https://www.producthunt.com/posts/vouch", "producthunt"],
      ["https://WWW.FACEBOOK.COM./", "facebook"],
    ])("%s → %s", (referrer, expected) => {
      expect(detectSource({ url: LANDING, referrer })).toBe(expected);
    });
  });

  describe("other referrers", () => {
    it.each([
      ["unknown host keeps its name", "https://blog.example.org/post", "blog.example.org"],
      ["www. is dropped", "https://www.indiehackers.com/post", "indiehackers.com"],
      ["port is ignored", "http://localhost:3000/", "localhost"],
      ["look-alike of a network is not it", "https://notfacebook.com/", "notfacebook.com"],
      ["network name inside a host is not it", "https://facebook.com.evil.net/", "facebook.com.evil.net"],
      ["xt.co is not t.co", "https://xt.co/", "xt.co"],
      ["missing referrer", undefined, SOURCE_DIRECT],
      ["null referrer", null, SOURCE_DIRECT],
      ["empty referrer", "", SOURCE_DIRECT],
      ["invalid referrer", "not a url", SOURCE_DIRECT],
      ["referrer without a host", "about:blank", SOURCE_DIRECT],
      ["same host is internal navigation", "https://shop.example.com/cart", SOURCE_DIRECT],
      ["same host with www. is internal", "https://www.shop.example.com/", SOURCE_DIRECT],
      ["a sibling subdomain is not internal", "https://blog.example.com/", "blog.example.com"],
    ])("%s", (_, referrer, expected) => {
      expect(detectSource({ url: LANDING, referrer })).toBe(expected);
    });

    it("still reads the referrer when the landing URL is unparseable", () => {
      expect(detectSource({ url: "not a url", referrer: "https://t.co/x" })).toBe("twitter");
    });
  });
});
