// A QR code encoder for short links: byte mode, error correction level M, versions 1–6 (up to 106 bytes),
// the mask chosen by the standard's penalty rules (ISO/IEC 18004). Small on purpose: the widgets only ever
// encode a referral link, so kanji, other modes, levels and structured append are left out.

export interface QrCode {
  version: number;
  /** Modules per side: 17 + 4 × version. */
  size: number;
  mask: number;
  /** modules[y][x]: true for a dark module. */
  modules: boolean[][];
}

/** Per version 1–6 at level M: codewords in all, error-correction codewords per block, blocks (all equal). */
const VERSIONS: ReadonlyArray<{ total: number; ecPerBlock: number; blocks: number; align: number }> = [
  { total: 26, ecPerBlock: 10, blocks: 1, align: 0 },
  { total: 44, ecPerBlock: 16, blocks: 1, align: 18 },
  { total: 70, ecPerBlock: 26, blocks: 1, align: 22 },
  { total: 100, ecPerBlock: 18, blocks: 2, align: 26 },
  { total: 134, ecPerBlock: 24, blocks: 2, align: 30 },
  { total: 172, ecPerBlock: 16, blocks: 4, align: 34 },
];

export const QR_MAX_BYTES = 106;

/** The data codewords of a version at level M. */
export function dataCodewords(version: number): number {
  const v = VERSIONS[version - 1];
  if (!v) throw new RangeError(`QR version ${version} is not supported (1–6)`);
  return v.total - v.ecPerBlock * v.blocks;
}

export function encodeQr(text: string): QrCode {
  const bytes = new TextEncoder().encode(text);
  // Mode (4 bits) and an 8-bit length precede the bytes in versions 1–9.
  const version = VERSIONS.findIndex((_, i) => dataCodewords(i + 1) * 8 >= 12 + bytes.length * 8) + 1;
  if (version === 0)
    throw new RangeError(`QR text too long: ${bytes.length} bytes (at most ${QR_MAX_BYTES})`);
  const codewords = withErrorCorrection(version, dataStream(bytes, dataCodewords(version)));
  const size = 17 + 4 * version;
  const modules = grid(size);
  const reserved = grid(size);
  drawFunctionPatterns(version, modules, reserved);
  placeCodewords(codewords, modules, reserved);

  let best: QrCode | undefined;
  let bestScore = Number.POSITIVE_INFINITY;
  for (let mask = 0; mask < 8; mask++) {
    const candidate = modules.map((row) => row.slice());
    applyMask(mask, candidate, reserved);
    drawFormatBits(mask, candidate);
    const score = penalty(candidate);
    if (score < bestScore) {
      bestScore = score;
      best = { version, size, mask, modules: candidate };
    }
  }
  return best as QrCode;
}

function grid(size: number): boolean[][] {
  return Array.from({ length: size }, () => new Array<boolean>(size).fill(false));
}

/** Byte mode: 0100, the length, the bytes, a terminator, then the standard's pad bytes to fill the version. */
function dataStream(bytes: Uint8Array, capacity: number): number[] {
  const bits: number[] = [];
  const put = (value: number, length: number) => {
    for (let i = length - 1; i >= 0; i--) bits.push((value >>> i) & 1);
  };
  put(0b0100, 4);
  put(bytes.length, 8);
  for (const b of bytes) put(b, 8);
  put(0, Math.min(4, capacity * 8 - bits.length));
  put(0, (8 - (bits.length % 8)) % 8);
  const out: number[] = [];
  for (let i = 0; i < bits.length; i += 8) {
    let byte = 0;
    for (let j = 0; j < 8; j++) byte = (byte << 1) | (bits[i + j] ?? 0);
    out.push(byte);
  }
  for (let pad = 0xec; out.length < capacity; pad ^= 0xec ^ 0x11) out.push(pad);
  return out;
}

// GF(256) over the polynomial x^8 + x^4 + x^3 + x^2 + 1 (0x11d), as QR codes use.
const EXP = new Uint8Array(512);
const LOG = new Uint8Array(256);
for (let i = 0, x = 1; i < 255; i++) {
  EXP[i] = x;
  LOG[x] = i;
  x = (x << 1) ^ (x & 0x80 ? 0x11d : 0);
}
for (let i = 255; i < 512; i++) EXP[i] = EXP[i - 255] as number;

export function gfMultiply(a: number, b: number): number {
  return a === 0 || b === 0 ? 0 : (EXP[(LOG[a] as number) + (LOG[b] as number)] as number);
}

