import { createServer } from "node:http";
import Fastify, { type FastifyInstance } from "fastify";
import { bearerMatches } from "./auth/admin-key.js";
import type { AppContext } from "./context.js";
import { AppError } from "./errors.js";
import { installErrorHandler } from "./http/error-handler.js";
import { type PixelFront, pixelFront } from "./http/pixel-front.js";
import { fastifyTrustProxy } from "./http/trust-proxy.js";
import { campaignRoutes } from "./routes/campaigns.js";
import { collectRoutes } from "./routes/collect.js";
import { conversionStatusRoutes } from "./routes/conversion-status.js";
import { conversionRoutes } from "./routes/conversions.js";
import { couponRoutes } from "./routes/coupons.js";
import { importSubscriberRoutes } from "./routes/import-subscribers.js";
import { installRoutes } from "./routes/install.js";
import { joinLinkRoutes } from "./routes/join-links.js";
import { pixelScriptRoutes } from "./routes/pixel-script.js";
import { rewardRuleRoutes } from "./routes/reward-rules.js";
import { rewardRoutes } from "./routes/rewards.js";
import { statsRoutes } from "./routes/stats.js";
import { subscriberVerificationRoutes } from "./routes/subscriber-verification.js";
import { subscriberRoutes } from "./routes/subscribers.js";
import { verifyRoutes } from "./routes/verify.js";
import { webhookRoutes } from "./routes/webhooks.js";
import { widgetRoutes } from "./routes/widget-api.js";

export interface AppOptions {
  logger?: boolean;
}

/** The HTTP surface: public routes (pixel script and collection) and the admin API behind the secret key. */
export async function buildApp(ctx: AppContext, options: AppOptions = {}): Promise<FastifyInstance> {
  let front: PixelFront | undefined;
  const app = Fastify({
    logger: options.logger ? { level: "info" } : false,
    bodyLimit: 1024 * 1024,
    return503OnClosing: true,
    // Behind a reverse proxy, request.ip (the per-address rate limits' key) is the visitor's, not the proxy's.
    trustProxy: fastifyTrustProxy(ctx.config.trustProxy),
    // The pixel's visits and conversions are served ahead of Fastify (pixel-front.ts), unless requests are logged.
    serverFactory: (fastifyListener, opts) => {
      if (!options.logger) front = pixelFront(ctx, fastifyListener);
      const server = createServer(front?.listener ?? fastifyListener);
      // As Fastify sets up a server it makes itself.
      const timeouts = opts as {
        keepAliveTimeout?: number;
        requestTimeout?: number;
        connectionTimeout?: number;
      };
      server.keepAliveTimeout = timeouts.keepAliveTimeout ?? 72_000;
      server.requestTimeout = timeouts.requestTimeout ?? 0;
      server.setTimeout(timeouts.connectionTimeout ?? 0);
      return server;
    },
  });
  app.addHook("preClose", (done) => {
    front?.stop();
    done();
  });
  installErrorHandler(app);

  app.get("/health", async () => ({ ok: true }));
  pixelScriptRoutes(app);
  await app.register(async (publicScope) => collectRoutes(publicScope, ctx));
  await app.register(async (widgetScope) => widgetRoutes(widgetScope, ctx));
  await app.register(async (verifyScope) => verifyRoutes(verifyScope, ctx));

  await app.register(async (admin) => {
    admin.addHook("onRequest", async (request) => {
      if (!bearerMatches(request.headers.authorization, ctx.adminKeyHash)) {
        throw new AppError(
          "unauthorized",
          "missing or wrong API key: send Authorization: Bearer <secret key>",
        );
      }
    });
    // The owner's uploads (coupon codes, conversion statuses) come as CSV text.
    admin.addContentTypeParser("text/csv", { parseAs: "string" }, (_request, body, done) => done(null, body));
    campaignRoutes(admin, ctx);
    installRoutes(admin, ctx);
    subscriberRoutes(admin, ctx);
    subscriberVerificationRoutes(admin, ctx);
    importSubscriberRoutes(admin, ctx);
    joinLinkRoutes(admin, ctx);
    conversionRoutes(admin, ctx);
    conversionStatusRoutes(admin, ctx);
    statsRoutes(admin, ctx);
    webhookRoutes(admin, ctx);
    rewardRuleRoutes(admin, ctx);
    rewardRoutes(admin, ctx);
    couponRoutes(admin, ctx);
  });
  return app;
}
