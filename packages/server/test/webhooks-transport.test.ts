// The delivery transport on its own, against a real local receiver: the SSRF policy when an endpoint is saved and
// again when a connection is dialled, redirects, time limits and what is kept of a response.
import type { LookupAddress } from "node:dns";
import { afterEach, describe, expect, it } from "vitest";
import {
  ADDRESS_BLOCKED,
  checkWebhookUrl,
  createDeliveryAgents,
  type DeliveryAgents,
  deliver,
  type LookupAll,
} from "../src/webhooks/safe-agent.js";
import { Receiver } from "./support/receiver.js";

/** DNS as the test says: every name resolves to `addresses`. */
const dnsSaying =
  (...addresses: string[]): LookupAll =>
  (_host, _options, callback) =>
    callback(
      null,
      addresses.map((address): LookupAddress => ({ address, family: address.includes(":") ? 6 : 4 })),
    );

describe("checkWebhookUrl when private addresses are not allowed", () => {
  const closed = { allowPrivate: false };
  it.each([
    ["http://127.0.0.1/", "loopback"],
    ["http://169.254.169.254/latest/meta-data/", "link_local"],
    ["http://10.0.0.5/hook", "private"],
    ["http://192.168.1.1/hook", "private"],
    ["http://100.64.0.1/hook", "cgnat"],
    ["http://0.0.0.0/", "unspecified"],
    ["http://[::1]/", "loopback"],
    ["http://[::ffff:127.0.0.1]/", "loopback"],
    ["http://[fd00::1]/", "private"],
    ["http://0x7f000001/", "loopback"],
    ["http://2130706433/", "loopback"],
    ["http://127.1/", "loopback"],
  ])("refuses %s (%s)", async (url, cls) => {
    const verdict = await checkWebhookUrl(url, closed);
    expect(verdict.ok).toBe(false);
    expect(verdict).toMatchObject({ reason: expect.stringContaining(`a ${cls} address`) });
  });

  it("refuses a name that resolves to a private address, or to any private address among public ones", async () => {
    expect(
      await checkWebhookUrl("https://hooks.customer.example/", {
        allowPrivate: false,
        lookup: dnsSaying("10.1.2.3"),
      }),
    ).toMatchObject({ ok: false, reason: expect.stringContaining("resolved from hooks.customer.example") });
    expect(
      await checkWebhookUrl("https://hooks.customer.example/", {
        allowPrivate: false,
        lookup: dnsSaying("93.184.215.14", "169.254.169.254"),
      }),
    ).toMatchObject({ ok: false });
  });

  it("accepts a public address, and private ones when the operator allows them", async () => {
    expect(await checkWebhookUrl("https://93.184.215.14/hook", closed)).toEqual({ ok: true });
    expect(
      await checkWebhookUrl("https://hooks.customer.example/", {
        allowPrivate: false,
        lookup: dnsSaying("93.184.215.14"),
      }),
    ).toEqual({ ok: true });
    expect(await checkWebhookUrl("http://127.0.0.1/", { allowPrivate: true })).toEqual({ ok: true });
  });

  it("refuses what is not an http(s) URL, and credentials", async () => {
    expect(await checkWebhookUrl("ftp://93.184.215.14/", closed)).toMatchObject({ ok: false });
    expect(await checkWebhookUrl("https://u:p@93.184.215.14/", closed)).toMatchObject({ ok: false });
    expect(await checkWebhookUrl("not a url", closed)).toMatchObject({ ok: false });
  });
});

describe("deliver", () => {
  let receiver: Receiver;
  let agents: DeliveryAgents[] = [];
  const agentsWith = (options: Parameters<typeof createDeliveryAgents>[0]) => {
    const a = createDeliveryAgents(options);
    agents.push(a);
    return a;
  };
  const send = (url: string, a: DeliveryAgents, timeoutMs?: number) =>
    deliver({
      url,
      headers: { "webhook-id": "msg_1" },
      body: '{"ok":true}',
      agents: a,
      ...(timeoutMs ? { timeoutMs } : {}),
    });

  afterEach(async () => {
    for (const a of agents) {
      a.http.destroy();
      a.https.destroy();
    }
    agents = [];
    await receiver?.close();
  });

  it("never connects to a private address at dial time, even when DNS changes its answer", async () => {
    receiver = await Receiver.start();
    const closed = agentsWith({ allowPrivate: false });
    const direct = await send(receiver.url(), closed);
    expect(direct).toMatchObject({ status: null, errorCode: ADDRESS_BLOCKED });
    // DNS rebinding: the name looked public when saved, and now points at the host itself.
    const rebound = agentsWith({ allowPrivate: false, lookup: dnsSaying("127.0.0.1") });
    const port = new URL(receiver.url()).port;
    const viaName = await send(`http://hooks.customer.example:${port}/hook`, rebound);
    expect(viaName).toMatchObject({ status: null, errorCode: ADDRESS_BLOCKED });
    expect(receiver.requests).toHaveLength(0);

    const open = agentsWith({ allowPrivate: true, lookup: dnsSaying("127.0.0.1") });
    expect(await send(`http://hooks.customer.example:${port}/hook`, open)).toMatchObject({ status: 200 });
    expect(receiver.requests).toHaveLength(1);
    expect(receiver.requests[0]?.headers.host).toBe(`hooks.customer.example:${port}`);
  });

  it("posts JSON with a content-length, and returns a 3xx as it is without following it", async () => {
    receiver = await Receiver.start();
    receiver.respond({ status: 307, headers: { location: receiver.url("/elsewhere") } });
    const result = await send(receiver.url(), agentsWith({ allowPrivate: true }));
    expect(result).toMatchObject({ status: 307 });
    expect(result.error).toBeUndefined();
    expect(receiver.requests.map((r) => r.path)).toEqual(["/hook"]);
    expect(receiver.requests[0]).toMatchObject({
      method: "POST",
      rawBody: '{"ok":true}',
      headers: { "content-type": "application/json", "content-length": "11", "webhook-id": "msg_1" },
    });
  });

  it("gives up on a receiver that does not answer in time", async () => {
    receiver = await Receiver.start();
    receiver.respond({ status: 200, delayMs: 1_000 });
    const result = await send(receiver.url(), agentsWith({ allowPrivate: true }), 200);
    expect(result).toMatchObject({ status: null, errorCode: "ERR_WEBHOOK_TIMEOUT" });
    expect(result.durationMs).toBeGreaterThanOrEqual(190);
    expect(result.durationMs).toBeLessThan(1_000);
  });

  it("keeps the first 1024 bytes of a large response, and the Retry-After header", async () => {
    receiver = await Receiver.start();
    receiver.respond({ status: 503, headers: { "retry-after": "120" }, body: "y".repeat(100 * 1024) });
    const a = agentsWith({ allowPrivate: true });
    const result = await send(receiver.url(), a);
    expect(result).toMatchObject({ status: 503, retryAfter: "120" });
    expect(result.responseBody).toBe("y".repeat(1024));
    // The connection is still usable (or cleanly replaced) for the next delivery.
    expect(await send(receiver.url(), a)).toMatchObject({ status: 200, responseBody: "ok" });
  });

  it("reports a refused connection", async () => {
    receiver = await Receiver.start();
    await receiver.stop();
    const result = await send(receiver.url(), agentsWith({ allowPrivate: true }));
    expect(result).toMatchObject({ status: null, errorCode: "ECONNREFUSED" });
    expect(result.error).toContain("ECONNREFUSED");
  });
});
