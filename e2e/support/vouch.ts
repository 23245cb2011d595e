// Vouch for a journey in Chromium: a real server on a port of its own (127.0.0.1, while customer sites are on
// localhost: two origins) and the Acme campaign, whose install snippets the site's pages paste in.
import {
  startTestServer,
  type TestDialect,
  type TestServer,
} from "../../packages/server/test/support/test-server.js";
import { freePort } from "./free-port.js";

type ServerOptions = Omit<NonNullable<Parameters<typeof startTestServer>[1]>, "port" | "publicUrl">;

export interface AcmeVouch {
  vouch: TestServer;
  campaign: any;
  /** The tracking code from GET …/install, for every page's <head>. */
  trackingCode: string;
  /** The widget script tag as the owner pastes it. */
  widgetScript: string;
  /** Points the campaign's referral links at the customer's site once it is up. */
  useSite(origin: string): Promise<void>;
  /** An ambassador created by the owner through the API. */
  addAmbassador(email: string, name: string): Promise<any>;
}

export async function startAcmeVouch(
  dialect: TestDialect,
  options: ServerOptions = {},
  campaignSettings: Record<string, unknown> = {},
): Promise<AcmeVouch> {
  const port = await freePort();
  const vouch = await startTestServer(dialect, { ...options, port, publicUrl: `http://127.0.0.1:${port}` });
  const campaign = (
    await vouch.api("POST", "/api/v1/campaigns", {
      name: "Acme App",
      url: "http://placeholder.invalid/",
      events: ["download"],
      ...campaignSettings,
    })
  ).body;
  const install = (await vouch.api("GET", `/api/v1/campaigns/${campaign.id}/install`)).body;
  return {
    vouch,
    campaign,
    trackingCode: install.tracking_code,
    widgetScript: `<script src="${vouch.url}/widgets/widgets.js" data-key="${campaign.public_key}" async></script>`,
    useSite: async (origin) => {
      await vouch.api("PATCH", `/api/v1/campaigns/${campaign.id}`, { url: `${origin}/` });
    },
    addAmbassador: async (email, name) =>
      (await vouch.api("POST", `/api/v1/campaigns/${campaign.id}/subscribers`, { email, name })).body,
  };
}
