/**
 * Decrypted TLS application data, handed to the application's dissector (HTTP on port
 * 443, HTTP/2 when ALPN chose h2; OpenVPN's control messages inside OpenVPN,
 * openvpn-message.ts; data elsewhere, as tshark without a protocol for the port), HTTP and
 * HTTP/2 with TLS's own reassembly: a message that spans several records asks for
 * more, as over TCP, and is dissected whole in the frame of its last record (tshark's
 * desegment_ssl, the same algorithm as TCP's: src/analysis/reassembly.ts). The
 * plaintext of one direction is numbered as a stream, record after record.
 * Not a protocol of its own: tls.ts calls `dissectAppData`.
 */
import { desegment, FlowReassembly } from "../src/analysis/reassembly.js";
import { PduHooks, pduLayer, type PduLayer } from "../src/analysis/segment-tree.js";
import type { TcpSegment } from "../src/analysis/tcp.js";
import type { PacketInfo } from "../src/core/pinfo.js";
import { callData, callDissector, protocolByAbbrev } from "../src/core/proto.js";
import type { Item } from "../src/core/tree.js";
import type { Tvb } from "../src/core/tvb.js";
import { http2, type Http2Call } from "./http2.js";
import { dissectControlPlaintext } from "./openvpn-message.js";
import { tls } from "./tls.js";

/** One direction's decrypted stream: where the next record's plaintext starts, and its pending PDUs. */
export class TlsAppFlow {
  seq = 0;
  readonly reasm = new FlowReassembly();
}

/** TLS's names and reassembly fields, for PduHooks. */
let TLS_LAYER: PduLayer | undefined;

/** Hand one record's plaintext on (`data`: what TCP gave TLS, for the stream HTTP pairs requests in). */
export function dissectAppData(
  pt: Tvb, pinfo: PacketInfo, tree: Item, ti: Item, flow: TlsAppFlow, protocol: string,
  kind: "http" | "http2" | "openvpn" | "data", fromClient: boolean, data: unknown,
): void {
  if (kind === "openvpn") {
    dissectControlPlaintext(pt, pinfo, tree, fromClient);
    return;
  }
  if (kind === "data") {
    callData(pt, pinfo, tree);
    return;
  }
  const tcp = data !== null && typeof data === "object" && "canDesegment" in data ? (data as TcpSegment) : null;
  const seq = flow.seq;
  const nxt = (seq + pt.length) >>> 0;
  flow.seq = nxt;
  // HTTP/2's state hangs on the TCP stream (or, without one, on this direction's flow), per direction
  let h2: Http2Call | null = null;
  if (kind === "http2") {
    const first = !pinfo.data.has("tls.h2");
    pinfo.data.set("tls.h2", true);
    h2 = { conn: tcp?.stream ?? flow, dir: fromClient ? 0 : 1, seg: null, tls: true, tcp: first ? tcp : null };
  }
  desegment(flow.reasm, pt, 0, seq, nxt, pinfo.num, new AppHooks(pinfo, tree, ti, tcp, protocol, h2));
}

class AppHooks extends PduHooks<TcpSegment> {
  constructor(
    pinfo: PacketInfo, tree: Item, ti: Item, tcp: TcpSegment | null,
    /** The Protocol column of a segment of a reassembled PDU ("TLSv1.3"). */
    readonly protocol: string,
    /** Set for HTTP/2 (ALPN h2), which then takes the plaintext instead of HTTP/1. */
    readonly h2: Http2Call | null,
  ) {
    super(pinfo, tree, ti, {
      stream: tcp?.stream ?? null, flow: null, seq: 0, nxtseq: 0, lastackseq: 0, flags: 0, urgentPointer: 0,
      isReassembled: false, desegmentOffset: 0, desegmentLen: 0, canDesegment: true, tcpTree: null,
    });
  }

  protected layer(): PduLayer {
    return (TLS_LAYER ??= pduLayer("TLS", "Reassembled TLS segments", tls.f));
  }

  process(tvb: Tvb, offset: number, seq: number, nxtseq: number, reassembled: boolean): void {
    const seg = this.seg;
    seg.seq = seq;
    seg.nxtseq = nxtseq;
    seg.isReassembled = reassembled;
    seg.desegmentOffset = 0;
    seg.desegmentLen = 0;
    const app = this.h2 !== null ? http2 : protocolByAbbrev("http");
    if (app === undefined) return;
    const pinfo = this.pinfo;
    const depth = pinfo.layers.length;
    if (this.h2 !== null) this.h2.seg = seg;
    callDissector(app, tvb.sub(offset), pinfo, this.tree, this.h2 ?? seg);
    // nothing of it dissected yet: not a layer of this frame (as tshark)
    if (seg.desegmentLen !== 0 && seg.desegmentOffset === 0) pinfo.layers.length = depth;
  }
  /** TLS shows a record that ends one PDU and starts another its own way (see DesegmentHooks). */
  readonly recordStyle = true;
  isRetransmission(): boolean {
    return false;
  }
  markSegment(afterPdu: boolean): void {
    const pinfo = this.pinfo;
    if (pinfo.cols === null) return;
    // (after a PDU this record completed, the Protocol column stays that PDU's)
    if (!afterPdu) pinfo.setProtocol(this.protocol);
    pinfo.setInfo("[TLS segment of a reassembled PDU]");
  }
  fence(): void {
    const c = this.pinfo.cols;
    if (c !== null) this.pinfo.infoFence = c.info.length;
  }
  unfence(): void {}
}
