/**
 * POST a JSON text as text/plain: a CORS-simple request, so no preflight ever reaches the server, and
 * keepalive lets it finish while the page navigates away. Throws when the browser has no usable fetch.
 */
export function post(url: string, text: string): Promise<Response> {
  return fetch(url, {
    method: "POST",
    body: text,
    keepalive: true,
    headers: { "Content-Type": "text/plain" },
    credentials: "omit",
  });
}

/** Sends without reading the answer, falling back to the beacon; `done` runs once the request has settled. */
export function send(url: string, body: unknown, done?: () => void): void {
  const settle = () => {
    try {
      done?.();
    } catch {
      // The site's callback must not break the pixel, nor the pixel the site.
    }
  };
  const text = JSON.stringify(body);
  try {
    post(url, text).then(settle, settle);
  } catch {
    // No fetch, or it refused synchronously: the beacon queues the same request.
    try {
      navigator.sendBeacon(url, text);
    } catch {
      // Nothing left to try.
    }
    setTimeout(settle);
  }
}
