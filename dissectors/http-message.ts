/**
 * One HTTP message (dissect_http_message): the header block, request/response matching
 * per conversation (one pass: request/response numbers, request_in, response_in, time
 * since request, prev_*_in) and the body length rules; the body itself (de-chunked,
 * content-decoded, file data, the media_type table) is http-entity.ts.
 */
import { conversationDirection, conversationKey } from "../src/analysis/conversation.js";
import type { TcpSegment, TcpStream } from "../src/analysis/tcp.js";
import type { Time } from "../src/core/field.js";
import { labelText } from "../src/core/label.js";
import type { PacketInfo } from "../src/core/pinfo.js";
import { callData } from "../src/core/proto.js";
import { timeDiff } from "../src/core/time.js";
import type { Item } from "../src/core/tree.js";
import type { Tvb } from "../src/core/tvb.js";
import { findLineEnd, LINE } from "../src/http/body.js";
import { onHttpTlsPort } from "../src/http/names.js";
import {
  f, fullUri, header, hf, isPrint, latin1, requestLine, requestOrReply, responseLine,
  T_OTHER, T_REQUEST, T_RESPONSE, type Headers,
} from "./http-headers.js";
import { body, followTap } from "./http-entity.js";

export class HttpReq {
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
    /**
     * The request line's URI and the Host header, as sent (what --export-objects names files
     * by); an entry made for a response without a request keeps the previous entry's (null: none).
     */
    readonly uri: string | null = null,
    readonly host: string | null = null,
  ) {}
}

/** One HTTP body for --export-objects (tshark's http_eo_t): the tap "http_eo" gets it. */
export interface HttpObject {
  frame: number;
  /** The Host of the request this body belongs to (null: none). */
  host: string | null;
  /** That request's URI (null: a response with no request before it in its conversation). */
  uri: string | null;
  /** The Content-Type without parameters, as sent (null: none). */
  contentType: string | null;
  /** The body after de-chunking and decompression (a body whose decompression fails is not tapped, as tshark's). */
  data: Uint8Array;
}

/** Per-conversation state (http_conv_t). */
export class HttpConv {
  reqs: HttpReq[] = [];
  reqCount = 0;
  /** -2: the conversation's entries as the first pass ends with them (shared with the notes: "HTTP request 1/3"). */
  readonly totals = { count: 0 };
  /** A request was seen (tshark's have_seen_http: a response alone does not count). */
  sawRequest = false;
  /** A CONNECT was answered with 200: later segments are the tunnel's payload, not HTTP. */
  tunnel = false;
  /** The CONNECT's authority ("host:port"), for the tunnel's Proxy-Connect items. */
  tunnelTo = "";
  /** Who answered the CONNECT (tshark's server_port/server_addr): which side's port the CONNECT's replaces. */
  serverPort = 0;
  serverAddr: Uint8Array | null = null;
  /**
   * While the tunnel's payload is handed on: HTTP found inside it is another conversation
   * (tshark's, keyed by the CONNECT's port), this one.
   */
  inTunnel: HttpConv | null = null;
  handingOn = false;
  lastReqFrame = 0;
  lastRespFrame = 0;
  /** The conversation was taken by the heuristic (conversation_set_dissector). */
  heur = false;
  /** HTTP/2 from here on (the client's preface was seen, or a 101 to h2c): HTTP hands everything to http2. */
  http2 = false;
}

export class HttpState {
  readonly byStream = new WeakMap<TcpStream, HttpConv>();
  readonly byKey = new Map<string, HttpConv>();
}

