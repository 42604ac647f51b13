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
 *
 * This file: the fields, the heuristic and the TCP framing; http-message.ts: one message,
 * request/response matching and the body; http-headers.ts: header lines and known headers.
 */
import { compareAddresses } from "../src/analysis/conversation.js";
import { TH_FIN, type TcpSegment } from "../src/analysis/tcp.js";
import { labelText } from "../src/core/label.js";
import type { PacketInfo } from "../src/core/pinfo.js";
import { callData, callDissector, defineProtocol, lookupTable } from "../src/core/proto.js";
import type { Item } from "../src/core/tree.js";
import type { Tvb } from "../src/core/tvb.js";
import { findLineEnd, LINE } from "../src/http/body.js";
import { DESEG, lineEndDeseg, needsMore, statusCode } from "../src/http/reassembly.js";
import { bindHttp, isPrint, latin1, requestOrReply, T_OTHER, T_RESPONSE } from "./http-headers.js";
import { followTap, tapObject } from "./http-entity.js";
import { convOf, dissectHttpMessage, HttpState, innermost, type HttpConv } from "./http-message.js";
import { decodeTcpPorts } from "./tcp-payload.js";
import { http2, startsWithMagic, tcpCall } from "./http2.js";

export { dissectHttpMessage } from "./http-message.js";

const S = "string" as const;
const hdr = (abbrev: string, name: string) => ({ abbrev, name, type: S });
const EXPERT = (abbrev: string, name: string) => ({ abbrev, name, type: "none" as const });

/** Ports tshark 4.0 registers HTTP on by default (`tshark -G decodes`). */
export const HTTP_TCP_PORTS = [80, 631, 1900, 2710, 2869, 3128, 3132, 3689, 5985, 8080, 8088, 11371] as const;

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
    uriPath: hdr("http.request.uri.path", "Request URI Path"),
    uriQuery: hdr("http.request.uri.query", "Request URI Query"),
    uriQueryParameter: hdr("http.request.uri.query.parameter", "Request URI Query Parameter"),
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
    proxyConnectHost: hdr("http.proxy_connect_host", "Proxy-Connect-Hostname"),
    proxyConnectPort: { abbrev: "http.proxy_connect_port", name: "Proxy-Connect-Port", type: "uint16" },
    wwwAuthenticate: hdr("http.www_authenticate", "WWW-Authenticate"),
    contentType: hdr("http.content_type", "Content-Type"),
    contentLengthHeader: hdr("http.content_length_header", "Content-Length"),
    contentLength: { abbrev: "http.content_length", name: "Content length", type: "uint64" },
    contentEncoding: hdr("http.content_encoding", "Content-Encoding"),
    transferEncoding: hdr("http.transfer_encoding", "Transfer-Encoding"),
    upgrade: hdr("http.upgrade", "Upgrade"),
    // (filled by HTTP/2's :path, http2.ts, as tshark's http_add_path_components_to_tree)
    pathSegment: hdr("http.path_segment", "Path segment"),
    pathSubSegment: hdr("http.path_sub_segment", "Path sub segment"),
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
    nextRequestIn: { abbrev: "http.next_request_in", name: "Next request in frame", type: "framenum" },
    nextResponseIn: { abbrev: "http.next_response_in", name: "Next response in frame", type: "framenum" },
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
    teUnknown: EXPERT("http.te_unknown", "Unknown transfer coding name in Transfer-Encoding header"),
    leadingCrlf: EXPERT("http.leading_crlf", "Leading CRLF previous message in the stream may have extra CRLF"),
    subdissectorFailed: EXPERT("http.subdissector_failed", "HTTP body subdissector failed, trying heuristic subdissector"),
    tlsPort: EXPERT("http.tls_port", "Unencrypted HTTP protocol detected over encrypted port, could indicate a dangerous misconfiguration."),
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

bindHttp(http.f, http.hf);

/** dissect_http_heur_tcp: the first line starts or ends with "HTTP/1."; the conversation is then HTTP. */
function heuristic(tvb: Tvb, pinfo: PacketInfo, tree: Item, data?: unknown): boolean {
  const seg = data as TcpSegment | undefined;
  if (seg?.stream != null) {
    const c = pinfo.session.get("http", () => new HttpState()).byStream.get(seg.stream);
    if (c !== undefined && innermost(c).heur) return dissectHttpTcp(tvb, pinfo, tree, seg) > 0;
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
    // the tunnel's payload: where it goes (generated), then the dissector of the CONNECT's port
    // (tshark's port table; data when none takes it)
    const to = conv.tunnelTo;
    const colon = to.lastIndexOf(":");
    const port = colon >= 0 ? parseInt(to.slice(colon + 1), 10) : NaN;
    const ti = tree.add(http.hf, tvb, 0, tvb.length, null);
    ti.addGenerated(http.f.proxyConnectHost, tvb, 0, 0, colon >= 0 ? to.slice(0, colon) : to);
    if (Number.isInteger(port)) ti.addGenerated(http.f.proxyConnectPort, tvb, 0, 0, port & 0xffff);
    // (not HTTP itself, as tshark: a tunnel to port 80 shows as data)
    const p = Number.isInteger(port) ? lookupTable("tcp.port", port, pinfo.session) : undefined;
    // (nor once HTTP's heuristic has made the tunnel's own conversation HTTP: tshark's guard
    // against calling itself, conversation_dissector_is_http, sends what follows to data)
    if (!Number.isInteger(port) || seg === undefined || p?.abbrev === "http" || conv.inTunnel?.heur === true) {
      callData(tvb, pinfo, tree);
      return tvb.length;
    }
    // decode_tcp_ports with the server's port replaced by the CONNECT's: the low and high
    // port, then the heuristics (plain HTTP on 443 is found by HTTP's, as a conversation
    // of its own), then data
    // (tshark's from_server: the server's port and addresses_equal)
    const fromServer = pinfo.srcport === conv.serverPort && compareAddresses(pinfo.netSrc, conv.serverAddr) === 0;
    const saved = fromServer ? pinfo.srcport : pinfo.dstport;
    if (fromServer) pinfo.srcport = port;
    else pinfo.dstport = port;
    conv.handingOn = true;
    try {
      decodeTcpPorts(tvb, pinfo, tree, pinfo.srcport, pinfo.dstport, 0, seg);
    } finally {
      conv.handingOn = false;
      if (fromServer) pinfo.srcport = saved;
      else pinfo.dstport = saved;
    }
    return tvb.length;
  }
  // the "HTTP2 over TCP" heuristic of HTTP's table: the client preface, then the whole connection
  if (seg?.stream != null && (conv.http2 || startsWithMagic(tvb))) {
    // (tshark's HTTP reads the preface's segment as data before HTTP/2 takes over: its
    // export-objects tap gets that segment as an object of the latest request, if any, and
    // its follow tap an empty head, then the segment)
    if (!conv.http2) {
      followTap(pinfo, tvb, 0, 0);
      tapObject(pinfo, conv.reqs.length > 0 ? conv.reqs[conv.reqs.length - 1] : null, null, tvb);
    }
    conv.http2 = true;
    callDissector(http2, tvb, pinfo, tree, tcpCall(seg, seg.stream));
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
    if (conv.http2 && o < len && seg?.stream != null) {
      // switched to HTTP/2 (101 to h2c): the rest of the segment is its first frames
      callDissector(http2, tvb.sub(o), pinfo, tree, tcpCall(seg, seg.stream));
      if (seg.desegmentLen !== 0) seg.desegmentOffset += o; // (asked relative to its own start)
      return len;
    }
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
