// The built rht.min.js in Debian's Chromium, between a site origin and a collector origin, as a visitor uses it.

import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { launchChromium, screenshotPath } from "../../../e2e/support/chromium.js";
import { conversionCode, trackingCode } from "../src/snippets.js";
import { builtScript } from "./support/built-script.js";
import { type Collector, type Site, startCollector, startSite } from "./support/servers.js";

const KEY = "pk_7q3mz8kd2w9xvp4r";
const COOKIE = "vouch_7q3mz8kd";
const DAYS = 30;

let browser: Browser;
let collector: Collector;
let site: Site;

interface Visitor {
  context: BrowserContext;
  page: Page;
  errors: Error[];
  warnings: string[];
}
const visitors: Visitor[] = [];

async function newVisitor(initScript?: string): Promise<Visitor> {
  const context = await browser.newContext();
  if (initScript) await context.addInitScript(initScript);
  const page = await context.newPage();
  const visitor: Visitor = { context, page, errors: [], warnings: [] };
  page.on("pageerror", (error) => visitor.errors.push(error));
  page.on("console", (msg) => {
    if (msg.type() === "warning") visitor.warnings.push(msg.text());
  });
  visitors.push(visitor);
  return visitor;
}

async function eventually(check: () => void, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      check();
      return;
    } catch (error) {
      if (Date.now() > end) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

function html(title: string, head: string, body: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title>${head}
<style>body{font:16px system-ui,sans-serif;margin:40px;color:#1f2937}h1{font-size:24px}
#status{margin-top:16px;padding:8px 12px;background:#ecfdf5;color:#065f46;display:inline-block}</style>
</head><body><h1>${title}</h1>${body}</body></html>`;
}

/** Counts settled track callbacks in `window.settledCount` and shows them on the page. */
const settleCounter = `<script>window.settledCount=0;function settled(){window.settledCount++;
document.getElementById("status").textContent=window.settledCount+" conversion call(s) settled"}</script>`;

function pages(stub: string): Record<string, string> {
  return {
    "/": html("Acme Notes", stub, "<p>The note-taking app your team will love.</p>"),
    "/from": html("Mark's blog", "", '<p>I use Acme Notes. <a id="ref" href="/?mwr=MARK-1">Try it</a></p>'),
    "/pricing": html("Pricing", stub, "<p>Free for individuals.</p>"),
    "/download": html("Download", stub, '<p><a href="/thanks">Download for Linux</a></p>'),
    "/thanks": html(
      "Thanks for downloading",
      stub,
      `<script>window.queuedBefore = Array.isArray(window.rht && window.rht.q);</script>
${conversionCode("download", {
  email: "sara@example.com",
  first_name: "Sara",
  last_name: "Lee",
  currency: "USD",
  amount: 15.7,
  transaction_id: "TRX_123",
})}<p>Your download starts in a moment.</p>`,
    ),
    "/double": html(
      "Order confirmed",
      stub + settleCounter,
      `<p id="status">waiting</p><script>
rht("track", "purchase", { email: "sara@example.com", amount: 9 }, settled);
rht("track", "purchase", { email: "sara@example.com", amount: 9 }, settled);
rht("track", "purchase", { email: "sara@example.com", amount: 19 }, settled);
</script>`,
    ),
    "/odd": html(
      "Odd calls",
      stub,
      `<script>
rht("foo");
rht("Track", "download", {});
rht();
rht("track");
var loop = {}; loop.self = loop;
rht("track", "loop", loop);
rht("track", "callback-throws", {}, function () { throw new Error("site bug"); });
window.survived = true;
</script>`,
    ),
    "/account": html(
      "Welcome back, Sara",
      stub,
      `<p id="link">Your referral link is on its way.</p><script>
window.answers = [];
function show(ambassador) {
  window.answers.push(ambassador);
  document.getElementById("link").textContent = "Invite friends: " + ambassador.referral_link;
}
var sara = { email: "sara@example.com", name: "Sara Lee", extra_field: "Berlin", password: "hunter2" };
rht("identify", sara, show);
rht("identify", sara, show);
</script>`,
    ),
    "/identify-odd": html(
      "Odd identify calls",
      stub,
      `<script>
rht("identify");
rht("identify", {});
rht("identify", { email: 5 });
rht("identify", "sara@example.com");
rht("identify", { email: "ok@example.com" }, function () { throw new Error("site bug"); });
window.survived = true;
</script>`,
    ),
    "/twice": html(
      "Pasted twice",
      `${stub}${stub}<script async src="${collector.origin}/rht.min.js"></script>`,
      `<script>rht("track", "signup", { email: "twice@example.com" });</script>`,
    ),
  };
}

beforeAll(async () => {
  // The script arrives late, so calls placed right after the stub really wait in its queue.
  collector = await startCollector(builtScript(), { scriptDelayMs: 150 });
  const stub = trackingCode({
    scriptUrl: `${collector.origin}/rht.min.js`,
    publicKey: KEY,
    apiUrl: `${collector.origin}/`,
    cookieDays: DAYS,
  });
  site = await startSite(pages(stub));
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await collector?.close();
});

beforeEach(() => {
  collector.requests.length = 0;
});

afterEach(async () => {
  const done = visitors.splice(0);
  await Promise.all(done.map((v) => v.context.close()));
  // Whatever a test did, the host pages saw no error, and every request was a CORS-simple text/plain POST.
  for (const v of done) expect(v.errors.map(String)).toEqual([]);
  expect(collector.requests.filter((r) => r.method === "OPTIONS")).toEqual([]);
  for (const r of collector.requests) {
    expect(r.method).toBe("POST");
    expect(r.contentType).toMatch(/^text\/plain\b/);
    expect(r.origin).toBe(site.origin);
  }
});

describe("landing through a referral link", () => {
  it("records the visit and remembers the referral in a SameSite=Lax cookie on the site", async () => {
    const { page, context } = await newVisitor();
    await page.goto(`${site.origin}/from`);
    const before = Date.now();
    await Promise.all([page.waitForURL(/mwr=MARK-1/), page.click("#ref")]);
    await eventually(() => expect(collector.posts("visit")).toHaveLength(1));

    const visit = collector.posts("visit")[0]!;
    expect(visit).toEqual({
      k: KEY,
      vid: expect.stringMatching(/^[0-9a-v]{9}[\w-]{16}$/),
      code: "MARK-1",
      url: `${site.origin}/?mwr=MARK-1`,
      referrer: `${site.origin}/from`,
    });
    // fetch with credentials: "omit" — the site's cookies never travel to Vouch.
    expect(collector.requests[0]?.cookie).toBeUndefined();

    const cookies = await context.cookies(site.origin);
    expect(cookies).toHaveLength(1);
    const [cookie] = cookies;
    expect(cookie).toMatchObject({
      name: COOKIE,
      path: "/",
      sameSite: "Lax",
      secure: false,
      httpOnly: false,
    });
    expect(cookie!.expires).toBeGreaterThan(before / 1000 + DAYS * 86400 - 60);
    expect(cookie!.expires).toBeLessThan(Date.now() / 1000 + DAYS * 86400 + 60);
    const state = JSON.parse(decodeURIComponent(cookie!.value));
    expect(state).toEqual({ v: visit.vid, f: { code: "MARK-1", ts: state.f.ts }, l: state.f });
    expect(state.f.ts).toBeGreaterThanOrEqual(before);
    expect(state.f.ts).toBeLessThanOrEqual(Date.now());
    await page.screenshot({ path: screenshotPath("pixel-landing") });
  });

  it("attributes the conversion on the thank-you page to the referral, with the same visitor id", async () => {
    const { page } = await newVisitor();
    await page.goto(`${site.origin}/?mwr=MARK-1`);
    await eventually(() => expect(collector.posts("visit")).toHaveLength(1));
    await page.goto(`${site.origin}/pricing`);
    await page.goto(`${site.origin}/download`);
    await Promise.all([page.waitForURL(/\/thanks$/), page.click("text=Download for Linux")]);
    await eventually(() => expect(collector.posts("track")).toHaveLength(1));

    const visit = collector.posts("visit")[0]!;
    const track = collector.posts("track")[0]!;
    expect(track).toEqual({
      k: KEY,
      vid: visit.vid,
      event: "download",
      data: {
        email: "sara@example.com",
        first_name: "Sara",
        last_name: "Lee",
        currency: "USD",
        amount: 15.7,
        transaction_id: "TRX_123",
      },
      refs: [{ code: "MARK-1", ts: expect.any(Number) }],
    });
    // The conversion code sits right after the stub, so it ran before the script had loaded.
    expect(await page.evaluate(() => (window as any).queuedBefore)).toBe(true);
    // Only the landing recorded a visit; the pages after it did not.
    expect(collector.posts("visit")).toHaveLength(1);
    await page.screenshot({ path: screenshotPath("pixel-thanks") });
  });

  it("keeps the first and the last referral when the visitor lands again through another code", async () => {
    const { page } = await newVisitor();
    await page.goto(`${site.origin}/?mwr=MARK-1`);
    await eventually(() => expect(collector.posts("visit")).toHaveLength(1));
    await page.goto(`${site.origin}/?mwr=ANNA-2`);
    await eventually(() => expect(collector.posts("visit")).toHaveLength(2));
    await page.goto(`${site.origin}/thanks`);
    await eventually(() => expect(collector.posts("track")).toHaveLength(1));

    const visits = collector.posts("visit");
    const track = collector.posts("track")[0]!;
    expect(visits.map((v) => v.code)).toEqual(["MARK-1", "ANNA-2"]);
    expect(visits[1]!.vid).toBe(visits[0]!.vid);
    expect(track.vid).toBe(visits[0]!.vid);
    expect(track.refs.map((r) => r.code)).toEqual(["MARK-1", "ANNA-2"]);
    expect(track.refs[0]!.ts).toBeLessThanOrEqual(track.refs[1]!.ts);
  });

  it("falls back to localStorage when the site's cookies cannot be written", async () => {
    const { page, context } = await newVisitor(
      `Object.defineProperty(document, "cookie", { configurable: true, get: () => "", set: () => {} });`,
    );
    await page.goto(`${site.origin}/?mwr=MARK-1`);
    await eventually(() => expect(collector.posts("visit")).toHaveLength(1));
    expect(await context.cookies(site.origin)).toEqual([]);
    const stored = await page.evaluate((name) => localStorage.getItem(name), COOKIE);
    expect(JSON.parse(decodeURIComponent(stored ?? ""))).toMatchObject({ f: { code: "MARK-1" } });

    await page.goto(`${site.origin}/thanks`);
    await eventually(() => expect(collector.posts("track")).toHaveLength(1));
    const visit = collector.posts("visit")[0]!;
    const track = collector.posts("track")[0]!;
    expect(track.vid).toBe(visit.vid);
    expect(track.refs).toEqual([{ code: "MARK-1", ts: expect.any(Number) }]);
  });

  it.each([
    ["too long", "X".repeat(33)],
    ["made of other characters", "MARK%201"],
    ["markup", "%3Cscript%3E"],
  ])("ignores a referral code that is %s", async (_, code) => {
    const { page, context } = await newVisitor();
    await page.goto(`${site.origin}/?mwr=${code}`);
    await page.goto(`${site.origin}/thanks`);
    await eventually(() => expect(collector.posts("track")).toHaveLength(1));
    expect(collector.posts("visit")).toEqual([]);
    expect(collector.posts("track")[0]!.refs).toEqual([]);
    // The visitor id is still kept.
    expect(await context.cookies(site.origin)).toHaveLength(1);
  });

  it("accepts a code of 32 characters, and cuts a very long landing URL to 2048", async () => {
    const { page } = await newVisitor();
    const code = "A".repeat(32);
    await page.goto(`${site.origin}/?mwr=${code}&utm_content=${"x".repeat(3000)}`);
    await eventually(() => expect(collector.posts("visit")).toHaveLength(1));
    const visit = collector.posts("visit")[0]!;
    expect(visit.code).toBe(code);
    expect(visit.url).toHaveLength(2048);
    expect(visit.url.startsWith(`${site.origin}/?mwr=${code}&utm_content=xxx`)).toBe(true);
  });
});

describe("tracking conversions", () => {
  it("sends refs [] without a referral, and keeps one visitor id across pages", async () => {
    const { page, context } = await newVisitor();
    await page.goto(`${site.origin}/pricing`);
    const [cookie] = await context.cookies(site.origin);
    await page.goto(`${site.origin}/thanks`);
    await eventually(() => expect(collector.posts("track")).toHaveLength(1));
    const track = collector.posts("track")[0]!;
    expect(track).toMatchObject({ k: KEY, event: "download", refs: [] });
    expect(JSON.parse(decodeURIComponent(cookie!.value))).toEqual({ v: track.vid });
    expect(collector.posts("visit")).toEqual([]);
  });

  it("sends an identical call once, a call with other data again, and calls back after each", async () => {
    const { page } = await newVisitor();
    await page.goto(`${site.origin}/double`);
    await page.waitForFunction(() => (window as any).settledCount === 3);
    const tracks = collector.posts("track");
    expect(tracks.map((t) => t.data)).toEqual([
      { email: "sara@example.com", amount: 9 },
      { email: "sara@example.com", amount: 19 },
    ]);
    await page.screenshot({ path: screenshotPath("pixel-double") });
  });

  it("loads once when the tracking code is pasted twice and the script included again", async () => {
    const { page } = await newVisitor();
    await page.goto(`${site.origin}/twice?mwr=MARK-1`);
    await eventually(() => expect(collector.posts("track")).toHaveLength(1));
    // Let the second copy of the script arrive and run.
    await page.waitForLoadState("load");
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(collector.posts("visit")).toHaveLength(1);
    expect(collector.posts("track")).toHaveLength(1);
    expect(collector.posts("track")[0]!.refs).toEqual([{ code: "MARK-1", ts: expect.any(Number) }]);
  });

  it.each([
    ["missing", "window.fetch = undefined;"],
    ["throwing", 'window.fetch = () => { throw new TypeError("blocked"); };'],
  ])("uses navigator.sendBeacon when fetch is %s", async (_, initScript) => {
    const { page } = await newVisitor(initScript);
    await page.goto(`${site.origin}/?mwr=MARK-1`);
    await page.goto(`${site.origin}/thanks`);
    await eventually(() => expect(collector.posts("track")).toHaveLength(1));
    expect(collector.posts("visit")).toHaveLength(1);
    expect(collector.posts("track")[0]).toMatchObject({ event: "download", refs: [{ code: "MARK-1" }] });
  });
});

describe("identify", () => {
  const SARA = {
    id: "sub_01",
    code: "SARA-7K3Q",
    referral_link: "https://acme.example/?mwr=SARA-7K3Q",
    people_referred: 2,
  };

  it("sends the person, visitor id and referrals once, and calls back each caller with the ambassador", async () => {
    collector.identifyAnswer = { status: 201, body: SARA };
    const { page } = await newVisitor();
    await page.goto(`${site.origin}/?mwr=MARK-1`);
    await eventually(() => expect(collector.posts("visit")).toHaveLength(1));
    await page.goto(`${site.origin}/account`);
    await page.waitForFunction(() => (window as any).answers.length === 2);

    expect(await page.textContent("#link")).toBe(`Invite friends: ${SARA.referral_link}`);
    expect(await page.evaluate(() => (window as any).answers)).toEqual([SARA, SARA]);
    // Only the four documented fields leave the page: not the password the site happened to pass.
    expect(collector.posts("identify")).toEqual([
      {
        k: KEY,
        vid: collector.posts("visit")[0]!.vid,
        email: "sara@example.com",
        name: "Sara Lee",
        extra_field: "Berlin",
        refs: [{ code: "MARK-1", ts: expect.any(Number) }],
      },
    ]);
    // Another person on the same page is another request.
    await page.evaluate(() => (window as any).rht("identify", { email: "tom@example.com" }));
    await eventually(() => expect(collector.posts("identify")).toHaveLength(2));
    expect(collector.posts("identify")[1]).toMatchObject({
      email: "tom@example.com",
      refs: [{ code: "MARK-1" }],
    });
    await page.screenshot({ path: screenshotPath("pixel-identify") });
  });

  it("warns and skips the callback when Vouch refuses, and lets a later call try again", async () => {
    collector.identifyAnswer = {
      status: 403,
      body: { error: { code: "forbidden", message: "origin not allowed", field: "origin" } },
    };
    const { page, warnings } = await newVisitor();
    await page.goto(`${site.origin}/account`);
    await eventually(() => expect(warnings).toContain("rht: identify failed (forbidden)"));
    expect(await page.evaluate(() => (window as any).answers)).toEqual([]);
    expect(await page.textContent("#link")).toBe("Your referral link is on its way.");
    expect(collector.posts("identify")).toHaveLength(1);

    collector.identifyAnswer = { status: 200, body: SARA };
    await page.evaluate(() => (window as any).rht("identify", (window as any).sara, (window as any).show));
    await page.waitForFunction(() => (window as any).answers.length === 1);
    expect(collector.posts("identify")).toHaveLength(2);
    expect(await page.textContent("#link")).toBe(`Invite friends: ${SARA.referral_link}`);
  });

  it("warns about calls without an email and survives a throwing callback", async () => {
    collector.identifyAnswer = { status: 201, body: SARA };
    const { page, warnings } = await newVisitor();
    await page.goto(`${site.origin}/identify-odd`);
    await eventually(() => expect(collector.posts("identify")).toHaveLength(1));
    expect(await page.evaluate(() => (window as any).survived)).toBe(true);
    expect(warnings.filter((w) => w === "rht: identify needs an email")).toHaveLength(4);
    expect(collector.posts("identify")[0]).toMatchObject({ email: "ok@example.com", refs: [] });
  });

  it("sends nothing and throws nothing when the browser has no fetch", async () => {
    const { page } = await newVisitor("window.fetch = undefined;");
    await page.goto(`${site.origin}/account`);
    await page.waitForFunction(() => !("q" in (window as any).rht));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(collector.posts("identify")).toEqual([]);
  });
});

describe("misuse", () => {
  it("warns about unknown commands and never throws into the page", async () => {
    const { page, warnings } = await newVisitor();
    await page.goto(`${site.origin}/odd`);
    await eventually(() => expect(collector.posts("track")).toHaveLength(1));
    expect(await page.evaluate(() => (window as any).survived)).toBe(true);
    // After the script has loaded, too.
    await page.waitForFunction(() => !("q" in (window as any).rht));
    expect(await page.evaluate(() => (window as any).rht("bar"))).toBeUndefined();

    expect(warnings).toContain("rht: unknown command foo");
    expect(warnings).toContain("rht: unknown command Track");
    expect(warnings).toContain("rht: unknown command undefined");
    expect(warnings).toContain("rht: unknown command bar");
    expect(warnings).toContain("rht: track needs an event name");
    // The circular object cannot be sent; the call whose callback throws still is.
    expect(collector.posts("track").map((t) => t.event)).toEqual(["callback-throws"]);
  });
});
