/**
 * OpenVPN data-channel codec (sans-IO, both directions, node:crypto only).
 *
 * Used by the OpenVPN dissector (decryption from a key log) and by the tunnel.
 * `encryptData` / `decryptData` work on the bytes AFTER the opcode header; the
 * header (1 byte op|key-id for P_DATA_V1, 4 bytes op|key-id + 24-bit peer-id for
 * P_DATA_V2, empty for static-key mode) is passed separately because AEAD
 * authenticates it.
 *
 * Layouts, as OpenVPN 2.6 builds them (src/openvpn/crypto.c openvpn_encrypt_aead /
 * openvpn_encrypt_v1 and doc/doxygen "Data channel packet format"; facts verified
 * against the ENCRYPT IV / ENCRYPT AD / DECRYPT MAC lines of the fixtures'
 * --verb 9 logs, see fixtures/README.md):
 *
 *   AEAD (AES-GCM, CHACHA20-POLY1305), TLS mode:
 *     body  = packet-id(4) ‖ tag(16) ‖ ciphertext
 *     nonce = packet-id(4) ‖ implicit IV(8)      (12 bytes; the implicit IV is the
 *             first 8 bytes of the HMAC half of the key slot: OpenVPN's struct key
 *             is cipher[64] ‖ hmac[64], and for AEAD ciphers the "hmac" part feeds
 *             the implicit IV)
 *     AAD   = P_DATA_V2: op|peer-id(4) ‖ packet-id(4);  P_DATA_V1: packet-id(4)
 *             (2.6 prepends the V2 header before encryption, the V1 opcode after)
 *     The tag sits right after the packet-id (2.6; "aead-tag-at-end" is 2.7+).
 *
 *   CBC + HMAC, TLS mode (P_DATA_V1 / P_DATA_V2):
 *     body  = HMAC(hmacKey, IV ‖ ciphertext) ‖ IV(16) ‖ ciphertext
 *     plaintext inside the ciphertext = packet-id(4) ‖ payload   (no net time)
 *     PKCS#7 padding. The op/peer-id header is NOT covered by the HMAC.
 *
 *   CBC + HMAC, static-key mode (--secret, no opcode byte at all):
 *     packet = HMAC ‖ IV ‖ E(packet-id(4) ‖ net-time(4) ‖ payload)
 *
 * HMAC sizes: SHA1 20, SHA256 32, SHA384 48, SHA512 64. Authentication is checked
 * in constant time before anything is decrypted (CBC) or the plaintext is released
 * (AEAD); a failure returns {ok:false} and never plaintext.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export type DataCipher =
  | "AES-128-GCM" | "AES-192-GCM" | "AES-256-GCM" | "CHACHA20-POLY1305"
  | "AES-128-CBC" | "AES-192-CBC" | "AES-256-CBC";
export type DataAuth = "SHA1" | "SHA256" | "SHA384" | "SHA512";

export const DATA_CIPHERS: readonly DataCipher[] = [
  "AES-128-GCM", "AES-192-GCM", "AES-256-GCM", "CHACHA20-POLY1305", "AES-128-CBC", "AES-192-CBC", "AES-256-CBC",
];
export const DATA_AUTHS: readonly DataAuth[] = ["SHA1", "SHA256", "SHA384", "SHA512"];

export interface DataKey {
  cipher: DataCipher;
  /** HMAC digest (CBC only). */
  auth?: DataAuth;
  cipherKey: Uint8Array;
  /** CBC: the HMAC key (at least the digest's length; longer keys are cut as OpenVPN does). */
  hmacKey?: Uint8Array;
  /** AEAD: the 8-byte implicit IV (nonce tail). */
  implicitIv?: Uint8Array;
  /** Static-key mode (--secret): packet-id ‖ net-time inside the CBC plaintext. */
  staticMode?: boolean;
}

export type DecryptResult =
  | { ok: true; packetId: number; netTime?: number; plaintext: Uint8Array }
  | { ok: false; reason: string };

export interface EncryptOptions {
  /** Static-key mode: the net time (seconds) written after the packet-id. */
  netTime?: number;
  /** CBC: a fixed IV (tests); random otherwise. */
  iv?: Uint8Array;
}

export function isAead(c: DataCipher): boolean {
  return c.endsWith("GCM") || c === "CHACHA20-POLY1305";
}

export function cipherKeyLength(c: DataCipher): number {
  if (c === "CHACHA20-POLY1305") return 32;
  return Number(c.slice(4, 7)) / 8;
}

export function hmacLength(a: DataAuth): number {
  return a === "SHA1" ? 20 : a === "SHA256" ? 32 : a === "SHA384" ? 48 : 64;
}

