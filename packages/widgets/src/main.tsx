// Entry of widgets.min.js: finds <div data-vouch="signup|dashboard">, renders each into its own shadow root.
import { render } from "preact";
import { Api } from "./api.js";
import { forgetJoinLink, readJoinLink } from "./join-link.js";
import { readOptions } from "./options.js";
import { SessionStore } from "./session.js";
import { visitorReferrals } from "./visitor.js";
import { Widget, type WidgetKind } from "./widget.js";

const SCRIPT_PATH = "/widgets/widgets.js";

/** The script tag that loaded this file: its data-key names the campaign; its src says where Vouch is. */
function ownScript(): HTMLScriptElement | null {
  const current = document.currentScript;
  if (current instanceof HTMLScriptElement) return current;
  return document.querySelector<HTMLScriptElement>(`script[src*="${SCRIPT_PATH}"]`);
}

function mountAll(script: HTMLScriptElement | null): void {
  const stores = new Map<string, SessionStore>();
  const apiBase =
    script?.getAttribute("data-api")?.replace(/\/+$/, "") ??
    (script?.src
      ? script.src.slice(0, script.src.indexOf(SCRIPT_PATH)) || new URL(script.src).origin
      : location.origin);
  for (const host of document.querySelectorAll<HTMLElement>("[data-vouch]")) {
    const kind = host.getAttribute("data-vouch");
    if ((kind !== "signup" && kind !== "dashboard") || host.shadowRoot) continue;
    const key = host.getAttribute("data-key") ?? script?.getAttribute("data-key");
    if (!key) {
      console.warn("vouch widgets: no data-key on the script tag or the container");
      continue;
    }
    let store = stores.get(key);
    if (!store) {
      store = new SessionStore(new Api(apiBase, key), key);
      stores.set(key, store);
    }
    const root = host.attachShadow({ mode: "open" });
    render(
      <Widget kind={kind as WidgetKind} store={store} options={readOptions(host)} publicKey={key} />,
      root,
    );
  }
  // A one-click join link signs its customer in instead; it leaves the address bar once every store has used it.
  const link = readJoinLink();
  if (!link) {
    for (const store of stores.values()) void store.restore();
    return;
  }
  const joins = [...stores].map(([key, store]) => store.join(link, visitorReferrals(key).vid));
  void Promise.allSettled(joins).then(forgetJoinLink);
}

try {
  const script = ownScript();
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", () => mountAll(script));
  } else mountAll(script);
} catch (error) {
  // The widgets never throw into the host page.
  console.warn("vouch widgets:", error);
}
