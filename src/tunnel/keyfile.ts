/**
 * OpenVPN static key files ("-----BEGIN OpenVPN Static key V1-----", 256 bytes of hex):
 * used by --secret, --tls-auth and --tls-crypt. The 256 bytes are OpenVPN's `struct key2`:
 * keys[0] = cipher(64) ‖ hmac(64), keys[1] = cipher(64) ‖ hmac(64).
 * With key direction 0 a peer sends with keys[0] and receives with keys[1]; direction 1 is
 * the reverse; no direction ("bidirectional") uses keys[0] both ways.
 */
import { readFileSync } from "node:fs";

export function parseStaticKey(text: string): Uint8Array {
  const begin = text.indexOf("-----BEGIN OpenVPN Static key V1-----");
  const end = text.indexOf("-----END OpenVPN Static key V1-----");
  if (begin < 0 || end < begin) throw new Error("not an OpenVPN static key file (no BEGIN/END OpenVPN Static key V1 lines)");
  const hex = text.slice(begin + 37, end).replace(/#.*$/gm, "").replace(/\s+/g, "");
  if (!/^[0-9a-fA-F]*$/.test(hex) || hex.length !== 512) throw new Error(`static key file must hold 256 bytes of hex (found ${hex.length / 2})`);
  return Uint8Array.from(Buffer.from(hex, "hex"));
}

export function readStaticKey(path: string): Uint8Array {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new Error(`cannot read key file ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  try {
    return parseStaticKey(text);
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`);
  }
}

/** The 128-byte slots (cipher ‖ hmac) to send and receive with, for a key direction. */
export function keySlots(key2: Uint8Array, direction: 0 | 1 | undefined): { send: Uint8Array; recv: Uint8Array } {
  const k0 = key2.subarray(0, 128);
  const k1 = key2.subarray(128, 256);
  if (direction === undefined) return { send: k0, recv: k0 };
  return direction === 0 ? { send: k0, recv: k1 } : { send: k1, recv: k0 };
}
