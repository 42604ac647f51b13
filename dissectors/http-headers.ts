/**
 * HTTP header parsing: the request and status lines, every "Name: value" line (known
 * headers in their own field, the rest as http.unknown_header; Content-Length,
 * Content-Type, Content-Encoding, Transfer-Encoding, Host, Upgrade and Cookie remembered
 * for the body; HTTP2-Settings decoded as HTTP/2 settings), the full request URI, and the
 * text helpers they share. Also the registered
 * HTTP fields (`f`, `F`, `hf`), bound once by dissectors/http.ts right after
 * defineProtocol, so the helper files need not import http.ts (no import cycle).
 */
import type { Field } from "../src/core/field.js";
import { labelBytes } from "../src/core/label.js";
import { asciiText, strayCheck } from "../src/core/strings.js";
import type { PacketInfo } from "../src/core/pinfo.js";
import type { Item } from "../src/core/tree.js";
import { Tvb } from "../src/core/tvb.js";
import { HEADER_FIELDS, METHODS, STATUS_CODES } from "../src/http/names.js";
import { settingsItems } from "./http2.js";
import type { http } from "./http.js";

/** The registered HTTP fields (http.f). */
export type HttpFields = typeof http.f;

/** The registered fields (also by key name, `F`) and the protocol's own field; set by bindHttp() when http.ts loads. */
export let f: HttpFields;
export let F: Record<string, Field>;
export let hf: Field;

export function bindHttp(fields: HttpFields, protoField: Field): void {
  f = fields;
  F = fields as unknown as Record<string, Field>;
  hf = protoField;
}

export const T_REQUEST = 1, T_RESPONSE = 2, T_OTHER = 0;

/** tvb_get_string_enc(ENC_ASCII): bytes above 0x7f become U+FFFD; `cstr`: a NUL ends it. */
export function latin1(d: Uint8Array, a: number, b: number, cstr = false): string {
  return asciiText(d, a, b, cstr);
}

export function isPrint(c: number): boolean {
  return c >= 0x20 && c < 0x7f;
}

/** A character allowed in a header name. */
function isTokenChar(c: number): boolean {
  // tshark 4.0's is_token_char: letters, digits and "!#$%&\\:*+-.^_`|~" (its list has a
  // backslash where RFC 7230's tchar has an apostrophe: "a\\b" passes, "a'b" does not)
  if ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) return true;
  return TOKEN_PUNCT.includes(String.fromCharCode(c));
}
const TOKEN_PUNCT = "!#$%&\\:*+-.^_`|~";

/** is_http_request_or_reply: T_REQUEST (method length in REQ.methodLen), T_RESPONSE or T_OTHER. */
export function requestOrReply(line: string): number {
  if (line.length >= 5 && line.startsWith("HTTP/")) return T_RESPONSE;
  const sp = line.indexOf(" ");
  if (sp <= 0 || sp > 16) return T_OTHER;
  return METHODS.has(line.slice(0, sp)) ? T_REQUEST : T_OTHER;
}

export interface Headers {
  contentType: string | null;
  /** What follows the media type in Content-Type (its parameters: a multipart body's boundary). */
  contentTypeParams: string | null;
  contentLength: number;
  contentEncoding: string | null;
  chunked: boolean;
  transferEncoding: string | null;
  host: string | null;
  haveCL: boolean;
  haveTE: boolean;
  /** The Upgrade header (a 101 response's names the protocol that follows: h2c is HTTP/2). */
  upgrade: string | null;
}

/** get_token_len: the token at i ends at a blank, CR or LF. */
function tokenEnd(line: string, i: number, n: number): number {
  while (i < n) {
    const c = line.charCodeAt(i);
    if (c === 0x20 || c === 0x0d || c === 0x0a) break;
    i++;
  }
  return i;
}

function skipBlanks(line: string, i: number, n: number): number {
  while (i < n && line.charCodeAt(i) === 0x20) i++;
  return i;
}

/**
 * basic_request_dissector: method, URI (its path, query and query parameters when it
 * has a non-empty query), and everything after as the version, present even when empty.
 * Two blanks after the method mean an empty URI (tshark steps back one blank).
 */
