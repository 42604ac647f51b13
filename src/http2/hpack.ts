/**
 * HPACK (RFC 7541) header block decoder for HTTP/2 dissection.
 *
 * - Primitive types: N-bit prefix integers (5.1) and string literals, plain or
 *   Huffman-coded (5.2).
 * - Field representations (6.1-6.3): indexed, literal with incremental indexing,
 *   without indexing, never indexed, and dynamic table size updates.
 * - The static table (Appendix A) and the dynamic table with its eviction rules
 *   (4.1-4.4).
 * - The canonical Huffman code of Appendix B, decoded with a 4-bit state machine
 *   (256 states x 16 nibbles) built once at module load, so each input octet costs
 *   two table look-ups.
 *
 * Decoding is passive and forgiving about what it reports: `decode()` never throws;
 * a malformed block stops decoding and is reported in `HpackResult.error` together
 * with every field decoded before the fault. Each field keeps the representation it
 * was sent with and its byte range in the block, for protocol trees.
 */

// ---------------------------------------------------------------------------
// Static table (RFC 7541 Appendix A)
// ---------------------------------------------------------------------------

/** The 61 static table entries; entry with index i (1..61) is at [i - 1]. */
export const STATIC_TABLE: readonly (readonly [string, string])[] = Object.freeze(
  (
    [
      [":authority", ""],
      [":method", "GET"],
      [":method", "POST"],
      [":path", "/"],
      [":path", "/index.html"],
      [":scheme", "http"],
      [":scheme", "https"],
      [":status", "200"],
      [":status", "204"],
      [":status", "206"],
      [":status", "304"],
      [":status", "400"],
      [":status", "404"],
      [":status", "500"],
      ["accept-charset", ""],
      ["accept-encoding", "gzip, deflate"],
      ["accept-language", ""],
      ["accept-ranges", ""],
      ["accept", ""],
      ["access-control-allow-origin", ""],
      ["age", ""],
      ["allow", ""],
      ["authorization", ""],
      ["cache-control", ""],
      ["content-disposition", ""],
      ["content-encoding", ""],
      ["content-language", ""],
      ["content-length", ""],
      ["content-location", ""],
      ["content-range", ""],
      ["content-type", ""],
      ["cookie", ""],
      ["date", ""],
      ["etag", ""],
      ["expect", ""],
      ["expires", ""],
      ["from", ""],
      ["host", ""],
      ["if-match", ""],
      ["if-modified-since", ""],
      ["if-none-match", ""],
      ["if-range", ""],
      ["if-unmodified-since", ""],
      ["last-modified", ""],
      ["link", ""],
      ["location", ""],
      ["max-forwards", ""],
      ["proxy-authenticate", ""],
      ["proxy-authorization", ""],
      ["range", ""],
      ["referer", ""],
      ["refresh", ""],
      ["retry-after", ""],
      ["server", ""],
      ["set-cookie", ""],
      ["strict-transport-security", ""],
      ["transfer-encoding", ""],
      ["user-agent", ""],
      ["vary", ""],
      ["via", ""],
      ["www-authenticate", ""],
    ] as const
  ).map((e) => Object.freeze([e[0], e[1]] as const)),
);

const STATIC_COUNT = 61;

