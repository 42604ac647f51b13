/**
 * The OpenVPN packet codec (TLS mode), shared by the dissector and a future tunnel.
 * smoltcp-style: `parsePacket` validates every length once and returns a small
 * record of offsets and values (no copies: byte fields are subarray views);
 * `emitPacket` builds the same layout back. Never throws on bad input: parse
 * returns null (with `lastError` telling why).
 *
 * Layouts (all big-endian):
 *   P_DATA_V1:  op|payload
 *   P_DATA_V2:  op|peer-id(3)|payload
 *   plain:      op|session(8)|ack-len(1)|ack-ids(4·n)|[remote session(8) if n>0]|[mpid(4) unless P_ACK_V1]|payload
 *   tls-auth:   op|session(8)|hmac(h)|packet-id(4)|net-time(4)|ack…   (h = 20, 32 or 64)
 *   tls-crypt:  op|session(8)|packet-id(4)|net-time(4)|tag(32)|ciphertext(ack… encrypted)
 *   tls-crypt-v2 (HARD_RESET_CLIENT_V3, P_CONTROL_WKC_V1): tls-crypt, then the wrapped
 *               client key at the end, whose last 2 bytes give the WKC length.
 */

export const P_CONTROL_HARD_RESET_CLIENT_V1 = 1;
export const P_CONTROL_HARD_RESET_SERVER_V1 = 2;
export const P_CONTROL_SOFT_RESET_V1 = 3;
export const P_CONTROL_V1 = 4;
export const P_ACK_V1 = 5;
export const P_DATA_V1 = 6;
export const P_CONTROL_HARD_RESET_CLIENT_V2 = 7;
export const P_CONTROL_HARD_RESET_SERVER_V2 = 8;
export const P_DATA_V2 = 9;
export const P_CONTROL_HARD_RESET_CLIENT_V3 = 10;
export const P_CONTROL_WKC_V1 = 11;

/** tshark's openvpn_message_types. */
export const OPCODE_NAMES: Readonly<Record<number, string>> = {
  1: "P_CONTROL_HARD_RESET_CLIENT_V1",
  2: "P_CONTROL_HARD_RESET_SERVER_V1",
  3: "P_CONTROL_SOFT_RESET_V1",
  4: "P_CONTROL_V1",
  5: "P_ACK_V1",
  6: "P_DATA_V1",
  7: "P_CONTROL_HARD_RESET_CLIENT_V2",
  8: "P_CONTROL_HARD_RESET_SERVER_V2",
  9: "P_DATA_V2",
  10: "P_CONTROL_HARD_RESET_CLIENT_V3",
  11: "P_CONTROL_WKC_V1",
};

/** Largest ACK array OpenVPN sends (RELIABLE_ACK_SIZE). */
export const MAX_ACKS = 8;
export const TLS_CRYPT_TAG = 32;

export type AuthMode = "none" | "tls-auth" | "tls-crypt";

export interface WireOptions {
  mode: AuthMode;
  /** HMAC length for tls-auth (20, 32 or 64). */
  hmacSize: number;
}

export function isControl(op: number): boolean {
  return op >= 1 && op <= 11 && op !== P_DATA_V1 && op !== P_DATA_V2;
}
export function isData(op: number): boolean {
  return op === P_DATA_V1 || op === P_DATA_V2;
}
export function isV3(op: number): boolean {
  return op === P_CONTROL_HARD_RESET_CLIENT_V3 || op === P_CONTROL_WKC_V1;
}

