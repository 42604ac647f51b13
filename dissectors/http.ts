/**
 * Hypertext Transfer Protocol 1.x, as tshark 4.0 shows it (packet-http.c): request and
 * status lines, every header line (known ones in their own field, the rest as
 * http.unknown_header), request/response matching per TCP stream (one pass), message
 * bodies (Content-Length, chunked, gzip/deflate) handed to media dissectors.
 *
 * Framing: with TCP desegmentation (the default) a message that is not complete asks TCP
 * for the rest first (src/http/reassembly.ts: Wireshark's req_resp_hdrs_do_reassembly
 * rules: headers, then chunked, Content-Length or until-FIN bodies; none after HEAD,
 * 1xx, 204, 304, 2xx to CONNECT or at the end of the stream). Without it every message
 * is dissected from what the segment holds and marked "[Incomplete HTTP message: TCP
 * reassembly needed]". Bodies go through the media_type table (src/http/names.ts).
 */
import { conversationDirection, conversationKey } from "../src/analysis/conversation.js";
import { TH_FIN, type TcpSegment, type TcpStream } from "../src/analysis/tcp.js";
import type { Field, Time } from "../src/core/field.js";
import { labelText } from "../src/core/format.js";
import type { PacketInfo } from "../src/core/pinfo.js";
import { callData, callDissector, defineProtocol, protocolByAbbrev } from "../src/core/proto.js";
import { timeDiff } from "../src/core/time.js";
import type { Item } from "../src/core/tree.js";
import { Tvb } from "../src/core/tvb.js";
import { decodeContent, dechunk, findLineEnd, LINE } from "../src/http/body.js";
import { HEADER_FIELDS, mediaHandler, METHODS, STATUS_CODES } from "../src/http/names.js";
import { DESEG, lineEndDeseg, needsMore, statusCode } from "../src/http/reassembly.js";

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
    /** The entry before this one in the conversation (its request and response frames are the prev_*_in). */
    readonly prev: HttpReq | null,
  ) {}
}

/** Per-conversation state (http_conv_t). */
class HttpConv {
  reqs: HttpReq[] = [];
  reqCount = 0;
  /** A request was seen (tshark's have_seen_http: a response alone does not count). */
  sawRequest = false;
  /** A CONNECT was answered with 200: later segments are the tunnel's payload, not HTTP. */
  tunnel = false;
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
  if (conv.tunnel) {
    // (tshark hands the tunnel to the CONNECT port's dissector; nestcap shows it as data)
    callData(tvb, pinfo, tree);
    return tvb.length;
  }
  let o = 0;
  const len = tvb.length;
  // end_of_stream: no more segments will come in this direction, so no body is waited for
  const endOfStream = seg !== undefined && (seg.flags & TH_FIN) !== 0;
  while (o < len) {
    // req_resp_hdrs_do_reassembly: a request or response that isn't complete yet asks TCP
    // for the rest (headers first, then the Content-Length, chunked or until-FIN body)
    if (seg !== undefined && seg.canDesegment && needsReassembly(tvb, o, pinfo, conv, endOfStream)) {
      seg.desegmentOffset = DESEG.offset;
      seg.desegmentLen = DESEG.len;
      return o === 0 ? len : o;
    }
    const n = dissectHttpMessage(tvb, o, pinfo, tree, conv);
    if (n <= 0) break;
    o += n;
    // col_set_fence: later messages of this frame append to Info
    if (pinfo.cols !== null) pinfo.infoFence = pinfo.cols.info.length;
  }
  return o;
}

/**
 * The start of dissect_http_message with desegmentation on: skip one leading CRLF, leave
 * binary data alone, ask for one more segment while the first line is incomplete, and
 * for a request or response line put it in Info (as tshark does before it asks TCP for
 * more) and apply req_resp_hdrs_do_reassembly (src/http/reassembly.ts). The body is not
 * waited for at the end of the stream, nor for responses that have none (to HEAD, 2xx to
 * CONNECT, 1xx, 204, 304). True when more bytes are needed (request in DESEG).
 */
