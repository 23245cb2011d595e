// Prefixed, time-sortable ids: `sub_` + 10 chars of milliseconds + 16 random chars (Crockford base32).
const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";

export type IdPrefix =
  | "cmp"
  | "sub"
  | "cnv"
  | "vis"
  | "evt"
  | "whk"
  | "msg"
  | "rwd"
  | "rul"
  | "att"
  | "cpg"
  | "vrf"
  | "mal";

export function newId(
  prefix: IdPrefix,
  now: number = Date.now(),
  random: (n: number) => Uint8Array = randomBytes,
): string {
  let time = "";
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  let rand = "";
  for (const byte of random(16)) rand += ALPHABET[byte % 32];
  return `${prefix}_${time}${rand}`;
}

/** A random token of `length` base32 characters, for keys and secrets. */
export function randomToken(length: number, random: (n: number) => Uint8Array = randomBytes): string {
  let out = "";
  for (const byte of random(length)) out += ALPHABET[byte % 32];
  return out;
}

function randomBytes(n: number): Uint8Array {
  return globalThis.crypto.getRandomValues(new Uint8Array(n));
}
