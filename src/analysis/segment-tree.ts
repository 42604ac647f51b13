/**
 * What a layer that reassembles PDUs (TCP, and TLS over its decrypted stream) shows of it:
 * "TCP segment data (n bytes)", "[Reassembled PDU in frame: n]", the "Reassembled TCP (n
 * bytes)" data source, and the "[N Reassembled … Segments (M bytes): #5(100), #6(28)]" tree
 * a completed PDU gets (Wireshark's show_fragment_seq_tree): one item per segment, the
 * overlap/conflict flags, the count, the length and the bytes, placed right after the layer.
 * `PduHooks` is that shared part of desegment()'s hooks; each layer adds how it calls its
 * payload's dissector and marks its segments.
 */
import type { Field } from "../core/field.js";
import type { PacketInfo } from "../core/pinfo.js";
import type { Item } from "../core/tree.js";
import { Tvb } from "../core/tvb.js";
import { FD_MULTIPLETAILS, FD_OVERLAP, FD_OVERLAPCONFLICT, FD_TOOLONGFRAGMENT, type DesegmentHooks, type Msp } from "./reassembly.js";

/** The fields of one protocol's segment tree (tcp.segments…, tls.segments…). */
export interface SegmentFields {
  segments: Field;
  segment: Field;
  segmentError: Field;
  overlap: Field;
  overlapConflict: Field;
  multipleTails: Field;
  tooLong: Field;
  count: Field;
  length: Field;
  data: Field;
}

/**
 * Add the tree under `root`, moved to just after `layer` (the TCP or TLS item); `title` is
 * "Reassembled TCP Segments" or "Reassembled TLS segments".
 */
export function showSegmentTree(root: Item, layer: Item, msp: Msp, rtvb: Tvb, f: SegmentFields, title: string): void {
  const full = root.tree.full;
  const data = rtvb.ds.data;
  const n = data.length;
  const before = full && root.children !== null ? root.children.length : 0;
  const top = root.addGenerated(f.segments, rtvb, 0, n, null);
  let text = "";
  let count = 0;
  for (const sg of msp.frags) {
    count++;
    if (full) text += (count === 1 ? "" : ", ") + `#${sg.frame}(${sg.len})`;
    const err = (sg.flags & (FD_OVERLAPCONFLICT | FD_MULTIPLETAILS | FD_TOOLONGFRAGMENT)) !== 0;
    const clip = Math.min(sg.len, Math.max(0, n - sg.offset));
    const it = top.addGenerated(err ? f.segmentError : f.segment, rtvb, Math.min(sg.offset, n), clip, sg.frame);
    if (full) {
      it.setText(sg.len === 0 ? `Frame: ${sg.frame} (no data)`
        : `Frame: ${sg.frame}, payload: ${sg.offset}-${sg.offset + sg.len - 1} (${sg.len} byte${sg.len === 1 ? "" : "s"})`);
    }
    if (sg.flags & FD_OVERLAP) it.addGenerated(f.overlap, rtvb, 0, 0, true);
    if (sg.flags & FD_OVERLAPCONFLICT) it.addGenerated(f.overlapConflict, rtvb, 0, 0, true);
    if (sg.flags & FD_MULTIPLETAILS) it.addGenerated(f.multipleTails, rtvb, 0, 0, true);
    if (sg.flags & FD_TOOLONGFRAGMENT) it.addGenerated(f.tooLong, rtvb, 0, 0, true);
  }
  // as Wireshark: the head is set, the frame list appended (appended text is cut silently at the label length)
  if (full) top.setText(`${count} ${title} (${n} byte${n === 1 ? "" : "s"}): `).appendText(text);
  top.addGenerated(f.count, rtvb, 0, 0, count);
  top.addGenerated(f.length, rtvb, 0, 0, n);
  top.addGenerated(f.data, rtvb, 0, n, data);
  // Wireshark moves the segment list right after the layer's item (print_tcp_fragment_tree)
  const ch = root.children;
  if (full && ch !== null && ch.length === before + 1) {
    const i = ch.indexOf(layer);
    if (i >= 0 && i + 1 < before) {
      ch.pop();
      ch.splice(i + 1, 0, top);
    }
  }
}

/** What differs between the layers that reassemble: their name and fields. */
export interface PduLayer {
  /** "TCP": "TCP segment data", "Reassembled TCP (n bytes)". */
  name: string;
  /** The segment tree's title: "Reassembled TCP Segments". */
  title: string;
  segmentData: Field;
  reassembledIn: Field;
  tree: SegmentFields;
}