/** Octets of an ASCII string. */
function ascii(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** Static entries as octets, shared by every decoded field that uses them. */
const STATIC_BYTES: readonly { name: Uint8Array; value: Uint8Array }[] = STATIC_TABLE.map(([n, v]) => ({
  name: ascii(n),
  value: ascii(v),
}));

// ---------------------------------------------------------------------------
// Huffman code (RFC 7541 Appendix B)
// ---------------------------------------------------------------------------

/** Code of each symbol 0..255 and EOS (256), aligned to the least significant bit. */
const HUFFMAN_CODES: readonly number[] = [
  0x1ff8, 0x7fffd8, 0xfffffe2, 0xfffffe3, 0xfffffe4, 0xfffffe5, 0xfffffe6, 0xfffffe7, // 0-7
  0xfffffe8, 0xffffea, 0x3ffffffc, 0xfffffe9, 0xfffffea, 0x3ffffffd, 0xfffffeb, 0xfffffec, // 8-15
  0xfffffed, 0xfffffee, 0xfffffef, 0xffffff0, 0xffffff1, 0xffffff2, 0x3ffffffe, 0xffffff3, // 16-23
  0xffffff4, 0xffffff5, 0xffffff6, 0xffffff7, 0xffffff8, 0xffffff9, 0xffffffa, 0xffffffb, // 24-31
  0x14, 0x3f8, 0x3f9, 0xffa, 0x1ff9, 0x15, 0xf8, 0x7fa, // 32-39  ' ' ! " # $ % & '
  0x3fa, 0x3fb, 0xf9, 0x7fb, 0xfa, 0x16, 0x17, 0x18, // 40-47  ( ) * + , - . /
  0x0, 0x1, 0x2, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, // 48-55  0-7
  0x1e, 0x1f, 0x5c, 0xfb, 0x7ffc, 0x20, 0xffb, 0x3fc, // 56-63  8 9 : ; < = > ?
  0x1ffa, 0x21, 0x5d, 0x5e, 0x5f, 0x60, 0x61, 0x62, // 64-71  @ A-G
  0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, // 72-79  H-O
  0x6b, 0x6c, 0x6d, 0x6e, 0x6f, 0x70, 0x71, 0x72, // 80-87  P-W
  0xfc, 0x73, 0xfd, 0x1ffb, 0x7fff0, 0x1ffc, 0x3ffc, 0x22, // 88-95  X Y Z [ \ ] ^ _
  0x7ffd, 0x3, 0x23, 0x4, 0x24, 0x5, 0x25, 0x26, // 96-103  ` a-g
  0x27, 0x6, 0x74, 0x75, 0x28, 0x29, 0x2a, 0x7, // 104-111  h-o
  0x2b, 0x76, 0x2c, 0x8, 0x9, 0x2d, 0x77, 0x78, // 112-119  p-w
  0x79, 0x7a, 0x7b, 0x7ffe, 0x7fc, 0x3ffd, 0x1ffd, 0xffffffc, // 120-127  x y z { | } ~ DEL
  0xfffe6, 0x3fffd2, 0xfffe7, 0xfffe8, 0x3fffd3, 0x3fffd4, 0x3fffd5, 0x7fffd9, // 128-135
  0x3fffd6, 0x7fffda, 0x7fffdb, 0x7fffdc, 0x7fffdd, 0x7fffde, 0xffffeb, 0x7fffdf, // 136-143
  0xffffec, 0xffffed, 0x3fffd7, 0x7fffe0, 0xffffee, 0x7fffe1, 0x7fffe2, 0x7fffe3, // 144-151
  0x7fffe4, 0x1fffdc, 0x3fffd8, 0x7fffe5, 0x3fffd9, 0x7fffe6, 0x7fffe7, 0xffffef, // 152-159
  0x3fffda, 0x1fffdd, 0xfffe9, 0x3fffdb, 0x3fffdc, 0x7fffe8, 0x7fffe9, 0x1fffde, // 160-167
  0x7fffea, 0x3fffdd, 0x3fffde, 0xfffff0, 0x1fffdf, 0x3fffdf, 0x7fffeb, 0x7fffec, // 168-175
  0x1fffe0, 0x1fffe1, 0x3fffe0, 0x1fffe2, 0x7fffed, 0x3fffe1, 0x7fffee, 0x7fffef, // 176-183
  0xfffea, 0x3fffe2, 0x3fffe3, 0x3fffe4, 0x7ffff0, 0x3fffe5, 0x3fffe6, 0x7ffff1, // 184-191
  0x3ffffe0, 0x3ffffe1, 0xfffeb, 0x7fff1, 0x3fffe7, 0x7ffff2, 0x3fffe8, 0x1ffffec, // 192-199
  0x3ffffe2, 0x3ffffe3, 0x3ffffe4, 0x7ffffde, 0x7ffffdf, 0x3ffffe5, 0xfffff1, 0x1ffffed, // 200-207
  0x7fff2, 0x1fffe3, 0x3ffffe6, 0x7ffffe0, 0x7ffffe1, 0x3ffffe7, 0x7ffffe2, 0xfffff2, // 208-215
  0x1fffe4, 0x1fffe5, 0x3ffffe8, 0x3ffffe9, 0xffffffd, 0x7ffffe3, 0x7ffffe4, 0x7ffffe5, // 216-223
  0xfffec, 0xfffff3, 0xfffed, 0x1fffe6, 0x3fffe9, 0x1fffe7, 0x1fffe8, 0x7ffff3, // 224-231
  0x3fffea, 0x3fffeb, 0x1ffffee, 0x1ffffef, 0xfffff4, 0xfffff5, 0x3ffffea, 0x7ffff4, // 232-239
  0x3ffffeb, 0x7ffffe6, 0x3ffffec, 0x3ffffed, 0x7ffffe7, 0x7ffffe8, 0x7ffffe9, 0x7ffffea, // 240-247
  0x7ffffeb, 0xffffffe, 0x7ffffec, 0x7ffffed, 0x7ffffee, 0x7ffffef, 0x7fffff0, 0x3ffffee, // 248-255
  0x3fffffff, // 256 EOS
];

/** Code length in bits of each symbol 0..255 and EOS (256). */
const HUFFMAN_LENGTHS: readonly number[] = [
  13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28, // 0-15
  28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28, // 16-31
  6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6, // 32-47
  5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10, // 48-63
  13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, // 64-79
  7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6, // 80-95
  15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5, // 96-111
  6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28, // 112-127
  20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23, // 128-143
  24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24, // 144-159
  22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23, // 160-175
  21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23, // 176-191
  26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25, // 192-207
  19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27, // 208-223
  20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23, // 224-239
  26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26, // 240-255
  30, // 256 EOS
];

const EOS = 256;

/** Transition word layout: bits 0-7 next state, 8-15 emitted symbol, then flags. */
const T_EMIT = 1 << 16;
const T_EOS = 1 << 17;

/**
 * Decoding state machine. A state is an internal node of the code tree (0 = root,
 * 256 nodes for 257 leaves); HUFF_STEP[state * 16 + nibble] walks four bits from
 * that node. The shortest code has 5 bits, so one nibble completes at most one symbol.
 */
const HUFF_STEP = new Uint32Array(256 * 16);
/** States where the string may end: the root, or <= 7 bits down the all-ones (EOS) path. */
const HUFF_ACCEPT = new Uint8Array(256);

(function buildHuffmanDecoder(): void {
  // kids[node * 2 + bit]: > 0 internal node, < 0 leaf -(symbol + 1), 0 empty (the root is never a child)
  const kids: number[] = [0, 0];
  let nodes = 1;
  for (let sym = 0; sym <= EOS; sym++) {
    const code = HUFFMAN_CODES[sym];
    const len = HUFFMAN_LENGTHS[sym];
    let node = 0;
    for (let i = len - 1; i > 0; i--) {
      const slot = node * 2 + ((code >>> i) & 1);
      let next = kids[slot];
      if (next < 0) throw new Error(`hpack: Huffman code of ${sym} extends another code`);
      if (next === 0) {
        next = nodes++;
        kids[slot] = next;
        kids.push(0, 0);
      }
      node = next;
    }
    const slot = node * 2 + (code & 1);
    if (kids[slot] !== 0) throw new Error(`hpack: Huffman code of ${sym} is a prefix of another code`);
    kids[slot] = -(sym + 1);
  }
  if (nodes !== 256 || kids.includes(0, 2)) throw new Error("hpack: Huffman code table is not complete");

  // The all-ones path from the root, up to 7 bits deep, is valid padding.
  let onesNode = 0;
  HUFF_ACCEPT[0] = 1;
  for (let depth = 1; depth <= 7; depth++) {
    onesNode = kids[onesNode * 2 + 1];
    HUFF_ACCEPT[onesNode] = 1;
  }

  for (let state = 0; state < 256; state++) {
    for (let nibble = 0; nibble < 16; nibble++) {
      let node = state;
      let word = 0;
      for (let b = 3; b >= 0; b--) {
        const next = kids[node * 2 + ((nibble >> b) & 1)];
        if (next >= 0) {
          node = next;
          continue;
        }
        const sym = -next - 1;
        if (sym === EOS) {
          word = T_EOS;
          break;
        }
        word = T_EMIT | (sym << 8);
        node = 0;
      }
      HUFF_STEP[state * 16 + nibble] = word === T_EOS ? T_EOS : word | node;
    }
  }
})();

/** Reusable output buffer for Huffman decoding (grown on demand). */
let huffScratch = new Uint8Array(256);

/**
 * Huffman-decodes src[start, end) into huffScratch. Returns the decoded length, -1 when
 * the EOS symbol appears, -2 when the padding is longer than 7 bits or not all ones.
 */
function huffmanDecodeInto(src: Uint8Array, start: number, end: number): number {
  const max = Math.floor(((end - start) * 8) / 5);
  if (huffScratch.length < max) huffScratch = new Uint8Array(Math.max(max, huffScratch.length * 2));
  const out = huffScratch;
  let n = 0;
  let state = 0;
  for (let i = start; i < end; i++) {
    const byte = src[i];
    let t = HUFF_STEP[(state << 4) | (byte >> 4)];
    if (t & T_EOS) return -1;
    if (t & T_EMIT) out[n++] = (t >> 8) & 0xff;
    state = t & 0xff;
    t = HUFF_STEP[(state << 4) | (byte & 0x0f)];
    if (t & T_EOS) return -1;
    if (t & T_EMIT) out[n++] = (t >> 8) & 0xff;
    state = t & 0xff;
  }
  return HUFF_ACCEPT[state] ? n : -2;
}

/** Huffman-decode (RFC 7541 5.2). Returns null on invalid input (EOS in the string, padding longer than 7 bits or not all ones). */
export function huffmanDecode(b: Uint8Array): Uint8Array | null {
  const n = huffmanDecodeInto(b, 0, b.length);
  return n < 0 ? null : huffScratch.slice(0, n);
}

// ---------------------------------------------------------------------------
// Header block decoding
// ---------------------------------------------------------------------------

export type HpackRepresentation =
  | "indexed" // 6.1 Indexed Header Field
  | "incremental-indexed-name" // 6.2.1 with indexed name
  | "incremental-new-name" // 6.2.1 with literal name
  | "without-indexing-indexed-name" // 6.2.2
  | "without-indexing-new-name"
  | "never-indexed-indexed-name" // 6.2.3
  | "never-indexed-new-name";

export interface HpackField {
  /** raw octets after Huffman decoding (shared with the tables: do not mutate) */
  name: Uint8Array;
  value: Uint8Array;
  rep: HpackRepresentation;
  /** the index used (static 1..61 or dynamic 62..), 0 when the name was a literal */
  index: number;
  /** byte range [start, end) of this representation inside the block passed to decode() */
  start: number;
  end: number;
}

export interface HpackSizeUpdate {
  size: number;
  start: number;
  end: number;
}

export interface HpackResult {
  fields: HpackField[];
  sizeUpdates: HpackSizeUpdate[];
  /** set when the block could not be decoded to its end (bad index, truncated integer/string, bad Huffman padding/EOS, size update above the limit...). fields holds what was decoded before the error. */
  error: string | null;
}

/** A decoding fault inside decode(); caught there and turned into HpackResult.error. */
class HpackError extends Error {}

/** Largest integer accepted (5.1 leaves the bound to the implementation). */
const INT_MAX = 2 ** 31;

/** Per-entry overhead counted in the table size (4.1). */
const ENTRY_OVERHEAD = 32;

interface DynEntry {
  name: Uint8Array;
  value: Uint8Array;
  size: number;
}

function checkSize(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`hpack: invalid ${what}: ${n}`);
  return n;
}

