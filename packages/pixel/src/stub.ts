// What the pasted tracking code leaves on `window` for the script: a queue function carrying the config.
// Keys are one letter because the script reads them and property names survive minification.

/** Written by the tracking code (see snippets.ts). */
export interface PixelConfig {
  /** The campaign's public key, `pk_…`. */
  k: string;
  /** Base URL of the Vouch server, no trailing slash. */
  a: string;
  /** How many days a referral is remembered. */
  d: number;
}

/** The arguments of one `rht(...)` call, as the stub queued them. */
export type RhtCall = [cmd?: unknown, event?: unknown, data?: unknown, callback?: unknown];

export type Rht = (...call: RhtCall) => void;

/** `window.rht` before the script has loaded: calls wait in `q`, the config sits in `c`. */
export interface RhtStub extends Rht {
  q?: RhtCall[];
  c?: PixelConfig;
}

declare global {
  interface Window {
    rht?: RhtStub;
  }
}
