/**
 * The UDP datagram IO of the tunnel (run.ts): `UdpOut` (send(2)/sendto(2)/sendmmsg(2)
 * and recvfrom(2)/recvmmsg(2) through koffi on the dgram socket's fd, with node:dgram
 * as the fallback), the `MmsgVec` batches, the socket-fd and sockaddr_in helpers,
 * dgram's synchronous lookup for literal addresses, and the IPv4 address helpers.
 */
import type * as dgram from "node:dgram";
import { lookup as dnsLookup } from "node:dns";
import * as net from "node:net";
import { type RawSend, rawSend } from "./tun.js";

export function ipToU32(s: string): number {
  const p = s.split(".").map(Number);
  return ((p[0] << 24) >>> 0) + (p[1] << 16) + (p[2] << 8) + p[3];
}
export function u32ToIp(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}
export function maskToPrefix(mask: string): number {
  let n = ipToU32(mask);
  let p = 0;
  while (n & 0x80000000) {
    p++;
    n = (n << 1) >>> 0;
  }
  return p;
}

const EAGAIN = 11;
const MSG_DONTWAIT = 0x40;

/**
 * Datagram IO: send(2)/sendto(2) called directly through koffi, instead of node:dgram's
 * send (a SendWrap object, an array and an address lookup per packet); while `corked`
 * (a tun drain) the packets are copied into a batch and flush() sends the batch with one
 * sendmmsg(2). When the socket buffer is full (EAGAIN) or on any other error, the packet
 * (and the rest of a batch that sendmmsg did not take) goes through dgram instead (which
 * queues it, or reports the error on the socket's 'error' event), and so do the
 * following ones until dgram's queue has drained: the order of packets is kept.
 * Receiving: recv() drains with recvmmsg(2). NESTCAP_NO_MMSG=1: one send/recvfrom per
 * packet; NESTCAP_NO_RAW_SEND=1 (or no koffi): dgram only.
 */
export class UdpOut {
  readonly raw: RawSend | null;
  readonly fd: number;
  private queued = false;
  /** recv(): the source address (sockaddr_in) of the datagram `at(i)`, at offset 16 * i. */
  readonly from: Uint8Array;
  /** recvmmsg(2) batch: slots of RSLOT bytes, their mmsghdr array, and the count received. */
  private rvec: MmsgVec | null = null;
  private rbuf: Buffer | null = null;
  private readonly fromLen = new Uint32Array(1);
  /** sendmmsg(2) batch (while `corked`): copies of the packets, and their dgram fallback addresses. */
  private svec: MmsgVec | null = null;
  private sn = 0;
  private readonly sPort: (number | undefined)[] = [];
  private readonly sAddr: (string | undefined)[] = [];
  /** Set while a tun drain runs: send() collects, flush() sends them with one sendmmsg(2). */
  corked = false;
  constructor(private readonly s: dgram.Socket) {
    const raw = process.env.NESTCAP_NO_RAW_SEND === "1" ? null : rawSend();
    const fd = raw === null ? -1 : udpFd(s);
    this.raw = fd >= 0 ? raw : null;
    this.fd = fd;
    if (this.raw?.recvmmsg != null) this.rvec = new MmsgVec(this.raw, UDP_BURST, RSLOT);
    if (this.raw?.sendmmsg != null) this.svec = new MmsgVec(this.raw, UDP_BURST, SSLOT);
    this.from = this.rvec !== null ? this.rvec.names : new Uint8Array(16);
  }

  /** `sa`: the peer's sockaddr_in (unconnected socket); without it the socket is connected. */
  send(pkt: Uint8Array, port?: number, address?: string, sa?: Uint8Array): void {
    const v = this.svec;
    if (this.corked && v !== null && pkt.length <= SSLOT) {
      const i = this.sn;
      v.put(i, pkt, sa);
      this.sPort[i] = port;
      this.sAddr[i] = address;
      if (++this.sn === UDP_BURST) this.flush();
      return;
    }
    this.sendOne(pkt, port, address, sa);
  }

