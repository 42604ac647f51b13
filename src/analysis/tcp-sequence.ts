/**
 * The one-pass TCP SEQ/ACK analysis (retransmissions, dup ACKs, lost segments, RTT,
 * bytes in flight…), following the rules of Wireshark's packet-tcp.c
 * (tcp_analyze_sequence_number) so that results equal `tshark -r` without -2.
 *
 * All sequence arithmetic is modulo 2^32 (`>>> 0`); the *_SEQ comparisons are the
 * signed-difference ones TCP itself uses. Re-exported by tcp.ts.
 */
import { timeDelta } from "../core/time.js";
import {
  GT_SEQ,
  LE_SEQ,
  LT_SEQ,
  S_BASE_SEQ_SET,
  S_SAW_SYN,
  S_SAW_SYNACK,
  TA_ACK_LOST_PACKET,
  TA_DUPLICATE_ACK,
  TA_FAST_RETRANSMISSION,
  TA_KEEP_ALIVE,
  TA_KEEP_ALIVE_ACK,
  TA_LOST_PACKET,
  TA_OUT_OF_ORDER,
  TA_RETRANSMISSION,
  TA_SPURIOUS_RETRANSMISSION,
  TA_WINDOW_FULL,
  TA_WINDOW_UPDATE,
  TA_ZERO_WINDOW,
  TA_ZERO_WINDOW_PROBE,
  TA_ZERO_WINDOW_PROBE_ACK,
  TH_ACK,
  TH_FIN,
  TH_PUSH,
  TH_RST,
  TH_SYN,
  type TcpAcked,
  type TcpStream,
  type Unacked,
} from "./tcp-stream.js";

/** Wireshark stops remembering unacked segments past this many (TCP_MAX_UNACKED_SEGMENTS). */
const MAX_UNACKED = 10000;

/** Time difference a - b in ns as a number, where a "negative" result counts as huge (guint64 wrap). */
function deltaNs(aS: number, aNs: number, bS: number, bNs: number): number {
  const t = (aS - bS) * 1e9 + (aNs - bNs);
  return t < 0 ? Number.MAX_VALUE : t;
}

function setDelta(ta: TcpAcked, which: "rtt" | "rto", aS: number, aNs: number, bS: number, bNs: number): void {
  const d = timeDelta(aS, aNs, bS, bNs);
  if (which === "rtt") {
    ta.rttS = d.s;
    ta.rttNs = d.ns;
  } else {
    ta.rtoS = d.s;
    ta.rtoNs = d.ns;
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
        // (-1: an "ACKed unseen segment" latch, see below; this is the first duplicate)
        fwd.dupacknum = fwd.dupacknum === -1 ? 1 : fwd.dupacknum + 1;
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

  // ACKED LOST PACKET: this ACKs beyond what we saw in the other direction. Flagged when the
  // other direction has sent more since the mark (the mark then moves to what was seen);
  // otherwise once, until the other direction's ACK moves (its dup-ACK count is the latch).
  if (rev.maxseqtobeacked !== 0 && GT_SEQ(ack, rev.maxseqtobeacked) && (flags & TH_ACK) !== 0) {
    const ta = st.acked();
    if (LT_SEQ(rev.maxseqtobeacked, rev.nextseq)) {
      rev.maxseqtobeacked = rev.nextseq;
      ta.flags |= TA_ACK_LOST_PACKET;
    } else {
      if (rev.dupacknum === 0) ta.flags |= TA_ACK_LOST_PACKET;
      rev.dupacknum = -1;
    }
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
