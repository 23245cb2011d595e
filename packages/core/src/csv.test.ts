import { describe, expect, it } from "vitest";
import { CsvError, parseCsv } from "./csv.js";

describe("parseCsv", () => {
  it.each([
    ["code\nA1\nB2\n", ["code"], [["A1"], ["B2"]]],
    ["code\r\nA1\r\nB2", ["code"], [["A1"], ["B2"]]],
    ["\uFEFFCode , Other\nA1,x\n", ["code", "other"], [["A1", "x"]]],
    ['transaction_id,status\n"TRX,1",refunded\n', ["transaction_id", "status"], [["TRX,1", "refunded"]]],
    ['code\n"say ""hi"""\n', ["code"], [['say "hi"']]],
    ['code\n"two\nlines"\nnext\n', ["code"], [["two\nlines"], ["next"]]],
    ["code\n\nA1\n\n", ["code"], [["A1"]]],
  ])("%j", (text, header, cells) => {
    const table = parseCsv(text);
    expect(table.header).toEqual(header);
    expect(table.rows.map((r) => r.cells)).toEqual(cells);
  });

  it("numbers rows by their line in the file", () => {
    expect(parseCsv('code\nA\n"B\nB"\nC\n').rows.map((r) => r.line)).toEqual([2, 3, 5]);
  });

  it.each([
    ["", "line 1: the file is empty"],
    ['code\n"open', "line 2: a quoted field is never closed"],
  ])("refuses %j", (text, message) => {
    expect(() => parseCsv(text)).toThrow(CsvError);
    expect(() => parseCsv(text)).toThrow(message);
  });
});
