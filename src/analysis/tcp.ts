/**
 * TCP per-stream state: stream index, relative sequence numbers, window scaling and
 * the one-pass SEQ/ACK analysis (retransmissions, dup ACKs, lost segments, RTT,
 * bytes in flight…), following the rules of Wireshark's packet-tcp.c
 * (tcp_analyze_sequence_number) so that results equal `tshark -r` without -2.
 *
 * All sequence arithmetic is modulo 2^32 (`>>> 0`); the *_SEQ comparisons are the
 * signed-difference ones TCP itself uses.
 *
 * ── The reassembly seam ──────────────────────────────────────────────────────
 * The TCP dissector hands every payload to the sub-dissector with a `TcpSegment`
 * (below) as `data`: the stream, the direction (`flow`), relative `seq`/`nxtseq`,
 * the ACK and the flags. Stream reassembly (a later issue) plugs in here without
 * touching the dissector's structure:
 *  - per-direction reassembly buffers live on `TcpFlow` (field `reassembly`,
 *    reserved in tcp-stream.ts), keyed by relative sequence number;
 *  - an application dissector asks for "N more bytes" by setting
 *    `segment.desegmentOffset`/`segment.desegmentLen` (Wireshark's
 *    pinfo->desegment_offset/len) and returning; the TCP dissector's
 *    `handPayload` then stores the bytes in the flow buffer and adds
 *    tcp.segment_data / tcp.reassembled_in, instead of calling the port table
 *    right away, and calls it with a reassembled Tvb once the PDU is complete
 *    (`segment.isReassembled = true`).
 *
 * The constants and the per-stream records are in tcp-stream.ts, the SEQ/ACK analysis in
 * tcp-sequence.ts; this file holds the conversation lookup (TcpState, tcpStreamFor), the
 * reassembly seam (TcpSegment) and re-exports the rest, so importers use tcp.js only.
 */
import { fieldByAbbrev, type Field, type Time } from "../core/field.js";
import type { Item } from "../core/tree.js";
import type { Tvb } from "../core/tvb.js";
import { ConversationKeyer, ConversationTable } from "./conversation.js";
import { S_BASE_SEQ_SET, TA_REUSED_PORTS, TH_ACK, TH_SYN, TcpStream, type TcpFlow } from "./tcp-stream.js";

export {
  TA_RETRANSMISSION,
  TA_LOST_PACKET,
  TA_ACK_LOST_PACKET,
  TA_KEEP_ALIVE,
  TA_DUPLICATE_ACK,
  TA_ZERO_WINDOW,
  TA_ZERO_WINDOW_PROBE,
  TA_ZERO_WINDOW_PROBE_ACK,
  TA_KEEP_ALIVE_ACK,
  TA_OUT_OF_ORDER,
  TA_FAST_RETRANSMISSION,
  TA_WINDOW_UPDATE,
  TA_WINDOW_FULL,
  TA_REUSED_PORTS,
  TA_SPURIOUS_RETRANSMISSION,
  TH_FIN,
  TH_SYN,
  TH_RST,
  TH_PUSH,
  TH_ACK,
  TH_URG,
  TH_ECE,
  TH_CWR,
  TH_AE,
  TH_RES,
  TH_MASK,
  MAX_SACK_RANGES,
  COMPLETENESS_SYNSENT,
  COMPLETENESS_SYNACK,
  COMPLETENESS_ACK,
  COMPLETENESS_DATA,
  COMPLETENESS_FIN,
  COMPLETENESS_RST,
  GT_SEQ,
  LT_SEQ,
  LE_SEQ,
  GE_SEQ,
  TcpAcked,
  TcpFlow,
  TcpStream,
} from "./tcp-stream.js";
export { analyzeSequenceNumber } from "./tcp-sequence.js";

/**
 * What the TCP dissector hands to the dissector of its payload (Wireshark's struct
 * tcpinfo, plus the stream). See the reassembly seam above.
 */
export interface TcpSegment {
  stream: TcpStream | null;
  /** Direction of this segment within the stream (its TcpFlow), null without a stream. */
  flow: TcpFlow | null;
  /** Relative sequence number of the first payload byte, and of the byte after it. */
  seq: number;
  nxtseq: number;
  /** Relative ACK. */
  lastackseq: number;
  flags: number;
  urgentPointer: number;
  /** True when the payload is a reassembled PDU rather than one segment. */
  isReassembled: boolean;
  /** Set by an application dissector that needs more bytes (see analysis/reassembly.ts). */
  desegmentOffset: number;
  desegmentLen: number;
  /** True when TCP will honour a desegment request (reassembly on, a stream, not an IP fragment). */
  canDesegment: boolean;
  /**
   * Set with a desegment request at offset 0 by a dissector whose layer tshark keeps in
   * frame.protocols all the same (TLS, which adds its item first); others are dropped from it.
   */
  keepsLayer?: boolean;
  /** The TCP layer's tree item (where tcp_dissect_pdus-style dissectors put tcp.pdu.size); null when unknown. */
  tcpTree?: Item | null;
}

