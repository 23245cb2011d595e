// Server-side tracking: report conversions from your backend (e.g. a payment webhook) with a secret key.

export interface VouchClientOptions {
  /** Where your Vouch server runs, e.g. "https://vouch.example.com". */
  apiUrl: string;
  /** A secret API key from the dashboard. Keep it on the server. */
  secretKey: string;
  /** Per-request timeout in milliseconds. Default 10 000. */
  timeoutMs?: number;
}

export interface ConversionInput {
  event: string;
  email?: string;
  first_name?: string;
  last_name?: string;
  currency?: string;
  amount?: number;
  transaction_id?: string;
  referral_code?: string;
  subscriber_id?: string;
  visitor_id?: string;
}

/** The API said no. `code` is stable and meant for programs; `message` is for people. */
export class VouchApiError extends Error {
  constructor(
    /** HTTP status, or 0 when no response arrived. */
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "VouchApiError";
  }
}

export class VouchClient {
  private readonly apiUrl: string;
  private readonly secretKey: string;
  private readonly timeoutMs: number;

  constructor(options: VouchClientOptions) {
    if (!options.apiUrl) throw new TypeError("VouchClient needs apiUrl");
    if (!options.secretKey) throw new TypeError("VouchClient needs secretKey");
    this.apiUrl = options.apiUrl.replace(/\/+$/, "");
    this.secretKey = options.secretKey;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /**
   * Records a conversion for a campaign and returns the API's JSON answer. Send `transaction_id` when you have one:
   * a retried call with the same id is recognised instead of counted twice.
   */
  trackConversion(campaignId: string, conversion: ConversionInput): Promise<unknown> {
    return this.post(`/api/v1/campaigns/${encodeURIComponent(campaignId)}/conversions`, conversion);
  }

  private async post(path: string, body: unknown): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(`${this.apiUrl}${path}`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${this.secretKey}`,
          "content-type": "application/json",
          accept: "application/json",
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      const timedOut = err instanceof Error && err.name === "TimeoutError";
      throw new VouchApiError(
        0,
        timedOut ? "timeout" : "network_error",
        timedOut
          ? `No answer from ${this.apiUrl} within ${this.timeoutMs} ms`
          : `Could not reach ${this.apiUrl}`,
        undefined,
        { cause: err },
      );
    }
    const text = await response.text();
    const json = parseJson(text);
    if (response.ok) return json;
    throw apiError(response.status, json);
  }
}

function parseJson(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

// The API's error body is { "error": { "code", "message", "field"? } }; anything else (a proxy's HTML page, say)
// still becomes a VouchApiError, with a code derived from the status.
function apiError(status: number, body: unknown): VouchApiError {
  const error = isRecord(body) && isRecord(body.error) ? body.error : undefined;
  const code = typeof error?.code === "string" ? error.code : `http_${status}`;
  const message = typeof error?.message === "string" ? error.message : `Vouch API answered HTTP ${status}`;
  const field = typeof error?.field === "string" ? error.field : undefined;
  return new VouchApiError(status, code, message, field);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}
