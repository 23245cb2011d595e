// One state shared by every widget on the page: a sign-up in one shows the ambassador view in all of them.
import { type AmbassadorView, type Api, ApiError } from "./api.js";
import type { JoinLinkParams } from "./join-link.js";

export type WidgetState =
  | { phase: "loading" }
  /** `notice`: why a join link the page was opened with did not sign anyone in. */
  | { phase: "anonymous"; notice?: string }
  | { phase: "failed" }
  | {
      phase: "ambassador";
      view: AmbassadorView;
      session: string;
      /** Just signed up (or in again) through the form, rather than restored: the view takes the focus. */
      joined: boolean;
      /** A new ambassador, rather than a known email signing in again. */
      created: boolean;
    };

export class SessionStore {
  private state: WidgetState = { phase: "loading" };
  private readonly listeners = new Set<(state: WidgetState) => void>();
  private readonly storageKey: string;

  constructor(
    readonly api: Api,
    publicKey: string,
  ) {
    this.storageKey = `vouch_session_${publicKey.slice(3, 11)}`;
  }

  get current(): WidgetState {
    return this.state;
  }

  subscribe(listener: (state: WidgetState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private set(state: WidgetState): void {
    this.state = state;
    for (const listener of this.listeners) listener(state);
  }

  /** A returning ambassador's session is checked with Vouch; a refused one is forgotten. */
  async restore(): Promise<void> {
    const session = this.read();
    if (!session) return this.set({ phase: "anonymous" });
    this.set({ phase: "loading" });
    try {
      this.set({
        phase: "ambassador",
        view: await this.api.me(session),
        session,
        joined: false,
        created: false,
      });
    } catch (error) {
      const status = (error as { status?: number }).status;
      if (status === 401 || status === 404) {
        this.write(undefined);
        this.set({ phase: "anonymous" });
      } else this.set({ phase: "failed" });
    }
  }

  /**
   * The page was opened with a one-click join link: its customer is signed in, replacing any stored session.
   * A refused link falls back to the stored session, else to the sign-up form with a notice saying why.
   */
  async join(link: JoinLinkParams, vid: string | undefined): Promise<void> {
    this.set({ phase: "loading" });
    try {
      const answer = await this.api.join({ ...link, ...(vid ? { vid } : {}) });
      this.signedUp(answer.session, answer.ambassador, answer.created);
    } catch (error) {
      if (this.read()) {
        await this.restore();
        if (this.state.phase !== "anonymous") return;
      }
      this.set({ phase: "anonymous", notice: joinLinkNotice(error) });
    }
  }

  signedUp(session: string, view: AmbassadorView, created: boolean): void {
    this.write(session);
    this.set({ phase: "ambassador", view, session, joined: true, created });
  }

  /** Reloads the ambassador's view in place (no loading state): after they confirmed their email elsewhere. */
  async refresh(): Promise<void> {
    const before = this.state;
    if (before.phase !== "ambassador") return;
    try {
      const view = await this.api.me(before.session);
      if (this.state === before) this.set({ ...before, view, joined: false });
    } catch {
      // Still showing the last view is better than an error for a background refresh.
    }
  }

  signOut(): void {
    this.write(undefined);
    this.set({ phase: "anonymous" });
  }

  private read(): string | undefined {
    try {
      return localStorage.getItem(this.storageKey) ?? undefined;
    } catch {
      return undefined;
    }
  }

  private write(session: string | undefined): void {
    try {
      if (session) localStorage.setItem(this.storageKey, session);
      else localStorage.removeItem(this.storageKey);
    } catch {
      // Storage blocked: the session lasts as long as the page.
    }
  }
}

function joinLinkNotice(error: unknown): string {
  const status = error instanceof ApiError ? error.status : -1;
  if (status === 410) return "This link has expired. Ask for a new one, or join with the form below.";
  if (status === 403 || status === 400)
    return "This link is not valid: it may have been cut short or changed. Join with the form below, or ask for a new link.";
  if (status === 409) return "This referral program is paused. Please come back later.";
  if (status === 404) return "This referral program could not be found.";
  if (status === 429) return "Too many attempts from your network. Please open the link again in a minute.";
  if (status === 0)
    return "We couldn't reach the server to open your link. Check your connection and open the link from your email again.";
  return "Your link could not be opened. Please try again later, or join with the form below.";
}
