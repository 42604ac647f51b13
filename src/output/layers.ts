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
 * Reads the full tree: the top-level protocol items (start, len, ds), plus the protocol
 * items nested under a protocol that live in another data source (the inner packet of a
 * decrypted OpenVPN packet is dissected under the OpenVPN item, in the decrypted bytes),
 * and the OpenVPN item's own fields (length prefix, opcode, peer-id, packet-id, tag,
 * HMAC, IV, decrypted length) for the tunnel's breakdown.
 */
import type { Dissection } from "../core/dissect.js";
import { protocolByAbbrev } from "../core/proto.js";
import type { Item } from "../core/tree.js";
import type { DataSource } from "../core/tvb.js";
import type { Style } from "./color.js";
import { Collector, StatsError } from "./stats/base.js";
import type { Cell, Report } from "./stats/report.js";

/** One field of the tunnel's wrapping, located in the outer data source. */
export interface TunnelPart {
  /** "packet-id", "AEAD tag", "HMAC", "IV", "packet length", "opcode/key-id", "peer-id". */
  what: string;
  start: number;
  len: number;
  kind: "header" | "crypto";
}

/** An OpenVPN data packet's wrapping (what the tunnel adds), when the layer is one. */
export interface Tunnel {
  /** TCP framing: the 2-byte packet length (0 over UDP). */
  framing: number;
  /** opcode/key-id (1) and peer-id (3 for P_DATA_V2); 0 in static-key mode. */
  header: number;
  /** The fields in clear, in wire order (framing, header, then packet-id, tag / HMAC, IV). */
  parts: TunnelPart[];
  /** Bytes of the crypto fields in clear (packet-id, tag, HMAC, IV). */
  cryptoClear: number;
  /** [cipherStart, cipherEnd) in the outer source: the encrypted bytes (without keys: everything after the header). */
  cipherStart: number;
  cipherEnd: number;
  /** The decrypted bytes (a data source of the frame), null when not decrypted. */
  plain: DataSource | null;
  cipher: string | null;
  auth: string | null;
  /** Key-id of the key used; null in static-key mode or when not decrypted. */
  keyId: number | null;
  staticKey: boolean;
  /** Inside the ciphertext but not part of the decrypted payload: CBC packet-id (4), static-key net time (4). */
  innerHeader: number;
  /** CBC padding (ciphertext − packet-id/time − plaintext). */
  padding: number;
  /** Why it is not decrypted: "no key", a failure reason, or null. */
  why: string | null;
}

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
  /** True for the innermost layer (no layer inside it: its size is all its own, except a tunnel's encrypted payload). */
  last: boolean;
  /** The layer starts a new data source (reassembled / decrypted bytes). */
  newSource: boolean;
  /** Nesting depth (0 = outermost); siblings (several OpenVPN records in one TCP segment) share a depth. */
  depth: number;
  /** Index of the enclosing layer in the list, -1 for the outermost. */
  parent: number;
  /** Inside a decrypted tunnel (the layer's bytes are plaintext of an OpenVPN packet). */
  tunnelled: boolean;
  /** For an OpenVPN data packet: its wrapping. */
  tunnel: Tunnel | null;
}

const NAMES: Record<string, string> = { eth: "Ethernet II", ip: "IPv4", ipv6: "IPv6", sll: "Linux cooked", vlan: "802.1Q VLAN" };

function nameOf(abbrev: string): string {
  return NAMES[abbrev] ?? protocolByAbbrev(abbrev)?.short ?? abbrev;
}

function isProto(it: Item): boolean {
  return it.field !== null && it.field.type === "protocol" && it.field.abbrev !== "frame" && it.ds !== null;
}

/** Protocols whose items cover a whole PDU, so a second one after the first is a sibling, not a child. */
const RECORDS = new Set(["openvpn", "tls", "dns", "http", "data"]);

interface Node {
  it: Item;
  layer: Layer;
  kids: number[];
  /** Added from under its parent's item (another data source), not from the top level. */
  promoted: boolean;
}