export function convOf(pinfo: PacketInfo, seg: TcpSegment | undefined): HttpConv {
  const st = pinfo.session.get("http", () => new HttpState());
  const stream = seg?.stream ?? null;
  if (stream !== null) {
    let c = st.byStream.get(stream);
    if (c === undefined) st.byStream.set(stream, (c = new HttpConv()));
    return innermost(c);
  }
  const dir = conversationDirection(pinfo.netSrc, pinfo.netDst, pinfo.srcport, pinfo.dstport);
  const key = conversationKey(pinfo.netSrc, pinfo.netDst, pinfo.srcport, pinfo.dstport, dir);
  let c = st.byKey.get(key);
  if (c === undefined) st.byKey.set(key, (c = new HttpConv()));
  return c;
}

/** The conversation HTTP is in: inside a CONNECT tunnel whose payload is being handed on, the tunnel's own. */
export function innermost(c: HttpConv): HttpConv {
  while (c.handingOn) c = c.inTunnel ??= new HttpConv();
  return c;
}

/** A response's links to the exchange before its own: that request's frame and its response's. */
function prevLinks(ti: Item, tvb: Tvb, pv: HttpReq | null): void {
  if (pv === null) return;
  if (pv.frame !== 0) ti.addGenerated(f.prevRequestIn, tvb, 0, 0, pv.frame);
  if (pv.responseFrame !== 0) ti.addGenerated(f.prevResponseIn, tvb, 0, 0, pv.responseFrame);
}

/** -2: the frame of the response after this one, as the first pass noted it. */
function nextResponseLink(ti: Item, tvb: Tvb, pinfo: PacketInfo): void {
  const next = pinfo.session.ahead<number>("http.next_response_in", pinfo.num);
  if (next !== undefined) ti.addGenerated(f.nextResponseIn, tvb, 0, 0, next);
}

