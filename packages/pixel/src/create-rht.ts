import { createIdentify } from "./identify.js";
import { send } from "./send.js";
import type { PixelConfig, Rht } from "./stub.js";
import { type Referral, readState, type VisitorState } from "./visitor-state.js";

/** The first and the last referral, once when they are the same landing; [] when there was none. */
function refs(state: VisitorState): Referral[] {
  const { f, l } = state;
  const list = f ? [f] : [];
  if (l && !(f && f.code === l.code && f.ts === l.ts)) list.push(l);
  return list;
}

/** The real `rht(command, ...)`: `track` and `identify`; it never throws into the page. */
export function createRht(config: PixelConfig, storeName: string, pageState: VisitorState): Rht {
  const sent = new Set<string>();
  const identify = createIdentify(`${config.a}/api/v1/collect/identify`);
  return (cmd, event, data, callback) => {
    try {
      // Another tab may have landed through a newer referral since this page loaded.
      const state = readState(storeName, config.d) ?? pageState;
      if (cmd === "identify") {
        // rht("identify", data, callback): the data sits where track has its event name.
        // A callback that is not a function fails inside identify's try, like one that throws.
        identify(event, { k: config.k, vid: state.v }, refs(state), data as () => void);
        return;
      }
      if (cmd !== "track") {
        console.warn(`rht: unknown command ${cmd}`);
        return;
      }
      if (typeof data === "function") {
        callback = data;
        data = undefined;
      }
      const done = typeof callback === "function" ? (callback as () => void) : undefined;
      if (typeof event !== "string" || !event) {
        console.warn("rht: track needs an event name");
        return;
      }
      data = data || {};
      // The same conversion pasted or fired twice on one page counts once.
      const key = `${event}\n${JSON.stringify(data)}`;
      if (sent.has(key)) {
        done && setTimeout(done);
        return;
      }
      sent.add(key);
      send(
        `${config.a}/api/v1/collect/track`,
        { k: config.k, vid: state.v, event, data, refs: refs(state) },
        done,
      );
    } catch {
      // Never into the host page.
    }
  };
}