/** A layer's reassembly fields, named alike in TCP's and TLS's field lists (tcp.segment…, tls.segment…). */
export interface ReassemblyFields {
  segmentData: Field; reassembledIn: Field; segments: Field; segment: Field; segmentError: Field; segmentOverlap: Field;
  segmentOverlapConflict: Field; segmentMultipleTails: Field; segmentTooLong: Field; segmentCount: Field;
  reassembledLength: Field; reassembledData: Field;
}

/** A PduLayer from the layer's name, its segment tree's title and its fields. */
export function pduLayer(name: string, title: string, f: ReassemblyFields): PduLayer {
  return {
    name, title, segmentData: f.segmentData, reassembledIn: f.reassembledIn,
    tree: {
      segments: f.segments, segment: f.segment, segmentError: f.segmentError, overlap: f.segmentOverlap,
      overlapConflict: f.segmentOverlapConflict, multipleTails: f.segmentMultipleTails, tooLong: f.segmentTooLong,
      count: f.segmentCount, length: f.reassembledLength, data: f.reassembledData,
    },
  };
}

const NO_TVB = Tvb.of(new Uint8Array(0));
const NO_BYTES = new Uint8Array(0);

/** The hooks of desegment() that only show what happened, the same for TCP and TLS. */
export abstract class PduHooks<S extends { desegmentOffset: number; desegmentLen: number }> implements DesegmentHooks {
  constructor(
    readonly pinfo: PacketInfo, readonly tree: Item, readonly ti: Item,
    /** What the payload's dissector is handed, where it puts its desegment request. */
    readonly seg: S,
  ) {}

  /** This layer's names and fields. */
  protected abstract layer(): PduLayer;
  abstract process(tvb: Tvb, offset: number, seq: number, nxtseq: number, reassembled: boolean): void;
  abstract isRetransmission(): boolean;
  isSpurious(): boolean {
    return false;
  }
  abstract markSegment(afterPdu: boolean): void;
  abstract fence(): void;
  abstract unfence(): void;

  desegOffset(): number {
    return this.seg.desegmentOffset;
  }
  desegLen(): number {
    return this.seg.desegmentLen;
  }
  segmentData(tvb: Tvb, offset: number, len: number, retransmitted: boolean): void {
    const l = this.layer();
    const cap = Math.min(len, tvb.remaining(offset));
    const t = this.ti.tree;
    const it = this.ti.add(l.segmentData, tvb, offset, cap, t.wants(l.segmentData) ? tvb.bytes(offset, cap) : NO_BYTES);
    if (t.full) it.setText(`${retransmitted ? "Retransmitted " : ""}${l.name} segment data (${len} byte${len === 1 ? "" : "s"})`);
  }
  reassembledIn(frame: number): void {
    this.ti.addGenerated(this.layer().reassembledIn, NO_TVB, 0, 0, frame);
  }
  pass(): 0 | 1 | 2 {
    const t = this.pinfo.session.twoPass;
    return t === null ? 0 : t.first ? 1 : 2;
  }
  noteReassembledIn(segmentFrame: number, completedIn: number): void {
    this.pinfo.session.noteAhead(this.layer().reassembledIn.abbrev, segmentFrame, completedIn);
  }
  reassembledInAhead(frame: number): number | undefined {
    return this.pinfo.session.ahead<number>(this.layer().reassembledIn.abbrev, frame);
  }
  saveColumns(): unknown {
    const c = this.pinfo.cols;
    return c === null ? null : [c.protocol, c.info];
  }
  restoreColumns(saved: unknown): void {
    const c = this.pinfo.cols;
    if (c === null || saved === null) return;
    [c.protocol, c.info] = saved as [string, string];
  }
  reassembledTvb(msp: Msp): Tvb {
    const data = msp.data ?? new Uint8Array(0);
    const rtvb = new Tvb({ name: `Reassembled ${this.layer().name} (${data.length} bytes)`, data });
    this.pinfo.addSource(rtvb.ds);
    return rtvb;
  }
  showSegments(msp: Msp, rtvb: Tvb): void {
    for (const sg of msp.frags) this.pinfo.addDependency(sg.frame);
    const l = this.layer();
    showSegmentTree(this.tree, this.ti, msp, rtvb, l.tree, l.title);
  }
}
