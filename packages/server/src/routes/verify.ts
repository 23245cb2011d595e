// GET and POST /verify/:token, POST /verify/resend — the double opt-in link an ambassador follows from their
// email (HTML pages for people, not API answers): opening it shows a button, pressing it confirms.

import type { CampaignRow } from "@vouch/db";
import type { FastifyInstance, FastifyReply } from "fastify";
import { z } from "zod";
import type { AppContext } from "../context.js";
import { RateLimiter } from "../http/rate-limit.js";
import { ResendTooSoon, resendVerificationEmail } from "../use-cases/request-verification.js";
import { findVerification, readVerificationLink, verifyByLink } from "../use-cases/verify-subscriber.js";
import { renderVerifyPage, type VerifyPage } from "../views/verify-page.js";

// Long enough for any token Vouch makes, short enough that a junk one costs nothing.
const token = z.string().min(1).max(200);
const resendForm = z.object({ token });

export function verifyRoutes(app: FastifyInstance, ctx: AppContext): void {
  const resendsPerIp = new RateLimiter({ limit: 10, perMs: 60_000 });
  app.addContentTypeParser(
    "application/x-www-form-urlencoded",
    { parseAs: "string", bodyLimit: 1024 },
    (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );

  // Opening the link changes nothing: mail scanners (Outlook Safe Links and the like) open every link in an
  // email before its reader does, so a GET that confirmed would confirm addresses nobody looked at.
  app.get<{ Params: { token: string } }>("/verify/:token", async (request, reply) => {
    const parsed = token.safeParse(request.params.token);
    if (!parsed.success) return page(reply, 404, invalidLink);
    const state = await readVerificationLink(ctx.db, ctx.verificationSecret, parsed.data, ctx.clock());
    if (state.kind === "invalid") return page(reply, 404, invalidLink);
    if (state.kind === "expired") return page(reply, 410, expiredLink(state.campaign, parsed.data));
    if (state.kind === "already_verified") return page(reply, 200, alreadyConfirmed(state.campaign));
    return page(reply, 200, {
      title: `Confirm your email for ${state.campaign.name}`,
      message: `Press the button to confirm ${state.subscriber.email} for the ${state.campaign.name} referral program. Once you do, every friend you refer counts toward your rewards.`,
      // The path this page was opened at, on this server (the CSP's form-action 'self' holds it there too).
      form: { action: `/verify/${parsed.data}`, button: "Confirm my email" },
    });
  });

  // The button on the link's page: the ambassador, not a scanner, confirms.
  app.post<{ Params: { token: string } }>("/verify/:token", async (request, reply) => {
    const parsed = token.safeParse(request.params.token);
    if (!parsed.success) return page(reply, 404, invalidLink);
    const outcome = await verifyByLink(ctx.db, ctx.dialect, ctx.verificationSecret, parsed.data, ctx.clock());
    if (outcome.kind === "invalid") return page(reply, 404, invalidLink);
    if (outcome.kind === "expired") return page(reply, 410, expiredLink(outcome.campaign, parsed.data));
    if (outcome.outboxWritten) ctx.webhooks.nudge();
    if (!outcome.changed) return page(reply, 200, alreadyConfirmed(outcome.campaign));
    return page(reply, 200, {
      title: "Your email is confirmed",
      message: `Thank you! You are part of the ${outcome.campaign.name} referral program: every friend you refer now counts toward your rewards.`,
      site: siteOf(outcome.campaign),
    });
  });

  app.post("/verify/resend", async (request, reply) => {
    const now = ctx.clock();
    if (resendsPerIp.take(request.ip, now) > 0)
      return page(reply, 429, { title: "Too many requests", message: "Please try again in a minute." });
    const form = resendForm.safeParse(request.body);
    const found = form.success
      ? await findVerification(ctx.db, ctx.verificationSecret, form.data.token)
      : undefined;
    if (!found) return page(reply, 404, invalidLink);
    const site = siteOf(found.campaign);
    try {
      const outcome = await resendVerificationEmail(ctx.db, ctx.dialect, found.subscriber, now);
      if (!outcome.sent)
        return page(reply, 200, {
          title: "Your email was already confirmed",
          message: "Nothing more to do.",
          site,
        });
    } catch (err) {
      if (!(err instanceof ResendTooSoon)) throw err;
      reply.header("Retry-After", String(err.retryAfterSeconds));
      return page(reply, 429, { title: "A link was sent recently", message: `${err.message}.`, site });
    }
    ctx.mail.nudge();
    return page(reply, 202, {
      title: "Check your email",
      message: `A new confirmation link is on its way to ${found.subscriber.email}.`,
      site,
    });
  });
}

const siteOf = (campaign: CampaignRow) => ({ name: campaign.name, url: campaign.url });

const alreadyConfirmed = (campaign: CampaignRow): VerifyPage => ({
  title: "Your email was already confirmed",
  message: `Nothing more to do: your ${campaign.name} referrals count toward your rewards.`,
  site: siteOf(campaign),
});

const expiredLink = (campaign: CampaignRow, linkToken: string): VerifyPage => ({
  title: "This link has expired",
  message: `Confirmation links work for 7 days. Ask for a new one and use it to confirm your email for ${campaign.name}.`,
  form: { action: "/verify/resend", button: "Email me a new link", fields: { token: linkToken } },
  site: siteOf(campaign),
});

const invalidLink: VerifyPage = {
  title: "This link is not valid",
  message:
    "The confirmation link is incomplete or was not made by this referral program. Open it again from the email, or sign up again to get a new one.",
};

function page(reply: FastifyReply, status: number, content: VerifyPage) {
  return (
    reply
      .status(status)
      .header("content-type", "text/html; charset=utf-8")
      .header("cache-control", "no-store")
      // The token is in this page's URL: never send it on to the campaign's site.
      .header("referrer-policy", "no-referrer")
      .header("x-frame-options", "DENY")
      .header("content-security-policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
      .send(renderVerifyPage(content))
  );
}
