/**
 * OpenVPN (TLS mode) over UDP and TCP, as tshark 4.0 names it, plus what tshark
 * lacks: per-conversation tls-auth/tls-crypt detection (20/32/64-byte HMACs),
 * retransmission and ACK linking on the control channel, and TLS records
 * reassembled across P_CONTROL_V1 packets in message-packet-id order.
 * The packet layout lives in src/openvpn/wire.ts (parse + emit).
 *
 * Decryption (nestcap's own, see src/openvpn/keylog.ts for the key-log format):
 * with the prefs openvpn.keylog (--keylog), openvpn.tls_crypt_key
 * (--openvpn-tls-crypt) or openvpn.static_key (--openvpn-static), P_DATA_V1/V2,
 * tls-crypt / dynamic tls-crypt control packets and static-key packets are
 * authenticated and decrypted (src/openvpn/datachannel.ts, tlscrypt.ts); the
 * plaintext becomes a data source (-x), and the inner IP packet is dissected under
 * the OpenVPN item. Every key whose endpoints and key-id fit is tried; the one that
 * authenticates is remembered per conversation, direction and key-id. Nothing
 * unauthenticated is ever shown as plaintext.
 */
import { addPduSize, type TcpSegment } from "../src/analysis/tcp.js";
import { conversationDirection, conversationKey } from "../src/analysis/conversation.js";
import type { PacketInfo } from "../src/core/pinfo.js";
import type { Session } from "../src/core/session.js";
import { callData, callTable, defineProtocol } from "../src/core/proto.js";
import type { Item } from "../src/core/tree.js";
import { Tvb } from "../src/core/tvb.js";
import { dataKeyFromKeyMaterial, decryptData, isAead, OCC_MAGIC, OCC_NAMES, PING_MAGIC, startsWith } from "../src/openvpn/datachannel.js";
import { endpointMatches, readKeyLog, type DataEntry, type Endpoint, type KeyLogEntry, type StaticEntry, type TlsCryptEntry } from "../src/openvpn/keylog.js";
import { keySlot, readStaticKeyFile, splitKeyArg } from "../src/openvpn/static.js";
import { tlsCryptKeyFromSlot, tlsCryptUnwrap } from "../src/openvpn/tlscrypt.js";
import {
  detectMode, isControl, MAX_ACKS, OPCODE_NAMES, P_ACK_V1, P_CONTROL_HARD_RESET_CLIENT_V1,
  P_CONTROL_HARD_RESET_CLIENT_V2, P_CONTROL_HARD_RESET_CLIENT_V3, P_CONTROL_V1, P_DATA_V1, P_DATA_V2,
  isData, parsePacket, TLS_CRYPT_TAG, type OvpnPacket, type WireOptions,
} from "../src/openvpn/wire.js";

/** One direction-specific control session (one session id). */
class Sess {
  /** (keyId·2^32 + mpid) → first frame that carried it. */
  readonly mpidFrame = new Map<number, number>();
  /** TLS reassembly per key id. */
  readonly reasm = new Map<number, Reasm>();
}

class Reasm {
  next = -1;
  readonly pending = new Map<number, Uint8Array>();
  buf: Uint8Array = new Uint8Array(0);
  /** Set when the stream stopped looking like TLS records (e.g. dynamic tls-crypt). */
  dead = false;
}

class Conv {
  /** null until a control packet told us. */
  opts: WireOptions | null = null;
  /** Confirmed as TLS-mode OpenVPN. */
  confirmed = false;
  /** Looks like static-key (or unknown) traffic: no opcode byte. */
  unknown = false;
  /** A hard reset parsed in this conversation. */
  handshake = false;
  readonly sessions = new Map<bigint, Sess>();
  /** Decryption: the key that last worked, per (direction·8 + key-id); static mode under 16/17. */
  readonly keyHit = new Map<number, DataEntry | StaticEntry>();
  /** Static-key packets authenticated here (--openvpn-static / STATIC lines). */
  staticMode = false;
}

class State {
  readonly convs = new Map<string, Conv>();
  /** TCP: per flow, the relative seq where the next OpenVPN packet starts (when a packet was split). */
  readonly tcpNext = new Map<unknown, number>();
  /** Decryption keys from the prefs (loaded on first use). */
  keys: Keys | null = null;
}

/**
 * Keys from the session prefs (set by --keylog, --openvpn-tls-crypt, --openvpn-static
 * or -o openvpn.keylog:FILE …), loaded once per session.
 */
class Keys {
  readonly data: DataEntry[] = [];
  readonly statics: StaticEntry[] = [];
  readonly tlsCrypt: TlsCryptEntry[] = [];
  get any(): boolean {
    return this.data.length + this.statics.length + this.tlsCrypt.length > 0;
  }
}

const ANY_EP = { addr: null, port: -1 };
const NO_KEYS = new Keys();

function loadKeys(s: Session): Keys {
  const kl = s.pref<string | boolean>("openvpn.keylog", "");
  const tc = s.pref<string | boolean>("openvpn.tls_crypt_key", "");
  const st = s.pref<string | boolean>("openvpn.static_key", "");
  if (typeof kl !== "string" || typeof tc !== "string" || typeof st !== "string" || kl + tc + st === "") return NO_KEYS;
  const k = new Keys();
  // errors here surface as exceptions: the CLI validates these files before dissecting
  if (kl !== "") {
    for (const e of readKeyLog(kl)) {
      if (e.kind === "DATA") k.data.push(e);
      else if (e.kind === "STATIC") k.statics.push(e);
      else k.tlsCrypt.push(e);
    }
  }
  if (tc !== "") {
    const raw = readStaticKeyFile(splitKeyArg(tc).path);
    // which slot a side sends with depends on its direction: try both, the tag decides
    for (const i of [0, 1] as const) k.tlsCrypt.push({ kind: "TLS-CRYPT", line: 0, src: ANY_EP, dst: ANY_EP, dynamic: false, key: tlsCryptKeyFromSlot(keySlot(raw, i)) });
  }
  if (st !== "") {
    const { path, direction } = splitKeyArg(st);
    const raw = readStaticKeyFile(path);
    // direction 0/1 (as --secret FILE DIR): the two slots are used one per direction; bidirectional: slot 0 both ways.
    // The capture does not say which side had which direction, so both slots are tried and the HMAC decides.
    const slots: (0 | 1)[] = direction === undefined ? [0, 1] : [direction, (1 - direction) as 0 | 1];
    for (const i of slots) k.statics.push({ kind: "STATIC", line: 0, src: ANY_EP, dst: ANY_EP, key: dataKeyFromKeyMaterial("AES-256-CBC", "SHA256", keySlot(raw, i), true) });
  }
  return k;
}