  private sendOne(pkt: Uint8Array, port?: number, address?: string, sa?: Uint8Array): void {
    const raw = this.raw;
    if (raw !== null && !(this.queued && this.s.getSendQueueCount() > 0)) {
      this.queued = false;
      const r = sa === undefined ? raw.send(this.fd, pkt, pkt.length, MSG_DONTWAIT) : raw.sendto(this.fd, pkt, pkt.length, MSG_DONTWAIT, sa, 16);
      if (r >= 0) return;
      if (raw.errno() === EAGAIN) this.queued = true;
    }
    if (port === undefined) this.s.send(pkt);
    else this.s.send(pkt, port, address);
  }

  /**
   * Send what send() collected while corked: one sendmmsg(2); what it did not take (the
   * buffer full, an error, dgram's queue not empty) goes one by one through sendOne, in order.
   */
  flush(): void {
    const n = this.sn;
    if (n === 0) return;
    this.sn = 0;
    const v = this.svec!;
    let done = 0;
    if (!(this.queued && this.s.getSendQueueCount() > 0)) {
      this.queued = false;
      const r = this.raw!.sendmmsg!(this.fd, v.hdrs, n, MSG_DONTWAIT);
      if (r > 0) done = r;
    }
    for (let i = done; i < n; i++) {
      // a copy: the slot is reused, and dgram may queue the packet
      this.sendOne(Buffer.from(v.slot(i)), this.sPort[i], this.sAddr[i], v.hasName ? v.name(i) : undefined);
    }
  }

  /**
   * More datagrams already queued on the socket, with one recvmmsg(2) (MSG_DONTWAIT) when
   * available (else one recvfrom(2)): returns how many (0 when none, EAGAIN, or on an
   * error: an ICMP error on a connected socket is ignored, as dgram's 'error' handler
   * does); `at(i)` copies datagram i out, its source address is at `from[16 * i]`.
   * node:dgram calls into JavaScript once per datagram, with an rinfo object and an
   * address string; draining the socket from the first 'message' handler of a wakeup
   * costs one call for the whole batch.
   */
  recv(max: number): number {
    const raw = this.raw;
    if (raw === null) return 0;
    const v = this.rvec;
    if (v !== null) {
      v.resetNames(max);
      const r = raw.recvmmsg!(this.fd, v.hdrs, max, MSG_DONTWAIT, null);
      return r > 0 ? r : 0;
    }
    const b = (this.rbuf ??= Buffer.allocUnsafe(65536));
    this.fromLen[0] = 16;
    const n = raw.recvfrom(this.fd, b, b.length, MSG_DONTWAIT, this.from, this.fromLen);
    if (n < 0) return 0;
    this.rlen = n;
    return 1;
  }
  private rlen = 0;

  /** Datagram i of the last recv(), copied out (datagrams longer than a slot: truncated to nothing, i.e. dropped by the engine as malformed). */
  at(i: number): Buffer {
    const v = this.rvec;
    if (v === null) return Buffer.from(this.rbuf!.subarray(0, this.rlen));
    if ((v.flags(i) & MSG_TRUNC) !== 0) return Buffer.alloc(0);
    return Buffer.from(v.slot(i).subarray(0, v.len(i)));
  }
}

const MSG_TRUNC = 0x20;
/** Receive slot: any UDP datagram. Send slot: OpenVPN packets (larger ones are sent one by one). */
const RSLOT = 65536;
const SSLOT = 4096;

/**
 * An array of struct mmsghdr (LP64 Linux: msghdr 56 bytes + msg_len, 64 bytes), each with
 * one iovec on its own slot of a buffer and a 16-byte msg_name (sockaddr_in), all in
 * buffers allocated once, whose addresses are written into the headers once.
 */
