/**
 * The tun device: open /dev/net/tun, TUNSETIFF (IFF_TUN | IFF_NO_PI) via koffi,
 * configure it with iproute2, and remove it on exit (also on SIGINT/SIGTERM).
 *
 * The fd is non-blocking. Reads: libuv watches the fd itself (a pipe_wrap handle opened
 * on it, read through a net.Socket: every read(2) is one packet, one 'data' event), so a
 * packet costs no thread hop; libuv reads only one packet per wakeup, so each 'data'
 * handler then drains what else is queued (up to MAX_BURST) with read(2) through koffi. Fallback (NESTCAP_TUN_POLL=1, or if that handle cannot be
 * made): drain with readSync until EAGAIN, then wait with poll(2) run by koffi on its own
 * thread. (fs.read per packet in libuv's threadpool capped the tunnel at ~20 Mbit/s here.)
 * Writes use fs.writeSync: a tun write never waits (the kernel takes the packet or drops
 * it), and one write(2) must be one packet, which a stream's writev would not keep.
 *
 * Offload (the default): the device is opened with IFF_VNET_HDR and TSO enabled, so the
 * kernel hands over TCP segments of up to ~64 KB, which offload.ts cuts into MTU-sized
 * packets, and the packets written in one batch are joined back into large segments
 * (GRO) before they go in — one tun read/write and one pass through the kernel's TCP
 * stack per ~40 packets. This is what took the tunnel from ~1.1× to ~2.4× openvpn's
 * throughput here (bench/tunnel.mjs). tcpdump on the tun then shows the large segments.
 */
import { execFileSync } from "node:child_process";
import { closeSync, readSync, writeSync, writevSync } from "node:fs";
import { createRequire } from "node:module";
import * as net from "node:net";
import { Coalescer, MAX_SUPER, segment } from "./offload.js";

const TUNSETIFF = 0x400454ca;
const IFF_TUN = 0x0001;
const IFF_NO_PI = 0x1000;
const IFF_VNET_HDR = 0x4000;
const TUNSETOFFLOAD = 0x400454d0;
const TUN_F_CSUM = 0x01;
const TUN_F_TSO4 = 0x02;
const TUN_F_TSO6 = 0x04;
const O_RDWR = 2;
const O_CLOEXEC = 0o2000000;
const O_NONBLOCK = 0o4000;
const POLLIN = 1;
/** Packets read per drain before yielding to the event loop (so UDP input keeps flowing). */
const MAX_BURST = 64;

interface Libc {
  open: (path: string, flags: number) => number;
  ioctl: (fd: number, req: number, buf: Buffer) => number;
  /** ioctl(2) whose argument is a number (TUNSETOFFLOAD). */
  ioctlInt: (fd: number, req: number, arg: number) => number;
  strerror: (n: number) => string;
  errno: () => number;
  pollAsync: (fds: Buffer, n: number, timeout: number, cb: (err: unknown, res: number) => void) => void;
  /** read(2) without an exception on EAGAIN: -1 (then errno()). */
  read: (fd: number, buf: Uint8Array, n: number) => number;
}
let libc: Libc | null = null;

function loadLibc(): Libc {
  if (libc !== null) return libc;
  const require = createRequire(import.meta.url);
  // koffi is a CommonJS module; load it lazily so that the rest of nestcap works without it
  const koffi = require("koffi") as {
    load(name: string): { func(sig: string): (...a: unknown[]) => unknown };
    errno(): number;
  };
  const lib = koffi.load("libc.so.6");
  const open = lib.func("int open(const char *path, int flags)") as (p: string, f: number) => number;
  const ioctl = lib.func("int ioctl(int fd, unsigned long req, uint8_t *buf)") as (fd: number, r: number, b: Buffer) => number;
  const ioctlInt = lib.func("int ioctl(int fd, unsigned long req, unsigned long arg)") as (fd: number, r: number, a: number) => number;
  const strerror = lib.func("const char *strerror(int errnum)") as (n: number) => string;
  const poll = lib.func("int poll(uint8_t *fds, unsigned long nfds, int timeout)") as unknown as { async(f: Buffer, n: number, t: number, cb: (err: unknown, res: number) => void): void };
  const read = lib.func("long read(int fd, uint8_t *buf, unsigned long n)") as (fd: number, b: Uint8Array, n: number) => number;
  libc = { open, ioctl, ioctlInt, strerror, errno: () => koffi.errno(), pollAsync: (f, n, t, cb) => poll.async(f, n, t, cb), read };
  return libc;
}

