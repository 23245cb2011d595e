// The double opt-in email, as plain text and HTML. Pure: the caller passes the link and the campaign.

export interface VerifyEmailInput {
  campaignName: string;
  /** The campaign's site, shown so the reader knows where they joined. */
  siteUrl: string;
  name: string | null;
  link: string;
  expiresAt: number;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

export function renderVerifyEmail(input: VerifyEmailInput): RenderedEmail {
  const site = hostOf(input.siteUrl);
  const greeting = input.name ? `Hi ${input.name},` : "Hi,";
  const until = new Date(input.expiresAt).toUTCString();
  const subject = `Confirm your email for ${input.campaignName}`;
  const text = [
    greeting,
    "",
    `You joined the ${input.campaignName} referral program on ${site}. Please confirm your email address so`,
    "that the friends you refer count toward your rewards:",
    "",
    input.link,
    "",
    `The link works until ${until}. If you did not join, ignore this email: nothing more will be sent.`,
  ].join("\n");
  const html = `<!doctype html>
<html><body style="font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#1f2328;line-height:1.5">
<p>${escapeHtml(greeting)}</p>
<p>You joined the <strong>${escapeHtml(input.campaignName)}</strong> referral program on ${escapeHtml(site)}.
Please confirm your email address so that the friends you refer count toward your rewards.</p>
<p><a href="${escapeHtml(input.link)}" style="display:inline-block;padding:10px 18px;background:#2457d6;color:#fff;border-radius:6px;text-decoration:none">Confirm my email</a></p>
<p style="font-size:13px;color:#57606a">Or open this link: ${escapeHtml(input.link)}<br>
It works until ${escapeHtml(until)}. If you did not join, ignore this email: nothing more will be sent.</p>
</body></html>`;
  return { subject, text, html };
}

export function escapeHtml(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string,
  );
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
