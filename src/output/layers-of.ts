/**
 * `--layers` / `-z layers`: the protocol layers of a dissected frame (layersOf), with
 * their byte ranges, header and payload sizes and data sources.
 *
 * Reads the full tree: the top-level protocol items (start, len, ds), plus the protocol
 * items nested under a protocol that live in another data source (the inner packet of a
 * decrypted OpenVPN packet is dissected under the OpenVPN item, in the decrypted bytes),
 * and the OpenVPN item's own fields (length prefix, opcode, peer-id, packet-id, tag,
 * HMAC, IV, decrypted length) for the tunnel's breakdown (layers-tunnel.ts).
 */
import type { Dissection } from "../core/dissect.js";
import { protocolByAbbrev } from "../core/proto.js";
import type { Item } from "../core/tree.js";
import type { DataSource } from "../core/tvb.js";
import { ownFields, tunnelOf, type Tunnel } from "./layers-tunnel.js";

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

export function nameOf(abbrev: string): string {
  return NAMES[abbrev] ?? protocolByAbbrev(abbrev)?.short ?? abbrev;
}

function isProto(it: Item): boolean {
  return it.field !== null && it.field.type === "protocol" && it.field.abbrev !== "frame" && it.ds !== null;
}

/** Protocols whose items cover a whole PDU, so a second one after the first is a sibling, not a child. */
const RECORDS = new Set(["openvpn", "tls", "dns", "http", "http2", "data"]);

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
      // a second record of a PDU protocol after the first one ends: a sibling of it (not what
      // follows a tunnel header in the same bytes: VXLAN's inner frame, all of it, is inside it)
      for (let s = stack.length - 1; s >= base; s--) {
        const y = nodes[stack[s]];
        if (y.it.ds === it.ds && protocolByAbbrev(y.it.field!.abbrev)?.carriesFrames === true) break;
        if (y.it.field!.abbrev === abbrev && y.it.ds === it.ds && it.start >= y.it.start + y.it.len && (RECORDS.has(abbrev) || y.kids.length > 0)) {
          stack.length = s;
          break;
        }
      }
      const parent = stack.length > 0 ? stack[stack.length - 1] : -1;
      const ds = it.ds!;
      // (a later sibling in the same new source, the next HTTP/2 frame of a decrypted record: no second banner)
      const sibling = parent >= 0 && nodes[parent].kids.some((k) => nodes[k].layer.ds === ds);
      const layer: Layer = {
        abbrev, name: nameOf(abbrev), ds, start: it.start, end: it.start + it.len, header: 0, payload: 0, last: true,
        newSource: parent >= 0 && nodes[parent].it.ds !== ds && !sibling, depth: stack.length, parent, tunnelled, tunnel: null,
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
    // the first layer of a source reaches to the source's end, unless records follow it there (HTTP/2
    // frames of one decrypted record): each of those ends where it ends
    const records = l.parent >= 0 && nodes[l.parent].kids.filter((k) => nodes[k].layer.ds === l.ds).length > 1;
    const firstInDs = (l.parent < 0 || nodes[l.parent].layer.ds !== l.ds) && !records;
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
      const of = l.abbrev === "openvpn" ? ownFields(n.it, new Map()) : null;
      const tc = of?.get("openvpn.tls_crypt.ciphertext"), mpid = of?.get("openvpn.mpid");
      const cipher = l.abbrev === "tls" ? ciphertextBytes(n.it, l.ds) : 0;
      // TLS records decrypted into another source: the payload is their ciphertext, the header the rest (each record's 5 bytes)
      if (cipher > 0) l.header = Math.max(0, l.end - l.start - cipher);
      else if (tc !== undefined && tc.ds === l.ds) l.header = tc.start - l.start;
      else if (mpid !== undefined && mpid.ds === l.ds) l.header = mpid.start + mpid.len - l.start;
      else l.header = Math.min(n.it.len, l.end - l.start);
    }
    l.payload = l.end - l.start - l.header;
  }
  return nodes.map((n) => n.layer);
}

/** Bytes of encrypted application data (tls.app_data) in a TLS item's records, in its own source. */
function ciphertextBytes(it: Item, ds: DataSource): number {
  let n = 0;
  if (it.children === null) return 0;
  for (const c of it.children) {
    if (c.field !== null && c.field.type === "protocol") continue;
    if (c.field !== null && c.field.abbrev === "tls.app_data" && c.ds === ds) n += c.len;
    else n += ciphertextBytes(c, ds);
  }
  return n;
}

function isDescendant(nodes: Node[], j: number, i: number): boolean {
  for (let p = nodes[j].layer.parent; p >= 0; p = nodes[p].layer.parent) if (p === i) return true;
  return false;
}
