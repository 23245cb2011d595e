// The QR encoder checked against the standard's structure: finder, timing and alignment patterns, the dark
// module, both copies of the format bits (level M, the chosen mask, a valid BCH code), a known Reed–Solomon
// vector, and the codewords read back from the matrix (every block's syndromes zero, the bytes in order).
import { describe, expect, it } from "vitest";
import {
  dataCodewords,
  dataModuleOrder,
  encodeQr,
  formatBits,
  gfMultiply,
  maskApplies,
  type QrCode,
  reedSolomon,
} from "../src/qr.js";

const LINK = "https://www.example.com/?mwr=MARK-7K3Q&mws=qr";

/** Reads the 15 format bits of the first copy (around the top-left finder) and of the second. */
function readFormat(code: QrCode): [number, number] {
  const m = (x: number, y: number) => (code.modules[y]?.[x] ? 1 : 0);
  const first = [
    ...[0, 1, 2, 3, 4, 5].map((i) => m(8, i)),
    m(8, 7),
    m(8, 8),
    m(7, 8),
    ...[9, 10, 11, 12, 13, 14].map((i) => m(14 - i, 8)),
  ];
  const second = [
    ...[0, 1, 2, 3, 4, 5, 6, 7].map((i) => m(code.size - 1 - i, 8)),
    ...[8, 9, 10, 11, 12, 13, 14].map((i) => m(8, code.size - 15 + i)),
  ];
  const value = (bits: number[]) => bits.reduce((acc, b, i) => acc | (b << i), 0);
  return [value(first), value(second)];
}

/** The function-pattern map of a code of this version, as a reader knows it without looking at the data. */
function functionModules(version: number): boolean[][] {
  const size = 17 + 4 * version;
  const r = Array.from({ length: size }, () => new Array<boolean>(size).fill(false));
  const mark = (x0: number, y0: number, w: number, h: number) => {
    for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) (r[y] as boolean[])[x] = true;
  };
  mark(0, 0, 9, 9); // finder, separator and format
  mark(size - 8, 0, 8, 9);
  mark(0, size - 8, 9, 8);
  mark(6, 0, 1, size); // timing
  mark(0, 6, size, 1);
  const align = [0, 0, 18, 22, 26, 30, 34][version] as number;
  if (align) mark(align - 2, align - 2, 5, 5);
  return r;
}

function isFinder(code: QrCode, x0: number, y0: number): boolean {
  for (let dy = -1; dy <= 7; dy++) {
    for (let dx = -1; dx <= 7; dx++) {
      const x = x0 + dx;
      const y = y0 + dy;
      if (x < 0 || y < 0 || x >= code.size || y >= code.size) continue;
      const d = Math.max(Math.abs(dx - 3), Math.abs(dy - 3));
      if (code.modules[y]?.[x] !== (d !== 2 && d !== 4)) return false;
    }
  }
  return true;
}

/** The codewords read back: unmask the data modules with the format's mask, then collect bits in placement order. */
function readCodewords(code: QrCode): number[] {
  const order = dataModuleOrder(functionModules(code.version));
  const out: number[] = [];
  for (let i = 0; i + 8 <= order.length; i += 8) {
    let byte = 0;
    for (let j = 0; j < 8; j++) {
      const [x, y] = order[i + j] as [number, number];
      const bit = (code.modules[y]?.[x] ?? false) !== maskApplies(code.mask, x, y);
      byte = (byte << 1) | (bit ? 1 : 0);
    }
    out.push(byte);
  }
  return out;
}

/** A block is a valid Reed–Solomon codeword when it evaluates to zero at α^0 … α^(ec−1). */
function syndromesZero(block: number[], ec: number): boolean {
  for (let i = 0, alpha = 1; i < ec; i++, alpha = gfMultiply(alpha, 2)) {
    let value = 0;
    for (const c of block) value = gfMultiply(value, alpha) ^ c;
    if (value !== 0) return false;
  }
  return true;
}

