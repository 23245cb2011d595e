import { describe, expect, it } from "vitest";
import { effectiveAllowedDomains, originAllowed } from "./allowed-origin.js";
import { allowedDomains } from "./schemas/identify.js";

describe("originAllowed", () => {
  const domains = ["example.com", "shop.acme.io"];
  it.each([
    ["https://example.com", true],
    ["https://www.example.com", true],
    ["http://a.b.example.com:8443", true],
    ["https://EXAMPLE.com", true],
    ["https://shop.acme.io", true],
    ["https://eu.shop.acme.io", true],
    ["https://acme.io", false],
    ["https://notexample.com", false],
    ["https://example.com.evil.net", false],
    ["https://evil.net/?example.com", false],
    ["null", false],
    ["", false],
    [undefined, false],
    ["file:///home/example.com", false],
    ["not a url", false],
  ])("%s → %s", (origin, allowed) => {
    expect(originAllowed(origin, domains)).toBe(allowed);
  });

  it("matches nothing when the list is empty", () => {
    expect(originAllowed("https://example.com", [])).toBe(false);
  });
});

describe("effectiveAllowedDomains", () => {
  it.each([
    [{ url: "https://www.example.com/app?x=1", allowed_domains: null }, ["www.example.com"]],
    [{ url: "http://localhost:5173/", allowed_domains: null }, ["localhost"]],
    [
      { url: "https://www.example.com/", allowed_domains: '["example.com","example.org"]' },
      ["example.com", "example.org"],
    ],
    [{ url: "https://www.example.com/", allowed_domains: "[]" }, []],
  ])("%o → %o", (campaign, expected) => {
    expect(effectiveAllowedDomains(campaign)).toEqual(expected);
  });
});

describe("allowedDomains schema", () => {
  it.each([
    [
      ["Example.COM", " shop.acme.io "],
      ["example.com", "shop.acme.io"],
    ],
    [
      ["localhost", "127.0.0.1"],
      ["localhost", "127.0.0.1"],
    ],
    [[], []],
  ])("accepts %o", (input, output) => {
    expect(allowedDomains.parse(input)).toEqual(output);
  });

  it.each([
    [["https://example.com"]],
    [["example.com/path"]],
    [["example.com:8080"]],
    [["*.example.com"]],
    [["-bad.example.com"]],
    [["example..com"]],
    [[""]],
    [["example.com", "EXAMPLE.com"]],
    [Array.from({ length: 21 }, (_, i) => `s${i}.example.com`)],
  ])("refuses %o", (input) => {
    expect(allowedDomains.safeParse(input).success).toBe(false);
  });
});
