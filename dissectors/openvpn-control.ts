/**
 * The OpenVPN control channel after the opcode byte: session ids, tls-auth HMAC /
 * tls-crypt tag, replay packet-id, ACK arrays linked to the frames they acknowledge,
 * retransmission marks, and the TLS records reassembled across P_CONTROL_V1 packets
 * in message-packet-id order (handed to the "openvpn.control" table).
 */
import { callTable } from "../src/core/proto.js";
import type { PacketInfo } from "../src/core/pinfo.js";
import type { Item } from "../src/core/tree.js";
import { Tvb } from "../src/core/tvb.js";
import { MAX_ACKS, P_CONTROL_V1, type OvpnPacket } from "../src/openvpn/wire.js";
import type { Inner } from "./openvpn-decrypt.js";
import { f, Reasm, Sess, type Conv } from "./openvpn-state.js";

export function addControl(tvb: Tvb, pinfo: PacketInfo, ti: Item, conv: Conv, p: OvpnPacket, full: boolean, parent: Item, inner: Inner | null): void {
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
