/**
 * One key-id of the TLS-mode engine: the `KeyState` (its reliability layer, TLS socket,
 * key-method-2 exchange and data-channel keys), the key-method-2 message codec, the
 * OCC options string, and TLS helpers (peer certificate subject, TLS error texts).
 */
import type { Duplex } from "node:stream";
import type * as tls from "node:tls";
import type { DataKey } from "../openvpn/datachannel.js";
import type { FastPath } from "./fastcrypto.js";
import { Reliable } from "./reliable.js";
import { ReplayWindow } from "./replay.js";

/** Key-method-2 message (ssl.c key_method_2_write/read). */
export interface KeyMethod2 {
  random: Uint8Array;
  options: string;
  username: string;
  password: string;
  peerInfo: string;
}

function writeString(parts: Buffer[], s: string): void {
  if (s.length === 0) {
    parts.push(Buffer.from([0, 0]));
    return;
  }
  const b = Buffer.from(s + "\0", "utf8");
  const l = Buffer.alloc(2);
  l.writeUInt16BE(b.length);
  parts.push(l, b);
}

export function encodeKeyMethod2(client: boolean, m: KeyMethod2): Buffer {
  const parts: Buffer[] = [Buffer.from([0, 0, 0, 0, 2]), Buffer.from(m.random)];
  if (m.random.length !== (client ? 112 : 64)) throw new RangeError("key-method-2 random has the wrong length");
  writeString(parts, m.options);
  writeString(parts, m.username);
  writeString(parts, m.password);
  writeString(parts, m.peerInfo);
  return Buffer.concat(parts);
}

/** Parse a key-method-2 message; returns it and the bytes used, or null if incomplete/bad. */
export function decodeKeyMethod2(fromClient: boolean, b: Uint8Array): { km: KeyMethod2; used: number } | null {
  const rl = fromClient ? 112 : 64;
  if (b.length < 5 + rl + 2) return null;
  if (b[0] !== 0 || b[1] !== 0 || b[2] !== 0 || b[3] !== 0 || (b[4] & 0x0f) !== 2) throw new Error("peer did not send a key-method 2 message");
  let o = 5 + rl;
  const strs: string[] = [];
  for (let i = 0; i < 4; i++) {
    if (o + 2 > b.length) {
      if (i >= 1) break; // username/password/peer-info are optional
      return null;
    }
    const l = (b[o] << 8) | b[o + 1];
    if (o + 2 + l > b.length) return null;
    let s = Buffer.from(b.subarray(o + 2, o + 2 + l)).toString("utf8");
    if (s.endsWith("\0")) s = s.slice(0, -1);
    strs.push(s);
    o += 2 + l;
  }
  return { km: { random: b.slice(5, 5 + rl), options: strs[0] ?? "", username: strs[1] ?? "", password: strs[2] ?? "", peerInfo: strs[3] ?? "" }, used: o };
}

export function parsePeerInfo(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of s.split("\n")) {
    const eq = line.indexOf("=");
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

export function optionsString(role: "client" | "server", proto: "udp" | "tcp"): string {
  const p = proto === "udp" ? "UDPv4" : role === "client" ? "TCPv4_CLIENT" : "TCPv4_SERVER";
  return `V4,dev-type tun,link-mtu ${proto === "udp" ? 1541 : 1543},tun-mtu 1500,proto ${p},auth SHA1,keysize 128,key-method 2,tls-${role}`;
}

export function hex64(v: bigint): string {
  return v.toString(16).padStart(16, "0");
}

export type KsState = "reset" | "tls" | "km2" | "active" | "dead";

/** One TLS session / key-id. */
export class KeyState {
  state: KsState = "reset";
  rel: Reliable;
  tls: tls.TLSSocket | null = null;
  duplex: Duplex | null = null;
  plainBuf: Buffer = Buffer.alloc(0);
  km2Sent = false;
  peerKm2: KeyMethod2 | null = null;
  send: DataKey | null = null;
  recv: DataKey | null = null;
  /** OpenSSL-through-koffi contexts for AEAD ciphers (null: use datachannel.ts). */
  fastSend: FastPath | null = null;
  fastRecv: FastPath | null = null;
  sendPid = 0;
  replay = new ReplayWindow(64);
  startedAt: number;
  activeAt = 0;
  /** Retire (drop) this key after this time (lame duck). */
  expiresAt = Infinity;

  constructor(readonly keyId: number, localSession: bigint, now: number, rto: number) {
    this.rel = new Reliable(keyId, localSession, rto);
    this.startedAt = now;
  }
}

export function subjectOf(s: tls.TLSSocket | null): string | undefined {
  if (s === null) return undefined;
  const c = s.getPeerCertificate();
  if (c === null || c.subject === undefined) return undefined;
  return c.subject.CN !== undefined ? `CN=${c.subject.CN}` : undefined;
}

export function describeTlsError(e: Error): string {
  const code = (e as NodeJS.ErrnoException).code ?? "";
  switch (code) {
    case "UNABLE_TO_VERIFY_LEAF_SIGNATURE":
    case "UNABLE_TO_GET_ISSUER_CERT":
    case "UNABLE_TO_GET_ISSUER_CERT_LOCALLY":
    case "SELF_SIGNED_CERT_IN_CHAIN":
    case "DEPTH_ZERO_SELF_SIGNED_CERT":
      return `the peer's certificate is not signed by our CA (${code}): check --ca`;
    case "CERT_HAS_EXPIRED":
      return "the peer's certificate has expired";
    case "ERR_SSL_TLSV1_ALERT_UNKNOWN_CA":
    case "ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE":
    case "ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED":
    case "ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN":
      return `the peer rejected our certificate (${code}): check --cert/--key and the peer's CA`;
    default:
      return `${e.message}${code !== "" ? ` (${code})` : ""}`;
  }
}
