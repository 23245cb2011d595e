// One widget in its shadow root: the sign-up form or the ambassador view, as the shared session says.
import { useEffect, useState } from "preact/hooks";
import { AmbassadorView } from "./ambassador-view.js";
import type { WidgetOptions } from "./options.js";
import type { SessionStore, WidgetState } from "./session.js";
import { SignupForm } from "./signup-form.js";
import { STYLES } from "./styles.js";

export type WidgetKind = "signup" | "dashboard";

export function Widget(props: {
  kind: WidgetKind;
  store: SessionStore;
  options: WidgetOptions;
  publicKey: string;
}) {
  const { store, options } = props;
  const [state, setState] = useState<WidgetState>(store.current);
  useEffect(() => {
    const unsubscribe = store.subscribe(setState);
    // The store may have moved on between the first render and this effect.
    setState(store.current);
    return unsubscribe;
  }, [store]);

  let body: preact.ComponentChildren;
  if (state.phase === "ambassador") {
    body = (
      <AmbassadorView
        store={store}
        view={state.view}
        session={state.session}
        joined={state.joined}
        created={state.created}
        options={options}
      />
    );
  } else if (state.phase === "anonymous") {
    const dashboard = props.kind === "dashboard";
    body = (
      <div>
        <h2>{options.title ?? (dashboard ? "Your referral dashboard" : "Invite friends, earn rewards")}</h2>
        <p class="lead">
          {options.description ??
            (dashboard
              ? "Join the referral program to get your link and follow your rewards here."
              : "Join our referral program: get your personal link and earn rewards for every friend who joins.")}
        </p>
        {state.notice && (
          <p class="form-err notice" role="alert">
            {state.notice}
          </p>
        )}
        <SignupForm store={store} options={options} publicKey={props.publicKey} />
      </div>
    );
  } else if (state.phase === "failed") {
    body = (
      <div class="skeleton" role="alert">
        <p>
          Your referral dashboard could not be loaded.{" "}
          <button class="linkish" type="button" onClick={() => store.restore()}>
            Try again
          </button>
        </p>
      </div>
    );
  } else {
    body = (
      <div class="skeleton" aria-busy="true">
        Loading…
      </div>
    );
  }
  return (
    <div class="v" part="widget">
      <style>{STYLES}</style>
      {body}
    </div>
  );
}
