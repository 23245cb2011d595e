// Entry of rht.min.js: takes over from the pasted stub, records a referral landing, replays queued calls.
import { createRht } from "./create-rht.js";
import { send } from "./send.js";
import { newState, readState, saveState } from "./visitor-state.js";

function boot(): void {
  const stub = window.rht;
  // A second copy of the script finds the real function (no queue) and leaves it alone.
  if (stub && !stub.q) return;
  const config = stub?.c;
  if (!stub || !config) {
    console.warn("rht: missing config");
    return;
  }
  // One cookie per campaign, so two campaigns on one site keep separate referrals.
  const storeName = `vouch_${config.k.slice(3, 11)}`;
  const state = readState(storeName, config.d) ?? newState();
  const query = new URLSearchParams(location.search);
  // A one-click join link (rh_email) is the owner inviting a customer: never a referral, whatever else it carries.
  const code = query.has("rh_email") ? undefined : query.get("mwr")?.trim();
  // Only what the server accepts as a referral code is stored: one bad ref would void the conversion.
  const landed = code && /^[\w-]{1,32}$/.test(code) ? code : undefined;
  if (landed) {
    const ref = { code: landed, ts: Date.now() };
    state.f = state.f || ref;
    state.l = ref;
  }
  saveState(storeName, state, config.d);
  if (landed) {
    send(`${config.a}/api/v1/collect/visit`, {
      k: config.k,
      vid: state.v,
      code: landed,
      // The server keeps at most 2048 characters of each.
      url: location.href.slice(0, 2048),
      referrer: document.referrer.slice(0, 2048),
    });
  }
  const rht = createRht(config, storeName, state);
  window.rht = rht;
  for (const call of stub.q ?? []) rht(...call);
}

try {
  boot();
} catch {
  // The pixel never throws into the host page.
}
