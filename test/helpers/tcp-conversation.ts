/**
 * A hand-built TCP conversation (Ethernet/IPv4/TCP, client 10.0.0.1:40000): the handshake,
 * then each message as one segment, as a classic pcap file's bytes. For tests of protocols
 * over TCP (HTTP, MIME multipart…) against tshark.
 */
import { pcap } from "./build.js";

function u16(v: number): number[] { return [(v >>> 8) & 255, v & 255]; }
function u32(v: number): number[] { return [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255]; }
function csum(b: Uint8Array): number {
  let s = 0;
  for (let i = 0; i + 1 < b.length; i += 2) s += (b[i] << 8) | b[i + 1];
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}
const C = [10, 0, 0, 1], SV = [10, 0, 0, 2];
/** Ethernet/IPv4/TCP frame carrying `data`. */
export function frame(fromClient: boolean, sport: number, dport: number, seq: number, ack: number, flags: number, data: Uint8Array | string): Uint8Array {
  const pl = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const tcp = new Uint8Array(20 + pl.length);
  tcp.set([...u16(sport), ...u16(dport), ...u32(seq), ...u32(ack), 0x50, flags, ...u16(65535), 0, 0, 0, 0]);
  tcp.set(pl, 20);
  const ip = new Uint8Array(20);
  ip.set([0x45, 0, ...u16(20 + tcp.length), 0, 1, 0x40, 0, 64, 6, 0, 0, ...(fromClient ? C : SV), ...(fromClient ? SV : C)]);
  ip.set(u16(csum(ip)), 10);
  const e = new Uint8Array(14 + 20 + tcp.length);
  e.set([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 8, 0]);
  e.set(ip, 14);
  e.set(tcp, 34);
  return e;
}

/** A client/server exchange on `port`: handshake, then each [fromClient, bytes] as one segment. */
export function conversation(port: number, msgs: [boolean, Uint8Array | string][]): Uint8Array {
  const recs: Uint8Array[] = [];
  let cs = 1000, ss = 5000;
  recs.push(frame(true, 40000, port, cs, 0, 0x02, ""));
  recs.push(frame(false, port, 40000, ss, cs + 1, 0x12, ""));
  cs++; ss++;
  recs.push(frame(true, 40000, port, cs, ss, 0x10, ""));
  for (const [fc_, m] of msgs) {
    const len = typeof m === "string" ? new TextEncoder().encode(m).length : m.length;
    if (fc_) { recs.push(frame(true, 40000, port, cs, ss, 0x18, m)); cs += len; }
    else { recs.push(frame(false, port, 40000, ss, cs, 0x18, m)); ss += len; }
  }
  return pcap(recs.map((data, i) => ({ sec: 1700000000 + i, frac: i * 1000, data })));
}

