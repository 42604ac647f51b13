/**
 * One HTTP message (dissect_http_message): the header block, request/response matching
 * per conversation (one pass: request/response numbers, request_in, response_in, time
 * since request, prev_*_in), the body length rules, and the body hand-off: de-chunked,
 * content-decoded, then file data and the media_type table (media / data otherwise).
 */
import { conversationDirection, conversationKey } from "../src/analysis/conversation.js";
import type { TcpSegment, TcpStream } from "../src/analysis/tcp.js";
import type { Time } from "../src/core/field.js";
import { labelText } from "../src/core/label.js";
import type { PacketInfo } from "../src/core/pinfo.js";
import { callData, callDissector, protocolByAbbrev } from "../src/core/proto.js";
import { timeDiff } from "../src/core/time.js";
import type { Item } from "../src/core/tree.js";
import { Tvb } from "../src/core/tvb.js";
import { decodeContent, dechunk, findLineEnd, LINE } from "../src/http/body.js";
import { MEDIA_TYPES, mediaArgument, mediaHandler, mediaRefuses, onHttpTlsPort } from "../src/http/names.js";
import {
  f, fullUri, header, hf, isPrint, latin1, requestLine, requestOrReply, responseLine,
  T_OTHER, T_REQUEST, T_RESPONSE, type Headers,
} from "./http-headers.js";

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
    ti.addGenerated(f.requestNumber, tvb, 0, 0, r.number, `${r.number}/${r.number}`).setText(`HTTP request ${r.number}/${r.number}`);
    if (tail !== null && tail.frame !== 0) ti.addGenerated(f.prevRequestIn, tvb, 0, 0, tail.frame);
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
    ti.addGenerated(f.responseNumber, tvb, 0, 0, rn).setText(`HTTP response ${rn}/${rn}`);
    req.responseFrame = pinfo.num;
    const pv = req.prev;
    if (req.frame !== 0) {
      if (tree.tree.wants(f.time))
        ti.addGenerated(f.time, tvb, 0, 0, timeDiff({ s: pinfo.frame.tsSec, ns: pinfo.frame.tsNsec }, req.ts));
      if (pv !== null && pv.frame !== 0) ti.addGenerated(f.prevRequestIn, tvb, 0, 0, pv.frame);
      if (pv !== null && pv.responseFrame !== 0) ti.addGenerated(f.prevResponseIn, tvb, 0, 0, pv.responseFrame);
      ti.addGenerated(f.requestIn, tvb, 0, 0, req.frame);
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
      if (pv !== null && pv.frame !== 0) ti.addGenerated(f.prevRequestIn, tvb, 0, 0, pv.frame);
      if (pv !== null && pv.responseFrame !== 0) ti.addGenerated(f.prevResponseIn, tvb, 0, 0, pv.responseFrame);
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

/** Hand a body to the "http_eo" tap (--export-objects) and the "http_follow" tap (-z follow,http) when they listen. */
export function tapObject(pinfo: PacketInfo, req: HttpReq | null, contentType: string | null, body: Tvb): void {
  followTap(pinfo, body, 0, body.length);
  const eo = pinfo.session.tap("http_eo");
  if (eo === undefined) return;
  const o: HttpObject = {
    frame: pinfo.num, host: req?.host ?? null, uri: req?.uri ?? null, contentType,
    data: body.bytes(0, body.length).slice(),
  };
  eo(o);
}

/** -z follow,http: bytes of a message (its start line and headers, then its decoded body). */
export function followTap(pinfo: PacketInfo, tvb: Tvb, o: number, n: number): void {
  const follow = pinfo.session.tap("http_follow");
  if (follow !== undefined) follow({ frame: pinfo.num, type: 0, data: tvb.bytes(o, n).slice() });
}

/** The message body at p: de-chunk, decode, then file data and a media dissector. Returns bytes used. */
function body(tvb: Tvb, pinfo: PacketInfo, tree: Item, ti: Item, p: number, len: number, h: Headers, type: number, req: HttpReq | null): number {
  const full = ti.tree.full;
  let used = len;
  let bodyTvb = tvb.sub(p, len);
  if (h.chunked) {
    const d = tvb.bytes(0);
    const c = dechunk(d, p, p + len);
    const built = ti.tree.built;
    // nothing of the chunked coding could be read: tshark's body is then everything that is left
    used = c.consumed <= 0 ? len : c.consumed;
    const ct = ti.addText(tvb, p, used, "HTTP chunked response");
    for (const k of c.chunks) {
      // tshark's chunk item spans the size line, the size (at most what is left from the size
      // line on) and a 2-byte boundary, and must be there: a chunk cut short throws (malformed,
      // or truncated when the capture cut it), after the chunks before it were shown. Only
      // when tshark builds a tree: a plain summary has no such item and no exception.
      if (built) tvb.ensure(p + k.sizeOff, k.sizeLineLen + Math.min(k.size, len - k.sizeOff) + 2);
      const avail = Math.min(k.size, len - k.dataOff);
      const ci = ct.addText(tvb, p + k.sizeOff, k.dataOff - k.sizeOff + avail + k.boundaryLen, `Data chunk (${k.size} octets)`);
      ci.add(f.chunkSize, tvb, p + k.sizeOff, k.sizeLineLen, k.size);
      ci.add(f.chunkData, tvb, p + k.dataOff, avail, d.subarray(p + k.dataOff, p + k.dataOff + avail));
      if (k.boundaryOff >= 0) ci.add(f.chunkBoundary, tvb, p + k.boundaryOff, k.boundaryLen, d.subarray(p + k.boundaryOff, p + k.boundaryOff + k.boundaryLen));
    }
    if (c.lastOff >= 0) {
      // the same 2 bytes after the last chunk's line ("0\n\n" at the very end throws)
      if (built) tvb.ensure(p + c.lastOff, c.lastLineLen + 2);
      // (tshark's item is that line and those 2 bytes, whatever the trailer after them)
      const li = ct.addText(tvb, p + c.lastOff, Math.min(c.lastLineLen + 2, len - c.lastOff), "End of chunked encoding");
      li.add(f.chunkSize, tvb, p + c.lastOff, c.lastLineLen, 0);
      // the trailer's lines, then the blank line, beside "End of chunked encoding" (as tshark)
      const t = c.trailer;
      if (t !== null) ct.add(f.trailerPart, tvb, p + t.off, t.len, latin1(d, p + t.off, p + t.off + t.len, false));
      // the blank line as its bytes are: "\r\n", "\n" or a lone "\r"
      if (c.blankOff >= 0) {
        const eol = d.subarray(p + c.blankOff, p + c.blankOff + c.blankLen);
        ct.addText(tvb, p + c.blankOff, c.blankLen, Array.from(eol, (b) => (b === 0x0d ? "\\r" : "\\n")).join(""));
      }
    }
    // a chunk walk that stops early (bad chunk syntax, a trailer without its blank line) gets
    // no note: tshark's chunked dissector shows what it walked and leaves the rest
    if (c.body.length === 0) {
      // something was de-chunked, to nothing: tshark's export-objects tap still gets it (an empty file)
      if (c.consumed > 0) tapObject(pinfo, req, h.contentType, bodyTvb.sub(0, 0));
      // the last chunk came first: tshark still shows the (empty) file data; no chunk at all: nothing
      if (c.lastOff >= 0) {
        // (over the empty de-chunked data, a data source of its own, as tshark's item)
        const fd = ti.add(f.fileData, new Tvb({ name: "De-chunked entity body (0 bytes)", data: new Uint8Array(0) }), 0, 0, "");
        if (full) fd.setText("File Data: 0 bytes");
      }
      return used;
    }
    const ds = { name: `De-chunked entity body (${c.body.length} bytes)`, data: c.body };
    pinfo.addSource(ds);
    bodyTvb = new Tvb(ds);
  }
  const enc = h.contentEncoding;
  if (enc !== null && enc.toLowerCase() !== "identity" && bodyTvb.length > 0) {
    const raw = bodyTvb.bytes(0);
    const out = decodeContent(enc, raw);
    const ei = ti.addText(bodyTvb, 0, raw.length, full ? `Content-encoded entity body (${enc}): ${raw.length} bytes` : "");
    if (out === null) {
      ei.expert("warn", "undecoded", "Decompression failed", "http", "http.decompression_failed");
      // (tshark skips its export-objects tap then: no object for this body)
      callData(bodyTvb, pinfo, ei);
      return used;
    }
    if (full) ei.appendText(` -> ${out.length} bytes`);
    const ds = { name: `Uncompressed entity body (${out.length} bytes)`, data: out };
    pinfo.addSource(ds);
    bodyTvb = new Tvb(ds);
  }
  const n = bodyTvb.length;
  if (n === 0) return used;
  tapObject(pinfo, req, h.contentType, bodyTvb);
  const fd = ti.add(f.fileData, bodyTvb, 0, n, ti.tree.wants(f.fileData) ? latin1(bodyTvb.bytes(0, n), 0, n, true) : "");
  if (full) fd.setText(`File Data: ${n} bytes`); // tshark: "1 bytes" too
  // the "media_type" table, then "media" for a type nobody takes (data when there is none)
  const ct = h.contentType;
  const handler = ct !== null ? mediaHandler(ct) : "data";
  const proto = handler !== "data" ? protocolByAbbrev(handler) : undefined;
  if (ct !== null && handler === "media" && mediaRefuses(ct, bodyTvb.bytes(0, n)))
    ti.expert("note", "malformed", "HTTP body subdissector failed, trying heuristic subdissector", "http", "http.subdissector_failed");
  // a body dissected beside HTTP (not under it) shortens HTTP's item to the head, as in
  // tshark (only the item's bytes show it: -T pdml, the hex highlight)
  // (tshark's length is the body's offset in the data the message was found in: for a message
  // after a skipped empty line, or a second one in a segment, the item runs past its head)
  const head = (): void => {
    if (type !== T_OTHER) ti.setLen(p);
  };
  // (a type tshark's media_type table has no entry for goes to "media" without that: the
  // item keeps the body)
  if (proto !== undefined && (handler !== "media" || MEDIA_TYPES.has(ct!))) head();
  if (proto === undefined || callDissector(proto, bodyTvb, pinfo, tree, mediaArgument(handler, ct!, h.contentTypeParams)) === 0) {
    const media = ct !== null && handler !== "media" && handler !== "data" ? protocolByAbbrev("media") : undefined;
    if (media !== undefined) {
      head();
      callDissector(media, bodyTvb, pinfo, tree, ct);
    }
    // no Content-Type (or a continuation): under HTTP, as tshark's call_data_dissector(…, http_tree);
    // a type nobody takes (multipart/… here): top-level (tshark's -V and io,phs show it beside http)
    else if (ct === null || type === T_OTHER) callData(bodyTvb, pinfo, ti);
    else {
      head();
      callData(bodyTvb, pinfo, tree);
    }
  }
  return used;
}
