// The widgets' calls to Vouch: JSON over CORS, the ambassador named by a bearer session token.

export interface ProgressItem {
  rule: string;
  name: string;
  description: string | null;
  event: string | null;
  have: number;
  need: number;
  complete: boolean;
}

export interface AmbassadorView {
  name: string | null;
  email: string;
  code: string;
  referral_link: string;
  people_referred: number;
  /** false: double opt-in waits for the ambassador to confirm their email; rewards wait with it. */
  verified: boolean;
  progress: ProgressItem[];
  rewards: Array<{ name: string | null; description: string | null; status: string; created_at: string }>;
  friends: Array<{ email: string | null; event: string; created_at: string }>;
  shares: Record<string, number>;
}

export interface SignupBody {
  email: string;
  name?: string;
  extra_field?: string;
  extra_field_2?: string;
  consent: true;
  vid?: string;
  refs: Array<{ code: string; ts: number }>;
}

/** A one-click join link's parameters, as the page's address carries them, and the pixel's visitor id. */
export interface JoinBody {
  rh_email: string;
  rh_name?: string;
  rh_exp: string;
  rh_sig: string;
  vid?: string;
}

export interface SignupAnswer {
  created: boolean;
  session: string;
  ambassador: AmbassadorView;
}

/** A refusal from Vouch, or `status` 0 when it could not be reached. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export class Api {
  constructor(
    private readonly base: string,
    private readonly key: string,
  ) {}

  signup(body: SignupBody): Promise<SignupAnswer> {
    return this.call("signup", { method: "POST", body: JSON.stringify(body) });
  }

  join(body: JoinBody): Promise<SignupAnswer> {
    return this.call("join", { method: "POST", body: JSON.stringify(body) });
  }

  me(session: string): Promise<AmbassadorView> {
    return this.call("me", { method: "GET" }, session);
  }

  /** Double opt-in: emails the confirmation link again (rate-limited by Vouch). */
  resendVerification(session: string): Promise<{ sent: true }> {
    return this.call("verification-email", { method: "POST", body: "{}" }, session);
  }

  share(session: string, network: string): Promise<unknown> {
    return this.call("share", { method: "POST", body: JSON.stringify({ network }) }, session);
  }

  private async call<T>(path: string, init: RequestInit, session?: string): Promise<T> {
    const headers: Record<string, string> = {};
    if (init.body) headers["Content-Type"] = "application/json";
    if (session) headers.Authorization = `Bearer ${session}`;
    let res: Response;
    try {
      res = await fetch(`${this.base}/api/v1/widget/${encodeURIComponent(this.key)}/${path}`, {
        ...init,
        headers,
        credentials: "omit",
      });
    } catch {
      throw new ApiError(0, "network", "network error");
    }
    const body = await res.json().catch(() => undefined);
    if (!res.ok) {
      const error = (body as { error?: { code?: string; message?: string; field?: string } } | undefined)
        ?.error;
      throw new ApiError(
        res.status,
        error?.code ?? "unknown",
        error?.message ?? res.statusText,
        error?.field,
      );
    }
    return body as T;
  }
}
