// Referral codes like "MARK-7K3Q": a readable prefix from the ambassador's name, then a short random suffix.
// The database enforces uniqueness; on a collision the caller simply generates again with fresh randomness.

// No 0/O, 1/I/L or U (which reads as V), so a code read aloud or copied by hand survives.
const SUFFIX_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ";
const PADDING_LETTERS = "ABCDEFGHJKMNPQRSTVWXYZ";
const SUFFIX_LENGTH = 4;
const MIN_PREFIX = 3;
const MAX_PREFIX = 8;

// Uppercase letters that NFKD does not split into an ASCII letter plus a combining mark (ß uppercases to SS).
const EXTRA_FOLDS: Readonly<Record<string, string>> = {
  Æ: "AE",
  Œ: "OE",
  Ø: "O",
  Ł: "L",
  Đ: "D",
  Ð: "D",
  Þ: "TH",
};

/**
 * A new referral code such as "MARK-7K3Q": 3–8 letters from the first word of the name (or the email's local
 * part), padded with random letters when there are too few, a dash, and 4 unambiguous random characters.
 * `random(n)` returns n uniformly random bytes.
 */
export function generateReferralCode(
  input: { name?: string | null; email: string },
  random: (n: number) => Uint8Array,
): string {
  const fromName = asciiLetters(input.name?.trim().split(/\s+/)[0] ?? "");
  const prefix = fromName.length >= MIN_PREFIX ? fromName : longer(fromName, emailLetters(input.email));
  const padding = Math.max(0, MIN_PREFIX - prefix.length);
  const padded = prefix.slice(0, MAX_PREFIX) + pick(PADDING_LETTERS, padding, random);
  return `${padded}-${pick(SUFFIX_ALPHABET, SUFFIX_LENGTH, random)}`;
}

/** The form codes are stored and compared in: codes match case-insensitively. */
export function normalizeReferralCode(code: string): string {
  return code.trim().toUpperCase();
}

/** Whether an incoming code could be a referral code at all: 1–32 of [A-Za-z0-9_-]. */
export function isReferralCodeShape(code: string): boolean {
  return /^[A-Za-z0-9_-]{1,32}$/.test(code);
}

/** "Élodie" → "ELODIE", "Łukasz" → "LUKASZ", "李" → "". */
function asciiLetters(text: string): string {
  return text
    .toUpperCase()
    .normalize("NFKD")
    .replace(/[^A-Z]/g, (char) => EXTRA_FOLDS[char] ?? "");
}

/** "john.smith+promo" → "JOHN"; "j.smith" → "JSMITH" when the first part is too short to read as a name. */
function emailLetters(email: string): string {
  const at = email.lastIndexOf("@");
  const local = at >= 0 ? email.slice(0, at) : email;
  const beforeTag = local.split("+")[0] ?? "";
  const firstPart = asciiLetters(beforeTag.split(/[._-]/)[0] ?? "");
  return firstPart.length >= MIN_PREFIX ? firstPart : asciiLetters(beforeTag);
}

function longer(a: string, b: string): string {
  return b.length > a.length ? b : a;
}

/** `count` characters drawn uniformly from `alphabet`; bytes past the last whole multiple are rejected. */
function pick(alphabet: string, count: number, random: (n: number) => Uint8Array): string {
  const limit = 256 - (256 % alphabet.length);
  let out = "";
  for (let round = 0; out.length < count; round++) {
    if (round > 64) throw new Error("Random source keeps returning out-of-range bytes");
    for (const byte of random(count - out.length)) {
      if (byte < limit && out.length < count) out += alphabet[byte % alphabet.length];
    }
  }
  return out;
}
