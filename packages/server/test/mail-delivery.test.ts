// Double opt-in emails leave through real SMTP: nodemailer talks to a local SMTP server, a temporary refusal
// is retried and a permanent one is not, and an email committed before a SIGKILL is sent after the restart.
import type { ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listMailMessages } from "../../db/src/index.js";
import { SmtpReceiver } from "./support/smtp-receiver.js";
import { dialects, startTestServer, type TestServer } from "./support/test-server.js";
import { kill9, processDatabase, startVouchProcess } from "./support/vouch-process.js";

const SITE = "https://acme.example.com";
const LINK = /http:\/\/[^\s]+\/verify\/vrf_[0-9a-z]{26}\.[A-Za-z0-9_-]{43}/;

describe.each(dialects)("mail through SMTP on $name", (dialect) => {
  let t: TestServer;
  let smtp: SmtpReceiver;
  let now = Date.UTC(2026, 10, 24, 12);
  let campaign: any;

  beforeAll(async () => {
    smtp = await SmtpReceiver.start();
    t = await startTestServer(dialect, {
      clock: () => now,
      webhookWorker: false,
      smtpUrl: `smtp://127.0.0.1:${smtp.port}`,
      mailFrom: "Acme Referrals <referrals@acme.example.com>",
    });
    campaign = (
      await t.api("POST", "/api/v1/campaigns", {
        name: "Acme App",
        url: SITE,
        events: ["download"],
        double_opt_in: true,
      })
    ).body;
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  async function signup(email: string) {
    now += 7_000;
    const res = await fetch(`${t.url}/api/v1/widget/${campaign.public_key}/signup`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: SITE },
      body: JSON.stringify({ email, name: "Zoë Müller", consent: true }),
    });
    expect(res.status).toBe(201);
    return ((await res.json()) as any).ambassador;
  }
  const idOf = async (email: string) =>
    (await t.api("GET", `/api/v1/campaigns/${campaign.id}/subscribers?search=${email}`)).body.data[0].id;

  it("sends the verification email over SMTP, and its link confirms the ambassador", async () => {
    await signup("zoe@example.com");
    expect(await t.server.mail.runOnce()).toBe(1);
    expect(smtp.mails).toHaveLength(1);
    const mail = smtp.mails[0] as (typeof smtp.mails)[number];
    expect(mail.from).toBe("referrals@acme.example.com");
    expect(mail.to).toEqual(["zoe@example.com"]);
    expect(mail.raw).toMatch(/^Subject: Confirm your email for Acme App/m);
    expect(mail.raw).toMatch(/^From: Acme Referrals <referrals@acme\.example\.com>/m);
    expect(mail.raw).toMatch(/Content-Type: text\/html/);
    expect(mail.text).toContain("Hi Zoë Müller,");
    const link = LINK.exec(mail.text)?.[0] as string;
    expect(link).toBeDefined();

    // Opening it shows the button; pressing it (a POST to the same path) confirms.
    const page = await fetch(link.replace("http://vouch.test", t.url));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(">Confirm my email</button>");
    const pressed = await fetch(link.replace("http://vouch.test", t.url), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "",
    });
    expect(await pressed.text()).toContain("Your email is confirmed");
    const list = await t.api("GET", `/api/v1/campaigns/${campaign.id}/subscribers?search=zoe@`);
    expect(list.body.data[0].verified).toBe(true);
    const [row] = await listMailMessages(t.server.database.db, list.body.data[0].id);
    expect(row).toMatchObject({ status: "sent", attempts: 1, last_error: null });
  });

  it("retries after a temporary refusal (451) and gives up at once on a permanent one (550)", async () => {
    smtp.refuseWith = 451;
    await signup("later@example.com");
    await t.server.mail.runOnce();
    const laterId = await idOf("later@");
    let [row] = await listMailMessages(t.server.database.db, laterId);
    expect(row).toMatchObject({ status: "pending", attempts: 1 });
    expect(row?.last_error).toMatch(/451/);
    expect(Number(row?.next_attempt_at)).toBeGreaterThan(now);

    // Not due yet: nothing is tried. Once due, it goes out.
    smtp.refuseWith = null;
    expect(await t.server.mail.runOnce()).toBe(0);
    now += 10_000;
    expect(await t.server.mail.runOnce()).toBe(1);
    [row] = await listMailMessages(t.server.database.db, laterId);
    expect(row).toMatchObject({ status: "sent", attempts: 2 });
    expect(smtp.mails.at(-1)?.to).toEqual(["later@example.com"]);

    smtp.refuseWith = 550;
    await signup("never@example.com");
    await t.server.mail.runOnce();
    const neverId = await idOf("never@");
    [row] = await listMailMessages(t.server.database.db, neverId);
    expect(row).toMatchObject({ status: "failed", attempts: 1 });
    now += 3_600_000;
    const refusals = smtp.refusals;
    expect(await t.server.mail.runOnce()).toBe(0);
    expect(smtp.refusals).toBe(refusals);
    smtp.refuseWith = null;
  });
});

const KEY = "mail_durability_admin_key_0123456789";
const startVouch = (databaseUrl: string, smtpPort: number) =>
  startVouchProcess(databaseUrl, { VOUCH_ADMIN_KEY: KEY, SMTP_URL: `smtp://127.0.0.1:${smtpPort}` });

describe.each(dialects)("mail outbox durability on $name", (dialect) => {
  const database = processDatabase(dialect, "vouch-mail-");
  let vouch: ChildProcess | undefined;
  let smtp: SmtpReceiver | undefined;

  afterAll(async () => {
    if (vouch) await kill9(vouch);
    await smtp?.close();
    await database.drop();
  });

  it("sends after SIGKILL and restart the email of a sign-up acknowledged while SMTP refused it", async () => {
    const databaseUrl = await database.create();
    smtp = await SmtpReceiver.start();
    smtp.refuseWith = 451;

    const first = await startVouch(databaseUrl, smtp.port);
    vouch = first.child;
    const headers = { authorization: `Bearer ${KEY}`, "content-type": "application/json" };
    const campaign = (await (
      await fetch(`${first.url}/api/v1/campaigns`, {
        method: "POST",
        headers,
        body: JSON.stringify({ name: "Crash", url: SITE, events: ["download"], double_opt_in: true }),
      })
    ).json()) as any;
    const joined = await fetch(`${first.url}/api/v1/widget/${campaign.public_key}/signup`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: SITE },
      body: JSON.stringify({ email: "crash@example.com", consent: true }),
    });
    expect(joined.status).toBe(201);

    // The first attempt is refused (451); once it is recorded, the process dies without a goodbye.
    for (let waited = 0; smtp.refusals === 0 && waited < 10_000; waited += 50) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(smtp.refusals).toBe(1);
    await new Promise((r) => setTimeout(r, 500));
    await kill9(first.child);

    smtp.refuseWith = null;
    const second = await startVouch(databaseUrl, smtp.port);
    vouch = second.child;
    // The retry falls due 5 s (±20%) after the refusal.
    for (let waited = 0; smtp.mails.length === 0 && waited < 20_000; waited += 100) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(smtp.mails.map((m) => m.to)).toEqual([["crash@example.com"]]);
    const link = LINK.exec(smtp.mails[0]?.text ?? "")?.[0] as string;
    const page = await fetch(link.replace(/^http:\/\/localhost:\d+/, second.url));
    expect(page.status).toBe(200);
  }, 40_000);
});
