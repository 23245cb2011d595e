// The streaming CSV reader agrees with core's parseCsv however the input is cut into pieces.
import { CsvError, parseCsv } from "@vouch/core";
import { describe, expect, it } from "vitest";
import { type CsvRecord, CsvStreamReader, csvRecords } from "../src/csv-stream.js";

const samples = [
  "email,name\na@example.com,A\nb@example.com,B\n",
  "email,name\r\na@example.com,A\r\nb@example.com,B",
  "email,name\ra@example.com,A\rb@example.com,B\r",
  '\uFEFFemail,name\n"a@example.com","Smith, ""Al"""\n',
  'email,name\n"x@example.com","two\nlines"\n\n,\n"y@example.com",tail"quote\n',
  'email,name\n"q@example.com"after,"a\r\nb"\r\nlast@example.com,',
  "email,name,extra_field\nz@example.com,Zoé,李\n",
];

async function* bytesIn(pieces: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const p of pieces) yield p;
}

async function collect(pieces: Uint8Array[]): Promise<CsvRecord[]> {
  const out: CsvRecord[] = [];
  for await (const batch of csvRecords(bytesIn(pieces))) out.push(...batch);
  return out;
}

function expected(text: string): CsvRecord[] {
  const table = parseCsv(text);
  return [{ line: 1, cells: table.header }, ...table.rows];
}

describe("CsvStreamReader", () => {
  it.each(samples.map((s) => [JSON.stringify(s), s]))("reads %s like parseCsv, cut anywhere", (_, text) => {
    const want = expected(text).map((r, i) =>
      // parseCsv lowercases the header; the reader leaves that to the caller.
      i === 0 ? { ...r, cells: r.cells.map((c) => c.toLowerCase()) } : r,
    );
    for (let cut = 0; cut <= text.length; cut++) {
      const reader = new CsvStreamReader();
      const got = [...reader.push(text.slice(0, cut)), ...reader.push(text.slice(cut)), ...reader.end()];
      got[0] = { line: 1, cells: (got[0]?.cells ?? []).map((c) => c.trim().toLowerCase()) };
      expect(got, `cut at ${cut}`).toEqual(want);
    }
  });

  it("reads bytes cut inside a multi-byte character, and one byte at a time", async () => {
    const text = "email,name\nz@example.com,Zoé 李\r\n";
    const bytes = new TextEncoder().encode(text);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const got = await collect([bytes.subarray(0, cut), bytes.subarray(cut)]);
      expect(got).toEqual([
        { line: 1, cells: ["email", "name"] },
        { line: 2, cells: ["z@example.com", "Zoé 李"] },
      ]);
    }
    expect(await collect([...bytes].map((b) => Uint8Array.of(b)))).toHaveLength(2);
  });

  it("marks bytes that are not UTF-8 with U+FFFD, on their own row, keeping the delimiters around them", async () => {
    const bytes = Uint8Array.from([
      ...new TextEncoder().encode("email,name\na@x.io,R"),
      0xe9,
      0x2c,
      0x0a,
      0x62,
    ]);
    expect(await collect([bytes])).toEqual([
      { line: 1, cells: ["email", "name"] },
      { line: 2, cells: ["a@x.io", "R\uFFFD", ""] },
      { line: 3, cells: ["b"] },
    ]);
  });

  it("refuses a quote never closed, and a row that never ends", () => {
    const reader = new CsvStreamReader(100);
    reader.push('email\n"open');
    expect(() => reader.end()).toThrow(new CsvError("a quoted field is never closed", 2));
    const long = new CsvStreamReader(100);
    expect(() => long.push(`email\n"${"x".repeat(200)}`)).toThrow(/line 2: a row longer than 100 characters/);
  });
});