const NODE_CIPHER: Record<DataCipher, string> = {
  "AES-128-GCM": "aes-128-gcm",
  "AES-192-GCM": "aes-192-gcm",
  "AES-256-GCM": "aes-256-gcm",
  "CHACHA20-POLY1305": "chacha20-poly1305",
  "AES-128-CBC": "aes-128-cbc",
  "AES-192-CBC": "aes-192-cbc",
  "AES-256-CBC": "aes-256-cbc",
};
const NODE_HASH: Record<DataAuth, string> = { SHA1: "sha1", SHA256: "sha256", SHA384: "sha384", SHA512: "sha512" };

/** Parse a cipher name case-insensitively ("aes-256-gcm", "AES-256-GCM"); null when unknown. */
export function parseCipher(s: string): DataCipher | null {
  const u = s.toUpperCase();
  return (DATA_CIPHERS as readonly string[]).includes(u) ? (u as DataCipher) : null;
}
export function parseAuth(s: string): DataAuth | null {
  const u = s.toUpperCase().replace(/^SHA-/, "SHA");
  return (DATA_AUTHS as readonly string[]).includes(u) ? (u as DataAuth) : null;
}

/**
 * Build a DataKey from one direction's key slot as in OpenVPN's `struct key`:
 * 64 cipher bytes then 64 HMAC bytes (shorter slots are accepted when they hold
 * what the cipher needs). AEAD: implicit IV = first 8 HMAC-half bytes.
 */
export function dataKeyFromKeyMaterial(cipher: DataCipher, auth: DataAuth | undefined, slot: Uint8Array, staticMode = false): DataKey {
  const kl = cipherKeyLength(cipher);
  const cipherKey = slot.slice(0, kl);
  const hmacHalf = slot.subarray(64);
  if (isAead(cipher)) {
    if (slot.length < 72) throw new RangeError("key slot too short for an AEAD key and implicit IV");
    return { cipher, cipherKey, implicitIv: hmacHalf.slice(0, 8), staticMode };
  }
  const a = auth ?? "SHA1";
  const hl = hmacLength(a);
  if (slot.length < 64 + hl) throw new RangeError("key slot too short for the HMAC key");
  return { cipher, auth: a, cipherKey, hmacKey: hmacHalf.slice(0, hl), staticMode };
}

function checkKey(key: DataKey): void {
  if (key.cipherKey.length !== cipherKeyLength(key.cipher)) throw new RangeError(`${key.cipher} needs a ${cipherKeyLength(key.cipher)}-byte key`);
  if (isAead(key.cipher)) {
    if (key.implicitIv === undefined || key.implicitIv.length !== 8) throw new RangeError("AEAD key needs an 8-byte implicit IV");
  } else if (key.hmacKey === undefined || key.hmacKey.length === 0) {
    throw new RangeError("CBC key needs an HMAC key");
  }
}

function put32(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 24;
  b[o + 1] = v >>> 16;
  b[o + 2] = v >>> 8;
  b[o + 3] = v;
}
function get32(b: Uint8Array, o: number): number {
  return ((b[o] << 24) >>> 0) + ((b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]);
}

function aeadAad(header: Uint8Array, pidBytes: Uint8Array): Uint8Array {
  if (header.length !== 4) return pidBytes;
  const ad = new Uint8Array(8);
  ad.set(header, 0);
  ad.set(pidBytes, 4);
  return ad;
}

function hmacLen(key: DataKey): number {
  return hmacLength(key.auth ?? "SHA1");
}

function hmacOf(key: DataKey, data: Uint8Array): Uint8Array {
  const a = key.auth ?? "SHA1";
  const k = key.hmacKey!;
  const hl = hmacLength(a);
  return createHmac(NODE_HASH[a], k.length > hl ? k.subarray(0, hl) : k).update(data).digest();
}

/** Encrypt one data packet; returns the bytes that follow `header` on the wire. */
export function encryptData(key: DataKey, header: Uint8Array, packetId: number, plaintext: Uint8Array, opts: EncryptOptions = {}): Uint8Array {
  checkKey(key);
  if (!Number.isInteger(packetId) || packetId < 0 || packetId > 0xffffffff) throw new RangeError("packet-id out of range");
  if (isAead(key.cipher)) {
    const nonce = new Uint8Array(12);
    put32(nonce, 0, packetId);
    nonce.set(key.implicitIv!, 4);
    const pid = nonce.subarray(0, 4);
    const c = createCipheriv(NODE_CIPHER[key.cipher] as "aes-256-gcm", key.cipherKey, nonce, { authTagLength: 16 });
    c.setAAD(aeadAad(header, pid));
    const ct1 = c.update(plaintext);
    const ct2 = c.final();
    const tag = c.getAuthTag();
    const out = new Uint8Array(20 + ct1.length + ct2.length);
    out.set(pid, 0);
    out.set(tag, 4);
    out.set(ct1, 20);
    out.set(ct2, 20 + ct1.length);
    return out;
  }
  const inner = key.staticMode ? 8 : 4;
  const pt = new Uint8Array(inner + plaintext.length);
  put32(pt, 0, packetId);
  if (key.staticMode) put32(pt, 4, (opts.netTime ?? Math.floor(Date.now() / 1000)) >>> 0);
  pt.set(plaintext, inner);
  const iv = opts.iv ?? randomBytes(16);
  if (iv.length !== 16) throw new RangeError("CBC IV must be 16 bytes");
  const c = createCipheriv(NODE_CIPHER[key.cipher], key.cipherKey, iv);
  const ct1 = c.update(pt);
  const ct2 = c.final();
  const hl = hmacLen(key);
  const out = new Uint8Array(hl + 16 + ct1.length + ct2.length);
  out.set(iv, hl);
  out.set(ct1, hl + 16);
  out.set(ct2, hl + 16 + ct1.length);
  out.set(hmacOf(key, out.subarray(hl)), 0);
  return out;
}

