/**
 * Hypertext Transfer Protocol 1.x, as tshark 4.0 shows it (packet-http.c): request and
 * status lines, every header line (known ones in their own field, the rest as
 * http.unknown_header), request/response matching per TCP stream (one pass), message
 * bodies (Content-Length, chunked, gzip/deflate) handed to media dissectors.
 *
 * Framing: every message is dissected from what the segment holds. A message whose
 * header block or body is not complete in the segment is dissected as far as it goes
 * and marked "[Incomplete HTTP message: TCP reassembly needed]" (what tshark shows with
 * TCP desegmentation off, plus that mark). `httpMessageLength` says how many bytes a
 * complete message needs: the hook for TCP reassembly (Wireshark's
 * req_resp_hdrs_do_reassembly + desegment_len) once tcp.ts offers it.
 */
import { DESEGMENT_ONE_MORE_SEGMENT } from "../src/analysis/reassembly.js";
import { conversationDirection, conversationKey } from "../src/analysis/conversation.js";
import type { TcpSegment, TcpStream } from "../src/analysis/tcp.js";
import type { Field, Time } from "../src/core/field.js";
import { labelText } from "../src/core/format.js";
import type { PacketInfo } from "../src/core/pinfo.js";
import { callData, callDissector, defineProtocol, protocolByAbbrev } from "../src/core/proto.js";
import { timeDiff } from "../src/core/time.js";
import type { Item } from "../src/core/tree.js";
import { Tvb } from "../src/core/tvb.js";
import { decodeContent, dechunk, findLineEnd, headerBlockEnd, LINE } from "../src/http/body.js";
import { HEADER_FIELDS, METHODS, STATUS_CODES, TEXT_MEDIA } from "../src/http/names.js";

const S = "string" as const;
const hdr = (abbrev: string, name: string) => ({ abbrev, name, type: S });
const EXPERT = (abbrev: string, name: string) => ({ abbrev, name, type: "none" as const });

/** Ports tshark 4.0 registers HTTP on by default (`tshark -G decodes`). */
export const HTTP_TCP_PORTS = [80, 631, 1900, 2710, 2869, 3128, 3132, 3689, 5985, 8080, 8088, 11371] as const;

const T_REQUEST = 1, T_RESPONSE = 2, T_OTHER = 0;

class HttpReq {
  responseFrame = 0;
  constructor(
    readonly number: number,
    readonly frame: number,
    readonly ts: Time,
    readonly method: string,
    /** Full URI, or the request URI when there is no Host ("" when none). */
    readonly fullUri: string,
    readonly prevRequest: number,
  ) {}
}

/** Per-conversation state (http_conv_t). */
class HttpConv {
  reqs: HttpReq[] = [];
  reqCount = 0;
  lastReqFrame = 0;
  lastRespFrame = 0;
  /** The conversation was taken by the heuristic (conversation_set_dissector). */
  heur = false;
}

class HttpState {
  readonly byStream = new WeakMap<TcpStream, HttpConv>();
  readonly byKey = new Map<string, HttpConv>();
}

function convOf(pinfo: PacketInfo, seg: TcpSegment | undefined): HttpConv {
  const st = pinfo.session.get("http", () => new HttpState());
  const stream = seg?.stream ?? null;
  if (stream !== null) {
    let c = st.byStream.get(stream);
    if (c === undefined) st.byStream.set(stream, (c = new HttpConv()));
    return c;
  }
  const dir = conversationDirection(pinfo.netSrc, pinfo.netDst, pinfo.srcport, pinfo.dstport);
  const key = conversationKey(pinfo.netSrc, pinfo.netDst, pinfo.srcport, pinfo.dstport, dir);
  let c = st.byKey.get(key);
  if (c === undefined) st.byKey.set(key, (c = new HttpConv()));
  return c;
}

