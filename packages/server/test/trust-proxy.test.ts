// VOUCH_TRUST_PROXY: which reverse proxies may name the visitor in X-Forwarded-For. Off, the header is ignored and
// a script cannot dodge the per-address limits by inventing addresses; on, visitors behind one nginx get buckets
// of their own. Checked on the widget sign-up limit (10 a minute per address) over a real port.
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config.js";
import { dialects, startTestServer, type TestServer } from "./support/test-server.js";

describe("VOUCH_TRUST_PROXY", () => {
  it.each<[string | undefined, false | number | string[]]>([
    [undefined, false],
    ["", false],
    ["0", false],
    ["false", false],
    ["1", 1],
    ["true", 1],
    ["TRUE", 1],
    ["2", 2],
    ["10", 10],
    ["127.0.0.1", ["127.0.0.1"]],
    ["10.0.0.0/8, 192.168.1.10 ,::1", ["10.0.0.0/8", "192.168.1.10", "::1"]],
    ["fd00::/8,loopback,uniquelocal", ["fd00::/8", "loopback", "uniquelocal"]],
  ])("reads %j as %j", (value, expected) => {
    expect(loadConfig(value === undefined ? {} : { VOUCH_TRUST_PROXY: value }).trustProxy).toEqual(expected);
  });

  it.each([
    "yes",
    "11",
    "-1",
    "1.5",
    "10.0.0.0/33",
    "::1/129",
    "300.1.1.1",
    "10.0.0.1/8/8",
    "10.0.0.0/8,",
    "nginx",
  ])("refuses %j with one line saying what to write", (value) => {
    let error: unknown;
    try {
      loadConfig({ VOUCH_TRUST_PROXY: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toMatch(/^VOUCH_TRUST_PROXY must be 0, 1 \(one proxy in front\), .*CIDR ranges/);
    expect(message).toContain(`(got "${value}")`);
    expect(message).not.toContain("\n");
  });
});

describe.each(dialects)("rate limits behind a proxy on $name", (dialect) => {
  let t: TestServer | undefined;
  const now = Date.UTC(2026, 10, 24, 12);
  let emails = 0;

  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  async function start(trustProxy?: false | number | string[]) {
    t = await startTestServer(dialect, {
      clock: () => now,
      ...(trustProxy !== undefined ? { trustProxy } : {}),
    });
    const campaign = (
      await t.api("POST", "/api/v1/campaigns", {
        name: "Acme",
        url: "https://acme.example.com/",
        events: ["x"],
      })
    ).body;
    return campaign.public_key as string;
  }

  /** A widget sign-up, as it reaches Vouch through the proxy: with the X-Forwarded-For it set. */
  async function signup(key: string, forwardedFor: string): Promise<number> {
    const res = await fetch(`${t?.url}/api/v1/widget/${key}/signup`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-for": forwardedFor },
      body: JSON.stringify({ email: `p${++emails}@example.com`, consent: true }),
    });
    await res.body?.cancel();
    return res.status;
  }

  const eleven = (key: string, forwardedFor: (i: number) => string) =>
    Promise.all(Array.from({ length: 11 }, (_, i) => signup(key, forwardedFor(i)))).then((s) =>
      s.sort((a, b) => a - b),
    );
  const tenThen429 = [...Array(10).fill(201), 429];

  it("off (the default): X-Forwarded-For is ignored, so invented addresses share the socket's bucket", async () => {
    const key = await start();
    expect(await eleven(key, (i) => `198.51.100.${i + 1}`)).toEqual(tenThen429);
  });

  it("1: each address the proxy forwards gets its own bucket", async () => {
    const key = await start(1);
    expect(await eleven(key, (i) => `198.51.100.${i + 1}`)).toEqual(Array(11).fill(201));
    // One visitor behind the proxy is still limited…
    expect(await eleven(key, () => "203.0.113.7")).toEqual(tenThen429);
    // …and cannot escape by prepending addresses of their own: the proxy appends the one it saw, last.
    expect(await eleven(key, (i) => `10.9.9.${i}, 203.0.113.8`)).toEqual(tenThen429);
  });

  it("a list: X-Forwarded-For counts only when the socket's peer is a listed proxy", async () => {
    const listed = await start(["127.0.0.1/32"]);
    expect(await eleven(listed, (i) => `198.51.100.${i + 1}`)).toEqual(Array(11).fill(201));
    await t?.close();
    const unlisted = await start(["10.0.0.0/8"]);
    expect(await eleven(unlisted, (i) => `198.51.100.${i + 1}`)).toEqual(tenThen429);
  });
});