let PDU_SIZE: Field | undefined;

/**
 * tcp_dissect_pdus' "PDU Size" item: a dissector that cuts the TCP payload into
 * length-prefixed PDUs (DNS over TCP, OpenVPN over TCP…) calls this once per PDU it
 * found, with the PDU's offset and total length (prefix included), as tshark does;
 * the generated tcp.pdu.size goes under the TCP item of the segment.
 */
export function addPduSize(seg: TcpSegment | null | undefined, tvb: Tvb, offset: number, plen: number): void {
  const ti = seg?.tcpTree;
  if (ti === null || ti === undefined) return;
  PDU_SIZE ??= fieldByAbbrev("tcp.pdu.size");
  if (PDU_SIZE !== undefined) ti.addGenerated(PDU_SIZE, tvb, offset, Math.min(plen, tvb.remaining(offset)), plen);
}

/** Per-capture TCP state (lives in the session: never module globals). */
export class TcpState {
  readonly conversations = new ConversationTable<TcpStream>();
  private readonly keyer = new ConversationKeyer();
  /** Result of the last find(): the key and direction of the packet. */
  key = "";
  dir: 1 | -1 = 1;
  /** Set by tcpStreamFor: the packet started a new conversation (none matched). */
  isNew = false;
  /** Session prefs read once (by the dissector, on first use of this state): not a lookup per packet. */
  prefsRead = false;
  /** tcp.fastrt_supersedes_ooo */
  fastRtSupersedesOoo = true;
  /** tcp.desegment_tcp_streams */
  desegmentStreams = true;

  /** Look up the current conversation of a packet (sets this.key/this.dir). */
  find(src: Uint8Array | null, dst: Uint8Array | null, sport: number, dport: number): TcpStream | undefined {
    const k = this.keyer;
    k.compute(src, dst, sport, dport);
    this.dir = k.dir;
    this.key = k.key;
    return this.conversations.get(this.key);
  }

  /** Start a new conversation for the key of the last find(). */
  create(tsS: number, tsNs: number): TcpStream {
    const st = new TcpStream(this.conversations.count++, tsS, tsNs);
    this.conversations.set(this.key, st);
    return st;
  }

  /** Point fwd/rev of `st` at this packet's direction and clear the per-packet analysis. */
  orient(st: TcpStream): void {
    if (this.dir >= 0) {
      st.fwd = st.flow1;
      st.rev = st.flow2;
    } else {
      st.fwd = st.flow2;
      st.rev = st.flow1;
    }
    st.ta = null;
  }
}

/**
 * Per-stream bookkeeping done by the dissector before the analysis: the conversation
 * lookup with Wireshark's port-reuse rules (a SYN with a new ISN starts a new stream).
 * Returns the stream for this packet, oriented (fwd = this packet's direction).
 */
export function tcpStreamFor(
  state: TcpState, src: Uint8Array | null, dst: Uint8Array | null, sport: number, dport: number,
  seq: number, ack: number, flags: number, tsS: number, tsNs: number,
): TcpStream {
  let st = state.find(src, dst, sport, dport);
  state.isNew = false;
  if (st === undefined) {
    st = state.create(tsS, tsNs);
    state.isNew = true;
  }
  state.orient(st);

  if ((flags & (TH_SYN | TH_ACK)) === TH_SYN && st.fwd.staticFlags & S_BASE_SEQ_SET) {
    if (seq !== st.fwd.baseSeq) {
      // A new connection over the same ports.
      st = state.create(tsS, tsNs);
      state.orient(st);
      st.acked().flags |= TA_REUSED_PORTS;
      st.completeness = 1;
    } else {
      // The same SYN again: restore nextseq (a RST may have moved it, issue 17616).
      // (tshark 4.0 does not flag this one as reused ports.)
      st.fwd.nextseq = st.fwd.maxseqtobeacked;
    }
  }
  if ((flags & (TH_SYN | TH_ACK)) === (TH_SYN | TH_ACK) && st.fwd.staticFlags & S_BASE_SEQ_SET && seq !== st.fwd.baseSeq) {
    // SYN/ACK with a new ISN: the same (newest) conversation, new base.
    st.fwd.baseSeq = seq;
    st.acked().flags |= TA_REUSED_PORTS;
  }
  return st;
}

export type { Time };
