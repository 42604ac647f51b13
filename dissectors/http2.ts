/**
 * HyperText Transfer Protocol 2 (RFC 9113), as tshark 4.0 shows it: each HTTP/2 frame its
 * own "HyperText Transfer Protocol 2" item with a "Stream: TYPE, Stream ID: n, Length l"
 * subtree, Info "HEADERS[1]: GET /, DATA[1]".
 *
 * Reached four ways: inside TLS when ALPN chose "h2" (tls-app.ts); over cleartext TCP when
 * HTTP sees the connection preface "PRI * HTTP/2.0" (h2c with prior knowledge) or answers
 * "101 Switching Protocols" to h2c (http.ts); and by decode-as. Frames that span TLS
 * records or TCP segments are reassembled by the caller: the dissector asks for the missing
 * bytes as tcp_dissect_pdus does.
 *
 * This file: the framing, the frame header and the frame types; http2-headers.ts: header
 * blocks (HPACK, src/http2/hpack.ts); http2-body.ts: DATA put together and handed to the
 * media type; http2-state.ts: the per-connection state; http2-fields.ts: the fields.
 *
 * One pass, like tshark -r: each header block is decompressed once, in order, so the HPACK
 * tables of both directions follow the connection (SETTINGS_HEADER_TABLE_SIZE applies when
 * the peer acknowledges it).
 */
import { DESEGMENT_ONE_MORE_SEGMENT } from "../src/analysis/reassembly.js";
import { addPduSize, type TcpSegment } from "../src/analysis/tcp.js";
import type { PacketInfo } from "../src/core/pinfo.js";
import { defineProtocol, markBoundsError, markUnreassembled } from "../src/core/proto.js";
import { asciiString, asciiText, strayCheck } from "../src/core/strings.js";
import type { Item } from "../src/core/tree.js";
import { BoundsError, type Tvb } from "../src/core/tvb.js";
import { fullBody } from "./http2-body.js";
import { FRAME_TYPES, HTTP2_FIELDS, SETTINGS } from "./http2-fields.js";
import { inflate } from "./http2-headers.js";
import { connOf, type H2Conn, type Http2Call } from "./http2-state.js";

export type { Http2Call } from "./http2-state.js";

export const http2 = defineProtocol({
  name: "HyperText Transfer Protocol 2",
  abbrev: "http2",
  short: "HTTP2",
  fields: HTTP2_FIELDS,
  dissect: (tvb, pinfo, tree, data) => dissectHttp2(tvb, pinfo, tree, callOf(data)),
});
const f = http2.f;

/** The connection preface a client starts with (RFC 9113 3.4). */
export const MAGIC = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
const MAGIC_LEN = 24;
const HEADER_LEN = 9;

/** Most bytes of one body kept while its DATA frames come (as TCP's MAX_PENDING: memory stays bounded). */
const MAX_BODY = 16 * 1024 * 1024;

const F_END_STREAM = 0x1, F_ACK = 0x1, F_PADDED = 0x8, F_PRIORITY = 0x20;
const T_DATA = 0, T_HEADERS = 1, T_PRIORITY = 2, T_RST = 3, T_SETTINGS = 4, T_PUSH = 5, T_PING = 6, T_GOAWAY = 7,
  T_WINDOW = 8, T_CONTINUATION = 9, T_ALTSVC = 10, T_BLOCKED = 11, T_ORIGIN = 12, T_PRIORITY_UPDATE = 16;

/** HTTP/2 straight on TCP (h2c, decode-as): the TCP stream is the connection, TCP's segment the reassembly. */
export function tcpCall(seg: TcpSegment, st: NonNullable<TcpSegment["stream"]>): Http2Call {
  return { conn: st, dir: seg.flow === st.flow1 ? 0 : 1, seg, tls: false, tcp: seg };
}

/** What the caller handed over: an Http2Call, or TCP's segment (decode-as: -d tcp.port==N,http2). */
function callOf(data: unknown): Http2Call | undefined {
  if (data === null || typeof data !== "object") return undefined;
  if ("conn" in data) return data as Http2Call;
  const seg = data as TcpSegment;
  return seg.stream != null ? tcpCall(seg, seg.stream) : undefined;
}

