// A customer's website on its own origin: the funnel of the seed's example, with Vouch's snippets pasted in.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface CustomerSite {
  origin: string;
  close: () => Promise<void>;
}

/** A page for a path: fixed HTML, or built from the request's URL (what the site's own server knows). */
export type SitePage = string | ((url: URL) => string | undefined);

/**
 * Serves a customer's website on its own origin: `localhost`, while Vouch listens on 127.0.0.1, so the two
 * are different origins as on the web. Unknown paths are 404.
 */
export async function serveSite(pages: Record<string, SitePage>, host = "localhost"): Promise<CustomerSite> {
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://site");
    const entry = pages[url.pathname];
    const html = typeof entry === "function" ? entry(url) : entry;
    res.writeHead(html ? 200 : 404, { "content-type": "text/html; charset=utf-8" }).end(html ?? "not found");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://${host}:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface SitePages {
  /** The tracking code from GET /api/v1/campaigns/:id/install, pasted into every page's <head>. */
  trackingCode: string;
}

function page(title: string, head: string, body: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title>${head}
<style>body{font:16px system-ui,sans-serif;margin:40px;color:#1f2937}a{margin-right:12px}</style></head>
<body><h1>${title}</h1>${body}</body></html>`;
}

/**
 * Pages: / (landing), /details (enter details), /download (download the app), /thank-you?email=…&tx=… which
 * runs the seed's conversion snippet right after the tracking code.
 */
export function startCustomerSite(pages: SitePages, host = "localhost"): Promise<CustomerSite> {
  const { trackingCode } = pages;
  const nav = '<p><a href="/details">Details</a><a href="/download">Download</a></p>';
  return serveSite(
    {
      "/": page("Acme App", trackingCode, `<p>The app your friends use.</p>${nav}`),
      "/details": page("Your details", trackingCode, nav),
      "/download": page("Download", trackingCode, '<p><a href="/thank-you">Get it</a></p>'),
      "/thank-you": (url) => {
        const data = {
          email: url.searchParams.get("email") ?? "",
          first_name: url.searchParams.get("first") ?? "John",
          last_name: "Smith",
          currency: "USD",
          amount: 15.7,
          transaction_id: url.searchParams.get("tx") ?? "",
        };
        const snippet = `<script type="text/javascript">
  rht("track", "download", ${JSON.stringify(data).replace(/</g, "\\u003c")}, function () { document.body.dataset.tracked = "yes"; });
</script>`;
        return page("Thank you for downloading!", `${trackingCode}\n${snippet}`, "<p>Enjoy the app.</p>");
      },
    },
    host,
  );
}
