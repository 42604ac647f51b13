/**
 * HPACK (RFC 7541) header block decoder for HTTP/2 dissection.
 *
 * - Primitive types: N-bit prefix integers (5.1) and string literals, plain or
 *   Huffman-coded (5.2).
 * - Field representations (6.1-6.3): indexed, literal with incremental indexing,
 *   without indexing, never indexed, and dynamic table size updates.
 * - The static table (Appendix A) and the dynamic table with its eviction rules
 *   (4.1-4.4).
 * - The canonical Huffman code of Appendix B: huffman.ts.
 *
 * Decoding is passive and forgiving about what it reports: `decode()` never throws;
 * a malformed block stops decoding and is reported in `HpackResult.error` together
 * with every field decoded before the fault. Each field keeps the representation it
 * was sent with and its byte range in the block, for protocol trees.
 */

import { HUFFMAN_BAD_PADDING, HUFFMAN_EOS, huffmanDecodeRange } from "./huffman.js";

export { huffmanDecode } from "./huffman.js";

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
    const out = huffmanDecodeRange(buf, start, end);
    if (out === HUFFMAN_EOS) throw new HpackError(`Huffman-coded ${what} contains the EOS symbol`);
    if (out === HUFFMAN_BAD_PADDING) throw new HpackError(`Huffman-coded ${what} has invalid padding`);
    return out;
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
