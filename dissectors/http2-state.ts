/**
 * HTTP/2's state across frames, per connection: one HPACK decoder per direction, the
 * SETTINGS waiting for their acknowledgement, a header block waiting for its CONTINUATION,
 * and per stream and direction what the headers said about the body and the body so far.
 * Also what a caller hands the dissector (Http2Call). Used by http2.ts, http2-headers.ts
 * and http2-body.ts.
 */
import type { TcpSegment } from "../src/analysis/tcp.js";
import type { Item } from "../src/core/tree.js";
import { HpackDecoder } from "../src/http2/hpack.js";

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
export class OneWay {
  contentType: string | null = null;
  /** The Content-Type's parameters (after the first ';'): a multipart body's boundary. */
  contentTypeParams: string | null = null;
  contentEncoding: string | null = null;
  partial = false;
  /** Frame of the HEADERS with :method or :status (0: none seen, the body is not gathered). */
  dataInitiatedIn = 0;
  transferEncoded = false;
  /** DATA payloads so far (frame, bytes). */
  frags: { frame: number; data: Uint8Array }[] = [];
  /** Their total length. */
  bytes = 0;
  /** The body grew past the limit: its DATA are shown as they come, not gathered. */
  tooBig = false;
  add(frame: number, data: Uint8Array): void {
    this.frags.push({ frame, data });
    this.bytes += data.length;
  }
  /** Forget the body gathered so far (too big: `tooBig`, and the rest of it is not gathered either). */
  dropBody(tooBig = true): void {
    this.frags = [];
    this.bytes = 0;
    if (tooBig) this.tooBig = true;
  }
}

export class H2Stream {
  readonly oneway: [OneWay, OneWay] = [new OneWay(), new OneWay()];
  connect = false;
}

export class H2Conn {
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
export function connOf(key: object): H2Conn {
  let c = conns.get(key);
  if (c === undefined) conns.set(key, (c = new H2Conn()));
  return c;
}