/** The protocol layers of a dissected frame (needs a full tree), outermost first (pre-order). "frame" itself is not a layer. */
export function layersOf(d: Dissection): Layer[] {
  const top = d.tree.root.children;
  if (top === null) return [];
  const nodes: Node[] = [];
  const stack: number[] = [];
  const seq = (items: Item[], base: number, promoted: boolean, tunnelled: boolean): void => {
    for (const it of items) {
      if (!isProto(it)) continue;
      if (promoted && it.ds === nodes[stack[base - 1]]?.it.ds) continue; // e.g. ICMP's quoted packet: same bytes, not a layer
      const abbrev = it.field!.abbrev;
      // a second record of a PDU protocol after the first one ends: a sibling of it
      for (let s = stack.length - 1; s >= base; s--) {
        const y = nodes[stack[s]];
        if (y.it.field!.abbrev === abbrev && y.it.ds === it.ds && it.start >= y.it.start + y.it.len && (RECORDS.has(abbrev) || y.kids.length > 0)) {
          stack.length = s;
          break;
        }
      }
      const parent = stack.length > 0 ? stack[stack.length - 1] : -1;
      const ds = it.ds!;
      const layer: Layer = {
        abbrev, name: nameOf(abbrev), ds, start: it.start, end: it.start + it.len, header: 0, payload: 0, last: true,
        newSource: parent >= 0 && nodes[parent].it.ds !== ds, depth: stack.length, parent, tunnelled, tunnel: null,
      };
      const idx = nodes.length;
      nodes.push({ it, layer, kids: [], promoted });
      if (parent >= 0) nodes[parent].kids.push(idx);
      stack.push(idx);
      if (abbrev === "openvpn") layer.tunnel = tunnelOf(it, ds);
      // protocols dissected under this item in another data source (the decrypted inner packet)
      const ch = it.children;
      if (ch !== null && ch.some((c) => isProto(c) && c.ds !== ds)) {
        const save = stack.length;
        seq(ch, save, true, tunnelled || (abbrev === "openvpn" && layer.tunnel !== null && layer.tunnel.plain !== null));
        stack.length = save;
      }
    }
  };
  seq(top, 0, false, false);
  // ends, bottom-up (children come after their parent in pre-order)
  for (let i = nodes.length - 1; i >= 0; i--) {
    const n = nodes[i], l = n.layer;
    let end = l.end;
    let differentKid = false;
    for (const k of n.kids) {
      const c = nodes[k].layer;
      if (c.ds === l.ds) end = Math.max(end, c.end);
      else differentKid = true;
    }
    const firstInDs = l.parent < 0 || nodes[l.parent].layer.ds !== l.ds;
    if (firstInDs) end = Math.max(end, l.ds.data.length);
    else if (differentKid && l.tunnel === null) {
      // the layer a reassembled source was made from reaches to the next layer in its source (or the source's end)
      let limit = l.ds.data.length;
      for (let j = i + 1; j < nodes.length; j++) {
        if (isDescendant(nodes, j, i)) continue;
        if (nodes[j].layer.ds === l.ds) {
          limit = nodes[j].layer.start;
          break;
        }
      }
      end = Math.max(end, limit);
    }
    l.end = end;
  }
  // an innermost layer owns the rest of its parent's bytes in its source (e.g. a TCP segment held for reassembly)
  for (const n of nodes) {
    const l = n.layer;
    if (n.kids.length === 0 && l.tunnel === null && l.parent >= 0) {
      const p = nodes[l.parent].layer;
      // not when the parent is the first layer of the source (its end is the source's end: Ethernet padding is the link's)
      if (p.ds === l.ds && p.parent >= 0 && nodes[p.parent].layer.ds === l.ds) l.end = Math.max(l.end, p.end);
    }
  }
  for (const n of nodes) {
    const l = n.layer;
    l.last = n.kids.length === 0;
    const first = n.kids.length > 0 ? nodes[n.kids[0]].layer : null;
    if (l.tunnel !== null) {
      l.header = Math.max(0, l.tunnel.cipherStart - l.start);
    } else if (first !== null && first.ds === l.ds && first.start >= l.start && first.start <= l.end) {
      l.header = first.start - l.start;
    } else if (first === null) {
      l.header = Math.min(n.it.len, l.end - l.start);
      if (l.parent < 0 || nodes[l.parent].layer.ds !== l.ds) l.header = l.end - l.start;
    } else {
      // e.g. an OpenVPN control packet whose TLS was reassembled elsewhere: its header ends after the message packet-id
      // (tls-crypt: before the encrypted control payload)
      const of = l.abbrev === "openvpn" ? ovpnFields(n.it, new Map()) : null;
      const tc = of?.get("openvpn.tls_crypt.ciphertext"), mpid = of?.get("openvpn.mpid");
      if (tc !== undefined && tc.ds === l.ds) l.header = tc.start - l.start;
      else if (mpid !== undefined && mpid.ds === l.ds) l.header = mpid.start + mpid.len - l.start;
      else l.header = Math.min(n.it.len, l.end - l.start);
    }
    l.payload = l.end - l.start - l.header;
  }
  return nodes.map((n) => n.layer);
}