export const http = defineProtocol({
  name: "Hypertext Transfer Protocol",
  abbrev: "http",
  short: "HTTP",
  fields: {
    notification: { abbrev: "http.notification", name: "Notification", type: "bool" },
    response: { abbrev: "http.response", name: "Response", type: "bool" },
    request: { abbrev: "http.request", name: "Request", type: "bool" },
    responseNumber: { abbrev: "http.response_number", name: "Response number", type: "uint32" },
    requestNumber: { abbrev: "http.request_number", name: "Request number", type: "uint32" },
    responseLine: hdr("http.response.line", "Response line"),
    requestLine: hdr("http.request.line", "Request line"),
    method: hdr("http.request.method", "Request Method"),
    uri: hdr("http.request.uri", "Request URI"),
    version: hdr("http.request.version", "Request Version"),
    respVersion: hdr("http.response.version", "Response Version"),
    fullUri: hdr("http.request.full_uri", "Full request URI"),
    code: { abbrev: "http.response.code", name: "Status Code", type: "uint16" },
    codeDesc: hdr("http.response.code.desc", "Status Code Description"),
    responseForUri: hdr("http.response_for.uri", "Request URI"),
    phrase: hdr("http.response.phrase", "Response Phrase"),
    authorization: hdr("http.authorization", "Authorization"),
    proxyAuthenticate: hdr("http.proxy_authenticate", "Proxy-Authenticate"),
    proxyAuthorization: hdr("http.proxy_authorization", "Proxy-Authorization"),
    wwwAuthenticate: hdr("http.www_authenticate", "WWW-Authenticate"),
    contentType: hdr("http.content_type", "Content-Type"),
    contentLengthHeader: hdr("http.content_length_header", "Content-Length"),
    contentLength: { abbrev: "http.content_length", name: "Content length", type: "uint64" },
    contentEncoding: hdr("http.content_encoding", "Content-Encoding"),
    transferEncoding: hdr("http.transfer_encoding", "Transfer-Encoding"),
    upgrade: hdr("http.upgrade", "Upgrade"),
    userAgent: hdr("http.user_agent", "User-Agent"),
    host: hdr("http.host", "Host"),
    connection: hdr("http.connection", "Connection"),
    cookie: hdr("http.cookie", "Cookie"),
    cookiePair: hdr("http.cookie_pair", "Cookie pair"),
    accept: hdr("http.accept", "Accept"),
    referer: hdr("http.referer", "Referer"),
    acceptLanguage: hdr("http.accept_language", "Accept-Language"),
    acceptEncoding: hdr("http.accept_encoding", "Accept Encoding"),
    date: hdr("http.date", "Date"),
    cacheControl: hdr("http.cache_control", "Cache-Control"),
    server: hdr("http.server", "Server"),
    location: hdr("http.location", "Location"),
    secWsAccept: hdr("http.sec_websocket_accept", "Sec-WebSocket-Accept"),
    secWsExtensions: hdr("http.sec_websocket_extensions", "Sec-WebSocket-Extensions"),
    secWsKey: hdr("http.sec_websocket_key", "Sec-WebSocket-Key"),
    secWsProtocol: hdr("http.sec_websocket_protocol", "Sec-WebSocket-Protocol"),
    secWsVersion: hdr("http.sec_websocket_version", "Sec-WebSocket-Version"),
    setCookie: hdr("http.set_cookie", "Set-Cookie"),
    lastModified: hdr("http.last_modified", "Last-Modified"),
    xForwardedFor: hdr("http.x_forwarded_for", "X-Forwarded-For"),
    http2Settings: hdr("http.http2_settings", "HTTP2-Settings"),
    requestIn: { abbrev: "http.request_in", name: "Request in frame", type: "framenum" },
    responseIn: { abbrev: "http.response_in", name: "Response in frame", type: "framenum" },
    prevRequestIn: { abbrev: "http.prev_request_in", name: "Prev request in frame", type: "framenum" },
    prevResponseIn: { abbrev: "http.prev_response_in", name: "Prev response in frame", type: "framenum" },
    time: { abbrev: "http.time", name: "Time since request", type: "rel_time" },
    chunkSize: { abbrev: "http.chunk_size", name: "Chunk size", type: "uint32", unit: "octets" },
    chunkData: { abbrev: "http.chunk_data", name: "Chunk data", type: "bytes" },
    chunkBoundary: { abbrev: "http.chunk_boundary", name: "Chunk boundary", type: "bytes" },
    trailerPart: hdr("http.chunked_trailer_part", "trailer-part"),
    fileData: hdr("http.file_data", "File Data"),
    unknownHeader: hdr("http.unknown_header", "Unknown header"),
    chat: EXPERT("http.chat", "Formatted text"),
    teAndLength: EXPERT("http.te_and_length", "The Content-Length and Transfer-Encoding header must not be set together"),
    badHeaderName: EXPERT("http.bad_header_name", "Illegal characters found in header name"),
    decompressionFailed: EXPERT("http.decompression_failed", "Decompression failed"),
  },
  registers: HTTP_TCP_PORTS.map((p) => ["tcp.port", p] as const),
  heuristics: [["tcp", heuristic]],
  dissect(tvb, pinfo, tree, data) {
    const n = dissectHttpTcp(tvb, pinfo, tree, data as TcpSegment | undefined);
    if (n > 0) return n;
    // binary bytes before any request: tshark's HTTP takes them and shows nothing (not even "http")
    if (pinfo.layers[pinfo.layers.length - 1] === "http") pinfo.layers.pop();
    return tvb.length;
  },
});