/** Does this payload start with the client connection preface? */
export function startsWithMagic(tvb: Tvb, o = 0): boolean {
  if (!tvb.has(o, MAGIC_LEN)) return false;
  for (let i = 0; i < MAGIC_LEN; i++) if (tvb.u8(o + i) !== MAGIC.charCodeAt(i)) return false;
  return true;
}

/**
 * dissect_http2: the Protocol column, then frame after frame (tcp_dissect_pdus): a frame cut
 * short asks the caller for the rest and is dissected whole when it comes.
 */
function dissectHttp2(tvb: Tvb, pinfo: PacketInfo, tree: Item, call: Http2Call | undefined): number {
  pinfo.setProtocol("HTTP2");
  pinfo.setInfo("");
  if (call === undefined) return 0;
  const conn = connOf(call.conn);
  call.root = tree;
  const total = tvb.reportedLength;
  const seg = call.seg;
  let off = 0;
  while (off < total) {
    const rest = total - off;
    const magic = startsWithMagic(tvb, off);
    if (!magic && rest < HEADER_LEN) {
      if (seg !== null && seg.canDesegment) {
        seg.desegmentOffset = off;
        seg.desegmentLen = DESEGMENT_ONE_MORE_SEGMENT;
        return total;
      }
    }
    const plen = magic ? MAGIC_LEN : rest >= 3 && tvb.has(off, 3) ? tvb.u24(off) + HEADER_LEN : rest;
    if (plen > rest && seg !== null && seg.canDesegment) {
      seg.desegmentOffset = off;
      seg.desegmentLen = plen - rest;
      return total;
    }
    addPduSize(call.tcp, tvb, off, plen);
    // (tcp_dissect_pdus: an exception in one frame marks it and goes on with the next; a frame
    // longer than what is left, with no reassembly, is "unreassembled" when read past the end)
    const pdu = tvb.sub(off, plen);
    // (what a body's dissector throws is caught here too: marked at the frame)
    const caught = pinfo.catchTvb;
    pinfo.catchTvb = pdu;
    try {
      dissectFrame(pdu, pinfo, tree, conn, call);
    } catch (e) {
      if (!(e instanceof BoundsError)) throw e;
      // past the bytes the segment holds (a frame longer than them ends there, not at its length)
      // is an unreassembled packet where tcp_dissect_pdus marks the frame's tvb a fragment (no
      // reassembly here: with TCP's off, always; under HTTP, for a frame cut short), and a
      // malformed one otherwise
      const past = e.reported || (plen > rest && tvb.remaining(off) >= rest);
      const fragment = !(seg !== null && seg.canDesegment) && (plen > rest || call.tcp === null || !call.tcp.canDesegment);
      if (past && fragment) markUnreassembled(http2, pdu, pinfo, tree);
      else markBoundsError(past ? new BoundsError(true) : e, http2, pdu, pinfo, tree, pdu);
    } finally {
      pinfo.catchTvb = caught;
    }
    off += plen;
  }
  return total;
}