/** Stateful HPACK decoder: one per direction of an HTTP/2 connection. */
export class HpackDecoder {
  /** ring buffer of dynamic entries; the oldest is at `head` */
  private ring: (DynEntry | undefined)[] = new Array(16);
  private head = 0;
  private count = 0;
  private tableSize = 0;
  private max: number;
  private limit: number;
  /** read position inside the block being decoded */
  private pos = 0;

  /** @param maxTableSize the SETTINGS_HEADER_TABLE_SIZE limit (default 4096); also the initial max size */
  constructor(maxTableSize = 4096) {
    this.limit = checkSize(maxTableSize, "table size");
    this.max = this.limit;
  }

  /** current dynamic table size in HPACK octets (sum of name.length+value.length+32) */
  get size(): number {
    return this.tableSize;
  }

  /** current max size (after size updates) */
  get maxSize(): number {
    return this.max;
  }

  /** dynamic table entries, newest first (for tests) */
  entries(): { name: Uint8Array; value: Uint8Array }[] {
    const out: { name: Uint8Array; value: Uint8Array }[] = [];
    for (let i = 0; i < this.count; i++) {
      const e = this.dyn(i);
      out.push({ name: e.name, value: e.value });
    }
    return out;
  }

  /**
   * Change the limit from SETTINGS_HEADER_TABLE_SIZE (the peer's setting). Only the
   * bound checked against later size updates changes: the table keeps its current max
   * size until the encoder signals a new one (4.2), as it must after a reduction.
   */
  setLimit(n: number): void {
    this.limit = checkSize(n, "table size limit");
  }

