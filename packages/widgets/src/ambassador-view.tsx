// The ambassador's view: their link to copy and share, a QR code, progress toward each reward, rewards earned
// and the friends they referred (masked by Vouch).
import { useEffect, useRef, useState } from "preact/hooks";
import type { AmbassadorView as View } from "./api.js";
import type { WidgetOptions } from "./options.js";
import { QrCode } from "./qr-code.js";
import type { SessionStore } from "./session.js";
import { NETWORKS, type Network, progressSentence, shareUrl, taggedLink } from "./text.js";
import { VerifyNotice } from "./verify-notice.js";

const BRAND: Record<Network, string> = {
  twitter: "#000",
  facebook: "#1877f2",
  linkedin: "#0a66c2",
  whatsapp: "#25d366",
  telegram: "#229ed9",
  email: "#6b7280",
};

const STATUS: Record<string, string> = { pending: "Pending", approved: "Approved", sent: "Sent" };

const day = (iso: string) => new Date(iso).toLocaleDateString(undefined, { month: "short", day: "numeric" });

async function copyText(text: string, fallback: HTMLInputElement | null): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // Older browsers, or a page without clipboard permission: select the field and use the legacy command.
    if (!fallback) return false;
    fallback.select();
    return document.execCommand("copy");
  }
}

export function AmbassadorView(props: {
  store: SessionStore;
  view: View;
  session: string;
  joined: boolean;
  created: boolean;
  options: WidgetOptions;
}) {
  const { view, store } = props;
  const [copied, setCopied] = useState<"" | "yes" | "no">("");
  const field = useRef<HTMLInputElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const first = view.name?.split(/\s+/)[0];

  // Right after signing up, focus moves to the new view so a screen reader announces it.
  useEffect(() => {
    if (props.joined && heading.current?.getRootNode() instanceof ShadowRoot) heading.current.focus();
  }, [props.joined]);

  const copy = async () => {
    const ok = await copyText(view.referral_link, field.current);
    setCopied(ok ? "yes" : "no");
    setTimeout(() => setCopied(""), 2500);
  };

  const share = (network: Network) => {
    // Counted in the background; the share page opens whatever the answer.
    store.api.share(props.session, network).catch(() => undefined);
  };

  const earned = view.rewards;
  return (
    <div>
      <h2 ref={heading} tabIndex={-1}>
        {!view.verified
          ? "Check your email to confirm"
          : props.created
            ? `You're in${first ? `, ${first}` : ""}!`
            : `Welcome back${first ? `, ${first}` : ""}`}
      </h2>
      {!view.verified && <VerifyNotice store={store} session={props.session} email={view.email} />}
      <p class="lead">Share your link: when friends join through it, you earn rewards.</p>
      <p class="stat">
        <strong>{view.people_referred}</strong> {view.people_referred === 1 ? "friend" : "friends"} referred
      </p>

      <label for="link">Your referral link</label>
      <div class="row">
        <input
          id="link"
          type="text"
          readOnly
          value={view.referral_link}
          onFocus={(e) => e.currentTarget.select()}
        />
        <button class="btn primary" type="button" onClick={copy}>
          {copied === "yes" ? "Copied!" : "Copy"}
        </button>
      </div>
      <p class="sr" aria-live="polite">
        {copied === "yes"
          ? "Link copied to the clipboard"
          : copied === "no"
            ? "Copying failed: select the link and copy it"
            : ""}
      </p>

      <ul class="share" aria-label="Share your link">
        {NETWORKS.map((n) => (
          <li key={n.id}>
            <a
              class="btn"
              href={shareUrl(n.id, view.referral_link, props.options.shareText)}
              target={n.id === "email" ? undefined : "_blank"}
              rel="noopener noreferrer"
              data-network={n.id}
              onClick={() => share(n.id)}
            >
              <span class="dot" style={{ background: BRAND[n.id] }} aria-hidden="true" />
              {n.label}
              {n.id !== "email" && <span class="sr"> (opens in a new tab)</span>}
            </a>
          </li>
        ))}
      </ul>

      <div class="cols">
        <div class="qr">
          <QrCode text={taggedLink(view.referral_link, "qr")} label="QR code of your referral link" />
          Scan to open your link
        </div>
        <div class="main">
          {view.progress.length > 0 && (
            <section aria-labelledby="progress-h">
              <h3 id="progress-h">Your progress</h3>
              <ul class="list">
                {view.progress.map((p) => (
                  <li key={p.rule}>
                    <p class={p.complete ? "done" : ""}>{progressSentence(p)}</p>
                    <div
                      class="bar"
                      role="progressbar"
                      aria-label={p.name}
                      aria-valuemin={0}
                      aria-valuemax={p.need}
                      aria-valuenow={p.have}
                    >
                      <span style={{ width: `${Math.round((100 * p.have) / p.need)}%` }} />
                    </div>
                  </li>
                ))}
              </ul>
            </section>
          )}
          <section aria-labelledby="rewards-h">
            <h3 id="rewards-h">Rewards earned</h3>
            {earned.length === 0 ? (
              <p class="empty">None yet: your first is on its way.</p>
            ) : (
              <ul class="list">
                {earned.map((r) => (
                  <li key={r.created_at + r.name}>
                    {r.name ?? "Reward"}
                    <span class="badge">{STATUS[r.status] ?? r.status}</span>
                    {r.description && <p class="meta">{r.description}</p>}
                  </li>
                ))}
              </ul>
            )}
          </section>
        </div>
      </div>

      <section aria-labelledby="friends-h">
        <h3 id="friends-h">Friends referred</h3>
        {view.friends.length === 0 ? (
          <p class="empty">No friends yet. Share your link to get started.</p>
        ) : (
          <ul class="list">
            {view.friends.map((f, i) => (
              <li key={`${i}${f.created_at}`}>
                {f.email ?? "A friend"} <span class="meta">· {day(f.created_at)}</span>
              </li>
            ))}
          </ul>
        )}
      </section>

      <p class="foot">
        Signed in as {view.email}.{" "}
        <button class="linkish" type="button" onClick={() => store.signOut()}>
          Not you? Sign out
        </button>
      </p>
    </div>
  );
}