/** dissect_http2_pdu: one HTTP/2 frame (or the preface) as its own HTTP2 item. */
function dissectFrame(tvb: Tvb, pinfo: PacketInfo, tree: Item, conn: H2Conn, call: Http2Call): void {
  const full = tree.tree.full;
  // (per frame: after a body's dissector named its own protocol, the next frame names HTTP2 again)
  pinfo.setProtocol("HTTP2");
  const top = tree.add(http2.hf, tvb, 0, tvb.length, null);
  const st = top.add(f.stream, tvb, 0, tvb.length, null);
  if (startsWithMagic(tvb)) {
    pinfo.appendInfoSep(", ", "Magic");
    if (full) st.appendText(": Magic");
    st.add(f.magic, tvb, 0, MAGIC_LEN, MAGIC);
    return;
  }
  const length = tvb.u24(0);
  st.add(f.length, tvb, 0, 3, length);
  const type = tvb.u8(3);
  st.add(f.type, tvb, 3, 1, type);
  const typeName = FRAME_TYPES[type] ?? `Unknown type (${type})`;
  const flags = addFlags(st, tvb, type);
  const sid = tvb.u32(5) & 0x7fffffff;
  st.add(f.r, tvb, 5, 4, tvb.u32(5) >>> 31);
  st.add(f.streamid, tvb, 5, 4, sid);
  // (tshark keeps the length for this label, and ALTSVC's arithmetic, in 16 bits)
  if (full) st.appendText(`: ${typeName}, Stream ID: ${sid}, Length ${length & 0xffff}`);
  pinfo.appendInfoSep(", ", `${typeName}[${sid}]`);

  const o = HEADER_LEN;
  switch (type) {
    case T_DATA: dissectData(tvb, o, flags, sid, pinfo, top, st, conn, call); break;
    case T_HEADERS: dissectHeaders(tvb, o, flags, sid, pinfo, top, st, conn, call, type); break;
    case T_PRIORITY: priority(tvb, o, st); break;
    case T_RST:
      st.add(f.rstStreamError, tvb, o, 4, tvb.u32(o));
      // a reset stream's bodies will not complete: what was gathered of them goes
      conn.streams.get(sid)?.oneway.forEach((w) => w.dropBody(false));
      break;
    case T_SETTINGS: dissectSettings(tvb, o, flags, st, conn, call.dir); break;
    case T_PUSH: dissectHeaders(tvb, o, flags, sid, pinfo, top, st, conn, call, type); break;
    case T_PING: st.add(flags & F_ACK ? f.pong : f.ping, tvb, o, 8, tvb.bytes(o, 8)); break;
    case T_GOAWAY: {
      st.add(f.gowayR, tvb, o, 4, tvb.u32(o) >>> 31);
      st.add(f.goawayLastStreamId, tvb, o, 4, tvb.u32(o) & 0x7fffffff);
      st.add(f.goawayError, tvb, o + 4, 4, tvb.u32(o + 4));
      if (tvb.reportedLength > o + 8) st.add(f.goawayAddata, tvb, o + 8, tvb.remaining(o + 8), tvb.bytes(o + 8));
      break;
    }
    case T_WINDOW: {
      st.add(f.windowUpdateR, tvb, o, 4, tvb.u32(o) >>> 31);
      st.add(f.windowUpdateWindowSizeIncrement, tvb, o, 4, tvb.u32(o) & 0x7fffffff);
      break;
    }
    case T_CONTINUATION: dissectHeaders(tvb, o, flags, sid, pinfo, top, st, conn, call, type); break;
    case T_ALTSVC: {
      const olen = tvb.u16(o);
      st.add(f.altsvcOriginLen, tvb, o, 2, olen);
      strayCheck(st.add(f.altsvcOrigin, tvb, o + 2, olen, asciiString(tvb, o + 2, olen)), tvb.bytes(0), o + 2, o + 2 + olen);
      const remain = (length & 0xffff) - 2 - olen;
      if (remain > 0) strayCheck(st.add(f.altsvcFieldValue, tvb, o + 2 + olen, remain, asciiString(tvb, o + 2 + olen, remain)), tvb.bytes(0), o + 2 + olen, o + 2 + olen + remain);
      break;
    }
    case T_BLOCKED: break;
    case T_ORIGIN: {
      // RFC 8336: the origins the server is authoritative for, each with its length
      const end = tvb.reportedLength;
      for (let p = o; p < end; ) {
        const n = tvb.u16(p);
        const it = st.add(f.origin, tvb, p, 2 + n, null);
        it.add(f.originOriginLen, tvb, p, 2, n);
        strayCheck(it.add(f.originOrigin, tvb, p + 2, n, asciiString(tvb, p + 2, n)), tvb.bytes(0), p + 2, p + 2 + n);
        p += 2 + n;
      }
      break;
    }
    case T_PRIORITY_UPDATE: {
      // RFC 9218: the stream it reprioritises (tshark shows all 32 bits), then the Priority field's text
      st.add(f.priorityUpdateStreamId, tvb, o, 4, BigInt(tvb.u32(o)));
      const n = tvb.reportedLength - o - 4;
      strayCheck(st.add(f.priorityUpdateFieldValue, tvb, o + 4, n, asciiString(tvb, o + 4, n)), tvb.bytes(0), o + 4, o + 4 + n);
      break;
    }
    default:
      st.add(f.unknown, tvb, o, tvb.remaining(o), tvb.bytes(o));
  }
}

