/**
 * TCP segmentation and coalescing offload for the tun device (IFF_VNET_HDR), as
 * wireguard-go and Tailscale do it: the tun then hands over, and takes, TCP packets of up
 * to ~64 KB with a virtio-net header in front (struct virtio_net_hdr: flags, gso_type,
 * hdr_len, gso_size, csum_start, csum_offset; host byte order).
 *
 * - Read side (tun → tunnel): the kernel's TCP stack sends one large segment instead of
 *   ~40 MTU-sized ones; `segment` cuts it into MSS-sized IP packets (the job a NIC's
 *   TSO does: IP length, id, checksum, TCP sequence number, FIN/PSH on the last piece
 *   only, CWR on the first only, TCP checksum) and completes the checksum of a packet
 *   the kernel left "partial". What leaves on the wire is exactly what OpenVPN sends.
 * - Write side (tunnel → tun): `Coalescer` joins consecutive in-order segments of one TCP
 *   flow, from one batch of received datagrams, into one large packet (what GRO does in
 *   a NIC driver), so the receiving TCP stack runs once per batch, not once per packet.
 *   Rules as Linux's tcp_gro_receive: same addresses, ports, IP header fields, TCP header
 *   length and options, ack and window; sequence numbers contiguous; only ACK (PSH on
 *   the last); every segment but the last of the MSS size; IPv4 without options or
 *   fragments, ids consecutive (cutting the large packet gives the same ids back); IPv6
 *   without extension headers.
 */
import { TH_ACK, TH_CWR, TH_FIN, TH_PUSH as TH_PSH, TH_RST, TH_SYN, TH_URG } from "../analysis/tcp-stream.js";

export const VNET_HDR_LEN = 10;
const F_NEEDS_CSUM = 1;
const GSO_NONE = 0;
const GSO_TCPV4 = 1;
const GSO_TCPV6 = 4;
const GSO_ECN = 0x80;
/** Largest coalesced IP packet (the tun's gso_max_size is set below 64 KiB as well). */
export const MAX_SUPER = 65000;


/** One's-complement sum of b[from, to) as 16-bit big-endian words, added to `sum` (not folded). */
function sum16(b: Uint8Array, from: number, to: number, sum: number): number {
  let i = from;
  const end2 = to - ((to - from) & 1);
  for (; i < end2; i += 2) sum += (b[i] << 8) | b[i + 1];
  if (i < to) sum += b[i] << 8;
  return sum;
}

function fold(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return sum;
}

/** Pseudo-header sum (addresses, protocol 6, TCP length) of an IPv4 or IPv6 packet. */
function pseudoSum(p: Uint8Array, v6: boolean, l4len: number): number {
  const s = v6 ? sum16(p, 8, 40, 0) : sum16(p, 12, 20, 0);
  return s + 6 + (v6 ? Math.floor(l4len / 0x10000) + (l4len & 0xffff) : l4len);
}

function ipv4HeaderChecksum(p: Uint8Array, ihl: number): void {
  p[10] = 0;
  p[11] = 0;
  const c = ~fold(sum16(p, 0, ihl, 0)) & 0xffff;
  p[10] = c >> 8;
  p[11] = c & 0xff;
}

function tcpChecksum(p: Uint8Array, l4: number, v6: boolean): void {
  p[l4 + 16] = 0;
  p[l4 + 17] = 0;
  const c = ~fold(sum16(p, l4, p.length, pseudoSum(p, v6, p.length - l4))) & 0xffff;
  p[l4 + 16] = c >> 8;
  p[l4 + 17] = c & 0xff;
}

/**
 * One read from a tun opened with IFF_VNET_HDR (header + packet): the IP packets it
 * stands for, each a new buffer. Malformed offload requests give nothing (dropped).
 */
