/**
 * HTTP message framing helpers: line ends, chunked transfer coding, content decoding.
 * Pure functions over byte views (no tree), shared by the dissector and, later, by
 * TCP reassembly (how many bytes a complete message needs).
 */
import { inflateRawSync, unzipSync, brotliDecompressSync } from "node:zlib";

/**
 * tvb_find_line_end(desegment = FALSE): the line starting at `o` ends at CR, LF or
 * CRLF, or at `end` when there is none. Returns the line length; `LINE.next` is set
 * to the offset after the terminator, `LINE.eol` tells whether one was found.
 */
export const LINE = { next: 0, eol: false };
export function findLineEnd(d: Uint8Array, o: number, end: number): number {
  for (let i = o; i < end; i++) {
    const c = d[i];
    if (c === 0x0a) {
      LINE.next = i + 1;
      LINE.eol = true;
      return i - o;
    }
    if (c === 0x0d) {
      LINE.next = i + 1 < end && d[i + 1] === 0x0a ? i + 2 : i + 1;
      LINE.eol = true;
      return i - o;
    }
  }
  LINE.next = end;
  LINE.eol = false;
  return end - o;
}

/** Offset just after the blank line ending the header block that starts at o, or -1 if not complete. */
export function headerBlockEnd(d: Uint8Array, o: number, end: number): number {
  let p = o;
  while (p < end) {
    const n = findLineEnd(d, p, end);
    if (!LINE.eol) return -1;
    p = LINE.next;
    if (n === 0) return p;
  }
  return -1;
}

export interface Chunk {
  /** Offsets relative to the chunked body start. */
  sizeOff: number;
  sizeLineLen: number;
  size: number;
  dataOff: number;
  /** Offset of the CRLF after the data (-1 when absent). */
  boundaryOff: number;
  boundaryLen: number;
}

export interface Dechunked {
  chunks: Chunk[];
  /** Bytes of the chunked encoding consumed (through the last CRLF), complete or not. */
  consumed: number;
  /** The concatenated chunk data. */
  body: Uint8Array;
  /** The last (zero-size) chunk and the trailer were seen. */
  complete: boolean;
  /** Offset and line length of the final zero chunk (-1 when not seen). */
  lastOff: number;
  lastLineLen: number;
  /** The trailer after the last chunk, all its lines as one (tshark's trailer-part), up to the blank line or the end; null when none. */
  trailer: { off: number; len: number } | null;
  /** Offset and length of the blank line that ends the trailer (-1 when not seen). */
  blankOff: number;
  blankLen: number;
}