const F = http.f as unknown as Record<string, Field>;

/** dissect_http_heur_tcp: the first line starts or ends with "HTTP/1."; the conversation is then HTTP. */
function heuristic(tvb: Tvb, pinfo: PacketInfo, tree: Item, data?: unknown): boolean {
  const seg = data as TcpSegment | undefined;
  if (seg?.stream != null) {
    const c = pinfo.session.get("http", () => new HttpState()).byStream.get(seg.stream);
    if (c !== undefined && c.heur) return dissectHttpTcp(tvb, pinfo, tree, seg) > 0;
  }
  const d = tvb.bytes(0);
  const n = findLineEnd(d, 0, d.length);
  if (!LINE.eol || n === 8) return false;
  if (!(startsHttp1(d, n - 8) || startsHttp1(d, 0))) return false;
  convOf(pinfo, seg).heur = true;
  return dissectHttpTcp(tvb, pinfo, tree, seg) > 0;
}

function startsHttp1(d: Uint8Array, o: number): boolean {
  if (o < 0 || o + 7 > d.length) return false;
  const s = "http/1.";
  for (let i = 0; i < 7; i++) {
    let c = d[o + i];
    if (c >= 0x41 && c <= 0x5a) c += 32;
    if (c !== s.charCodeAt(i)) return false;
  }
  return true;
}

/** dissect_http_tcp: messages one after another (pipelining), Info of later ones appended. */
export function dissectHttpTcp(tvb: Tvb, pinfo: PacketInfo, tree: Item, seg?: TcpSegment): number {
  const conv = convOf(pinfo, seg);
  let o = 0;
  const len = tvb.length;
  while (o < len) {
    // req_resp_hdrs_do_reassembly: a request or response that isn't complete yet asks TCP
    // for the rest (headers first, then the Content-Length or chunked body)
    if (seg !== undefined && seg.canDesegment && startsMessage(tvb, o)) {
      const need = httpMessageLength(tvb, o);
      if (need < 0 || o + need > len) {
        seg.desegmentOffset = o;
        seg.desegmentLen = need < 0 ? DESEGMENT_ONE_MORE_SEGMENT : o + need - len;
        return o === 0 ? len : o;
      }
    }
    const n = dissectHttpMessage(tvb, o, pinfo, tree, conv);
    if (n <= 0) break;
    if (o === 0) pinfo.setProtocol("HTTP");
    o += n;
    // col_set_fence: later messages of this frame append to Info
    if (pinfo.cols !== null) pinfo.infoFence = pinfo.cols.info.length;
  }
  return o;
}

