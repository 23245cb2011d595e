// A customer's website on its own origin: the funnel of the seed's example, with Vouch's snippets pasted in.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface CustomerSite {
  origin: string;
  close: () => Promise<void>;
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
export async function startCustomerSite(pages: SitePages, host = "localhost"): Promise<CustomerSite> {
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://site");
    const nav = '<p><a href="/details">Details</a><a href="/download">Download</a></p>';
    let html: string;
    if (url.pathname === "/")
      html = page("Acme App", pages.trackingCode, `<p>The app your friends use.</p>${nav}`);
    else if (url.pathname === "/details") html = page("Your details", pages.trackingCode, nav);
    else if (url.pathname === "/download")
      html = page("Download", pages.trackingCode, '<p><a href="/thank-you">Get it</a></p>');
    else if (url.pathname === "/thank-you") {
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
      html = page("Thank you for downloading!", `${pages.trackingCode}\n${snippet}`, "<p>Enjoy the app.</p>");
    } else {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://${host}:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
