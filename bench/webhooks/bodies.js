// What the pixel posts for one purchase: a distinct email, and a referral cookie naming an ambassador.
// Shared by the parent (filling the outbox) and the receiver child (the latency stream).

/** The conversion by `email`, referred by `codes[i % codes.length]`, in campaign `publicKey`. */
export function conversionBody(publicKey, codes, email, i) {
  return JSON.stringify({
    k: publicKey,
    vid: `vid_${email.replace(/[^A-Za-z0-9_-]/g, "_")}`.slice(0, 64),
    event: "download",
    data: { email },
    refs: [{ code: codes[i % codes.length], ts: Date.now() - 3_600_000 }],
  });
}
