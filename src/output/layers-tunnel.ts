/**
 * `--layers` / `-z layers`: the tunnel's breakdown. An OpenVPN data packet's wrapping
 * (length prefix, opcode, peer-id, packet-id, tag / HMAC, IV, the ciphertext and the
 * decrypted inner packet) read from the OpenVPN item's own fields, and what the tunnel
 * costs in a frame (inner IP packets against the bytes on the wire).
 */
import type { Item } from "../core/tree.js";
import type { DataSource } from "../core/tvb.js";
import type { Layer } from "./layers-of.js";

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

/** A protocol item's own fields (not descending into the protocols under it), by abbrev, first occurrence. */
export function ownFields(it: Item, out: Map<string, Item>): Map<string, Item> {
  if (it.children === null) return out;
  for (const c of it.children) {
    if (c.field !== null) {
      if (c.field.type === "protocol") continue;
      if (!out.has(c.field.abbrev)) out.set(c.field.abbrev, c);
    }
    ownFields(c, out);
  }
  return out;
}

const CRYPTO: [string, string][] = [["openvpn.data.hmac", "HMAC"], ["openvpn.data.iv", "IV"], ["openvpn.data.packet_id", "packet-id"], ["openvpn.data.tag", "AEAD tag"]];

/** The wrapping of an OpenVPN data packet (null for control packets and fragments of TCP records). */
export function tunnelOf(it: Item, ds: DataSource): Tunnel | null {
  const f = ownFields(it, new Map());
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
