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
 *    reserved below), keyed by relative sequence number;
 *  - an application dissector asks for "N more bytes" by setting
 *    `segment.desegmentOffset`/`segment.desegmentLen` (Wireshark's
 *    pinfo->desegment_offset/len) and returning; the TCP dissector's
 *    `handPayload` then stores the bytes in the flow buffer and adds
 *    tcp.segment_data / tcp.reassembled_in, instead of calling the port table
 *    right away, and calls it with a reassembled Tvb once the PDU is complete
 *    (`segment.isReassembled = true`).
 */
import { fieldByAbbrev, type Field, type Time } from "../core/field.js";
import type { Item } from "../core/tree.js";
import type { Tvb } from "../core/tvb.js";
import { ConversationKeyer, ConversationTable } from "./conversation.js";

/* tcp_acked flags (Wireshark's TCP_A_*) */
export const TA_RETRANSMISSION = 0x0001;
export const TA_LOST_PACKET = 0x0002;
export const TA_ACK_LOST_PACKET = 0x0004;
export const TA_KEEP_ALIVE = 0x0008;
export const TA_DUPLICATE_ACK = 0x0010;
export const TA_ZERO_WINDOW = 0x0020;
export const TA_ZERO_WINDOW_PROBE = 0x0040;
export const TA_ZERO_WINDOW_PROBE_ACK = 0x0080;
export const TA_KEEP_ALIVE_ACK = 0x0100;
export const TA_OUT_OF_ORDER = 0x0200;
export const TA_FAST_RETRANSMISSION = 0x0400;
export const TA_WINDOW_UPDATE = 0x0800;
export const TA_WINDOW_FULL = 0x1000;
export const TA_REUSED_PORTS = 0x2000;
export const TA_SPURIOUS_RETRANSMISSION = 0x4000;

/* TCP header flags */
export const TH_FIN = 0x001;
export const TH_SYN = 0x002;
export const TH_RST = 0x004;
export const TH_PUSH = 0x008;
export const TH_ACK = 0x010;
export const TH_URG = 0x020;
export const TH_ECE = 0x040;
export const TH_CWR = 0x080;
export const TH_AE = 0x100;
export const TH_RES = 0xe00;
export const TH_MASK = 0xfff;

/* static flags of a flow */
const S_BASE_SEQ_SET = 0x01;
const S_SAW_SYN = 0x03;
const S_SAW_SYNACK = 0x05;

/** Wireshark stops remembering unacked segments past this many (TCP_MAX_UNACKED_SEGMENTS). */
const MAX_UNACKED = 10000;
/** SACK blocks kept for bytes-in-flight (MAX_TCP_SACK_RANGES). */
export const MAX_SACK_RANGES = 4;

/** Conversation completeness bits (tcp.completeness). */
export const COMPLETENESS_SYNSENT = 0x01;
export const COMPLETENESS_SYNACK = 0x02;
export const COMPLETENESS_ACK = 0x04;
export const COMPLETENESS_DATA = 0x08;
export const COMPLETENESS_FIN = 0x10;
export const COMPLETENESS_RST = 0x20;

// Sequence-space comparisons (modulo 2^32).
export const GT_SEQ = (x: number, y: number): boolean => ((y - x) | 0) < 0;
export const LT_SEQ = (x: number, y: number): boolean => ((x - y) | 0) < 0;
export const LE_SEQ = (x: number, y: number): boolean => ((x - y) | 0) <= 0;
export const GE_SEQ = (x: number, y: number): boolean => ((x - y) | 0) >= 0;

/** One segment sent but not yet acknowledged (tcp_unacked_t). */
interface Unacked {
  next: Unacked | null;
  frame: number;
  seq: number;
  nextseq: number;
  s: number;
  ns: number;
}

/** Analysis results of one segment (Wireshark's tcp_acked). */
export class TcpAcked {
  flags = 0;
  frameAcked = 0;
  /** ACK RTT (when frameAcked). */
  rttS = 0;
  rttNs = 0;
  rtoS = 0;
  rtoNs = 0;
  rtoFrame = 0;
  dupackNum = 0;
  dupackFrame = 0;
  bytesInFlight = 0;
  pushBytesSent = 0;
}

