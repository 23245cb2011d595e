// The sign-up form: inline validation, one request at a time, errors from Vouch shown beside their field.
import { useRef, useState } from "preact/hooks";
import { ApiError } from "./api.js";
import type { WidgetOptions } from "./options.js";
import type { SessionStore } from "./session.js";
import { visitorReferrals } from "./visitor.js";

type Field = "email" | "name" | "extra_field" | "extra_field_2" | "consent";
type Errors = Partial<Record<Field | "form", string>>;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function validate(values: Record<Exclude<Field, "consent">, string>, consent: boolean): Errors {
  const errors: Errors = {};
  const email = values.email.trim();
  if (!email) errors.email = "Enter your email address.";
  else if (!EMAIL.test(email) || email.length > 254)
    errors.email = "Enter a valid email address, like name@example.com.";
  if (values.name.trim().length > 100) errors.name = "Use at most 100 characters.";
  if (values.extra_field.trim().length > 200) errors.extra_field = "Use at most 200 characters.";
  if (values.extra_field_2.trim().length > 200) errors.extra_field_2 = "Use at most 200 characters.";
  if (!consent) errors.consent = "Please accept to join.";
  return errors;
}

function messageFor(error: unknown): Errors {
  if (!(error instanceof ApiError)) return { form: "Something went wrong. Please try again." };
  if (
    error.status === 400 &&
    error.field &&
    /^(email|name|extra_field|extra_field_2|consent)$/.test(error.field)
  ) {
    const text = error.message.replace(/^\S+\s/, "");
    return { [error.field]: `${text[0]?.toUpperCase()}${text.slice(1)}.` };
  }
  if (error.status === 0)
    return { form: "We couldn't reach the server. Check your connection and try again." };
  if (error.status === 429)
    return { form: "Too many sign-ups from your network. Please try again in a minute." };
  if (error.status === 409) return { form: "This referral program is paused. Please come back later." };
  if (error.status === 404) return { form: "This referral program could not be found." };
  return { form: "Something went wrong on our side. Please try again." };
}

export function SignupForm(props: { store: SessionStore; options: WidgetOptions; publicKey: string }) {
  const { options } = props;
  const [values, setValues] = useState({ email: "", name: "", extra_field: "", extra_field_2: "" });
  const [consent, setConsent] = useState(false);
  const [errors, setErrors] = useState<Errors>({});
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const inflight = useRef(false);
  const form = useRef<HTMLFormElement>(null);

  const focusFirstError = (found: Errors) => {
    const first = (["email", "name", "extra_field", "extra_field_2", "consent"] as const).find(
      (f) => found[f],
    );
    if (first) form.current?.querySelector<HTMLInputElement>(`#${first}`)?.focus();
  };

  const update = (field: Exclude<Field, "consent">) => (event: Event) => {
    const next = { ...values, [field]: (event.currentTarget as HTMLInputElement).value };
    setValues(next);
    // After a first attempt, errors follow the typing so a fixed field stops complaining at once.
    if (tried) setErrors(validate(next, consent));
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    // One request at a time, however often Enter is pressed or the button clicked.
    if (inflight.current) return;
    setTried(true);
    const found = validate(values, consent);
    setErrors(found);
    if (Object.keys(found).length > 0) return focusFirstError(found);
    inflight.current = true;
    setBusy(true);
    try {
      const trimmed = (v: string) => v.trim() || undefined;
      const answer = await props.store.api.signup({
        email: values.email.trim(),
        ...(trimmed(values.name) ? { name: values.name.trim() } : {}),
        ...(trimmed(values.extra_field) ? { extra_field: values.extra_field.trim() } : {}),
        ...(trimmed(values.extra_field_2) ? { extra_field_2: values.extra_field_2.trim() } : {}),
        consent: true,
        ...visitorReferrals(props.publicKey),
      });
      props.store.signedUp(answer.session, answer.ambassador, answer.created);
    } catch (error) {
      const shown = messageFor(error);
      setErrors(shown);
      focusFirstError(shown);
      inflight.current = false;
      setBusy(false);
    }
  };

  const input = (field: Exclude<Field, "consent">, label: string, auto: string, optional: boolean) => {
    const attrs = {
      id: field,
      name: field,
      autoComplete: auto,
      value: values[field],
      onInput: update(field),
      "aria-invalid": errors[field] ? ("true" as const) : ("false" as const),
      "aria-describedby": errors[field] ? `${field}-err` : undefined,
      "aria-required": optional ? undefined : ("true" as const),
    };
    return (
      <div class="field">
        <label for={field}>
          {label}
          {optional && <span class="opt"> (optional)</span>}
        </label>
        {field === "email" ? (
          <input type="email" maxLength={254} {...attrs} />
        ) : (
          <input type="text" {...attrs} />
        )}
        {errors[field] && (
          <p class="err" id={`${field}-err`}>
            {errors[field]}
          </p>
        )}
      </div>
    );
  };

  return (
    <form ref={form} onSubmit={submit} noValidate aria-busy={busy ? "true" : "false"}>
      {input("email", "Email", "email", false)}
      {!options.hideName && input("name", "Name", "name", true)}
      {options.extraField && input("extra_field", options.extraField, "off", true)}
      {options.extraField2 && input("extra_field_2", options.extraField2, "off", true)}
      <div class="consent">
        <input
          id="consent"
          type="checkbox"
          checked={consent}
          onChange={(e) => {
            const checked = (e.currentTarget as HTMLInputElement).checked;
            setConsent(checked);
            if (tried) setErrors(validate(values, checked));
          }}
          aria-invalid={errors.consent ? "true" : "false"}
          aria-describedby={errors.consent ? "consent-err" : undefined}
        />
        <label for="consent">{options.consent}</label>
      </div>
      {errors.consent && (
        <p class="err" id="consent-err">
          {errors.consent}
        </p>
      )}
      <button class="btn primary submit" type="submit" aria-disabled={busy ? "true" : "false"}>
        {busy ? "Joining…" : options.button}
      </button>
      {errors.form && (
        <p class="form-err" role="alert">
          {errors.form}
        </p>
      )}
    </form>
  );
}
