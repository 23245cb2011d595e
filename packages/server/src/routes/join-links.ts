// POST /api/v1/campaigns/:id/join-links, GET|POST /api/v1/campaigns/:id/join-link-secret[/rotate] — one-click
// join links for customers the owner already knows, and the secret their own server can sign them with.
import { createJoinLinkInput } from "@vouch/core";
import type { JoinLinkSecretRow } from "@vouch/db";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../context.js";
import { parse } from "../http/parse.js";
import {
  getOrCreateJoinLinkSecret,
  issueJoinLink,
  rotateJoinLinkSecret,
} from "../use-cases/manage-join-links.js";
import { loadCampaign } from "./load.js";

type IdParams = { Params: { id: string } };

const secretView = (row: JoinLinkSecretRow) => ({
  secret: row.secret,
  created_at: new Date(Number(row.created_at)).toISOString(),
});

export function joinLinkRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.post<IdParams>("/api/v1/campaigns/:id/join-links", async (request, reply) => {
    const campaign = await loadCampaign(ctx.db, request.params.id);
    const input = parse(createJoinLinkInput, request.body);
    return reply.status(201).send(await issueJoinLink(ctx.db, campaign, input, ctx.clock()));
  });

  app.get<IdParams>("/api/v1/campaigns/:id/join-link-secret", async (request) => {
    const campaign = await loadCampaign(ctx.db, request.params.id);
    return secretView(await getOrCreateJoinLinkSecret(ctx.db, campaign, ctx.clock()));
  });

  app.post<IdParams>("/api/v1/campaigns/:id/join-link-secret/rotate", async (request) => {
    const campaign = await loadCampaign(ctx.db, request.params.id);
    return secretView(await rotateJoinLinkSecret(ctx.db, campaign, ctx.clock()));
  });
}
