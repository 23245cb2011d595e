// A small RFC 4180 reader for the owner's uploads (coupon codes, conversion statuses): quoted fields, doubled
// quotes, CRLF or LF line ends, a BOM. Pure; the caller bounds the size.

export interface CsvTable {
  header: string[];
  /** Each row with its 1-based line number in the file (the header is line 1). */
  rows: Array<{ line: number; cells: string[] }>;
}

export class CsvError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(`line ${line}: ${message}`);
    this.name = "CsvError";
  }
}

export function parseCsv(text: string): CsvTable {
  const records = readRecords(text.replace(/^\uFEFF/, ""));
  const first = records.shift();
  if (!first) throw new CsvError("the file is empty", 1);
  const header = first.cells.map((h) => h.trim().toLowerCase());
  return { header, rows: records.filter((r) => r.cells.some((c) => c.trim() !== "")) };
}

function readRecords(text: string): Array<{ line: number; cells: string[] }> {
  const records: Array<{ line: number; cells: string[] }> = [];
  let cells: string[] = [];
  let cell = "";
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') {
        quoted = false;
      } else {
        if (ch === "\n") line++;
        cell += ch;
      }
      continue;
    }
    if (ch === '"' && cell === "") quoted = true;
    else if (ch === ",") {
      cells.push(cell);
      cell = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      cells.push(cell);
      records.push({ line: recordLine, cells });
      cells = [];
      cell = "";
      line++;
      recordLine = line;
    } else cell += ch;
  }
  if (quoted) throw new CsvError("a quoted field is never closed", recordLine);
  if (cell !== "" || cells.length > 0) {
    cells.push(cell);
    records.push({ line: recordLine, cells });
  }
  return records;
}