/** The Reed–Solomon error-correction codewords for one block of data. */
export function reedSolomon(data: readonly number[], ecLength: number): number[] {
  // The generator polynomial (x − α^0)(x − α^1)…(x − α^(n−1)), highest coefficient first, leading 1 dropped.
  let generator = [1];
  for (let i = 0; i < ecLength; i++) {
    const next = new Array<number>(generator.length + 1).fill(0);
    generator.forEach((c, j) => {
      next[j] = (next[j] as number) ^ c;
      next[j + 1] = (next[j + 1] as number) ^ gfMultiply(c, EXP[i] as number);
    });
    generator = next;
  }
  const remainder = new Array<number>(ecLength).fill(0);
  for (const byte of data) {
    const factor = byte ^ (remainder.shift() as number);
    remainder.push(0);
    for (let j = 0; j < ecLength; j++) {
      remainder[j] = (remainder[j] as number) ^ gfMultiply(generator[j + 1] as number, factor);
    }
  }
  return remainder;
}

/** Splits the data into the version's blocks, adds each block's error correction, and interleaves them. */
function withErrorCorrection(version: number, data: number[]): number[] {
  const { ecPerBlock, blocks } = VERSIONS[version - 1] as (typeof VERSIONS)[number];
  const blockLength = data.length / blocks;
  const dataBlocks = Array.from({ length: blocks }, (_, b) =>
    data.slice(b * blockLength, (b + 1) * blockLength),
  );
  const ecBlocks = dataBlocks.map((block) => reedSolomon(block, ecPerBlock));
  const out: number[] = [];
  for (let i = 0; i < blockLength; i++) for (const block of dataBlocks) out.push(block[i] as number);
  for (let i = 0; i < ecPerBlock; i++) for (const block of ecBlocks) out.push(block[i] as number);
  return out;
}

function drawFunctionPatterns(version: number, modules: boolean[][], reserved: boolean[][]): void {
  const size = modules.length;
  const set = (x: number, y: number, dark: boolean) => {
    const row = modules[y];
    const mark = reserved[y];
    if (!row || !mark || x < 0 || x >= size) return;
    row[x] = dark;
    mark[x] = true;
  };
  // Timing patterns: alternating modules along row 6 and column 6.
  for (let i = 0; i < size; i++) {
    set(6, i, i % 2 === 0);
    set(i, 6, i % 2 === 0);
  }
  // Finder patterns with their light separators, in three corners.
  for (const [cx, cy] of [
    [3, 3],
    [size - 4, 3],
    [3, size - 4],
  ] as const) {
    for (let dy = -4; dy <= 4; dy++) {
      for (let dx = -4; dx <= 4; dx++) {
        const d = Math.max(Math.abs(dx), Math.abs(dy));
        set(cx + dx, cy + dy, d !== 2 && d !== 4);
      }
    }
  }
  // Versions 2–6 have one alignment pattern, in the bottom-right quarter.
  const align = (VERSIONS[version - 1] as (typeof VERSIONS)[number]).align;
  if (align > 0) {
    for (let dy = -2; dy <= 2; dy++) {
      for (let dx = -2; dx <= 2; dx++)
        set(align + dx, align + dy, Math.max(Math.abs(dx), Math.abs(dy)) !== 1);
    }
  }
  // Reserve the format areas now (drawn per mask later), and the dark module beside the bottom-left finder.
  drawFormatBits(0, modules, reserved);
}

/** The 15 format bits: level M (00) and the mask, BCH-protected, XORed with 101010000010010, in both copies. */
export function formatBits(mask: number): number {
  const data = (0b00 << 3) | mask;
  let rem = data;
  for (let i = 0; i < 10; i++) rem = (rem << 1) ^ ((rem >>> 9) * 0x537);
  return ((data << 10) | rem) ^ 0x5412;
}

function drawFormatBits(mask: number, modules: boolean[][], reserved?: boolean[][]): void {
  const size = modules.length;
  const bits = formatBits(mask);
  const bit = (i: number) => ((bits >>> i) & 1) !== 0;
  const set = (x: number, y: number, dark: boolean) => {
    (modules[y] as boolean[])[x] = dark;
    if (reserved) (reserved[y] as boolean[])[x] = true;
  };
  // First copy, around the top-left finder.
  for (let i = 0; i <= 5; i++) set(8, i, bit(i));
  set(8, 7, bit(6));
  set(8, 8, bit(7));
  set(7, 8, bit(8));
  for (let i = 9; i < 15; i++) set(14 - i, 8, bit(i));
  // Second copy, split between the top-right and bottom-left finders.
  for (let i = 0; i < 8; i++) set(size - 1 - i, 8, bit(i));
  for (let i = 8; i < 15; i++) set(8, size - 15 + i, bit(i));
  set(8, size - 8, true);
}

