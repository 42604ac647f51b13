/**
 * tls-crypt (OpenVPN 2.4+, src/openvpn/tls_crypt.c and doc/tls-crypt-v2.txt):
 *
 *   packet = op|key-id(1) ‖ session-id(8) ‖ packet-id(4) ‖ net-time(4) ‖ tag(32) ‖ ciphertext
 *   tag    = HMAC-SHA256(Ka, op ‖ session-id ‖ packet-id ‖ net-time ‖ plaintext)
 *   ciphertext = AES-256-CTR(Ke, IV = tag[0..16), plaintext)
 *
 * Ke/Ka: the first 32 bytes of the cipher / HMAC halves of one key slot of the
 * tls-crypt key file (see static.ts); the 2.6 "dynamic tls-crypt" keys used for
 * renegotiations have the same shape (logged as "Outgoing/Incoming dynamic
 * tls-crypt: CIPHER KEY / HMAC KEY"). The plaintext is what a plain control
 * packet carries after its session id: ack array, [remote session], [message
 * packet-id], TLS payload.
 */
import { createCipheriv, createHmac, timingSafeEqual } from "node:crypto";

export interface TlsCryptKey {
  cipherKey: Uint8Array; // 32 bytes, AES-256-CTR
  hmacKey: Uint8Array; // 32 bytes, HMAC-SHA256
}

export const TLS_CRYPT_HEADER = 17; // op ‖ session ‖ packet-id ‖ net-time
export const TLS_CRYPT_TAG_LEN = 32;

/** The key of one slot (128 bytes, cipher[64] ‖ hmac[64]). */
export function tlsCryptKeyFromSlot(slot: Uint8Array): TlsCryptKey {
  return { cipherKey: slot.slice(0, 32), hmacKey: slot.slice(64, 96) };
}

export type UnwrapResult = { ok: true; plaintext: Uint8Array } | { ok: false; reason: string };

/**
 * Authenticate and decrypt one tls-crypt packet (`pkt`: from the opcode byte to the
 * end of the ciphertext, without a tls-crypt-v2 wrapped key). Never throws.
 */
export function tlsCryptUnwrap(key: TlsCryptKey, pkt: Uint8Array): UnwrapResult {
  const h = TLS_CRYPT_HEADER;
  if (pkt.length < h + TLS_CRYPT_TAG_LEN) return { ok: false, reason: "shorter than the tls-crypt header" };
  const tag = pkt.subarray(h, h + TLS_CRYPT_TAG_LEN);
  const ct = pkt.subarray(h + TLS_CRYPT_TAG_LEN);
  const c = createCipheriv("aes-256-ctr", key.cipherKey, tag.subarray(0, 16));
  const p1 = c.update(ct);
  const p2 = c.final();
  const pt = p2.length === 0 ? p1 : Buffer.concat([p1, p2]);
  const mac = createHmac("sha256", key.hmacKey).update(pkt.subarray(0, h)).update(pt).digest();
  if (!timingSafeEqual(mac, tag)) return { ok: false, reason: "tls-crypt tag mismatch" };
  return { ok: true, plaintext: new Uint8Array(pt.buffer, pt.byteOffset, pt.length) };
}

/** Wrap: header (17 bytes: op ‖ session ‖ packet-id ‖ net-time) + plaintext → the whole packet. */
export function tlsCryptWrap(key: TlsCryptKey, header: Uint8Array, plaintext: Uint8Array): Uint8Array {
  if (header.length !== TLS_CRYPT_HEADER) throw new RangeError("tls-crypt header must be 17 bytes");
  const tag = createHmac("sha256", key.hmacKey).update(header).update(plaintext).digest();
  const c = createCipheriv("aes-256-ctr", key.cipherKey, tag.subarray(0, 16));
  const ct = Buffer.concat([c.update(plaintext), c.final()]);
  const out = new Uint8Array(TLS_CRYPT_HEADER + TLS_CRYPT_TAG_LEN + ct.length);
  out.set(header, 0);
  out.set(tag, TLS_CRYPT_HEADER);
  out.set(ct, TLS_CRYPT_HEADER + TLS_CRYPT_TAG_LEN);
  return out;
}
