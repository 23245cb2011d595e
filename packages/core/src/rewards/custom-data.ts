// Custom fields of a conversion: whatever the pixel's data object carries beyond the seed's six fields
// (e.g. `plan: "PRO"`), kept bounded so reward conditions can test them without the table growing unchecked.
import { z } from "zod";
import { text } from "../schemas/common.js";
import { conversionData } from "../schemas/conversion.js";

export const MAX_CUSTOM_FIELDS = 20;
export const CUSTOM_KEY_PATTERN = /^[A-Za-z0-9_]{1,40}$/;
const KEY_RULE = "may hold letters, digits and _ only, at most 40 characters";

/** The seed's data fields (email, first_name, …): stored in columns of their own, never as custom fields. */
export const SEED_DATA_KEYS: readonly string[] = Object.freeze(Object.keys(conversionData));
const SEED_KEY_SET: ReadonlySet<string> = new Set(SEED_DATA_KEYS);

// Null and "" mean "not sent", as for the seed's own fields; numbers and booleans are kept in their string form
// so a condition compares one type only.
const customValue = z.preprocess((v) => {
  if (v === null || (typeof v === "string" && v.trim() === "")) return undefined;
  if ((typeof v === "number" && Number.isFinite(v)) || typeof v === "boolean") return String(v);
  return v;
}, z.string("must be text, a finite number or true/false").pipe(text(200)).optional());

/** Custom fields as sent → the stored form, `{ plan: "PRO", seats: "5" }`. */
export const conversionCustomData = z
  .preprocess(
    (data, ctx) => {
      // A record is built by assignment, where "__proto__" would vanish silently: refuse it out loud instead.
      if (typeof data === "object" && data !== null && Object.hasOwn(data, "__proto__")) {
        ctx.addIssue({
          code: "custom",
          path: ["__proto__"],
          message: "custom field name __proto__ is reserved",
          input: data,
        });
      }
      return data;
    },
    z.record(z.string(), customValue),
  )
  .superRefine((data, ctx) => {
    for (const key of Object.keys(data)) {
      if (!CUSTOM_KEY_PATTERN.test(key)) {
        ctx.addIssue({ code: "custom", path: [key], message: `custom field name ${KEY_RULE}` });
      }
    }
    const kept = Object.values(data).filter((v) => v !== undefined).length;
    if (kept > MAX_CUSTOM_FIELDS) {
      ctx.addIssue({
        code: "custom",
        message: `may carry at most ${MAX_CUSTOM_FIELDS} custom fields besides the standard ones; got ${kept}`,
      });
    }
  })
  .transform((data): Record<string, string> => {
    // fromEntries defines own properties, so a key such as "__proto__" stays plain data.
    return Object.fromEntries(
      Object.entries(data).filter((entry): entry is [string, string] => entry[1] !== undefined),
    );
  });
export type ConversionCustomData = z.infer<typeof conversionCustomData>;

export type CustomDataResult =
  | { ok: true; data: Record<string, string> }
  | { ok: false; field: string; message: string };

/**
 * Picks the fields of a pixel/API data object that are not `knownKeys` and validates them as custom fields.
 * A refusal names the field as `data.<key>` (or `data` when there are too many), for a 400 the sender can act on.
 */
export function extractCustomData(
  data: Record<string, unknown>,
  knownKeys: readonly string[] = SEED_DATA_KEYS,
): CustomDataResult {
  const known = knownKeys === SEED_DATA_KEYS ? SEED_KEY_SET : new Set(knownKeys);
  const extras = Object.fromEntries(Object.entries(data).filter(([key]) => !known.has(key)));
  // Most conversions carry the seed's fields only: nothing to check, nothing kept.
  if (Object.keys(extras).length === 0) return { ok: true, data: {} };
  const parsed = conversionCustomData.safeParse(extras);
  if (parsed.success) return { ok: true, data: parsed.data };
  const issue = parsed.error.issues[0];
  const key = issue?.path[0];
  return {
    ok: false,
    field: typeof key === "string" ? `data.${key}` : "data",
    message: issue?.message ?? "invalid custom fields",
  };
}