function isDescendant(nodes: Node[], j: number, i: number): boolean {
  for (let p = nodes[j].layer.parent; p >= 0; p = nodes[p].layer.parent) if (p === i) return true;
  return false;
}

/** The OpenVPN item's fields (not descending into protocols), by abbrev, first occurrence. */
function ovpnFields(it: Item, out: Map<string, Item>): Map<string, Item> {
  if (it.children === null) return out;
  for (const c of it.children) {
    if (c.field !== null) {
      if (c.field.type === "protocol") continue;
      if (!out.has(c.field.abbrev)) out.set(c.field.abbrev, c);
    }
    ovpnFields(c, out);
  }
  return out;
}

const CRYPTO: [string, string][] = [["openvpn.data.hmac", "HMAC"], ["openvpn.data.iv", "IV"], ["openvpn.data.packet_id", "packet-id"], ["openvpn.data.tag", "AEAD tag"]];

/** The wrapping of an OpenVPN data packet (null for control packets and fragments of TCP records). */
function tunnelOf(it: Item, ds: DataSource): Tunnel | null {
  const f = ovpnFields(it, new Map());
  if (f.has("openvpn.split") || f.has("openvpn.continuation")) return null;
  const op = f.get("openvpn.opcode");
  const dec = f.get("openvpn.decrypted");
  const stat = f.has("openvpn.static_data") || (op === undefined && (dec !== undefined || f.has("openvpn.data.hmac") || f.has("openvpn.decryption_failed")));
  if (!stat && (op === undefined || (op.value !== 6 && op.value !== 9))) return null;
  const parts: TunnelPart[] = [];
  const recEnd = it.start + it.len;
  const plen = f.get("openvpn.plen");
  const framing = plen !== undefined && plen.ds === ds ? plen.len : 0;
  if (framing > 0) parts.push({ what: "packet length (TCP framing)", start: plen!.start, len: framing, kind: "header" });
  let hdrEnd = it.start + framing;
  const type = f.get("openvpn.type");
  if (type !== undefined && type.ds === ds) {
    parts.push({ what: "opcode/key-id", start: type.start, len: type.len, kind: "header" });
    hdrEnd = type.start + type.len;
  }
  const peer = f.get("openvpn.peerid");
  if (peer !== undefined && peer.ds === ds) {
    parts.push({ what: "peer-id", start: peer.start, len: peer.len, kind: "header" });
    hdrEnd = peer.start + peer.len;
  }
  let cryptoClear = 0, cryptoEnd = hdrEnd;
  const cparts: TunnelPart[] = [];
  for (const [abbrev, what] of CRYPTO) {
    const c = f.get(abbrev);
    if (c === undefined || c.ds !== ds || c.len === 0 || c.generated) continue;
    cparts.push({ what, start: c.start, len: c.len, kind: "crypto" });
    cryptoClear += c.len;
    cryptoEnd = Math.max(cryptoEnd, c.start + c.len);
  }
  cparts.sort((a, b) => a.start - b.start);
  parts.push(...cparts);
  const str = (a: string): string | null => {
    const v = f.get(a)?.value;
    return typeof v === "string" ? v : null;
  };
  const plain = dec !== undefined && dec.ds !== null && dec.ds !== ds ? dec.ds : null;
  const cipher = plain !== null ? str("openvpn.data.cipher") : null;
  const aead = cipher !== null && !/-CBC$/.test(cipher);
  const kid = f.get("openvpn.data.key_id")?.value;
  const cipherStart = plain !== null ? cryptoEnd : hdrEnd;
  const cipherLen = Math.max(0, recEnd - cipherStart);
  const innerHeader = plain === null || aead ? 0 : 4 + (f.has("openvpn.data.net_time") ? 4 : 0);
  const padding = plain === null ? 0 : Math.max(0, cipherLen - innerHeader - plain.data.length);
  let why: string | null = null;
  if (plain === null) why = f.has("openvpn.no_key") ? "no key for it in the key log" : str("openvpn.decryption_failed") !== null ? `decryption failed: ${str("openvpn.decryption_failed")}` : "no key (decrypt with --keylog)";
  return {
    framing, header: hdrEnd - it.start - framing, parts, cryptoClear, cipherStart, cipherEnd: recEnd, plain, cipher,
    auth: plain !== null && !aead ? str("openvpn.data.auth") : null, keyId: typeof kid === "number" && plain !== null ? kid : null,
    staticKey: stat, innerHeader, padding, why,
  };
}

