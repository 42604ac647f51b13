/**
 * Does an HTTP-like message (request/status line, header lines, blank line, body) need
 * more bytes from TCP? The rules of Wireshark's req_resp_hdrs_do_reassembly
 * (epan/req_resp_hdrs.c), as tshark 4.0 applies them, reproduced from their behaviour:
 *
 *  - headers: every line must end (CR, LF or CRLF; a CR at the very end of the data
 *    may still be a CRLF, so it does not count) up to an empty line; otherwise "one
 *    more segment";
 *  - body, only when asked for: `Transfer-Encoding:` whose value (after blanks)
 *    starts with "chunked" → walk the chunks: a size line that does not parse as hex
 *    (C `sscanf("%x")`) or is above 2^31 ends the walk (no more reassembly); the zero
 *    chunk needs one more line end; a chunk is skipped as size+2 bytes after its size
 *    line once more than `size` bytes follow the size line's start, else one more
 *    segment. Else a valid `Content-Length:` (the whole trimmed value a decimal int32,
 *    >= 0; the last valid one wins) asks for the missing body bytes (values >= 128 KiB
 *    are ignored for MS-RPC over HTTP). Else, for responses, the body runs until the
 *    FIN (DESEGMENT_UNTIL_FIN);
 *  - nothing is asked for bytes that were not captured (snaplen).
 *
 * Pure function over the bytes: no tree, no strings unless a header name matches.
 */
import { DESEGMENT_ONE_MORE_SEGMENT, DESEGMENT_UNTIL_FIN } from "../analysis/reassembly.js";
import type { Tvb } from "../core/tvb.js";

/** The request made by the last call (offset and length as pinfo->desegment_offset/len). */
export const DESEG = { offset: 0, len: 0 };

/** tvb_find_line_end(desegment = TRUE) over d[o, end): line length, or -1 (no line end yet). Sets LE.next. */
export const LE = { next: 0 };
export function lineEndDeseg(d: Uint8Array, o: number, end: number): number {
  for (let i = o; i < end; i++) {
    const c = d[i];
    if (c === 0x0a) {
      LE.next = i + 1;
      return i - o;
    }
    if (c === 0x0d) {
      if (i + 1 >= end) return -1;
      LE.next = d[i + 1] === 0x0a ? i + 2 : i + 1;
      return i - o;
    }
  }
  return -1;
}

/** Case-insensitive ASCII prefix test of d[o, end) against a lower-case name. */
function hasPrefix(d: Uint8Array, o: number, end: number, lc: string): boolean {
  if (end - o < lc.length) return false;
  for (let i = 0; i < lc.length; i++) {
    let c = d[o + i];
    if (c >= 0x41 && c <= 0x5a) c += 32;
    if (c !== lc.charCodeAt(i)) return false;
  }
  return true;
}

function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

/** ws_strtoi32 over g_strstrip(d[a, b)) (a NUL ends the C string): the value, or -1 when invalid or negative. */
function contentLength(d: Uint8Array, a: number, b: number): number {
  for (let i = a; i < b; i++) if (d[i] === 0) { b = i; break; }
  while (a < b && isSpace(d[a])) a++;
  while (b > a && isSpace(d[b - 1])) b--;
  let i = a;
  let neg = false;
  if (i < b && (d[i] === 0x2b || d[i] === 0x2d)) { neg = d[i] === 0x2d; i++; }
  if (i >= b) return -1;
  let v = 0;
  for (; i < b; i++) {
    const c = d[i];
    if (c < 0x30 || c > 0x39) return -1;
    v = v * 10 + (c - 0x30);
    if (v > 0x80000000) return -1;
  }
  if (neg) return v === 0 ? 0 : -1;
  return v > 0x7fffffff ? -1 : v;
}

/**
 * sscanf(s, "%x") on the chunk-size line d[a, b) (cut at ';' or NUL): the value as
 * an unsigned int, or -1 when nothing parses. (strtoul rules: blanks, a sign, "0x".)
 */
export function scanHex(d: Uint8Array, a: number, b: number): number {
  for (let i = a; i < b; i++) if (d[i] === 0x3b || d[i] === 0) { b = i; break; }
  let i = a;
  while (i < b && isSpace(d[i])) i++;
  let neg = false;
  if (i < b && (d[i] === 0x2b || d[i] === 0x2d)) { neg = d[i] === 0x2d; i++; }
  let digits = 0;
  if (i + 1 < b && d[i] === 0x30 && (d[i + 1] === 0x78 || d[i + 1] === 0x58)) {
    // "0x": the prefix only when a hex digit follows, else the "0" alone
    if (i + 2 < b && hexVal(d[i + 2]) >= 0) i += 2;
  }
  let low = 0; // value mod 2^32
  let sig = 0; // significant digits (past 16: beyond 64 bits, strtoul saturates)
  for (; i < b; i++) {
    const v = hexVal(d[i]);
    if (v < 0) break;
    digits++;
    if (sig > 0 || v > 0) sig++;
    low = ((low * 16) % 0x100000000 + v) % 0x100000000;
  }
  if (digits === 0) return -1;
  if (sig > 16) return 0xffffffff;
  if (neg && low !== 0) low = 0x100000000 - low;
  return low;
}