/** One direction of a TCP stream (tcp_flow_t + tcp_analyze_seq_flow_info_t). */
export class TcpFlow {
  baseSeq = 0;
  staticFlags = 0;
  /** -1 unknown, -2 no scaling, else the shift. */
  winScale = -1;
  /** Last raw window seen (G_MAXUINT32 before any). */
  window = 0xffffffff;
  segments: Unacked | null = null;
  segmentCount = 0;
  nextseq = 0;
  nextseqframe = 0;
  nextseqS = 0;
  nextseqNs = 0;
  lastack = 0;
  lastackS = 0;
  lastackNs = 0;
  lastnondupack = 0;
  dupacknum = 0;
  maxseqtobeacked = 0;
  numSackRanges = 0;
  readonly sackLE = new Array<number>(MAX_SACK_RANGES).fill(0);
  readonly sackRE = new Array<number>(MAX_SACK_RANGES).fill(0);
  lastsegmentflags = 0;
  validBif = true;
  pushBytesSent = 0;
  pushSetLast = false;
  closingInitiator = false;
  isFirstAck = false;
  /** MPTCP option kinds seen up to this flow's previous segment (dup-ACK tolerance). */
  mpOperations = 0;
  /** Stream reassembly state of this direction (a FlowReassembly, made on first use). */
  reassembly: unknown = null;
}

/** A TCP conversation ("stream"): both directions and what the analysis remembers. */
export class TcpStream {
  readonly flow1 = new TcpFlow();
  readonly flow2 = new TcpFlow();
  /** The direction of the packet being dissected, and the other one. */
  fwd: TcpFlow;
  rev: TcpFlow;
  /** Analysis of the current packet (null when nothing to say). */
  ta: TcpAcked | null = null;
  tsFirstS: number;
  tsFirstNs: number;
  tsPrevS: number;
  tsPrevNs: number;
  tsMruSynS = 0;
  tsMruSynNs = 0;
  tsFirstRttS = 0;
  tsFirstRttNs = 0;
  serverPort = 0;
  completeness = 0;
  tfoSynData = false;
  /** A SYN with AE+CWR+ECE was seen (AccECN setup). */
  accEcnSyn = false;
  /** ...and answered by an AccECN SYN/ACK: later segments carry the ACE counter. */
  accEcn = false;
  /** MPTCP seen on this stream (null = never). */
  mpOperations: number | null = null;

  constructor(readonly stream: number, tsS: number, tsNs: number) {
    this.fwd = this.flow1;
    this.rev = this.flow2;
    this.tsFirstS = this.tsPrevS = tsS;
    this.tsFirstNs = this.tsPrevNs = tsNs;
  }

  /** The analysis record of this packet, made on first use (tcp_analyze_get_acked_struct). */
  acked(): TcpAcked {
    if (this.ta === null) this.ta = new TcpAcked();
    return this.ta;
  }
}

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

/** Time difference a - b in ns as a number, where a "negative" result counts as huge (guint64 wrap). */
function deltaNs(aS: number, aNs: number, bS: number, bNs: number): number {
  const t = (aS - bS) * 1e9 + (aNs - bNs);
  return t < 0 ? Number.MAX_VALUE : t;
}

function setDelta(ta: TcpAcked, which: "rtt" | "rto", aS: number, aNs: number, bS: number, bNs: number): void {
  let s = aS - bS;
  let ns = aNs - bNs;
  if (s > 0 && ns < 0) {
    s -= 1;
    ns += 1e9;
  } else if (s < 0 && ns > 0) {
    s += 1;
    ns -= 1e9;
  }
  if (which === "rtt") {
    ta.rttS = s;
    ta.rttNs = ns;
  } else {
    ta.rtoS = s;
    ta.rtoNs = ns;
  }
}

/**
 * tcp_analyze_sequence_number: update the flows with this segment and fill st.ta.
 * seq/ack are raw (absolute); window is the raw header window.
 */
