// SMTP_URL and VOUCH_MAIL_FROM: read from the environment, and a bad value is one clear line (never showing
// the SMTP password).
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config.js";

describe("mail configuration", () => {
  it("is unset by default: the development mailer prints emails", () => {
    const config = loadConfig({});
    expect(config.smtpUrl).toBeUndefined();
    expect(config.mailFrom).toBeUndefined();
  });

  it.each([
    "smtp://mail.example.com",
    "smtp://user:p%40ss@mail.example.com:587",
    "smtps://user:pass@mail.example.com:465",
  ])("takes SMTP_URL %s", (url) => {
    expect(loadConfig({ SMTP_URL: url }).smtpUrl).toBe(url);
  });

  it.each(["referrals@acme.example.com", "Acme Referrals <referrals@acme.example.com>"])(
    "takes VOUCH_MAIL_FROM %s",
    (from) => {
      expect(loadConfig({ VOUCH_MAIL_FROM: from }).mailFrom).toBe(from);
    },
  );

  it.each([
    ["SMTP_URL", "http://mail.example.com"],
    ["SMTP_URL", "mail.example.com:25"],
    ["VOUCH_MAIL_FROM", "not an address"],
    ["VOUCH_MAIL_FROM", "Acme <referrals@acme.example.com"],
    ["VOUCH_MAIL_FROM", "a@b.example\r\nBcc: victim@example.com"],
  ])("refuses %s=%j with one line naming it", (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    try {
      loadConfig({ [name]: value });
    } catch (err) {
      expect((err as Error).message.startsWith(`${name} must be`)).toBe(true);
      expect((err as Error).message).not.toContain("\n");
    }
  });

  it("does not print the password of a bad SMTP_URL", () => {
    expect(() => loadConfig({ SMTP_URL: "ftp://user:secret@mail.example.com" })).toThrow(/\/\/\*\*\*@mail/);
    expect(() => loadConfig({ SMTP_URL: "ftp://user:secret@mail.example.com" })).not.toThrow(/secret/);
  });
});