function keysOf(pinfo: PacketInfo): Keys {
  const st = state(pinfo);
  return st.keys ?? (st.keys = loadKeys(pinfo.session));
}

function sameEndpoint(a: Endpoint, b: Endpoint): boolean {
  if (a.port !== b.port || (a.addr === null) !== (b.addr === null)) return false;
  return a.addr === null || (a.addr.length === b.addr!.length && a.addr.every((v, i) => v === b.addr![i]));
}

/**
 * Key-log entries from memory (`nestcap tunnel --inspect` hands over each key as it is
 * derived), added to the session's keys after those of the prefs. A DATA entry replaces
 * an earlier one with the same endpoints and key-id (a key-id reused after renegotiations,
 * a client reconnecting from the same address).
 */
export function addSessionKeys(session: Session, entries: readonly KeyLogEntry[]): void {
  const st = session.get("openvpn", newState);
  let k = st.keys ?? loadKeys(session);
  if (k === NO_KEYS) k = new Keys();
  st.keys = k;
  for (const e of entries) {
    if (e.kind === "DATA") {
      const i = k.data.findIndex((d) => d.keyId === e.keyId && sameEndpoint(d.src, e.src) && sameEndpoint(d.dst, e.dst));
      if (i >= 0) k.data[i] = e;
      else k.data.push(e);
    } else if (e.kind === "STATIC") k.statics.push(e);
    else k.tlsCrypt.push(e);
  }
}

const newState = (): State => new State();

function state(pinfo: PacketInfo): State {
  return pinfo.session.get("openvpn", newState);
}

function convOf(pinfo: PacketInfo, create: boolean): Conv | undefined {
  const st = state(pinfo);
  const dir = conversationDirection(pinfo.netSrc, pinfo.netDst, pinfo.srcport, pinfo.dstport);
  const key = pinfo.ptype + conversationKey(pinfo.netSrc, pinfo.netDst, pinfo.srcport, pinfo.dstport, dir);
  let c = st.convs.get(key);
  if (c === undefined && create) st.convs.set(key, (c = new Conv()));
  return c;
}

const HF_TYPE_STRINGS = OPCODE_NAMES;

