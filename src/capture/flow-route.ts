/**
 * Which of n workers dissects a frame, so that every frame a piece of dissection state
 * depends on lands in the same worker (the flow-hash split Suricata's "autofp" mode uses).
 *
 * The state nestcap keeps across frames is per flow: TCP streams (sequence analysis,
 * reassembly, HTTP and OpenVPN over them), UDP conversations (DNS transactions, OpenVPN
 * sessions and the tunnels inside), IP fragments, ICMP echo pairs, ARP. So:
 * - TCP and UDP go by their two endpoints (address and port), in either direction (VXLAN
 *   by its two addresses: the frames it carries have flows of their own);
 * - other IP traffic (ICMP, tunnels, unknown protocols) by its address pair;
 * - an ICMP or ICMPv6 error by the packet it quotes, whose flow's state its dissection reads;
 * - an IP fragment goes where the first fragment of its datagram went that was seen
 *   (the one at offset 0 carries the ports), so a datagram is reassembled in one place;
 * - anything that is not IP (ARP, LLDP, a link type without IP) to worker 0.
 * Both directions of a flow hash alike. A flow's hash picks one of 65536 buckets; a bucket
 * is given, the first time a frame falls in it, to the worker that has been routed the
 * fewest frames so far, so a few big flows still spread evenly. Every worker routes every
 * frame with the same deterministic rules, so all of them agree without talking. The
 * routing reads a few header bytes only and never throws: a header too short to read
 * goes to worker 0.
 */
import type { Frame } from "./frame.js";

const ETH_VLAN = new Set([0x8100, 0x88a8, 0x9100]);
/** ICMP errors, which quote the start of the packet they are about: unreachable, source quench, redirect, time exceeded, parameter problem. */
const ICMP_ERRORS = new Set([3, 4, 5, 11, 12]);

/** murmur3's 32-bit finaliser: spreads a sum of words over all bits. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function u16(b: Uint8Array, o: number): number {
  return (b[o] << 8) | b[o + 1];
}

function u32(b: Uint8Array, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}

/** An address of `len` bytes at o, as one well-mixed word. */
function addrHash(b: Uint8Array, o: number, len: number): number {
  let h = 0x9e3779b9;
  for (let i = 0; i < len; i += 4) h = mix(h ^ u32(b, o + i));
  return h;
}

/** Fragments remembered (two generations, so memory stays bounded on long captures). */
const FRAG_GENERATION = 1 << 15;
const BUCKETS = 1 << 16;
const UNASSIGNED = 255;

export class FlowRouter {
  private frags = new Map<string, number>();
  private oldFrags = new Map<string, number>();
  /** Each bucket's worker, once given. */
  private readonly buckets = new Uint8Array(BUCKETS).fill(UNASSIGNED);
  /** Frames routed to each worker so far. */
  readonly load: Float64Array;

  constructor(readonly workers: number) {
    if (workers < 1 || workers >= UNASSIGNED) throw new RangeError(`workers must be 1…${UNASSIGNED - 1}`);
    this.load = new Float64Array(workers);
  }

  /** The worker (0 … workers-1) that dissects this frame. */
  route(fr: Frame): number {
    if (this.workers === 1) return 0;
    const w = this.worker(fr.linkType, fr.data);
    this.load[w]++;
    return w;
  }

  private worker(linkType: number, b: Uint8Array): number {
    const ip = ipOffset(linkType, b);
    if (ip < 0 || ip >= b.length) return 0;
    const v = b[ip] >> 4;
    if (v === 4) return this.ipv4(b, ip);
    if (v === 6) return this.ipv6(b, ip);
    return 0;
  }

  /** The worker of a flow hash: its bucket's, given to the least loaded worker on first use. */
  private pick(h: number): number {
    const k = mix(h) & (BUCKETS - 1);
    let w = this.buckets[k];
    if (w === UNASSIGNED) {
      w = 0;
      for (let i = 1; i < this.workers; i++) if (this.load[i] < this.load[w]) w = i;
      this.buckets[k] = w;
    }
    return w;
  }