/** Does a request line or status line start at `o`? */
function startsMessage(tvb: Tvb, o: number): boolean {
  const d = tvb.bytes(0);
  if (o >= d.length || !isPrint(d[o])) return false;
  const n = findLineEnd(d, o, d.length);
  return requestOrReply(latin1(d, o, o + n)) !== T_OTHER;
}

/**
 * How many bytes the message at `o` needs to be complete: header block plus body
 * (Content-Length, or chunked through its last chunk). -1 = not known yet (the header
 * block is incomplete: one more segment). A body delimited by the connection close
 * counts as what is there.
 */
export function httpMessageLength(tvb: Tvb, o: number): number {
  const d = tvb.bytes(0);
  const he = headerBlockEnd(d, o, d.length);
  if (he < 0) return -1;
  const h = scanHeaders(d, o, he);
  if (h.chunked) {
    const c = dechunk(d, he, d.length);
    return c.complete ? he - o + c.consumed : -1;
  }
  if (h.contentLength >= 0) return he - o + h.contentLength;
  return d.length - o;
}

function scanHeaders(d: Uint8Array, o: number, end: number): { contentLength: number; chunked: boolean } {
  let contentLength = -1, chunked = false;
  let p = o;
  while (p < end) {
    const n = findLineEnd(d, p, end);
    const next = LINE.next;
    const line = latin1(d, p, p + n).toLowerCase();
    if (line.startsWith("content-length:")) contentLength = parseInt(line.slice(15).trim(), 10);
    // req_resp_hdrs_do_reassembly: chunked only when the value *starts* with "chunked"
    else if (line.startsWith("transfer-encoding:") && line.slice(18).replace(/^[ \t]+/, "").startsWith("chunked")) chunked = true;
    p = next;
  }
  return { contentLength: Number.isFinite(contentLength) ? contentLength : -1, chunked };
}

/** tvb_get_string_enc(ENC_ASCII): bytes above 0x7f become U+FFFD; `cstr`: a NUL ends it. */
function latin1(d: Uint8Array, a: number, b: number, cstr = false): string {
  let s = "";
  for (let i = a; i < b; i++) {
    const c = d[i];
    if (c === 0 && cstr) break;
    s += c < 0x80 ? String.fromCharCode(c) : "\ufffd";
  }
  return s;
}

/** Hidden items (never touch the shared sink). */
function hide(it: Item): void {
  if (it !== it.tree.sink) it.hidden = true;
}

function isPrint(c: number): boolean {
  return c >= 0x20 && c < 0x7f;
}

/** RFC 7230 tchar. */
function isTokenChar(c: number): boolean {
  if (c <= 0x20 || c >= 0x7f) return false;
  switch (c) {
    case 0x28: case 0x29: case 0x3c: case 0x3e: case 0x40: case 0x2c: case 0x3b: case 0x3a: case 0x5c: case 0x22:
    case 0x2f: case 0x5b: case 0x5d: case 0x3f: case 0x3d: case 0x7b: case 0x7d:
      return false;
  }
  return true;
}

/** is_http_request_or_reply: T_REQUEST (method length in REQ.methodLen), T_RESPONSE or T_OTHER. */
function requestOrReply(line: string): number {
  if (line.length >= 5 && line.startsWith("HTTP/")) return T_RESPONSE;
  const sp = line.indexOf(" ");
  if (sp <= 0 || sp > 16) return T_OTHER;
  return METHODS.has(line.slice(0, sp)) ? T_REQUEST : T_OTHER;
}

interface Headers {
  contentType: string | null;
  contentLength: number;
  contentEncoding: string | null;
  chunked: boolean;
  transferEncoding: string | null;
  host: string | null;
  haveCL: boolean;
  haveTE: boolean;
}