export const openvpn = defineProtocol({
  name: "OpenVPN Protocol",
  abbrev: "openvpn",
  short: "OpenVPN",
  bareInFields: true, // our label adds the opcode; Wireshark's item has none
  fields: {
    plen: { abbrev: "openvpn.plen", name: "Packet Length", type: "uint16", base: "dec" },
    type: { abbrev: "openvpn.type", name: "Type", type: "uint8", base: "hex" },
    opcode: { abbrev: "openvpn.opcode", name: "Opcode", type: "uint8", base: "hex", bitmask: 0xf8, bits: 8, strings: HF_TYPE_STRINGS },
    keyid: { abbrev: "openvpn.keyid", name: "Key ID", type: "uint8", base: "dec", bitmask: 0x07, bits: 8 },
    peerid: { abbrev: "openvpn.peerid", name: "Peer ID", type: "uint24", base: "dec" },
    sessionid: { abbrev: "openvpn.sessionid", name: "Session ID", type: "uint64", base: "dec" },
    hmac: { abbrev: "openvpn.hmac", name: "HMAC", type: "bytes" },
    pid: { abbrev: "openvpn.pid", name: "Replay-Packet-ID", type: "uint32", base: "dec" },
    netTime: { abbrev: "openvpn.net_time", name: "Net Time", type: "abs_time" },
    rsessionid: { abbrev: "openvpn.rsessionid", name: "Remote Session ID", type: "uint64", base: "dec" },
    mpid: { abbrev: "openvpn.mpid", name: "Message Packet-ID", type: "uint32", base: "dec" },
    mpidLen: { abbrev: "openvpn.mpidarraylength", name: "Message Packet-ID Array Length", type: "uint8", base: "dec" },
    mpidElem: { abbrev: "openvpn.mpidarrayelement", name: "Message Packet-ID Array Element", type: "uint32", base: "dec" },
    data: { abbrev: "openvpn.data", name: "Data", type: "bytes" },
    wkc: { abbrev: "openvpn.wkc", name: "Wrapped client key", type: "bytes" },
    wkcLen: { abbrev: "openvpn.wkc_len", name: "Wrapped client key length", type: "uint16", base: "dec" },
    // nestcap's own
    tlsCryptTag: { abbrev: "openvpn.tls_crypt.tag", name: "tls-crypt authentication tag", type: "bytes" },
    tlsCryptData: { abbrev: "openvpn.tls_crypt.ciphertext", name: "tls-crypt encrypted control payload", type: "bytes" },
    wrapping: { abbrev: "openvpn.wrapping", name: "Control channel wrapping", type: "string" },
    retrans: { abbrev: "openvpn.retransmission", name: "Retransmission of a control packet", type: "none" },
    retransOf: { abbrev: "openvpn.retransmission_of", name: "Retransmission of frame", type: "framenum" },
    ackOf: { abbrev: "openvpn.ack_of", name: "Acknowledges frame", type: "framenum" },
    split: { abbrev: "openvpn.split", name: "OpenVPN packet split across TCP segments (not reassembled)", type: "none" },
    continuation: { abbrev: "openvpn.continuation", name: "Continuation of an OpenVPN packet from an earlier segment", type: "bytes" },
    tlsIn: { abbrev: "openvpn.tls_reassembled_in", name: "TLS record(s) completed in frame", type: "framenum" },
    staticData: { abbrev: "openvpn.static_data", name: "Static key or unknown data", type: "bytes" },
    // decryption (nestcap's own; see src/openvpn/keylog.ts)
    decrypted: { abbrev: "openvpn.decrypted", name: "Decrypted data", type: "none" },
    dPid: { abbrev: "openvpn.data.packet_id", name: "Data packet-ID", type: "uint32", base: "dec" },
    dTime: { abbrev: "openvpn.data.net_time", name: "Data net time", type: "abs_time" },
    dCipher: { abbrev: "openvpn.data.cipher", name: "Cipher", type: "string" },
    dAuth: { abbrev: "openvpn.data.auth", name: "HMAC digest", type: "string" },
    dTag: { abbrev: "openvpn.data.tag", name: "AEAD tag", type: "bytes" },
    dHmac: { abbrev: "openvpn.data.hmac", name: "HMAC", type: "bytes" },
    dIv: { abbrev: "openvpn.data.iv", name: "IV", type: "bytes" },
    dKeyId: { abbrev: "openvpn.data.key_id", name: "Key ID of the key used", type: "uint8", base: "dec" },
    dLine: { abbrev: "openvpn.data.keylog_line", name: "Key log line", type: "uint32", base: "dec" },
    dAuthOk: { abbrev: "openvpn.data.authenticated", name: "Authenticated", type: "bool" },
    dLen: { abbrev: "openvpn.data.length", name: "Decrypted length", type: "uint32", base: "dec", unit: "bytes" },
    ping: { abbrev: "openvpn.data.ping", name: "OpenVPN keepalive ping", type: "none" },
    occ: { abbrev: "openvpn.data.occ", name: "OCC message", type: "uint8", base: "dec", strings: OCC_NAMES },
    occData: { abbrev: "openvpn.data.occ_data", name: "OCC data", type: "bytes" },
    plain: { abbrev: "openvpn.data.plaintext", name: "Decrypted payload (not IP)", type: "bytes" },
    decFail: { abbrev: "openvpn.decryption_failed", name: "Decryption failed", type: "string" },
    noKey: { abbrev: "openvpn.no_key", name: "No key for this packet in the key log", type: "none" },
    tcDecrypted: { abbrev: "openvpn.tls_crypt.decrypted", name: "Decrypted tls-crypt control packet", type: "none" },
    tcKeyType: { abbrev: "openvpn.tls_crypt.key_type", name: "tls-crypt key", type: "string" },
    tcAuthOk: { abbrev: "openvpn.tls_crypt.authenticated", name: "Authenticated", type: "bool" },
  },
  registers: [["udp.port", 1194], ["tcp.port", 1194]],
  heuristics: [["udp", heurUdp], ["tcp", heurTcp]],
  dissect(tvb, pinfo, tree, data) {
    if (pinfo.ptype === "tcp") return dissectTcp(tvb, pinfo, tree, data as TcpSegment | undefined);
    const conv = convOf(pinfo, true)!;
    if (!conv.confirmed && keysOf(pinfo).statics.length > 0 && tryStatic(tvb, pinfo, tree, conv)) return tvb.length;
    if (!conv.confirmed && !conv.unknown) classifyFirst(conv, tvb, pinfo);
    if (!conv.unknown && !conv.handshake && tvb.length > 0) {
      // no handshake seen: an impossible opcode means this was never TLS-mode OpenVPN
      const op = tvb.u8(0) >> 3;
      if (op === 0 || op > 11) conv.unknown = true;
    }
    if (conv.unknown) return dissectUnknown(tvb, pinfo, tree);
    dissectPacket(tvb, pinfo, tree, conv, -1);
    return tvb.length;
  },
});

const f = openvpn.f;

/** First packet of a conversation on the registered port: is it TLS-mode OpenVPN at all? */
function classifyFirst(conv: Conv, tvb: Tvb, pinfo: PacketInfo): void {
  if (tvb.length < 1) return;
  const b = tvb.bytes(0);
  const op = b[0] >> 3;
  if (op === P_DATA_V1 || op === P_DATA_V2) return; // mid-session capture: fine
  if (op < 1 || op > 11 || detectMode(b, 0, b.length, pinfo.frame.tsSec) === null) conv.unknown = true;
  else {
    conv.confirmed = true;
    conv.handshake = op === 7 || op === 8 || op === 10 || op === 1 || op === 2;
  }
}

function dissectUnknown(tvb: Tvb, pinfo: PacketInfo, tree: Item): number {
  pinfo.setProtocol("OpenVPN");
  if (pinfo.cols !== null) pinfo.setInfo("OpenVPN (static key or unknown)");
  const ti = tree.add(openvpn.hf, tvb, 0, tvb.length, null);
  if (tree.tree.full) ti.setText("OpenVPN (static key or unknown)");
  ti.add(f.staticData, tvb, 0, tvb.length, tvb.bytes(0));
  return tvb.length;
}