/** send(2)/sendto(2)/recvfrom(2) through koffi on a datagram socket's fd: -1 and errno() on failure, no exception. */
export interface RawSend {
  send(fd: number, buf: Uint8Array, len: number, flags: number): number;
  sendto(fd: number, buf: Uint8Array, len: number, flags: number, addr: Uint8Array, alen: number): number;
  /** recvfrom(2): `addr` (16 bytes) and `alen` (in/out) receive the source address. */
  recvfrom(fd: number, buf: Uint8Array, len: number, flags: number, addr: Uint8Array, alen: Uint32Array): number;
  /** sendmmsg(2)/recvmmsg(2) on an array of struct mmsghdr (x86_64/arm64 layout, 64 bytes each); null where unavailable. */
  sendmmsg: ((fd: number, vec: Uint8Array, n: number, flags: number) => number) | null;
  recvmmsg: ((fd: number, vec: Uint8Array, n: number, flags: number, timeout: null) => number) | null;
  /** The address of a buffer's memory (for the pointers inside an mmsghdr array). */
  address: (b: Uint8Array) => bigint;
  errno(): number;
}
let rawSend_: RawSend | null | undefined;

/** The raw datagram sender, or null when koffi/libc cannot be loaded. */
export function rawSend(): RawSend | null {
  if (rawSend_ !== undefined) return rawSend_;
  rawSend_ = null;
  try {
    const c = loadLibc();
    const require = createRequire(import.meta.url);
    const koffi = require("koffi") as { load(name: string): { func(sig: string): (...a: unknown[]) => unknown }; address(b: Uint8Array): bigint };
    const lib = koffi.load("libc.so.6");
    // the mmsghdr layout written by run.ts is that of LP64 Linux (x64, arm64)
    const mm = process.env.NESTCAP_NO_MMSG !== "1" && (process.arch === "x64" || process.arch === "arm64");
    rawSend_ = {
      sendmmsg: mm ? lib.func("int sendmmsg(int fd, uint8_t *vec, unsigned int n, int flags)") as NonNullable<RawSend["sendmmsg"]> : null,
      recvmmsg: mm ? lib.func("int recvmmsg(int fd, uint8_t *vec, unsigned int n, int flags, void *timeout)") as NonNullable<RawSend["recvmmsg"]> : null,
      address: (b) => koffi.address(b),
      send: lib.func("long send(int fd, uint8_t *buf, unsigned long n, int flags)") as RawSend["send"],
      sendto: lib.func("long sendto(int fd, uint8_t *buf, unsigned long n, int flags, uint8_t *addr, uint32_t alen)") as RawSend["sendto"],
      recvfrom: lib.func("long recvfrom(int fd, uint8_t *buf, unsigned long n, int flags, uint8_t *addr, uint32_t *alen)") as RawSend["recvfrom"],
      errno: c.errno,
    };
  } catch {
    rawSend_ = null;
  }
  return rawSend_;
}

export interface TunConfig {
  /** Local address with prefix ("10.8.0.2/24"), or p2p local + peer. */
  address?: string;
  peer?: string;
  mtu?: number;
  routes?: string[];
  /** IPv6 address with prefix length ("fd00:8::1000/64"), as openvpn's `ip -6 addr add`. */
  address6?: string;
  /** IPv6 routes to the device ("fd00:9::/64"). */
  routes6?: string[];
}

export class TunDevice {
  readonly fd: number;
  readonly name: string;
  private closed = false;
  private readBuf = Buffer.allocUnsafe(65536 + 16);
  /**
   * Opened with IFF_VNET_HDR: reads and writes carry a virtio-net header, large TCP
   * segments are cut and joined here (offload.ts). --no-tun-offload (or
   * NESTCAP_NO_OFFLOAD=1): plain packets.
   */
  readonly vnet: boolean;
  /** TCP segmentation offload in force (the kernel hands over segments of up to ~64 KB). */
  tso = false;
  private coalescer: Coalescer | null = null;
  private flushQueued = false;
  private reading = false;
  onPacket: ((pkt: Buffer) => void) | null = null;
  /** After each drain (a burst of onPacket calls): the UDP output flushes its batch here. */
  onBurstEnd: (() => void) | null = null;
  onError: ((e: Error) => void) | null = null;
  /** Packets written / read. */
  rx = 0;
  tx = 0;