/** One parsed packet: offsets are relative to the start of the packet. */
export interface OvpnPacket {
  opcode: number;
  keyId: number;
  /** P_DATA_V2 only, else -1. */
  peerId: number;
  sessionId: bigint;
  mode: AuthMode;
  /** tls-auth HMAC or tls-crypt tag; offset -1 when absent. */
  hmacOff: number;
  hmacLen: number;
  /** Replay packet-id and net time (tls-auth / tls-crypt), -1 when absent. */
  pidOff: number;
  pid: number;
  netTime: number;
  /** ACK array: offset of the length byte (-1 when encrypted/absent). */
  ackOff: number;
  acks: number[];
  /** Remote session id (present when acks.length > 0). */
  remoteSessionId: bigint | null;
  /** Message packet-id, -1 for P_ACK_V1 / data / encrypted. */
  mpidOff: number;
  mpid: number;
  /** Payload (TLS bytes for P_CONTROL_V1, data for P_DATA_*, ciphertext for tls-crypt). */
  payloadOff: number;
  payloadLen: number;
  /** tls-crypt-v2 wrapped client key (-1 when absent). */
  wkcOff: number;
  wkcLen: number;
}

export let lastError = "";

function u32(b: Uint8Array, o: number): number {
  return ((b[o] << 24) >>> 0) + ((b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]);
}
function u64(b: Uint8Array, o: number): bigint {
  return (BigInt(u32(b, o)) << 32n) | BigInt(u32(b, o + 4));
}

function fail(why: string): null {
  lastError = why;
  return null;
}

/**
 * Parse one packet (without the TCP length prefix) from b[off, off+len).
 * Returns null when the lengths don't add up.
 */
export function parsePacket(b: Uint8Array, off: number, len: number, opts: WireOptions): OvpnPacket | null {
  if (len < 1 || off < 0 || off + len > b.length) return fail("empty");
  const op = b[off] >> 3;
  const p: OvpnPacket = {
    opcode: op, keyId: b[off] & 7, peerId: -1, sessionId: 0n, mode: "none",
    hmacOff: -1, hmacLen: 0, pidOff: -1, pid: 0, netTime: 0, ackOff: -1, acks: [], remoteSessionId: null,
    mpidOff: -1, mpid: -1, payloadOff: 1, payloadLen: len - 1, wkcOff: -1, wkcLen: 0,
  };
  if (op === P_DATA_V1) return p;
  if (op === P_DATA_V2) {
    if (len < 4) return fail("P_DATA_V2 shorter than its peer-id");
    p.peerId = (b[off + 1] << 16) | (b[off + 2] << 8) | b[off + 3];
    p.payloadOff = 4;
    p.payloadLen = len - 4;
    return p;
  }
  if (op < 1 || op > 11) return fail("unknown opcode");
  if (len < 9) return fail("shorter than the session id");
  p.sessionId = u64(b, off + 1);
  let o = 9;
  let end = len;
  const mode = isV3(op) ? "tls-crypt" : opts.mode;
  p.mode = mode;
  if (mode === "tls-crypt") {
    if (len < o + 8 + TLS_CRYPT_TAG) return fail("shorter than the tls-crypt header");
    p.pidOff = o;
    p.pid = u32(b, off + o);
    p.netTime = u32(b, off + o + 4);
    o += 8;
    p.hmacOff = o;
    p.hmacLen = TLS_CRYPT_TAG;
    o += TLS_CRYPT_TAG;
    if (isV3(op) && op === P_CONTROL_HARD_RESET_CLIENT_V3) {
      if (end - o < 2) return fail("no room for the wrapped client key");
      const wl = (b[off + end - 2] << 8) | b[off + end - 1];
      if (wl < 2 || wl > end - o) return fail("bad wrapped client key length");
      p.wkcOff = end - wl;
      p.wkcLen = wl;
      end -= wl;
    }
    p.payloadOff = o;
    p.payloadLen = end - o;
    return p;
  }
  if (mode === "tls-auth") {
    const h = opts.hmacSize;
    if (len < o + h + 8) return fail("shorter than the tls-auth header");
    p.hmacOff = o;
    p.hmacLen = h;
    o += h;
    p.pidOff = o;
    p.pid = u32(b, off + o);
    p.netTime = u32(b, off + o + 4);
    o += 8;
  }
  if (o + 1 > end) return fail("no ACK array length");
  p.ackOff = o;
  const n = b[off + o];
  o++;
  if (n > 0) {
    if (o + 4 * n + 8 > end) return fail("ACK array runs past the end");
    for (let i = 0; i < n; i++) p.acks.push(u32(b, off + o + 4 * i));
    o += 4 * n;
    p.remoteSessionId = u64(b, off + o);
    o += 8;
  }
  if (op !== P_ACK_V1) {
    if (o + 4 > end) return fail("no message packet-id");
    p.mpidOff = o;
    p.mpid = u32(b, off + o);
    o += 4;
  }
  p.payloadOff = o;
  p.payloadLen = end - o;
  return p;
}

