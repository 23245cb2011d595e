// One state shared by every widget on the page: a sign-up in one shows the ambassador view in all of them.
import type { AmbassadorView, Api } from "./api.js";

export type WidgetState =
  | { phase: "loading" }
  | { phase: "anonymous" }
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

  signedUp(session: string, view: AmbassadorView, created: boolean): void {
    this.write(session);
    this.set({ phase: "ambassador", view, session, joined: true, created });
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