/** dissect_http_message: one message at `o`; returns bytes consumed (0: nothing). */
export function dissectHttpMessage(tvb: Tvb, o: number, pinfo: PacketInfo, tree: Item, conv: HttpConv): number {
  const d = tvb.bytes(0);
  const end = d.length;
  const full = tree.tree.full;
  // servers SHOULD ignore an empty line where a request line is expected: tshark skips one CRLF
  const o0 = o;
  if (tvb.reportedLength - o > 3 && d[o] === 0x0d && d[o + 1] === 0x0a) o += 2;
  const first = d[o];
  if (!isPrint(first) && !conv.sawRequest) return 0;
  pinfo.setProtocol("HTTP");
  const ti = tree.add(hf, tvb, o, end - o, null);

  // Binary data: not HTTP text, shown as the body of whatever came before.
  if (!isPrint(first)) {
    // binary bytes are HTTP (continuation data) only once a request was seen in the conversation
    if (!conv.sawRequest) return 0;
    pinfo.setInfo("Continuation");
    // (the data starts where the message would have: a skipped empty line is part of it)
    callData(tvb.sub(o0), pinfo, ti);
    return end - o0;
  }

  // plain HTTP on HTTPS's port (http.tls.port: 443), outside TLS
  if (onHttpTlsPort(pinfo.srcport, pinfo.dstport) && !pinfo.layers.includes("tls")) {
    ti.expert("warn", "security", "Unencrypted HTTP protocol detected over encrypted port, could indicate a dangerous misconfiguration.", "http", "http.tls_port");
  }
  if (o !== o0) {
    const msg = "Leading CRLF previous message in the stream may have extra CRLF";
    ti.addText(tvb, o0, 2, msg).expert("error", "malformed", msg, "http", "http.leading_crlf");
  }
  const firstLen = findLineEnd(d, o, end);
  const firstLine = latin1(d, o, o + firstLen);
  const type = requestOrReply(firstLine);
  if (type !== T_OTHER) pinfo.setInfo(labelText(firstLine) + " ");
  else pinfo.setInfo("Continuation");

  const h: Headers = {
    contentType: null, contentTypeParams: null, contentLength: -1, contentEncoding: null, chunked: false, transferEncoding: null,
    host: null, haveCL: false, haveTE: false, upgrade: null,
  };
  let method = "", uri = "", code = 0;
  // the request entry this message belongs to (its own, or the one a response answers)
  let msgReq: HttpReq | null = null;
  let sawHeader = false, sawBlank = false;
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
    header(tvb, ti, pinfo, p, n, next, colon, h, lineField);
    p = next;
  }

  // Generated request/response bookkeeping (one pass). tshark adds these at the start of the
  // segment's data, not of this message (a second request in one segment: -T pdml, -T json -x).
  if (type === T_REQUEST) {
    const full_ = fullUri(h.host, uri, method, pinfo.layers.includes("tls")); // over TLS: https://
    if (full_ !== null) ti.addGenerated(f.fullUri, tvb, 0, 0, full_);
    ti.add(f.request, tvb, 0, 0, true).hide();
    const tail = conv.reqs.length > 0 ? conv.reqs[conv.reqs.length - 1] : null;
    conv.sawRequest = true;
    const r = new HttpReq(++conv.reqCount, pinfo.num, { s: pinfo.frame.tsSec, ns: pinfo.frame.tsNsec }, method, full_ ?? uri, tail, uri, h.host);
    msgReq = r;
    conv.reqs.length = 0;
    conv.reqs.push(r);
    const ses = pinfo.session;
    if (ses.twoPass !== null) {
      conv.totals.count = conv.reqCount;
      ses.noteAhead("http.totals", pinfo.num, conv.totals);
      if (tail !== null && tail.frame !== 0) ses.noteAheadFirst("http.next_request_in", tail.frame, pinfo.num);
    }
    const of = ses.ahead<{ count: number }>("http.totals", pinfo.num)?.count ?? r.number;
    ti.addGenerated(f.requestNumber, tvb, 0, 0, r.number, `${r.number}/${of}`).setText(`HTTP request ${r.number}/${of}`);
    if (tail !== null && tail.frame !== 0) ti.addGenerated(f.prevRequestIn, tvb, 0, 0, tail.frame);
    if (ses.secondPass) {
      // -2: what the first pass saw after this request
      const resp = ses.ahead<number>("http.response_in", pinfo.num);
      if (resp !== undefined) ti.addGenerated(f.responseIn, tvb, 0, 0, resp);
      const nextReq = ses.ahead<number>("http.next_request_in", pinfo.num);
      if (nextReq !== undefined) ti.addGenerated(f.nextRequestIn, tvb, 0, 0, nextReq);
    }
    conv.lastReqFrame = pinfo.num;
  } else if (type === T_RESPONSE) {
    ti.add(f.response, tvb, 0, 0, true).hide();
    // one pass: a response belongs to the latest request of the conversation (req_res_tail)
    // while that one has no response yet; else it is a new entry without a request
    let req: HttpReq | undefined = conv.reqs.length > 0 ? conv.reqs[conv.reqs.length - 1] : undefined;
    if (req === undefined || req.responseFrame !== 0) {
      req = new HttpReq(++conv.reqCount, 0, { s: 0, ns: 0 }, "", req?.fullUri ?? "", req ?? null, req?.uri ?? null, req?.host ?? null);
      conv.reqs.length = 0;
      conv.reqs.push(req);
    }
    msgReq = req;
    const rn = req.number;
    const ses = pinfo.session;
    const pv = req.prev;
    if (ses.twoPass !== null) {
      conv.totals.count = conv.reqCount;
      ses.noteAhead("http.totals", pinfo.num, conv.totals);
      if (req.frame !== 0) ses.noteAheadFirst("http.response_in", req.frame, pinfo.num);
      if (pv !== null && pv.responseFrame !== 0) ses.noteAheadFirst("http.next_response_in", pv.responseFrame, pinfo.num);
    }
    const of = ses.ahead<{ count: number }>("http.totals", pinfo.num)?.count ?? rn;
    ti.addGenerated(f.responseNumber, tvb, 0, 0, rn).setText(`HTTP response ${rn}/${of}`);
    req.responseFrame = pinfo.num;
    if (req.frame !== 0) {
      if (tree.tree.wants(f.time))
        ti.addGenerated(f.time, tvb, 0, 0, timeDiff({ s: pinfo.frame.tsSec, ns: pinfo.frame.tsNsec }, req.ts));
      prevLinks(ti, tvb, pv);
      ti.addGenerated(f.requestIn, tvb, 0, 0, req.frame);
      if (ses.secondPass) {
        // -2: the next request after this response's, and the next response
        const nextReq = ses.ahead<number>("http.next_request_in", req.frame);
        if (nextReq !== undefined) ti.addGenerated(f.nextRequestIn, tvb, 0, 0, nextReq);
        nextResponseLink(ti, tvb, pinfo);
      }
      if (req.fullUri !== "") ti.addGenerated(f.responseForUri, tvb, 0, 0, req.fullUri);
      if (req.method === "HEAD") method = "HEAD";
      if (req.method === "CONNECT" && code === 200) {
        conv.tunnel = true;
        conv.tunnelTo = req.fullUri;
        conv.serverPort = pinfo.srcport;
        // (a copy: the frame's bytes are a view into a reused buffer)
        conv.serverAddr = pinfo.netSrc === null ? null : Uint8Array.from(pinfo.netSrc);
      }
    } else {
      prevLinks(ti, tvb, pv);
      if (ses.secondPass) nextResponseLink(ti, tvb, pinfo);
      if (req.fullUri !== "") ti.addGenerated(f.responseForUri, tvb, 0, 0, req.fullUri);
    }
    conv.lastRespFrame = pinfo.num;
    // 101 Switching Protocols to h2c (or h2): what follows on the connection is HTTP/2 (tshark's http.upgrade table)
    if (code === 101 && (h.upgrade === "h2c" || h.upgrade === "h2")) conv.http2 = true;
  }

  // (data that is no request or response belongs, for --export-objects, to the latest entry)
  if (type === T_OTHER && conv.reqs.length > 0) msgReq = conv.reqs[conv.reqs.length - 1];

  // The body.
  let bodyLen: number;
  if (type === T_OTHER) bodyLen = end - p;
  // (a line that is no header ends the header block too: the rest is then body, as in tshark)
  else if (p >= end) bodyLen = 0;
  // a Content-Length without Transfer-Encoding counts first, whatever the status (as tshark)
  else if (h.contentLength >= 0 && !h.haveTE) bodyLen = Math.min(h.contentLength, end - p);
  else if (type === T_RESPONSE && (method === "HEAD" || (code >= 100 && code < 200) || code === 204 || code === 304)) bodyLen = 0;
  else if (h.chunked) bodyLen = end - p;
  // a transfer coding other than chunked: any Content-Length is ignored, the body is what is there (tshark)
  else if (h.haveTE) bodyLen = end - p;
  else if (type === T_REQUEST) bodyLen = 0;
  else bodyLen = end - p;

  let consumed = p - o + bodyLen;
  // -z follow,http: the head first, from the message's start with a skipped CRLF (for data
  // that is no request or response, whatever header-like lines it starts with: often none,
  // and tshark's follow shows that empty head too)
  if (p > o0 || type === T_OTHER) followTap(pinfo, tvb, o0, p - o0);
  // the protocol item runs to the end of the data, as tshark's; a body that reaches its file
  // data shortens it to the head (only the item's bytes show it: -T pdml, the hex highlight)
  ti.setLen(end - o);
  if (bodyLen > 0) consumed = p - o + body(tvb, pinfo, tree, ti, p, bodyLen, h, type, msgReq);
  if (type !== T_OTHER && sawBlank && !h.chunked && h.contentLength > end - p && !(type === T_RESPONSE && (method === "HEAD" || code === 204 || code === 304)))
    ti.addText(tvb, end, 0, "[Incomplete HTTP message: TCP reassembly needed]");
  return consumed + (o - o0);
}
