// What the tracking pixel on the same site remembers about this browser: its visitor id and the referrals it
// came through (cookie `vouch_<8 characters of the key>`, or localStorage under that name). Read, never written.

export interface VisitorReferrals {
  vid?: string;
  refs: Array<{ code: string; ts: number }>;
}

interface PixelState {
  v?: unknown;
  f?: { code?: unknown; ts?: unknown };
  l?: { code?: unknown; ts?: unknown };
}

function readPixelState(name: string): PixelState | undefined {
  try {
    let raw: string | null | undefined;
    for (const pair of document.cookie.split("; ")) {
      if (pair.startsWith(`${name}=`)) raw = pair.slice(name.length + 1);
    }
    raw ??= localStorage.getItem(name);
    return raw ? (JSON.parse(decodeURIComponent(raw)) as PixelState) : undefined;
  } catch {
    return undefined;
  }
}

export function visitorReferrals(publicKey: string, href = location.href): VisitorReferrals {
  const state = readPixelState(`vouch_${publicKey.slice(3, 11)}`);
  const refs: Array<{ code: string; ts: number }> = [];
  const add = (code: unknown, ts: unknown) => {
    if (typeof code !== "string" || typeof ts !== "number" || !/^[\w-]{1,32}$/.test(code)) return;
    if (!refs.some((r) => r.code === code && r.ts === ts)) refs.push({ code, ts });
  };
  add(state?.f?.code, state?.f?.ts);
  add(state?.l?.code, state?.l?.ts);
  // A page without the tracking code still knows the referral it was opened with.
  if (refs.length === 0) add(new URL(href).searchParams.get("mwr")?.trim(), Date.now());
  const vid = typeof state?.v === "string" && /^[\w-]{8,64}$/.test(state.v) ? state.v : undefined;
  return vid ? { vid, refs } : { refs };
}
