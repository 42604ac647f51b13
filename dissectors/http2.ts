/**
 * HyperText Transfer Protocol 2 (RFC 9113), as tshark 4.0 shows it: each HTTP/2 frame its
 * own "HyperText Transfer Protocol 2" item with a "Stream: TYPE, Stream ID: n, Length l"
 * subtree; header blocks decompressed with HPACK (src/http2/hpack.ts) into a "Decompressed
 * Header" data source, one "Header: name: value" item per field; DATA frames gathered per
 * stream and direction until END_STREAM, then decoded (content-encoding) and handed to the
 * media type's dissector.
 *
 * Reached two ways: inside TLS when ALPN chose "h2" (tls-app.ts), and over cleartext TCP
 * when HTTP sees the connection preface "PRI * HTTP/2.0" (h2c with prior knowledge,
 * http.ts). Frames that span TLS records or TCP segments are reassembled by the caller:
 * the dissector asks for the missing bytes as tcp_dissect_pdus does.
 *
 * One pass, like tshark -r: each header block is decompressed once, in order, so the HPACK
 * tables of both directions follow the connection (SETTINGS_HEADER_TABLE_SIZE applies when
 * the peer acknowledges it).
 */
import { DESEGMENT_ONE_MORE_SEGMENT } from "../src/analysis/reassembly.js";
import { addPduSize, type TcpSegment } from "../src/analysis/tcp.js";
import { showReassembly, type FragmentFields } from "../src/analysis/defrag.js";
import type { PacketInfo } from "../src/core/pinfo.js";
import { callDissector, defineProtocol, markBoundsError, markUnreassembled, protocolByAbbrev } from "../src/core/proto.js";
import { asciiString, asciiText, strayCheck } from "../src/core/strings.js";
import { fieldByAbbrev, type Field } from "../src/core/field.js";
import type { Item } from "../src/core/tree.js";
import { BoundsError, Tvb } from "../src/core/tvb.js";
import { decodeContent } from "../src/http/body.js";
import { MEDIA_TYPES, STATUS_CODES } from "../src/http/names.js";
import { HpackDecoder, type HpackField, type HpackRepresentation } from "../src/http2/hpack.js";
import { FRAME_TYPES, HEADER_FIELDS, HTTP2_FIELDS, SETTINGS } from "./http2-fields.js";

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

const F_END_STREAM = 0x1, F_ACK = 0x1, F_END_HEADERS = 0x4, F_PADDED = 0x8, F_PRIORITY = 0x20;
const T_DATA = 0, T_HEADERS = 1, T_PRIORITY = 2, T_RST = 3, T_SETTINGS = 4, T_PUSH = 5, T_PING = 6, T_GOAWAY = 7,
  T_WINDOW = 8, T_CONTINUATION = 9, T_ALTSVC = 10, T_BLOCKED = 11;

/** What the caller hands over: the connection, the direction, and where to ask for more bytes. */
export interface Http2Call {
  /** One object per connection (the TCP stream): the HTTP/2 state hangs on it. */
  conn: object;
  /** 0 or 1: the direction of this data within the connection. */
  dir: 0 | 1;
  /** The caller's reassembly request (TcpSegment-like); null when it cannot reassemble. */
  seg: { desegmentOffset: number; desegmentLen: number; canDesegment: boolean } | null;
  /** https or http: the scheme of a request's full URI when the request lacks :scheme. */
  tls: boolean;
  /**
   * The TCP segment underneath, for tcp.pdu.size (tcp_dissect_pdus marks each frame there);
   * null where tshark shows none (TLS records after the first of a frame: its lookup of the
   * TCP tree by layer number misses them).
   */
  tcp: TcpSegment | null;
  /** Set here: the tree HTTP/2 adds its items to (where a body dissector's exception is marked, as tshark's). */
  root?: Item;
}

/** One direction of one stream: what its headers said about the body, and the body so far. */
class OneWay {
  contentType: string | null = null;
  contentEncoding: string | null = null;
  partial = false;
  /** Frame of the HEADERS with :method or :status (0: none seen, the body is not gathered). */
  dataInitiatedIn = 0;
  transferEncoded = false;
  /** DATA payloads so far (frame, bytes). */
  frags: { frame: number; data: Uint8Array }[] = [];
}

