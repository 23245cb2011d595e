/**
 * POST a JSON body as text/plain: a CORS-simple request, so no preflight ever reaches the server, and
 * keepalive lets it finish while the page navigates away. `done` runs once the request has settled.
 */
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
    fetch(url, {
      method: "POST",
      body: text,
      keepalive: true,
      headers: { "Content-Type": "text/plain" },
      credentials: "omit",
    }).then(settle, settle);
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
