// Double opt-in: an ambassador who has not confirmed their email yet is told so, can have the email sent
// again, and sees the view update once they confirmed (when they come back to this tab, or ask).
import { useEffect, useState } from "preact/hooks";
import { ApiError } from "./api.js";
import type { SessionStore } from "./session.js";

export function VerifyNotice(props: { store: SessionStore; session: string; email: string }) {
  const { store, session } = props;
  const [sending, setSending] = useState(false);
  const [message, setMessage] = useState("");

  // The link opens in another tab: back here, look again.
  useEffect(() => {
    const look = () => {
      if (document.visibilityState === "visible") void store.refresh();
    };
    document.addEventListener("visibilitychange", look);
    return () => document.removeEventListener("visibilitychange", look);
  }, [store]);

  const resend = async () => {
    if (sending) return;
    setSending(true);
    setMessage("");
    try {
      await store.api.resendVerification(session);
      setMessage(`Sent again to ${props.email}. It can take a minute to arrive; check your spam folder too.`);
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) await store.refresh();
      else if (error instanceof ApiError && error.code === "rate_limited")
        setMessage(capitalize(error.message));
      else setMessage("The email could not be sent just now. Please try again in a moment.");
    } finally {
      setSending(false);
    }
  };

  return (
    <div class="verify">
      <p>
        We sent a confirmation link to <strong>{props.email}</strong>. Open it to confirm your email: until
        then the friends you refer are counted, and your rewards wait for you.
      </p>
      <div class="actions">
        <button class="btn primary" type="button" aria-disabled={sending} onClick={resend}>
          {sending ? "Sending…" : "Send the email again"}
        </button>
        <button class="btn" type="button" onClick={() => store.refresh()}>
          I've confirmed it
        </button>
      </div>
      <p class="meta" role="status" aria-live="polite">
        {message}
      </p>
    </div>
  );
}

const capitalize = (s: string) => (s ? s[0]?.toUpperCase() + s.slice(1) : s);