/** TCP: 2-byte length, then a packet; several per segment; split ones marked. */
function dissectTcp(tvb: Tvb, pinfo: PacketInfo, tree: Item, seg: TcpSegment | undefined): number {
  const conv = convOf(pinfo, true)!;
  const st = state(pinfo);
  const flow = seg?.flow ?? null;
  let o = 0;
  const len = tvb.length;
  if (flow !== null && seg !== undefined) {
    const nextStart = st.tcpNext.get(flow);
    if (nextStart !== undefined && seg.seq < nextStart) {
      // the head of this segment finishes a packet begun earlier
      const n = Math.min(len, nextStart - seg.seq);
      const ti = tree.add(openvpn.hf, tvb, 0, n, null);
      if (tree.tree.full) ti.setText(`OpenVPN Protocol (continuation, ${n} bytes; needs TCP reassembly)`);
      ti.add(f.continuation, tvb, 0, n, tvb.bytes(0, n));
      pinfo.setProtocol("OpenVPN");
      if (pinfo.cols !== null) pinfo.appendInfo("[Continuation of an OpenVPN packet]");
      o = n;
    }
    if (seg.seq + len >= (nextStart ?? 0)) st.tcpNext.delete(flow);
  }
  while (o + 2 <= len) {
    const plen = tvb.u16(o);
    if (plen === 0) break;
    if (o + 2 + plen > len) {
      // split across segments: show what is here, say so, and leave the rest for reassembly
      const ti = tree.add(openvpn.hf, tvb, o, len - o, null);
      ti.add(f.plen, tvb, o, 2, plen);
      const it = ti.add(f.split, tvb, o + 2, len - o - 2, null);
      it.generated = true;
      it.expert("note", "reassemble", `OpenVPN packet of ${plen} bytes continues in a later TCP segment (not reassembled)`, "openvpn", "openvpn.split");
      if (len - o - 2 > 0) ti.add(f.data, tvb, o + 2, len - o - 2, tvb.bytes(o + 2));
      pinfo.setProtocol("OpenVPN");
      if (pinfo.cols !== null) pinfo.appendInfo("[OpenVPN packet continues in a later segment]");
      if (seg !== undefined) {
        seg.desegmentOffset = o;
        seg.desegmentLen = o + 2 + plen - len;
        if (flow !== null) st.tcpNext.set(flow, seg.seq + o + 2 + plen);
      }
      return len;
    }
    addPduSize(seg, tvb, o, 2 + plen);
    if (conv.confirmed || keysOf(pinfo).statics.length === 0 || !tryStatic(tvb.sub(o + 2, plen), pinfo, tree, conv, tvb, o)) {
      dissectPacket(tvb.sub(o + 2, plen), pinfo, tree, conv, plen, tvb, o);
    }
    o += 2 + plen;
  }
  if (o < len) {
    if (o + 1 === len && seg !== undefined && flow !== null) st.tcpNext.set(flow, seg.seq + len + 1);
    callData(tvb.sub(o), pinfo, tree);
  }
  return len;
}

/**
 * One packet. `plen` >= 0 over TCP (then `outer`/`outerOff` locate the length prefix).
 */
function dissectPacket(tvb: Tvb, pinfo: PacketInfo, tree: Item, conv: Conv, plen: number, outer?: Tvb, outerOff = 0): void {
  const full = tree.tree.full;
  const cols = pinfo.cols !== null;
  const len = tvb.length;
  const b = tvb.bytes(0);
  const ti = plen >= 0 && outer !== undefined ? tree.add(openvpn.hf, outer, outerOff, plen + 2, null) : tree.add(openvpn.hf, tvb, 0, len, null);
  if (plen >= 0 && outer !== undefined) ti.add(f.plen, outer, outerOff, 2, plen);
  pinfo.setProtocol("OpenVPN");
  const t0 = tvb.u8(0);
  const op = t0 >> 3;
  const name = OPCODE_NAMES[op] ?? "Unknown Messagetype";
  if (cols) pinfo.setInfo(`MessageType: ${name}`); // tshark: col_clear + append, per packet
  if (full) ti.appendText(`, Opcode: ${name}, Key ID: ${t0 & 7}`);
  const tt = ti.add(f.type, tvb, 0, 1, t0, full ? `0x${t0.toString(16).padStart(2, "0")} [opcode/key_id]` : undefined);
  tt.add(f.opcode, tvb, 0, 1, op);
  tt.add(f.keyid, tvb, 0, 1, t0 & 7);

  // work out (once per conversation) how the control channel is wrapped
  if (conv.opts === null && isControl(op)) {
    const pref = pinfo.session.pref("openvpn.tls_auth_hmac_size", 0);
    conv.opts = pref > 0 ? { mode: "tls-auth", hmacSize: pref } : detectMode(b, 0, len, pinfo.frame.tsSec);
  }
  const opts = conv.opts ?? { mode: "none", hmacSize: 0 };
  let p = parsePacket(b, 0, len, opts);
  let inner: Inner | null = null;
  if (isControl(op) && keysOf(pinfo).tlsCrypt.length > 0) {
    // tls-crypt (or 2.6 dynamic tls-crypt after the first handshake, also in a plain conversation)
    const tc = p !== null && p.mode === "tls-crypt" ? p : len >= 9 + 8 + TLS_CRYPT_TAG ? parsePacket(b, 0, len, { mode: "tls-crypt", hmacSize: TLS_CRYPT_TAG }) : null;
    if (tc !== null) {
      inner = unwrapControl(b, tc, pinfo, p !== null && p.mode === "tls-crypt", ti);
      if (inner !== null) p = tc;
    }
  }
  if (p === null) {
    // what the lengths allow, straight-line: the BoundsError marks it malformed
    if (op !== P_DATA_V1 && op !== P_DATA_V2 && len >= 9) ti.add(f.sessionid, tvb, 1, 8, tvb.u64(1));
    if (op === P_DATA_V2) ti.add(f.peerid, tvb, 1, 3, tvb.u24(1));
    tvb.ensure(0, len + 1); // throws → [Malformed Packet]
    return;
  }
  if (p.peerId >= 0) ti.add(f.peerid, tvb, 1, 3, p.peerId);
  if (isControl(op)) addControl(tvb, pinfo, ti, conv, p, full, tree, inner);
  if (p.payloadLen > 0) {
    if (p.mode === "tls-crypt" && isControl(op)) {
      ti.add(f.tlsCryptData, tvb, p.payloadOff, p.payloadLen, tvb.bytes(p.payloadOff, p.payloadLen));
    } else if (op !== P_CONTROL_V1) {
      const dt = full ? ti.addText(tvb, p.payloadOff, p.payloadLen, `Data (${p.payloadLen} bytes)`) : ti;
      dt.add(f.data, tvb, p.payloadOff, p.payloadLen, tvb.bytes(p.payloadOff, p.payloadLen));
    }
  }
  if (p.wkcOff >= 0) {
    ti.add(f.wkc, tvb, p.wkcOff, p.wkcLen, tvb.bytes(p.wkcOff, p.wkcLen));
    ti.add(f.wkcLen, tvb, len - 2, 2, p.wkcLen);
  }
  if (isData(op) && keysOf(pinfo).data.length > 0) decryptPacket(tvb, pinfo, ti, conv, p);
}

