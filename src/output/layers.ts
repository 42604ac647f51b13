/**
 * `--layers`: each packet as nesting dolls — every protocol's byte range, its header and
 * payload sizes, and where the bytes switch to another data source (reassembled or
 * decrypted), e.g.
 *
 *   Frame 12: 145 bytes
 *   └─ Ethernet II   [0..14)    header 14   payload 131
 *      └─ IPv4       [14..34)   header 20   payload 111
 *         └─ TCP     [34..66)   header 32   payload 79
 *            └─ HTTP [66..145)  79 bytes
 *
 * Also `-z layers`: average per-layer overhead over a capture.
 * Reads only the full tree's top-level protocol items (start, len, ds).
 */
import type { Dissection } from "../core/dissect.js";
import { protocolByAbbrev } from "../core/proto.js";
import type { DataSource } from "../core/tvb.js";
import type { Style } from "./color.js";
import { Collector, StatsError } from "./stats/base.js";
import type { Cell, Report } from "./stats/report.js";

export interface Layer {
  abbrev: string;
  /** Display name ("IPv4"). */
  name: string;
  ds: DataSource;
  /** [start, end) of the layer within ds: its header and everything it carries. */
  start: number;
  end: number;
  /** Bytes of this layer's own header (up to the next layer in the same source, or its item's length). */
  header: number;
  /** end − start − header. */
  payload: number;
  /** True for the innermost layer (no payload of its own: its size is all "data"). */
  last: boolean;
  /** The layer starts a new data source (reassembled / decrypted bytes). */
  newSource: boolean;
}

const NAMES: Record<string, string> = { eth: "Ethernet II", ip: "IPv4", ipv6: "IPv6", sll: "Linux cooked", vlan: "802.1Q VLAN" };

function nameOf(abbrev: string): string {
  return NAMES[abbrev] ?? protocolByAbbrev(abbrev)?.short ?? abbrev;
}

/** The protocol layers of a dissected frame (needs a full tree). "frame" itself is not a layer. */
export function layersOf(d: Dissection): Layer[] {
  const items = d.tree.root.children;
  const out: Layer[] = [];
  if (items === null) return out;
  const prot = [];
  for (const it of items) if (it.field !== null && it.field.type === "protocol" && it.field.abbrev !== "frame" && it.ds !== null) prot.push(it);
  for (let i = 0; i < prot.length; i++) {
    const it = prot[i];
    const ds = it.ds!;
    const start = it.start;
    // end: the furthest byte of this layer or any later layer in the same source (until a source switch);
    // the first layer of a source reaches its captured end (padding/trailers belong to the outermost layer).
    let end = start + it.len;
    let j = i + 1;
    for (; j < prot.length && prot[j].ds === ds; j++) end = Math.max(end, prot[j].start + prot[j].len);
    const firstInDs = i === 0 || prot[i - 1].ds !== ds;
    // the last layer of a source before a switch carries what the new source was made from: to its end too
    if (firstInDs || j < prot.length) end = Math.max(end, ds.data.length);
    const next = i + 1 < prot.length ? prot[i + 1] : null;
    let header: number;
    if (next !== null && next.ds === ds && next.start >= start && next.start <= end) header = next.start - start;
    else header = next === null ? end - start : Math.min(it.len, end - start);
    out.push({
      abbrev: it.field!.abbrev, name: nameOf(it.field!.abbrev), ds, start, end, header,
      payload: next === null ? 0 : end - start - header, last: next === null,
      newSource: i > 0 && prot[i - 1].ds !== ds,
    });
  }
  return out;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s + " " : s + " ".repeat(n - s.length);
}

function sourceLine(ds: DataSource): string {
  const n = ds.data.length;
  return /decrypt/i.test(ds.name) ? `⇣ decrypted (${n} bytes)` : `⇣ ${ds.name.replace(/\s*\(\d+ bytes\)$/, "")} (${n} bytes)`;
}

