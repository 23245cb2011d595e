import { post } from "./send.js";

/** What Vouch answers to identify, and what the site's callback receives. */
export interface Ambassador {
  id: string;
  code: string;
  referral_link: string;
  people_referred: number;
}

/**
 * `rht("identify", {email, name?, extra_field?, extra_field_2?}, callback?)`: one request per distinct person
 * per page, its answer shared by every call. Only the four fields leave the page, whatever else `data` holds.
 */
export function createIdentify(url: string) {
  const asked = new Map<string, Promise<Ambassador>>();
  return (
    data: unknown,
    head: { k: string; vid: string },
    refs: unknown[],
    done?: (a: Ambassador) => void,
  ): void => {
    const d = (data || {}) as Record<string, unknown>;
    if (typeof d.email !== "string" || !d.email) {
      console.warn("rht: identify needs an email");
      return;
    }
    const person = {
      email: d.email,
      name: d.name,
      extra_field: d.extra_field,
      extra_field_2: d.extra_field_2,
    };
    const key = JSON.stringify(person);
    let answer = asked.get(key);
    if (!answer) {
      answer = post(url, JSON.stringify({ ...head, ...person, refs })).then((r) =>
        r.json().then((body) => (r.ok ? body : Promise.reject(body?.error?.code ?? r.status))),
      );
      asked.set(key, answer);
      // A refused or lost request may be tried again by a later call on this page.
      answer.catch((why) => {
        asked.delete(key);
        console.warn(`rht: identify failed (${why})`);
      });
    }
    answer.then(
      (a) => {
        try {
          done?.(a);
        } catch {
          // The site's callback must not break the pixel, nor the pixel the site.
        }
      },
      Function.prototype as () => void,
    );
  };
}
