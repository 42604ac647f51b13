/**
 * TCP stream reassembly (Wireshark's desegment_tcp + the multi-segment-PDU table of
 * packet-tcp.c, with reassemble.c's fragment_add), as tshark 4.0 runs it in one pass.
 *
 * An application dissector that needs more bytes sets `desegmentOffset` /
 * `desegmentLen` on the TcpSegment it was handed (DESEGMENT_ONE_MORE_SEGMENT when
 * it cannot tell how many). TCP then remembers a "multi-segment PDU" (Msp) for that
 * direction, keyed by relative sequence number, keeps COPIES of the bytes, and on
 * the frame whose bytes complete the PDU builds a "Reassembled TCP (N bytes)" data
 * source and calls the sub-dissector again on it.
 *
 * - Out-of-order / overlapping segments: stored by offset inside the PDU; the PDU
 *   completes when the contiguous bytes reach its length. Earlier data wins on
 *   overlaps, conflicts are flagged. Missing data is never invented: a PDU with a
 *   hole simply never completes.
 * - Retransmissions of the first segment of a PDU are shown as "Retransmitted TCP
 *   segment data" and not dissected again.
 * - Memory is bounded per direction (MAX_PENDING bytes): beyond it the direction's
 *   pending PDUs are dropped and the caller adds an expert note.
 */
import type { Tvb } from "../core/tvb.js";
import { FD_MULTIPLETAILS, FD_OVERLAP, FD_OVERLAPCONFLICT, FD_TOOLONGFRAGMENT, placeFragments } from "./defrag.js";
import { LT_SEQ } from "./tcp.js";
import type { DesegmentHooks } from "./desegment-hooks.js";

export type { DesegmentHooks };

/** pinfo->desegment_len = DESEGMENT_ONE_MORE_SEGMENT. */
export const DESEGMENT_ONE_MORE_SEGMENT = 0x0fffffff;
/**
 * pinfo->desegment_len = DESEGMENT_UNTIL_FIN: the PDU runs to the end of the stream
 * (an HTTP response without Content-Length). TCP flags the direction and completes
 * the PDU on its first FIN (see finishAtFin).
 */
export const DESEGMENT_UNTIL_FIN = 0x0ffffffe;
/** Most bytes kept in unfinished PDUs of one direction. */
export const MAX_PENDING = 16 * 1024 * 1024;
/** Wireshark refuses to start a PDU that would span more than this (1 MiB) past the segment. */
const MAX_DESEG_SPAN = 1024 * 1024;

export { FD_MULTIPLETAILS, FD_OVERLAP, FD_OVERLAPCONFLICT, FD_TOOLONGFRAGMENT };

export interface Segment {
  frame: number;
  /** Offset inside the PDU. */
  offset: number;
  len: number;
  /** A copy of the bytes. */
  data: Uint8Array;
  flags: number;
}

/** One multi-segment PDU (tcp_multisegment_pdu + its fragment head). */
export class Msp {
  /** Segments sorted by offset. */
  readonly frags: Segment[] = [];
  /** PDU length once the last segment was added; -1 before. */
  datalen = -1;
  flags = 0;
  bytes = 0;
  /** Frame the PDU was completed in (0: not yet). */
  reassembledIn = 0;
  /** The sub-dissector asked for more after a reassembly: keep adding. */
  partial = false;
  /** "Reassemble the entire next segment" (DESEGMENT_ONE_MORE_SEGMENT). */
  oneMore = false;
  lastFrame: number;
  /** The reassembled bytes (once complete). */
  data: Uint8Array | null = null;

  constructor(
    /** Relative sequence number of the first byte. */
    readonly seq: number,
    /** Relative sequence number just past the PDU (as far as known). */
    public nxtpdu: number,
    readonly firstFrame: number,
  ) {
    this.lastFrame = firstFrame;
  }
}

/** The reassembly state of one direction of a stream (lives on TcpFlow.reassembly). */
export class FlowReassembly {
  /** Pending PDUs sorted by seq (unsigned, as Wireshark's wmem tree). */
  msps: Msp[] = [];
  pending = 0;
  /** Set when the memory bound dropped data (the caller reports it once per frame). */
  overflowed = false;
  /** A dissector asked for DESEGMENT_UNTIL_FIN (TCP_FLOW_REASSEMBLE_UNTIL_FIN). */
  untilFin = false;
  /** Frame of the FIN that ended this direction's data (0: none yet). */
  fin = 0;

