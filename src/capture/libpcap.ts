/**
 * libpcap through koffi (a foreign-function interface: no compiler, no addon build).
 * Loads Debian's runtime library (libpcap0.8: libpcap.so.0.8, or libpcap.so from libpcap-dev)
 * lazily, once per thread. Used by live.ts (device list, breakloop) and live-worker.ts (the
 * capture loop, one worker per interface).
 *
 * Pointers are koffi 3 BigInts; the packet loop avoids BigInt arithmetic by reading the
 * pcap_next_ex out-pointers as two 32-bit halves and passing plain numbers to memcpy.
 */
import { createRequire } from "node:module";

export class LiveError extends Error {
  constructor(message: string, readonly code = 1) {
    super(message);
  }
}

export const PCAP_MISSING = "live capture needs libpcap: apt-get install libpcap0.8";
export const KOFFI_MISSING = "live capture needs the koffi package: npm install koffi";
export const PERMISSION_HINT =
  "run as root or give node CAP_NET_RAW: sudo setcap cap_net_raw,cap_net_admin=eip $(readlink -f $(which node))";

// pcap.h error and warning codes
export const PCAP_ERROR = -1;
export const PCAP_ERROR_BREAK = -2;
export const PCAP_ERROR_NO_SUCH_DEVICE = -5;
export const PCAP_ERROR_PERM_DENIED = -8;
export const PCAP_ERROR_IFACE_NOT_UP = -9;
export const PCAP_ERROR_PROMISC_PERM_DENIED = -11;
export const PCAP_ERROR_TSTAMP_PRECISION_NOTSUP = -12;
export const PCAP_TSTAMP_PRECISION_NANO = 1;
export const PCAP_IF_LOOPBACK = 1;
export const PCAP_IF_UP = 2;
export const PCAP_IF_RUNNING = 4;

type Ptr = bigint;
type Fn<A extends unknown[], R> = (...a: A) => R;

/** The libpcap (and three libc) functions nestcap uses. */
export interface Pcap {
  version: string;
  create: Fn<[string, Uint8Array], Ptr | null>;
  setSnaplen: Fn<[Ptr, number], number>;
  setPromisc: Fn<[Ptr, number], number>;
  setTimeout: Fn<[Ptr, number], number>;
  setBufferSize: Fn<[Ptr, number], number>;
  setImmediateMode: Fn<[Ptr, number], number>;
  setTstampPrecision: Fn<[Ptr, number], number>;
  activate: Fn<[Ptr], number>;
  statusToStr: Fn<[number], string>;
  geterr: Fn<[Ptr], string>;
  compile: Fn<[Ptr, Uint8Array, string, number, number], number>;
  setfilter: Fn<[Ptr, Uint8Array], number>;
  freecode: Fn<[Uint8Array], void>;
  datalink: Fn<[Ptr], number>;
  getTstampPrecision: Fn<[Ptr], number>;
  setnonblock: Fn<[Ptr, number, Uint8Array], number>;
  selectableFd: Fn<[Ptr], number>;
  /** pcap_next_ex with out-pointers written into two 8-byte typed arrays. */
  nextEx: Fn<[Ptr, Uint32Array, Uint32Array], number>;
  stats: Fn<[Ptr, Uint32Array], number>;
  breakloop: Fn<[Ptr], void>;
  close: Fn<[Ptr], void>;
  findalldevs: Fn<[Ptr[], Uint8Array], number>;
  freealldevs: Fn<[Ptr], void>;
  /** memcpy(dst, src, n) with addresses as numbers; returns dst. */
  memcpy: Fn<[number, number, number], number>;
  /** The address of a typed array's bytes (memcpy(buf, 0, 0) returns it). */
  addressOf: Fn<[Uint8Array | Uint32Array, number, number], number>;
  /** poll(fds, 1, timeoutMs) on one pollfd (8 bytes: fd, events, revents). */
  poll: Fn<[Uint8Array, number, number], number>;
  setsockopt: Fn<[number, number, number, Int32Array, number], number>;
  /** pipe2(fds, flags). */
  pipe2: Fn<[Int32Array, number], number>;
  /** An ArrayBuffer over C memory (no copy). */
  view(ptr: Ptr, len: number): ArrayBuffer;
  decode(ptr: Ptr, type: string): unknown;
}

