// The group-commit path's statements as SQL text written once per shape, not built query by query.
//
// Kysely builds a query as a tree of frozen nodes, one per value, and compiles that tree to text on every
// call: for a batch of 16 conversions (18 columns each) that is hundreds of nodes, a large share of the
// ingest's CPU. The statements here have few shapes (the table, and how many rows or keys the batch has),
// so the text of each shape is written once and kept; each call only lists its parameters, in the order the
// text's placeholders appear, and Kysely passes text and parameters to the driver as they are.
import { CompiledQuery, type Kysely, PostgresAdapter } from "kysely";
import type { DB } from "../schema.js";

/** Writes the next placeholder: `?` on SQLite, `$1`, `$2`, … on PostgreSQL. */
export type Placeholder = () => string;

const texts = new Map<string, string>();
/** Shapes are bounded by the largest batch; the bound only guards against a caller that is not. */
const MAX_SHAPES = 4096;

/**
 * Runs the statement of shape `shape` (a name and the counts that change its text), writing its text with
 * `write` the first time this dialect meets the shape. `params` must follow the placeholders' order.
 */
export async function runShaped<Row>(
  db: Kysely<DB>,
  shape: string,
  write: (p: Placeholder) => string,
  params: readonly unknown[],
): Promise<Row[]> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  const key = `${postgres ? "pg" : "sqlite"} ${shape}`;
  let text = texts.get(key);
  if (text === undefined) {
    let n = 0;
    text = write(postgres ? () => `$${++n}` : () => "?");
    if (texts.size >= MAX_SHAPES) texts.clear();
    texts.set(key, text);
  }
  const result = await db.executeQuery<Row>(CompiledQuery.raw(text, params as unknown[]));
  return result.rows;
}

/** `(p, p, …)`: a list of `count` placeholders. */
export function list(p: Placeholder, count: number): string {
  const items: string[] = [];
  for (let i = 0; i < count; i++) items.push(p());
  return `(${items.join(", ")})`;
}

/** `(p, …), (p, …), …`: the VALUES of a multi-row insert. */
export function rowsOf(p: Placeholder, rows: number, columns: number): string {
  const tuples: string[] = [];
  for (let i = 0; i < rows; i++) tuples.push(list(p, columns));
  return tuples.join(", ");
}

/** Column names as SQL identifiers, comma separated. */
export function columnList(columns: readonly string[]): string {
  return columns.map((c) => `"${c}"`).join(", ");
}

/** The rows' values, row by row, in `columns` order (missing ones as null). */
export function valuesOf<Row>(rows: readonly Row[], columns: readonly (keyof Row & string)[]): unknown[] {
  const values: unknown[] = [];
  for (const row of rows) for (const c of columns) values.push(row[c] ?? null);
  return values;
}
