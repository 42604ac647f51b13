/**
 * `-z io,phs[,filter]`: protocol hierarchy, as tshark's tap-protohierstat.c: each frame's
 * top-level tree items (frame, eth, ip, tcp, tcp.segments, http, _ws.malformed…) form a
 * path; every node on the path gets the frame and its length. A leading packet-comments
 * item is skipped. Needs the full tree.
 */
import type { Dissection } from "../../core/dissect.js";
import type { Item } from "../../core/tree.js";
import type { CompiledFilter } from "../../filter/index.js";
import { Collector, statFilter } from "./base.js";
import type { Cell, Report } from "./report.js";

export interface PhsNode {
  abbrev: string;
  frames: number;
  bytes: number;
  children: PhsNode[];
}

export class PhsCollector extends Collector {
  override needsTree = true;
  private readonly filter: CompiledFilter | null;
  private readonly filterText: string;
  /** The virtual root; its children are "frame" (tshark prints from frame's children). */
  readonly root: PhsNode = { abbrev: "", frames: 0, bytes: 0, children: [] };

  constructor(spec: string) {
    super();
    const rest = spec.slice("io,phs".length);
    this.filterText = rest.startsWith(",") ? rest.slice(1) : "";
    this.filter = statFilter(this.filterText, spec);
    this.fields = [...(this.filter?.fields ?? [])];
  }

  add(d: Dissection): void {
    if (this.filter !== null && !this.filter.test(d)) return;
    const items = d.tree.root.children;
    if (items === null) return;
    const len = d.frame.len;
    let node = this.root;
    let first = true;
    const order = pathOrder(items);
    for (let j = 0; j < order.length; j++) {
      const f = order[j].field;
      const abbrev = f === null ? "text" : f.abbrev;
      if (first && abbrev === "frame.comment.expert") continue;
      first = false;
      const kids = node.children;
      let next: PhsNode | undefined;
      for (let k = 0; k < kids.length; k++) if (kids[k].abbrev === abbrev) { next = kids[k]; break; }
      if (next === undefined) {
        next = { abbrev, frames: 0, bytes: 0, children: [] };
        kids.push(next);
      }
      next.frames++;
      next.bytes += len;
      node = next;
    }
  }

    /** Rows below "frame", depth-first: [path depth, abbrev, frames, bytes]. */
  rows(): { depth: number; abbrev: string; frames: number; bytes: number }[] {
    const out: { depth: number; abbrev: string; frames: number; bytes: number }[] = [];
    const walk = (n: PhsNode, depth: number) => {
      for (const c of n.children) {
        out.push({ depth, abbrev: c.abbrev, frames: c.frames, bytes: c.bytes });
        walk(c, depth + 1);
      }
    };
    for (const top of this.root.children) walk(top, 0);
    return out;
  }

  report(): Report {
    const rows = this.rows();
    const totalFrames = this.root.children.reduce((a, c) => a + c.frames, 0);
    const totalBytes = this.root.children.reduce((a, c) => a + c.bytes, 0);
    const pct = (n: number, t: number) => (t === 0 ? "0.00%" : ((100 * n) / t).toFixed(2) + "%");
    return {
      stat: "io,phs", title: "Protocol Hierarchy Statistics", filter: this.filterText || undefined,
      sections: [{
        title: "",
        columns: ["Protocol", "Frames", "% Frames", "Bytes", "% Bytes"],
        rows: rows.map((r): Cell[] => [r.abbrev, r.frames, pct(r.frames, totalFrames), r.bytes, pct(r.bytes, totalBytes)]),
        depth: rows.map((r) => r.depth),
      }],
    };
  }
}

/**
 * The top-level items in the order tshark's tap sees them. tshark shows a reassembled
 * PDU's "[N Reassembled TCP Segments]" item right after TCP, but it adds that item after
 * the PDU's own layers and moves it up only for display: its protocol hierarchy has
 * tcp.segments below the PDU's layers — except when the PDU was completed by a FIN
 * segment without data (then it stays where -V shows it).
 */
function pathOrder(items: Item[]): Item[] {
  let k = -1;
  for (let i = 0; i < items.length; i++) if (items[i].field?.abbrev === "tcp.segments") { k = i; break; }
  if (k < 0 || k === items.length - 1 || finIn(items)) return items;
  return [...items.slice(0, k), ...items.slice(k + 1), items[k]];
}

/** Is the frame's (first) TCP segment a bare FIN (FIN set, no payload)? */
function finIn(items: Item[]): boolean {
  for (const it of items) {
    if (it.field?.abbrev !== "tcp" || it.children === null) continue;
    let fin = false;
    let len = -1;
    for (const c of it.children) {
      const a = c.field?.abbrev;
      if (a === "tcp.flags") fin = typeof c.value === "number" && (c.value & 1) !== 0;
      else if (a === "tcp.len") len = typeof c.value === "number" ? c.value : -1;
    }
    return fin && len === 0;
  }
  return false;
}