let cached: Pcap | null = null;
let loadError: LiveError | null = null;

interface Koffi {
  load(name: string): { func(decl: string): (...a: unknown[]) => unknown };
  struct(name: string, def: Record<string, string>): unknown;
  view(ptr: Ptr, len: number): ArrayBuffer;
  decode(ptr: Ptr, type: string): unknown;
}

/** libpcap, or a LiveError saying which package is missing. */
export function loadPcap(): Pcap {
  if (cached) return cached;
  if (loadError) throw loadError;
  let koffi: Koffi;
  try {
    koffi = createRequire(import.meta.url)("koffi") as Koffi;
  } catch {
    throw (loadError = new LiveError(KOFFI_MISSING));
  }
  let lib: ReturnType<Koffi["load"]> | null = null;
  for (const name of ["libpcap.so.0.8", "libpcap.so.1", "libpcap.so"]) {
    try {
      lib = koffi.load(name);
      break;
    } catch {
      /* next */
    }
  }
  if (lib === null) throw (loadError = new LiveError(PCAP_MISSING));
  const libc = koffi.load("libc.so.6");
  koffi.struct("nc_pcap_addr", { next: "void *", addr: "void *", netmask: "void *", broadaddr: "void *", dstaddr: "void *" });
  koffi.struct("nc_pcap_if", { next: "void *", name: "const char *", description: "const char *", addresses: "void *", flags: "uint32_t" });
  const f = (d: string) => lib!.func(d) as never;
  cached = {
    version: (lib.func("const char *pcap_lib_version(void)") as () => string)(),
    create: f("void *pcap_create(const char *source, uint8_t *errbuf)"),
    setSnaplen: f("int pcap_set_snaplen(void *p, int snaplen)"),
    setPromisc: f("int pcap_set_promisc(void *p, int promisc)"),
    setTimeout: f("int pcap_set_timeout(void *p, int ms)"),
    setBufferSize: f("int pcap_set_buffer_size(void *p, int size)"),
    setImmediateMode: f("int pcap_set_immediate_mode(void *p, int on)"),
    setTstampPrecision: f("int pcap_set_tstamp_precision(void *p, int precision)"),
    activate: f("int pcap_activate(void *p)"),
    statusToStr: f("const char *pcap_statustostr(int error)"),
    geterr: f("const char *pcap_geterr(void *p)"),
    compile: f("int pcap_compile(void *p, uint8_t *fp, const char *str, int optimize, uint32_t netmask)"),
    setfilter: f("int pcap_setfilter(void *p, uint8_t *fp)"),
    freecode: f("void pcap_freecode(uint8_t *fp)"),
    datalink: f("int pcap_datalink(void *p)"),
    getTstampPrecision: f("int pcap_get_tstamp_precision(void *p)"),
    setnonblock: f("int pcap_setnonblock(void *p, int nonblock, uint8_t *errbuf)"),
    selectableFd: f("int pcap_get_selectable_fd(void *p)"),
    nextEx: f("int pcap_next_ex(void *p, uint32_t *hdr, uint32_t *data)"),
    stats: f("int pcap_stats(void *p, uint32_t *ps)"),
    breakloop: f("void pcap_breakloop(void *p)"),
    close: f("void pcap_close(void *p)"),
    findalldevs: f("int pcap_findalldevs(_Out_ void **alldevs, uint8_t *errbuf)"),
    freealldevs: f("void pcap_freealldevs(void *alldevs)"),
    memcpy: libc.func("uint64_t memcpy(uint64_t dst, uint64_t src, size_t n)") as never,
    addressOf: libc.func("uint64_t memcpy(void *dst, uint64_t src, size_t n)") as never,
    poll: libc.func("int poll(uint8_t *fds, uint64_t nfds, int timeout)") as never,
    setsockopt: libc.func("int setsockopt(int fd, int level, int name, int32_t *val, uint32_t len)") as never,
    pipe2: libc.func("int pipe2(int32_t *fds, int flags)") as never,
    view: (p, n) => koffi.view(p, n),
    decode: (p, t) => koffi.decode(p, t),
  };
  return cached;
}

