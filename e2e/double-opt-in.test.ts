// Double opt-in in Chromium: Ann signs up through the widget on a campaign that asks for confirmation, is told
// to check her email (a resend right away is refused politely), follows the link the development mailer printed
// and presses its "Confirm my email" button (opening the link alone confirms nothing), and the widget — on the
// sign-up page and on the dashboard page — then shows her as confirmed.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dialects, type TestServer } from "../packages/server/test/support/test-server.js";
import { builtWidgets } from "../packages/widgets/test/support/built-script.js";
import { launchChromium, screenshotPath } from "./support/chromium.js";
import { type CustomerSite, serveSite } from "./support/site.js";
import { startAcmeVouch } from "./support/vouch.js";

function startSite(widgetScript: string): Promise<CustomerSite> {
  const page = (title: string, body: string) => `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>${title}</title>
<style>body{font:16px system-ui,sans-serif;margin:0;padding:32px;background:#f3f4f6}main{max-width:620px;margin:0 auto}</style>
</head><body><main><h1>${title}</h1>${body}</main>${widgetScript}</body></html>`;
  const pages: Record<string, string> = {
    "/join": page("Invite your friends", '<div data-vouch="signup" style="min-height:520px"></div>'),
    "/dashboard": page("Your referrals", '<div data-vouch="dashboard" style="min-height:600px"></div>'),
  };
  return serveSite(pages);
}

describe.each(dialects)("double opt-in in Chromium on $name", (dialect) => {
  let browser: Browser;
  let vouch: TestServer;
  let site: CustomerSite;
  const printed: string[] = [];
  const pageErrors: Error[] = [];

  beforeAll(async () => {
    builtWidgets();
    // The development mailer (no SMTP_URL), printing where the test reads it; the mail worker runs as in production.
    const acme = await startAcmeVouch(
      dialect,
      { printMail: (text) => printed.push(text) },
      { double_opt_in: true },
    );
    vouch = acme.vouch;
    site = await startSite(acme.widgetScript);
    await acme.useSite(site.origin);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await vouch?.close();
  });

  it("sign-up → check your email → the emailed link → confirmed in the widget", async () => {
    const context = await browser.newContext({ viewport: { width: 760, height: 1000 } });
    const page = await context.newPage();
    page.on("pageerror", (e) => pageErrors.push(e));

    await page.goto(`${site.origin}/join`);
    await page.getByLabel("Email", { exact: true }).fill("ann@example.com");
    await page.getByLabel("Name (optional)").fill("Ann Lee");
    await page.getByLabel("I agree to receive emails about the referral program.").check();
    await page.getByRole("button", { name: "Get my referral link" }).click();

    // 1. Told to check her email, with her link already there to share.
    await page.getByRole("heading", { name: "Check your email to confirm" }).waitFor();
    await page.getByText("We sent a confirmation link to").waitFor();
    expect(await page.getByRole("textbox", { name: "Your referral link" }).inputValue()).toMatch(/\?mwr=/);
    await page.screenshot({ path: screenshotPath(`double-opt-in-check-email-${dialect.name}`) });

    // 2. Sending again at once is too soon: she is told when she may.
    await page.getByRole("button", { name: "Send the email again" }).click();
    await page.getByText(/A confirmation email was sent recently; ask again in \d+ seconds/).waitFor();

    // 3. The email, as the development mailer printed it, and its link.
    await expect.poll(() => printed.length, { timeout: 10_000 }).toBe(1);
    expect(printed[0]).toContain("To: ann@example.com");
    const link = /http:\/\/127\.0\.0\.1:\d+\/verify\/\S+/.exec(printed[0] as string)?.[0] as string;
    expect(link).toBeDefined();
    // Opening it confirms nothing (a mail scanner opens links too): it asks her to press the button.
    const mailTab = await context.newPage();
    const opened = await mailTab.goto(link);
    expect(opened?.status()).toBe(200);
    await mailTab.getByRole("heading", { name: "Confirm your email for Acme App" }).waitFor();
    await mailTab.screenshot({ path: screenshotPath(`double-opt-in-confirm-page-${dialect.name}`) });
    expect(
      (await vouch.api("GET", `/api/v1/subscribers/${await subscriberId("ann@example.com")}`)).body.verified,
    ).toBe(false);
    // A plain form POST back to the link's own address, which answers with the confirmed page.
    const [confirmed] = await Promise.all([
      mailTab.waitForResponse((r) => r.request().method() === "POST" && r.url() === link),
      mailTab.getByRole("button", { name: "Confirm my email" }).click(),
    ]);
    expect(confirmed.status()).toBe(200);
    await mailTab.getByRole("heading", { name: "Your email is confirmed" }).waitFor();
    await mailTab.screenshot({ path: screenshotPath(`double-opt-in-confirmed-page-${dialect.name}`) });
    expect(await mailTab.getByRole("link", { name: "Continue to Acme App" }).getAttribute("href")).toBe(
      `${site.origin}/`,
    );
    await mailTab.close();

    // 4. Back on the site: the widget shows her confirmed.
    await page.bringToFront();
    await page.getByRole("button", { name: "I've confirmed it" }).click();
    await page.getByRole("heading", { name: "You're in, Ann!" }).waitFor();
    expect(await page.getByText("We sent a confirmation link to").count()).toBe(0);

    // 5. The dashboard page, in the same browser: the returning ambassador, confirmed.
    await page.goto(`${site.origin}/dashboard`);
    await page.getByRole("heading", { name: "Welcome back, Ann" }).waitFor();
    expect(await page.getByRole("button", { name: "Send the email again" }).count()).toBe(0);
    await page.screenshot({ path: screenshotPath(`double-opt-in-dashboard-${dialect.name}`) });

    const list = await vouch.api("GET", `/api/v1/subscribers/${await subscriberId("ann@example.com")}`);
    expect(list.body.verified).toBe(true);
    expect(pageErrors).toEqual([]);
    await context.close();
  }, 60_000);

  async function subscriberId(email: string): Promise<string> {
    const campaigns = (await vouch.api("GET", "/api/v1/campaigns")).body.data;
    const res = await vouch.api("GET", `/api/v1/campaigns/${campaigns[0].id}/subscribers?search=${email}`);
    return res.body.data[0].id;
  }
});