function needsReassembly(tvb: Tvb, o: number, pinfo: PacketInfo, conv: HttpConv, endOfStream: boolean): boolean {
  const d = tvb.bytes(0);
  const rep = tvb.reportedLength;
  if (rep - o < 1) return false;
  let p = o;
  if (rep - p > 3 && d[p] === 0x0d && d[p + 1] === 0x0a) p += 2;
  if (p >= d.length || !isPrint(d[p])) return false;
  const fl = lineEndDeseg(d, p, d.length);
  if (fl < 0) return needsMore(tvb, p, true, true, false);
  const type = requestOrReply(latin1(d, p, p + fl));
  if (type === T_OTHER) return false;
  if (pinfo.cols !== null) pinfo.setInfo(labelText(latin1(d, p, p + fl)) + " ");
  let body = !endOfStream;
  if (body && type === T_RESPONSE) {
    const code = statusCode(d, p, p + fl);
    const last = conv.reqs.length > 0 ? conv.reqs[conv.reqs.length - 1].method : "";
    if (last === "HEAD" || ((code / 100 | 0) === 2 && (last === "CONNECT" || last === "SSTP_DUPLEX_POST")) ||
      (code / 100 | 0) === 1 || code === 204 || code === 304) body = false;
  }
  return needsMore(tvb, p, true, body, type === T_RESPONSE);
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
  // servers SHOULD ignore an empty line where a request line is expected: tshark skips one CRLF
  const o0 = o;
  if (tvb.reportedLength - o > 3 && d[o] === 0x0d && d[o + 1] === 0x0a) o += 2;
  const first = d[o];
  if (!isPrint(first) && !conv.sawRequest) return 0;
  pinfo.setProtocol("HTTP");
  const ti = tree.add(http.hf, tvb, o, end - o, null);

  // Binary data: not HTTP text, shown as the body of whatever came before.
  if (!isPrint(first)) {
    // binary bytes are HTTP (continuation data) only once a request was seen in the conversation
    if (!conv.sawRequest) return 0;
    pinfo.setInfo("Continuation");
    callData(tvb.sub(o), pinfo, ti);
    return end - o0;
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
    const tail = conv.reqs.length > 0 ? conv.reqs[conv.reqs.length - 1] : null;
    conv.sawRequest = true;
    const r = new HttpReq(++conv.reqCount, pinfo.num, { s: pinfo.frame.tsSec, ns: pinfo.frame.tsNsec }, method, full_ ?? uri, tail);
    conv.reqs.length = 0;
    conv.reqs.push(r);
    ti.addGenerated(f.requestNumber, tvb, o, 0, r.number, `${r.number}/${r.number}`).setText(`HTTP request ${r.number}/${r.number}`);
    if (tail !== null && tail.frame !== 0) ti.addGenerated(f.prevRequestIn, tvb, o, 0, tail.frame);
    conv.lastReqFrame = pinfo.num;
  } else if (type === T_RESPONSE) {
    hide(ti.add(f.response, tvb, o, 0, true));
    // one pass: a response belongs to the latest request of the conversation (req_res_tail)
    // while that one has no response yet; else it is a new entry without a request
    let req: HttpReq | undefined = conv.reqs.length > 0 ? conv.reqs[conv.reqs.length - 1] : undefined;
    if (req === undefined || req.responseFrame !== 0) {
      req = new HttpReq(++conv.reqCount, 0, { s: 0, ns: 0 }, "", req?.fullUri ?? "", req ?? null);
      conv.reqs.length = 0;
      conv.reqs.push(req);
    }
    const rn = req.number;
    ti.addGenerated(f.responseNumber, tvb, o, 0, rn).setText(`HTTP response ${rn}/${rn}`);
    req.responseFrame = pinfo.num;
    const pv = req.prev;
    if (req.frame !== 0) {
      if (tree.tree.wants(f.time))
        ti.addGenerated(f.time, tvb, o, 0, timeDiff({ s: pinfo.frame.tsSec, ns: pinfo.frame.tsNsec }, req.ts));
      if (pv !== null && pv.frame !== 0) ti.addGenerated(f.prevRequestIn, tvb, o, 0, pv.frame);
      if (pv !== null && pv.responseFrame !== 0) ti.addGenerated(f.prevResponseIn, tvb, o, 0, pv.responseFrame);
      ti.addGenerated(f.requestIn, tvb, o, 0, req.frame);
      if (req.fullUri !== "") ti.addGenerated(f.responseForUri, tvb, o, 0, req.fullUri);
      if (req.method === "HEAD") method = "HEAD";
      if (req.method === "CONNECT" && code === 200) conv.tunnel = true;
    } else {
      if (pv !== null && pv.frame !== 0) ti.addGenerated(f.prevRequestIn, tvb, o, 0, pv.frame);
      if (pv !== null && pv.responseFrame !== 0) ti.addGenerated(f.prevResponseIn, tvb, o, 0, pv.responseFrame);
      if (req.fullUri !== "") ti.addGenerated(f.responseForUri, tvb, o, 0, req.fullUri);
    }
    conv.lastRespFrame = pinfo.num;
  }

  // The body.
  let bodyLen: number;
  if (type === T_OTHER) bodyLen = end - p;
  // (a line that is no header ends the header block too: the rest is then body, as in tshark)
  else if (p >= end) bodyLen = 0;
  // a Content-Length without Transfer-Encoding counts first, whatever the status (as tshark)
  else if (h.contentLength >= 0 && !h.haveTE) bodyLen = Math.min(h.contentLength, end - p);
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
  return consumed + (o - o0);
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
        // g_ascii_strtoll: digits ending the value or followed by a blank, else no valid length
        const m = /^\s*\+?([0-9]+)(?:\s|$)/.exec(value);
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
        if (hasChunkedCoding(value)) h.chunked = true;
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
    // nothing of the chunked coding could be read: tshark's body is then everything that is left
    used = c.consumed <= 0 ? len : c.consumed;
    const ct = ti.addText(tvb, p, c.consumed, "HTTP chunked response");
    for (const k of c.chunks) {
      const avail = Math.min(k.size, len - k.dataOff);
      const ci = ct.addText(tvb, p + k.sizeOff, k.dataOff - k.sizeOff + avail + k.boundaryLen, `Data chunk (${k.size} octets)`);
      ci.add(f.chunkSize, tvb, p + k.sizeOff, k.sizeLineLen, k.size);
      ci.add(f.chunkData, tvb, p + k.dataOff, avail, d.subarray(p + k.dataOff, p + k.dataOff + avail));
      if (k.boundaryOff >= 0) ci.add(f.chunkBoundary, tvb, p + k.boundaryOff, k.boundaryLen, d.subarray(p + k.boundaryOff, p + k.boundaryOff + k.boundaryLen));
    }
    if (c.lastOff >= 0) {
      const li = ct.addText(tvb, p + c.lastOff, c.consumed - c.lastOff, "End of chunked encoding");
      li.add(f.chunkSize, tvb, p + c.lastOff, c.lastLineLen, 0);
      if (c.complete) li.addText(tvb, p + c.consumed - 2, 2, "\\r\\n");
    }
    if (!c.complete) ti.addText(tvb, p + c.consumed, 0, "[Incomplete HTTP message: TCP reassembly needed]");
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
  // the "media_type" table, then "media" for a type nobody takes (data when there is none)
  const ct = h.contentType;
  const handler = ct !== null ? mediaHandler(ct) : "data";
  const proto = handler !== "data" ? protocolByAbbrev(handler) : undefined;
  if (proto === undefined || callDissector(proto, bodyTvb, pinfo, tree, ct) === 0) {
    const media = ct !== null && handler !== "media" && handler !== "data" ? protocolByAbbrev("media") : undefined;
    if (media !== undefined) callDissector(media, bodyTvb, pinfo, tree, ct);
    else callData(bodyTvb, pinfo, tree); // top-level, as tshark (its -V and io,phs show "data" beside http)
  }
  void type;
  return used;
}

/** http_parse_transfer_coding: is "chunked" one of the comma-separated codings (parameters after ';' ignored)? */
function hasChunkedCoding(value: string): boolean {
  let a = 0;
  const n = value.length;
  while (a <= n) {
    let b = value.indexOf(",", a);
    if (b < 0) b = n;
    let e = value.indexOf(";", a);
    if (e < 0 || e > b) e = b;
    let s = a;
    while (s < e && (value.charCodeAt(s) === 0x20 || value.charCodeAt(s) === 0x09)) s++;
    while (e > s && (value.charCodeAt(e - 1) === 0x20 || value.charCodeAt(e - 1) === 0x09)) e--;
    if (e - s === 7 && value.slice(s, e).toLowerCase() === "chunked") return true;
    a = b + 1;
  }
  return false;
}