  /** The PDU starting exactly at seq (wmem_tree_lookup32). */
  exact(seq: number): Msp | undefined {
    const m = this.msps;
    for (let i = m.length - 1; i >= 0; i--) if (m[i].seq === seq) return m[i];
    return undefined;
  }

  /** The PDU with the highest seq <= key (wmem_tree_lookup32_le). */
  le(key: number): Msp | undefined {
    const m = this.msps;
    let best: Msp | undefined;
    for (let i = 0; i < m.length; i++) {
      const s = m[i].seq;
      if (s <= key && (best === undefined || s > best.seq)) best = m[i];
    }
    return best;
  }

  /** pdu_store_sequencenumber_of_next_pdu: a new PDU at seq (replacing one with the same key). */
  store(seq: number, nxtpdu: number, frame: number): Msp {
    const msp = new Msp(seq, nxtpdu, frame);
    const m = this.msps;
    for (let i = 0; i < m.length; i++) {
      if (m[i].seq === seq) {
        this.pending -= m[i].bytes;
        m[i] = msp;
        return msp;
      }
    }
    let i = m.length;
    while (i > 0 && m[i - 1].seq > seq) i--;
    m.splice(i, 0, msp);
    // keep the table small: forget completed PDUs far behind this one
    if (m.length > 64) {
      for (let j = 0; j < m.length - 32; j++) {
        if (m[j].reassembledIn !== 0 && !m[j].partial) {
          this.pending -= m[j].bytes;
          m[j].frags.length = 0;
          m[j].bytes = 0;
        }
      }
      this.msps = m.filter((x, j) => j >= m.length - 32 || x.reassembledIn === 0 || x.partial);
    }
    return msp;
  }

  /**
   * fragment_add: the bytes [o, o+len) of `tvb` go at `offset` of the PDU (copied).
   * `more`: more segments follow. Returns true when this call completed the PDU.
   */
  add(msp: Msp, tvb: Tvb, o: number, len: number, offset: number, more: boolean, frame: number): boolean {
    const avail = Math.min(len, tvb.remaining(o));
    const data = avail > 0 ? tvb.bytes(o, avail).slice() : new Uint8Array(0);
    msp.lastFrame = frame;
    if (msp.reassembledIn !== 0 && !msp.partial) {
      // already complete: a late duplicate
      return false;
    }
    if (this.pending + data.length > MAX_PENDING) {
      this.dropAll();
      this.overflowed = true;
      return false;
    }
    const sg: Segment = { frame, offset, len: data.length, data, flags: 0 };
    if (!more) {
      const end = offset + sg.len;
      if (msp.datalen >= 0 && msp.datalen !== end) {
        sg.flags |= FD_MULTIPLETAILS;
        msp.flags |= FD_MULTIPLETAILS;
      } else msp.datalen = end;
    }
    const fr = msp.frags;
    let i = fr.length;
    while (i > 0 && fr[i - 1].offset > offset) i--;
    fr.splice(i, 0, sg);
    msp.bytes += sg.len;
    this.pending += sg.len;
    if (msp.datalen < 0) return false;
    let max = 0;
    for (const f of fr) if (f.offset <= max && f.offset + f.len > max) max = f.offset + f.len;
    if (max < msp.datalen) return false;
    defragment(msp);
    msp.reassembledIn = frame;
    msp.partial = false;
    return true;
  }

  /** fragment_set_partial_reassembly: the PDU needs more bytes after all. */
  setPartial(msp: Msp): void {
    msp.partial = true;
    msp.datalen = -1;
    msp.reassembledIn = 0;
  }

  dropAll(): void {
    this.msps = [];
    this.pending = 0;
  }
}

/** Build the PDU bytes from its segments (earlier offsets win; overlaps flagged). */
function defragment(msp: Msp): void {
  // a PDU can be rebuilt after more segments arrived: the placement flags start afresh
  for (const f of msp.frags) f.flags &= ~(FD_OVERLAP | FD_OVERLAPCONFLICT | FD_TOOLONGFRAGMENT);
  msp.data = placeFragments(msp);
}

/**
 * -2, first pass: the segments of a PDU put together in `frame` note it (`self`: this
 * frame's own segment too, where the PDU goes on being collected after it).
 */
export function noteSegments(h: DesegmentHooks, msp: Msp, frame: number, self: boolean): void {
  for (const sg of msp.frags) if (self || sg.frame !== frame) h.noteReassembledIn!(sg.frame, frame);
}

