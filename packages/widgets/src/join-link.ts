// A one-click join link the site owner emailed to a known customer: ?rh_email=…&rh_exp=…&rh_sig=… (rh_name
// optional). Read once, then removed from the address bar so it is neither shared nor bookmarked.

export interface JoinLinkParams {
  rh_email: string;
  rh_name?: string;
  rh_exp: string;
  rh_sig: string;
}

const PARAMS = ["rh_email", "rh_name", "rh_exp", "rh_sig"];

/** The link's parameters, when the page was opened with rh_email; missing ones are sent empty, for Vouch to name. */
export function readJoinLink(href = location.href): JoinLinkParams | undefined {
  const q = new URL(href).searchParams;
  const email = q.get("rh_email");
  if (email === null) return undefined;
  const name = q.get("rh_name");
  return {
    rh_email: email,
    ...(name ? { rh_name: name } : {}),
    rh_exp: q.get("rh_exp") ?? "",
    rh_sig: q.get("rh_sig") ?? "",
  };
}

/**
 * Removes the link's parameters from the address bar without a reload, and any referral code with them: a join
 * link is never a referral, whichever of the pixel and the widgets reads the address first.
 */
export function forgetJoinLink(): void {
  try {
    const url = new URL(location.href);
    for (const name of [...PARAMS, "mwr", "mws"]) url.searchParams.delete(name);
    history.replaceState(history.state, "", url.pathname + url.search + url.hash);
  } catch {
    // A sandboxed page may refuse replaceState; the join itself is done.
  }
}