/** What emitPacket needs (the parse record works as input too). */
export interface EmitSpec {
  opcode: number;
  keyId: number;
  peerId?: number;
  sessionId?: bigint;
  mode?: AuthMode;
  /** tls-auth HMAC / tls-crypt tag bytes (zeros of hmacLen when absent). */
  hmac?: Uint8Array;
  hmacLen?: number;
  pid?: number;
  netTime?: number;
  acks?: readonly number[];
  remoteSessionId?: bigint | null;
  mpid?: number;
  payload?: Uint8Array;
  wkc?: Uint8Array;
}

function put32(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 24;
  b[o + 1] = v >>> 16;
  b[o + 2] = v >>> 8;
  b[o + 3] = v;
}
function put64(b: Uint8Array, o: number, v: bigint): void {
  put32(b, o, Number((v >> 32n) & 0xffffffffn));
  put32(b, o + 4, Number(v & 0xffffffffn));
}

/** Build a packet (without TCP length prefix). Throws on a spec that cannot be encoded. */
export function emitPacket(s: EmitSpec): Uint8Array {
  const op = s.opcode;
  if (op < 0 || op > 31 || s.keyId < 0 || s.keyId > 7) throw new RangeError("opcode/key-id out of range");
  const payload = s.payload ?? new Uint8Array(0);
  const first = (op << 3) | s.keyId;
  if (op === P_DATA_V1 || op === P_DATA_V2) {
    const hl = op === P_DATA_V2 ? 4 : 1;
    const out = new Uint8Array(hl + payload.length);
    out[0] = first;
    if (op === P_DATA_V2) {
      const pid = s.peerId ?? 0;
      out[1] = pid >>> 16;
      out[2] = pid >>> 8;
      out[3] = pid;
    }
    out.set(payload, hl);
    return out;
  }
  const mode = isV3(op) ? "tls-crypt" : (s.mode ?? "none");
  const acks = s.acks ?? [];
  if (acks.length > 255) throw new RangeError("too many ACKs");
  const hl = mode === "tls-crypt" ? TLS_CRYPT_TAG : mode === "tls-auth" ? (s.hmacLen ?? s.hmac?.length ?? 20) : 0;
  const wkc = s.wkc ?? new Uint8Array(0);
  let n = 9 + (mode === "none" ? 0 : hl + 8);
  if (mode !== "tls-crypt") n += 1 + acks.length * 4 + (acks.length > 0 ? 8 : 0) + (op !== P_ACK_V1 ? 4 : 0);
  const out = new Uint8Array(n + payload.length + wkc.length);
  out[0] = first;
  put64(out, 1, s.sessionId ?? 0n);
  let o = 9;
  const tag = s.hmac ?? new Uint8Array(hl);
  if (mode === "tls-auth") {
    out.set(tag.subarray(0, hl), o);
    o += hl;
  }
  if (mode !== "none") {
    put32(out, o, s.pid ?? 0);
    put32(out, o + 4, s.netTime ?? 0);
    o += 8;
  }
  if (mode === "tls-crypt") {
    out.set(tag.subarray(0, hl), o);
    o += hl;
  } else {
    out[o++] = acks.length;
    for (const a of acks) {
      put32(out, o, a);
      o += 4;
    }
    if (acks.length > 0) {
      put64(out, o, s.remoteSessionId ?? 0n);
      o += 8;
    }
    if (op !== P_ACK_V1) {
      put32(out, o, s.mpid ?? 0);
      o += 4;
    }
  }
  out.set(payload, o);
  out.set(wkc, o + payload.length);
  return out;
}