export function requestLine(tvb: Tvb, it: Item, p: number, n: number, line: string): { method: string; uri: string } {
  const me = tokenEnd(line, 0, n);
  const method = line.slice(0, me);
  if (me === 0) return { method, uri: "" };
  it.add(f.method, tvb, p, me, method);
  let u = skipBlanks(line, me, n);
  if (u > 2 && line.charCodeAt(u - 1) === 0x20 && line.charCodeAt(u - 2) === 0x20) u--;
  const ue = tokenEnd(line, u, n);
  const uri = line.slice(u, ue);
  const ui = it.add(f.uri, tvb, p + u, ue - u, uri);
  // the URI as a C string: a NUL ends it for the query split
  const cUri = uri.split("\0", 1)[0];
  const q = cUri.indexOf("?");
  if (q >= 0 && cUri.length - q > 1) {
    const query = cUri.slice(q + 1);
    ui.add(f.uriPath, tvb, p + u, q, cUri.slice(0, q));
    let qo = p + u + q + 1;
    const qi = ui.add(f.uriQuery, tvb, qo, query.length, query);
    // strtok: empty parameters are skipped, the offset only moves past the ones shown
    for (const param of query.split("&")) {
      if (param === "") continue;
      qi.add(f.uriQueryParameter, tvb, qo, param.length, param);
      qo += param.length + 1;
    }
  }
  const v = skipBlanks(line, ue, n);
  it.add(f.version, tvb, p + v, n - v, line.slice(v, n));
  return { method, uri };
}

export function responseLine(tvb: Tvb, it: Item, p: number, line: string): number {
  let sp = line.indexOf(" ");
  if (sp < 0) sp = line.length;
  // an ASCII string item: its value ends at a NUL (the rest gets the stray-characters note)
  strayCheck(it.add(f.respVersion, tvb, p, sp, line.slice(0, sp).split("\0", 1)[0]), tvb.bytes(0), p, p + sp);
  // basic_response_dissector: the next token (blanks skipped) must have 3 characters or
  // more; the code is strtoul() of its first 3 ("0204" is 20), the phrase the rest after blanks
  let cs = sp;
  while (cs < line.length && line.charCodeAt(cs) === 0x20) cs++;
  let ce = line.indexOf(" ", cs);
  if (ce < 0) ce = line.length;
  if (ce - cs < 3) return 0;
  const v = parseInt(line.slice(cs, cs + 3), 10);
  const code = Number.isNaN(v) || v < 0 ? 0 : v;
  it.add(f.code, tvb, p + cs, 3, code);
  it.addGenerated(f.codeDesc, tvb, p + cs, 3, STATUS_CODES[code] ?? `Unknown (${code})`);
  let ps = ce;
  while (ps < line.length && line.charCodeAt(ps) === 0x20) ps++;
  const ph = line.slice(ps);
  if (ph.length > 0) it.add(f.phrase, tvb, p + ps, ph.length, ph);
  return code;
}

export function fullUri(host: string | null, uri: string, method: string, tls = false): string | null {
  // (CONNECT's URI is the authority itself: with a Host header tshark gives it as the full URI)
  if (method === "CONNECT") return host === null ? null : uri;
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(uri)) return uri;
  if (host === null) return null;
  return `${tls ? "https" : "http"}://${host}${uri}`;
}

