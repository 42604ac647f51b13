/**
 * MIME Multipart Media Encapsulation (RFC 2046 §5.1, RFC 7578 form-data), as tshark 4.0's
 * mime_multipart shows it: an HTML form's file upload, a multipart/mixed or /related body.
 * Called from the media-type table (HTTP and HTTP/2 bodies) with the Content-Type's
 * parameters, which carry the boundary.
 *
 * The body is cut at its boundary lines: "First boundary" (after any preamble), each
 * "Encapsulated multipart part" with its MIME headers (Content-Disposition, Content-Type…)
 * and its body handed on by its own Content-Type (JSON, text, a nested multipart, "Media
 * Type" for the rest; data without one), the "Boundary" between parts (with the line end
 * before it), the "Last boundary" (--boundary--) and any trailer. A part with no boundary
 * after it ends the dissection there, as in tshark.
 */
import { labelBytes } from "../src/core/label.js";
import { asciiText } from "../src/core/strings.js";
import { findLineEnd, LINE } from "../src/http/body.js";
import type { PacketInfo } from "../src/core/pinfo.js";
import { callData, callDissector, defineProtocol, protocolByAbbrev } from "../src/core/proto.js";
import type { Item } from "../src/core/tree.js";
import { BoundsError, type Tvb } from "../src/core/tvb.js";
import { MEDIA_TYPES, mediaArgument, mediaParameter, type MediaContent } from "../src/http/names.js";

const S = { type: "string" as const };

export const multipart = defineProtocol({
  name: "MIME Multipart Media Encapsulation",
  abbrev: "mime_multipart",
  short: "MIME multipart",
  fields: {
    type: { ...S, abbrev: "mime_multipart.type", name: "Type" },
    part: { ...S, abbrev: "mime_multipart.part", name: "Encapsulated multipart part" },
    contentDescription: { ...S, abbrev: "mime_multipart.header.content-description", name: "Content-Description" },
    contentDisposition: { ...S, abbrev: "mime_multipart.header.content-disposition", name: "Content-Disposition" },
    contentEncoding: { ...S, abbrev: "mime_multipart.header.content-encoding", name: "Content-Encoding" },
    contentId: { ...S, abbrev: "mime_multipart.header.content-id", name: "Content-Id" },
    contentLanguage: { ...S, abbrev: "mime_multipart.header.content-language", name: "Content-Language" },
    contentLength: { ...S, abbrev: "mime_multipart.header.content-length", name: "Content-Length" },
    contentTransferEncoding: { ...S, abbrev: "mime_multipart.header.content-transfer-encoding", name: "Content-Transfer-Encoding" },
    contentType: { ...S, abbrev: "mime_multipart.header.content-type", name: "Content-Type" },
    originalContent: { ...S, abbrev: "mime_multipart.header.originalcontent", name: "OriginalContent" },
    firstBoundary: { ...S, abbrev: "mime_multipart.first_boundary", name: "First boundary" },
    preamble: { abbrev: "mime_multipart.preamble", name: "Preamble", type: "bytes" },
    lastBoundary: { ...S, abbrev: "mime_multipart.last_boundary", name: "Last boundary" },
    boundary: { ...S, abbrev: "mime_multipart.boundary", name: "Boundary" },
    trailer: { abbrev: "mime_multipart.trailer", name: "Trailer", type: "bytes" },
    noRequiredParameter: { abbrev: "mime_multipart.no_required_parameter", name: "The multipart dissector could not find a required parameter.", type: "none" },
  },
  registers: [],
  dissect: dissectMultipart,
});

const f = multipart.f;

/** The part headers tshark knows (by lower-cased name, and the compact forms e, l, c). */
const HEADERS = new Map([
  ["content-description", f.contentDescription], ["content-disposition", f.contentDisposition],
  ["content-encoding", f.contentEncoding], ["e", f.contentEncoding], ["content-id", f.contentId],
  ["content-language", f.contentLanguage], ["content-length", f.contentLength], ["l", f.contentLength],
  ["content-transfer-encoding", f.contentTransferEncoding], ["content-type", f.contentType], ["c", f.contentType],
  ["originalcontent", f.originalContent],
]);

/**
 * A MIME header unfolded and compacted as tshark does before reading it: blanks around
 * separators (: ; , =) dropped, other runs of blanks (and folded line ends) made one space,
 * quoted strings kept as they are, and the text ended at the first line end that does not
 * fold. Returns the text and where its first colon is (-1: none).
 */