/** Parse a chunked body in d[o, end). Tolerates a body cut short (complete = false). */
export function dechunk(d: Uint8Array, o: number, end: number): Dechunked {
  const chunks: Chunk[] = [];
  const parts: Uint8Array[] = [];
  let total = 0;
  let p = o;
  const r: Dechunked = { chunks, consumed: 0, body: new Uint8Array(0), complete: false, lastOff: -1, lastLineLen: 0, trailer: null, blankOff: -1, blankLen: 0 };
  while (p < end) {
    const lineLen = findLineEnd(d, p, end);
    if (!LINE.eol) break;
    const next = LINE.next;
    // chunk-size [; ext]: hex digits (strtol semantics: leading spaces, stop at the first non-hex)
    let i = p;
    const le = p + lineLen;
    // (g_ascii_strtoll: any ASCII blank, a sign, a "0x" prefix)
    while (i < le && (d[i] === 0x20 || (d[i] >= 0x09 && d[i] <= 0x0d))) i++;
    if (i < le && d[i] === 0x2b) i++;
    if (i + 2 < le && d[i] === 0x30 && (d[i + 1] | 0x20) === 0x78 && hexDigit(d[i + 2])) i += 2;
    let size = 0, digits = 0;
    for (; i < le; i++) {
      const c = d[i];
      const v = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : c >= 0x41 && c <= 0x46 ? c - 0x37 : -1;
      if (v < 0) break;
      size = size * 16 + v;
      digits++;
      if (size > 0x7fffffff) break;
    }
    // an empty line ends the walk; a line without hex digits is size 0 (strtoll), the last chunk
    if (lineLen === 0 || size > 0x7fffffff) break;
    if (size === 0) {
      r.lastOff = p - o;
      r.lastLineLen = next - p;
      // trailer lines up to an empty line
      let q = next;
      while (q < end) {
        const n = findLineEnd(d, q, end);
        if (!LINE.eol) break;
        if (n === 0) {
          r.blankOff = q - o;
          r.blankLen = LINE.next - q;
          r.complete = true;
          q = LINE.next;
          break;
        }
        q = LINE.next;
      }
      // what lies between the last chunk and the blank line (or the end, when there is none)
      const tEnd = r.blankOff >= 0 ? o + r.blankOff : end;
      if (tEnd > next) r.trailer = { off: next - o, len: tEnd - next };
      if (r.blankOff < 0) q = end;
      p = q;
      break;
    }
    const dataOff = next;
    const avail = Math.min(size, end - dataOff);
    parts.push(d.subarray(dataOff, dataOff + avail));
    total += avail;
    const c: Chunk = { sizeOff: p - o, sizeLineLen: next - p, size, dataOff: dataOff - o, boundaryOff: -1, boundaryLen: 0 };
    chunks.push(c);
    if (avail < size) {
      p = end;
      break;
    }
    p = dataOff + size;
    if (p < end) {
      // the CRLF after the data: tshark takes the next 2 bytes, whatever they are
      c.boundaryOff = p - o;
      c.boundaryLen = Math.min(2, end - p);
      p += c.boundaryLen;
    }
  }
  r.consumed = p - o;
  if (parts.length === 1) r.body = parts[0];
  else if (parts.length > 1) {
    const b = new Uint8Array(total);
    let k = 0;
    for (const x of parts) {
      b.set(x, k);
      k += x.length;
    }
    r.body = b;
  }
  return r;
}

/** Z_SYNC_FLUSH at the end: a cut-short stream still gives what it holds. */
const PARTIAL = { finishFlush: 2 };

/**
 * tshark's tvb_uncompress: zlib or gzip by their header; when that fails, a gzip header is
 * skipped by hand (reserved flag bits and the trailer's CRC are not checked; FEXTRA, FNAME
 * and FCOMMENT are skipped, a header CRC is not) and the rest
 * inflated raw; anything else is tried as raw deflate (servers that send "deflate" without
 * the zlib header).
 */
function uncompress(b: Uint8Array): Uint8Array {
  try {
    return new Uint8Array(unzipSync(b, PARTIAL));
  } catch (e) {
    const start = b.length >= 10 && b[0] === 0x1f && b[1] === 0x8b && b[2] === 8 ? gzipBodyOffset(b) : 0;
    if (start < 0) throw e;
    return new Uint8Array(inflateRawSync(b.subarray(start), PARTIAL));
  }
}

/** Where the deflate data starts after a gzip header (RFC 1952 §2.3); -1 when the header is cut short. */
function gzipBodyOffset(b: Uint8Array): number {
  const flg = b[3];
  let p = 10;
  if (flg & 0x04) p = p + 2 > b.length ? b.length + 1 : p + 2 + (b[p] | (b[p + 1] << 8));
  for (const bit of [0x08, 0x10]) {
    if ((flg & bit) === 0) continue;
    while (p < b.length && b[p] !== 0) p++;
    p++;
  }
  // FHCRC's two bytes are not skipped: tshark's header walk stops before them, so such
  // bodies fail to decompress there too
  return p > b.length ? -1 : p;
}

/**
 * Decode a content coding (named case-insensitively, as tshark's g_ascii_strcasecmp);
 * null when unsupported or it fails. gzip, x-gzip, deflate and x-deflate all go through one
 * decompressor, as in tshark (tvb_child_uncompress): a gzip or zlib header is recognised
 * whatever the name says, and data without one is tried as raw deflate.
 */
export function decodeContent(coding: string, b: Uint8Array): Uint8Array | null {
  try {
    switch (coding.toLowerCase()) {
      case "gzip":
      case "x-gzip":
      case "deflate":
      case "x-deflate":
        return uncompress(b);
      case "br":
        return new Uint8Array(brotliDecompressSync(b));
      default:
        return null;
    }
  } catch {
    return null;
  }
}

function hexDigit(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
}
