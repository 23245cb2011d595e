// Importing ambassadors from a CSV file over HTTP, as the campaign owner does it: the report, what the API then
// shows, the new_registration webhooks a real receiver gets, and that a refused file writes nothing.
import { getCampaign } from "@vouch/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inPieces } from "../src/csv-stream.js";
import { importSubscribers } from "../src/use-cases/import-subscribers.js";
import { Receiver } from "./support/receiver.js";
import { ADMIN_KEY, dialects, pixelPost, startTestServer, type TestServer } from "./support/test-server.js";

const CODE = /^[A-Z]{3,8}-[2-9A-HJKMNP-TV-Z]{4}$/;

describe.each(dialects)("import ambassadors on $name", (dialect) => {
  let t: TestServer;
  let receiver: Receiver;

  beforeAll(async () => {
    t = await startTestServer(dialect, { webhookWorker: false });
    receiver = await Receiver.start();
  });
  afterAll(async () => {
    await t?.close();
    await receiver?.close();
  });

  async function newCampaign(url = "https://app.example.com/join?lang=en") {
    return (await t.api("POST", "/api/v1/campaigns", { name: "App", url, events: ["download"] })).body;
  }

  async function upload(campaignId: string, body: string | Uint8Array, query = "", type = "text/csv") {
    const res = await fetch(`${t.url}/api/v1/campaigns/${campaignId}/subscribers/import${query}`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN_KEY}`, "content-type": type },
      body,
    });
    return { status: res.status, body: (await res.json()) as any };
  }

  async function everyone(campaignId: string): Promise<any[]> {
    const all: any[] = [];
    for (let offset = 0; ; offset += 500) {
      const page = (
        await t.api("GET", `/api/v1/campaigns/${campaignId}/subscribers?limit=500&offset=${offset}`)
      ).body;
      all.push(...page.data);
      if (all.length >= page.total) return all;
    }
  }

  async function deliverAll(): Promise<void> {
    while ((await t.server.webhooks.runOnce()) > 0) {}
  }

  it("creates the new ambassadors with codes and links, sets referred_by by code and by email, fires new_registration", async () => {
    const campaign = await newCampaign();
    const hook = await t.api("POST", `/api/v1/campaigns/${campaign.id}/webhooks`, {
      url: receiver.url("/registrations"),
      events: ["new_registration"],
    });
    expect(hook.status).toBe(201);
    const mark = (
      await t.api("POST", `/api/v1/campaigns/${campaign.id}/subscribers`, {
        email: "mark@example.com",
        name: "Mark James",
      })
    ).body;
    await deliverAll();
    receiver.requests.length = 0;

    // Columns in any order; Mark is already there (his row's other name is ignored); Paul refers by Sara's email,
    // a row created earlier in the same file.
    const csv = [
      "referrer,Email,name,extra_field_2,extra_field",
      ",sara@example.com,Sara Smith,newsletter,USA",
      `${mark.code.toLowerCase()},anna@example.com,Anna,,`,
      "MARK@example.com,bob@example.com,Bob,,",
      ",Mark@Example.com,Not Mark,,",
      "sara@example.com,paul@example.com,Paul,,",
      "",
    ].join("\n");
    const res = await upload(campaign.id, csv);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      mode: "all_or_nothing",
      imported: true,
      created: 4,
      already_present: 1,
      rejected: 0,
      rows: [],
    });

    const people = Object.fromEntries((await everyone(campaign.id)).map((s) => [s.email, s]));
    expect(Object.keys(people).sort()).toEqual([
      "anna@example.com",
      "bob@example.com",
      "mark@example.com",
      "paul@example.com",
      "sara@example.com",
    ]);
    expect(people["mark@example.com"]).toEqual(mark);
    const sara = people["sara@example.com"];
    expect(sara).toMatchObject({ name: "Sara Smith", extra_field: "USA", extra_field_2: "newsletter" });
    expect(sara.referred_by).toBeNull();
    expect(sara.code).toMatch(/^SARA-/);
    expect(sara.referral_link).toBe(`https://app.example.com/join?lang=en&mwr=${sara.code}`);
    for (const s of Object.values(people)) expect(s.code).toMatch(CODE);
    expect(people["anna@example.com"].referred_by).toBe(mark.id);
    expect(people["bob@example.com"].referred_by).toBe(mark.id);
    expect(people["paul@example.com"].referred_by).toBe(sara.id);
    // Being named as a referrer is not a referral: nobody's count moved.
    expect(Object.values(people).map((s) => s.people_referred)).toEqual([0, 0, 0, 0, 0]);

    await deliverAll();
    const bodies = receiver.requests.map((r) => r.json as any);
    expect(receiver.requests.every((r) => r.path === "/registrations")).toBe(true);
    expect(bodies.map((b) => b.email).sort()).toEqual([
      "anna@example.com",
      "bob@example.com",
      "paul@example.com",
      "sara@example.com",
    ]);
    const paul = bodies.find((b) => b.email === "paul@example.com");
    expect(paul).toMatchObject({
      response: "new_registration",
      list_uuid: campaign.id,
      subscriber_id: people["paul@example.com"].id,
      code: people["paul@example.com"].code,
      referral_link: people["paul@example.com"].referral_link,
      source: "import",
      referred: true,
      referral: { email: "sara@example.com", name: "Sara Smith", code: sara.code, people_referred: 0 },
    });
    expect(bodies.find((b) => b.email === "anna@example.com")).toMatchObject({
      referred: true,
      referral: { email: "mark@example.com", code: mark.code },
    });
    expect(bodies.find((b) => b.email === "sara@example.com")).toMatchObject({
      referred: false,
      referral: "",
    });

    // The same file again: everyone is already there, nothing changes, nothing is announced.
    receiver.requests.length = 0;
    const again = await upload(campaign.id, csv);
    expect(again.body).toMatchObject({ imported: true, created: 0, already_present: 5, rejected: 0 });
    await deliverAll();
    expect(receiver.requests).toHaveLength(0);
  });

  const badFile = Buffer.concat([
    Buffer.from(
      [
        "email,name,referrer",
        "good@example.com,Good,", // 2
        "not-an-email,Nobody,", // 3
        "lost@example.com,Lost,NOPE-2345", // 4
        "GOOD@example.com,Again,", // 5
        '"multi@example.com","Two', // 6
        'Lines",', // 7
        "early@example.com,Early,later@example.com", // 8: later's row comes after
        "later@example.com,Later,", // 9
        "",
      ].join("\n"),
    ),
    Buffer.from("broken@example.com,Ren"),
    Buffer.from([0xe9]), // 10: Latin-1 é, not UTF-8
    Buffer.from("e,\n"),
    Buffer.from(`replaced@example.com,Ren\uFFFDe,\n`), // 11
    Buffer.from(`long@example.com,${"x".repeat(101)},\n`), // 12
    Buffer.from("extra@example.com,Smith, John,good@example.com\n"), // 13: an unquoted comma
    Buffer.from("self@example.com,Self,self@example.com\n"), // 14
    Buffer.from(`ok2@example.com,OK,good@example.com\n`), // 15
  ]);
  const badRows = [
    { line: 3, email: "not-an-email", reason: "invalid email" },
    { line: 4, email: "lost@example.com", reason: "unknown referrer" },
    { line: 5, email: "good@example.com", reason: "duplicate in the file" },
    { line: 8, email: "early@example.com", reason: "unknown referrer" },
    { line: 10, email: "broken@example.com", reason: "bad encoding" },
    { line: 11, email: "replaced@example.com", reason: "bad encoding" },
    { line: 12, email: "long@example.com", reason: "field too long", field: "name" },
    { line: 13, email: "extra@example.com", reason: "wrong number of fields" },
    { line: 14, email: "self@example.com", reason: "unknown referrer" },
  ];

  it("all or nothing: one bad row and nothing is written; the report names every bad row, by line", async () => {
    const campaign = await newCampaign();
    const res = await upload(campaign.id, badFile);
    expect(res.status).toBe(422);
    expect(res.body).toEqual({
      mode: "all_or_nothing",
      imported: false,
      created: 0,
      already_present: 0,
      rejected: badRows.length,
      rows: badRows,
    });
    expect((await t.api("GET", `/api/v1/campaigns/${campaign.id}/subscribers`)).body.total).toBe(0);
  });

  it("valid_only: the good rows are written and the others reported", async () => {
    const campaign = await newCampaign();
    const res = await upload(campaign.id, badFile, "?mode=valid_only");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      mode: "valid_only",
      imported: true,
      created: 4,
      already_present: 0,
      rejected: badRows.length,
      rows: badRows,
    });
    const people = Object.fromEntries((await everyone(campaign.id)).map((s) => [s.email, s]));
    expect(Object.keys(people).sort()).toEqual([
      "good@example.com",
      "later@example.com",
      "multi@example.com",
      "ok2@example.com",
    ]);
    expect(people["multi@example.com"].name).toBe("Two\nLines");
    expect(people["ok2@example.com"].referred_by).toBe(people["good@example.com"].id);
  });

  it("lists the first 1,000 rejected rows and counts them all", async () => {
    const campaign = await newCampaign();
    const rows = Array.from({ length: 1500 }, (_, i) => `bad-${i}`);
    const res = await upload(
      campaign.id,
      ["email", ...rows, "fine@example.com"].join("\n"),
      "?mode=valid_only",
    );
    expect(res.body).toMatchObject({ created: 1, rejected: 1500 });
    expect(res.body.rows).toHaveLength(1000);
    expect(res.body.rows[999]).toEqual({ line: 1001, email: "bad-999", reason: "invalid email" });
  });

  it("reads quoted fields with commas and quotes, a BOM and CRLF line ends", async () => {
    const campaign = await newCampaign();
    const csv = `\uFEFFemail,name,extra_field\r\n"james@example.com","James, Mark","He said ""hi"""\r\nzoe@example.com,Zoé,"a\r\nb"\r\nnot-email,x,y\r\n`;
    const res = await upload(campaign.id, csv, "?mode=valid_only");
    expect(res.body).toMatchObject({
      created: 2,
      rejected: 1,
      rows: [{ line: 5, email: "not-email", reason: "invalid email" }],
    });
    const people = Object.fromEntries((await everyone(campaign.id)).map((s) => [s.email, s]));
    expect(people["james@example.com"]).toMatchObject({ name: "James, Mark", extra_field: 'He said "hi"' });
    expect(people["james@example.com"].code).toMatch(/^JAMES-/);
    expect(people["zoe@example.com"]).toMatchObject({ name: "Zoé", extra_field: "a\r\nb" });
  });

  it.each([
    ["email,name,phone\na@example.com,A,1\n", /unknown column "phone": the columns are email, name/],
    ["name,referrer\nA,\n", /must name an email column/],
    ["email,name,EMAIL\n", /column "email" appears twice/],
    ["", /the file is empty/],
    ['email,name\n"a@example.com,A\n', /line 2: a quoted field is never closed/],
  ])("refuses a malformed file with a 400 and writes nothing: %j", async (csv, message) => {
    const campaign = await newCampaign();
    const res = await upload(campaign.id, csv);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: "validation_failed", field: "csv" });
    expect(res.body.error.message).toMatch(message);
    expect((await t.api("GET", `/api/v1/campaigns/${campaign.id}/subscribers`)).body.total).toBe(0);
  });

  it("refuses a UTF-16 file, JSON, an unknown mode, an unknown campaign and a missing key", async () => {
    const campaign = await newCampaign();
    const utf16 = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from("email\na@example.com\n", "utf16le"),
    ]);
    const wide = await upload(campaign.id, utf16);
    expect(wide.status).toBe(400);
    expect(wide.body.error.message).toMatch(/UTF-16: save it as CSV UTF-8/);
    const json = await upload(
      campaign.id,
      JSON.stringify({ email: "a@example.com" }),
      "",
      "application/json",
    );
    expect(json.status).toBe(415);
    const mode = await upload(campaign.id, "email\na@example.com\n", "?mode=some");
    expect(mode.status).toBe(400);
    expect(mode.body.error.field).toBe("mode");
    expect((await upload("cmp_nope", "email\na@example.com\n")).status).toBe(404);
    const anonymous = await fetch(`${t.url}/api/v1/campaigns/${campaign.id}/subscribers/import`, {
      method: "POST",
      headers: { "content-type": "text/csv" },
      body: "email\na@example.com\n",
    });
    expect(anonymous.status).toBe(401);
    expect((await t.api("GET", `/api/v1/campaigns/${campaign.id}/subscribers`)).body.total).toBe(0);
  });

  it("retries a row whose new code is taken, with a fresh code", async () => {
    const campaign = await newCampaign();
    const row = (await getCampaign(t.server.database.db, campaign.id))!;
    // The first code drawn in each import is MARK-2222 (all-zero bytes); later draws are random.
    let zeros = 0;
    const random = (n: number) =>
      zeros-- > 0 ? new Uint8Array(n) : globalThis.crypto.getRandomValues(new Uint8Array(n));
    const run = (csv: string) => {
      zeros = 1;
      return importSubscribers(t.server.database.db, row, inPieces(Buffer.from(csv)), {
        mode: "all_or_nothing",
        now: Date.now(),
        random,
      });
    };
    expect(await run("email,name\nfirst@example.com,Mark\n")).toMatchObject({ created: 1 });
    const taken = (await everyone(campaign.id))[0].code;
    expect(taken).toBe("MARK-2222");
    expect(await run("email,name\nsecond@example.com,Mark\n")).toMatchObject({ created: 1, rejected: 0 });
    const second = (await everyone(campaign.id)).find((s) => s.email === "second@example.com");
    expect(second.code).toMatch(/^MARK-/);
    expect(second.code).not.toBe(taken);
  });

  it("two imports of overlapping files at once create each ambassador once", async () => {
    const campaign = await newCampaign();
    const file = (from: number) =>
      ["email,referrer", ...Array.from({ length: 3000 }, (_, i) => `p${from + i}@example.com,`)].join("\n");
    const [a, b] = await Promise.all([upload(campaign.id, file(0)), upload(campaign.id, file(1500))]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.body.created + a.body.already_present).toBe(3000);
    expect(b.body.created + b.body.already_present).toBe(3000);
    expect(a.body.created + b.body.created).toBe(4500);
    expect((await everyone(campaign.id)).length).toBe(4500);
  });

  it("imports 10,000 rows in one request, a tenth of them referred", async () => {
    const campaign = await newCampaign("https://big.example.com");
    const founder = (
      await t.api("POST", `/api/v1/campaigns/${campaign.id}/subscribers`, { email: "founder@example.com" })
    ).body;
    const names = ["Mark", "Sara", "Anna", "Paul", "Zoé", "Li", "", "O'Neil"];
    const lines = ["email,name,referrer"];
    let referred = 0;
    for (let i = 0; i < 10_000; i++) {
      const referrer =
        i % 10 !== 9 ? "" : i % 20 === 9 ? founder.code : `user${Math.floor(i / 2)}@example.com`;
      if (referrer) referred++;
      lines.push(`user${i}@example.com,${names[i % names.length]} ${i},${referrer}`);
    }
    const res = await upload(campaign.id, `${lines.join("\n")}\n`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ created: 10_000, already_present: 0, rejected: 0 });
    const people = await everyone(campaign.id);
    expect(people).toHaveLength(10_001);
    expect(new Set(people.map((s) => s.code)).size).toBe(10_001);
    expect(people.filter((s) => s.referred_by !== null)).toHaveLength(referred);
    expect(people.filter((s) => s.referred_by === founder.id)).toHaveLength(500);
    const byEmail = new Map(people.map((s) => [s.email, s]));
    expect(byEmail.get("user19@example.com")?.referred_by).toBe(byEmail.get("user9@example.com")?.id);
  });

  it("records the pixel's conversions sent while a 20,000-row import is being written", async () => {
    const campaign = await newCampaign();
    const lines = [
      "email,name",
      ...Array.from({ length: 20_000 }, (_, i) => `live${i}@example.com,Live ${i}`),
    ];
    let done = false;
    const importing = upload(campaign.id, lines.join("\n")).finally(() => {
      done = true;
    });
    const answers: number[] = [];
    for (let i = 0; !done || answers.length < 5; i++) {
      const res = await pixelPost(t.url, "track", {
        k: campaign.public_key,
        event: "download",
        vid: `visitor-${i}-${Date.now()}`,
        data: { email: `buyer${i}@example.com` },
      });
      answers.push(res.status);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect((await importing).body).toMatchObject({ created: 20_000, rejected: 0 });
    expect(answers.every((s) => s === 201)).toBe(true);
    const conversions = (await t.api("GET", `/api/v1/campaigns/${campaign.id}/conversions`)).body.data;
    expect(conversions).toHaveLength(answers.length);
  });
});
