import { extractCustomData } from "@vouch/core";
import { z } from "zod";
import { AppError } from "../errors.js";

/**
 * Each schema compiled once (z.compile): a generated check that answers well-formed input several times faster
 * than zod's runtime, which it hands anything else to, so that a refusal and its message are the runtime's.
 * A schema the compiler cannot model is used as it is.
 */
const compiled = new WeakMap<z.ZodType, z.ZodType>();

function compiledSchema<S extends z.ZodType>(schema: S): S {
  let fast = compiled.get(schema);
  if (!fast) {
    fast = z.compile(schema);
    compiled.set(schema, fast);
  }
  return fast as S;
}

/** Validates input with a core schema; the first problem becomes a 400 naming the field and the reason. */
export function parse<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = compiledSchema(schema).safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  // An unknown field is named by its own path, so that `field` points at what to remove.
  const path =
    issue?.code === "unrecognized_keys" ? [...issue.path, issue.keys[0] ?? ""] : (issue?.path ?? []);
  const field = path.length > 0 ? path.join(".") : undefined;
  const message = issue ? describeIssue(issue, field) : "invalid input";
  throw new AppError("validation_failed", message, field);
}

function describeIssue(issue: z.core.$ZodIssue, field: string | undefined): string {
  if (issue.code === "unrecognized_keys")
    return `unknown field ${issue.keys.map((k) => `"${k}"`).join(", ")}`;
  if (issue.code === "invalid_type" && issue.input === undefined) return `${field ?? "value"} is required`;
  return field ? `${field} ${lowerFirst(issue.message)}` : issue.message;
}

function lowerFirst(s: string): string {
  return s.length > 1 && /^[A-Z][a-z]/.test(s) ? s[0]?.toLowerCase() + s.slice(1) : s;
}

/** The custom fields of a conversion's data object (beyond the seed's six), bounded; a refusal is a 400. */
export function parseCustomData(data: unknown, knownKeys?: readonly string[]): Record<string, string> {
  if (data === undefined || data === null) return {};
  if (typeof data !== "object" || Array.isArray(data))
    throw new AppError("validation_failed", "data must be an object", "data");
  const result = extractCustomData(data as Record<string, unknown>, knownKeys);
  if (!result.ok) throw new AppError("validation_failed", `${result.field} ${result.message}`, result.field);
  return result.data;
}