/**
 * Authenticate and decrypt the bytes after `header`. Never throws on bad input
 * (a malformed key throws RangeError).
 */
export function decryptData(key: DataKey, header: Uint8Array, body: Uint8Array): DecryptResult {
  checkKey(key);
  if (isAead(key.cipher)) {
    if (body.length < 20) return { ok: false, reason: "shorter than packet-id and tag" };
    const nonce = new Uint8Array(12);
    nonce.set(body.subarray(0, 4), 0);
    nonce.set(key.implicitIv!, 4);
    try {
      const d = createDecipheriv(NODE_CIPHER[key.cipher] as "aes-256-gcm", key.cipherKey, nonce, { authTagLength: 16 });
      d.setAAD(aeadAad(header, body.subarray(0, 4)));
      d.setAuthTag(body.subarray(4, 20));
      const p1 = d.update(body.subarray(20));
      const p2 = d.final();
      const plaintext = p2.length === 0 ? new Uint8Array(p1.buffer, p1.byteOffset, p1.length) : new Uint8Array(Buffer.concat([p1, p2]));
      return { ok: true, packetId: get32(body, 0), plaintext };
    } catch {
      return { ok: false, reason: "AEAD tag mismatch" };
    }
  }
  const hl = hmacLen(key);
  if (body.length < hl + 16 + 16) return { ok: false, reason: "shorter than HMAC, IV and one block" };
  if ((body.length - hl - 16) % 16 !== 0) return { ok: false, reason: "ciphertext is not a whole number of blocks" };
  const mac = hmacOf(key, body.subarray(hl));
  if (!timingSafeEqual(mac, body.subarray(0, hl))) return { ok: false, reason: "HMAC mismatch" };
  let pt: Buffer;
  try {
    const d = createDecipheriv(NODE_CIPHER[key.cipher], key.cipherKey, body.subarray(hl, hl + 16));
    pt = Buffer.concat([d.update(body.subarray(hl + 16)), d.final()]);
  } catch {
    return { ok: false, reason: "bad CBC padding" };
  }
  const inner = key.staticMode ? 8 : 4;
  if (pt.length < inner) return { ok: false, reason: "plaintext shorter than its packet-id" };
  const u = new Uint8Array(pt.buffer, pt.byteOffset, pt.length);
  return key.staticMode
    ? { ok: true, packetId: get32(u, 0), netTime: get32(u, 4), plaintext: u.subarray(8) }
    : { ok: true, packetId: get32(u, 0), plaintext: u.subarray(4) };
}

/** OpenVPN's keepalive ping payload (ping.c ping_string). */
export const PING_MAGIC = Uint8Array.from([
  0x2a, 0x18, 0x7b, 0xf3, 0x64, 0x1e, 0xb4, 0xcb, 0x07, 0xed, 0x2d, 0x0a, 0x98, 0x1f, 0xc7, 0x48,
]);
/** OCC messages start with this 16-byte string (occ.c occ_magic), then a type byte. */
export const OCC_MAGIC = Uint8Array.from([
  0x28, 0x7f, 0x34, 0x6b, 0xd4, 0xef, 0x7a, 0x81, 0x2d, 0x56, 0xb8, 0xd3, 0xaf, 0xc5, 0x45, 0x9c,
]);
export const OCC_NAMES: Readonly<Record<number, string>> = {
  0: "OCC_REQUEST", 1: "OCC_REPLY", 2: "OCC_MTU_REQUEST", 3: "OCC_MTU_REPLY", 4: "OCC_MTU_LOAD_REQUEST",
  5: "OCC_MTU_LOAD", 6: "OCC_EXIT",
};

export function startsWith(b: Uint8Array, magic: Uint8Array): boolean {
  if (b.length < magic.length) return false;
  for (let i = 0; i < magic.length; i++) if (b[i] !== magic[i]) return false;
  return true;
}
