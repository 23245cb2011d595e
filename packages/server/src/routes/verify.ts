// GET /verify/:token, POST /verify/resend — the double opt-in link an ambassador follows from their email
// (HTML pages for people, not API answers), and the button on an expired link's page.
import type { FastifyInstance, FastifyReply } from "fastify";
import { z } from "zod";
import type { AppContext } from "../context.js";
import { RateLimiter } from "../http/rate-limit.js";
import { ResendTooSoon, resendVerificationEmail } from "../use-cases/request-verification.js";
import { findVerification, verifyByLink } from "../use-cases/verify-subscriber.js";
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

  app.get<{ Params: { token: string } }>("/verify/:token", async (request, reply) => {
    const parsed = token.safeParse(request.params.token);
    const outcome = parsed.success
      ? await verifyByLink(ctx.db, ctx.dialect, ctx.verificationSecret, parsed.data, ctx.clock())
      : ({ kind: "invalid" } as const);
    if (outcome.kind === "invalid") return page(reply, 404, invalidLink);
    const site = { name: outcome.campaign.name, url: outcome.campaign.url };
    if (outcome.kind === "expired") {
      return page(reply, 410, {
        title: "This link has expired",
        message: `Confirmation links work for 7 days. Ask for a new one and use it to confirm your email for ${outcome.campaign.name}.`,
        resendToken: parsed.data,
        site,
      });
    }
    if (outcome.outboxWritten) ctx.webhooks.nudge();
    return page(reply, 200, {
      title: outcome.changed ? "Your email is confirmed" : "Your email was already confirmed",
      message: outcome.changed
        ? `Thank you! You are part of the ${outcome.campaign.name} referral program: every friend you refer now counts toward your rewards.`
        : `Nothing more to do: your ${outcome.campaign.name} referrals count toward your rewards.`,
      site,
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
    const site = { name: found.campaign.name, url: found.campaign.url };
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