function addControl(tvb: Tvb, pinfo: PacketInfo, ti: Item, conv: Conv, p: OvpnPacket, full: boolean, parent: Item, inner: Inner | null): void {
  ti.add(f.sessionid, tvb, 1, 8, p.sessionId);
  if (full) ti.addGenerated(f.wrapping, tvb, 0, 0, p.mode === "tls-auth" ? `tls-auth (HMAC ${p.hmacLen} bytes)` : p.mode);
  if (p.mode === "tls-auth") {
    ti.add(f.hmac, tvb, p.hmacOff, p.hmacLen, tvb.bytes(p.hmacOff, p.hmacLen));
  }
  if (p.pidOff >= 0) {
    ti.add(f.pid, tvb, p.pidOff, 4, p.pid);
    ti.add(f.netTime, tvb, p.pidOff + 4, 4, { s: p.netTime, ns: 0 });
  }
  if (p.mode === "tls-crypt") {
    ti.add(f.tlsCryptTag, tvb, p.hmacOff, p.hmacLen, tvb.bytes(p.hmacOff, p.hmacLen));
    if (inner === null) return; // the rest is encrypted
    const ip = inner.p;
    const dt = ti.add(f.tcDecrypted, inner.tvb, 9, inner.tvb.length - 9, null);
    if (full) dt.setText(`Decrypted tls-crypt control packet (${inner.tvb.length - 9} bytes, ${inner.e.dynamic ? "dynamic" : "static"} key${inner.e.line > 0 ? `, key log line ${inner.e.line}` : ""})`);
    dt.addGenerated(f.tcKeyType, inner.tvb, 0, 0, inner.e.dynamic ? "dynamic" : "static");
    dt.addGenerated(f.tcAuthOk, inner.tvb, 0, 0, true);
    if (inner.e.line > 0) dt.addGenerated(f.dLine, inner.tvb, 0, 0, inner.e.line);
    addControlBody(inner.tvb, pinfo, dt, conv, ip, full, parent);
    if (ip.opcode !== P_CONTROL_V1 && ip.payloadLen > 0) dt.add(f.data, inner.tvb, ip.payloadOff, ip.payloadLen, inner.tvb.bytes(ip.payloadOff, ip.payloadLen));
    return;
  }
  addControlBody(tvb, pinfo, ti, conv, p, full, parent);
}

/** The part of a control packet after session id / tls-auth / tls-crypt header: ACKs, mpid, payload. */
function addControlBody(tvb: Tvb, pinfo: PacketInfo, ti: Item, conv: Conv, p: OvpnPacket, full: boolean, parent: Item): void {
  if (p.opcode <= 2 || p.opcode === 7 || p.opcode === 8) conv.handshake = true;
  const n = p.acks.length;
  ti.add(f.mpidLen, tvb, p.ackOff, 1, n);
  let sess = conv.sessions.get(p.sessionId);
  if (sess === undefined) conv.sessions.set(p.sessionId, (sess = new Sess()));
  if (n > 0) {
    const at = full ? ti.addText(tvb, p.ackOff + 1, 4 * n, "Packet-ID Array") : ti;
    for (let i = 0; i < n; i++) at.add(f.mpidElem, tvb, p.ackOff + 1 + 4 * i, 4, p.acks[i]);
    const rs = p.remoteSessionId!;
    ti.add(f.rsessionid, tvb, p.ackOff + 1 + 4 * n, 8, rs);
    // link each ACK to the peer's packet it acknowledges
    const peer = conv.sessions.get(rs);
    if (peer !== undefined && n <= MAX_ACKS * 4) {
      for (let i = 0; i < n; i++) {
        const fr = peer.mpidFrame.get(p.keyId * 4294967296 + p.acks[i]);
        if (fr !== undefined) ti.addGenerated(f.ackOf, tvb, p.ackOff + 1 + 4 * i, 4, fr);
      }
    }
  }
  if (p.mpidOff < 0) return;
  ti.add(f.mpid, tvb, p.mpidOff, 4, p.mpid);
  const k = p.keyId * 4294967296 + p.mpid;
  const first = sess.mpidFrame.get(k);
  if (first !== undefined && first !== pinfo.num) {
    const r = ti.addGenerated(f.retrans, tvb, p.mpidOff, 4, null);
    r.expert("note", "sequence", `Retransmission of control packet ${p.mpid} (first sent in frame ${first})`, "openvpn", "openvpn.retransmission");
    ti.addGenerated(f.retransOf, tvb, p.mpidOff, 4, first);
    if (pinfo.cols !== null) pinfo.prependInfoFence("[Retransmission] ");
    return;
  }
  if (first === undefined) sess.mpidFrame.set(k, pinfo.num);
  if (p.opcode === P_CONTROL_V1) controlPayload(tvb, pinfo, ti, sess, p, parent);
  else advance(sess, p, null);
}