/** The type's flag bits, in tshark's order (highest bit first), under Flags. */
function addFlags(st: Item, tvb: Tvb, type: number): number {
  const flags = tvb.u8(4);
  const bits =
    type === T_DATA ? [f.flagsUnusedData, f.flagsPadded, f.flagsEndStream]
    : type === T_HEADERS ? [f.flagsUnusedHeaders, f.flagsPriority, f.flagsPadded, f.flagsEh, f.flagsEndStream]
    : type === T_SETTINGS ? [f.flagsUnusedSettings, f.flagsAckSettings]
    : type === T_PUSH ? [f.flagsUnusedPushPromise, f.flagsPadded, f.flagsEh]
    : type === T_CONTINUATION ? [f.flagsUnusedContinuation, f.flagsPadded, f.flagsEh]
    : type === T_PING ? [f.flagsUnusedPing, f.flagsAckPing]
    : [f.flagsUnused];
  st.addBitmask(f.flags, tvb, 4, 1, flags, bits);
  return flags;
}

/** dissect_frame_padding: the Pad Length octet when PADDED, and the generated length always. */
function padding(tvb: Tvb, o: number, flags: number, st: Item): { o: number; pad: number } {
  let pad = 0;
  let n = 0;
  if (flags & F_PADDED) {
    pad = tvb.u8(o);
    st.add(f.padding, tvb, o, 1, pad);
    o++;
    n = 1;
  }
  st.addGenerated(f.padLength, tvb, o - n, n, pad);
  return { o, pad };
}

/** dissect_frame_prio: exclusive bit, dependency and weight (HEADERS with PRIORITY, and PRIORITY frames). */
function priority(tvb: Tvb, o: number, st: Item): number {
  const v = tvb.u32(o);
  st.add(f.exclusive, tvb, o, 4, (v & 0x80000000) !== 0);
  st.add(f.streamDependency, tvb, o, 4, v & 0x7fffffff);
  const w = tvb.u8(o + 4);
  st.add(f.headersWeight, tvb, o + 4, 1, w);
  st.addGenerated(f.headersWeightReal, tvb, o + 4, 1, w + 1);
  return o + 5;
}

function dissectSettings(tvb: Tvb, o: number, flags: number, st: Item, conn: H2Conn, dir: 0 | 1): void {
  const { found, size, min } = settingsItems(tvb, o, tvb.reportedLength, st);
  if (flags & F_ACK) {
    // the peer's SETTINGS this acknowledges: its table size now bounds the headers this side sends
    const s = conn.pendingSettings[dir ^ 1].shift();
    if (s !== undefined && s !== null) {
      const d = conn.dec[dir];
      if (s.min < s.size) d.setLimit(s.min);
      d.setLimit(s.size);
    }
  } else {
    conn.pendingSettings[dir].push(found ? { size, min } : null);
  }
}

/**
 * The settings in [o, end) of tvb, one "Settings - Name : value" item each (a SETTINGS frame,
 * and HTTP/1's HTTP2-Settings header); returns the last and least header table size.
 */
export function settingsItems(tvb: Tvb, o: number, end: number, st: Item): { found: boolean; size: number; min: number } {
  const full = st.tree.full;
  let found = false, size = 0, min = 0xffffffff;
  while (o < end) {
    const it = st.add(f.settings, tvb, o, 6, null);
    const id = tvb.u16(o);
    it.add(f.settingsId, tvb, o, 2, id);
    if (full) it.appendText(` - ${SETTINGS[id] ?? `Unknown (${id})`}`);
    const v = tvb.u32(o + 2);
    const vf =
      id === 1 ? f.settingsHeaderTableSize : id === 2 ? f.settingsEnablePush : id === 3 ? f.settingsMaxConcurrentStreams
      : id === 4 ? f.settingsInitialWindowSize : id === 5 ? f.settingsMaxFrameSize : id === 6 ? f.settingsMaxHeaderListSize
      : id === 8 ? f.settingsExtendedConnect : f.settingsUnknown;
    it.add(vf, tvb, o + 2, 4, v);
    if (full) it.appendText(` : ${v}`);
    if (id === 1) {
      found = true;
      size = v;
      if (v < min) min = v;
    }
    o += 6;
  }
  return { found, size, min };
}