/** dissect_http_message: one message at `o`; returns bytes consumed (0: nothing). */
export function dissectHttpMessage(tvb: Tvb, o: number, pinfo: PacketInfo, tree: Item, conv: HttpConv): number {
  const d = tvb.bytes(0);
  const end = d.length;
  const full = tree.tree.full;
  const f = http.f;
  const first = d[o];
  if (!isPrint(first) && conv.reqCount === 0) return 0;
  const ti = tree.add(http.hf, tvb, o, end - o, null);

  // Binary data: not HTTP text, shown as the body of whatever came before.
  if (!isPrint(first)) {
    // binary bytes are HTTP (continuation data) only once a request was seen in the conversation
    if (conv.reqCount === 0) return 0;
    pinfo.setInfo("Continuation");
    callData(tvb.sub(o), pinfo, ti);
    return end - o;
  }

  const firstLen = findLineEnd(d, o, end);
  const firstLine = latin1(d, o, o + firstLen);
  const type = requestOrReply(firstLine);
  if (type !== T_OTHER) pinfo.setInfo(labelText(firstLine) + " ");
  else pinfo.setInfo("Continuation");

  const h: Headers = {
    contentType: null, contentLength: -1, contentEncoding: null, chunked: false, transferEncoding: null,
    host: null, haveCL: false, haveTE: false,
  };
  let method = "", uri = "", code = 0;
  let sawHeader = false, sawBlank = false;
  let clItem: Item | null = null;
  const lineField = type === T_REQUEST ? f.requestLine : type === T_RESPONSE ? f.responseLine : null;
  let p = o;
  while (p < end) {
    const n = findLineEnd(d, p, end);
    const next = LINE.next;
    const eol = LINE.eol;
    if (p === o && type !== T_OTHER) {
      const text = latin1(d, p, next);
      const it = ti.addText(tvb, p, next - p, full ? labelText(text) : "");
      it.expert("chat", "sequence", labelText(text), "http", "http.chat");
      if (type === T_REQUEST) {
        const r = requestLine(tvb, it, p, n, firstLine);
        method = r.method;
        uri = r.uri;
      } else code = responseLine(tvb, it, p, firstLine);
      sawHeader = true;
      p = next;
      continue;
    }
    if (n === 0) {
      if (!eol) break;
      ti.addText(tvb, p, next - p, full ? labelText(latin1(d, p, next)) : "");
      sawBlank = true;
      p = next;
      break;
    }
    // A header line?
    let colon = -1;
    for (let i = p; i < p + n; i++)
      if (d[i] === 0x3a) {
        colon = i;
        break;
      }
    if (colon < 0) {
      // tvb_ensure_bytes_exist(linelen + 1): a header line cut short
      if (sawHeader && !eol) {
        ti.addText(tvb, p, n, "[Incomplete HTTP message: TCP reassembly needed]");
        p = end;
      }
      break;
    }
    sawHeader = true;
    const item = header(tvb, ti, pinfo, p, n, next, colon, h, lineField);
    if (item !== null) {
      if (h.haveCL && h.haveTE && clItem === null) {
        item.expert("warn", "malformed", "The Content-Length and Transfer-Encoding header must not be set together", "http", "http.te_and_length");
        clItem = item;
      }
    }
    p = next;
  }

  // Generated request/response bookkeeping (one pass).
  if (type === T_REQUEST) {
    const full_ = fullUri(h.host, uri, method);
    if (full_ !== null) ti.addGenerated(f.fullUri, tvb, o, 0, full_);
    hide(ti.add(f.request, tvb, o, 0, true));
    const prev = conv.lastReqFrame;
    const r = new HttpReq(++conv.reqCount, pinfo.num, { s: pinfo.frame.tsSec, ns: pinfo.frame.tsNsec }, method, full_ ?? uri, prev);
    conv.reqs.length = 0;
    conv.reqs.push(r);
    ti.addGenerated(f.requestNumber, tvb, o, 0, r.number, `${r.number}/${r.number}`).setText(`HTTP request ${r.number}/${r.number}`);
    if (prev !== 0) ti.addGenerated(f.prevRequestIn, tvb, o, 0, prev);
    conv.lastReqFrame = pinfo.num;
  } else if (type === T_RESPONSE) {
    hide(ti.add(f.response, tvb, o, 0, true));
    // one pass: a response belongs to the latest request of the conversation (req_res_tail)
    let req: HttpReq | undefined = conv.reqs.length > 0 ? conv.reqs[conv.reqs.length - 1] : undefined;
    // a second response in the same frame, or none seen: a new entry without a request
    if (req === undefined || req.responseFrame === pinfo.num) {
      req = new HttpReq(++conv.reqCount, 0, { s: 0, ns: 0 }, "", req?.fullUri ?? "", req?.prevRequest ?? 0);
      conv.reqs.length = 0;
      conv.reqs.push(req);
    }
    const rn = req.number;
    ti.addGenerated(f.responseNumber, tvb, o, 0, rn).setText(`HTTP response ${rn}/${rn}`);
    if (req.frame !== 0) {
      req.responseFrame = pinfo.num;
      if (tree.tree.wants(f.time))
        ti.addGenerated(f.time, tvb, o, 0, timeDiff({ s: pinfo.frame.tsSec, ns: pinfo.frame.tsNsec }, req.ts));
      if (req.prevRequest !== 0) ti.addGenerated(f.prevRequestIn, tvb, o, 0, req.prevRequest);
      if (conv.lastRespFrame !== 0) ti.addGenerated(f.prevResponseIn, tvb, o, 0, conv.lastRespFrame);
      ti.addGenerated(f.requestIn, tvb, o, 0, req.frame);
      if (req.fullUri !== "") ti.addGenerated(f.responseForUri, tvb, o, 0, req.fullUri);
      if (req.method === "HEAD") method = "HEAD";
    } else {
      req.responseFrame = pinfo.num;
      if (req.prevRequest !== 0) ti.addGenerated(f.prevRequestIn, tvb, o, 0, req.prevRequest);
      if (conv.lastRespFrame !== 0) ti.addGenerated(f.prevResponseIn, tvb, o, 0, conv.lastRespFrame);
      if (req.fullUri !== "") ti.addGenerated(f.responseForUri, tvb, o, 0, req.fullUri);
    }
    conv.lastRespFrame = pinfo.num;
  }

  // The body.
  let bodyLen: number;
  if (type === T_OTHER) bodyLen = end - p;
  else if (!sawBlank) bodyLen = 0;
  else if (type === T_RESPONSE && (method === "HEAD" || (code >= 100 && code < 200) || code === 204 || code === 304)) bodyLen = 0;
  else if (h.chunked) bodyLen = end - p;
  else if (h.contentLength >= 0) bodyLen = Math.min(h.contentLength, end - p);
  else if (type === T_REQUEST) bodyLen = 0;
  else bodyLen = end - p;

  let consumed = p - o + bodyLen;
  if (bodyLen > 0) consumed = p - o + body(tvb, pinfo, tree, ti, p, bodyLen, h, type);
  if (type !== T_OTHER && sawBlank && !h.chunked && h.contentLength > end - p && !(type === T_RESPONSE && (method === "HEAD" || code === 204 || code === 304)))
    ti.addText(tvb, end, 0, "[Incomplete HTTP message: TCP reassembly needed]");
  ti.setLen(consumed);
  return consumed;
}