/** Feed the reassembler; returns the complete records (or null). */
function advance(sess: Sess, p: OvpnPacket, payload: Uint8Array | null): { bytes: Uint8Array; fromBuf: boolean } | null {
  let r = sess.reasm.get(p.keyId);
  if (r === undefined) sess.reasm.set(p.keyId, (r = new Reasm()));
  if (r.next < 0) r.next = p.mpid;
  if (p.mpid < r.next) return null;
  if (p.mpid > r.next) {
    if (payload !== null && r.pending.size < 64) r.pending.set(p.mpid, payload.slice());
    return null;
  }
  const hadBuf = r.buf.length > 0;
  const parts: Uint8Array[] = [];
  if (payload !== null) parts.push(payload);
  r.next++;
  let nx: Uint8Array | undefined;
  let fromPending = false;
  while ((nx = r.pending.get(r.next)) !== undefined) {
    r.pending.delete(r.next);
    parts.push(nx);
    r.next++;
    fromPending = true;
  }
  if (r.dead || parts.length === 0) return null;
  let total = r.buf.length;
  for (const x of parts) total += x.length;
  const all = new Uint8Array(total);
  all.set(r.buf, 0);
  let o = r.buf.length;
  for (const x of parts) {
    all.set(x, o);
    o += x.length;
  }
  // cut complete records
  let end = 0;
  while (end + 5 <= total) {
    const ct = all[end];
    if (ct < 20 || ct > 24 || all[end + 1] !== 3) {
      r.dead = true;
      r.buf = new Uint8Array(0);
      return null;
    }
    const rl = (all[end + 3] << 8) | all[end + 4];
    if (end + 5 + rl > total) break;
    end += 5 + rl;
  }
  r.buf = all.slice(end);
  if (end === 0) return null;
  return { bytes: all.subarray(0, end), fromBuf: hadBuf || fromPending || end !== (payload?.length ?? -1) };
}

function controlPayload(tvb: Tvb, pinfo: PacketInfo, ti: Item, sess: Sess, p: OvpnPacket, parent: Item): void {
  const payload = p.payloadLen > 0 ? tvb.bytes(p.payloadOff, p.payloadLen) : null;
  const done = advance(sess, p, payload);
  if (done === null) {
    if (p.payloadLen > 0) {
      const dt = ti.tree.full ? ti.addText(tvb, p.payloadOff, p.payloadLen, `TLS fragment (${p.payloadLen} bytes)`) : ti;
      dt.add(f.data, tvb, p.payloadOff, p.payloadLen, payload);
    }
    return;
  }
  let next: Tvb;
  if (!done.fromBuf) {
    next = tvb.sub(p.payloadOff, p.payloadLen);
  } else {
    const ds = { name: `Reassembled OpenVPN control channel (${done.bytes.length} bytes)`, data: done.bytes.slice() };
    pinfo.addSource(ds);
    next = Tvb.of(ds.data, ds.name);
    ti.addGenerated(f.tlsIn, tvb, 0, 0, pinfo.num);
  }
  // tshark: TLS sits beside OpenVPN (parent tree) and its summary replaces "MessageType: P_CONTROL_V1"
  callTable("openvpn.control", P_CONTROL_V1, next, pinfo, parent);
}

// ---------------------------------------------------------------- decryption (--keylog, --openvpn-tls-crypt, --openvpn-static)

/** A tls-crypt packet that authenticated: op|session ‖ plaintext as its own data source. */
interface Inner {
  tvb: Tvb;
  p: OvpnPacket;
  e: TlsCryptEntry;
}

function endpointsFit(e: { src: { addr: Uint8Array | null; port: number }; dst: { addr: Uint8Array | null; port: number } }, pinfo: PacketInfo): boolean {
  return endpointMatches(e.src, pinfo.netSrc, pinfo.srcport) && endpointMatches(e.dst, pinfo.netDst, pinfo.dstport);
}

/**
 * Try the tls-crypt keys on a control packet. `expected`: the conversation uses
 * tls-crypt, so a failure is reported (else it was a probe for dynamic tls-crypt).
 */
function unwrapControl(b: Uint8Array, tc: OvpnPacket, pinfo: PacketInfo, expected: boolean, ti: Item): Inner | null {
  const keys = keysOf(pinfo);
  const end = tc.wkcOff >= 0 ? tc.wkcOff : b.length;
  const pkt = b.subarray(0, end);
  let tried = 0;
  for (const e of keys.tlsCrypt) {
    if (!endpointsFit(e, pinfo)) continue;
    tried++;
    const r = tlsCryptUnwrap(e.key, pkt);
    if (!r.ok) continue;
    const buf = new Uint8Array(9 + r.plaintext.length);
    buf.set(b.subarray(0, 9), 0);
    buf.set(r.plaintext, 9);
    const p2 = parsePacket(buf, 0, buf.length, { mode: "none", hmacSize: 0 });
    if (p2 === null) continue;
    const ds = { name: `Decrypted tls-crypt control packet (${r.plaintext.length} bytes)`, data: buf };
    pinfo.addSource(ds);
    return { tvb: new Tvb(ds), p: p2, e };
  }
  if (expected && tried > 0) {
    ti.expert("warn", "decryption", `tls-crypt authentication failed (${tried} key${tried > 1 ? "s" : ""} tried)`, "openvpn", "openvpn.decryption_failed");
  }
  return null;
}