export function compactHeader(s: string): { text: string; colon: number } {
  let out = "";
  let colon = -1;
  let sep = false;
  let lws = false;
  let i = 0;
  const blank = (c: string | undefined): boolean => c === " " || c === "\t";
  while (i < s.length) {
    const c = s[i];
    if (c === ":" || c === ";" || c === "," || c === "=") {
      if (c === ":" && colon < 0) colon = out.length;
      out += c;
      sep = true;
      lws = false;
      i++;
    } else if (blank(c)) {
      lws = true;
      i++;
    } else if (c === "\n") {
      lws = false;
      if (!blank(s[i + 1])) break;
      lws = true;
      i += 2;
    } else if (c === "\r") {
      lws = false;
      if (s[i + 1] === "\n" && blank(s[i + 2])) i += 3;
      else if (blank(s[i + 1])) i += 2;
      else break;
      lws = true;
    } else if (c === '"') {
      // a quoted string, with its backslash pairs, as it is
      lws = false;
      let j = i + 1;
      while (j < s.length && s[j] !== '"') j += s[j] === "\\" ? 2 : 1;
      out += s.slice(i, Math.min(j + 1, s.length));
      i = j + 1;
    } else {
      if (sep) sep = false;
      else if (lws) out += " ";
      lws = false;
      out += c;
      i++;
    }
  }
  return { text: out, colon };
}

/** The offset after the line that starts at o (its line end included; the end of the bytes when none). */
function nextLine(d: Uint8Array, o: number, end: number): number {
  findLineEnd(d, o, end);
  return LINE.next;
}

function matches(d: Uint8Array, o: number, end: number, s: Uint8Array): boolean {
  if (o < 0 || o + s.length > end) return false;
  for (let i = 0; i < s.length; i++) if (d[o + i] !== s[i]) return false;
  return true;
}

interface Boundary {
  /** Where the delimiter starts (the line end before it, for all but the first). */
  start: number;
  /** Its length, through the line end after it. */
  len: number;
  last: boolean;
}

const DASHES = new Uint8Array([0x2d, 0x2d]);

/** The first "--boundary" line, at the start of a line from `start` on. */
function firstBoundary(d: Uint8Array, end: number, start: number, b: Uint8Array): Boundary | null {
  let o = start;
  while (o + 2 + b.length < end) {
    if (matches(d, o, end, DASHES) && matches(d, o + 2, end, b)) {
      const last = matches(d, o + 2 + b.length, end, DASHES);
      return { start: o, len: nextLine(d, o, end) - o, last };
    }
    o = nextLine(d, o, end);
  }
  return null;
}

/** The next delimiter: a line end followed by "--boundary" (or "--boundary--" at the end of a line). */
function nextBoundary(d: Uint8Array, end: number, start: number, b: Uint8Array): Boundary | null {
  let o = start;
  while (o + 2 + b.length < end) {
    const eol = o + findLineEnd(d, o, end);
    const next = LINE.next;
    if (matches(d, next, end, DASHES) && matches(d, next + 2, end, b)) {
      const last = matches(d, next + 2 + b.length, end, DASHES);
      return { start: eol, len: nextLine(d, next, end) - eol, last };
    }
    // a close delimiter with no line end before it
    const bs = eol - (2 + b.length + 2);
    if (matches(d, eol - 2, end, DASHES) && matches(d, eol - 2 - b.length, end, b) && matches(d, bs, end, DASHES)) {
      return { start: bs, len: next - bs, last: true };
    }
    o = next;
  }
  return null;
}

/**
 * imf_find_field_end: the end of the header field at o (after its CRLF, over folded lines);
 * `last` when a blank line follows. -1 when no CRLF ends it.
 */
function fieldEnd(d: Uint8Array, o: number, max: number): { end: number; last: boolean } {
  while (o < max) {
    let cr = -1;
    for (let i = o; i < max; i++) if (d[i] === 0x0d) { cr = i; break; }
    if (cr < 0) return { end: -1, last: false };
    o = cr + 1;
    if (o < max && d[o] === 0x0a) {
      o++;
      if (o >= max) return { end: o - 2, last: true };
      const c = d[o];
      if (c === 0x0d) return { end: o, last: o + 1 < max && d[o + 1] === 0x0a };
      if (c !== 0x20 && c !== 0x09) return { end: o, last: false };
    }
  }
  return { end: -1, last: false };
}