/**
 * desegment_tcp, one pass. `offset` is where the payload starts in tvb; seq/nxtseq
 * relative sequence numbers of the payload.
 */
export function desegment(
  fr: FlowReassembly, tvb: Tvb, offset: number, seq: number, nxtseq: number, frame: number, h: DesegmentHooks,
): void {
  let fenced = false;
  for (let guard = 0; guard < 100000; guard++) {
    let complete: Msp | null = null;
    let mustDesegment = false;
    let calledDissector = false;
    let anotherPduFollows = 0;
    let desegOffset = 0;
    let lastFragmentLen = 0;
    let desegLen = 0;
    let desegOff = 0;
    let segStart = offset;
    /** -2, second pass: the later frame that completes the PDU this segment belongs to. */
    let laterIn = 0;
    const pass = h.pass?.() ?? 0;

    // A segment (or retransmission of one) that starts a known PDU.
    const ex = fr.exact(seq);
    if (ex !== undefined && !LT_SEQ(ex.nxtpdu, nxtseq) && ex.lastFrame !== frame) {
      const retrans = ex.firstFrame !== frame;
      if (!retrans) h.markSegment(false);
      if (!retrans && ex.reassembledIn !== 0) h.reassembledIn(ex.reassembledIn);
      h.segmentData(tvb, offset, tvb.reportedRemainingFrom(offset), retrans);
      break;
    }

    // A spurious retransmission is ignored (no segment data, no PDU); a retransmission (TCP
    // analysis says so) is shown, never added to a PDU nor dissected again.
    if (guard === 0 && h.isSpurious()) break;
    if (guard === 0 && h.isRetransmission()) {
      h.segmentData(tvb, offset, tvb.reportedRemainingFrom(offset), true);
      break;
    }
    let msp = fr.le((seq - 1) >>> 0);
    if (msp !== undefined && !(msp.seq <= seq && msp.nxtpdu > seq)) msp = undefined;
    if (msp !== undefined) {
      // MSP_FLAGS_REASSEMBLE_ENTIRE_SEGMENT: the dissector asked for the whole next segment
      const end = LT_SEQ(nxtseq, msp.nxtpdu) ? nxtseq : msp.nxtpdu;
      const len = msp.oneMore ? tvb.reportedRemainingFrom(offset) : (end - seq) | 0;
      lastFragmentLen = len;
      const done = fr.add(msp, tvb, offset, len, (seq - msp.seq) >>> 0, LT_SEQ(nxtseq, msp.nxtpdu), frame);
      if (msp.oneMore) {
        // no other PDU starts inside this segment: the PDU reaches at least its end
        msp.oneMore = false;
        msp.nxtpdu = nxtseq;
      }
      if (done) complete = msp;
      if (LT_SEQ(msp.nxtpdu, nxtseq) && !LT_SEQ(msp.nxtpdu, seq) && len > 0) anotherPduFollows = (msp.nxtpdu - seq) | 0;
      if (!done && msp.reassembledIn !== 0 && msp.reassembledIn !== frame && !msp.partial) {
        // a late copy of a completed PDU
        h.reassembledIn(msp.reassembledIn);
      } else if (!done && pass === 2 && msp.reassembledIn === 0) {
        laterIn = h.reassembledInAhead!(frame) ?? 0;
        if (laterIn === frame) laterIn = 0;
      }
    } else {
      const cols = pass === 2 ? h.saveColumns!() : null;
      h.process(tvb, offset, seq, nxtseq, false);
      calledDissector = true;
      desegLen = h.desegLen();
      desegOff = h.desegOffset();
      if (desegLen !== 0) {
        mustDesegment = true;
        desegOffset = offset + desegOff;
        if (pass === 2) {
          // tshark's second pass finds the PDU its first pass began here and does not hand the
          // segment to the dissector again: the columns stay TCP's (whether or not a later
          // frame completed the PDU; if one did, it is named)
          laterIn = h.reassembledInAhead!(frame) ?? 0;
          if (laterIn === frame) laterIn = 0;
          if (desegOff === 0) h.restoreColumns!(cols);
        }
      }
    }

    let goAgain = false;
    if (complete !== null) {
      const rtvb = h.reassembledTvb(complete);
      const cols = pass === 2 ? h.saveColumns!() : null;
      h.process(rtvb, 0, complete.seq, complete.seq + complete.datalen, true);
      calledDissector = true;
      desegLen = h.desegLen();
      desegOff = h.desegOffset();
      const oldLen = complete.datalen - lastFragmentLen;
      if (desegLen !== 0 && desegOff <= oldLen) {
        // still not enough: extend the PDU and keep collecting
        if (desegLen === DESEGMENT_ONE_MORE_SEGMENT) {
          complete.oneMore = true;
          complete.nxtpdu = (seq + tvb.reportedRemainingFrom(offset) + 1) >>> 0;
        } else if (desegLen === DESEGMENT_UNTIL_FIN) {
          // (Wireshark leaves nxtpdu where it was and flags the direction)
          fr.untilFin = true;
        } else complete.nxtpdu = (seq + lastFragmentLen + desegLen) >>> 0;
        fr.setPartial(complete);
        // -2: tshark's table says where the PDU was last put together: here, until a later frame does it
        if (pass === 1) noteSegments(h, complete, frame, true);
        if (pass === 2) {
          // put together again later (or never): as above, the columns stay TCP's; if here, they are the dissector's
          laterIn = h.reassembledInAhead!(frame) ?? 0;
          if (laterIn !== frame) h.restoreColumns!(cols);
          else laterIn = 0;
        }
        anotherPduFollows = 0;
        segStart = offset;
        desegOff = 0;
        offset += lastFragmentLen;
        seq = (seq + lastFragmentLen) >>> 0;
        if (tvb.remaining(offset) > 0) {
          goAgain = true;
        }
      } else {
        if (pass === 1) noteSegments(h, complete, frame, false);
        const nbytes = anotherPduFollows > 0 && h.recordStyle !== true ? anotherPduFollows : tvb.reportedRemainingFrom(offset);
        h.segmentData(tvb, offset, nbytes, false);
        h.showSegments(complete, rtvb);
        if (desegLen !== 0) {
          // the PDU is done, but a new one starting in the tail of this segment needs more
          mustDesegment = true;
          desegOffset = tvb.reportedLength - (complete.datalen - desegOff);
        }
      }
    }
    if (goAgain) continue;

    if (mustDesegment) {
      if (desegLen === DESEGMENT_UNTIL_FIN) fr.untilFin = true;
      const desegSeq = (seq + (desegOffset - offset)) >>> 0;
      if (((nxtseq - desegSeq) >>> 0) <= MAX_DESEG_SPAN) {
        let m: Msp;
        if (desegLen === DESEGMENT_ONE_MORE_SEGMENT) {
          m = fr.store(desegSeq, (nxtseq + 1) >>> 0, frame);
          m.oneMore = true;
        } else {
          m = fr.store(desegSeq, (nxtseq + desegLen) >>> 0, frame);
        }
        fr.add(m, tvb, desegOffset, (nxtseq - desegSeq) | 0, 0, LT_SEQ(nxtseq, m.nxtpdu), frame);
      }
    }

    if (!calledDissector || desegLen !== 0) {
      // (tshark marks the segment only while on its first PDU: after a completed PDU the
      // Info of what was dissected stays as it is)
      if (desegOff === 0 && (!fenced || h.recordStyle === true)) h.markSegment(fenced);
      if (laterIn !== 0) h.reassembledIn(laterIn);
      const at = mustDesegment ? desegOffset : segStart;
      h.segmentData(tvb, at, tvb.reportedRemainingFrom(at), false);
    }

    if (anotherPduFollows > 0) {
      if (!fenced) {
        h.fence();
        fenced = true;
      }
      offset += anotherPduFollows;
      seq = (seq + anotherPduFollows) >>> 0;
      continue;
    }
    break;
  }
  if (fenced) h.unfence();
}

/**
 * dissect_tcp's "reassemble until FIN": on the first FIN of a direction whose dissector
 * asked for DESEGMENT_UNTIL_FIN, this segment's bytes (perhaps none) are the last of the
 * PDU pending before it. Returns that PDU when it is now complete (the caller shows its
 * segments and hands it on, without offering desegmentation again), else null.
 */
export function finishAtFin(fr: FlowReassembly, tvb: Tvb, offset: number, seq: number, seglen: number, frame: number): Msp | null {
  const msp = fr.le((seq - 1) >>> 0);
  if (msp === undefined) return null;
  return fr.add(msp, tvb, offset, seglen, (seq - msp.seq) >>> 0, false, frame) ? msp : null;
}