/** HEADERS, PUSH_PROMISE and CONTINUATION: padding, priority, the block, and its decompressed fields. */
function dissectHeaders(
  tvb: Tvb, o: number, flags: number, sid: number, pinfo: PacketInfo, top: Item, st: Item, conn: H2Conn, call: Http2Call, type: number,
): void {
  const stream = conn.stream(sid);
  const ow = stream.oneway[call.dir];
  if (type === T_HEADERS && (flags & F_END_STREAM) !== 0) {
    // trailers after the body: the body is complete
    if (ow.frags.length > 0) fullBody(tvb, pinfo, top, st, ow, null, 0, call.root ?? top);
  }
  const p = padding(tvb, o, flags, st);
  o = p.o;
  if (type === T_HEADERS && (flags & F_PRIORITY) !== 0) o = priority(tvb, o, st);
  if (type === T_PUSH) {
    st.add(f.pushPromiseR, tvb, o, 4, tvb.u32(o) >>> 31);
    st.add(f.pushPromisePromisedStreamId, tvb, o, 4, tvb.u32(o) & 0x7fffffff);
    o += 4;
  }
  const headlen = tvb.reportedLength - o - p.pad;
  if (headlen < 0) tvb.ensure(o, tvb.reportedLength - o + 1); // tshark: ReportedBoundsError
  const blockField = type === T_HEADERS ? f.headers : type === T_PUSH ? f.pushPromiseHeader : f.continuationHeader;
  const block = tvb.bytes(o, headlen);
  const bi = st.add(blockField, tvb, o, headlen, blockField === f.continuationHeader ? asciiText(block, 0, block.length, true) : block);
  if (blockField === f.continuationHeader) strayCheck(bi, block, 0, block.length);
  inflate(tvb, o, block, flags, pinfo, st, conn, call, type === T_HEADERS || type === T_CONTINUATION ? ow : null, stream);
  if (p.pad > 0) {
    const padField = type === T_HEADERS ? f.headersPadding : type === T_PUSH ? f.pushPromisePadding : f.continuationPadding;
    st.add(padField, tvb, o + headlen, p.pad, tvb.bytes(o + headlen, p.pad));
  }
}

/** DATA: padding, then the body (gathered until END_STREAM), then the padding bytes. */
function dissectData(
  tvb: Tvb, o: number, flags: number, sid: number, pinfo: PacketInfo, top: Item, st: Item, conn: H2Conn, call: Http2Call,
): void {
  const p = padding(tvb, o, flags, st);
  o = p.o;
  let datalen = tvb.reportedLength - o - p.pad;
  // more padding than frame: tshark's negative length reads to the end when the body is
  // gathered, fails at once otherwise, and the padding then runs past the frame
  const overPadded = datalen < 0;
  const stream = conn.stream(sid);
  const ow = stream.oneway[call.dir];
  const end = (flags & F_END_STREAM) !== 0;
  // (a body past MAX_BODY is not kept: memory stays bounded, the DATA show as partial bodies)
  if (ow.bytes + Math.max(0, datalen) > MAX_BODY) ow.dropBody();
  const gather = ow.dataInitiatedIn !== 0 && !ow.transferEncoded && !stream.connect && !ow.tooBig;
  if (overPadded) {
    if (!gather) throw new BoundsError(true);
    datalen = tvb.remaining(o);
  }
  let done = false;
  if (gather) {
    if (!(end && datalen === 0)) ow.add(pinfo.num, tvb.bytes(o, datalen).slice());
    if (end && ow.frags.length > 0) {
      fullBody(tvb, pinfo, top, st, ow, o, datalen, call.root ?? top);
      done = true;
    }
  }
  if (!done) {
    if (!end) st.appendText(" (partial entity body)");
    if (ow.transferEncoded) st.appendText(" (transfer-encoded body)");
    if (stream.connect) st.appendText(" (tunneled data)");
    // -2: the frame whose DATA completed the body this piece belongs to (tshark: a plain item, without bytes)
    if (gather && !end) {
      const at = pinfo.session.ahead<number>("http2.body.reassembled.in", pinfo.num);
      if (at !== undefined) st.add(f.bodyReassembledIn, tvb, 0, 0, at).detach();
    }
    st.add(f.dataData, tvb, o, datalen, tvb.bytes(o, datalen));
  }
  if (overPadded) throw new BoundsError(true);
  if (p.pad > 0) st.add(f.dataPadding, tvb, o + datalen, p.pad, tvb.bytes(o + datalen, p.pad));
}
