// A one-click join link in Debian's Chromium: the owner emails Sara a signed link to their /refer page, which
// carries the tracking code and the dashboard widget. Opening it shows Sara's ambassador view with her own
// referral link, takes rh_email and rh_sig out of the address bar, and records no referral — even in a browser
// Mark referred before, and even with a referral code pasted onto the link. A tampered link shows a clear
// message and the sign-up form; so does an expired one.
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dialects, type TestServer } from "../packages/server/test/support/test-server.js";
import { builtWidgets } from "../packages/widgets/test/support/built-script.js";
import { launchChromium, screenshotPath } from "./support/chromium.js";
import { type CustomerSite, serveSite } from "./support/site.js";
import { startAcmeVouch } from "./support/vouch.js";

/** The owner's site: the tracking code in every <head>; the dashboard widget on /refer. */
function startSite(trackingCode: string, widgetScript: string): Promise<CustomerSite> {
  const page = (title: string, body: string) => `<!doctype html><html lang="en"><head>
<meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${title}</title>
${trackingCode}
<style>body{font:16px Georgia,serif;margin:0;padding:32px;background:#f3f4f6;color:#1f2937}
main{max-width:620px;margin:0 auto}</style></head>
<body><main><h1>${title}</h1>${body}</main>${widgetScript}</body></html>`;
  const pages: Record<string, string> = {
    "/": page("Acme App", "<p>The app your friends use.</p>"),
    "/refer": page("Your Acme referrals", '<div data-vouch="dashboard" style="min-height:600px"></div>'),
  };
  return serveSite(pages);
}

describe.each(dialects)("join link in Chromium on $name", (dialect) => {
  let browser: Browser;
  let vouch: TestServer;
  let site: CustomerSite;
  let campaign: any;
  let mark: any;
  // Real time, which the last test moves past a link's expiry.
  let offset = 0;
  const pageErrors: Error[] = [];
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    builtWidgets();
    const acme = await startAcmeVouch(dialect, { clock: () => Date.now() + offset });
    ({ vouch, campaign } = acme);
    site = await startSite(acme.trackingCode, acme.widgetScript);
    await acme.useSite(site.origin);
    mark = await acme.addAmbassador("mark@example.com", "Mark James");
    browser = await launchChromium();
  });

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await site?.close();
    await vouch?.close();
  });

  async function newVisitor(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 760, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    page.on("pageerror", (e) => pageErrors.push(e));
    return page;
  }

  const stats = async () => (await vouch.api("GET", `/api/v1/campaigns/${campaign.id}/stats`)).body;
  const subscriber = async (email: string) =>
    (
      await vouch.api(
        "GET",
        `/api/v1/campaigns/${campaign.id}/subscribers?search=${encodeURIComponent(email)}`,
      )
    ).body.data[0];
  const issue = async (body: Record<string, unknown>) =>
    (await vouch.api("POST", `/api/v1/campaigns/${campaign.id}/join-links`, body)).body.url as string;

  it("shows Sara her dashboard, clears the address bar and records no referral, in a browser Mark referred", async () => {
    const page = await newVisitor();
    // Sara came through Mark's link once: the pixel remembers Mark in its cookie and records the visit.
    await page.goto(`${site.origin}/?mwr=${mark.code}`);
    await expect.poll(async () => (await stats()).referred_visits).toBe(1);

    // The owner emails Sara a join link; someone (or a mail client) pastes Mark's code onto it as well.
    const link = await issue({ email: "sara@example.com", name: "Sara Smith", url: `${site.origin}/refer` });
    expect(new URL(link).searchParams.get("rh_email")).toBe("sara@example.com");
    const joins: number[] = [];
    page.on("response", (r) => {
      if (r.url().endsWith("/join")) joins.push(r.status());
    });
    await page.goto(`${link}&mwr=${mark.code}`);

    await page.getByRole("heading", { name: "You're in, Sara!" }).waitFor();
    const sara = await subscriber("sara@example.com");
    expect(await page.getByLabel("Your referral link", { exact: true }).inputValue()).toBe(
      `${site.origin}/?mwr=${sara.code}`,
    );
    expect(joins).toEqual([201]);
    // The address bar keeps the page, without the link's parameters (nor the pasted referral code).
    await expect.poll(() => page.url()).toBe(`${site.origin}/refer`);
    expect(await page.evaluate(() => location.search)).toBe("");
    await page.screenshot({ path: screenshotPath("join-link-dashboard") });

    // Never a referral: Sara joined unreferred, and no visit was recorded for the link.
    expect(sara).toMatchObject({ name: "Sara Smith", referred_by: null });
    const after = await stats();
    expect(after.visits).toBe(1);
    expect(after.referred_visits).toBe(1);
    expect((await subscriber("mark@example.com")).people_referred).toBe(0);

    // Reloaded (or opened again later), the page shows her dashboard from the stored session.
    await page.reload();
    await page.getByRole("heading", { name: "Welcome back, Sara" }).waitFor();
    expect(joins).toEqual([201]);
    expect(pageErrors).toEqual([]);
  });

  it("opened again in another browser, finds the same ambassador", async () => {
    const page = await newVisitor();
    const link = await issue({ email: "sara@example.com", url: `${site.origin}/refer` });
    await page.goto(link);
    await page.getByRole("heading", { name: "Welcome back, Sara" }).waitFor();
    const sara = await subscriber("sara@example.com");
    expect(await page.getByLabel("Your referral link", { exact: true }).inputValue()).toBe(
      `${site.origin}/?mwr=${sara.code}`,
    );
    const list = await vouch.api("GET", `/api/v1/campaigns/${campaign.id}/subscribers?search=sara@`);
    expect(list.body.total).toBe(1);
  });

  it("shows a tampered link's problem above the sign-up form, and clears it from the address bar", async () => {
    const page = await newVisitor();
    const link = new URL(await issue({ email: "lena@example.com", url: `${site.origin}/refer` }));
    link.searchParams.set("rh_email", "mallory@example.com");
    await page.goto(link.toString());
    await page.getByRole("alert").filter({ hasText: "This link is not valid" }).waitFor();
    expect(await page.getByLabel("Email", { exact: true }).count()).toBe(1);
    await expect.poll(() => page.url()).toBe(`${site.origin}/refer`);
    await page.screenshot({ path: screenshotPath("join-link-invalid") });
    expect(await subscriber("mallory@example.com")).toBeUndefined();
  });

  it("says so when the link has expired", async () => {
    const page = await newVisitor();
    const link = await issue({ email: "olga@example.com", url: `${site.origin}/refer`, expires_in_days: 1 });
    offset = 2 * 86_400_000;
    await page.goto(link);
    await page.getByRole("alert").filter({ hasText: "This link has expired" }).waitFor();
    expect(await page.getByLabel("Email", { exact: true }).count()).toBe(1);
    expect(await subscriber("olga@example.com")).toBeUndefined();
  });
});
