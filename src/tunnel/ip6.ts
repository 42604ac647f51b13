/**
 * IPv6 in the tunnel: the text forms of --ifconfig-ipv6 / --server-ipv6 / route-ipv6
 * (ADDR/BITS), the address pool a --server-ipv6 server hands out (as OpenVPN 2.6's:
 * helper.c, pool.c), and the per-packet helpers of the server's IPv6 routing (tunnel-core.ts).
 */
import { ipv6ToString } from "../core/format.js";
import { parseIPv6 } from "../core/addr-text.js";

export interface Prefix6 {
  addr: Uint8Array;
  bits: number;
}

/** "ADDR/BITS" (BITS defaults to `defBits`), or null when it is not one. */
export function parsePrefix6(s: string, defBits = 128): Prefix6 | null {
  const slash = s.indexOf("/");
  const addr = parseIPv6(slash < 0 ? s : s.slice(0, slash));
  if (addr === null) return null;
  if (slash < 0) return { addr, bits: defBits };
  const b = s.slice(slash + 1);
  if (!/^\d{1,3}$/.test(b) || Number(b) > 128) return null;
  return { addr, bits: Number(b) };
}

/** addr + n (n < 2^32), carrying over the 16 bytes. */
export function addIp6(addr: Uint8Array, n: number): Uint8Array {
  const out = Uint8Array.from(addr);
  let carry = n;
  for (let i = 15; i >= 0 && carry > 0; i--) {
    const v = out[i] + (carry % 256);
    out[i] = v & 255;
    carry = Math.floor(carry / 256) + (v >> 8);
  }
  return out;
}

export const ip6Text = ipv6ToString;

/**
 * The server's addresses for --server-ipv6 NET/BITS, as OpenVPN: itself NET+1, its pool
 * starting at NET+0x1000 (NET+2 for a network smaller than /112); the client with IPv4
 * pool index i gets pool base + i (OpenVPN ties the IPv6 pool to the IPv4 one).
 */
export function server6(net: Prefix6): { local: Uint8Array; poolBase: Uint8Array } {
  return { local: addIp6(net.addr, 1), poolBase: addIp6(net.addr, net.bits < 112 ? 0x1000 : 2) };
}

/** The routing key of the 16 address bytes at `off` (IPv6 path only: one short string). */
export function key6(b: Uint8Array, off: number): string {
  return String.fromCharCode(
    (b[off] << 8) | b[off + 1], (b[off + 2] << 8) | b[off + 3], (b[off + 4] << 8) | b[off + 5], (b[off + 6] << 8) | b[off + 7],
    (b[off + 8] << 8) | b[off + 9], (b[off + 10] << 8) | b[off + 11], (b[off + 12] << 8) | b[off + 13], (b[off + 14] << 8) | b[off + 15],
  );
}

/** The 16 bytes at `off` equal `addr`. */
export function same6(b: Uint8Array, off: number, addr: Uint8Array): boolean {
  for (let i = 0; i < 16; i++) if (b[off + i] !== addr[i]) return false;
  return true;
}