function hexVal(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

const RPC_IN = "RPC_IN_DATA", RPC_OUT = "RPC_OUT_DATA", APP_RPC = "application/rpc";

function startsWithAscii(d: Uint8Array, o: number, end: number, s: string): boolean {
  if (end - o < s.length) return false;
  for (let i = 0; i < s.length; i++) if (d[o + i] !== s.charCodeAt(i)) return false;
  return true;
}

/**
 * req_resp_hdrs_do_reassembly for the message at `offset` of `tvb`. Returns true when
 * more bytes are needed; the request is then in DESEG (offset, len). `canDesegment`:
 * TCP offers desegmentation for this call.
 */
export function needsMore(
  tvb: Tvb, offset: number, canDesegment: boolean, desegBody: boolean, untilFin: boolean,
): boolean {
  const d = tvb.bytes(0);
  const cap = d.length;
  const rep = tvb.reportedLength;
  let next = offset;
  let cl = -1;
  let chunked = false;
  let rpcType = false;
  if (canDesegment) {
    for (;;) {
      const sav = next;
      if (rep - next < 1) return ask(offset, DESEGMENT_ONE_MORE_SEGMENT);
      const ll = lineEndDeseg(d, next, cap);
      if (ll === -1) {
        if (cap - next >= rep - next) return ask(offset, DESEGMENT_ONE_MORE_SEGMENT);
        return false; // the rest was not captured: asking would not help
      }
      next = LE.next;
      if (ll === 0) break;
      if (!desegBody) continue;
      const c = d[sav] | 0x20;
      if (c !== 0x63 && c !== 0x74) continue; // 'c' / 't'
      const le = sav + ll;
      if (hasPrefix(d, sav, le, "content-length:")) {
        const v = contentLength(d, sav + 15, le);
        if (v >= 0) cl = v;
      } else if (hasPrefix(d, sav, le, "content-type:")) {
        let p = sav + 13;
        while (p < le && d[p] === 0x20) p++;
        rpcType = startsWithAscii(d, p, le, APP_RPC);
      } else if (hasPrefix(d, sav, le, "transfer-encoding:")) {
        let p = sav + 18;
        while (p < le && (d[p] === 0x20 || d[p] === 0x09)) p++;
        if (hasPrefix(d, p, le, "chunked")) chunked = true;
      }
    }
  }
  if (!desegBody) return false;
  if (chunked) {
    for (;;) {
      const remRep = rep - next;
      if (remRep < 1) return ask(offset, DESEGMENT_ONE_MORE_SEGMENT);
      const remCap = cap - next;
      const ll = lineEndDeseg(d, next, cap);
      if (ll === -1) {
        if (remCap >= remRep) return ask(offset, DESEGMENT_ONE_MORE_SEGMENT);
        return false;
      }
      const chunkOff = LE.next;
      const size = scanHex(d, next, next + ll);
      if (size < 0 || size > 0x80000000) return false;
      if (size === 0) {
        // the last chunk: pull in the line end after it (searched with the size line's length bound)
        const l2 = lineEndDeseg(d, chunkOff, cap);
        if (l2 === -1) {
          // a CR at the end of the data: with its bound past the end tshark reads the next byte (an exception)
          if (cap > chunkOff && d[cap - 1] === 0x0d) tvb.u8(cap);
          if (remCap >= remRep) return ask(offset, DESEGMENT_ONE_MORE_SEGMENT);
        }
        return false;
      }
      if (remRep > size) next = chunkOff + size + 2;
      else return ask(offset, DESEGMENT_ONE_MORE_SEGMENT);
    }
  }
  if (cl >= 0) {
    if (cl >= 128 * 1024) {
      if (rpcType) return false;
      if (startsWithAscii(d, 0, cap, RPC_IN) || startsWithAscii(d, 0, cap, RPC_OUT)) return false;
    }
    if (next + cl > cap) {
      const remCap = cap - next, remRep = rep - next;
      if (remCap < remRep) return false;
      return ask(offset, cl - remCap);
    }
    return false;
  }
  if (untilFin && canDesegment) {
    if (cap - next < rep - next) return false;
    return ask(offset, DESEGMENT_UNTIL_FIN);
  }
  return false;
}

/**
 * parse_http_status_code: the second blank-separated token of a status line, when it is
 * exactly 3 characters and a valid integer; else 0.
 */
export function statusCode(d: Uint8Array, o: number, end: number): number {
  let p = o;
  while (p < end && d[p] !== 0x20) p++;
  if (p === o) return 0;
  while (p < end && d[p] === 0x20) p++;
  const a = p;
  while (p < end && d[p] !== 0x20) p++;
  if (p - a !== 3) return 0;
  const v = contentLength(d, a, p);
  return v < 0 ? 0 : v;
}

function ask(offset: number, len: number): true {
  DESEG.offset = offset;
  DESEG.len = len;
  return true;
}