/** The data modules in placement order: two-column strips from the right, up then down, skipping column 6. */
export function dataModuleOrder(reserved: readonly (readonly boolean[])[]): Array<[x: number, y: number]> {
  const size = reserved.length;
  const order: Array<[number, number]> = [];
  for (let right = size - 1; right >= 1; right -= 2) {
    if (right === 6) right = 5;
    const upward = ((right + 1) & 2) === 0;
    for (let step = 0; step < size; step++) {
      const y = upward ? size - 1 - step : step;
      for (let j = 0; j < 2; j++) {
        const x = right - j;
        if (!reserved[y]?.[x]) order.push([x, y]);
      }
    }
  }
  return order;
}

function placeCodewords(codewords: readonly number[], modules: boolean[][], reserved: boolean[][]): void {
  // Modules past the last codeword (remainder bits) stay light before masking, as the standard says.
  dataModuleOrder(reserved).forEach(([x, y], i) => {
    const byte = codewords[i >>> 3];
    if (byte !== undefined) (modules[y] as boolean[])[x] = ((byte >>> (7 - (i & 7))) & 1) !== 0;
  });
}

export function maskApplies(mask: number, x: number, y: number): boolean {
  switch (mask) {
    case 0:
      return (x + y) % 2 === 0;
    case 1:
      return y % 2 === 0;
    case 2:
      return x % 3 === 0;
    case 3:
      return (x + y) % 3 === 0;
    case 4:
      return (Math.floor(y / 2) + Math.floor(x / 3)) % 2 === 0;
    case 5:
      return ((x * y) % 2) + ((x * y) % 3) === 0;
    case 6:
      return (((x * y) % 2) + ((x * y) % 3)) % 2 === 0;
    default:
      return (((x + y) % 2) + ((x * y) % 3)) % 2 === 0;
  }
}

function applyMask(mask: number, modules: boolean[][], reserved: boolean[][]): void {
  const size = modules.length;
  for (let y = 0; y < size; y++) {
    const row = modules[y] as boolean[];
    for (let x = 0; x < size; x++) if (!reserved[y]?.[x] && maskApplies(mask, x, y)) row[x] = !row[x];
  }
}

/** The standard's four penalty rules: long runs, 2×2 blocks, finder-like patterns, and dark/light imbalance. */
export function penalty(modules: boolean[][]): number {
  const size = modules.length;
  const at = (x: number, y: number) => (modules[y] as boolean[])[x] as boolean;
  let score = 0;
  let dark = 0;
  for (let a = 0; a < size; a++) {
    for (const line of [(i: number) => at(i, a), (i: number) => at(a, i)]) {
      let run = 1;
      for (let i = 1; i <= size; i++) {
        if (i < size && line(i) === line(i - 1)) run++;
        else {
          if (run >= 5) score += 3 + run - 5;
          run = 1;
        }
      }
      // 1:1:3:1:1 with four light modules on either side looks like a finder to a reader.
      for (let i = 0; i + 11 <= size; i++) {
        let pattern = 0;
        for (let j = 0; j < 11; j++) pattern = (pattern << 1) | (line(i + j) ? 1 : 0);
        if (pattern === 0b10111010000 || pattern === 0b00001011101) score += 40;
      }
    }
    for (let b = 0; b < size; b++) {
      if (at(b, a)) dark++;
      if (a + 1 < size && b + 1 < size) {
        const c = at(b, a);
        if (at(b + 1, a) === c && at(b, a + 1) === c && at(b + 1, a + 1) === c) score += 3;
      }
    }
  }
  const percent = (dark * 100) / (size * size);
  return score + Math.floor(Math.abs(percent - 50) / 5) * 10;
}

/** The code as one SVG path of unit squares, with the standard's quiet zone of four modules around it. */
export function qrSvgPath(code: QrCode, quiet = 4): string {
  let d = "";
  code.modules.forEach((row, y) => {
    row.forEach((dark, x) => {
      if (dark) d += `M${x + quiet} ${y + quiet}h1v1h-1z`;
    });
  });
  return d;
}
