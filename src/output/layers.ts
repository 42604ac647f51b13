/**
 * `--layers`: each packet as nesting dolls — every protocol's byte range, its header and
 * payload sizes, and where the bytes switch to another data source (reassembled or
 * decrypted), down through a decrypted OpenVPN tunnel, e.g.
 *
 *   Frame 26: 190 bytes
 *   └─ Ethernet II      [0..190)   header 14   payload 176
 *      └─ IPv4          [14..190)  header 20   payload 156
 *         └─ UDP        [34..190)  header 8    payload 148
 *            └─ OpenVPN [42..190)  header 24   payload 124
 *                  opcode/key-id, peer-id  [42..46)    4 bytes  OpenVPN header
 *                  packet-id               [46..50)    4 bytes  crypto
 *                  AEAD tag                [50..66)   16 bytes  crypto
 *                  ciphertext              [66..190) 124 bytes  the inner packet, encrypted
 *               ⇣ decrypted …: frame bytes 66–189 → decrypted bytes 0–123 of 124 …
 *               └─ IPv4 [0..124) header 20 payload 104
 *                  └─ TCP …
 *   The tunnel adds 66 bytes to the 124-byte inner packet …
 *
 * Also `-z layers`: average per-layer overhead over a capture, and what the tunnel costs.
 *
 * This file holds the rendering (the ruler) and `-z layers`; the layers themselves come
 * from layers-of.ts (layersOf) and the tunnel's breakdown from layers-tunnel.ts
 * (re-exported here).
 */
import type { Dissection } from "../core/dissect.js";
import type { DataSource } from "../core/tvb.js";
import type { Style } from "./color.js";
import { layersOf, nameOf } from "./layers-of.js";
import { tunnelCost, type Tunnel, type TunnelCost } from "./layers-tunnel.js";
import { Collector, StatsError } from "./stats/base.js";
import type { Cell, Report } from "./stats/report.js";

export { layersOf, type Layer } from "./layers-of.js";
export { tunnelCost, type Tunnel, type TunnelCost, type TunnelPart } from "./layers-tunnel.js";

// ---------------------------------------------------------------- the view

function pad(s: string, n: number): string {
  return s.length >= n ? s + " " : s + " ".repeat(n - s.length);
}

function padL(s: string, n: number): string {
  return s.length >= n ? s : " ".repeat(n - s.length) + s;
}

function sourceLine(ds: DataSource): string {
  return `⇣ ${ds.name.replace(/\s*\(\d+ bytes\)$/, "")} (${ds.data.length} bytes)`;
}

/** "66–189" (inclusive byte numbers, as a reader counts them). */
function span(a: number, b: number): string {
  return b > a ? `${a}–${b - 1}` : `${a}`;
}

function pct(n: number, total: number): string {
  return total === 0 ? "0.0%" : ((100 * n) / total).toFixed(1) + "%";
}