/** What a tunnel costs in one frame: the inner IP packets against the bytes on the wire. */
export interface TunnelCost {
  /** Data packets (OpenVPN records) in the frame, all decrypted with an IP packet inside. */
  packets: number;
  /** Bytes of the inner IP packets. */
  inner: number;
  /** Frame length (on the wire). */
  wire: number;
  /** Outer headers (link, IP, UDP/TCP and any trailer): wire − the OpenVPN records. */
  outer: number;
  /** The outer layers' headers, outermost first ([name, bytes]); a "trailer" entry for bytes after the records. */
  outerParts: [string, number][];
  /** OpenVPN's own header: TCP length prefix, opcode/key-id, peer-id. */
  ovpnHeader: number;
  /** Crypto: packet-id, tag / HMAC, IV, the CBC packet-id and static-key time inside the ciphertext, padding. */
  crypto: number;
  /** The crypto bytes by kind ("AEAD tag", "HMAC", "IV", "packet-id", "net time", "padding"). */
  cryptoParts: Map<string, number>;
  /** Cipher names seen. */
  ciphers: string[];
}

/**
 * The tunnel's cost in a frame, from its layers: null unless the frame has OpenVPN data
 * packets and every one of them was decrypted to an IP packet (then wire = inner + outer + ovpnHeader + crypto).
 */
export function tunnelCost(ls: readonly Layer[], wire: number): TunnelCost | null {
  let packets = 0, inner = 0, ovpnHeader = 0, crypto = 0, recBytes = 0;
  const cryptoParts = new Map<string, number>();
  const ciphers: string[] = [];
  let firstRec = -1;
  const add = (k: string, n: number): void => {
    if (n > 0) cryptoParts.set(k, (cryptoParts.get(k) ?? 0) + n);
  };
  for (let i = 0; i < ls.length; i++) {
    const l = ls[i];
    if (l.abbrev !== "openvpn" || l.tunnelled) continue;
    const t = l.tunnel;
    if (t === null) return null; // a control packet or a split record in the same frame: not a clean tunnel frame
    if (t.plain === null) return null;
    const kid = ls.findIndex((c, j) => j > i && c.parent === i);
    if (kid < 0 || (ls[kid].abbrev !== "ip" && ls[kid].abbrev !== "ipv6") || ls[kid].start !== 0) return null;
    if (firstRec < 0) firstRec = i;
    packets++;
    inner += ls[kid].end - ls[kid].start;
    ovpnHeader += t.framing + t.header;
    for (const p of t.parts) if (p.kind === "crypto") add(p.what, p.len);
    add("packet-id", t.innerHeader >= 4 ? 4 : 0);
    add("net time", t.innerHeader >= 8 ? 4 : 0);
    add("padding", t.padding);
    crypto += t.cryptoClear + t.innerHeader + t.padding;
    recBytes += l.end - l.start;
    if (t.cipher !== null && !ciphers.includes(t.cipher)) ciphers.push(t.cipher);
    // anything in the ciphertext we did not account for (should not happen) counts as crypto
    const rest = l.end - l.start - t.framing - t.header - t.cryptoClear - t.innerHeader - t.padding - (ls[kid].end - ls[kid].start);
    if (rest !== 0) return null;
  }
  if (packets === 0) return null;
  const outerParts: [string, number][] = [];
  let sum = 0;
  for (let p = ls[firstRec].parent; p >= 0; p = ls[p].parent) {
    outerParts.unshift([ls[p].name, ls[p].header]);
    sum += ls[p].header;
  }
  const outer = wire - recBytes;
  if (outer !== sum) outerParts.push(["trailer", outer - sum]);
  return { packets, inner, wire, outer, outerParts, ovpnHeader, crypto, cryptoParts, ciphers };
}

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