export function segment(buf: Uint8Array, n: number, emit: (pkt: Buffer) => void): void {
  if (n <= VNET_HDR_LEN) return;
  const flags = buf[0];
  const gso = buf[1] & ~GSO_ECN;
  const gsoSize = buf[4] | (buf[5] << 8);
  const csumStart = buf[6] | (buf[7] << 8);
  const csumOffset = buf[8] | (buf[9] << 8);
  const pktLen = n - VNET_HDR_LEN;
  if (gso === GSO_NONE) {
    const p = Buffer.from(buf.subarray(VNET_HDR_LEN, n));
    if ((flags & F_NEEDS_CSUM) !== 0) {
      // the checksum field holds the pseudo-header sum; finish it over the rest
      const at = csumStart + csumOffset;
      if (at + 2 > pktLen) return;
      let c = ~fold(sum16(p, csumStart, pktLen, 0)) & 0xffff;
      const proto = p[0] >> 4 === 4 ? p[9] : p[6];
      if (c === 0 && proto === 17) c = 0xffff; // UDP: 0 would mean "no checksum"
      p[at] = c >> 8;
      p[at + 1] = c & 0xff;
    }
    emit(p);
    return;
  }
  if (gso !== GSO_TCPV4 && gso !== GSO_TCPV6) return;
  const v6 = gso === GSO_TCPV6;
  const pk = buf.subarray(VNET_HDR_LEN, n);
  const l4 = v6 ? 40 : (pk[0] & 15) * 4;
  if (l4 + 20 > pktLen || (v6 && pk[6] !== 6) || (!v6 && pk[9] !== 6) || gsoSize === 0) return;
  const thl = (pk[l4 + 12] >> 4) * 4;
  const hl = l4 + thl;
  if (thl < 20 || hl > pktLen) return;
  const seq0 = ((pk[l4 + 4] << 24) | (pk[l4 + 5] << 16) | (pk[l4 + 6] << 8) | pk[l4 + 7]) >>> 0;
  const id0 = v6 ? 0 : (pk[4] << 8) | pk[5];
  const fl0 = pk[l4 + 13];
  const payload = pktLen - hl;
  for (let off = 0, i = 0; off < payload || (off === 0 && payload === 0); off += gsoSize, i++) {
    const len = Math.min(gsoSize, payload - off);
    const p = Buffer.allocUnsafe(hl + len);
    p.set(pk.subarray(0, hl), 0);
    p.set(pk.subarray(hl + off, hl + off + len), hl);
    const last = off + len >= payload;
    if (v6) {
      p[4] = (len + thl) >> 8;
      p[5] = (len + thl) & 0xff;
    } else {
      const tot = hl + len;
      p[2] = tot >> 8;
      p[3] = tot & 0xff;
      const id = (id0 + i) & 0xffff;
      p[4] = id >> 8;
      p[5] = id & 0xff;
      ipv4HeaderChecksum(p, l4);
    }
    const seq = (seq0 + off) >>> 0;
    p[l4 + 4] = seq >>> 24;
    p[l4 + 5] = (seq >>> 16) & 0xff;
    p[l4 + 6] = (seq >>> 8) & 0xff;
    p[l4 + 7] = seq & 0xff;
    let fl = fl0;
    if (!last) fl &= ~(TH_FIN | TH_PSH);
    if (i > 0) fl &= ~TH_CWR;
    p[l4 + 13] = fl;
    tcpChecksum(p, l4, v6);
    emit(p);
    if (payload === 0) break;
  }
}

/** The 10-byte header of a packet written as it is (no offload, checksum already complete). */
export const PLAIN_VNET_HDR = new Uint8Array(VNET_HDR_LEN);

interface Run {
  /** The first packet (its header is the super packet's). */
  first: Uint8Array;
  parts: Uint8Array[];
  v6: boolean;
  l4: number;
  hl: number;
  /** Payload length of the first segment: every segment but the last must have it. */
  mss: number;
  total: number;
  nextSeq: number;
  lastId: number;
  /** A shorter segment or a PSH ended the run: nothing may follow. */
  closed: boolean;
}

function u32(p: Uint8Array, o: number): number {
  return ((p[o] << 24) | (p[o + 1] << 16) | (p[o + 2] << 8) | p[o + 3]) >>> 0;
}

/** Whether a TCP packet may take part in coalescing; its L4 offset, or -1. */
function tcpOffset(p: Uint8Array): number {
  const v = p.length > 0 ? p[0] >> 4 : 0;
  if (v === 4) {
    if (p.length < 40 || p[0] !== 0x45 || p[9] !== 6) return -1;
    if (((p[2] << 8) | p[3]) !== p.length) return -1;
    if ((p[6] & 0x3f) !== 0 || p[7] !== 0) return -1; // MF or a fragment offset
    return 20;
  }
  if (v === 6) {
    if (p.length < 60 || p[6] !== 6) return -1;
    if (((p[4] << 8) | p[5]) + 40 !== p.length) return -1;
    return 40;
  }
  return -1;
}

