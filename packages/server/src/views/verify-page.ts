import { escapeHtml } from "@vouch/core";

export interface VerifyPage {
  title: string;
  message: string;
  /** The campaign's site, offered as the way on. */
  site?: { name: string; url: string } | undefined;
  /**
   * A button posting a plain form to this server: confirming (a link's page) or asking for a new link (an
   * expired one's). No scripts: it works wherever the page opens.
   */
  form?: { action: string; button: string; fields?: Record<string, string> } | undefined;
}

/** The small page a verification link opens: self-contained, no scripts, nothing loaded from elsewhere. */
export function renderVerifyPage(page: VerifyPage): string {
  const site = page.site
    ? `<p><a class="button" href="${escapeHtml(page.site.url)}">Continue to ${escapeHtml(page.site.name)}</a></p>`
    : "";
  const form = page.form ? renderForm(page.form) : "";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(page.title)}</title>
<style>
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f6f8fa;color:#1f2328}
main{max-width:28rem;margin:12vh auto;padding:2rem;background:#fff;border:1px solid #d0d7de;border-radius:12px}
h1{font-size:1.4rem;margin:0 0 .75rem}p{line-height:1.5}
.button{display:inline-block;padding:.6rem 1.1rem;border:0;border-radius:8px;background:#2457d6;color:#fff;font:inherit;text-decoration:none;cursor:pointer}
.button:focus-visible{outline:3px solid #1f2328;outline-offset:2px}
</style></head>
<body><main><h1>${escapeHtml(page.title)}</h1><p>${escapeHtml(page.message)}</p>${form}${site}</main></body></html>
`;
}

function renderForm(form: NonNullable<VerifyPage["form"]>): string {
  const fields = Object.entries(form.fields ?? {})
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join("");
  return `<form method="post" action="${escapeHtml(form.action)}">${fields}<button class="button" type="submit">${escapeHtml(form.button)}</button></form>`;
}
