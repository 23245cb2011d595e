// The seed's step-by-step example, for real: Mark's link, Sara's visit across three pages, the thank-you page's
// rht("track", "download", {...}), the conversion attributed once — in Debian's Chromium, site and Vouch on
// different origins.
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Receiver } from "../packages/server/test/support/receiver.js";
import { dialects, type TestServer } from "../packages/server/test/support/test-server.js";
import { launchChromium, screenshotPath } from "./support/chromium.js";
import { type CustomerSite, startCustomerSite } from "./support/site.js";
import { startAcmeVouch } from "./support/vouch.js";

describe.each(dialects)("referral journey in Chromium on $name", (dialect) => {
  let browser: Browser;
  let vouch: TestServer;
  let site: CustomerSite;
  let campaign: any;
  let mark: any;
  let receiver: Receiver;
  const contexts: BrowserContext[] = [];
  const pageErrors: Error[] = [];

  beforeAll(async () => {
    const acme = await startAcmeVouch(dialect);
    ({ vouch, campaign } = acme);
    site = await startCustomerSite({ trackingCode: acme.trackingCode });
    await acme.useSite(site.origin);
    // The owner's server listens for the seed's "Event tracked" webhook.
    receiver = await Receiver.start();
    const hook = await vouch.api("POST", `/api/v1/campaigns/${campaign.id}/webhooks`, {
      url: receiver.url(),
      events: ["event_conversion"],
    });
    receiver.useSecret(hook.body.secret);
    // The seed's program: when 3 people referred by Mark download the app, Mark gets a free account.
    await vouch.api("POST", `/api/v1/campaigns/${campaign.id}/reward-rules`, {
      name: "Free account",
      event: "download",
      referrals_required: 3,
      description: "A free account when 3 friends download the app",
    });
    mark = await acme.addAmbassador("mark@example.com", "Mark James");
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await receiver?.close();
    await site?.close();
    await vouch?.close();
  });

  async function visitor(): Promise<Page> {
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    page.on("pageerror", (e) => pageErrors.push(e));
    return page;
  }

  /** Opens a page and waits until the pixel's request to Vouch has been answered. */
  async function gotoAndWaitFor(page: Page, url: string, collect: "visit" | "track") {
    const answered = page.waitForResponse((r) => r.url().endsWith(`/api/v1/collect/${collect}`));
    await page.goto(url);
    const response = await answered;
    return { status: response.status(), body: await response.json() };
  }

  const markNow = async () => (await vouch.api("GET", `/api/v1/subscribers/${mark.id}`)).body;
  const conversions = async () =>
    (await vouch.api("GET", `/api/v1/campaigns/${campaign.id}/conversions`)).body.data;

  /** A friend follows Mark's link, walks the funnel and reaches the thank-you page. */
  async function friendConverts(email: string, tx: string) {
    const page = await visitor();
    const landing = await gotoAndWaitFor(page, mark.referral_link, "visit");
    expect(landing.status).toBe(201);
    expect(landing.body.referred).toBe(true);
    await page.click("text=Details");
    await page.click("text=Download");
    await page.goto(`${site.origin}/download`);
    const track = await gotoAndWaitFor(
      page,
      `${site.origin}/thank-you?email=${encodeURIComponent(email)}&tx=${tx}`,
      "track",
    );
    return { page, track };
  }

  it("Sara follows Mark's link and her download is attributed to Mark", async () => {
    expect(mark.referral_link).toBe(`${site.origin}/?mwr=${mark.code}`);
    const { page, track } = await friendConverts("sara@example.com", "TRX_123");
    expect(track.status).toBe(201);
    expect(track.body).toMatchObject({ created: true, referred: true });
    await page.waitForSelector("body[data-tracked=yes]");
    await page.screenshot({ path: screenshotPath("journey-thank-you") });

    const cookies = await page.context().cookies(site.origin);
    const referral = cookies.find((c) => c.name.startsWith("vouch_"));
    expect(referral?.sameSite).toBe("Lax");
    expect(referral?.value).not.toContain("sara");

    expect((await markNow()).people_referred).toBe(1);
    const [row] = await conversions();
    expect(row).toMatchObject({
      event: "download",
      email: "sara@example.com",
      first_name: "John",
      last_name: "Smith",
      amount: 15.7,
      currency: "USD",
      transaction_id: "TRX_123",
      verified: false,
      referrer_code: mark.code,
      subscriber_id: mark.id,
    });

    // The owner's server receives one signed event_conversion, in the seed's shape.
    const [delivery] = await receiver.waitFor(1);
    expect(delivery?.verification).toBe("ok");
    expect(delivery?.headers["webhook-id"]).toMatch(/^msg_/);
    expect(delivery?.json).toEqual({
      response: "event_conversion",
      list_uuid: campaign.id,
      event_name: "download",
      event_data: {
        id: row.id,
        currency: "USD",
        amount: 15.7,
        transaction_id: "TRX_123",
        source: "direct_visit",
        first_name: "John",
        last_name: "Smith",
        email: "sara@example.com",
        created_at: Math.floor(Date.parse(row.created_at) / 1000),
      },
      referrer: {
        subscriber_id: mark.id,
        name: "Mark James",
        email: "mark@example.com",
        extra_field: null,
        extra_field_2: null,
        code: mark.code,
        referral_link: mark.referral_link,
        people_referred: 1,
      },
    });
  });

  it("a second friend makes two", async () => {
    const { track } = await friendConverts("tom@example.com", "TRX_124");
    expect(track.body.referred).toBe(true);
    expect((await markNow()).people_referred).toBe(2);
    const deliveries = await receiver.waitFor(2);
    expect(deliveries[1]?.json).toMatchObject({
      event_data: { email: "tom@example.com" },
      referrer: { people_referred: 2 },
    });
    expect(deliveries[1]?.verification).toBe("ok");
  });

  it("the same email again changes nothing", async () => {
    const { track } = await friendConverts("sara@example.com", "TRX_125");
    expect(track.status).toBe(200);
    expect(track.body.created).toBe(false);
    expect((await markNow()).people_referred).toBe(2);
    expect(await conversions()).toHaveLength(2);
    // A repeat sends nothing: give the worker time to (not) deliver.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(receiver.requests).toHaveLength(2);
  });

  it("a visitor with no referral converts organically", async () => {
    const page = await visitor();
    await page.goto(`${site.origin}/`);
    const track = await gotoAndWaitFor(
      page,
      `${site.origin}/thank-you?email=nobody@example.com&tx=TRX_200`,
      "track",
    );
    expect(track.body).toMatchObject({ created: true, referred: false });
    expect((await markNow()).people_referred).toBe(2);
    const organic = (await conversions()).find((c: any) => c.email === "nobody@example.com");
    expect(organic).toMatchObject({ subscriber_id: null, source: "direct_visit" });
  });

  it("the conversion snippet placed before the script has loaded still works", async () => {
    const page = await visitor();
    await gotoAndWaitFor(page, mark.referral_link, "visit");
    // Hold the script back so that the thank-you page's rht() call runs against the loader's queue.
    let held = 0;
    await page.context().route("**/pixel/rht.js", async (route) => {
      held++;
      await new Promise((r) => setTimeout(r, 400));
      await route.continue();
    });
    const track = await gotoAndWaitFor(
      page,
      `${site.origin}/thank-you?email=late@example.com&tx=TRX_300`,
      "track",
    );
    expect(held).toBeGreaterThan(0);
    expect(track.body).toMatchObject({ created: true, referred: true });
    expect((await markNow()).people_referred).toBe(3);
  });

  it("counts the visits and conversions by source", async () => {
    const stats = (await vouch.api("GET", `/api/v1/campaigns/${campaign.id}/stats`)).body;
    expect(stats).toMatchObject({ visits: 4, referred_visits: 4, conversions: 4, referred_conversions: 3 });
  });

  it("sent one webhook per attributed conversion, none for the organic one", async () => {
    const deliveries = await receiver.waitFor(3);
    expect(deliveries.map((d) => (d.json as any).event_data.email)).toEqual([
      "sara@example.com",
      "tom@example.com",
      "late@example.com",
    ]);
    expect(new Set(deliveries.map((d) => d.headers["webhook-id"])).size).toBe(3);
  });

  it("Mark's reward unlocked after his third friend, once", async () => {
    const now = await markNow();
    expect(now.people_referred).toBe(3);
    expect(now.rewards).toHaveLength(1);
    expect(now.rewards[0]).toMatchObject({
      name: "Free account",
      status: "sent",
      recipient_email: "mark@example.com",
    });
    const converted = await conversions();
    const byEmail = (email: string) => converted.find((c: any) => c.email === email)?.id;
    expect(now.rewards[0].conversions).toEqual(
      ["sara@example.com", "tom@example.com", "late@example.com"].map(byEmail),
    );
    expect(now.progress).toEqual([
      expect.objectContaining({ name: "Free account", have: 3, need: 3, complete: true }),
    ]);
  });

  it("threw nothing into the host pages", () => {
    expect(pageErrors).toEqual([]);
  });
});