  constructor(name: string, offload = true) {
    const c = loadLibc();
    const fd = c.open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) throw new Error(`cannot open /dev/net/tun: ${c.strerror(c.errno())} (tunnel mode needs root or CAP_NET_ADMIN)`);
    const ifr = Buffer.alloc(40);
    ifr.write(name, 0, 15, "latin1");
    this.vnet = offload && process.env.NESTCAP_NO_OFFLOAD !== "1";
    ifr.writeUInt16LE(IFF_TUN | IFF_NO_PI | (this.vnet ? IFF_VNET_HDR : 0), 16);
    if (c.ioctl(fd, TUNSETIFF, ifr) < 0) {
      const err = c.strerror(c.errno());
      closeSync(fd);
      throw new Error(`TUNSETIFF ${name || "(any)"}: ${err}`);
    }
    this.fd = fd;
    if (this.vnet) {
      this.coalescer = new Coalescer((h, p) => {
        try {
          writevSync(fd, [h, p]);
        } catch {
          /* EINVAL on a malformed packet, EIO when down: drop */
        }
      });
      // checksums may be left partial by the kernel; segment() completes them
      c.ioctlInt(fd, TUNSETOFFLOAD, TUN_F_CSUM);
    }
    const end = ifr.indexOf(0);
    this.name = ifr.toString("latin1", 0, end < 0 || end > 16 ? 16 : end);
    registerCleanup(this);
  }

  /** Address, MTU, link up, routes (iproute2). */
  configure(cfg: TunConfig): void {
    const ip = (...args: string[]): void => {
      execFileSync("ip", args, { stdio: ["ignore", "ignore", "pipe"] });
    };
    // txqueuelen 1000 (the kernel's default for a tun is 500): room for a burst while the
    // event loop is busy, as openvpn's --txqueuelen
    ip("link", "set", "dev", this.name, "txqueuelen", "1000", ...(cfg.mtu !== undefined ? ["mtu", String(cfg.mtu)] : []));
    if (cfg.address !== undefined) {
      if (cfg.peer !== undefined) ip("addr", "add", cfg.address, "peer", cfg.peer, "dev", this.name);
      else ip("addr", "add", cfg.address, "dev", this.name);
    }
    if (cfg.address6 !== undefined) ip("-6", "addr", "add", cfg.address6, "dev", this.name);
    if (this.vnet) {
      // TSO: the kernel's segments stay under MAX_SUPER, so a read (header included) fits
      // libuv's 64 KiB read buffer; without that setting, no TSO (checksum offload only)
      try {
        ip("link", "set", "dev", this.name, "gso_max_size", String(MAX_SUPER));
        this.tso = loadLibc().ioctlInt(this.fd, TUNSETOFFLOAD, TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6) === 0;
      } catch {
        this.tso = false;
      }
    }
    ip("link", "set", "dev", this.name, "up");
    for (const r of cfg.routes ?? []) ip("route", "add", r, "dev", this.name);
    for (const r of cfg.routes6 ?? []) ip("-6", "route", "add", r, "dev", this.name);
  }

  private pollFd = Buffer.alloc(8);

  private sock: net.Socket | null = null;

  /** Start reading (libuv watches the fd; else drain + poll on koffi's thread). */
  start(): void {
    if (this.reading || this.closed) return;
    this.reading = true;
    if (process.env.NESTCAP_TUN_POLL !== "1" && this.startUv()) return;
    this.pollFd.writeInt32LE(this.fd, 0);
    this.pollFd.writeInt16LE(POLLIN, 4);
    const c = loadLibc();
    const wait = (): void => {
      if (this.closed) return;
      this.pollFd.writeInt16LE(0, 6);
      c.pollAsync(this.pollFd, 1, 500, () => drain());
    };
    const drain = (): void => {
      drain0();
      this.onBurstEnd?.();
    };
    const drain0 = (): void => {
      if (this.closed) return;
      for (let i = 0; i < MAX_BURST; i++) {
        let n: number;
        try {
          n = readSync(this.fd, this.readBuf, 0, this.readBuf.length, null);
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          if (code === "EAGAIN" || code === "EWOULDBLOCK" || code === "EINTR") return wait();
          if (!this.closed) this.onError?.(e as Error);
          return;
        }
        if (n <= 0) return wait();
        this.deliver(this.readBuf, n, true);
        if (this.closed) return;
      }
      // a long burst: let the event loop run (UDP input, timers), then continue
      setImmediate(drain);
    };
    drain();
  }

  private startUv(): boolean {
    try {
      const { Pipe, constants } = (process as unknown as { binding(n: string): { Pipe: new (t: number) => { open(fd: number): number }; constants: { SOCKET: number } } }).binding("pipe_wrap");
      const h = new Pipe(constants.SOCKET);
      if (h.open(this.fd) !== 0) return false;
      const sock = new net.Socket({ handle: h, readable: true, writable: false } as net.SocketConstructorOpts);
      const c = loadLibc();
      const buf = this.readBuf;
      const fd = this.fd;
      sock.on("data", (d: Buffer) => {
        this.deliver(d, d.length, false);
        // libuv reads one packet per wakeup (a read shorter than its buffer ends its loop):
        // drain what else is queued now, with read(2) through koffi (no exception on
        // EAGAIN), so that a burst costs one epoll wakeup instead of one per packet
        for (let i = 1; i < MAX_BURST && !this.closed; i++) {
          const n = c.read(fd, buf, buf.length);
          if (n <= 0) break; // EAGAIN (or an error libuv will report on its own read)
          this.deliver(buf, n, true);
        }
        this.onBurstEnd?.();
      });
      sock.on("error", (e) => {
        if (!this.closed) this.onError?.(e);
      });
      this.sock = sock;
      return true;
    } catch {
      return false;
    }
  }

  /** One read's worth: the packet, or (vnet) the packets it stands for. `shared`: buf is reused, copy out. */
  private deliver(buf: Buffer, n: number, shared: boolean): void {
    if (this.vnet) {
      segment(buf, n, this.emit);
      return;
    }
    this.rx++;
    this.onPacket?.(shared ? Buffer.from(buf.subarray(0, n)) : buf);
  }

  private readonly emit = (p: Buffer): void => {
    this.rx++;
    this.onPacket?.(p);
  };

  /** Packets written to the tun that were joined into larger ones (vnet). */
  get coalesced(): number {
    return this.coalescer?.coalesced ?? 0;
  }

  /**
   * Hand a packet to the kernel. With vnet, the packets of one batch (everything written
   * before control returns to the event loop) are joined where they can be, then written.
   */
  write(pkt: Uint8Array): void {
    if (this.closed) return;
    const co = this.coalescer;
    if (co !== null) {
      co.add(pkt);
      this.tx++;
      if (!this.flushQueued) {
        this.flushQueued = true;
        queueMicrotask(this.flush);
      }
      return;
    }
    try {
      writeSync(this.fd, pkt);
      this.tx++;
    } catch {
      /* EINVAL on a malformed packet, EIO when down: drop */
    }
  }

  private readonly flush = (): void => {
    this.flushQueued = false;
    if (!this.closed) this.coalescer?.flush();
  };

  /** Close the fd: the kernel deletes a non-persistent tun device with it. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.sock !== null) {
      this.sock.destroy(); // closes the fd
      this.sock = null;
    } else {
      try {
        closeSync(this.fd);
      } catch {
        /* already closed */
      }
    }
    // the device goes away when the last fd closes; delete it explicitly too (a pending poll
    // may hold a reference until it times out)
    try {
      execFileSync("ip", ["link", "del", "dev", this.name], { stdio: "ignore" });
    } catch {
      /* already gone */
    }
    open_.delete(this);
  }
}

const open_ = new Set<TunDevice>();
let hooked = false;
function registerCleanup(t: TunDevice): void {
  open_.add(t);
  if (hooked) return;
  hooked = true;
  process.on("exit", () => {
    for (const d of [...open_]) d.close();
  });
}

/** Close every tun device this process opened (signal handlers call this). */
export function closeAllTuns(): void {
  for (const d of [...open_]) d.close();
}
