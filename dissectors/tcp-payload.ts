/**
 * Handing the TCP payload on (decode_tcp_ports) and stream reassembly glue
 * (Wireshark's desegment_tcp; the logic itself is in src/analysis/reassembly.ts).
 */
import {
  TA_KEEP_ALIVE, TA_OUT_OF_ORDER, TA_RETRANSMISSION, TA_SPURIOUS_RETRANSMISSION, type TcpSegment, type TcpStream,
} from "../src/analysis/tcp.js";
import { desegment, FlowReassembly, MAX_PENDING } from "../src/analysis/reassembly.js";
import { PduHooks, pduLayer, type PduLayer } from "../src/analysis/segment-tree.js";
import type { PacketInfo } from "../src/core/pinfo.js";
import { callData, callDissector, lookupTable, tryHeuristics } from "../src/core/proto.js";
import type { Item } from "../src/core/tree.js";
import type { Tvb } from "../src/core/tvb.js";
import { f } from "./tcp-common.js";

/** tcp.desegment_tcp_streams default. */
export const DESEGMENT_DEFAULT = true;

/** TCP's names and reassembly fields, for PduHooks (made on first use: the fields are bound late). */
let TCP_LAYER: PduLayer | undefined;

export function newSegment(st: TcpStream, seq: number, nxtseq: number, ack: number, flags: number, urp: number, ti: Item): TcpSegment {
  return {
    tcpTree: ti,
    stream: st,
    flow: st.fwd,
    seq,
    nxtseq,
    lastackseq: ack,
    flags,
    urgentPointer: urp,
    isReassembled: false,
    desegmentOffset: 0,
    desegmentLen: 0,
    canDesegment: false,
  };
}

/**
 * decode_tcp_ports: keep-alives go to data, retransmitted/out-of-order segments to
 * nobody; otherwise the server port, the low port, the high port, the heuristics, data.
 * (The place where reassembly will intercept: see analysis/tcp.ts.)
 */
export function handPayload(payload: Tvb, pinfo: PacketInfo, tree: Item, sport: number, dport: number, st: TcpStream, seg: TcpSegment): void {
  const ta = st.ta;
  if (ta !== null) {
    if (ta.flags & TA_KEEP_ALIVE) {
      callData(payload, pinfo, tree);
      return;
    }
    // (tshark 4.0 also leaves spurious retransmissions undissected)
    if (ta.flags & (TA_RETRANSMISSION | TA_OUT_OF_ORDER | TA_SPURIOUS_RETRANSMISSION) && pinfo.session.pref("tcp.no_subdissector_on_error", true)) return;
  }
  decodeTcpPorts(payload, pinfo, tree, sport, dport, st.serverPort, seg);
}

/**
 * The lookups of decode_tcp_ports: the server port (0: none), the low port, the high port,
 * the "tcp" heuristics, then data. Also what HTTP hands a CONNECT tunnel's payload to, with
 * the server's port replaced by the CONNECT's.
 */
export function decodeTcpPorts(payload: Tvb, pinfo: PacketInfo, tree: Item, sport: number, dport: number, server: number, seg: TcpSegment): void {
  const low = sport > dport ? dport : sport;
  const high = sport > dport ? sport : dport;
  if (server !== 0 && tryPort(server, payload, pinfo, tree, seg)) return;
  if (low !== 0 && tryPort(low, payload, pinfo, tree, seg)) return;
  if (high !== 0 && tryPort(high, payload, pinfo, tree, seg)) return;
  if (tryHeuristics("tcp", payload, pinfo, tree, seg)) return;
  callData(payload, pinfo, tree);
}

function flowReassembly(st: TcpStream): FlowReassembly {
  const fl = st.fwd;
  if (fl.reassembly === null) fl.reassembly = new FlowReassembly();
  return fl.reassembly as FlowReassembly;
}

export function desegmentPayload(tvb: Tvb, hlen: number, pinfo: PacketInfo, tree: Item, ti: Item, sport: number, dport: number, st: TcpStream, seg: TcpSegment): void {
  const fr = flowReassembly(st);
  const h = new Hooks(pinfo, tree, ti, sport, dport, st, seg);
  desegment(fr, tvb, hlen, seg.seq, seg.nxtseq, pinfo.num, h);
  if (fr.overflowed) {
    fr.overflowed = false;
    ti.expert("note", "reassemble", `TCP reassembly buffer limit (${MAX_PENDING} bytes) reached: pending PDU data of this direction dropped`, "tcp");
  }
}

export class Hooks extends PduHooks<TcpSegment> {
  private proto: string | null = null;
  constructor(
    pinfo: PacketInfo, tree: Item, ti: Item,
    readonly sport: number, readonly dport: number, readonly st: TcpStream, seg: TcpSegment,
  ) {
    super(pinfo, tree, ti, seg);
  }

  protected layer(): PduLayer {
    return (TCP_LAYER ??= pduLayer("TCP", "Reassembled TCP Segments", f));
  }

  process(tvb: Tvb, offset: number, seq: number, nxtseq: number, reassembled: boolean): void {
    const seg = this.seg;
    const pinfo = this.pinfo;
    seg.seq = seq;
    seg.nxtseq = nxtseq >>> 0;
    seg.isReassembled = reassembled;
    seg.desegmentOffset = 0;
    seg.desegmentLen = 0;
    seg.keepsLayer = false;
    const depth = pinfo.layers.length;
    handPayload(tvb.sub(offset), pinfo, this.tree, this.sport, this.dport, this.st, seg);
    // a dissector that could not use any of it is not a layer of this frame (as tshark; TLS excepted)
    if (seg.desegmentLen !== 0 && seg.desegmentOffset === 0 && !(seg.keepsLayer as boolean)) pinfo.layers.length = depth;
    if (this.proto !== null && pinfo.cols !== null) pinfo.cols.protocol = this.proto;
  }
  isRetransmission(): boolean {
    // (with tcp.no_subdissector_on_error off, a retransmission may still fill a PDU's gap)
    const ta = this.st.ta;
    return ta !== null && (ta.flags & TA_RETRANSMISSION) !== 0 && this.pinfo.session.pref("tcp.no_subdissector_on_error", true);
  }
  override isSpurious(): boolean {
    const ta = this.st.ta;
    return ta !== null && (ta.flags & TA_SPURIOUS_RETRANSMISSION) !== 0;
  }
  markSegment(): void {
    const pinfo = this.pinfo;
    if (pinfo.cols === null) return;
    if (this.proto === null) pinfo.setProtocol("TCP");
    pinfo.appendInfoSep(" ", "[TCP segment of a reassembled PDU]");
  }
  fence(): void {
    const c = this.pinfo.cols;
    if (c === null) return;
    this.pinfo.infoFence = c.info.length;
    this.proto = c.protocol;
  }
  unfence(): void {
    this.proto = null;
  }
}

function tryPort(port: number, payload: Tvb, pinfo: PacketInfo, tree: Item, seg: TcpSegment): boolean {
  const p = lookupTable("tcp.port", port, pinfo.session);
  return p !== undefined && callDissector(p, payload, pinfo, tree, seg) !== 0;
}