function requestLine(tvb: Tvb, it: Item, p: number, n: number, line: string): { method: string; uri: string } {
  const f = http.f;
  const sp = line.indexOf(" ");
  const method = line.slice(0, sp);
  it.add(f.method, tvb, p, sp, method);
  let u = sp + 1;
  while (u < n && line.charCodeAt(u) === 0x20) u++;
  let ue = line.indexOf(" ", u);
  if (ue < 0) ue = n;
  const uri = line.slice(u, ue);
  if (ue > u) it.add(f.uri, tvb, p + u, ue - u, uri);
  if (ue < n) {
    const v = line.slice(ue + 1);
    it.add(f.version, tvb, p + ue + 1, n - ue - 1, v);
  }
  return { method, uri };
}

function responseLine(tvb: Tvb, it: Item, p: number, line: string): number {
  const f = http.f;
  let sp = line.indexOf(" ");
  if (sp < 0) sp = line.length;
  it.add(f.respVersion, tvb, p, sp, line.slice(0, sp));
  let ce = line.indexOf(" ", sp + 1);
  if (ce < 0) ce = line.length;
  const m = /^[0-9]{1,5}/.exec(line.slice(sp + 1, ce));
  if (m === null) return 0;
  const c = m[0];
  const code = parseInt(c, 10);
  it.add(f.code, tvb, p + sp + 1, c.length, code);
  it.addGenerated(f.codeDesc, tvb, p + sp + 1, c.length, STATUS_CODES[code] ?? `Unknown (${code})`);
  const ph = line.slice(ce + 1);
  if (ph.length > 0) it.add(f.phrase, tvb, p + ce + 1, ph.length, ph);
  return code;
}