class H2Stream {
  readonly oneway: [OneWay, OneWay] = [new OneWay(), new OneWay()];
  connect = false;
}

class H2Conn {
  readonly dec: [HpackDecoder, HpackDecoder] = [new HpackDecoder(), new HpackDecoder()];
  /** SETTINGS_HEADER_TABLE_SIZE values each side sent and the other has not acknowledged yet. */
  readonly pendingSettings: [({ size: number; min: number } | null)[], ({ size: number; min: number } | null)[]] = [[], []];
  /** A header block whose END_HEADERS has not come yet (CONTINUATION follows), per direction. */
  readonly pendingBlock: [Uint8Array | null, Uint8Array | null] = [null, null];
  readonly streams = new Map<number, H2Stream>();
  stream(id: number): H2Stream {
    let s = this.streams.get(id);
    if (s === undefined) this.streams.set(id, (s = new H2Stream()));
    return s;
  }
}

const conns = new WeakMap<object, H2Conn>();
function connOf(key: object): H2Conn {
  let c = conns.get(key);
  if (c === undefined) conns.set(key, (c = new H2Conn()));
  return c;
}

/** What the caller handed over: an Http2Call, or TCP's segment (decode-as: -d tcp.port==N,http2). */
function callOf(data: unknown): Http2Call | undefined {
  if (data === null || typeof data !== "object") return undefined;
  if ("conn" in data) return data as Http2Call;
  const seg = data as Partial<TcpSegment>;
  if (seg.stream === undefined || seg.stream === null) return undefined;
  return { conn: seg.stream, dir: seg.flow === seg.stream.flow1 ? 0 : 1, seg: seg as TcpSegment, tls: false, tcp: seg as TcpSegment };
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
      else markBoundsError(past ? new BoundsError(true) : e, http2, pdu, pinfo, tree);
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
    case T_RST: st.add(f.rstStreamError, tvb, o, 4, tvb.u32(o)); break;
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

const REPR: Record<HpackRepresentation, string> = {
  indexed: "Indexed Header Field",
  "incremental-indexed-name": "Literal Header Field with Incremental Indexing - Indexed Name",
  "incremental-new-name": "Literal Header Field with Incremental Indexing - New Name",
  "without-indexing-indexed-name": "Literal Header Field without Indexing - Indexed Name",
  "without-indexing-new-name": "Literal Header Field without Indexing - New Name",
  "never-indexed-indexed-name": "Literal Header Field never Indexed - Indexed Name",
  "never-indexed-new-name": "Literal Header Field never Indexed - New Name",
};

/**
 * inflate_http2_header_block: decompress this block with its direction's table, put the
 * fields in a "Decompressed Header" source (name length, name, value length, value), and
 * show one Header item per field.
 */
function inflate(
  tvb: Tvb, o: number, block: Uint8Array, flags: number, pinfo: PacketInfo, st: Item, conn: H2Conn, call: Http2Call,
  ow: OneWay | null, stream: H2Stream,
): void {
  const dir = call.dir;
  // nghttp2 inflates as the fragments come: the fields complete in this fragment show here, a
  // representation cut at its end waits for the next CONTINUATION
  const pending = conn.pendingBlock[dir];
  const whole = pending === null ? block : concat(pending, block);
  const base = o - (pending === null ? 0 : pending.length);
  conn.pendingBlock[dir] = null;
  const r = conn.dec[dir].decode(whole);
  if ((flags & F_END_HEADERS) === 0 && r.error !== null && r.error.startsWith("truncated")) {
    const used = r.fields.length > 0 ? r.fields[r.fields.length - 1].end : r.sizeUpdates.length > 0 ? r.sizeUpdates[r.sizeUpdates.length - 1].end : 0;
    conn.pendingBlock[dir] = whole.slice(used);
  }
  const fields = r.fields;
  const updates = r.sizeUpdates;
  if (fields.length === 0 && updates.length === 0) return;
  // the decompressed source: per field, name length (4), name, value length (4), value
  let size = 0;
  for (const h of fields) size += 8 + h.name.length + h.value.length;
  const buf = new Uint8Array(size);
  let q = 0;
  for (const h of fields) {
    q = putU32(buf, q, h.name.length);
    buf.set(h.name, q);
    q += h.name.length;
    q = putU32(buf, q, h.value.length);
    buf.set(h.value, q);
    q += h.value.length;
  }
  const ds = { name: `Decompressed Header (${size} bytes)`, data: buf };
  pinfo.addSource(ds);
  const htvb = new Tvb(ds);
  const full = st.tree.full;
  st.addGenerated(f.headerLength, htvb, 0, 1, size);
  st.addGenerated(f.headerCount, htvb, 0, 1, updates.length + fields.length);
  // dynamic table size updates (RFC 7541 6.3) come first in a block, and count as headers
  for (const u of updates) {
    const at = Math.max(o, base + u.start);
    const len = Math.min(u.end - u.start, Math.max(0, o + block.length - at));
    st.add(f.headerTableSizeUpdate, tvb, at, len, null).add(f.headerTableSizeUpdateHeaderTableSize, tvb, at, len, u.size);
  }
  let method: string | null = null, path: string | null = null, scheme: string | null = null, authority: string | null = null;
  let ho = 0;
  for (const h of fields) {
    // (ENC_ASCII: a byte above 0x7f shows as U+FFFD)
    const name = asciiText(h.name, 0, h.name.length, true);
    const value = asciiText(h.value, 0, h.value.length, true);
    const at = Math.max(o, base + h.start);
    const len = Math.min(h.end - h.start, Math.max(0, o + block.length - at));
    const hi = st.add(f.header, tvb, at, len, null);
    hi.add(f.headerNameLength, htvb, ho, 4, h.name.length);
    strayCheck(hi.add(f.headerName, htvb, ho + 4, h.name.length, name), buf, ho + 4, ho + 4 + h.name.length);
    ho += 4 + h.name.length;
    hi.add(f.headerValueLength, htvb, ho, 4, h.value.length);
    const vo = ho + 4;
    strayCheck(hi.add(f.headerValue, htvb, vo, h.value.length, value), buf, vo, vo + h.value.length);
    const named = namedField(hi, htvb, vo, h.value.length, name, value);
    if (named !== null && name === ":path") pathComponents(named, htvb, buf, vo, h.value.length);
    const unescaped = uriUnescape(value);
    if (unescaped !== null) hi.addGenerated(f.headerUnescaped, htvb, vo, h.value.length, unescaped);
    ho = vo + h.value.length;
    if (ow !== null) track(ow, stream, name, value, pinfo.num);
    hi.add(f.headerRepr, tvb, at, 1, REPR[h.rep]);
    if (h.rep === "indexed" || h.rep.endsWith("-indexed-name")) hi.add(f.headerIndex, tvb, at, h.rep === "indexed" ? len : 1, h.index);
    if (full) hi.appendText(`: ${name}: ${value}`);
    if (name === ":method") {
      method = value;
      if (path !== null) request(pinfo, st, method, path);
    } else if (name === ":path") {
      path = value;
      if (method !== null) request(pinfo, st, method, path);
    } else if (name === ":status") {
      const reason = STATUS_CODES[parseInt(value, 10)] ?? "Unknown";
      pinfo.appendInfoSep(": ", `${value} ${reason}`);
      if (full) {
        hi.appendText(` ${reason}`);
        st.appendText(`, ${value} ${reason}`);
      }
    } else if (name === ":scheme") scheme = value;
    else if (name === ":authority") authority = value;
  }
  if (authority !== null) {
    // (tshark prints a missing :path as "(null)")
    st.addGenerated(f.requestFullUri, tvb, 0, 0, `${scheme ?? (call.tls ? "https" : "http")}://${authority}${path ?? "(null)"}`);
  }
}

function request(pinfo: PacketInfo, st: Item, method: string, path: string): void {
  pinfo.appendInfoSep(": ", `${method} ${path}`);
  if (st.tree.full) st.appendText(`, ${method} ${path}`);
}

/** try_add_named_header_field: ":method" → http2.headers.method…; numbers only when they parse. */
function namedField(hi: Item, htvb: Tvb, o: number, len: number, name: string, value: string): Item | null {
  const k = HEADER_FIELDS.get(name);
  if (k === undefined) return null;
  const hf = f[k];
  if (hf.type === "string") return hi.add(hf, htvb, o, len, value);
  if (!/^\d+$/.test(value)) return null;
  if (hf.type === "uint64") return hi.add(hf, htvb, o, len, BigInt(value));
  return Number(value) <= 0xffffffff ? hi.add(hf, htvb, o, len, Number(value)) : null;
}

const GEN_DELIMS = new Set([..."?#[]@:"].map((c) => c.charCodeAt(0)));
const SUB_DELIMS = new Set([..."!$&'()*+,;"].map((c) => c.charCodeAt(0)));
let PATH_SEGMENT: Field | undefined, PATH_SUB_SEGMENT: Field | undefined;

function pbrk(b: Uint8Array, o: number, max: number, set: ReadonlySet<number>): number {
  const end = Math.min(b.length, o + Math.max(0, max));
  for (let i = o; i < end; i++) if (set.has(b[i])) return i;
  return -1;
}

/**
 * tshark 4.0's http_add_path_components_to_tree on a :path value at [o, o+len) of the
 * decompressed headers: the part before the first of ":?#[]@" is a "Path segment", what
 * follows is cut at "!$&'()*+,;" into "Path sub segment"s. Followed step by step, its quirks
 * too (the first delimiter's position is reused for every later segment).
 */
function pathComponents(item: Item, htvb: Tvb, buf: Uint8Array, o: number, len: number): void {
  const end = o + len;
  const gen = pbrk(buf, o, len, GEN_DELIMS);
  if (gen < 0) return;
  PATH_SEGMENT ??= fieldByAbbrev("http.path_segment");
  PATH_SUB_SEGMENT ??= fieldByAbbrev("http.path_sub_segment");
  if (PATH_SEGMENT === undefined || PATH_SUB_SEGMENT === undefined) return;
  const compLen = gen - o;
  while (end > o) {
    const next = pbrk(buf, gen + 1, len - compLen, GEN_DELIMS);
    const subEnd = next < 0 ? end : next - 1;
    item.add(PATH_SEGMENT, htvb, o, compLen, asciiString(htvb, o, compLen));
    o += compLen + 1;
    while (subEnd > o) {
      const d = pbrk(buf, o, subEnd - o, SUB_DELIMS);
      const n = (d < 0 ? subEnd : d) - o;
      item.add(PATH_SUB_SEGMENT, htvb, o, n, asciiString(htvb, o, n));
      o = d < 0 ? subEnd : d + 1;
    }
  }
}

/** populate_http_header_tracking: what a request's or response's headers say about its body. */
function track(ow: OneWay, stream: H2Stream, name: string, value: string, frame: number): void {
  if (name === "content-encoding") ow.contentEncoding ??= value;
  else if (name === ":status") {
    if (value === "206") ow.partial = true;
  } else if (name === "transfer-encoding") ow.transferEncoded = true;
  else if (name === "content-type") {
    if (ow.contentType === null) {
      let e = 0;
      while (e < value.length && value[e] !== ";" && value[e] !== " " && value[e] !== "\t") e++;
      ow.contentType = value.slice(0, e).toLowerCase();
    }
  }
  if ((name === ":status" || name === ":method") && ow.dataInitiatedIn === 0) ow.dataInitiatedIn = frame;
  if (name === ":method" && value === "CONNECT") stream.connect = true;
}

/** g_uri_unescape_string: %XX decoded; null for a bad escape or an escaped NUL. */
function uriUnescape(s: string): string | null {
  if (s.indexOf("%") < 0) return s;
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c !== "%") {
      out += c;
      continue;
    }
    const h = s.slice(i + 1, i + 3);
    if (!/^[0-9a-fA-F]{2}$/.test(h)) return null;
    const v = parseInt(h, 16);
    if (v === 0) return null;
    out += String.fromCharCode(v);
    i += 2;
  }
  return out;
}

