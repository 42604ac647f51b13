/**
 * IP fragment reassembly, shared by IPv4 and IPv6 (Wireshark's reassemble.c,
 * fragment_add_check, as tshark runs it in one pass).
 *
 * - Fragments are kept per datagram key (addresses, id, protocol) until the
 *   contiguous data reaches the length announced by the last fragment; then the
 *   datagram is built, the entry is dropped from the in-progress table, and the
 *   completing frame dissects the reassembled payload. A fragment arriving after
 *   that starts a new datagram (tshark does the same in one pass).
 * - Fragment bytes are copied (frame data views are only valid during the frame).
 * - Overlaps and duplicates are flagged (conflicting data too); earlier data wins.
 *   Missing pieces simply never complete: nothing is invented.
 * - Memory is bounded: the oldest incomplete datagrams are dropped when the
 *   buffered bytes pass a limit or when they are older than a frame window.
 */
import type { Field } from "../core/field.js";
import type { PacketInfo } from "../core/pinfo.js";
import type { Item } from "../core/tree.js";
import { Tvb } from "../core/tvb.js";

export const FD_OVERLAP = 1;
export const FD_OVERLAPCONFLICT = 2;
export const FD_MULTIPLETAILS = 4;
export const FD_TOOLONGFRAGMENT = 8;
const FD_ERRORS = FD_OVERLAPCONFLICT | FD_MULTIPLETAILS | FD_TOOLONGFRAGMENT;

export interface Fragment {
  frame: number;
  offset: number;
  len: number;
  data: Uint8Array;
  flags: number;
}

export interface Datagram {
  /** Fragments sorted by offset (a later one with the same offset after the earlier). */
  frags: Fragment[];
  /** Total length once a last fragment was seen; -1 before. */
  datalen: number;
  flags: number;
  bytes: number;
  /** Frame that created the entry (for the age limit). */
  firstFrame: number;
}

export interface Reassembly {
  data: Uint8Array;
  frags: Fragment[];
  flags: number;
  /** Frame the datagram was completed in. */
  frame: number;
}

export interface DefragLimits {
  /** Most bytes kept in incomplete datagrams (default 64 MiB). */
  maxBytes?: number;
  /** Incomplete datagrams older than this many frames are dropped (default 100000). */
  maxAgeFrames?: number;
}

export class DefragTable {
  private readonly pending = new Map<string, Datagram>();
  private total = 0;
  private readonly maxBytes: number;
  private readonly maxAge: number;
  /** Datagrams dropped because of the limits (for diagnostics/tests). */
  dropped = 0;

  constructor(limits: DefragLimits = {}) {
    this.maxBytes = limits.maxBytes ?? 64 * 1024 * 1024;
    this.maxAge = limits.maxAgeFrames ?? 100_000;
  }

