/**
 * The "[N Reassembled … Segments (M bytes): #5(100), #6(28)]" tree a completed multi-segment
 * PDU gets (Wireshark's show_fragment_seq_tree as TCP and TLS call it): one item per segment,
 * the overlap/conflict flags, the count, the length and the bytes; placed right after the
 * layer that reassembled it.
 */
import type { Field } from "../core/field.js";
import type { Item } from "../core/tree.js";
import type { Tvb } from "../core/tvb.js";
import { FD_MULTIPLETAILS, FD_OVERLAP, FD_OVERLAPCONFLICT, FD_TOOLONGFRAGMENT, type Msp } from "./reassembly.js";

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
