// The embeddable widgets, built, in Debian's Chromium: a customer's site on one origin with the tracking code
// and the widget script, Vouch on another. Sign-up with validation, the ambassador view, copy and share, a
// friend referred by Mark joining through the widget, a returning ambassador, keyboard-only use, hostile host
// CSS, and no layout shift while the script loads.
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dialects, type TestServer } from "../packages/server/test/support/test-server.js";
import { builtWidgets } from "../packages/widgets/test/support/built-script.js";
import { launchChromium, screenshotPath } from "./support/chromium.js";
import { type CustomerSite, serveSite } from "./support/site.js";
import { startAcmeVouch } from "./support/vouch.js";

/** What a site owner reserves for the sign-up form, so that the page does not move when it renders. */
const RESERVED = 500;

/** The customer's site: the tracking code in every <head>, and the widget snippet where the owner wants it. */
function startWidgetSite(trackingCode: string, widgetScript: string): Promise<CustomerSite> {
  const page = (title: string, body: string, style = "") => `<!doctype html><html lang="en"><head>
<meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${title}</title>
${trackingCode}
<style>body{font:16px Georgia,serif;margin:0;padding:32px;background:#f3f4f6;color:#1f2937}
main{max-width:620px;margin:0 auto}${style}</style></head>
<body><main><h1>${title}</h1>${body}</main>${widgetScript}</body></html>`;
  const pages: Record<string, string> = {
    "/join": page(
      "Acme App: invite your friends",
      `<div data-vouch="signup" data-extra-field="Company" style="min-height:${RESERVED}px"></div>
<p id="below">The rest of Acme's page.</p>`,
    ),
    "/dashboard": page("Your Acme referrals", '<div data-vouch="dashboard" style="min-height:600px"></div>'),
    "/hostile": page(
      "A site with heavy-handed CSS",
      '<h2 id="host-h2">The site\'s own heading</h2><div data-vouch="signup" style="min-height:460px"></div>',
      "*{color:red !important;font-size:40px;font-family:monospace !important;line-height:3}h2{font-size:40px}input,button{all:unset}",
    ),
  };
  return serveSite(pages);
}