  /** Bytes currently buffered in incomplete datagrams. */
  get bufferedBytes(): number {
    return this.total;
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  /**
   * Add one fragment (its payload bytes, copied here). Returns the reassembly when
   * this fragment completes the datagram, else null.
   */
  add(key: string, frame: number, offset: number, payload: Uint8Array, more: boolean): Reassembly | null {
    this.expire(frame);
    let dg = this.pending.get(key);
    if (dg === undefined) {
      dg = { frags: [], datalen: -1, flags: 0, bytes: 0, firstFrame: frame };
      this.pending.set(key, dg);
    }
    const fd: Fragment = { frame, offset, len: payload.length, data: payload.slice(), flags: 0 };
    if (!more) {
      const end = offset + fd.len;
      if (dg.datalen >= 0) {
        if (dg.datalen !== end) {
          fd.flags |= FD_MULTIPLETAILS;
          dg.flags |= FD_MULTIPLETAILS;
        }
      } else {
        dg.datalen = end;
      }
    }
    // keep sorted by offset; equal offsets: after the existing ones
    const fr = dg.frags;
    let i = fr.length;
    while (i > 0 && fr[i - 1].offset > offset) i--;
    fr.splice(i, 0, fd);
    dg.bytes += fd.len;
    this.total += fd.len;

    if (dg.datalen < 0) {
      this.trim(key);
      return null;
    }
    let max = 0;
    for (const f of fr) if (f.offset <= max && f.offset + f.len > max) max = f.offset + f.len;
    if (max < dg.datalen) {
      this.trim(key);
      return null;
    }
    this.pending.delete(key);
    this.total -= dg.bytes;
    return defragment(dg, frame);
  }

  private trim(keep: string): void {
    if (this.total <= this.maxBytes) return;
    for (const [k, dg] of this.pending) {
      if (this.total <= this.maxBytes) break;
      if (k === keep) continue;
      this.pending.delete(k);
      this.total -= dg.bytes;
      this.dropped++;
    }
  }

  private expire(frame: number): void {
    // entries are in insertion order: the oldest first
    for (const [k, dg] of this.pending) {
      if (frame - dg.firstFrame <= this.maxAge) break;
      this.pending.delete(k);
      this.total -= dg.bytes;
      this.dropped++;
    }
  }
}

function bytesDiffer(a: Uint8Array, ao: number, b: Uint8Array, bo: number, n: number): boolean {
  for (let i = 0; i < n; i++) if (a[ao + i] !== b[bo + i]) return true;
  return false;
}

function defragment(dg: Datagram, frame: number): Reassembly {
  const data = placeFragments(dg);
  return { data, frags: dg.frags, flags: dg.flags, frame };
}

/**
 * Wireshark's fragment_defragment_and_free: copy the fragments (sorted by offset) into
 * one buffer of `head.datalen` bytes. Earlier bytes win; overlaps, conflicting overlaps
 * and fragments past the end are flagged on the fragment and on the head. Shared by IP
 * defragmentation and TCP reassembly.
 */
export function placeFragments(head: { frags: Fragment[]; datalen: number; flags: number }): Uint8Array {
  const size = head.datalen;
  const data = new Uint8Array(size);
  let dfpos = 0;
  for (const f of head.frags) {
    if (f.len === 0) continue;
    if (f.offset >= size) {
      // starts past the end announced by the last fragment
      f.flags |= FD_TOOLONGFRAGMENT;
      head.flags |= FD_TOOLONGFRAGMENT;
      continue;
    }
    let fraglen = f.len;
    if (f.offset + fraglen > size) {
      f.flags |= FD_TOOLONGFRAGMENT;
      head.flags |= FD_TOOLONGFRAGMENT;
      fraglen = size - f.offset;
    }
    if (f.offset + fraglen > dfpos) {
      const overlap = dfpos - f.offset;
      if (overlap > 0) {
        f.flags |= FD_OVERLAP;
        head.flags |= FD_OVERLAP;
        if (bytesDiffer(data, f.offset, f.data, 0, overlap)) {
          f.flags |= FD_OVERLAPCONFLICT;
          head.flags |= FD_OVERLAPCONFLICT;
        }
      }
      const skip = overlap > 0 ? overlap : 0;
      data.set(f.data.subarray(skip, fraglen), f.offset + skip);
      dfpos = f.offset + fraglen;
    } else {
      // entirely inside data already placed: a duplicate or an overlap
      f.flags |= FD_OVERLAP;
      head.flags |= FD_OVERLAP;
      if (bytesDiffer(data, f.offset, f.data, 0, fraglen)) {
        f.flags |= FD_OVERLAPCONFLICT;
        head.flags |= FD_OVERLAPCONFLICT;
      }
    }
  }
  return data;
}

/** The fields a protocol shows its reassembly with (ip.fragment…, ipv6.fragment…). */
export interface FragmentFields {
  fragments: Field;
  fragment: Field;
  overlap: Field;
  overlapConflict: Field;
  multipleTails: Field;
  tooLong: Field;
  error: Field;
  count: Field;
  reassembledIn: Field;
  reassembledLength: Field;
  reassembledData: Field;
}

/**
 * Show the fragment list of a completed datagram under `tree` (Wireshark's
 * show_fragment_tree) and return the reassembled tvb. `label` is "IPv4" / "IPv6".
 * Returns true in `illegal` when the datagram had conflicting fragments (the
 * caller then shows "[Illegal fragments]" in Info).
 */
export function showReassembly(
  r: Reassembly,
  label: string,
  ff: FragmentFields,
  pinfo: PacketInfo,
  tree: Item,
): { tvb: Tvb; illegal: boolean } {
  const n = r.data.length;
  const tvb = new Tvb({ name: `Reassembled ${label} (${n} bytes)`, data: r.data });
  const full = tree.tree.full;
  const top = tree.addGenerated(ff.fragments, tvb, 0, n, r.data);
  let text = "";
  let count = 0;
  for (const f of r.frags) {
    pinfo.addDependency(f.frame);
    count++;
    if (full) text += (count === 1 ? "" : ", ") + `#${f.frame}(${f.len})`;
    const err = (f.flags & FD_ERRORS) !== 0;
    const hf = err ? ff.error : ff.fragment;
    const clip = Math.min(f.len, Math.max(0, n - f.offset));
    const it = top.addGenerated(hf, tvb, Math.min(f.offset, n), clip, f.frame);
    if (full) {
      it.setText(
        f.len === 0
          ? `Frame: ${f.frame} (no data)`
          : `Frame: ${f.frame}, payload: ${f.offset}-${f.offset + f.len - 1} (${f.len} byte${f.len === 1 ? "" : "s"})`,
      );
    }
    if (f.flags !== 0) {
      if (f.flags & FD_OVERLAP) it.addGenerated(ff.overlap, tvb, 0, 0, true);
      if (f.flags & FD_OVERLAPCONFLICT) it.addGenerated(ff.overlapConflict, tvb, 0, 0, true);
      if (f.flags & FD_MULTIPLETAILS) it.addGenerated(ff.multipleTails, tvb, 0, 0, true);
      if (f.flags & FD_TOOLONGFRAGMENT) it.addGenerated(ff.tooLong, tvb, 0, 0, true);
    }
  }
  if (full) {
    const name = count === 1 ? ff.fragment.name : ff.fragments.name;
    top.setText(`${count} ${name} (${n} byte${n === 1 ? "" : "s"}): `).appendText(text); // the list is appended: cut silently, as Wireshark
  }
  top.addGenerated(ff.count, tvb, 0, 0, count);
  top.addGenerated(ff.reassembledLength, tvb, 0, 0, n);
  top.addGenerated(ff.reassembledData, tvb, 0, n, r.data);
  const illegal = (r.flags & FD_ERRORS) !== 0;
  if (illegal) pinfo.setInfo(`[Illegal ${label === "IPv4" ? "fragments" : "fragments"}]`);
  return { tvb, illegal };
}

/**
 * -2, first pass: each fragment of a completed datagram notes the frame it was completed
 * in, under `kind` ("ip.reassembled_in"), for the second pass (reassembledInAhead); with
 * `sameFrameToo`, also the pieces in that frame (an HTTP/2 body's earlier DATA frames in it).
 */
export function noteReassembled(pinfo: PacketInfo, kind: string, r: Reassembly, sameFrameToo = false): void {
  if (pinfo.session.twoPass === null) return;
  for (const f of r.frags) if (sameFrameToo || f.frame !== r.frame) pinfo.session.noteAhead(kind, f.frame, r.frame);
}

/**
 * -2, second pass, on a fragment that did not complete its datagram: the frame that did
 * (shown as tshark's "[Reassembled IPv4 in frame: N]", an item without bytes), or
 * undefined (one pass, or never completed).
 */
export function reassembledInAhead(pinfo: PacketInfo, kind: string, field: Field, tree: Item, tvb: Tvb): number | undefined {
  const at = pinfo.session.ahead<number>(kind, pinfo.num);
  if (at !== undefined) tree.addGenerated(field, tvb, 0, 0, at).detach();
  return at;
}

/**
 * Fragment field specs for a protocol prefix ("ip" / "ipv6"), named and typed as tshark 4.0
 * has them: `fragmentsType` is the list item's type (ip.fragments holds the reassembled
 * bytes, ipv6.fragments is FT_NONE, so -T json shows it as an object only).
 */
export function fragmentFieldSpecs(prefix: string, label: string, reassembledInAbbrev: string, fragmentsType: "bytes" | "none") {
  return {
    fragmentOverlap: { abbrev: `${prefix}.fragment.overlap`, name: "Fragment overlap", type: "bool" as const },
    fragmentOverlapConflict: { abbrev: `${prefix}.fragment.overlap.conflict`, name: "Conflicting data in fragment overlap", type: "bool" as const },
    fragmentMultipleTails: { abbrev: `${prefix}.fragment.multipletails`, name: "Multiple tail fragments found", type: "bool" as const },
    fragmentTooLong: { abbrev: `${prefix}.fragment.toolongfragment`, name: "Fragment too long", type: "bool" as const },
    fragmentError: { abbrev: `${prefix}.fragment.error`, name: "Defragmentation error", type: "framenum" as const },
    fragmentCount: { abbrev: `${prefix}.fragment.count`, name: "Fragment count", type: "uint32" as const },
    fragment: { abbrev: `${prefix}.fragment`, name: `${label} Fragment`, type: "framenum" as const },
    fragments: { abbrev: `${prefix}.fragments`, name: `${label} Fragments`, type: fragmentsType },
    reassembledIn: { abbrev: reassembledInAbbrev, name: `Reassembled ${label} in frame`, type: "framenum" as const },
    reassembledLength: { abbrev: `${prefix}.reassembled.length`, name: `Reassembled ${label} length`, type: "uint32" as const },
    reassembledData: { abbrev: `${prefix}.reassembled.data`, name: `Reassembled ${label} data`, type: "bytes" as const },
  };
}