/** PCAP_ERRBUF_SIZE (256) bytes for libpcap's error messages. */
export function errbuf(): Uint8Array {
  return new Uint8Array(256);
}

export function errbufText(b: Uint8Array): string {
  const end = b.indexOf(0);
  return Buffer.from(b.buffer, b.byteOffset, end < 0 ? b.length : end).toString("utf8");
}

export interface DeviceAddress {
  /** Textual address (IPv4 dotted, IPv6 compressed); link-layer addresses are left out. */
  addr: string;
  netmask?: string;
  broadaddr?: string;
  family: 4 | 6;
}

export interface Device {
  name: string;
  description?: string;
  addresses: DeviceAddress[];
  /** PCAP_IF_* flags. */
  flags: number;
  loopback: boolean;
}

function sockaddrText(pc: Pcap, p: Ptr | null): { text: string; family: 4 | 6 } | undefined {
  if (!p) return undefined;
  const head = new Uint8Array(pc.view(p, 2));
  const family = head[0] | (head[1] << 8);
  if (family === 2) {
    const b = new Uint8Array(pc.view(p, 8));
    return { text: `${b[4]}.${b[5]}.${b[6]}.${b[7]}`, family: 4 };
  }
  if (family === 10) {
    const b = new Uint8Array(pc.view(p, 24)).slice(8, 24);
    return { text: ipv6Text(b), family: 6 };
  }
  return undefined;
}

