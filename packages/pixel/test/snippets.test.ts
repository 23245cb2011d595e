import { readFileSync } from "node:fs";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { conversionCode, scriptPath, trackingCode } from "../src/snippets.js";
import { builtScript } from "./support/built-script.js";

const opts = {
  scriptUrl: "https://vouch.example.com/rht.min.js",
  publicKey: "pk_7q3mz8kd2w9xvp4r",
  apiUrl: "https://vouch.example.com",
  cookieDays: 30,
};

/** The JavaScript inside a `<script>…</script>` snippet. */
function scriptBody(snippet: string): string {
  const match = /^<script>([\s\S]*)<\/script>$/.exec(snippet);
  if (!match) throw new Error(`not one script element: ${snippet}`);
  expect(match[1]).not.toMatch(/<\/script/i);
  return match[1]!;
}

/** Runs the tracking code in a bare global with just enough of a document to insert the script. */
function runStub(snippet: string, window: Record<string, any> = {}) {
  const inserted: Record<string, any>[] = [];
  const document = {
    createElement: (tag: string) => ({ tag }),
    head: { appendChild: (el: Record<string, any>) => inserted.push(el) },
  };
  window.window = window;
  window.document = document;
  runInNewContext(scriptBody(snippet), window);
  return { window, inserted };
}

describe("trackingCode", () => {
  it("queues calls in order, keeps the config, and loads the script asynchronously", () => {
    const { window, inserted } = runStub(trackingCode(opts));
    window.rht("track", "download", { email: "a@example.com" });
    window.rht("foo");
    expect(window.rht.q.map((args: IArguments) => Array.from(args))).toEqual([
      ["track", "download", { email: "a@example.com" }],
      ["foo"],
    ]);
    expect(window.rht.c).toEqual({ k: opts.publicKey, a: "https://vouch.example.com", d: 30 });
    expect(inserted).toEqual([{ tag: "script", async: true, src: opts.scriptUrl }]);
  });

  it("leaves an rht that is already defined alone", () => {
    const existing = () => {};
    const { window, inserted } = runStub(trackingCode(opts), { rht: existing });
    expect(window.rht).toBe(existing);
    expect(inserted).toEqual([]);
  });

  it("drops a trailing slash from the API URL", () => {
    const { window } = runStub(trackingCode({ ...opts, apiUrl: "http://localhost:3000/vouch/" }));
    expect(window.rht.c.a).toBe("http://localhost:3000/vouch");
  });

  it("cannot be broken out of by the URLs", () => {
    const scriptUrl = 'https://evil.example/</script><script>alert(1)</script>?"\u2028';
    const snippet = trackingCode({ ...opts, scriptUrl });
    const { inserted } = runStub(snippet);
    expect(inserted[0]?.src).toBe(scriptUrl);
    expect(snippet).not.toContain("\u2028");
  });

  it.each([
    ["a key without pk_", { publicKey: "sk_7q3mz8kd2w9xvp4r" }],
    ["a short key", { publicKey: "pk_abc" }],
    ["a relative script URL", { scriptUrl: "/rht.min.js" }],
    ["a javascript: API URL", { apiUrl: "javascript:alert(1)" }],
    ["zero days", { cookieDays: 0 }],
    ["fractional days", { cookieDays: 1.5 }],
  ])("rejects %s", (_, bad) => {
    expect(() => trackingCode({ ...opts, ...bad })).toThrow(TypeError);
  });
});

describe("conversionCode", () => {
  it("is the seed's conversion code with empty values", () => {
    expect(conversionCode("download")).toBe(
      `<script>rht("track", "download", {
  email: "",
  first_name: "",
  last_name: "",
  currency: "USD",
  amount: 0,
  transaction_id: ""
});</script>`,
    );
  });

  it("shows the example values", () => {
    const code = conversionCode("purchase", {
      email: "john@example.com",
      first_name: "John",
      last_name: "Smith",
      currency: "EUR",
      amount: 15.7,
      transaction_id: "TRX_123",
    });
    const calls: unknown[][] = [];
    runInNewContext(scriptBody(code), { rht: (...args: unknown[]) => calls.push(args) });
    expect(calls).toEqual([
      [
        "track",
        "purchase",
        {
          email: "john@example.com",
          first_name: "John",
          last_name: "Smith",
          currency: "EUR",
          amount: 15.7,
          transaction_id: "TRX_123",
        },
      ],
    ]);
  });

  it.each([
    ["quotes and backslashes", 'say "hi" \\ there'],
    ["a closing script tag", "</script><script>alert(1)//"],
    ["an HTML comment opener", "<!-- x"],
    ["line separators", "a\u2028b\u2029c\nd"],
  ])("escapes %s in the event name and values", (_, text) => {
    const code = conversionCode(text, { email: text, transaction_id: text });
    const calls: unknown[][] = [];
    runInNewContext(scriptBody(code), { rht: (...args: unknown[]) => calls.push(args) });
    expect(calls).toEqual([
      [
        "track",
        text,
        { email: text, first_name: "", last_name: "", currency: "USD", amount: 0, transaction_id: text },
      ],
    ]);
    expect(code).not.toMatch(/<!--|\u2028|\u2029/);
  });

  it("shows 0 for an amount that is not a finite number", () => {
    expect(conversionCode("x", { amount: Number.NaN })).toContain("amount: 0,");
    expect(conversionCode("x", { amount: -2.5 })).toContain("amount: -2.5,");
  });
});

describe("scriptPath", () => {
  it("points at the built script in dist/", () => {
    const script = builtScript();
    expect(scriptPath()).toMatch(/\/packages\/pixel\/dist\/rht\.min\.js$/);
    expect(readFileSync(scriptPath())).toEqual(script);
  });
});
