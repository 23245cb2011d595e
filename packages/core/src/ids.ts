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
  random: (n: number) => Uint8Array = pooledRandomBytes,
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

// Ids draw their random bytes from the system a pool at a time: each draw is a call into the crypto library
// (and on some systems a system call), and the ingest path makes an id for every visit and conversion. Keys
// and secrets (randomToken) draw theirs directly.
const POOL_SIZE = 4096;
let pool: Uint8Array = new Uint8Array(0);
let used = 0;

function randomBytes(n: number): Uint8Array {
  return globalThis.crypto.getRandomValues(new Uint8Array(n));
}

function pooledRandomBytes(n: number): Uint8Array {
  if (n > POOL_SIZE) return randomBytes(n);
  if (used + n > pool.length) {
    pool = randomBytes(POOL_SIZE);
    used = 0;
  }
  const out = pool.subarray(used, used + n);
  used += n;
  return out;
}
