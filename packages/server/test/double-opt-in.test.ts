// Double opt-in per campaign, over HTTP: the setting, who is asked to confirm (widget, identify, the admin API on
// request) and who is not (the owner's additions, imports), the link (opening it confirms nothing, its button
// does; repeated, forged, expired, resent), the resend limits (also at the same instant), and an unverified
// ambassador earning nothing until they confirm — then what they earned.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getSubscriber, listMailMessages, type SubscriberRow } from "../../db/src/index.js";
import { ResendTooSoon, resendVerificationEmail } from "../src/use-cases/request-verification.js";
import { type ReceivedRequest, Receiver } from "./support/receiver.js";
import { ADMIN_KEY, dialects, pixelPost, startTestServer, type TestServer } from "./support/test-server.js";

const DAY = 86_400_000;
const SITE = "https://acme.example.com";

describe.each(dialects)("double opt-in on $name", (dialect) => {
  let t: TestServer;
  let now = Date.UTC(2026, 10, 24, 12);
  let visitors = 0;
  const printed: string[] = [];
  const receivers: Receiver[] = [];

  beforeAll(async () => {
    // No background loops: the test sends the mail outbox and the webhooks itself, with its clock.
    t = await startTestServer(dialect, {
      clock: () => now,
      webhookWorker: false,
      printMail: (text) => printed.push(text),
    });
  });
  afterAll(async () => {
    await t?.close();
    for (const r of receivers) await r.close();
  });

  async function campaign(body: Record<string, unknown> = {}) {
    const res = await t.api("POST", "/api/v1/campaigns", {
      name: "Acme App",
      url: `${SITE}/`,
      events: ["download"],
      double_opt_in: true,
      ...body,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body;
  }

  async function widget(c: any, what: string, body?: unknown, session?: string) {
    now += 7_000;
    const res = await fetch(`${t.url}/api/v1/widget/${c.public_key}/${what}`, {
      method: body === undefined ? "GET" : "POST",
      headers: {
        origin: SITE,
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
        ...(session ? { authorization: `Bearer ${session}` } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, headers: res.headers, body: (await res.json()) as any };
  }

  const signup = (c: any, email: string, name?: string) =>
    widget(c, "signup", { email, consent: true, ...(name ? { name } : {}) });

  /** Sends what the mail outbox holds; returns the links of the emails printed by this round, by address. */
  async function sendMail(): Promise<Map<string, string>> {
    const from = printed.length;
    await t.server.mail.runOnce();
    const links = new Map<string, string>();
    for (const text of printed.slice(from)) {
      const to = /^ {2}To: (.+)$/m.exec(text)?.[1];
      const link = /http:\/\/vouch\.test\/verify\/\S+/.exec(text)?.[0];
      if (to && link) links.set(to, link);
    }
    return links;
  }

  /** Opens a link as a browser (or a mail scanner) would: the HTML page and its status. */
  async function open(link: string) {
    const res = await fetch(link.replace("http://vouch.test", t.url));
    return { status: res.status, headers: res.headers, html: await res.text() };
  }

  /** The form a page holds, as a browser reads it: where it posts, and its hidden fields. */
  function formOf(html: string) {
    const form = /<form method="post" action="([^"]+)">(.*?)<\/form>/s.exec(html);
    if (!form) return undefined;
    const fields = new URLSearchParams();
    for (const m of (form[2] as string).matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
      fields.set(m[1] as string, m[2] as string);
    return { action: form[1] as string, fields };
  }

  /** Submits a page's form as a browser would: a urlencoded POST to its action, on the page's server. */
  async function submit(form: { action: string; fields: URLSearchParams }) {
    const res = await fetch(new URL(form.action, t.url), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: form.fields.toString(),
    });
    return { status: res.status, headers: res.headers, html: await res.text() };
  }

  /** What the ambassador does with the email: opens the link, then presses "Confirm my email". */
  async function confirm(link: string) {
    const opened = await open(link);
    expect(opened.status, opened.html).toBe(200);
    const form = formOf(opened.html);
    if (!form) return opened; // nothing to press: already confirmed
    expect(opened.html).toContain(">Confirm my email</button>");
    return submit(form);
  }

  async function subscriber(id: string) {
    const res = await t.api("GET", `/api/v1/subscribers/${id}`);
    expect(res.status).toBe(200);
    return res.body;
  }

  async function friendDownloads(c: any, code: string, email: string) {
    now += 1_000;
    const res = await pixelPost(t.url, "track", {
      k: c.public_key,
      vid: `visitor_${String(++visitors).padStart(6, "0")}`,
      event: "download",
      data: { email },
      refs: [{ code, ts: now - DAY }],
    });
    expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
    expect(res.body.referred).toBe(true);
  }

  async function receiverFor(c: any, events: string[]) {
    const rec = await Receiver.start({ now: () => now });
    receivers.push(rec);
    const hook = await t.api("POST", `/api/v1/campaigns/${c.id}/webhooks`, { url: rec.url(), events });
    expect(hook.status).toBe(201);
    rec.useSecret(hook.body.secret);
    return rec;
  }
  const bodiesOf = (rec: Receiver) => rec.requests.map((r: ReceivedRequest) => r.json as any);

  describe("the campaign setting", () => {
    it("is off by default, set on create, changed by PATCH and shown by GET", async () => {
      const plain = await t.api("POST", "/api/v1/campaigns", {
        name: "Plain",
        url: SITE,
        events: ["download"],
      });
      expect(plain.body.double_opt_in).toBe(false);
      const on = await t.api("PATCH", `/api/v1/campaigns/${plain.body.id}`, { double_opt_in: true });
      expect(on.status).toBe(200);
      expect(on.body).toMatchObject({ double_opt_in: true, name: "Plain", events: ["download"] });
      expect((await t.api("GET", `/api/v1/campaigns/${plain.body.id}`)).body.double_opt_in).toBe(true);
      const off = await t.api("PATCH", `/api/v1/campaigns/${plain.body.id}`, { double_opt_in: false });
      expect(off.body.double_opt_in).toBe(false);
      expect((await campaign()).double_opt_in).toBe(true);
    });

    it("refuses a value that is not a boolean", async () => {
      const res = await t.api("POST", "/api/v1/campaigns", {
        name: "Bad",
        url: SITE,
        events: ["download"],
        double_opt_in: "yes",
      });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: "validation_failed", field: "double_opt_in" });
    });
  });

  describe("joining", () => {
    it("through the widget: pending, emailed a link, shown as unverified", async () => {
      const c = await campaign();
      const res = await signup(c, "Ann@Example.com", "Ann Lee");
      expect(res.status).toBe(201);
      expect(res.body.ambassador).toMatchObject({ email: "ann@example.com", verified: false });

      const links = await sendMail();
      const link = links.get("ann@example.com");
      expect(link).toMatch(/^http:\/\/vouch\.test\/verify\/vrf_[0-9a-z]{26}\.[A-Za-z0-9_-]{43}$/);
      const email = printed.at(-1) as string;
      expect(email).toContain("Subject: Confirm your email for Acme App");
      expect(email).toContain("Hi Ann Lee,");
      expect(email).toContain("From: Vouch <no-reply@vouch.test>");

      const list = await t.api("GET", `/api/v1/campaigns/${c.id}/subscribers`);
      expect(list.body.data[0]).toMatchObject({
        email: "ann@example.com",
        verified: false,
        verified_at: null,
      });
      // Sent once: another round sends nothing.
      expect((await sendMail()).size).toBe(0);
    });

    it("through identify: pending, and the callback says so", async () => {
      const c = await campaign();
      now += 1_000;
      const res = await fetch(`${t.url}/api/v1/collect/identify`, {
        method: "POST",
        headers: { "content-type": "text/plain", origin: SITE },
        body: JSON.stringify({ k: c.public_key, vid: "visitor_identify_1", email: "ida@example.com" }),
      });
      const body = (await res.json()) as any;
      expect(res.status).toBe(201);
      expect(body).toMatchObject({ verified: false, people_referred: 0 });
      expect((await sendMail()).has("ida@example.com")).toBe(true);
    });

    it("added by the owner or imported: verified from the start, unless the owner asks for a confirmation", async () => {
      const c = await campaign();
      const owned = await t.api("POST", `/api/v1/campaigns/${c.id}/subscribers`, {
        email: "own@example.com",
      });
      expect(owned.body).toMatchObject({ verified: true, verified_at: null });
      const asked = await t.api("POST", `/api/v1/campaigns/${c.id}/subscribers`, {
        email: "ask@example.com",
        verified: false,
      });
      expect(asked.status).toBe(201);
      expect(asked.body.verified).toBe(false);
      const bad = await t.api("POST", `/api/v1/campaigns/${c.id}/subscribers`, {
        email: "bad@example.com",
        verified: "no",
      });
      expect(bad.status).toBe(400);
      expect(bad.body.error.field).toBe("verified");

      const imported = await fetch(`${t.url}/api/v1/campaigns/${c.id}/subscribers/import`, {
        method: "POST",
        headers: { authorization: `Bearer ${ADMIN_KEY}`, "content-type": "text/csv" },
        body: "email,name\nimp@example.com,Imp\n",
      });
      expect(imported.status).toBe(200);
      const list = await t.api("GET", `/api/v1/campaigns/${c.id}/subscribers?search=imp@`);
      expect(list.body.data[0]).toMatchObject({ email: "imp@example.com", verified: true });

      const links = await sendMail();
      expect([...links.keys()]).toEqual(["ask@example.com"]);
    });

    it("announces each ambassador with new_registration saying whether they are verified yet", async () => {
      const c = await campaign();
      const rec = await receiverFor(c, ["new_registration"]);
      await signup(c, "wid@example.com");
      now += 1_000;
      await fetch(`${t.url}/api/v1/collect/identify`, {
        method: "POST",
        headers: { "content-type": "text/plain", origin: SITE },
        body: JSON.stringify({ k: c.public_key, vid: "visitor_identify_2", email: "idy@example.com" }),
      });
      await t.api("POST", `/api/v1/campaigns/${c.id}/subscribers`, { email: "own2@example.com" });
      await t.api("POST", `/api/v1/campaigns/${c.id}/subscribers`, {
        email: "ask2@example.com",
        verified: false,
      });
      await fetch(`${t.url}/api/v1/campaigns/${c.id}/subscribers/import`, {
        method: "POST",
        headers: { authorization: `Bearer ${ADMIN_KEY}`, "content-type": "text/csv" },
        body: "email\nimp2@example.com\n",
      });
      const plain = await campaign({ double_opt_in: false });
      const plainRec = await receiverFor(plain, ["new_registration"]);
      await signup(plain, "free@example.com");

      await t.server.webhooks.runOnce();
      const verifiedBy = (r: Receiver) =>
        Object.fromEntries(bodiesOf(r).map((b) => [`${b.email} ${b.source}`, b.verified]));
      expect(verifiedBy(rec)).toEqual({
        "wid@example.com widget": false,
        "idy@example.com identify": false,
        "own2@example.com api": true,
        "ask2@example.com api": false,
        "imp2@example.com import": true,
      });
      expect(verifiedBy(plainRec)).toEqual({ "free@example.com widget": true });
      expect(rec.requests.every((r) => r.verification === "ok")).toBe(true);
      // The pending three were emailed a link; the others were not.
      expect([...(await sendMail()).keys()].sort()).toEqual([
        "ask2@example.com",
        "idy@example.com",
        "wid@example.com",
      ]);
    });

    it("on a campaign without double opt-in: verified, and no email", async () => {
      const c = await campaign({ double_opt_in: false });
      const res = await signup(c, "nomail@example.com");
      expect(res.body.ambassador.verified).toBe(true);
      expect((await sendMail()).size).toBe(0);
    });
  });

  describe("the link", () => {
    it("opening it only asks: a GET (a mail scanner's) confirms nothing", async () => {
      const c = await campaign();
      const rec = await receiverFor(c, ["subscriber_updated"]);
      const res = await signup(c, "sam@example.com", "Sam");
      const link = (await sendMail()).get("sam@example.com") as string;
      const token = link.split("/verify/")[1] as string;

      // Opened twice, as Outlook Safe Links and then the reader would, and once more with HEAD.
      for (let i = 0; i < 2; i++) {
        const page = await open(link);
        expect(page.status).toBe(200);
        expect(page.headers.get("referrer-policy")).toBe("no-referrer");
        expect(page.headers.get("content-security-policy")).toContain("form-action 'self'");
        expect(page.html).toContain("<title>Confirm your email for Acme App</title>");
        expect(page.html).toContain("sam@example.com");
        // A plain form, back to this same path on this server; no script anywhere.
        expect(formOf(page.html)).toEqual({ action: `/verify/${token}`, fields: new URLSearchParams() });
        expect(page.html).not.toContain("<script");
      }
      expect((await fetch(link.replace("http://vouch.test", t.url), { method: "HEAD" })).status).toBe(200);

      const list = await t.api("GET", `/api/v1/campaigns/${c.id}/subscribers?search=sam@`);
      expect(list.body.data[0]).toMatchObject({ verified: false, verified_at: null });
      expect((await widget(c, "me", undefined, res.body.session)).body.verified).toBe(false);
      await t.server.webhooks.runOnce();
      expect(rec.requests).toHaveLength(0);
    });

    it("confirms when its button is pressed, once, and says so again on a second click", async () => {
      const c = await campaign();
      const res = await signup(c, "bea@example.com", "Bea");
      const link = (await sendMail()).get("bea@example.com") as string;
      const clickedAt = now;
      const first = await confirm(link);
      expect(first.status).toBe(200);
      expect(first.headers.get("content-type")).toMatch(/^text\/html/);
      expect(first.headers.get("referrer-policy")).toBe("no-referrer");
      expect(first.html).toContain("Your email is confirmed");
      expect(first.html).toContain(`href="${SITE}/"`);
      const me = await widget(c, "me", undefined, res.body.session);
      expect(me.body.verified).toBe(true);
      const list = await t.api("GET", `/api/v1/campaigns/${c.id}/subscribers?search=bea@`);
      expect(list.body.data[0]).toMatchObject({
        verified: true,
        verified_at: new Date(clickedAt).toISOString(),
      });

      now += 3_600_000;
      // Opened again: no button, just the news.
      const second = await open(link);
      expect(second.status).toBe(200);
      expect(second.html).toContain("already confirmed");
      expect(formOf(second.html)).toBeUndefined();
      // The button pressed again (a reload of the confirmed page posts again): the same news, nothing changed.
      const pressedAgain = await submit({
        action: `/verify/${link.split("/verify/")[1]}`,
        fields: new URLSearchParams(),
      });
      expect(pressedAgain.status).toBe(200);
      expect(pressedAgain.html).toContain("already confirmed");
      const again = await t.api("GET", `/api/v1/campaigns/${c.id}/subscribers?search=bea@`);
      expect(again.body.data[0].verified_at).toBe(new Date(clickedAt).toISOString());
    });

    it("refuses a forged, altered or malformed link with a 404 page", async () => {
      const c = await campaign();
      await signup(c, "cid@example.com");
      const link = (await sendMail()).get("cid@example.com") as string;
      const [id, mac] = (link.split("/verify/")[1] as string).split(".") as [string, string];
      const flipped = `${mac.slice(0, -1)}${mac.endsWith("A") ? "B" : "A"}`;
      for (const token of [
        `${id}.${flipped}`,
        id,
        "nonsense",
        `vrf_${"0".repeat(26)}.${mac}`,
        "x".repeat(90),
      ]) {
        const res = await open(`http://vouch.test/verify/${encodeURIComponent(token)}`);
        expect(res.status, token).toBe(404);
        expect(res.html).toContain("This link is not valid");
        const pressed = await submit({
          action: `/verify/${encodeURIComponent(token)}`,
          fields: new URLSearchParams(),
        });
        expect(pressed.status, token).toBe(404);
        expect(pressed.html).toContain("This link is not valid");
      }
      const list = await t.api("GET", `/api/v1/campaigns/${c.id}/subscribers?search=cid@`);
      expect(list.body.data[0].verified).toBe(false);
    });

    it("expires after 7 days with a 410 page whose button emails a new link that works", async () => {
      const c = await campaign();
      await signup(c, "dan@example.com");
      const old = (await sendMail()).get("dan@example.com") as string;
      now += 7 * DAY + 1;
      const expired = await open(old);
      expect(expired.status).toBe(410);
      expect(expired.html).toContain("This link has expired");
      const form = formOf(expired.html);
      expect(form?.action).toBe("/verify/resend");
      expect(old.endsWith(form?.fields.get("token") as string)).toBe(true);
      expect(expired.html).toContain(">Email me a new link</button>");
      // Pressing the confirm button of a page opened before it expired confirms nothing either.
      const late = await submit({
        action: `/verify/${old.split("/verify/")[1]}`,
        fields: new URLSearchParams(),
      });
      expect(late.status).toBe(410);
      expect(late.html).toContain("This link has expired");
      const list = await t.api("GET", `/api/v1/campaigns/${c.id}/subscribers?search=dan@`);
      expect(list.body.data[0].verified).toBe(false);

      const resend = await submit(form as NonNullable<typeof form>);
      expect(resend.status).toBe(202);
      expect(resend.html).toContain("dan@example.com");
      const fresh = (await sendMail()).get("dan@example.com") as string;
      expect(fresh).not.toBe(old);
      const confirmed = await confirm(fresh);
      expect(confirmed.status).toBe(200);
      expect(confirmed.html).toContain("Your email is confirmed");
      // The old link, after the new one did its work, shows the confirmation rather than an error.
      expect((await open(old)).html).toContain("already confirmed");
    });
  });

  describe("resending", () => {
    it("from the widget and the admin API, at most one a minute, and never to a verified ambassador", async () => {
      const c = await campaign();
      const res = await signup(c, "eve@example.com");
      const session = res.body.session;
      expect((await sendMail()).size).toBe(1);

      // The sign-up's email counts: a resend right away is too soon.
      now += 1_000;
      const tooSoon = await fetch(`${t.url}/api/v1/widget/${c.public_key}/verification-email`, {
        method: "POST",
        headers: { authorization: `Bearer ${session}`, origin: SITE },
      });
      expect(tooSoon.status).toBe(429);
      expect(Number(tooSoon.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(((await tooSoon.json()) as any).error.code).toBe("rate_limited");

      now += 60_000;
      const ok = await widget(c, "verification-email", {}, session);
      expect(ok.status).toBe(202);
      expect(ok.headers.get("access-control-allow-origin")).toBe("*");
      const eve = (await t.api("GET", `/api/v1/campaigns/${c.id}/subscribers?search=eve@`)).body.data[0];
      const admin = await t.api("POST", `/api/v1/subscribers/${eve.id}/verification-email`);
      expect(admin.status).toBe(429);
      now += 61_000;
      expect((await t.api("POST", `/api/v1/subscribers/${eve.id}/verification-email`)).status).toBe(202);
      expect((await sendMail()).size).toBe(1);

      const noSession = await widget(c, "verification-email", {});
      expect(noSession.status).toBe(401);

      // The owner confirms her; a resend is then refused.
      const verified = await t.api("POST", `/api/v1/subscribers/${eve.id}/verify`);
      expect(verified.body).toMatchObject({ verified: true, verified_at: new Date(now).toISOString() });
      now += 61_000;
      const done = await t.api("POST", `/api/v1/subscribers/${eve.id}/verification-email`);
      expect(done.status).toBe(409);
      expect(done.body.error.code).toBe("already_verified");
    });

    it("from several doors at the same instant: exactly one is sent, the others are told it is too soon", async () => {
      const c = await campaign();
      const joined = await signup(c, "gus@example.com");
      const link = (await sendMail()).get("gus@example.com") as string;
      const gus = (await t.api("GET", `/api/v1/campaigns/${c.id}/subscribers?search=gus@`)).body.data[0];
      now += 61_000;

      // A double click on the widget's button, the owner's API and the expired page's button (its token works
      // for a resend whatever its age), all in flight together.
      const widgetResend = () =>
        fetch(`${t.url}/api/v1/widget/${c.public_key}/verification-email`, {
          method: "POST",
          headers: { authorization: `Bearer ${joined.body.session}`, origin: SITE },
        }).then((r) => r.status);
      const adminResend = () =>
        t.api("POST", `/api/v1/subscribers/${gus.id}/verification-email`).then((r) => r.status);
      const pageResend = () =>
        submit({
          action: "/verify/resend",
          fields: new URLSearchParams({ token: link.split("/verify/")[1] as string }),
        }).then((r) => r.status);
      const statuses = await Promise.all([
        widgetResend(),
        adminResend(),
        pageResend(),
        widgetResend(),
        adminResend(),
        pageResend(),
        adminResend(),
        adminResend(),
      ]);
      expect(
        statuses.filter((s) => s === 202),
        statuses.join(),
      ).toHaveLength(1);
      expect(
        statuses.filter((s) => s === 429),
        statuses.join(),
      ).toHaveLength(7);

      // One email queued beside the sign-up's, and one sent.
      const rows = await listMailMessages(t.server.database.db, gus.id);
      expect(rows).toHaveLength(2);
      const before = printed.length;
      expect((await sendMail()).has("gus@example.com")).toBe(true);
      expect(printed.length - before).toBe(1);
    });

    it("called concurrently in one process, each interleaved with the others at every await: one email", async () => {
      const c = await campaign();
      await signup(c, "hal@example.com");
      await sendMail();
      const hal = (await t.api("GET", `/api/v1/campaigns/${c.id}/subscribers?search=hal@`)).body.data[0];
      const row = await getSubscriber(t.server.database.db, hal.id);
      now += 61_000;
      const { db, dialect } = t.server.database;
      const outcomes = await Promise.allSettled(
        Array.from({ length: 6 }, () => resendVerificationEmail(db, dialect, row as SubscriberRow, now)),
      );
      expect(outcomes.filter((o) => o.status === "fulfilled").map((o) => o.value)).toEqual([{ sent: true }]);
      for (const o of outcomes.filter((o) => o.status === "rejected"))
        expect(o.reason).toBeInstanceOf(ResendTooSoon);
      expect(await listMailMessages(db, hal.id)).toHaveLength(2);
    });

    it("at most five a day", async () => {
      const c = await campaign();
      const res = await signup(c, "fay@example.com");
      for (let i = 0; i < 4; i++) {
        now += 61_000;
        expect((await widget(c, "verification-email", {}, res.body.session)).status).toBe(202);
      }
      now += 61_000;
      const sixth = await widget(c, "verification-email", {}, res.body.session);
      expect(sixth.status).toBe(429);
      expect(sixth.body.error.message).toMatch(/hours/);
    });
  });

  describe("earning", () => {
    it("counts a pending ambassador's friends but grants nothing until they confirm; then grants what they earned", async () => {
      const c = await campaign();
      const rule = await t.api("POST", `/api/v1/campaigns/${c.id}/reward-rules`, {
        name: "Free month",
        event: "download",
        referrals_required: 2,
        repeat: "every",
        description: "A free month for every 2 friends who download the app",
      });
      expect(rule.status, JSON.stringify(rule.body)).toBe(201);
      const rec = await receiverFor(c, ["reward_unlocked", "subscriber_updated", "event_conversion"]);

      const joined = await signup(c, "mark@example.com", "Mark James");
      const link = (await sendMail()).get("mark@example.com") as string;
      const mark = (await t.api("GET", `/api/v1/campaigns/${c.id}/subscribers?search=mark@`)).body.data[0];

      // Three friends download while Mark is pending: recorded, attributed, counted — no reward.
      for (const name of ["sara", "tom", "uma"]) await friendDownloads(c, mark.code, `${name}@friends.test`);
      let view = await subscriber(mark.id);
      expect(view).toMatchObject({ verified: false, people_referred: 3, rewards: [] });
      const conversions = await t.api("GET", `/api/v1/campaigns/${c.id}/conversions`);
      expect(conversions.body.data.filter((x: any) => x.subscriber_id === mark.id)).toHaveLength(3);
      await t.server.webhooks.runOnce();
      expect(bodiesOf(rec).map((b) => b.response)).toEqual([
        "event_conversion",
        "event_conversion",
        "event_conversion",
      ]);
      const widgetView = await widget(c, "me", undefined, joined.body.session);
      expect(widgetView.body).toMatchObject({ verified: false, people_referred: 3, rewards: [] });

      // He confirms: the reward the first two friends earned is granted now, and announced.
      expect((await confirm(link)).html).toContain("Your email is confirmed");
      view = await subscriber(mark.id);
      expect(view.verified).toBe(true);
      expect(view.rewards).toHaveLength(1);
      expect(view.rewards[0]).toMatchObject({ status: "sent" });
      // Earned by the first two friends counted.
      const ids = conversions.body.data
        .filter((x: any) => x.subscriber_id === mark.id)
        .sort((a: any, b: any) => a.created_at.localeCompare(b.created_at))
        .map((x: any) => x.id);
      expect(view.rewards[0].conversions).toEqual(ids.slice(0, 2));
      await t.server.webhooks.runOnce();
      const after = bodiesOf(rec).slice(3);
      expect(after.map((b) => b.response).sort()).toEqual(["reward_unlocked", "subscriber_updated"]);
      const updated = after.find((b) => b.response === "subscriber_updated");
      expect(updated).toMatchObject({
        list_uuid: c.id,
        changes: ["verified"],
        subscriber: { subscriber_id: mark.id, email: "mark@example.com", verified: true },
      });
      expect(rec.requests.every((r) => r.verification === "ok")).toBe(true);

      // From now on he earns as friends convert: the fourth friend completes the second pair.
      await friendDownloads(c, mark.code, "vic@friends.test");
      view = await subscriber(mark.id);
      expect(view.rewards).toHaveLength(2);
      expect(view.people_referred).toBe(4);

      // A second click grants nothing more.
      expect((await confirm(link)).html).toContain("already confirmed");
      expect((await subscriber(mark.id)).rewards).toHaveLength(2);
    });

    it("grants on the owner's confirmation too, and a verified ambassador earns at once", async () => {
      const c = await campaign();
      await t.api("POST", `/api/v1/campaigns/${c.id}/reward-rules`, {
        name: "Free account",
        event: "download",
        referrals_required: 1,
        description: "A free account when a friend downloads the app",
      });
      const pending = (
        await t.api("POST", `/api/v1/campaigns/${c.id}/subscribers`, {
          email: "pen@example.com",
          verified: false,
        })
      ).body;
      const trusted = (
        await t.api("POST", `/api/v1/campaigns/${c.id}/subscribers`, { email: "tru@example.com" })
      ).body;
      await friendDownloads(c, pending.code, "f1@friends.test");
      await friendDownloads(c, trusted.code, "f2@friends.test");
      expect((await subscriber(pending.id)).rewards).toHaveLength(0);
      expect((await subscriber(trusted.id)).rewards).toHaveLength(1);
      await t.api("POST", `/api/v1/subscribers/${pending.id}/verify`);
      expect((await subscriber(pending.id)).rewards).toHaveLength(1);
      // Idempotent: confirming again grants nothing more.
      const again = await t.api("POST", `/api/v1/subscribers/${pending.id}/verify`);
      expect(again.status).toBe(200);
      expect((await subscriber(pending.id)).rewards).toHaveLength(1);
    });
  });
});
