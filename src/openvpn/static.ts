/**
 * OpenVPN static key files ("-----BEGIN OpenVPN Static key V1-----", as written by
 * `openvpn --genkey secret|tls-auth|tls-crypt`): 256 bytes of hex = two key slots,
 * each OpenVPN's `struct key`: cipher[64] ‖ hmac[64]. Slot 0 = bytes 0..127, slot 1
 * = bytes 128..255. With key direction 0 a peer sends with slot 0 and receives with
 * slot 1; direction 1 is the reverse; without a direction (bidirectional) both
 * directions use slot 0.
 */
import { readFileSync } from "node:fs";

export class KeyFileError extends Error {}

/** Parse the text of a static key file; throws KeyFileError with a one-line reason. */
export function parseStaticKeyFile(text: string, name = "key file"): Uint8Array {
  const lines = text.split(/\r?\n/);
  const begin = lines.findIndex((l) => l.trim() === "-----BEGIN OpenVPN Static key V1-----");
  const end = lines.findIndex((l) => l.trim() === "-----END OpenVPN Static key V1-----");
  if (begin < 0 || end < begin) throw new KeyFileError(`${name}: not an OpenVPN static key file (no "-----BEGIN OpenVPN Static key V1-----" block)`);
  const hex = lines.slice(begin + 1, end).map((l) => l.trim()).join("");
  if (!/^[0-9a-fA-F]*$/.test(hex)) throw new KeyFileError(`${name}: the key block holds non-hex characters`);
  if (hex.length !== 512) throw new KeyFileError(`${name}: the key block holds ${hex.length / 2} bytes, expected 256`);
  return Uint8Array.from(Buffer.from(hex, "hex"));
}

export function readStaticKeyFile(path: string): Uint8Array {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new KeyFileError(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  return parseStaticKeyFile(text, path);
}

/** Key slot i (0 or 1): 128 bytes, cipher[64] ‖ hmac[64]. */
export function keySlot(k: Uint8Array, i: 0 | 1): Uint8Array {
  return k.subarray(128 * i, 128 * i + 128);
}

/** "FILE" or "FILE:0" / "FILE:1" → path and direction (undefined = bidirectional / not given). */
export function splitKeyArg(arg: string): { path: string; direction: 0 | 1 | undefined } {
  const m = /^(.*):([01])$/.exec(arg);
  if (m !== null) return { path: m[1], direction: Number(m[2]) as 0 | 1 };
  return { path: arg, direction: undefined };
}