/** The lines that break an OpenVPN data packet down: its fields in clear, then the ciphertext and where it went. */
function tunnelLines(t: Tunnel, indent: string, style: Style): string[] {
  const rows: [string, string, number, string][] = [];
  if (t.staticKey && t.header === 0) rows.push([t.plain !== null ? "(static key: no opcode byte)" : "(no opcode byte: static key or unknown)", "", -1, ""]);
  for (const p of t.parts) rows.push([p.what, `[${p.start}..${p.start + p.len})`, p.len, p.kind === "header" ? "OpenVPN header" : "crypto"]);
  const clen = t.cipherEnd - t.cipherStart;
  if (t.plain === null) {
    rows.push(["encrypted payload", `[${t.cipherStart}..${t.cipherEnd})`, clen, t.why ?? ""]);
  } else {
    const inside = t.innerHeader > 0 || t.padding > 0
      ? `= ${t.innerHeader >= 4 ? "packet-id 4 + " : ""}${t.innerHeader >= 8 ? "net time 4 + " : ""}inner packet ${t.plain.data.length}${t.padding > 0 ? ` + CBC padding ${t.padding}` : ""}`
      : "the inner packet, encrypted";
    rows.push(["ciphertext", `[${t.cipherStart}..${t.cipherEnd})`, clen, inside]);
  }
  const real = rows.filter((r) => r[2] >= 0);
  const w0 = Math.max(...real.map((r) => r[0].length)) + 2;
  const w1 = Math.max(...real.map((r) => r[1].length)) + 1;
  const w2 = Math.max(...real.map((r) => String(r[2]).length));
  const lead = indent + "      ";
  const out = rows.map((r) => (r[2] < 0 ? lead + style.dim(r[0]) : lead + pad(r[0], w0) + style.dim(pad(r[1], w1)) + padL(String(r[2]), w2) + (r[2] === 1 ? " byte   " : " bytes  ") + style.dim(r[3])).trimEnd());
  if (t.plain !== null) {
    const n = t.plain.data.length;
    const how = `${t.cipher ?? "?"}${t.auth !== null ? "/" + t.auth : ""}${t.keyId !== null ? `, key-id ${t.keyId}` : t.staticKey ? ", static key" : ""}`;
    const map = t.innerHeader > 0 || t.padding > 0
      ? `frame bytes ${span(t.cipherStart, t.cipherEnd)} (${clen}) → ${t.innerHeader > 0 ? `${t.innerHeader === 8 ? "packet-id + net time" : "packet-id"} ${t.innerHeader}, ` : ""}decrypted bytes ${span(0, n)} of ${n}${t.padding > 0 ? `, padding ${t.padding}` : ""}`
      : `frame bytes ${span(t.cipherStart, t.cipherEnd)} → decrypted bytes ${span(0, n)} of ${n}`;
    out.push(indent + "   " + style.dim(`⇣ decrypted with ${how}: ${map}`));
    out.push(indent + "     " + style.dim(`(the byte ranges below count in these ${n} decrypted bytes, not in the frame)`));
  }
  return out;
}

/** The nested ruler for one packet. */
export function layersView(d: Dissection, style: Style): string {
  const fr = d.frame;
  const layers = layersOf(d);
  const lines = [style.field(`Frame ${fr.num}: ${fr.len} bytes`) + (fr.caplen !== fr.len ? style.dim(` (${fr.caplen} captured)`) : "")];
  const nameW = Math.max(0, ...layers.map((l) => 3 * l.depth + 3 + l.name.length)) + 2;
  const rangeW = Math.max(0, ...layers.map((l) => `[${l.start}..${l.end})`.length)) + 2;
  for (let i = 0; i < layers.length; i++) {
    const l = layers[i];
    const indent = "   ".repeat(l.depth);
    const parentTunnel = l.parent >= 0 ? layers[l.parent].tunnel : null;
    if (l.newSource && !(parentTunnel !== null && parentTunnel.plain === l.ds)) lines.push(indent + style.dim(sourceLine(l.ds)));
    const lead = indent + "└─ ";
    const left = pad(lead + l.name, nameW);
    const colored = left.replace(l.name, style.proto(l.abbrev, l.name));
    const range = pad(`[${l.start}..${l.end})`, rangeW);
    const sizes = l.last && l.tunnel === null ? `${l.end - l.start} bytes` : `header ${pad(String(l.header), 5)} payload ${l.payload}`;
    lines.push(colored + style.dim(range) + sizes);
    if (l.tunnel !== null) lines.push(...tunnelLines(l.tunnel, indent, style));
  }
  const c = tunnelCost(layers, fr.len);
  if (c !== null) lines.push(costLine(c, style));
  return lines.join("\n") + "\n";
}

function costLine(c: TunnelCost, style: Style): string {
  const over = c.wire - c.inner;
  const what = c.packets === 1 ? `the ${c.inner}-byte inner packet` : `the ${c.packets} inner packets (${c.inner} bytes)`;
  const outer = c.outerParts.map(([n, b]) => `${n} ${b}`).join(" + ");
  const cr = [...c.cryptoParts].map(([n, b]) => `${n} ${b}`).join(" + ");
  return style.field("Tunnel: ") + `${what} travel${c.packets === 1 ? "s" : ""} in ${c.wire} bytes on the wire: +${over} bytes (+${pct(over, c.inner)}) = outer headers ${c.outer} (${outer}) + OpenVPN header ${c.ovpnHeader} + crypto ${c.crypto} (${cr})`;
}

