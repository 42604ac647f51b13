/**
 * What desegment() (reassembly.ts) asks of the layer that reassembles: TCP's payload glue
 * and TLS's record layer implement it, through PduHooks (segment-tree.ts).
 */
import type { Tvb } from "../core/tvb.js";
import type { Msp } from "./reassembly.js";

/** What desegment() needs from the TCP dissector (tree items, calling the sub-dissector). */
export interface DesegmentHooks {
  /**
   * Hand [offset..) of tvb (or a reassembled tvb) to the sub-dissectors with this
   * seq/nxtseq; return the desegment request {offset, len} they made (len 0: none).
   */
  process(tvb: Tvb, offset: number, seq: number, nxtseq: number, reassembled: boolean): void;
  /** After process(): what the sub-dissector asked for. */
  desegOffset(): number;
  desegLen(): number;
  /** "TCP segment data (n bytes)" (retransmitted: "Retransmitted TCP segment data"). */
  segmentData(tvb: Tvb, offset: number, len: number, retransmitted: boolean): void;
  reassembledIn(frame: number): void;
  /** The segment list of a completed PDU, and the reassembled tvb to call on. */
  reassembledTvb(msp: Msp): Tvb;
  showSegments(msp: Msp, rtvb: Tvb): void;
  /** The segment is a plain retransmission (tshark shows it, undissected, as retransmitted data). */
  isRetransmission(): boolean;
  /** TCP analysis found it a spurious retransmission (all of it ACKed before): tshark leaves it alone. */
  isSpurious(): boolean;
  /** "[TCP segment of a reassembled PDU]", protocol "TCP" (afterPdu: a PDU of this segment was shown before it). */
  markSegment(afterPdu: boolean): void;
  /** Another PDU follows in this segment: fence the columns. */
  fence(): void;
  unfence(): void;
  /**
   * -2 (src/core/twopass.ts): 1 in the first pass, 2 in the second, 0 in one pass. The first
   * pass notes, for each segment of a completed PDU, the frame it was completed in; the
   * second shows it on the segments before that frame, as tshark's second pass does.
   */
  pass?(): 0 | 1 | 2;
  noteReassembledIn?(segmentFrame: number, completedIn: number): void;
  reassembledInAhead?(frame: number): number | undefined;
  /** The columns as they are (before the payload's dissector writes them), and putting them back. */
  saveColumns?(): unknown;
  restoreColumns?(saved: unknown): void;
  /**
   * TLS's desegment_ssl rather than TCP's: the segment data of a completed PDU is the rest
   * of the record, and a PDU started after it is marked in Info too (after what was shown).
   */
  readonly recordStyle?: boolean;
}