let BODY: FragmentFields | undefined;

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
  const gather = ow.dataInitiatedIn !== 0 && !ow.transferEncoded && !stream.connect;
  if (overPadded) {
    if (!gather) throw new BoundsError(true);
    datalen = tvb.remaining(o);
  }
  let done = false;
  if (gather) {
    if (!(end && datalen === 0)) ow.frags.push({ frame: pinfo.num, data: tvb.bytes(o, datalen).slice() });
    if (end && ow.frags.length > 0) {
      fullBody(tvb, pinfo, top, st, ow, o, datalen, call.root ?? top);
      done = true;
    }
  }
  if (!done) {
    if (!end) st.appendText(" (partial entity body)");
    if (ow.transferEncoded) st.appendText(" (transfer-encoded body)");
    if (stream.connect) st.appendText(" (tunneled data)");
    st.add(f.dataData, tvb, o, datalen, tvb.bytes(o, datalen));
  }
  if (overPadded) throw new BoundsError(true);
  if (p.pad > 0) st.add(f.dataPadding, tvb, o + datalen, p.pad, tvb.bytes(o + datalen, p.pad));
}

/**
 * A stream's complete body: its fragments' tree (unless the body is this one frame's DATA),
 * content decoding, Data, and the media type's dissector beside the Stream item.
 */
