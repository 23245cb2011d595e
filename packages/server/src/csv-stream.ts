// CSV read as it arrives: the streaming counterpart of core's parseCsv (same RFC 4180 rules: quoted fields,
// doubled quotes, CRLF, LF or CR line ends, a BOM; blank rows skipped), for files too large to hold as one string.
import { CsvError, type CsvTable } from "@vouch/core";

export type CsvRecord = CsvTable["rows"][number];

const MAX_RECORD_CHARS = 64 * 1024;

/** Takes text in pieces of any size and hands back each record once its end has arrived. */
export class CsvStreamReader {
  private pending = "";
  private line = 1;
  private started = false;

  constructor(private readonly maxRecordChars = MAX_RECORD_CHARS) {}

  push(text: string): CsvRecord[] {
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.startsWith("\uFEFF")) text = text.slice(1);
    }
    this.pending += text;
    return this.drain(false);
  }

  /** The last record, which may end without a line break; throws on a quote never closed. */
  end(): CsvRecord[] {
    return this.drain(true);
  }

  private drain(final: boolean): CsvRecord[] {
    const records: CsvRecord[] = [];
    const text = this.pending;
    let pos = 0;
    while (pos < text.length) {
      const record = readRecord(text, pos, final, this.line);
      if (!record) break;
      if (record.cells.some((c) => c.trim() !== "")) records.push({ line: this.line, cells: record.cells });
      this.line += record.lineBreaks;
      pos = record.next;
    }
    this.pending = pos === 0 ? text : text.slice(pos);
    // A record this long is an unclosed quote swallowing the file, or not a CSV of ambassadors at all.
    if (this.pending.length > this.maxRecordChars)
      throw new CsvError(
        `a row longer than ${this.maxRecordChars} characters (is a quote never closed?)`,
        this.line,
      );
    return records;
  }
}

const COMMA = 44;
const LF = 10;
const CR = 13;
const QUOTE = 34;

/**
 * The record starting at `start`, or null when its end has not arrived yet (`final`: the text is complete).
 * `lineBreaks` counts the lines it spans, its own line end included.
 */
function readRecord(
  text: string,
  start: number,
  final: boolean,
  line: number,
): { cells: string[]; next: number; lineBreaks: number } | null {
  const cells: string[] = [];
  let lineBreaks = 0;
  let i = start;
  for (;;) {
    let cell = "";
    if (text.charCodeAt(i) === QUOTE) {
      // A quoted field: up to the quote that is not doubled; then, like parseCsv, any text before the delimiter.
      let from = i + 1;
      for (;;) {
        const q = text.indexOf('"', from);
        if (q < 0 || (q === text.length - 1 && !final)) {
          if (final) throw new CsvError("a quoted field is never closed", line);
          return null;
        }
        cell += text.slice(from, q);
        if (text.charCodeAt(q + 1) === QUOTE) {
          cell += '"';
          from = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      lineBreaks += countLf(cell);
    }
    let end = i;
    while (end < text.length) {
      const c = text.charCodeAt(end);
      if (c === COMMA || c === LF || c === CR) break;
      end++;
    }
    cell += text.slice(i, end);
    if (end === text.length) {
      if (!final) return null;
      cells.push(cell);
      return { cells, next: end, lineBreaks: lineBreaks + 1 };
    }
    cells.push(cell);
    const c = text.charCodeAt(end);
    if (c === COMMA) {
      i = end + 1;
      continue;
    }
    if (c === CR) {
      // "\r" at the end of a piece may be the first half of "\r\n": wait for the next one.
      if (end === text.length - 1 && !final) return null;
      return { cells, next: text.charCodeAt(end + 1) === LF ? end + 2 : end + 1, lineBreaks: lineBreaks + 1 };
    }
    return { cells, next: end + 1, lineBreaks: lineBreaks + 1 };
  }
}

function countLf(s: string): number {
  let n = 0;
  for (let i = s.indexOf("\n"); i >= 0; i = s.indexOf("\n", i + 1)) n++;
  return n;
}

/**
 * Records from a stream of bytes, a batch per piece. Bytes that are not UTF-8 become U+FFFD, so the row that
 * holds them can be refused on its own instead of the whole file; `onBytes` reports progress through the input.
 */
export async function* csvRecords(
  chunks: AsyncIterable<Uint8Array>,
  onBytes?: (bytes: number) => void,
): AsyncGenerator<CsvRecord[]> {
  const decoder = new TextDecoder("utf-8");
  const reader = new CsvStreamReader();
  let bytes = 0;
  let first = true;
  for await (const chunk of chunks) {
    if (first && chunk.length > 0) {
      first = false;
      if (isUtf16(chunk)) throw new CsvError("the file is UTF-16: save it as CSV UTF-8", 1);
    }
    bytes += chunk.length;
    onBytes?.(bytes);
    const records = reader.push(decoder.decode(chunk, { stream: true }));
    if (records.length > 0) yield records;
  }
  const last = [...reader.push(decoder.decode()), ...reader.end()];
  if (last.length > 0) yield last;
}

function isUtf16(bytes: Uint8Array): boolean {
  return (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff);
}

/** A buffer as a stream of pieces, so that an upload already in memory goes through the same reader. */
export async function* inPieces(buffer: Uint8Array, size = 256 * 1024): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < buffer.length; at += size) yield buffer.subarray(at, at + size);
}