export function analyzeSequenceNumber(
  st: TcpStream, frame: number, tsS: number, tsNs: number,
  seq: number, ack: number, seglen: number, flags: number, window: number,
  fastRtPrecedence = true,
): void {
  const fwd = st.fwd;
  const rev = st.rev;

  // Base sequence numbers (relative numbering starts at 1 when the SYN was not seen).
  if (!(fwd.staticFlags & S_BASE_SEQ_SET)) {
    if (flags & TH_SYN) {
      fwd.baseSeq = seq;
      fwd.staticFlags |= flags & TH_ACK ? S_SAW_SYNACK : S_SAW_SYN;
    } else {
      fwd.baseSeq = (seq - 1) >>> 0;
    }
    fwd.staticFlags |= S_BASE_SEQ_SET;
  }
  if (!(rev.staticFlags & S_BASE_SEQ_SET) && flags & TH_ACK) {
    rev.baseSeq = (ack - 1) >>> 0;
    rev.staticFlags |= S_BASE_SEQ_SET;
  }
  if (flags & TH_ACK) rev.validBif = true;

  analyze: {
    // ZERO WINDOW PROBE: the next expected byte, alone, into a zero window.
    if (seglen === 1 && seq === fwd.nextseq && rev.window === 0) {
      st.acked().flags |= TA_ZERO_WINDOW_PROBE;
      break analyze;
    }
    // ZERO WINDOW
    if (window === 0 && (flags & (TH_RST | TH_FIN | TH_SYN)) === 0) st.acked().flags |= TA_ZERO_WINDOW;

    // LOST PACKET: beyond the highest nextseq seen.
    if (fwd.nextseq !== 0 && GT_SEQ(seq, fwd.nextseq) && (flags & TH_RST) === 0) {
      st.acked().flags |= TA_LOST_PACKET;
      fwd.validBif = false;
    }

    // KEEP ALIVE: 0/1 byte one before the next expected sequence number.
    if ((seglen === 0 || seglen === 1) && seq === ((fwd.nextseq - 1) >>> 0) && (flags & (TH_SYN | TH_FIN | TH_RST)) === 0) {
      st.acked().flags |= TA_KEEP_ALIVE;
    }

    // WINDOW UPDATE
    if (
      seglen === 0 && window !== 0 && window !== fwd.window && seq === fwd.nextseq &&
      ack === fwd.lastack && (flags & (TH_SYN | TH_FIN | TH_RST)) === 0
    ) {
      st.acked().flags |= TA_WINDOW_UPDATE;
    }

    // WINDOW FULL
    if (seglen > 0 && rev.winScale !== -1 && (flags & (TH_SYN | TH_FIN | TH_RST)) === 0) {
      const shift = rev.isFirstAck ? 0 : rev.winScale === -2 ? 0 : rev.winScale;
      const edge = (rev.lastack + ((rev.window << shift) >>> 0)) >>> 0;
      if (((seq + seglen) >>> 0) === edge) st.acked().flags |= TA_WINDOW_FULL;
    }

    // KEEP ALIVE ACK
    if (
      seglen === 0 && window !== 0 && window === fwd.window && seq === fwd.nextseq &&
      ack === fwd.lastack && rev.lastsegmentflags & TA_KEEP_ALIVE && (flags & (TH_SYN | TH_FIN | TH_RST)) === 0
    ) {
      st.acked().flags |= TA_KEEP_ALIVE_ACK;
      break analyze;
    }

    // ZERO WINDOW PROBE ACK
    if (
      seglen === 0 && window === 0 && window === fwd.window && seq === fwd.nextseq &&
      ack === fwd.lastack && rev.lastsegmentflags & TA_ZERO_WINDOW_PROBE && (flags & (TH_SYN | TH_FIN | TH_RST)) === 0
    ) {
      st.acked().flags |= TA_ZERO_WINDOW_PROBE_ACK;
      break analyze;
    }

    // DUPLICATE ACK
    if (
      seglen === 0 && window !== 0 && window === fwd.window && seq === fwd.nextseq &&
      ack === fwd.lastack && (flags & (TH_SYN | TH_FIN | TH_RST)) === 0
    ) {
      // MPTCP tolerates duplicate ACKs that carry new MPTCP signalling (RFC 8684 §4).
      if (!(st.mpOperations !== null && st.mpOperations !== fwd.mpOperations)) {
        fwd.dupacknum++;
        const ta = st.acked();
        ta.flags |= TA_DUPLICATE_ACK;
        ta.dupackNum = fwd.dupacknum;
        ta.dupackFrame = fwd.lastnondupack;
      }
    }
  }

  // finished_fwd: a new ACK number resets the dup-ACK counters.
  if (ack !== fwd.lastack) {
    fwd.lastnondupack = frame;
    fwd.dupacknum = 0;
  }

  // ACKED LOST PACKET: this ACKs beyond what we saw in the other direction
  // (4.0: flag it once, then move the mark to what was seen).
  if (rev.maxseqtobeacked !== 0 && GT_SEQ(ack, rev.maxseqtobeacked) && (flags & TH_ACK) !== 0) {
    st.acked().flags |= TA_ACK_LOST_PACKET;
    rev.maxseqtobeacked = rev.nextseq;
  }

  // RETRANSMISSION / FAST RETRANSMISSION / OUT-OF-ORDER
  retrans: if (seglen > 0 || flags & (TH_SYN | TH_FIN)) {
    let seqNotAdvanced = fwd.nextseq !== 0 && LT_SEQ(seq, fwd.nextseq);
    if (st.ta !== null && st.ta.flags & TA_KEEP_ALIVE) break retrans;
    // More than one byte starting one before nextseq (after a zero window probe) is new data.
    if (seglen > 1 && ((fwd.nextseq - 1) >>> 0) === seq) seqNotAdvanced = false;

    // SPURIOUS: everything in it was already ACKed.
    if (seglen > 0 && rev.lastack !== 0 && LE_SEQ((seq + seglen) >>> 0, rev.lastack)) {
      st.acked().flags |= TA_SPURIOUS_RETRANSMISSION;
      break retrans;
    }

    let prec = fastRtPrecedence;
    do {
      if (prec) {
        // FAST RETRANSMISSION: >= 2 dup ACKs for this seq, within 20 ms of the last one.
        const t = deltaNs(tsS, tsNs, rev.lastackS, rev.lastackNs);
        if (seqNotAdvanced && rev.dupacknum >= 2 && rev.lastack === seq && t < 20000000) {
          st.acked().flags |= TA_FAST_RETRANSMISSION;
          break retrans;
        }
      } else {
        // OUT-OF-ORDER: close (within the iRTT, or 3 ms) to the segment with the highest seq.
        const t = deltaNs(tsS, tsNs, fwd.nextseqS, fwd.nextseqNs);
        const thres = st.tsFirstRttS === 0 && st.tsFirstRttNs === 0 ? 3000000 : st.tsFirstRttNs + st.tsFirstRttS * 1e9;
        const end = (seq + seglen + (flags & (TH_SYN | TH_FIN) ? 1 : 0)) >>> 0;
        if (seqNotAdvanced && t < thres && fwd.nextseq !== end) {
          st.acked().flags |= TA_OUT_OF_ORDER;
          break retrans;
        }
      }
      prec = !prec;
    } while (prec !== fastRtPrecedence);

    if (seqNotAdvanced) {
      // A plain retransmission; RTO measured from the oldest unacked segment.
      const ta = st.acked();
      ta.flags |= TA_RETRANSMISSION;
      setDelta(ta, "rto", tsS, tsNs, fwd.nextseqS, fwd.nextseqNs);
      ta.rtoFrame = fwd.nextseqframe;
      for (let u = fwd.segments; u !== null; u = u.next) {
        setDelta(ta, "rto", tsS, tsNs, u.s, u.ns);
        ta.rtoFrame = u.frame;
      }
    }
  }

  // Remember this segment as unacked.
  let nextseq = (seq + seglen) >>> 0;
  if ((seglen !== 0 || flags & (TH_SYN | TH_FIN)) && fwd.segmentCount < MAX_UNACKED) {
    if (flags & (TH_SYN | TH_FIN)) nextseq = (nextseq + 1) >>> 0;
    fwd.segments = { next: fwd.segments, frame, seq, nextseq, s: tsS, ns: tsNs };
    fwd.segmentCount++;
  }

  const zwp = st.ta !== null && (st.ta.flags & TA_ZERO_WINDOW_PROBE) !== 0;
  // Highest nextseq seen (zero window probes don't advance it).
  if (GT_SEQ(nextseq, fwd.nextseq) || fwd.nextseq === 0) {
    if (!zwp) {
      fwd.nextseq = nextseq;
      fwd.nextseqframe = frame;
      fwd.nextseqS = tsS;
      fwd.nextseqNs = tsNs;
    }
  }
  // Highest continuous seq ("max seq to be acked").
  if (seq === fwd.maxseqtobeacked || fwd.maxseqtobeacked === 0) {
    if (!zwp) fwd.maxseqtobeacked = fwd.nextseq;
  }

  fwd.window = window;
  fwd.lastack = ack;
  fwd.lastackS = tsS;
  fwd.lastackNs = tsNs;
  if (st.mpOperations !== null) fwd.mpOperations = st.mpOperations;
  fwd.lastsegmentflags = st.ta !== null ? st.ta.flags : 0;

  // Drop what this ACKs from the other direction's unacked list.
  let prev: Unacked | null = null;
  let u = rev.segments;
  while (u !== null) {
    if (ack === u.nextseq) {
      const ta = st.acked();
      ta.frameAcked = u.frame;
      setDelta(ta, "rtt", tsS, tsNs, u.s, u.ns);
    } else if (GT_SEQ(ack, u.seq) && LE_SEQ(ack, u.nextseq)) {
      // partly acknowledged: keep the rest (and look at it again)
      u.seq = ack;
      continue;
    } else if (GT_SEQ(u.nextseq, ack)) {
      prev = u;
      u = u.next;
      continue;
    }
    const nx: Unacked | null = u.next;
    if (prev === null) rev.segments = nx;
    else prev.next = nx;
    u = nx;
    rev.segmentCount--;
  }

  // Bytes in flight (payload based, Wireshark's default).
  const first = fwd.segments;
  if (seglen !== 0 && first !== null && fwd.validBif) {
    const base = fwd.baseSeq;
    let firstSeq = (first.seq - base) >>> 0;
    let lastSeq = (first.nextseq - base) >>> 0;
    for (let s: Unacked | null = first; s !== null; s = s.next) {
      const ns = (s.nextseq - base) >>> 0;
      const ss = (s.seq - base) >>> 0;
      if (ns > lastSeq) lastSeq = ns;
      if (ss < firstSeq) firstSeq = ss;
    }
    let inFlight = (lastSeq - firstSeq) >>> 0;
    if (rev.numSackRanges > 0) {
      let delivered = 0;
      for (let i = 0; i < rev.numSackRanges; i++) delivered = (delivered + rev.sackRE[i + 1] - rev.sackLE[i + 1]) >>> 0;
      inFlight = (inFlight - delivered) >>> 0;
    }
    const ta = st.acked();
    if (inFlight > 0 && inFlight < 2000000000) {
      ta.bytesInFlight = inFlight;
      if (flags & (TH_SYN | TH_FIN)) ta.bytesInFlight = (ta.bytesInFlight - 1) >>> 0;
    }
    if (flags & TH_PUSH && !fwd.pushSetLast) {
      fwd.pushBytesSent += seglen;
      fwd.pushSetLast = true;
    } else if (flags & TH_PUSH && fwd.pushSetLast) {
      fwd.pushBytesSent = seglen;
      fwd.pushSetLast = true;
    } else if (fwd.pushSetLast) {
      fwd.pushBytesSent = seglen;
      fwd.pushSetLast = false;
    } else {
      fwd.pushBytesSent += seglen;
    }
    fwd.pushBytesSent >>>= 0;
    ta.pushBytesSent = fwd.pushBytesSent;
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