describe("encodeQr", () => {
  it.each([
    [1, 14],
    [2, 15],
    [2, 26],
    [3, 27],
    [4, 62],
    [5, 63],
    [6, 106],
  ])("picks version %i for %i bytes (level M, byte mode)", (version, length) => {
    const code = encodeQr("a".repeat(length));
    expect(code.version).toBe(version);
    expect(code.size).toBe(17 + 4 * version);
    expect(code.modules).toHaveLength(code.size);
    expect(code.modules.every((row) => row.length === code.size)).toBe(true);
  });

  it("refuses text beyond version 6", () => {
    expect(() => encodeQr("a".repeat(107))).toThrow(/too long/);
  });

  it("has the three finder patterns with their separators, the timing patterns and the dark module", () => {
    const code = encodeQr(LINK);
    expect(isFinder(code, 0, 0)).toBe(true);
    expect(isFinder(code, code.size - 7, 0)).toBe(true);
    expect(isFinder(code, 0, code.size - 7)).toBe(true);
    expect(isFinder(code, code.size - 7, code.size - 7)).toBe(false);
    for (let i = 8; i < code.size - 8; i++) {
      expect(code.modules[6]?.[i]).toBe(i % 2 === 0);
      expect(code.modules[i]?.[6]).toBe(i % 2 === 0);
    }
    expect(code.modules[code.size - 8]?.[8]).toBe(true);
  });

  it("has the alignment pattern of its version", () => {
    const code = encodeQr(LINK);
    expect(code.version).toBe(4);
    const c = 26;
    for (let dy = -2; dy <= 2; dy++) {
      for (let dx = -2; dx <= 2; dx++) {
        expect(code.modules[c + dy]?.[c + dx]).toBe(Math.max(Math.abs(dx), Math.abs(dy)) !== 1);
      }
    }
  });

  it("writes both copies of the format bits: level M, the chosen mask, a valid BCH code", () => {
    for (const text of [LINK, "a", "x".repeat(100)]) {
      const code = encodeQr(text);
      const [first, second] = readFormat(code);
      expect(first).toBe(second);
      expect(first).toBe(formatBits(code.mask));
      const unmasked = first ^ 0b101010000010010;
      expect(unmasked >>> 13).toBe(0b00); // level M
      expect((unmasked >>> 10) & 0b111).toBe(code.mask);
      // BCH(15,5): the whole word is divisible by the generator x^10 + x^8 + x^5 + x^4 + x^2 + x + 1.
      let rem = unmasked;
      for (let bit = 14; bit >= 10; bit--) if ((rem >>> bit) & 1) rem ^= 0x537 << (bit - 10);
      expect(rem).toBe(0);
    }
  });

  it("matches the standard's table of format words for level M", () => {
    const table = [
      "101010000010010",
      "101000100100101",
      "101111001111100",
      "101101101001011",
      "100010111111001",
      "100000011001110",
      "100111110010111",
      "100101010100000",
    ];
    expect(table.map((_, mask) => formatBits(mask).toString(2).padStart(15, "0"))).toEqual(table);
  });

  it("computes Reed–Solomon codewords as the standard's HELLO WORLD 1-M example", () => {
    const data = [32, 91, 11, 120, 209, 114, 220, 77, 67, 64, 236, 17, 236, 17, 236, 17];
    expect(reedSolomon(data, 10)).toEqual([196, 35, 39, 119, 235, 215, 231, 226, 93, 23]);
  });

  it.each([LINK, "https://acme.example.com/?mwr=SARA-2K4P&mws=qr", "é".repeat(40)])(
    "holds its bytes in the matrix, read back through the mask and de-interleaved (%s)",
    (text) => {
      const code = encodeQr(text);
      const blocks = [1, 1, 1, 2, 2, 4][code.version - 1] as number;
      const words = readCodewords(code);
      const dataLength = dataCodewords(code.version);
      const total = words.length - (words.length % blocks === 0 ? 0 : words.length % blocks);
      const ec = (total - dataLength) / blocks;
      const perBlock = dataLength / blocks;
      const rebuilt = Array.from({ length: blocks }, (_, b) => [
        ...Array.from({ length: perBlock }, (_, i) => words[i * blocks + b] as number),
        ...Array.from({ length: ec }, (_, i) => words[dataLength + i * blocks + b] as number),
      ]);
      for (const block of rebuilt) expect(syndromesZero(block, ec)).toBe(true);
      const data = rebuilt.flatMap((block) => block.slice(0, perBlock));
      const bytes = new TextEncoder().encode(text);
      // 0100 (byte mode), then the length in 8 bits, then the bytes: shifted by 4 bits in the codewords.
      expect((data[0] as number) >> 4).toBe(0b0100);
      expect((((data[0] as number) & 0xf) << 4) | ((data[1] as number) >> 4)).toBe(bytes.length);
      const decoded = Array.from(
        bytes,
        (_, i) => (((data[i + 1] as number) & 0xf) << 4) | ((data[i + 2] as number) >> 4),
      );
      expect(decoded).toEqual([...bytes]);
    },
  );

  it("chooses the mask with the lowest penalty, so the same text always gives the same code", () => {
    expect(encodeQr(LINK)).toEqual(encodeQr(LINK));
  });
});