/** P_DATA_V1/V2 with the key log's DATA keys: the key that authenticates wins. */
function decryptPacket(tvb: Tvb, pinfo: PacketInfo, ti: Item, conv: Conv, p: OvpnPacket): void {
  const keys = keysOf(pinfo);
  const dir = conversationDirection(pinfo.netSrc, pinfo.netDst, pinfo.srcport, pinfo.dstport) > 0 ? 8 : 0;
  const slot = dir + p.keyId;
  const header = tvb.bytes(0, p.payloadOff);
  const body = tvb.bytes(p.payloadOff, p.payloadLen);
  const hit = conv.keyHit.get(slot);
  let tried = 0;
  let reason = "";
  if (hit !== undefined && hit.kind === "DATA") {
    tried++;
    const r = decryptData(hit.key, header, body);
    if (r.ok) return showDecrypted(tvb, pinfo, ti, hit, p.keyId, p.payloadOff, r.packetId, undefined, r.plaintext);
    reason = r.reason;
  }
  for (const e of keys.data) {
    if (e === hit || e.keyId !== p.keyId || !endpointsFit(e, pinfo)) continue;
    tried++;
    const r = decryptData(e.key, header, body);
    if (r.ok) {
      conv.keyHit.set(slot, e);
      return showDecrypted(tvb, pinfo, ti, e, p.keyId, p.payloadOff, r.packetId, undefined, r.plaintext);
    }
    reason = r.reason;
  }
  if (tried === 0) {
    ti.addGenerated(f.noKey, tvb, 0, 0, null).expert("note", "decryption", `No key for key-id ${p.keyId} between these endpoints in the key log`, "openvpn", "openvpn.no_key");
    return;
  }
  const it = ti.addGenerated(f.decFail, tvb, p.payloadOff, p.payloadLen, reason);
  it.expert("warn", "decryption", `Decryption failed: ${reason} (${tried} key${tried > 1 ? "s" : ""} tried); the payload is shown as ciphertext only`, "openvpn", "openvpn.decryption_failed");
}

/**
 * Static-key mode (no opcode byte): HMAC ‖ IV ‖ CBC(packet-id ‖ net-time ‖ payload).
 * Returns false (nothing added) when no static key authenticates and the
 * conversation is not known to be static-key.
 */
function tryStatic(tvb: Tvb, pinfo: PacketInfo, tree: Item, conv: Conv, outer?: Tvb, outerOff = 0): boolean {
  const keys = keysOf(pinfo);
  const body = tvb.bytes(0);
  const dir = conversationDirection(pinfo.netSrc, pinfo.netDst, pinfo.srcport, pinfo.dstport) > 0 ? 17 : 16;
  const hit = conv.keyHit.get(dir);
  let found: StaticEntry | null = null;
  let res: ReturnType<typeof decryptData> | null = null;
  let tried = 0;
  if (hit !== undefined && hit.kind === "STATIC") {
    tried++;
    res = decryptData(hit.key, EMPTY, body);
    if (res.ok) found = hit;
  }
  if (found === null) {
    for (const e of keys.statics) {
      if (e === hit || !endpointsFit(e, pinfo)) continue;
      tried++;
      res = decryptData(e.key, EMPTY, body);
      if (res.ok) {
        found = e;
        conv.keyHit.set(dir, e);
        break;
      }
    }
  }
  if (found === null && !conv.staticMode) return false;
  conv.staticMode = true;
  conv.unknown = true; // never TLS mode
  pinfo.setProtocol("OpenVPN");
  if (pinfo.cols !== null) pinfo.setInfo("OpenVPN static key data");
  const ti = outer !== undefined ? tree.add(openvpn.hf, outer, outerOff, tvb.length + 2, null) : tree.add(openvpn.hf, tvb, 0, tvb.length, null);
  if (outer !== undefined) ti.add(f.plen, outer, outerOff, 2, tvb.length);
  if (tree.tree.full) ti.setText("OpenVPN Protocol (static key)");
  const key = (found ?? hit ?? keys.statics[0]).key;
  const hl = key.auth === "SHA1" ? 20 : key.auth === "SHA384" ? 48 : key.auth === "SHA512" ? 64 : 32;
  if (tvb.length >= hl + 16) {
    ti.add(f.dHmac, tvb, 0, hl, tvb.bytes(0, hl));
    ti.add(f.dIv, tvb, hl, 16, tvb.bytes(hl, 16));
    if (tvb.length > hl + 16) {
      const dt = tree.tree.full ? ti.addText(tvb, hl + 16, tvb.length - hl - 16, `Data (${tvb.length - hl - 16} bytes)`) : ti;
      dt.add(f.data, tvb, hl + 16, tvb.length - hl - 16, tvb.bytes(hl + 16));
    }
  } else {
    ti.add(f.staticData, tvb, 0, tvb.length, body);
  }
  if (found === null || res === null || !res.ok) {
    const reason = res !== null && !res.ok ? res.reason : "no key";
    ti.addGenerated(f.decFail, tvb, 0, tvb.length, reason).expert("warn", "decryption", `Decryption failed: ${reason} (${tried} static key${tried !== 1 ? "s" : ""} tried); the payload is shown as ciphertext only`, "openvpn", "openvpn.decryption_failed");
    return true;
  }
  showDecrypted(tvb, pinfo, ti, found, -1, -1, res.packetId, res.netTime, res.plaintext);
  return true;
}

const EMPTY = new Uint8Array(0);