  /** Decode one complete header block (HEADERS/PUSH_PROMISE + CONTINUATIONs joined). Updates the dynamic table. Never throws. */
  decode(block: Uint8Array): HpackResult {
    const fields: HpackField[] = [];
    const sizeUpdates: HpackSizeUpdate[] = [];
    let error: string | null = null;
    this.pos = 0;
    try {
      const len = block.length;
      while (this.pos < len) {
        const start = this.pos;
        const b = block[start];
        if (b & 0x80) {
          // 6.1 Indexed Header Field: 1xxxxxxx
          const index = this.readInt(block, 7);
          if (index === 0) throw new HpackError("indexed header field with index 0");
          const e = this.lookup(index);
          fields.push({ name: e.name, value: e.value, rep: "indexed", index, start, end: this.pos });
        } else if ((b & 0xe0) === 0x20) {
          // 6.3 Dynamic Table Size Update: 001xxxxx
          if (fields.length > 0) throw new HpackError("dynamic table size update after a header field");
          const size = this.readInt(block, 5);
          if (size > this.limit) {
            throw new HpackError(`dynamic table size update to ${size} above the limit ${this.limit}`);
          }
          this.max = size;
          this.evictTo(size);
          sizeUpdates.push({ size, start, end: this.pos });
        } else {
          // 6.2 Literal Header Field: 01xxxxxx incremental, 0001xxxx never indexed, 0000xxxx without
          const incremental = (b & 0x40) !== 0;
          const index = this.readInt(block, incremental ? 6 : 4);
          const name = index === 0 ? this.readString(block, "name") : this.lookup(index).name;
          const value = this.readString(block, "value");
          let rep: HpackRepresentation;
          if (incremental) {
            rep = index === 0 ? "incremental-new-name" : "incremental-indexed-name";
            this.add(name, value);
          } else if (b & 0x10) {
            rep = index === 0 ? "never-indexed-new-name" : "never-indexed-indexed-name";
          } else {
            rep = index === 0 ? "without-indexing-new-name" : "without-indexing-indexed-name";
          }
          fields.push({ name, value, rep, index, start, end: this.pos });
        }
      }
    } catch (e) {
      error = e instanceof HpackError ? e.message : `internal error: ${e instanceof Error ? e.message : String(e)}`;
    }
    return { fields, sizeUpdates, error };
  }