/** Same flow and same header fields that must not differ (all but lengths, id, checksums, seq, flags). */
function sameHeaders(a: Uint8Array, b: Uint8Array, l4: number, hl: number, v6: boolean): boolean {
  if (v6) {
    // version, traffic class, flow label; next header, hop limit; addresses
    for (let i = 0; i < 4; i++) if (a[i] !== b[i]) return false;
    for (let i = 6; i < 40; i++) if (a[i] !== b[i]) return false;
  } else {
    if (a[1] !== b[1] || a[6] !== b[6] || a[8] !== b[8]) return false; // tos, DF, ttl
    for (let i = 12; i < 20; i++) if (a[i] !== b[i]) return false;
  }
  // ports; ack; data offset; window; options (the sequence number, flags, checksum and urgent pointer are checked apart)
  for (let i = l4; i < l4 + 4; i++) if (a[i] !== b[i]) return false;
  for (let i = l4 + 8; i < l4 + 13; i++) if (a[i] !== b[i]) return false;
  if (a[l4 + 14] !== b[l4 + 14] || a[l4 + 15] !== b[l4 + 15]) return false;
  for (let i = l4 + 20; i < hl; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Collects the packets of one batch for the tun; `flush` writes them, consecutive
 * segments of a TCP flow joined into one large packet. Order is kept: a packet that
 * cannot join the run before it ends that run.
 */
export class Coalescer {
  private runs: (Run | Uint8Array)[] = [];
  private open: Run | null = null;
  /** Packets that went in joined to others (stats). */
  coalesced = 0;

  constructor(private readonly write: (hdr: Uint8Array, pkt: Uint8Array) => void) {}

  add(p: Uint8Array): void {
    const l4 = tcpOffset(p);
    if (l4 < 0) {
      this.open = null;
      this.runs.push(p);
      return;
    }
    const v6 = l4 === 40;
    const thl = (p[l4 + 12] >> 4) * 4;
    const hl = l4 + thl;
    const flags = p[l4 + 13];
    const plen = p.length - hl;
    const ok = thl >= 20 && hl <= p.length && (flags & (TH_SYN | TH_FIN | TH_RST | TH_URG | TH_CWR | 0x40 | TH_ACK)) === TH_ACK && plen > 0 && p[l4 + 18] === 0 && p[l4 + 19] === 0;
    const r = this.open;
    if (ok && r !== null && !r.closed && r.v6 === v6 && r.hl === hl && plen <= r.mss && r.total + plen <= MAX_SUPER &&
      u32(p, l4 + 4) === r.nextSeq && sameHeaders(r.first, p, l4, hl, v6) &&
      (v6 || ((p[4] << 8) | p[5]) === ((r.lastId + 1) & 0xffff))) {
      r.parts.push(p);
      r.total += plen;
      r.nextSeq = (r.nextSeq + plen) >>> 0;
      if (!v6) r.lastId = (p[4] << 8) | p[5];
      if (plen < r.mss || (flags & TH_PSH) !== 0) r.closed = true;
      return;
    }
    if (!ok) {
      this.open = null;
      this.runs.push(p);
      return;
    }
    const run: Run = {
      first: p, parts: [p], v6, l4, hl, mss: plen, total: hl + plen,
      nextSeq: (u32(p, l4 + 4) + plen) >>> 0, lastId: v6 ? 0 : (p[4] << 8) | p[5], closed: (flags & TH_PSH) !== 0,
    };
    this.open = run;
    this.runs.push(run);
  }

  flush(): void {
    const runs = this.runs;
    this.runs = [];
    this.open = null;
    for (const x of runs) {
      if (x instanceof Uint8Array) this.write(PLAIN_VNET_HDR, x);
      else if (x.parts.length === 1) this.write(PLAIN_VNET_HDR, x.first);
      else {
        this.write(...superPacket(x));
        this.coalesced += x.parts.length;
      }
    }
  }
}

/** The header and bytes of a run's large packet: checksum left partial for the kernel (NEEDS_CSUM). */
function superPacket(r: Run): [Uint8Array, Uint8Array] {
  const { l4, hl, v6 } = r;
  const p = Buffer.allocUnsafe(r.total);
  p.set(r.first.subarray(0, hl), 0);
  let o = hl;
  for (const s of r.parts) {
    p.set(s.subarray(hl), o);
    o += s.length - hl;
  }
  if (v6) {
    const pl = r.total - 40;
    p[4] = pl >> 8;
    p[5] = pl & 0xff;
  } else {
    p[2] = r.total >> 8;
    p[3] = r.total & 0xff;
    ipv4HeaderChecksum(p, l4);
  }
  const last = r.parts[r.parts.length - 1];
  p[l4 + 13] |= last[l4 + 13] & TH_PSH;
  // CHECKSUM_PARTIAL: the field holds the folded pseudo-header sum (not complemented)
  const ps = fold(pseudoSum(p, v6, r.total - l4));
  p[l4 + 16] = ps >> 8;
  p[l4 + 17] = ps & 0xff;
  const h = new Uint8Array(VNET_HDR_LEN);
  h[0] = F_NEEDS_CSUM;
  h[1] = v6 ? GSO_TCPV6 : GSO_TCPV4;
  h[2] = hl & 0xff;
  h[3] = hl >> 8;
  h[4] = r.mss & 0xff;
  h[5] = r.mss >> 8;
  h[6] = l4 & 0xff;
  h[7] = l4 >> 8;
  h[8] = 16;
  h[9] = 0;
  return [h, p];
}
