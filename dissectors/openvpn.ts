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
 *
 * This file: the fields, framing (UDP, TCP length prefix), the opcode byte and the
 * heuristics; openvpn-control.ts: the control-channel fields, ACKs and TLS reassembly;
 * openvpn-decrypt.ts: decryption and the inner-packet hand-off; openvpn-state.ts: the
 * per-session state and keys.
 */
import { DESEGMENT_ONE_MORE_SEGMENT } from "../src/analysis/reassembly.js";
import { addPduSize, type TcpSegment } from "../src/analysis/tcp.js";
import type { PacketInfo } from "../src/core/pinfo.js";
import { callData, defineProtocol } from "../src/core/proto.js";
import type { Item } from "../src/core/tree.js";
import type { Tvb } from "../src/core/tvb.js";
import { OCC_NAMES } from "../src/openvpn/datachannel.js";
import {
  detectMode, isControl, MAX_ACKS, OPCODE_NAMES, P_CONTROL_HARD_RESET_CLIENT_V1,
  P_CONTROL_HARD_RESET_CLIENT_V2, P_CONTROL_HARD_RESET_CLIENT_V3, P_CONTROL_V1, P_DATA_V1, P_DATA_V2,
  isData, looksRandom, parsePacket, TLS_CRYPT_TAG, type WireOptions,
} from "../src/openvpn/wire.js";
import { addControl } from "./openvpn-control.js";
import { decryptPacket, tryStatic, unwrapControl, type Inner } from "./openvpn-decrypt.js";
import { bindOpenvpn, convOf, keysOf, state, type Conv } from "./openvpn-state.js";

export { addSessionKeys } from "./openvpn-state.js";

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
    // what the control channel's TLS carries, once decrypted (nestcap's own; openvpn-message.ts)
    km: { abbrev: "openvpn.key_method", name: "Key method message", type: "none" },
    kmMethod: { abbrev: "openvpn.key_method.method", name: "Key method", type: "uint8", base: "dec", bitmask: 0x0f, bits: 8 },
    kmPreMaster: { abbrev: "openvpn.key_method.pre_master", name: "Pre-master secret", type: "bytes" },
    kmRandom1: { abbrev: "openvpn.key_method.random1", name: "Random 1", type: "bytes" },
    kmRandom2: { abbrev: "openvpn.key_method.random2", name: "Random 2", type: "bytes" },
    kmOptionsLen: { abbrev: "openvpn.key_method.options_len", name: "Options string length", type: "uint16", base: "dec" },
    kmOptions: { abbrev: "openvpn.key_method.options", name: "Options string", type: "string" },
    kmOption: { abbrev: "openvpn.key_method.option", name: "Option", type: "string" },
    kmUsername: { abbrev: "openvpn.key_method.username", name: "Username", type: "string" },
    kmPassword: { abbrev: "openvpn.key_method.password", name: "Password", type: "string" },
    kmPeerInfo: { abbrev: "openvpn.key_method.peer_info", name: "Peer info", type: "string" },
    kmPeerInfoItem: { abbrev: "openvpn.key_method.peer_info.item", name: "Peer info item", type: "string" },
    kmStringLen: { abbrev: "openvpn.key_method.string_len", name: "String length", type: "uint16", base: "dec" },
    ctrlMsg: { abbrev: "openvpn.control_message", name: "Control message", type: "string" },
    pushOption: { abbrev: "openvpn.push_option", name: "Pushed option", type: "string" },
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
bindOpenvpn(f, openvpn.hf);

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
  const canAsk = seg !== undefined && seg.canDesegment;
  while (o + 2 <= len) {
    const plen = tvb.u16(o);
    if (plen === 0) break;
    if (o + 2 + plen > len && canAsk) {
      // tcp_dissect_pdus: ask TCP for the rest; the packet is dissected whole in the segment that completes it
      seg.desegmentOffset = o;
      seg.desegmentLen = o + 2 + plen - len;
      return len;
    }
    if (o + 2 + plen > len) {
      // split across segments and no reassembly possible (turned off, or an IP fragment):
      // show what is here, say so, and recognise the rest when it comes (tcpNext)
      const ti = tree.add(openvpn.hf, tvb, o, len - o, null);
      ti.add(f.plen, tvb, o, 2, plen);
      const it = ti.add(f.split, tvb, o + 2, len - o - 2, null);
      it.generated = true;
      it.expert("note", "reassemble", `OpenVPN packet of ${plen} bytes continues in a later TCP segment (not reassembled)`, "openvpn", "openvpn.split");
      if (len - o - 2 > 0) ti.add(f.data, tvb, o + 2, len - o - 2, tvb.bytes(o + 2));
      pinfo.setProtocol("OpenVPN");
      if (pinfo.cols !== null) pinfo.appendInfo("[OpenVPN packet continues in a later segment]");
      if (seg !== undefined && flow !== null) st.tcpNext.set(flow, seg.seq + o + 2 + plen);
      return len;
    }
    addPduSize(seg, tvb, o, 2 + plen);
    if (conv.confirmed || keysOf(pinfo).statics.length === 0 || !tryStatic(tvb.sub(o + 2, plen), pinfo, tree, conv, tvb, o)) {
      dissectPacket(tvb.sub(o + 2, plen), pinfo, tree, conv, plen, tvb, o);
    }
    o += 2 + plen;
  }
  if (o < len) {
    if (o + 1 === len && canAsk) {
      // a length field cut in two
      seg.desegmentOffset = o;
      seg.desegmentLen = DESEGMENT_ONE_MORE_SEGMENT;
      return len;
    }
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
  // a client's session id is random (PTP's sequence and port fields are not)
  if (!looksRandom(b, off + 1, 8)) return null;
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