// ---------------------------------------------------------------- -z layers

/** Protocols whose bytes, when nothing is inside, are still all header (overhead). */
const CARRIERS = new Set(["eth", "sll", "vlan", "ip", "ipv6", "udp", "tcp"]);

interface Acc {
  key: string;
  abbrev: string;
  tunnelled: boolean;
  packets: number;
  header: number;
  payload: number;
}

/** `-z layers`: per-protocol average header size and share of all bytes; the encapsulation overhead; the tunnel's cost. */
export class LayersCollector extends Collector {
  override needsTree = true;
  private readonly acc = new Map<string, Acc>();
  private readonly order: Acc[] = [];
  frames = 0;
  bytes = 0;
  /** Sum over frames of (frame length − innermost layer's size). */
  overhead = 0;
  /** Frames carrying OpenVPN, their bytes, and what precedes the tunnelled (possibly encrypted) payload. */
  tunnelFrames = 0;
  tunnelBytes = 0;
  tunnelOverhead = 0;
  /** Frames whose OpenVPN data packets all decrypted to IP packets: their totals. */
  decFrames = 0;
  decPackets = 0;
  decWire = 0;
  decInner = 0;
  decOuter = 0;
  decOvpnHeader = 0;
  decCrypto = 0;
  readonly decCryptoParts = new Map<string, number>();
  readonly ciphers: string[] = [];
  /** OpenVPN data packets seen without being decrypted. */
  encrypted = 0;

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
    let innermost = ls[0];
    for (let i = 0; i < ls.length; i++) {
      const l = ls[i];
      const key = l.tunnelled ? l.abbrev + " (tunnelled)" : l.abbrev;
      let a = this.acc.get(key);
      if (a === undefined) {
        a = { key, abbrev: l.abbrev, tunnelled: l.tunnelled, packets: 0, header: 0, payload: 0 };
        this.acc.set(key, a);
        this.order.push(a);
      }
      a.packets++;
      const t = l.tunnel;
      // a tunnel layer's own header: the length prefix, opcode and peer-id (its crypto has a row of its own)
      // an innermost layer's bytes are content, except for protocols that only carry others (a bare TCP ACK is all header)
      const hdr = t !== null ? t.framing + t.header : l.last && !CARRIERS.has(l.abbrev) ? 0 : l.header;
      a.header += hdr;
      a.payload += l.last && t === null ? l.end - l.start : l.end - l.start - hdr;
      if (t !== null && t.plain === null && !l.tunnelled) this.encrypted++;
      if (l.abbrev === "openvpn" && tunnelAt < 0) tunnelAt = i;
      if (l.depth >= innermost.depth) innermost = l;
    }
    this.overhead += Math.max(0, len - (innermost.end - innermost.start));
    if (tunnelAt >= 0) {
      this.tunnelFrames++;
      this.tunnelBytes += len;
      // everything up to the OpenVPN payload (encrypted or not)
      const t = ls[tunnelAt];
      this.tunnelOverhead += Math.max(0, len - (t.last && t.tunnel === null ? 0 : t.payload));
    }
    const c = tunnelCost(ls, len);
    if (c !== null) {
      this.decFrames++;
      this.decPackets += c.packets;
      this.decWire += c.wire;
      this.decInner += c.inner;
      this.decOuter += c.outer;
      this.decOvpnHeader += c.ovpnHeader;
      this.decCrypto += c.crypto;
      for (const [k, v] of c.cryptoParts) this.decCryptoParts.set(k, (this.decCryptoParts.get(k) ?? 0) + v);
      for (const x of c.ciphers) if (!this.ciphers.includes(x)) this.ciphers.push(x);
    }
  }

  perProtocol(): { abbrev: string; tunnelled: boolean; packets: number; avgHeader: number; headerShare: number }[] {
    return this.order.map((a) => ({
      abbrev: a.abbrev,
      tunnelled: a.tunnelled,
      packets: a.packets,
      avgHeader: a.packets === 0 ? 0 : a.header / a.packets,
      headerShare: this.bytes === 0 ? 0 : a.header / this.bytes,
    }));
  }

  /** Averages per decrypted packet (frames with several OpenVPN records count each record). */
  tunnelSummary(): { packets: number; frames: number; perPacket: number; ofInner: number; ofWire: number; outer: number; ovpnHeader: number; crypto: number } | null {
    if (this.decPackets === 0) return null;
    const over = this.decWire - this.decInner;
    return {
      packets: this.decPackets,
      frames: this.decFrames,
      perPacket: over / this.decPackets,
      ofInner: this.decInner === 0 ? 0 : over / this.decInner,
      ofWire: this.decWire === 0 ? 0 : over / this.decWire,
      outer: this.decOuter / this.decPackets,
      ovpnHeader: this.decOvpnHeader / this.decPackets,
      crypto: this.decCrypto / this.decPackets,
    };
  }

  report(): Report {
    const f = (n: number) => n.toFixed(1);
    const summary = [
      `${this.frames} frames, ${this.bytes} bytes; encapsulation adds ${f(this.frames ? this.overhead / this.frames : 0)} bytes per packet (${pct(this.overhead, this.bytes)} of all bytes)`,
    ];
    const ts = this.tunnelSummary();
    const sections: Report["sections"] = [{
      title: "",
      columns: ["Protocol", "Packets", "Avg header bytes", "Header share of all bytes"],
      rows: this.perProtocol().map((p): Cell[] => [nameOf(p.abbrev) + (p.tunnelled ? " (in the tunnel)" : ""), p.packets, f(p.avgHeader), pct(p.headerShare, 1)]),
    }];
    if (ts !== null) {
      const n = this.decPackets;
      summary.push(
        `the tunnel adds ${f(ts.perPacket)} bytes per packet (${(100 * ts.ofInner).toFixed(1)}% on top of the inner IP packets, ${(100 * ts.ofWire).toFixed(1)}% of the bytes on the wire), ` +
        `over ${n} decrypted packet${n === 1 ? "" : "s"} (${this.ciphers.join(", ")}): outer headers ${f(ts.outer)} + OpenVPN header ${f(ts.ovpnHeader)} + crypto ${f(ts.crypto)}`,
      );
      const over = this.decWire - this.decInner;
      const rows: Cell[][] = [
        ["Outer headers (link, IP, UDP/TCP)", f(this.decOuter / n), pct(this.decOuter, over)],
        ["OpenVPN header (length, opcode, peer-id)", f(this.decOvpnHeader / n), pct(this.decOvpnHeader, over)],
        ["Crypto overhead", f(this.decCrypto / n), pct(this.decCrypto, over)],
      ];
      const depth = [0, 0, 0];
      for (const [k, v] of this.decCryptoParts) {
        rows.push([k, f(v / n), pct(v, over)]);
        depth.push(1);
      }
      rows.push(["Total (wire − inner IP packet)", f(over / n), "100.0%"]);
      depth.push(0);
      sections.push({ title: `Tunnel overhead per decrypted packet (the inner IP packets average ${f(this.decInner / n)} bytes)`, columns: ["Added by", "Avg bytes per packet", "Share of the overhead"], rows, depth });
    }
    if (this.encrypted > 0) summary.push(`${this.encrypted} OpenVPN data packet${this.encrypted === 1 ? "" : "s"} not decrypted (give the keys with --keylog to see inside the tunnel)`);
    if (this.tunnelFrames > 0)
      summary.push(`frames carrying OpenVPN: ${this.tunnelFrames}; up to the OpenVPN payload they average ${f(this.tunnelOverhead / this.tunnelFrames)} bytes (${pct(this.tunnelOverhead, this.tunnelBytes)} of their bytes)`);
    return { stat: "layers", title: "Layers: per-protocol overhead", summary, sections };
  }
}
