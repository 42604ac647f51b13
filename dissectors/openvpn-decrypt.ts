/**
 * OpenVPN decryption (nestcap's own; --keylog, --openvpn-tls-crypt, --openvpn-static):
 * tls-crypt control packets unwrapped, P_DATA_V1/V2 and static-key packets
 * authenticated and decrypted with every key that fits, and the plaintext shown as a
 * data source: keepalive ping, OCC message, or the inner IP packet handed to the
 * "ethertype" table under the OpenVPN item.
 */
import { conversationDirection } from "../src/analysis/conversation.js";
import type { PacketInfo } from "../src/core/pinfo.js";
import { callData, callTable } from "../src/core/proto.js";
import type { Item } from "../src/core/tree.js";
import { Tvb } from "../src/core/tvb.js";
import { decryptData, isAead, OCC_MAGIC, OCC_NAMES, PING_MAGIC, startsWith } from "../src/openvpn/datachannel.js";
import { endpointMatches, type DataEntry, type StaticEntry, type TlsCryptEntry } from "../src/openvpn/keylog.js";
import { tlsCryptUnwrap } from "../src/openvpn/tlscrypt.js";
import { parsePacket, type OvpnPacket } from "../src/openvpn/wire.js";
import { f, hf, keysOf, type Conv } from "./openvpn-state.js";

// ---------------------------------------------------------------- decryption (--keylog, --openvpn-tls-crypt, --openvpn-static)

/** A tls-crypt packet that authenticated: op|session ‖ plaintext as its own data source. */
export interface Inner {
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
export function unwrapControl(b: Uint8Array, tc: OvpnPacket, pinfo: PacketInfo, expected: boolean, ti: Item): Inner | null {
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
export function decryptPacket(tvb: Tvb, pinfo: PacketInfo, ti: Item, conv: Conv, p: OvpnPacket): void {
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
export function tryStatic(tvb: Tvb, pinfo: PacketInfo, tree: Item, conv: Conv, outer?: Tvb, outerOff = 0): boolean {
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
  const ti = outer !== undefined ? tree.add(hf, outer, outerOff, tvb.length + 2, null) : tree.add(hf, tvb, 0, tvb.length, null);
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