function isPrint(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

interface Info {
  boundary: Uint8Array;
  /** multipart/encrypted: the protocol its first part must carry. */
  protocol: string | null;
}

function dissectMultipart(tvb: Tvb, pinfo: PacketInfo, tree: Item, data?: unknown): number {
  const n = tvb.length;
  const content = typeof data === "object" && data !== null && "type" in data ? (data as MediaContent) : null;
  const params = content?.params != null ? compactHeader(content.params).text : null;
  const boundary = params !== null ? mediaParameter(params, "boundary") : null;
  const protocol = content !== null && content.type.startsWith("multipart/encrypted") && params !== null ? mediaParameter(params, "protocol") : null;
  if (content === null || boundary === null || (content.type.startsWith("multipart/encrypted") && protocol === null)) {
    const e = tree.add(f.noRequiredParameter, tvb, 0, n, null);
    e.setText("The multipart dissector could not find a required parameter.");
    e.expert("error", "protocol", "The multipart dissector could not find a required parameter.", "mime_multipart", "mime_multipart.no_required_parameter");
    callData(tvb, pinfo, tree);
    return tvb.reportedLength;
  }
  const ti = tree.add(multipart.hf, tvb, 0, n, null);
  if (ti.tree.full) ti.appendText(`, Type: ${content.type}, Boundary: "${boundary}"`);
  ti.addGenerated(f.type, tvb, 0, 0, content.type);
  // no Protocol or Info of its own; what its parts add goes after what is there (col_set_fence)
  if (pinfo.cols !== null) pinfo.infoFence = pinfo.cols.info.length;

  const d = tvb.bytes(0);
  const m: Info = { boundary: new Uint8Array([...boundary].map((c) => c.charCodeAt(0) & 0xff)), protocol };
  const first = firstBoundary(d, n, 0, m.boundary);
  if (first === null || (first.start > 0 && first.len <= 0)) {
    callData(tvb, pinfo, ti);
    return tvb.reportedLength;
  }
  if (first.start > 0) ti.add(f.preamble, tvb, 0, first.start, tvb.bytes(0, first.start));
  ti.add(f.firstBoundary, tvb, first.start, first.len, asciiText(d, first.start, first.start + first.len, true));
  let at = first.start + first.len;
  let last = first.last;
  for (let idx = 0; !last; idx++) {
    const r = part(tvb, d, pinfo, ti, m, at, idx);
    if (r === null) return tvb.reportedLength;
    at = r.next;
    last = r.last;
  }
  if (tvb.reportedRemainingFrom(at) > 0) ti.add(f.trailer, tvb, at, n - at, tvb.bytes(at, n - at));
  return tvb.reportedLength;
}

/** One body part from `start`: its headers, its body handed on, the boundary after it. Null when no boundary follows. */
function part(tvb: Tvb, d: Uint8Array, pinfo: PacketInfo, parent: Item, m: Info, start: number, idx: number): { next: number; last: boolean } | null {
  const n = tvb.length;
  const full = parent.tree.full;
  const pi = parent.add(f.part, tvb, start, 0, "");
  const b = nextBoundary(d, n, start, m.boundary);
  if (b === null || b.start <= 0) return null;
  let o = start;
  let next = start;
  let last = false;
  let ctype: string | null = null;
  let cparams: string | null = null;
  let raw = false;
  const reportedEnd = tvb.reportedLength;
  while (!last) {
    const fe = fieldEnd(d, o, reportedEnd);
    next = fe.end;
    last = fe.last;
    if (next < 0) throw new BoundsError(true); // no CRLF ends the field: tshark's string read fails
    if (last && next + 2 <= b.start) next += 2; // the blank line goes with the last field
    else if (next - 2 === b.start) {
      last = true; // the CRLF is the boundary's
      next -= 2;
    } else if (next > b.start) next = b.start;
    const { text, colon } = compactHeader(asciiText(d, o, next, true));
    if (colon <= 0) {
      next = o; // not a header: the body starts here
      break;
    }
    const hf = HEADERS.get(text.slice(0, colon).toLowerCase());
    const label = full ? labelBytes(d, o, next) : "";
    if (hf === undefined) {
      if (!isPrint(text)) {
        next = o;
        break;
      }
      pi.addText(tvb, o, next - o, label);
    } else {
      let value = text.slice(colon + 1);
      const it = pi.add(hf, tvb, o, next - o, value);
      if (full) it.setText(label);
      if (hf === f.contentType) {
        const semi = value.indexOf(";");
        cparams = semi >= 0 ? value.slice(semi + 1) : null;
        if (semi >= 0) value = value.slice(0, semi);
        ctype = value.toLowerCase();
        if (full) pi.appendText(` (${ctype})`);
        raw = ctype.startsWith("application/octet-stream");
        // multipart/encrypted: the first part carries the protocol named in the parameters
        if (m.protocol !== null && idx === 0 && (raw || !ctype.startsWith(m.protocol.toLowerCase()))) return null;
      }
    }
    o = next;
  }
  const body = tvb.sub(next, b.start - next);
  if (!raw && ctype !== null) bodyByType(body, pinfo, pi, ctype, cparams);
  else callData(body, pinfo, pi);
  pi.setLen(b.start - start);
  parent.add(b.last ? f.lastBoundary : f.boundary, tvb, b.start, b.len, asciiText(d, b.start, b.start + b.len, true));
  return { next: b.start + b.len, last: b.last };
}

/** A part's body by its media type: the media-type table, else "Media Type". */
function bodyByType(body: Tvb, pinfo: PacketInfo, tree: Item, ctype: string, params: string | null): void {
  const handler = MEDIA_TYPES.get(ctype);
  const p = handler !== undefined ? protocolByAbbrev(handler) : undefined;
  if (p !== undefined && callDissector(p, body, pinfo, tree, mediaArgument(handler!, ctype, params)) !== 0) return;
  const media = protocolByAbbrev("media");
  if (media !== undefined) callDissector(media, body, pinfo, tree, ctype);
}