  /** 5.1: integer with an N-bit prefix starting at this.pos (which must be inside the block). */
  private readInt(buf: Uint8Array, prefixBits: number): number {
    const mask = (1 << prefixBits) - 1;
    let p = this.pos;
    let v = buf[p++] & mask;
    if (v === mask) {
      let mul = 1;
      for (;;) {
        if (p >= buf.length) throw new HpackError("truncated integer");
        const b = buf[p++];
        v += (b & 0x7f) * mul;
        if (v > INT_MAX) throw new HpackError("integer above 2^31");
        if ((b & 0x80) === 0) break;
        mul *= 128;
        if (mul > 2 ** 28) throw new HpackError("integer encoding too long");
      }
    }
    this.pos = p;
    return v;
  }

  /** 5.2: string literal (H bit, 7-bit prefix length, octets) at this.pos. */
  private readString(buf: Uint8Array, what: string): Uint8Array {
    if (this.pos >= buf.length) throw new HpackError(`truncated ${what}: missing string length`);
    const huffman = (buf[this.pos] & 0x80) !== 0;
    const len = this.readInt(buf, 7);
    const start = this.pos;
    if (len > buf.length - start) {
      throw new HpackError(`truncated ${what}: string of ${len} octets, ${buf.length - start} left`);
    }
    const end = start + len;
    this.pos = end;
    if (!huffman) return copy(buf, start, end);
    const n = huffmanDecodeInto(buf, start, end);
    if (n === -1) throw new HpackError(`Huffman-coded ${what} contains the EOS symbol`);
    if (n < 0) throw new HpackError(`Huffman-coded ${what} has invalid padding`);
    return huffScratch.slice(0, n);
  }

