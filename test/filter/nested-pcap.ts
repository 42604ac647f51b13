/**
 * A small hand-built capture of packets inside packets, for the layer operator
 * (`ip.src#2`) and protocol-bytes filters: ICMP errors quoting IP/UDP and IP/TCP,
 * IP in IP (twice nested), IPv6 in IPv4. Ethernet link type, classic pcap.
 */

function csum(b: Uint8Array, start: number, end: number): number {
  let s = 0;
  for (let i = start; i < end; i += 2) s += (b[i] << 8) | (i + 1 < end ? b[i + 1] : 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

const ip4 = (s: string) => s.split(".").map(Number);

function ipv4(src: string, dst: string, proto: number, payload: number[], ttl = 64, id = 1): number[] {
  const len = 20 + payload.length;
  const h = Uint8Array.from([0x45, 0, len >> 8, len & 255, id >> 8, id & 255, 0x40, 0, ttl, proto, 0, 0, ...ip4(src), ...ip4(dst)]);
  const c = csum(h, 0, 20);
  h[10] = c >> 8;
  h[11] = c & 255;
  return [...h, ...payload];
}

function udp(sport: number, dport: number, payload: number[]): number[] {
  const len = 8 + payload.length;
  return [sport >> 8, sport & 255, dport >> 8, dport & 255, len >> 8, len & 255, 0, 0, ...payload];
}

function tcpHdr(sport: number, dport: number): number[] {
  return [sport >> 8, sport & 255, dport >> 8, dport & 255, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0x20, 0, 0, 0, 0, 0];
}

function icmp(type: number, code: number, quoted: number[]): number[] {
  const b = Uint8Array.from([type, code, 0, 0, 0, 0, 0, 0, ...quoted]);
  const c = csum(b, 0, b.length);
  b[2] = c >> 8;
  b[3] = c & 255;
  return [...b];
}

function ipv6(nxt: number, payload: number[]): number[] {
  const src = [0xfd, 0, ...new Array<number>(13).fill(0), 1];
  const dst = [0xfd, 0, ...new Array<number>(13).fill(0), 2];
  const n = payload.length;
  return [0x60, 0, 0, 0, n >> 8, n & 255, nxt, 64, ...src, ...dst, ...payload];
}

const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

function eth(type: number, payload: number[]): number[] {
  return [2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, type >> 8, type & 255, ...payload];
}

/** The frames (Ethernet). */
export function nestedFrames(): Uint8Array[] {
  const inner = ipv4("10.0.0.2", "12.4.4.4", 17, udp(5353, 53, ascii("abcdefgh")), 63, 7);
  const innerTcp = ipv4("10.0.0.2", "10.9.9.9", 6, tcpHdr(40000, 80).slice(0, 8), 1, 8);
  return [
    eth(0x0800, ipv4("10.0.0.1", "10.0.0.2", 1, icmp(3, 3, inner))),
    eth(0x0800, ipv4("192.168.0.1", "192.168.0.2", 4, ipv4("10.1.0.1", "10.1.0.2", 17, udp(1234, 9999, ascii("hello GET"))))),
    eth(0x0800, ipv4("10.0.0.3", "10.0.0.4", 41, ipv6(17, udp(53, 5353, ascii("v6 inside"))))),
    eth(0x0800, ipv4("172.16.0.1", "172.16.0.2", 4, ipv4("10.99.0.1", "10.99.0.2", 4, ipv4("10.0.0.1", "12.4.4.4", 17, udp(53, 53, ascii("three")))))),
    eth(0x0800, ipv4("10.0.0.254", "10.0.0.2", 1, icmp(11, 0, innerTcp))),
    eth(0x0800, ipv4("10.99.0.1", "10.99.0.2", 17, udp(53, 1053, ascii("plain")))),
  ].map((f) => Uint8Array.from(f));
}

/** A classic pcap file of the frames. */
export function nestedPcap(): Uint8Array {
  const frames = nestedFrames();
  const parts: number[] = [];
  const u32 = (v: number) => parts.push(v & 255, (v >>> 8) & 255, (v >>> 16) & 255, v >>> 24);
  const u16 = (v: number) => parts.push(v & 255, v >>> 8);
  u32(0xa1b2c3d4);
  u16(2);
  u16(4);
  u32(0);
  u32(0);
  u32(65535);
  u32(1);
  frames.forEach((f, i) => {
    u32(1700000000 + i);
    u32(0);
    u32(f.length);
    u32(f.length);
    for (const b of f) parts.push(b);
  });
  return Uint8Array.from(parts);
}