function fullUri(host: string | null, uri: string, method: string): string | null {
  if (uri === "") return null;
  if (method === "CONNECT") return null;
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(uri)) return uri;
  if (host === null) return null;
  return `http://${host}${uri}`;
}

/** process_header: one "Name: value" line. Returns the item (or null for nothing special). */
function header(
  tvb: Tvb, ti: Item, pinfo: PacketInfo, p: number, n: number, next: number, colon: number, h: Headers, lineField: Field | null,
): Item | null {
  const d = tvb.bytes(0);
  const full = ti.tree.full;
  const nameLc = latin1(d, p, colon).toLowerCase();
  let v = colon + 1;
  const le = p + n;
  while (v < le && (d[v] === 0x20 || d[v] === 0x09)) v++;
  const value = latin1(d, v, le);
  const whole = latin1(d, p, next);
  const label = full ? labelText(whole) : "";
  let badName = false;
  for (let i = p; i < colon; i++) if (!isTokenChar(d[i])) { badName = true; break; }
  const key = badName ? undefined : HEADER_FIELDS.get(nameLc);
  let item: Item;
  if (key === undefined) {
    // a header without a field of its own: the request/response line field itself, or unknown_header
    // (a bad name's line is added as a C string: it ends at a NUL)
    item = ti.add(lineField ?? http.f.unknownHeader, tvb, p, next - p, badName ? latin1(d, p, next, true) : whole);
    if (full) item.setText(label);
    if (badName) item.expert("warn", "protocol", "Illegal characters found in header name", "http", "http.bad_header_name");
    return item;
  } else {
    item = ti.add(F[key], tvb, p, next - p, value);
    if (full) item.setText(label);
    switch (key) {
      case "contentLengthHeader": {
        const m = /^\s*([0-9]+)/.exec(value);
        if (m !== null) {
          h.contentLength = Number(m[1]);
          h.haveCL = true;
          item.addGenerated(http.f.contentLength, tvb, p, next - p, BigInt(m[1]));
        }
        break;
      }
      case "contentType": {
        let ct = value;
        const semi = ct.indexOf(";");
        if (semi >= 0) ct = ct.slice(0, semi);
        h.contentType = ct.trim().toLowerCase();
        break;
      }
      case "contentEncoding":
        h.contentEncoding = value.trim().toLowerCase();
        break;
      case "transferEncoding":
        h.transferEncoding = value;
        h.haveTE = true;
        if (/chunked/i.test(value)) h.chunked = true;
        break;
      case "host":
        h.host = value;
        break;
      case "cookie": {
        let q = v;
        while (q < le) {
          let e = q;
          while (e < le && d[e] !== 0x3b) e++;
          let s = q;
          while (s < e && d[s] === 0x20) s++;
          if (e > s) item.add(http.f.cookiePair, tvb, s, e - s, latin1(d, s, e));
          q = e + 1;
        }
        break;
      }
    }
  }
  if (lineField !== null) hide(ti.add(lineField, tvb, p, next - p, whole));
  void pinfo;
  return item;
}