/** Over TCP each packet is preceded by a 2-byte length. */
export function frameTcp(pkt: Uint8Array): Uint8Array {
  if (pkt.length > 0xffff) throw new RangeError("packet too long for TCP framing");
  const out = new Uint8Array(pkt.length + 2);
  out[0] = pkt.length >> 8;
  out[1] = pkt.length & 0xff;
  out.set(pkt, 2);
  return out;
}

/** A Unix time is plausible for net-time when it lies in 2001..2100 (and near `ref` when given). */
export function plausibleTime(t: number, ref = 0): boolean {
  if (t < 978307200 || t > 4102444800) return false;
  return ref < 978307200 || Math.abs(t - ref) < 86400 * 366 * 2;
}

/**
 * An HMAC, an AEAD tag or a session id is random: four or more zero bytes in 8-64 of them
 * happen less than once in 10^5 packets, while other protocols' counters and lengths (AFS/RX
 * on its ports, PTP) are full of zeros.
 */
export function looksRandom(b: Uint8Array, off: number, n: number): boolean {
  let zeros = 0;
  for (let i = off; i < off + n && i < b.length; i++) if (b[i] === 0 && ++zeros >= 4) return false;
  return true;
}

/**
 * Guess the control-channel wrapping from one control packet: tls-crypt, tls-auth
 * with a 20/32/64-byte HMAC, or none. `ref`: the frame time (seconds) or 0.
 * Returns null when nothing fits.
 */
export function detectMode(b: Uint8Array, off: number, len: number, ref: number): WireOptions | null {
  if (len < 10) return null;
  const op = b[off] >> 3;
  if (!isControl(op)) return null;
  if (isV3(op)) {
    // tls-crypt-v2: packet-id and time in clear after the session id, and a wrapped key that fits
    if (len < 9 + 8 + TLS_CRYPT_TAG) return null;
    const pid = u32(b, off + 9);
    if (pid === 0 || pid >= 0x1000000 || !plausibleTime(u32(b, off + 13), ref)) return null;
    return parsePacket(b, off, len, { mode: "tls-crypt", hmacSize: TLS_CRYPT_TAG }) === null ? null : { mode: "tls-crypt", hmacSize: TLS_CRYPT_TAG };
  }
  // tls-auth: packet-id then a plausible time after the HMAC, and an ACK structure that fits
  for (const h of [20, 32, 64]) {
    if (len < 9 + h + 9 || !looksRandom(b, off + 9, h)) continue;
    const pid = u32(b, off + 9 + h);
    const t = u32(b, off + 13 + h);
    if (pid !== 0 && pid < 0x1000000 && plausibleTime(t, ref) && parsePacket(b, off, len, { mode: "tls-auth", hmacSize: h }) !== null) {
      const p = parsePacket(b, off, len, { mode: "tls-auth", hmacSize: h })!;
      if (p.acks.length <= MAX_ACKS && (op === P_ACK_V1 ? p.payloadLen === 0 : true)) return { mode: "tls-auth", hmacSize: h };
    }
  }
  // tls-crypt: packet-id and time right after the session id, then a random tag
  if (len >= 9 + 8 + TLS_CRYPT_TAG && looksRandom(b, off + 17, TLS_CRYPT_TAG)) {
    const pid = u32(b, off + 9);
    const t = u32(b, off + 13);
    if (pid !== 0 && pid < 0x1000000 && plausibleTime(t, ref)) return { mode: "tls-crypt", hmacSize: TLS_CRYPT_TAG };
  }
  const p = parsePacket(b, off, len, { mode: "none", hmacSize: 0 });
  if (p !== null && p.acks.length <= MAX_ACKS && (op !== P_ACK_V1 || p.payloadLen === 0)) return { mode: "none", hmacSize: 0 };
  return null;
}
