// identify() in Debian's Chromium: the customer's site calls rht("identify") after its own login, and shows the
// signed-in person their referral link from the callback. Mark joins that way; Sara follows his link, logs in and
// is recorded as referred by Mark; Mark's own purchase in his own browser is not credited to him.
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dialects, type TestServer } from "../packages/server/test/support/test-server.js";
import { launchChromium, screenshotPath } from "./support/chromium.js";
import { type CustomerSite, serveSite } from "./support/site.js";
import { startAcmeVouch } from "./support/vouch.js";

function page(title: string, head: string, body: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title>${head}
<style>body{font:16px system-ui,sans-serif;margin:40px;color:#1f2937}label{display:block;margin:8px 0}
#invite{margin-top:16px;padding:12px 16px;background:#eef2ff;border-radius:8px}</style></head>
<body><h1>${title}</h1>${body}</body></html>`;
}

/**
 * The customer's site: a landing page, its own login form, the account page it shows after login (which calls
 * identify with the signed-in person and shows what the callback returns), and a thank-you page.
 */
function startSite(trackingCode: string, host: string): Promise<CustomerSite> {
  return serveSite(
    {
      "/": page("Acme App", trackingCode, '<p>The app your friends use.</p><a href="/login">Log in</a>'),
      "/login": page(
        "Log in to Acme",
        trackingCode,
        `<form action="/account"><label>Email <input name="email" type="email"></label>
<label>Name <input name="name"></label><button>Log in</button></form>`,
      ),
      "/account": (url) => {
        // What the site knows after its own login, written into the page by its server (escaped as JSON).
        const person = {
          email: url.searchParams.get("email") ?? "",
          name: url.searchParams.get("name") ?? "",
        };
        return page(
          "Your account",
          trackingCode,
          `<p>Signed in as ${person.email.replace(/[<>&"]/g, "")}.</p>
<section id="invite" hidden><h2>Invite your friends</h2>
<p>Your referral link: <a id="link"></a></p><p id="count"></p></section>
<script>
rht("identify", ${JSON.stringify(person).replace(/</g, "\\u003c")}, function (ambassador) {
  var link = document.getElementById("link");
  link.href = ambassador.referral_link;
  link.textContent = ambassador.referral_link;
  document.getElementById("count").textContent = "Friends who joined through you: " + ambassador.people_referred;
  document.getElementById("invite").hidden = false;
});
</script>`,
        );
      },
      "/thank-you": (url) => {
        const data = {
          email: url.searchParams.get("email") ?? "",
          transaction_id: url.searchParams.get("tx") ?? "",
        };
        return page(
          "Thank you for downloading!",
          `${trackingCode}<script>rht("track", "download", ${JSON.stringify(data).replace(/</g, "\\u003c")},
function () { document.body.dataset.tracked = "yes"; });</script>`,
          "<p>Enjoy the app.</p>",
        );
      },
    },
    host,
  );
}

describe.each(dialects)("identify() in Chromium on $name", (dialect) => {
  let browser: Browser;
  let vouch: TestServer;
  let site: CustomerSite;
  let otherSite: CustomerSite;
  let campaign: any;
  const contexts: BrowserContext[] = [];
  const pageErrors: Error[] = [];
  const warnings: string[] = [];
  let markPage: Page;
  let mark: { id: string; code: string; referral_link: string };

  beforeAll(async () => {
    const acme = await startAcmeVouch(dialect);
    ({ vouch, campaign } = acme);
    site = await startSite(acme.trackingCode, "localhost");
    // The same snippet pasted on a site the campaign does not list.
    otherSite = await startSite(acme.trackingCode, "127.0.0.1");
    await acme.useSite(site.origin);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await otherSite?.close();
    await vouch?.close();
  });

  async function visitor(): Promise<Page> {
    const context = await browser.newContext();
    contexts.push(context);
    const p = await context.newPage();
    p.on("pageerror", (e) => pageErrors.push(e));
    p.on("console", (msg) => {
      if (msg.type() === "warning") warnings.push(msg.text());
    });
    return p;
  }

  /** Logs in on the site's own form and waits for Vouch's answer to the account page's identify. */
  async function logIn(p: Page, email: string, name: string, origin = site.origin) {
    await p.goto(`${origin}/login`);
    await p.fill("input[name=email]", email);
    await p.fill("input[name=name]", name);
    const answered = p.waitForResponse((r) => r.url().endsWith("/api/v1/collect/identify"));
    await p.click("button");
    const response = await answered;
    return { status: response.status(), body: await response.json() };
  }

  const subscriber = async (id: string) => (await vouch.api("GET", `/api/v1/subscribers/${id}`)).body;
  const subscriberByEmail = async (email: string) =>
    (
      await vouch.api(
        "GET",
        `/api/v1/campaigns/${campaign.id}/subscribers?search=${encodeURIComponent(email)}`,
      )
    ).body.data[0];

  it("Mark logs in and the account page shows him his new referral link", async () => {
    markPage = await visitor();
    const answer = await logIn(markPage, "mark@example.com", "Mark James");
    expect(answer.status).toBe(201);
    await markPage.waitForSelector("#invite:not([hidden])");

    const stored = await subscriberByEmail("mark@example.com");
    expect(stored).toMatchObject({ name: "Mark James", referred_by: null, people_referred: 0 });
    mark = stored;
    expect(mark.referral_link).toBe(`${site.origin}/?mwr=${mark.code}`);
    expect(await markPage.textContent("#link")).toBe(mark.referral_link);
    expect(await markPage.getAttribute("#link", "href")).toBe(mark.referral_link);
    expect(await markPage.textContent("#count")).toBe("Friends who joined through you: 0");
    await markPage.screenshot({ path: screenshotPath("identify-account") });
  });

  it("Sara follows Mark's link, logs in, and is recorded as referred by Mark", async () => {
    const sara = await visitor();
    const landed = sara.waitForResponse((r) => r.url().endsWith("/api/v1/collect/visit"));
    await sara.goto(mark.referral_link);
    expect((await landed).status()).toBe(201);

    const answer = await logIn(sara, "sara@example.com", "Sara Lee");
    expect(answer.status).toBe(201);
    await sara.waitForSelector("#invite:not([hidden])");
    const stored = await subscriber(answer.body.id);
    expect(stored).toMatchObject({ email: "sara@example.com", name: "Sara Lee", referred_by: mark.id });
    // She sees her own link, not Mark's.
    expect(await sara.textContent("#link")).toBe(`${site.origin}/?mwr=${stored.code}`);

    // Her download counts for Mark, and his account page says so when he comes back.
    const tracked = sara.waitForResponse((r) => r.url().endsWith("/api/v1/collect/track"));
    await sara.goto(`${site.origin}/thank-you?email=sara@example.com&tx=TX-SARA`);
    expect(await (await tracked).json()).toMatchObject({ created: true, referred: true });
    const again = await logIn(markPage, "mark@example.com", "Mark James");
    expect(again.status).toBe(200);
    await markPage.waitForSelector("#invite:not([hidden])");
    expect(await markPage.textContent("#count")).toBe("Friends who joined through you: 1");
  });

  it("Mark's own purchase through his link, in his browser, is not credited to him", async () => {
    const landed = markPage.waitForResponse((r) => r.url().endsWith("/api/v1/collect/visit"));
    await markPage.goto(mark.referral_link);
    await landed;
    const tracked = markPage.waitForResponse((r) => r.url().endsWith("/api/v1/collect/track"));
    await markPage.goto(`${site.origin}/thank-you?email=mark.family@example.com&tx=TX-MARK`);
    expect(await (await tracked).json()).toMatchObject({ created: true, referred: false });
    await markPage.waitForSelector("body[data-tracked=yes]");
    expect((await subscriber(mark.id)).people_referred).toBe(1);
  });

  it("a site that is not on the campaign's allowed domains gets no link, and the page carries on", async () => {
    const p = await visitor();
    const answer = await logIn(p, "eve@example.com", "Eve", otherSite.origin);
    expect(answer.status).toBe(403);
    expect(answer.body.error).toMatchObject({ code: "forbidden", field: "origin" });
    expect(await p.isHidden("#invite")).toBe(true);
    await expect.poll(() => warnings).toContain("rht: identify failed (forbidden)");
    expect(await subscriberByEmail("eve@example.com")).toBeUndefined();
  });

  it("threw nothing into the host pages", async () => {
    expect(pageErrors).toEqual([]);
    await Promise.all(contexts.map((c) => c.close()));
  });
});