/** The message body at p: de-chunk, decode, then file data and a media dissector. Returns bytes used. */
function body(tvb: Tvb, pinfo: PacketInfo, tree: Item, ti: Item, p: number, len: number, h: Headers, type: number): number {
  const f = http.f;
  const full = ti.tree.full;
  let used = len;
  let bodyTvb = tvb.sub(p, len);
  if (h.chunked) {
    const d = tvb.bytes(0);
    const c = dechunk(d, p, p + len);
    used = c.consumed;
    const ct = ti.addText(tvb, p, used, "HTTP chunked response");
    for (const k of c.chunks) {
      const avail = Math.min(k.size, len - k.dataOff);
      const ci = ct.addText(tvb, p + k.sizeOff, k.dataOff - k.sizeOff + avail + k.boundaryLen, `Data chunk (${k.size} octets)`);
      ci.add(f.chunkSize, tvb, p + k.sizeOff, k.sizeLineLen, k.size);
      ci.add(f.chunkData, tvb, p + k.dataOff, avail, d.subarray(p + k.dataOff, p + k.dataOff + avail));
      if (k.boundaryOff >= 0) ci.add(f.chunkBoundary, tvb, p + k.boundaryOff, k.boundaryLen, d.subarray(p + k.boundaryOff, p + k.boundaryOff + k.boundaryLen));
    }
    if (c.lastOff >= 0) {
      const li = ct.addText(tvb, p + c.lastOff, used - c.lastOff, "End of chunked encoding");
      li.add(f.chunkSize, tvb, p + c.lastOff, c.lastLineLen, 0);
      if (c.complete) li.addText(tvb, p + used - 2, 2, "\\r\\n");
    }
    if (!c.complete) ti.addText(tvb, p + used, 0, "[Incomplete HTTP message: TCP reassembly needed]");
    if (c.body.length === 0) return used;
    const ds = { name: "De-chunked entity body", data: c.body };
    pinfo.addSource(ds);
    bodyTvb = new Tvb(ds);
  }
  const enc = h.contentEncoding;
  if (enc !== null && enc !== "identity" && bodyTvb.length > 0) {
    const raw = bodyTvb.bytes(0);
    const out = decodeContent(enc, raw);
    const ei = ti.addText(bodyTvb, 0, raw.length, full ? `Content-encoded entity body (${enc}): ${raw.length} bytes` : "");
    if (out === null) {
      if (full) ei.appendText(" [Error: Decompression failed]");
      ei.expert("warn", "undecoded", "Decompression failed", "http", "http.decompression_failed");
      callData(bodyTvb, pinfo, ei);
      return used;
    }
    if (full) ei.appendText(` -> ${out.length} bytes`);
    const ds = { name: "Uncompressed entity body", data: out };
    pinfo.addSource(ds);
    bodyTvb = new Tvb(ds);
  }
  const n = bodyTvb.length;
  if (n === 0) return used;
  const fd = ti.add(f.fileData, bodyTvb, 0, n, ti.tree.wants(f.fileData) ? latin1(bodyTvb.bytes(0, n), 0, n, true) : "");
  if (full) fd.setText(`File Data: ${n} byte${n === 1 ? "" : "s"}`);
  const ct = h.contentType;
  let handler: string | null = null;
  if (ct !== null) {
    if (TEXT_MEDIA.has(ct)) handler = "data-text-lines";
    else if (ct === "application/x-www-form-urlencoded") handler = "urlencoded-form";
  }
  const proto = handler !== null ? protocolByAbbrev(handler) : undefined;
  if (proto !== undefined) callDissector(proto, bodyTvb, pinfo, tree, ct);
  else callData(bodyTvb, pinfo, ti);
  void type;
  return used;
}