/** The "Decrypted data" item, then the payload: keepalive ping, OCC, or the inner IP packet. */
function showDecrypted(
  tvb: Tvb, pinfo: PacketInfo, ti: Item, e: DataEntry | StaticEntry, keyId: number, pidOff: number,
  packetId: number, netTime: number | undefined, pt: Uint8Array,
): void {
  const full = ti.tree.full;
  const k = e.key;
  const ds = { name: `Decrypted OpenVPN data (${pt.length} bytes)`, data: pt };
  pinfo.addSource(ds);
  const d = new Tvb(ds);
  const dt = ti.add(f.decrypted, d, 0, pt.length, null);
  if (full) dt.setText(`Decrypted data (${pt.length} bytes, ${k.cipher}${k.auth !== undefined && !isAead(k.cipher) ? "/" + k.auth : ""}${keyId >= 0 ? `, key-id ${keyId}` : ", static key"})`);
  dt.addGenerated(f.dCipher, d, 0, 0, k.cipher);
  if (!isAead(k.cipher) && k.auth !== undefined) dt.addGenerated(f.dAuth, d, 0, 0, k.auth);
  if (keyId >= 0) dt.addGenerated(f.dKeyId, d, 0, 0, keyId);
  if (e.line > 0) dt.addGenerated(f.dLine, d, 0, 0, e.line);
  dt.addGenerated(f.dAuthOk, d, 0, 0, true);
  if (pidOff >= 0 && isAead(k.cipher)) {
    dt.add(f.dPid, tvb, pidOff, 4, packetId);
    dt.add(f.dTag, tvb, pidOff + 4, 16, tvb.bytes(pidOff + 4, 16));
  } else {
    dt.addGenerated(f.dPid, d, 0, 0, packetId);
    if (pidOff >= 0) {
      const hl = k.auth === "SHA1" ? 20 : k.auth === "SHA384" ? 48 : k.auth === "SHA512" ? 64 : 32;
      dt.add(f.dHmac, tvb, pidOff, hl, tvb.bytes(pidOff, hl));
      dt.add(f.dIv, tvb, pidOff + hl, 16, tvb.bytes(pidOff + hl, 16));
    }
  }
  if (netTime !== undefined) dt.addGenerated(f.dTime, d, 0, 0, { s: netTime, ns: 0 });
  dt.addGenerated(f.dLen, d, 0, 0, pt.length);
  if (pt.length === PING_MAGIC.length && startsWith(pt, PING_MAGIC)) {
    dt.add(f.ping, d, 0, pt.length, null);
    if (pinfo.cols !== null) pinfo.appendInfo(" (keepalive ping)");
    return;
  }
  if (pt.length > OCC_MAGIC.length && startsWith(pt, OCC_MAGIC)) {
    const t = pt[OCC_MAGIC.length];
    dt.add(f.occ, d, OCC_MAGIC.length, 1, t);
    if (pt.length > OCC_MAGIC.length + 1) dt.add(f.occData, d, OCC_MAGIC.length + 1, pt.length - OCC_MAGIC.length - 1, d.bytes(OCC_MAGIC.length + 1));
    if (pinfo.cols !== null) pinfo.setInfo(`OpenVPN ${OCC_NAMES[t] ?? `OCC message ${t}`}`);
    return;
  }
  const v = pt.length > 0 ? pt[0] >> 4 : 0;
  if (v !== 4 && v !== 6) {
    if (pt.length > 0) dt.add(f.plain, d, 0, pt.length, pt);
    return;
  }
  // the inner packet, nested under the OpenVPN item; the outer addressing is restored after it
  const { netSrc, netDst, ptype, srcport, dstport, fragmented } = pinfo;
  if (callTable("ethertype", v === 4 ? 0x0800 : 0x86dd, d, pinfo, ti) === 0) callData(d, pinfo, ti);
  pinfo.netSrc = netSrc;
  pinfo.netDst = netDst;
  pinfo.ptype = ptype;
  pinfo.srcport = srcport;
  pinfo.dstport = dstport;
  pinfo.fragmented = fragmented;
}

// ---------------------------------------------------------------- heuristics

function hardResetClient(op: number): boolean {
  return op === P_CONTROL_HARD_RESET_CLIENT_V1 || op === P_CONTROL_HARD_RESET_CLIENT_V2 || op === P_CONTROL_HARD_RESET_CLIENT_V3;
}

/** Does this look like the first packet of an OpenVPN conversation (or a confirmed one)? */
function looksLike(b: Uint8Array, off: number, len: number, pinfo: PacketInfo, conv: Conv | undefined): WireOptions | null {
  if (len < 10 || len > 1600) return null;
  const op = b[off] >> 3;
  if (op < 1 || op > 11) return null;
  if (conv !== undefined && conv.confirmed) {
    if (!isControl(op)) return conv.opts ?? { mode: "none", hmacSize: 0 };
    const p = parsePacket(b, off, len, conv.opts ?? { mode: "none", hmacSize: 0 });
    if (p === null || p.acks.length > MAX_ACKS) return null;
    if (p.mode !== "tls-crypt" && p.remoteSessionId !== null && !conv.sessions.has(p.remoteSessionId)) return null;
    return conv.opts;
  }
  if (!hardResetClient(op) || (b[off] & 7) !== 0) return null;
  const m = detectMode(b, off, len, pinfo.frame.tsSec);
  if (m === null) return null;
  const p = parsePacket(b, off, len, m);
  // a client's hard reset acknowledges nothing and carries at most a small early-negotiation TLV
  if (p === null || (p.mode !== "tls-crypt" && (p.acks.length !== 0 || p.mpid !== 0 || p.payloadLen > 64))) return null;
  return m;
}

function heurUdp(tvb: Tvb, pinfo: PacketInfo, tree: Item): boolean {
  const len = tvb.length;
  if (len < 10) return false;
  const b = tvb.bytes(0);
  const conv = convOf(pinfo, false);
  if (conv !== undefined && conv.unknown) return false;
  const m = looksLike(b, 0, len, pinfo, conv);
  if (m === null) return false;
  const c = conv ?? convOf(pinfo, true)!;
  c.confirmed = true;
  if (c.opts === null) c.opts = m;
  dissectPacket(tvb, pinfo, tree, c, -1);
  return true;
}

function heurTcp(tvb: Tvb, pinfo: PacketInfo, tree: Item, data?: unknown): boolean {
  const len = tvb.length;
  if (len < 12) return false;
  const conv = convOf(pinfo, false);
  if (conv === undefined || !conv.confirmed) {
    const plen = tvb.u16(0);
    if (plen + 2 > len || plen < 10) return false;
    const seg = data as TcpSegment | undefined;
    if (seg !== undefined && seg.seq > 1) return false; // must start the stream
    const m = looksLike(tvb.bytes(2, plen), 0, plen, pinfo, undefined);
    if (m === null) return false;
    const c = conv ?? convOf(pinfo, true)!;
    c.confirmed = true;
    c.opts = m;
  }
  dissectTcp(tvb, pinfo, tree, data as TcpSegment | undefined);
  return true;
}
