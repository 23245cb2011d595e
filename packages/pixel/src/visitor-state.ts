import { visitorId } from "./visitor-id.js";

export interface Referral {
  code: string;
  /** When the visitor landed through it (ms, the visitor's clock). */
  ts: number;
}

/** What the site remembers about this browser: its id and the first and last referral it came through. */
export interface VisitorState {
  v: string;
  f?: Referral;
  l?: Referral;
}

const DAY_MS = 864e5;

function readCookie(name: string): string | undefined {
  for (const pair of document.cookie.split("; ")) {
    if (pair.startsWith(`${name}=`)) return pair.slice(name.length + 1);
  }
}

function fresh(ref: Referral | undefined, days: number): Referral | undefined {
  // localStorage never expires on its own, so the window is enforced here for both stores.
  return ref && typeof ref.code === "string" && ref.ts > Date.now() - days * DAY_MS ? ref : undefined;
}

/** The stored state, or undefined when nothing usable is stored (or storage is out of reach). */
export function readState(name: string, days: number): VisitorState | undefined {
  try {
    const raw = readCookie(name) ?? localStorage.getItem(name);
    const state: VisitorState | null = raw && JSON.parse(decodeURIComponent(raw));
    if (state && typeof state.v === "string") {
      return { v: state.v, f: fresh(state.f, days), l: fresh(state.l, days) };
    }
  } catch {
    // Unreadable or blocked storage: the caller starts a new state.
  }
}

export function newState(): VisitorState {
  return { v: visitorId() };
}

/** A first-party cookie when the browser keeps it (checked by reading it back), else localStorage. */
export function saveState(name: string, state: VisitorState, days: number): void {
  const value = encodeURIComponent(JSON.stringify(state));
  try {
    // biome-ignore lint/suspicious/noDocumentCookie: browsers from before 2025 lack the Cookie Store API, and the read-back below needs a synchronous write.
    document.cookie = `${name}=${value};path=/;max-age=${days * 86400};SameSite=Lax${
      location.protocol === "https:" ? ";Secure" : ""
    }`;
    if (readCookie(name) === value) return;
  } catch {
    // Fall through to localStorage.
  }
  try {
    localStorage.setItem(name, value);
  } catch {
    // Nowhere to keep it: the state lives for this page only.
  }
}
