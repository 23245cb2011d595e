import { describe, expect, it } from "vitest";
import { renderVerifyEmail } from "./verify-email.js";

describe("the verification email", () => {
  const input = {
    campaignName: "Acme <App>",
    siteUrl: "https://www.acme.example.com/join",
    name: 'Sara "S" Lee',
    link: "https://vouch.example.com/verify/vrf_x.y?a=1&b=2",
    expiresAt: Date.UTC(2026, 11, 1, 12),
  };

  it("names the program, the site, the person, the link and its expiry in the text", () => {
    const { subject, text } = renderVerifyEmail(input);
    expect(subject).toBe("Confirm your email for Acme <App>");
    expect(text).toContain('Hi Sara "S" Lee,');
    expect(text).toContain("on www.acme.example.com.");
    expect(text).toContain(`\n${input.link}\n`);
    expect(text).toContain("Tue, 01 Dec 2026 12:00:00 GMT");
  });

  it("escapes what it puts in HTML", () => {
    const { html } = renderVerifyEmail(input);
    expect(html).toContain("Acme &lt;App&gt;");
    expect(html).toContain("Sara &quot;S&quot; Lee");
    expect(html).toContain('href="https://vouch.example.com/verify/vrf_x.y?a=1&amp;b=2"');
    expect(html).not.toContain("<App>");
  });

  it("greets without a name when there is none", () => {
    expect(renderVerifyEmail({ ...input, name: null }).text.startsWith("Hi,\n")).toBe(true);
  });
});