  /** Entry for index 1..61 (static) or 62.. (dynamic, newest first). */
  private lookup(index: number): { name: Uint8Array; value: Uint8Array } {
    if (index <= STATIC_COUNT) return STATIC_BYTES[index - 1];
    const i = index - STATIC_COUNT - 1;
    if (i >= this.count) {
      throw new HpackError(`index ${index} beyond the table (${STATIC_COUNT} static + ${this.count} dynamic entries)`);
    }
    return this.dyn(i);
  }

  /** i-th dynamic entry, 0 = newest. */
  private dyn(i: number): DynEntry {
    return this.ring[(this.head + this.count - 1 - i) & (this.ring.length - 1)]!;
  }

  /** 4.4: add an entry, evicting the oldest ones to make room; an entry larger than the max empties the table. */
  private add(name: Uint8Array, value: Uint8Array): void {
    const size = name.length + value.length + ENTRY_OVERHEAD;
    if (size > this.max) {
      this.evictTo(0);
      return;
    }
    this.evictTo(this.max - size);
    if (this.count === this.ring.length) {
      const bigger: (DynEntry | undefined)[] = new Array(this.ring.length * 2);
      for (let i = 0; i < this.count; i++) bigger[i] = this.ring[(this.head + i) & (this.ring.length - 1)];
      this.ring = bigger;
      this.head = 0;
    }
    this.ring[(this.head + this.count) & (this.ring.length - 1)] = { name, value, size };
    this.count++;
    this.tableSize += size;
  }

  /** 4.3: evict the oldest entries until the table size is at most `target`. */
  private evictTo(target: number): void {
    const mask = this.ring.length - 1;
    while (this.tableSize > target && this.count > 0) {
      const e = this.ring[this.head]!;
      this.ring[this.head] = undefined;
      this.head = (this.head + 1) & mask;
      this.count--;
      this.tableSize -= e.size;
    }
  }
}

/** A plain Uint8Array copy of buf[start, end) (never a view, even when buf is a Buffer). */
function copy(buf: Uint8Array, start: number, end: number): Uint8Array {
  const out = new Uint8Array(end - start);
  out.set(buf.subarray(start, end));
  return out;
}