function fullBody(tvb: Tvb, pinfo: PacketInfo, top: Item, st: Item, ow: OneWay, o: number | null, datalen: number, root: Item): void {
  const frags = ow.frags;
  ow.frags = [];
  let body: Tvb;
  if (frags.length === 1 && o !== null && frags[0].frame === pinfo.num && datalen === frags[0].data.length) {
    // one DATA frame carried it all: no reassembly to show (process_reassembled_data's one
    // fragment: the rest of the frame, its padding included)
    body = tvb.sub(o);
  } else {
    let n = 0;
    for (const x of frags) n += x.data.length;
    const data = new Uint8Array(n);
    const list = [];
    let at = 0;
    for (const x of frags) {
      data.set(x.data, at);
      list.push({ frame: x.frame, offset: at, len: x.data.length, data: x.data, flags: 0 });
      at += x.data.length;
    }
    BODY ??= {
      fragments: f.bodyFragments, fragment: f.bodyFragment, overlap: f.bodyFragmentOverlap, overlapConflict: f.bodyFragmentOverlapConflicts,
      multipleTails: f.bodyFragmentMultipleTails, tooLong: f.bodyFragmentTooLongFragment, error: f.bodyFragmentError,
      count: f.bodyFragmentCount, reassembledIn: f.bodyReassembledIn, reassembledLength: f.bodyReassembledLength,
      reassembledData: f.bodyReassembledData,
    };
    body = showReassembly({ data, frags: list, flags: 0, frame: pinfo.num }, "body", BODY, pinfo, st).tvb;
    pinfo.addSource(body.ds);
  }
  const enc = ow.contentEncoding;
  const n = body.length;
  if (enc !== null && !ow.partial && (enc.startsWith("gzip") || enc.startsWith("deflate") || enc.startsWith("br"))) {
    const et = st.addText(body, 0, n, `Content-encoded entity body (${enc}): ${n} bytes`);
    const out = decodeContent(enc.startsWith("gzip") ? "gzip" : enc.startsWith("br") ? "br" : "deflate", body.bytes(0, n));
    if (out !== null) {
      const ds = { name: `Uncompressed entity body (${out.length} bytes)`, data: out };
      pinfo.addSource(ds);
      et.appendText(` -> ${out.length} bytes`);
      bodyData(new Tvb(ds), pinfo, et, st, ow, root);
    } else {
      et.expert("warn", "undecoded", "Body decompression failed", "http2", "http2.body_decompression_failed");
      bodyData(body, pinfo, et, st, ow, root);
    }
  } else {
    bodyData(body, pinfo, st, top, ow, root);
  }
}

/** dissect_body_data: Data, then the media_type table's dissector for the content type (in `parent`). */
function bodyData(body: Tvb, pinfo: PacketInfo, tree: Item, parent: Item, ow: OneWay, root: Item): void {
  const n = body.length;
  tree.add(f.dataData, body, 0, n, body.bytes(0, n));
  const ct = ow.contentType;
  if (ct === null) return;
  const handler = MEDIA_TYPES.get(ct);
  if (handler === undefined || handler === "media") return;
  const proto = protocolByAbbrev(handler);
  // (a body that breaks its dissector is marked where tcp_dissect_pdus catches it: beside the HTTP/2 items)
  if (proto !== undefined) callDissector(proto, body, pinfo, parent, ct, root);
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const r = new Uint8Array(a.length + b.length);
  r.set(a, 0);
  r.set(b, a.length);
  return r;
}

function putU32(b: Uint8Array, o: number, v: number): number {
  b[o] = v >>> 24;
  b[o + 1] = (v >>> 16) & 255;
  b[o + 2] = (v >>> 8) & 255;
  b[o + 3] = v & 255;
  return o + 4;
}