/** process_header: one "Name: value" line, its item and what its header means for the message (h). */
export function header(
  tvb: Tvb, ti: Item, pinfo: PacketInfo, p: number, n: number, next: number, colon: number, h: Headers, lineField: Field | null,
): void {
  const d = tvb.bytes(0);
  const full = ti.tree.full;
  const nameLc = latin1(d, p, colon).toLowerCase();
  let v = colon + 1;
  const le = p + n;
  while (v < le && (d[v] === 0x20 || d[v] === 0x09)) v++;
  // tvb_get_string_enc: a C string to tshark, so a NUL ends the value ("\0chunked" is "")
  const value = latin1(d, v, le, true);
  const whole = latin1(d, p, next);
  const label = full ? labelBytes(d, p, next) : "";
  // an empty name is no name either
  let badName = colon === p;
  for (let i = p; i < colon && !badName; i++) if (!isTokenChar(d[i])) badName = true;
  const key = badName ? undefined : HEADER_FIELDS.get(nameLc);
  let item: Item;
  if (key === undefined) {
    // a header without a field of its own: the request/response line field itself, or unknown_header
    // (a bad name's line is added as a C string: it ends at a NUL)
    // tshark reads a bad name's line, and an unknown header of a request/response, from the
    // packet as an ASCII string (value up to a NUL, stray-bytes check); otherwise it is a C string
    const fromPacket = badName || lineField !== null;
    item = ti.add(lineField ?? f.unknownHeader, tvb, p, next - p, fromPacket ? latin1(d, p, next, true) : whole);
    if (full) item.setText(label);
    if (fromPacket) strayCheck(item, d, p, next);
    if (badName) {
      item.expert("warn", "protocol", "Illegal characters found in header name", "http", "http.bad_header_name");
    }
    return;
  } else {
    item = ti.add(F[key], tvb, p, next - p, value);
    if (full) item.setText(label);
    switch (key) {
      case "contentLengthHeader": {
        // g_ascii_strtoll: digits ending the value or followed by a blank, else no valid length
        const m = /^\s*\+?([0-9]+)(?:\s|$)/.exec(value);
        if (m !== null) {
          h.contentLength = Number(m[1]);
          h.haveCL = true;
          item.addGenerated(f.contentLength, tvb, p, next - p, BigInt(m[1]));
          // tshark notes it on each valid Content-Length after a Transfer-Encoding…
          if (h.haveTE) teAndLength(item);
        }
        break;
      }
      case "contentType": {
        let ct = value;
        const semi = ct.indexOf(";");
        if (semi >= 0) ct = ct.slice(0, semi);
        h.contentType = ct.trim().toLowerCase();
        h.contentTypeParams = semi >= 0 ? value.slice(semi + 1) : null;
        break;
      }
      case "contentEncoding":
        // as tshark keeps it: only blanks and tabs around it go (a \v or \f stays, and the
        // coding is then unknown); the case stays for the label, the match ignores it; and,
        // a C string to tshark, it ends at a NUL ("gz\0ip" is "gz")
        h.contentEncoding = value.replace(/^[ \t]+|[ \t]+$/g, "").split("\0", 1)[0];
        break;
      case "transferEncoding":
        // …and on each Transfer-Encoding after a valid Content-Length
        if (h.haveCL) teAndLength(item);
        h.transferEncoding = value;
        h.haveTE = true;
        {
          // tshark parses the value as a C string (up to a NUL)
          const te = transferCodings(latin1(d, v, le, true));
          if (te.chunked) h.chunked = true;
          if (!te.known) item.expert("warn", "undecoded", "Unknown transfer coding name in Transfer-Encoding header", "http", "http.te_unknown");
        }
        break;
      case "host":
        h.host = value;
        break;
      case "upgrade":
        h.upgrade = value.trim().toLowerCase();
        break;
      case "http2Settings": {
        // the client's SETTINGS for an Upgrade to h2c, base64url (RFC 9113 3.2.1)
        const raw = Buffer.from(value.trim(), "base64url");
        if (raw.length > 0) {
          const ds = { name: `Base64uri decoded (${raw.length} bytes)`, data: new Uint8Array(raw) };
          pinfo.addSource(ds);
          const stvb = new Tvb(ds);
          settingsItems(stvb, 0, raw.length - (raw.length % 6), item);
        }
        break;
      }
      case "cookie": {
        let q = v;
        while (q < le) {
          let e = q;
          while (e < le && d[e] !== 0x3b) e++;
          let s = q;
          while (s < e && d[s] === 0x20) s++;
          if (e > s) item.add(f.cookiePair, tvb, s, e - s, latin1(d, s, e));
          q = e + 1;
        }
        break;
      }
    }
  }
  if (lineField !== null) {
    const line = ti.add(lineField, tvb, p, next - p, latin1(d, p, next, true));
    line.hide();
    // labelled with the line itself, as the header's item (only -T pdml shows a hidden label)
    if (full) line.setText(label);
    strayCheck(line, d, p, next);
  }
}

function teAndLength(item: Item): void {
  item.expert("warn", "malformed", "The Content-Length and Transfer-Encoding header must not be set together", "http", "http.te_and_length");
}

const CODINGS = ["compress", "deflate", "gzip", "identity", "x-compress", "x-gzip"];

/**
 * tshark's http_parse_transfer_coding over a Transfer-Encoding value: names are matched
 * as case-sensitive prefixes, blanks and commas between them skipped; "chunked" (any
 * number of times) makes the body chunked, even when more letters follow ("chunkedx");
 * at most one other (compression) coding; an unknown name is skipped up to the next
 * comma, and makes the value not `known` (the http.te_unknown warning).
 */
function transferCodings(value: string): { chunked: boolean; known: boolean } {
  let known = true;
  let chunked = false;
  let other = false;
  let i = 0;
  const n = value.length;
  while (i < n) {
    let c = value.charCodeAt(i);
    while (i < n && (c === 0x20 || c === 0x09 || c === 0x2c)) c = value.charCodeAt(++i);
    if (i >= n) break;
    if (value.startsWith("chunked", i)) {
      chunked = true;
      i += 7;
      continue;
    }
    if (other) return { chunked, known: false };
    const name = CODINGS.find((x) => value.startsWith(x, i));
    if (name !== undefined) {
      other = true;
      i += name.length;
      continue;
    }
    known = false;
    const comma = value.indexOf(",", i);
    if (comma < 0) break;
    i = comma;
  }
  return { chunked, known };
}