class MmsgVec {
  readonly hdrs: Buffer;
  readonly data: Buffer;
  readonly names: Buffer;
  private readonly iov: Buffer;
  private readonly h32: Uint32Array;
  private readonly iov32: Uint32Array;
  hasName = false;
  constructor(raw: RawSend, readonly n: number, readonly slotSize: number) {
    this.hdrs = Buffer.alloc(64 * n);
    this.data = Buffer.allocUnsafeSlow(slotSize * n);
    this.names = Buffer.alloc(16 * n);
    this.iov = Buffer.alloc(16 * n);
    const dataA = raw.address(this.data);
    const namesA = raw.address(this.names);
    const iovA = raw.address(this.iov);
    for (let i = 0; i < n; i++) {
      this.iov.writeBigUInt64LE(dataA + BigInt(i * slotSize), 16 * i);
      this.iov.writeBigUInt64LE(BigInt(slotSize), 16 * i + 8);
      const h = 64 * i;
      this.hdrs.writeBigUInt64LE(namesA + BigInt(16 * i), h); // msg_name
      this.hdrs.writeUInt32LE(16, h + 8); // msg_namelen
      this.hdrs.writeBigUInt64LE(iovA + BigInt(16 * i), h + 16); // msg_iov
      this.hdrs.writeBigUInt64LE(1n, h + 24); // msg_iovlen
    }
    this.h32 = new Uint32Array(this.hdrs.buffer, this.hdrs.byteOffset, this.hdrs.length >> 2);
    this.iov32 = new Uint32Array(this.iov.buffer, this.iov.byteOffset, this.iov.length >> 2);
  }
  /** recvmmsg: msg_namelen back to 16 (the kernel writes the source's length). */
  resetNames(max: number): void {
    const h = this.h32;
    for (let i = 0; i < max; i++) h[16 * i + 2] = 16;
  }
  len(i: number): number {
    return this.h32[16 * i + 14];
  }
  flags(i: number): number {
    return this.h32[16 * i + 12];
  }
  slot(i: number): Buffer {
    const o = i * this.slotSize;
    return this.data.subarray(o, o + this.iov32[4 * i + 2]);
  }
  name(i: number): Uint8Array {
    return this.names.subarray(16 * i, 16 * i + 16);
  }
  /** sendmmsg: packet i (copied into its slot), to `sa` (or no msg_name: a connected socket). */
  put(i: number, pkt: Uint8Array, sa: Uint8Array | undefined): void {
    this.data.set(pkt, i * this.slotSize);
    this.iov32[4 * i + 2] = pkt.length;
    if (sa !== undefined) {
      this.names.set(sa, 16 * i);
      this.h32[16 * i + 2] = 16;
      this.hasName = true;
    } else {
      this.h32[16 * i + 2] = 0;
      this.hasName = false;
    }
  }
}

/** Datagrams drained per 'message' event (then dgram's own reads go on). */
export const UDP_BURST = 64;

/** The fd of a bound dgram socket (its internal state's libuv handle), or -1. */
function udpFd(s: dgram.Socket): number {
  for (const sym of Object.getOwnPropertySymbols(s)) {
    const st = (s as unknown as Record<symbol, { handle?: { fd?: unknown } } | undefined>)[sym];
    const fd = st?.handle?.fd;
    if (typeof fd === "number" && fd >= 0) return fd;
  }
  return -1;
}

/** struct sockaddr_in for an IPv4 literal (AF_INET in host order, then port and address in network order). */
export function sockaddrIn(address: string, port: number): Uint8Array {
  const b = new Uint8Array(16);
  const v = new DataView(b.buffer);
  v.setUint16(0, 2, true);
  v.setUint16(2, port, false);
  v.setUint32(4, ipToU32(address), false);
  return b;
}

/** dgram's lookup for literal IPv4 addresses: answers synchronously (else dns.lookup). */
export function literalLookup(address: string, family: unknown, cb: (err: Error | null, address: string, family: number) => void): void {
  if (net.isIPv4(address)) cb(null, address, 4);
  else dnsLookup(address, family as number, cb as (err: Error | null, address: string, family: number) => void);
}