/** RFC 5952 text of 16 bytes. */
export function ipv6Text(b: Uint8Array): string {
  const w: number[] = [];
  for (let i = 0; i < 16; i += 2) w.push((b[i] << 8) | b[i + 1]);
  let bestAt = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (w[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen) {
      bestAt = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (a: number[]) => a.map((x) => x.toString(16)).join(":");
  if (bestAt < 0) return hex(w);
  return `${hex(w.slice(0, bestAt))}::${hex(w.slice(bestAt + bestLen))}`;
}

/** pcap_findalldevs: every interface libpcap can capture on, in its order (tshark -D's). */
export function findAllDevs(): Device[] {
  const pc = loadPcap();
  const out: Ptr[] = [0n];
  const eb = errbuf();
  if (pc.findalldevs(out, eb) !== 0) throw new LiveError(`can't list interfaces: ${errbufText(eb)}`);
  const devs: Device[] = [];
  const head = out[0];
  try {
    for (let p: Ptr | null = head; p; ) {
      const d = pc.decode(p, "nc_pcap_if") as { next: Ptr | null; name: string; description: string | null; addresses: Ptr | null; flags: number };
      const addrs: DeviceAddress[] = [];
      for (let a = d.addresses; a; ) {
        const pa = pc.decode(a, "nc_pcap_addr") as { next: Ptr | null; addr: Ptr | null; netmask: Ptr | null; broadaddr: Ptr | null };
        const t = sockaddrText(pc, pa.addr);
        if (t) {
          const e: DeviceAddress = { addr: t.text, family: t.family };
          const nm = sockaddrText(pc, pa.netmask);
          if (nm) e.netmask = nm.text;
          const ba = sockaddrText(pc, pa.broadaddr);
          if (ba) e.broadaddr = ba.text;
          addrs.push(e);
        }
        a = pa.next;
      }
      const dev: Device = { name: d.name, addresses: addrs, flags: d.flags, loopback: (d.flags & PCAP_IF_LOOPBACK) !== 0 };
      if (d.description) dev.description = d.description;
      devs.push(dev);
      p = d.next;
    }
  } finally {
    if (head) pc.freealldevs(head);
  }
  return devs;
}

/** DLT_* (pcap_datalink) → LINKTYPE_* (what files carry); they differ for a few old values. */
export function dltToLinkType(dlt: number): number {
  switch (dlt) {
    case 12: // DLT_RAW on Linux/most BSDs
    case 14: // DLT_RAW on OpenBSD
      return 101;
    default:
      return dlt;
  }
}

export interface OpenOptions {
  device: string;
  snaplen: number;
  promisc: boolean;
  timeoutMs: number;
  bufferSize: number;
  immediate: boolean;
  filter?: string;
  /**
   * A loopback device: ask the kernel not to queue the outgoing copy of each packet
   * (PACKET_IGNORE_OUTGOING, Linux 4.20+). libpcap discards those copies anyway, but only after
   * they took room in the ring and were counted in ps_recv/ps_drop (twice per packet on lo).
   */
  loopback?: boolean;
}

export interface OpenHandle {
  p: Ptr;
  /** LINKTYPE_* of the interface. */
  linkType: number;
  /** 1e9 when the kernel gives nanosecond timestamps, else 1e6. */
  tsresol: number;
  /** Selectable fd (non-blocking mode). */
  fd: number;
}

/** Why opening failed: the kind picks the message (see openError in live.ts). */
export class OpenFailure extends Error {
  constructor(readonly kind: "perm" | "nodev" | "filter" | "other", message: string) {
    super(message);
  }
}

/**
 * pcap_create … pcap_activate, the BPF filter, non-blocking mode. Throws OpenFailure (the
 * handle is closed then). Runs in the capture worker.
 */
export function openHandle(o: OpenOptions): OpenHandle {
  const pc = loadPcap();
  const eb = errbuf();
  const p = pc.create(o.device, eb);
  if (!p) throw new OpenFailure("other", errbufText(eb));
  try {
    pc.setSnaplen(p, o.snaplen);
    pc.setPromisc(p, o.promisc ? 1 : 0);
    pc.setTimeout(p, o.timeoutMs);
    if (o.bufferSize > 0) pc.setBufferSize(p, o.bufferSize);
    pc.setImmediateMode(p, o.immediate ? 1 : 0);
    // Nanosecond kernel timestamps where the platform has them (Linux does).
    pc.setTstampPrecision(p, PCAP_TSTAMP_PRECISION_NANO);
    const st = pc.activate(p);
    if (st < 0) {
      // PCAP_ERROR / PERM_DENIED / NO_SUCH_DEVICE … carry details in pcap_geterr
      const msg = pc.geterr(p) || pc.statusToStr(st);
      const kind = st === PCAP_ERROR_PERM_DENIED || st === PCAP_ERROR_PROMISC_PERM_DENIED ? "perm" : st === PCAP_ERROR_NO_SUCH_DEVICE ? "nodev" : "other";
      throw new OpenFailure(kind, msg);
    }
    if (o.filter !== undefined && o.filter !== "") {
      const prog = new Uint8Array(16); // struct bpf_program { u_int bf_len; struct bpf_insn *bf_insns; }
      // PCAP_NETMASK_UNKNOWN: only "ip broadcast" needs the netmask.
      if (pc.compile(p, prog, o.filter, 1, 0xffffffff) !== 0) throw new OpenFailure("filter", pc.geterr(p));
      const r = pc.setfilter(p, prog);
      pc.freecode(prog);
      if (r !== 0) throw new OpenFailure("filter", pc.geterr(p));
    }
    if (pc.setnonblock(p, 1, eb) !== 0) throw new OpenFailure("other", errbufText(eb));
    const linkType = dltToLinkType(pc.datalink(p));
    const tsresol = pc.getTstampPrecision(p) === PCAP_TSTAMP_PRECISION_NANO ? 1e9 : 1e6;
    const fd = pc.selectableFd(p);
    // SOL_PACKET, PACKET_IGNORE_OUTGOING (best effort: older kernels keep the double count)
    if (o.loopback && fd >= 0) pc.setsockopt(fd, 263, 23, Int32Array.of(1), 4);
    return { p, linkType, tsresol, fd };
  } catch (e) {
    pc.close(p);
    throw e;
  }
}

export interface PcapStats {
  /** ps_recv: packets that passed the filter (Linux: including those dropped). */
  received: number;
  /** ps_drop: dropped by the kernel (buffer full). */
  dropped: number;
  /** ps_ifdrop: dropped by the interface/driver. */
  ifDropped: number;
}

export function handleStats(p: Ptr): PcapStats | null {
  const pc = loadPcap();
  const s = new Uint32Array(4);
  if (pc.stats(p, s) !== 0) return null;
  return { received: s[0], dropped: s[1], ifDropped: s[2] };
}
