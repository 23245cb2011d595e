import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dialects, startTestServer, type TestServer } from "./support/test-server.js";

describe.each(dialects)("subscribers API on $name", (dialect) => {
  let t: TestServer;
  let campaign: any;
  beforeAll(async () => {
    t = await startTestServer(dialect);
    campaign = (
      await t.api("POST", "/api/v1/campaigns", {
        name: "App",
        url: "https://app.example.com/join?lang=en",
        events: ["download"],
      })
    ).body;
  });
  afterAll(async () => t.close());

  it("creates an ambassador with a readable code and a referral link that keeps the site's query", async () => {
    const res = await t.api("POST", `/api/v1/campaigns/${campaign.id}/subscribers`, {
      email: "Mark@Example.com",
      name: "Mark James",
      extra_field: "USA",
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      email: "mark@example.com",
      name: "Mark James",
      extra_field: "USA",
      extra_field_2: null,
      people_referred: 0,
    });
    expect(res.body.id).toMatch(/^sub_/);
    expect(res.body.code).toMatch(/^MARK-[2-9A-HJKMNP-TV-Z]{4}$/);
    expect(res.body.referral_link).toBe(`https://app.example.com/join?lang=en&mwr=${res.body.code}`);
    expect(new Date(res.body.created_at).getTime()).toBeGreaterThan(0);
  });

  it("answers the same email again with 200 and the existing ambassador, unchanged", async () => {
    const first = await t.api("POST", `/api/v1/campaigns/${campaign.id}/subscribers`, {
      email: "anna@example.com",
      name: "Anna",
    });
    const again = await t.api("POST", `/api/v1/campaigns/${campaign.id}/subscribers`, {
      email: "ANNA@example.com",
      name: "Someone Else",
    });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
  });

  it("records the referrer by code or id, and refuses an unknown one", async () => {
    const mark = (
      await t.api("POST", `/api/v1/campaigns/${campaign.id}/subscribers`, {
        email: "m2@example.com",
        name: "M",
      })
    ).body;
    const byCode = await t.api("POST", `/api/v1/campaigns/${campaign.id}/subscribers`, {
      email: "f1@example.com",
      referrer: mark.code.toLowerCase(),
    });
    expect(byCode.body.referred_by).toBe(mark.id);
    const byId = await t.api("POST", `/api/v1/campaigns/${campaign.id}/subscribers`, {
      email: "f2@example.com",
      referrer: mark.id,
    });
    expect(byId.body.referred_by).toBe(mark.id);
    const unknown = await t.api("POST", `/api/v1/campaigns/${campaign.id}/subscribers`, {
      email: "f3@example.com",
      referrer: "NOPE-1234",
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error).toMatchObject({ code: "unknown_referrer", field: "referrer" });
    const list = await t.api("GET", `/api/v1/campaigns/${campaign.id}/subscribers?search=f3@`);
    expect(list.body.total).toBe(0);
  });

  it.each([
    [{}, "email"],
    [{ email: "not-an-email" }, "email"],
    [{ email: `${"a".repeat(250)}@example.com` }, "email"],
    [{ email: "ok@example.com", name: "n".repeat(101) }, "name"],
    [{ email: "ok@example.com", unknown: 1 }, "unknown"],
  ])("rejects %j naming %s", async (body, field) => {
    const res = await t.api("POST", `/api/v1/campaigns/${campaign.id}/subscribers`, body);
    expect(res.status).toBe(400);
    expect(res.body.error.field).toBe(field);
  });

  it("lists with search, sort and pagination, and gets one by id", async () => {
    const { body: c } = await t.api("POST", "/api/v1/campaigns", {
      name: "List",
      url: "https://l.example",
      events: ["signup"],
    });
    for (const name of ["Zoe", "Yann", "Xavier"]) {
      await t.api("POST", `/api/v1/campaigns/${c.id}/subscribers`, {
        email: `${name.toLowerCase()}@example.com`,
        name,
      });
    }
    const page = await t.api(
      "GET",
      `/api/v1/campaigns/${c.id}/subscribers?limit=2&sort=created_at&order=asc`,
    );
    expect(page.body.total).toBe(3);
    expect(page.body.data.map((s: any) => s.name)).toEqual(["Zoe", "Yann"]);
    const next = await t.api(
      "GET",
      `/api/v1/campaigns/${c.id}/subscribers?limit=2&offset=2&sort=created_at&order=asc`,
    );
    expect(next.body.data.map((s: any) => s.name)).toEqual(["Xavier"]);
    const search = await t.api("GET", `/api/v1/campaigns/${c.id}/subscribers?search=yan`);
    expect(search.body.data.map((s: any) => s.name)).toEqual(["Yann"]);
    const one = await t.api("GET", `/api/v1/subscribers/${search.body.data[0].id}`);
    expect(one.body).toEqual({ ...search.body.data[0], rewards: [], progress: [] });
    expect((await t.api("GET", "/api/v1/subscribers/sub_nope")).status).toBe(404);
    expect((await t.api("GET", `/api/v1/campaigns/${c.id}/subscribers?sort=height`)).status).toBe(400);
  });
});