  private ipv4(b: Uint8Array, o: number): number {
    if (o + 20 > b.length) return 0;
    const src = addrHash(b, o + 12, 4);
    const dst = addrHash(b, o + 16, 4);
    const proto = b[o + 9];
    const ff = u16(b, o + 6);
    const off = ff & 0x1fff;
    const l4 = o + (b[o] & 15) * 4;
    if ((ff & 0x2000) === 0 && off === 0) {
      if (proto === 1 && l4 + 28 <= b.length && ICMP_ERRORS.has(b[l4]) && b[l4 + 8] >> 4 === 4) {
        const q = l4 + 8;
        return this.pick(flowHash(b, q + (b[q] & 15) * 4, b[q + 9], addrHash(b, q + 12, 4), addrHash(b, q + 16, 4)));
      }
      return this.pick(flowHash(b, l4, proto, src, dst));
    }
    const key = `4,${proto},${u16(b, o + 4)},${src},${dst}`;
    return this.fragment(key, off === 0 ? flowHash(b, l4, proto, src, dst) : src + dst);
  }

  private ipv6(b: Uint8Array, o: number): number {
    if (o + 40 > b.length) return 0;
    const src = addrHash(b, o + 8, 16);
    const dst = addrHash(b, o + 24, 16);
    let nh = b[o + 6];
    let p = o + 40;
    // the extension headers before the transport header (RFC 8200 §4)
    for (let hops = 0; hops < 16 && p + 8 <= b.length; hops++) {
      if (nh === 0 || nh === 43 || nh === 60) {
        nh = b[p];
        p += (b[p + 1] + 1) * 8;
      } else if (nh === 51) {
        nh = b[p];
        p += (b[p + 1] + 2) * 4;
      } else if (nh === 44) {
        const key = `6,${u32(b, p + 4)},${src},${dst}`;
        const first = (u16(b, p + 2) & 0xfff8) === 0;
        return this.fragment(key, first ? flowHash(b, p + 8, b[p], src, dst) : src + dst);
      } else break;
    }
    if (nh === 58 && p + 48 <= b.length && b[p] >= 1 && b[p] <= 4 && b[p + 8] >> 4 === 6) {
      // the quoted packet's transport header, when it follows the fixed IPv6 header
      const q = p + 8;
      return this.pick(flowHash(b, q + 40, b[q + 6], addrHash(b, q + 8, 16), addrHash(b, q + 24, 16)));
    }
    return this.pick(flowHash(b, p, nh, src, dst));
  }

  /** The worker of a fragmented datagram: the one its first-seen fragment chose. */
  private fragment(key: string, h: number): number {
    let w = this.frags.get(key) ?? this.oldFrags.get(key);
    if (w === undefined) {
      w = this.pick(h);
      if (this.frags.size >= FRAG_GENERATION) {
        this.oldFrags = this.frags;
        this.frags = new Map();
      }
      this.frags.set(key, w);
    }
    return w;
  }
}

/** UDP ports of tunnels whose outer source port varies with the inner flow (VXLAN). */
const TUNNEL_PORTS = new Set([4789]);

/**
 * The hash of a flow: its two endpoints, in either order (TCP/UDP with ports; else the
 * address pair). A VXLAN tunnel goes by its two endpoints' addresses only: the two ways of
 * one inner flow (a ping and its reply) may leave with different outer source ports.
 */
function flowHash(b: Uint8Array, l4: number, proto: number, src: number, dst: number): number {
  if (proto === 17 && l4 + 4 <= b.length && (TUNNEL_PORTS.has(u16(b, l4)) || TUNNEL_PORTS.has(u16(b, l4 + 2)))) return src + dst;
  if ((proto === 6 || proto === 17) && l4 + 4 <= b.length) {
    return mix(src ^ u16(b, l4)) + mix(dst ^ u16(b, l4 + 2));
  }
  return src + dst;
}

/** Where the IP header starts, or -1 when the frame does not carry IP. */
export function ipOffset(linkType: number, b: Uint8Array): number {
  switch (linkType) {
    case 1: {
      // Ethernet II, through 802.1Q / 802.1ad tags
      let p = 12;
      while (p + 2 <= b.length && ETH_VLAN.has(u16(b, p))) p += 4;
      if (p + 2 > b.length) return -1;
      const et = u16(b, p);
      return et === 0x0800 || et === 0x86dd ? p + 2 : -1;
    }
    case 113: {
      if (b.length < 16) return -1;
      const et = u16(b, 14);
      return et === 0x0800 || et === 0x86dd ? 16 : -1;
    }
    case 276: {
      if (b.length < 20) return -1;
      const et = u16(b, 0);
      return et === 0x0800 || et === 0x86dd ? 20 : -1;
    }
    case 0:
    case 108:
      // BSD loopback: the address family in 4 bytes (host order for NULL, network order for LOOP)
      return b.length >= 4 ? 4 : -1;
    case 12:
    case 14:
    case 101:
    case 228:
    case 229:
      return 0;
    default:
      return -1;
  }
}