/** The nested ruler for one packet. */
export function layersView(d: Dissection, style: Style): string {
  const fr = d.frame;
  const layers = layersOf(d);
  const lines = [style.field(`Frame ${fr.num}: ${fr.len} bytes`) + (fr.caplen !== fr.len ? style.dim(` (${fr.caplen} captured)`) : "")];
  const nameW = Math.max(0, ...layers.map((l, i) => 3 * i + 3 + l.name.length)) + 2;
  const rangeW = Math.max(0, ...layers.map((l) => `[${l.start}..${l.end})`.length)) + 2;
  let indent = "";
  for (let i = 0; i < layers.length; i++) {
    const l = layers[i];
    if (l.newSource) lines.push(indent + style.dim(sourceLine(l.ds)));
    const lead = indent + "└─ ";
    const left = pad(lead + l.name, nameW);
    const colored = left.replace(l.name, style.proto(l.abbrev, l.name));
    const range = pad(`[${l.start}..${l.end})`, rangeW);
    const sizes = l.last ? `${l.end - l.start} bytes` : `header ${pad(String(l.header), 5)} payload ${l.payload}`;
    lines.push(colored + style.dim(range) + sizes);
    indent += "   ";
  }
  return lines.join("\n") + "\n";
}

interface Acc {
  abbrev: string;
  packets: number;
  header: number;
  payload: number;
}

/** `-z layers`: per-protocol average header size and share of all bytes; the encapsulation overhead. */
export class LayersCollector extends Collector {
  override needsTree = true;
  private readonly acc = new Map<string, Acc>();
  private readonly order: Acc[] = [];
  frames = 0;
  bytes = 0;
  /** Sum over frames of (frame length − innermost layer's size). */
  overhead = 0;
  /** Frames carrying OpenVPN, their bytes, and what precedes the tunnelled payload. */
  tunnelFrames = 0;
  tunnelBytes = 0;
  tunnelOverhead = 0;

  constructor(spec = "layers") {
    super();
    if (spec !== "layers") throw new StatsError(`invalid -z argument "${spec}": "layers" takes no options`);
  }

  add(d: Dissection): void {
    const ls = layersOf(d);
    const len = d.frame.len;
    this.frames++;
    this.bytes += len;
    if (ls.length === 0) return;
    let tunnelAt = -1;
    for (let i = 0; i < ls.length; i++) {
      const l = ls[i];
      let a = this.acc.get(l.abbrev);
      if (a === undefined) {
        a = { abbrev: l.abbrev, packets: 0, header: 0, payload: 0 };
        this.acc.set(l.abbrev, a);
        this.order.push(a);
      }
      a.packets++;
      a.header += l.last ? 0 : l.header;
      a.payload += l.last ? l.end - l.start : l.payload;
      if (l.abbrev === "openvpn" && tunnelAt < 0) tunnelAt = i;
    }
    const inner = ls[ls.length - 1];
    this.overhead += Math.max(0, len - (inner.end - inner.start));
    if (tunnelAt >= 0) {
      this.tunnelFrames++;
      this.tunnelBytes += len;
      // everything up to and including the OpenVPN header; its payload (encrypted or not) is the tunnelled packet
      const t = ls[tunnelAt];
      this.tunnelOverhead += Math.max(0, len - (t.last ? 0 : t.payload));
    }
  }

  perProtocol(): { abbrev: string; packets: number; avgHeader: number; headerShare: number }[] {
    return this.order.map((a) => ({
      abbrev: a.abbrev,
      packets: a.packets,
      avgHeader: a.packets === 0 ? 0 : a.header / a.packets,
      headerShare: this.bytes === 0 ? 0 : a.header / this.bytes,
    }));
  }

  report(): Report {
    const f = (n: number) => n.toFixed(1);
    const pct = (n: number, t: number) => (t === 0 ? "0.0%" : ((100 * n) / t).toFixed(1) + "%");
    const summary = [
      `${this.frames} frames, ${this.bytes} bytes; encapsulation adds ${f(this.frames ? this.overhead / this.frames : 0)} bytes per packet (${pct(this.overhead, this.bytes)} of all bytes)`,
    ];
    if (this.tunnelFrames > 0)
      summary.push(`the OpenVPN tunnel adds ${f(this.tunnelOverhead / this.tunnelFrames)} bytes per packet (${pct(this.tunnelOverhead, this.tunnelBytes)}) over ${this.tunnelFrames} frames`);
    return {
      stat: "layers", title: "Layers: per-protocol overhead", summary,
      sections: [{
        title: "",
        columns: ["Protocol", "Packets", "Avg header bytes", "Header share of all bytes"],
        rows: this.perProtocol().map((p): Cell[] => [nameOf(p.abbrev), p.packets, f(p.avgHeader), pct(p.headerShare, 1)]),
      }],
    };
  }
}
