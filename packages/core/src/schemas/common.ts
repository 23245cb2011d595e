import { z } from "zod";
import { isCurrency } from "../money.js";

/** Text a database can store: PostgreSQL refuses the NUL character, so it is refused here, as bad input. */
export function text(max: number) {
  return z
    .string()
    .trim()
    .max(max, `must be at most ${max} characters`)
    .refine((v) => !v.includes("\u0000"), "must not contain NUL characters");
}

/** Optional text: trimmed, with "" treated as absent (the seed's snippet ships `email: ""`). */
export function optionalText(max: number) {
  return z.preprocess(
    (v) => (typeof v === "string" && v.trim() === "" ? undefined : v === null ? undefined : v),
    text(max).optional(),
  );
}

export const email = z
  .string()
  .trim()
  .max(254, "must be at most 254 characters")
  .pipe(z.email("must be a valid email address"))
  .transform((v) => v.toLowerCase());

export const optionalEmail = z.preprocess(
  (v) => (typeof v === "string" && v.trim() === "" ? undefined : v === null ? undefined : v),
  email.optional(),
);

export const currency = z
  .string()
  .trim()
  .transform((v) => v.toUpperCase())
  .refine((v) => isCurrency(v), "must be an ISO 4217 currency code, e.g. USD");

export const eventName = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .max(50, "must be at most 50 characters")
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, "may hold letters, digits, _ . - only");

export const httpUrl = z
  .string()
  .trim()
  .max(2048, "must be at most 2048 characters")
  .refine((v) => {
    try {
      const u = new URL(v);
      return (u.protocol === "http:" || u.protocol === "https:") && u.hostname !== "";
    } catch {
      return false;
    }
  }, "must be an http(s) URL")
  .refine((v) => !v.includes("\u0000"), "must not contain NUL characters");

export const referralCode = z
  .string()
  .trim()
  .min(1)
  .max(32, "must be at most 32 characters")
  .regex(/^[A-Za-z0-9_-]+$/, "may hold letters, digits, _ and - only")
  .transform((v) => v.toUpperCase());

/** The visitor id the pixel makes: opaque, URL-safe. */
export const visitorId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, "must be 8-64 URL-safe characters");

export const prefixedId = (prefix: string) =>
  z.string().regex(new RegExp(`^${prefix}_[0-9a-z]{1,40}$`), `must be an id starting with ${prefix}_`);