describe.each(dialects)("widgets in Chromium on $name", (dialect) => {
  let browser: Browser;
  let vouch: TestServer;
  let site: CustomerSite;
  let campaign: any;
  let mark: any;
  const pageErrors: Error[] = [];
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    builtWidgets();
    const acme = await startAcmeVouch(dialect);
    ({ vouch, campaign } = acme);
    site = await startWidgetSite(acme.trackingCode, acme.widgetScript);
    await acme.useSite(site.origin);
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
    await site?.close();
    await vouch?.close();
  });

  async function newVisitor(
    options: { clipboard?: boolean } = {},
  ): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport: { width: 760, height: 900 } });
    if (options.clipboard) {
      await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: site.origin });
    }
    // The share networks are not reachable from here: their pages answer locally.
    await context.route(/twitter\.com|facebook\.com|linkedin\.com|wa\.me|t\.me/, (route) =>
      route.fulfill({ status: 200, contentType: "text/html", body: "<p>share page</p>" }),
    );
    contexts.push(context);
    const page = await context.newPage();
    page.on("pageerror", (e) => pageErrors.push(e));
    return { context, page };
  }

  const widget = (page: Page) => page.locator("[data-vouch]");
  const subscriber = async (email: string) =>
    (
      await vouch.api(
        "GET",
        `/api/v1/campaigns/${campaign.id}/subscribers?search=${encodeURIComponent(email)}`,
      )
    ).body.data[0];
  /** POSTs to the sign-up endpoint made by this page (preflights aside). */
  const signupPosts = (page: Page) => {
    const posts: string[] = [];
    page.on("request", (r) => {
      if (r.method() === "POST" && r.url().endsWith("/signup")) posts.push(r.url());
    });
    return posts;
  };

  let ann: { context: BrowserContext; page: Page };

  it("renders the sign-up form, validates it inline, and signs up once however often it is submitted", async () => {
    ann = await newVisitor({ clipboard: true });
    const { page } = ann;
    const posts = signupPosts(page);
    await page.goto(`${site.origin}/join`);
    await expect.poll(() => page.getByLabel("Email", { exact: true }).count()).toBe(1);
    await expect.poll(() => page.getByLabel("Company (optional)").count()).toBe(1);
    await page.screenshot({ path: screenshotPath("widgets-signup-page") });
    await widget(page).screenshot({ path: screenshotPath("widgets-signup") });

    await page.getByRole("button", { name: "Get my referral link" }).click();
    await page.getByText("Enter your email address.").waitFor();
    await page.getByText("Please accept to join.").waitFor();
    expect(await page.getByLabel("Email", { exact: true }).getAttribute("aria-invalid")).toBe("true");
    // The first field in error has the focus, inside the widget's shadow root.
    expect(
      await page.evaluate(() => document.querySelector("[data-vouch]")?.shadowRoot?.activeElement?.id),
    ).toBe("email");
    await page.getByLabel("Email", { exact: true }).fill("ann@example");
    await page.getByText("Enter a valid email address, like name@example.com.").waitFor();
    await widget(page).screenshot({ path: screenshotPath("widgets-signup-errors") });
    expect(posts).toHaveLength(0);

    await page.getByLabel("Email", { exact: true }).fill("ann@example.com");
    await page.getByLabel("Name (optional)").fill("Ann Lee");
    await page.getByLabel("Company (optional)").fill("Lee & Co");
    await page.getByLabel("I agree to receive emails about the referral program.").check();
    expect(await page.getByText("Please accept to join.").count()).toBe(0);
    // A double click (and an Enter on top) sends one request.
    await page.getByRole("button", { name: "Get my referral link" }).dblclick();
    await page.getByRole("heading", { name: "You're in, Ann!" }).waitFor();
    expect(posts).toHaveLength(1);

    const ambassador = await subscriber("ann@example.com");
    expect(ambassador).toMatchObject({ name: "Ann Lee", extra_field: "Lee & Co", referred_by: null });
    expect(await page.getByLabel("Your referral link", { exact: true }).inputValue()).toBe(
      ambassador.referral_link,
    );
    await page.getByText("0 of 3 friends downloaded — 3 more for a free account").waitFor();
    await page.getByText("No friends yet. Share your link to get started.").waitFor();
    const stored = await page.evaluate(() =>
      Object.keys(localStorage).filter((k) => k.startsWith("vouch_session_")),
    );
    expect(stored).toHaveLength(1);
    await widget(page).screenshot({ path: screenshotPath("widgets-joined") });
  });

  it("copies the link and opens each share page with the link tagged mws=<network>, counting the share", async () => {
    const { page, context } = ann;
    await page.getByRole("button", { name: "Copy" }).click();
    await page.getByRole("button", { name: "Copied!" }).waitFor();
    const link = await page.getByLabel("Your referral link", { exact: true }).inputValue();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(link);

    for (const network of ["twitter", "facebook", "linkedin", "whatsapp", "telegram", "email"]) {
      const href = (await page.locator(`a[data-network=${network}]`).getAttribute("href")) ?? "";
      expect(decodeURIComponent(href)).toContain(`${link}&mws=${network}`);
    }
    const counted = page.waitForResponse(
      (r) => r.url().endsWith("/share") && r.request().method() === "POST",
    );
    const popup = context.waitForEvent("page");
    await page.getByRole("link", { name: /X \(Twitter\)/ }).click();
    const opened = await popup;
    expect(opened.url()).toMatch(/^https:\/\/twitter\.com\/intent\/tweet\?/);
    expect(new URL(opened.url()).searchParams.get("url")).toBe(`${link}&mws=twitter`);
    expect(await (await counted).json()).toEqual({ network: "twitter", shares: 1 });
    await opened.close();
    // The QR code is drawn inline, from the link tagged mws=qr.
    expect(await page.getByRole("img", { name: "QR code of your referral link" }).count()).toBe(1);
  });

  it("shows a returning ambassador their view on another page, without signing up again", async () => {
    const { page } = ann;
    const posts = signupPosts(page);
    await page.goto(`${site.origin}/dashboard`);
    await page.getByRole("heading", { name: "Welcome back, Ann" }).waitFor();
    expect(await page.getByLabel("Email", { exact: true }).count()).toBe(0);
    await page.goto(`${site.origin}/join`);
    await page.getByRole("heading", { name: "Welcome back, Ann" }).waitFor();
    expect(posts).toHaveLength(0);
    await widget(page).screenshot({ path: screenshotPath("widgets-returning") });
  });

  it("records a friend who came through Mark's link and joined through the widget as referred by Mark", async () => {
    const { page } = await newVisitor();
    const visit = page.waitForResponse((r) => r.url().endsWith("/api/v1/collect/visit"));
    await page.goto(`${site.origin}/join?mwr=${mark.code}`);
    expect((await visit).status()).toBe(201);
    await page.getByLabel("Email", { exact: true }).fill("sara@example.com");
    await page.getByLabel("Name (optional)").fill("Sara Smith");
    await page.getByLabel("I agree to receive emails about the referral program.").check();
    await page.getByRole("button", { name: "Get my referral link" }).click();
    await page.getByRole("heading", { name: "You're in, Sara!" }).waitFor();
    const sara = await subscriber("sara@example.com");
    expect(sara.referred_by).toBe(mark.id);
    // Sara's own link is hers, not Mark's.
    expect(await page.getByLabel("Your referral link", { exact: true }).inputValue()).toBe(
      sara.referral_link,
    );
  });

  it("shows Mark his progress, his friends masked and his reward once earned", async () => {
    for (const email of ["sara@example.com", "tom@example.com"]) {
      const res = await vouch.api("POST", `/api/v1/campaigns/${campaign.id}/conversions`, {
        event: "download",
        email,
        referral_code: mark.code,
      });
      expect(res.status).toBe(201);
    }
    const { page } = await newVisitor();
    await page.goto(`${site.origin}/dashboard`);
    await page.getByLabel("Email", { exact: true }).fill("mark@example.com");
    await page.getByLabel("I agree to receive emails about the referral program.").check();
    await page.getByRole("button", { name: "Get my referral link" }).click();
    await page.getByText("2 of 3 friends downloaded — one more for a free account").waitFor();
    await page.getByText("s***@example.com").waitFor();
    await page.getByText("t***@example.com").waitFor();
    expect(
      await page.locator("[data-vouch]").evaluate((el) => el.shadowRoot?.textContent ?? ""),
    ).not.toContain("sara@");
    await widget(page).screenshot({ path: screenshotPath("widgets-dashboard") });

    await vouch.api("POST", `/api/v1/campaigns/${campaign.id}/conversions`, {
      event: "download",
      email: "lee@example.com",
      referral_code: mark.code,
    });
    await page.reload();
    await page.getByText("Free account: unlocked").waitFor();
    await page.getByText("Sent").waitFor();
    await widget(page).screenshot({ path: screenshotPath("widgets-dashboard-reward") });
    await page.getByRole("button", { name: "Not you? Sign out" }).click();
    await page.getByLabel("Email", { exact: true }).waitFor();
  });

  it("works with the keyboard alone: Tab through the fields in order, Enter submits", async () => {
    const { page } = await newVisitor();
    await page.goto(`${site.origin}/join`);
    await page.getByLabel("Email", { exact: true }).waitFor();
    const focused = () =>
      page.evaluate(() => {
        const active = document.querySelector("[data-vouch]")?.shadowRoot
          ?.activeElement as HTMLElement | null;
        return active ? active.id || active.textContent : null;
      });
    await page.keyboard.press("Tab");
    expect(await focused()).toBe("email");
    await page.keyboard.type("kim@example.com");
    await page.keyboard.press("Tab");
    expect(await focused()).toBe("name");
    await page.keyboard.type("Kim Park");
    await page.keyboard.press("Tab");
    expect(await focused()).toBe("extra_field");
    await page.keyboard.press("Tab");
    expect(await focused()).toBe("consent");
    await page.keyboard.press("Space");
    await page.keyboard.press("Tab");
    expect(await focused()).toBe("Get my referral link");
    await widget(page).screenshot({ path: screenshotPath("widgets-keyboard-focus") });
    await page.keyboard.press("Shift+Tab");
    await page.keyboard.press("Shift+Tab");
    await page.keyboard.press("Shift+Tab");
    expect(await focused()).toBe("name");
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "You're in, Kim!" }).waitFor();
    // The new view takes the focus; Tab reaches the link, then Copy.
    expect(await focused()).toBe("You're in, Kim!");
    await page.keyboard.press("Tab");
    expect(await focused()).toBe("link");
    await page.keyboard.press("Tab");
    expect(await focused()).toBe("Copy");
    expect((await subscriber("kim@example.com"))?.name).toBe("Kim Park");
  });

  it("keeps its own look under hostile host CSS, and leaves the host's styles alone", async () => {
    const { page } = await newVisitor();
    await page.goto(`${site.origin}/hostile`);
    await page.getByLabel("Email", { exact: true }).waitFor();
    const style = (selector: string) =>
      page.evaluate((s) => {
        const el = document.querySelector("[data-vouch]")?.shadowRoot?.querySelector(s);
        const cs = el ? getComputedStyle(el) : null;
        return cs && { color: cs.color, fontSize: cs.fontSize, fontFamily: cs.fontFamily, height: cs.height };
      }, selector);
    const label = await style("label");
    expect(label?.color).not.toBe("rgb(255, 0, 0)");
    expect(label?.fontSize).toBe("14px");
    expect(label?.fontFamily).not.toMatch(/monospace/);
    const button = await style("button");
    expect(button?.color).toBe("rgb(255, 255, 255)");
    expect(Number.parseFloat(button?.height ?? "0")).toBeGreaterThanOrEqual(44);
    // The widget's own h2 rule stays inside its shadow root.
    const hostHeading = await page.evaluate(() =>
      getComputedStyle(document.getElementById("host-h2") as Element),
    );
    expect(hostHeading).toBeTruthy();
    expect(
      await page.evaluate(() => getComputedStyle(document.getElementById("host-h2") as Element).fontSize),
    ).toBe("40px");
    await page.screenshot({ path: screenshotPath("widgets-hostile-css") });
    await page.getByLabel("Email", { exact: true }).fill("hostile@example.com");
    await page.getByLabel("I agree to receive emails about the referral program.").check();
    await page.getByRole("button", { name: "Get my referral link" }).click();
    await page.getByRole("heading", { name: "You're in!" }).waitFor();
  });

  it("does not move the page while the script loads and the form renders", async () => {
    const { page, context } = await newVisitor();
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    await context.route("**/widgets/widgets.js", async (route) => {
      await held;
      await route.continue();
    });
    await page.goto(`${site.origin}/join`, { waitUntil: "domcontentloaded" });
    const top = () => page.evaluate(() => document.getElementById("below")?.getBoundingClientRect().top);
    const before = await top();
    release();
    await page.getByLabel("Email", { exact: true }).waitFor();
    expect(await top()).toBe(before);
    const height = await widget(page).evaluate((el) => el.getBoundingClientRect().height);
    expect(height).toBe(RESERVED);
  });

  it("fits a phone's width: nothing overflows the form or the ambassador view", async () => {
    const { page } = await newVisitor();
    await page.setViewportSize({ width: 360, height: 780 });
    await page.goto(`${site.origin}/join`);
    await page.getByLabel("Email", { exact: true }).waitFor();
    const overflow = () =>
      page.evaluate(() => {
        const card = document.querySelector("[data-vouch]")?.shadowRoot?.querySelector(".v") as HTMLElement;
        return {
          page: document.documentElement.scrollWidth > innerWidth,
          card: card.scrollWidth > card.clientWidth,
        };
      });
    expect(await overflow()).toEqual({ page: false, card: false });
    await page.getByLabel("Email", { exact: true }).fill("phone@example.com");
    await page.getByLabel("I agree to receive emails about the referral program.").check();
    await page.getByRole("button", { name: "Get my referral link" }).click();
    await page.getByRole("heading", { name: "You're in!" }).waitFor();
    expect(await overflow()).toEqual({ page: false, card: false });
    await widget(page).screenshot({ path: screenshotPath("widgets-phone") });
  });

  it("threw nothing into the host pages", () => {
    expect(pageErrors).toEqual([]);
  });
});
