/**
 * Live capture through libpcap, via the `cap` npm addon (optional dependency).
 *
 * What `cap` gives: one shared buffer per handle and a "packet" event (nbytes, truncated)
 * per packet, emitted synchronously from pcap_dispatch in a uv_poll callback. It does not
 * pass libpcap's timestamp, original length or statistics, and opens every handle with
 * snaplen 65535 in promiscuous, immediate mode. So: timestamps here are taken when the
 * packet reaches JavaScript (wall clock + hrtime, nanosecond units, delivery time rather
 * than kernel time), -s is applied by cutting the copy (frame.len stays the real length),
 * and packet drop counts are unavailable.
 */
import { createRequire } from "node:module";
import type { Frame, InterfaceInfo } from "./frame.js";

export class LiveError extends Error {
  constructor(message: string, readonly code = 1) {
    super(message);
  }
}

export interface CapDevice {
  name: string;
  description?: string;
  addresses: { addr: string; netmask?: string; broadaddr?: string }[];
  flags?: string;
}

interface CapHandle {
  open(device: string, filter: string, bufSize: number, buffer: Buffer): string;
  close(): boolean;
  on(ev: "packet", cb: (nbytes: number, truncated: boolean) => void): void;
  stats?: () => { ps_recv: number; ps_drop: number; ps_ifdrop: number };
}

interface CapModule {
  Cap: { new (): CapHandle; deviceList(): CapDevice[] };
}

let capModule: CapModule | null = null;
/**
 * cap 0.2 never uv_close()s its poll handle: if a closed Cap object is garbage-collected,
 * its destructor frees memory libuv still links to (heap corruption, abort). Keep every
 * handle reachable for the life of the process.
 */
const keepAlive: CapHandle[] = [];

export const CAP_MISSING = "live capture needs the cap addon: apt-get install libpcap-dev && npm rebuild cap";
export const PERMISSION_HINT =
  "run as root or give node CAP_NET_RAW: sudo setcap cap_net_raw,cap_net_admin=eip $(readlink -f $(which node))";

/** The cap addon, or a LiveError saying how to build it. */
export function loadCap(): CapModule {
  if (capModule) return capModule;
  try {
    capModule = createRequire(import.meta.url)("cap") as CapModule;
  } catch {
    throw new LiveError(CAP_MISSING);
  }
  return capModule;
}

export function deviceList(): CapDevice[] {
  return loadCap().Cap.deviceList();
}

/** cap's link-type names → LINKTYPE_* numbers ("Unknown linktype N" carries the DLT number). */
export function linkTypeOf(name: string): number {
  switch (name) {
    case "NULL": return 0;
    case "ETHERNET": return 1;
    case "IEEE802_11_RADIO": return 127;
    case "LINKTYPE_LINUX_SLL": return 113;
    case "RAW": return 101; // DLT_RAW (12 on Linux) is LINKTYPE_RAW in files
  }
  const m = /Unknown linktype (\d+)/.exec(name);
  if (m) {
    const dlt = parseInt(m[1], 10);
    return dlt === 12 || dlt === 14 ? 101 : dlt;
  }
  throw new LiveError(`unsupported link type ${name}`);
}

const CAP_SNAPLEN = 65535;

/** Wall-clock nanoseconds from a monotonic clock anchored once at start. */
class Clock {
  private readonly baseSec: number;
  private readonly baseNs: number;
  private readonly hr0: [number, number];
  constructor() {
    const ms = Date.now();
    this.hr0 = process.hrtime();
    this.baseSec = Math.floor(ms / 1000);
    this.baseNs = (ms % 1000) * 1e6;
  }
  /** Writes [sec, nsec] into out. */
  now(out: { tsSec: number; tsNsec: number }): void {
    const hr = process.hrtime(this.hr0);
    let ns = this.baseNs + hr[1];
    let s = this.baseSec + hr[0];
    if (ns >= 1e9) {
      ns -= 1e9;
      s++;
    }
    out.tsSec = s;
    out.tsNsec = ns;
  }
}

export interface LiveOptions {
  /** Interface names (as in deviceList). */
  interfaces: string[];
  filter?: string;
  /** Bytes kept per packet (-s); 0 or undefined: all (cap's 65535). */
  snaplen?: number;
  /** libpcap buffer size per interface, bytes (tshark's default is 2 MiB). */
  bufferSize?: number;
}

/**
 * Captures on one or more interfaces; onFrame gets each packet (own copy of the bytes,
 * interfaceId = index in options.interfaces, iface with the name) in arrival order.
 */
export class LiveCapture {
  readonly ifaces: InterfaceInfo[] = [];
  private readonly handles: CapHandle[] = [];
  private readonly clock = new Clock();
  private stopped = false;
  captured = 0;

  constructor(private readonly opts: LiveOptions, private readonly onFrame: (fr: Frame) => void) {}

  /** Open every interface (throws LiveError: permission, no such device, bad filter). */
  open(): void {
    const { Cap } = loadCap();
    const snap = this.opts.snaplen && this.opts.snaplen > 0 ? Math.min(this.opts.snaplen, CAP_SNAPLEN) : CAP_SNAPLEN;
    for (let i = 0; i < this.opts.interfaces.length; i++) {
      const name = this.opts.interfaces[i];
      const c = new Cap();
      keepAlive.push(c);
      const buf = Buffer.alloc(CAP_SNAPLEN + 1);
      let lt: string;
      try {
        lt = c.open(name, this.opts.filter ?? "", this.opts.bufferSize ?? 2 * 1024 * 1024, buf);
      } catch (e) {
        this.close();
        throw translateOpenError(name, this.opts.filter, (e as Error).message);
      }
      this.handles.push(c);
      const linkType = linkTypeOf(lt);
      const iface: InterfaceInfo = { linkType, snaplen: snap, name, tsresol: 1e9, tsoffset: 0 };
      this.ifaces.push(iface);
      c.on("packet", (nbytes: number) => {
        if (this.stopped) return;
        const caplen = nbytes > snap ? snap : nbytes;
        const data = new Uint8Array(caplen);
        data.set(buf.subarray(0, caplen));
        const fr: Frame = { num: ++this.captured, tsSec: 0, tsNsec: 0, caplen, len: nbytes, data, linkType, interfaceId: i, iface };
        this.clock.now(fr);
        this.onFrame(fr);
      });
    }
  }

  /** libpcap statistics per interface, when the addon exposes them (cap 0.2 doesn't). */
  stats(): ({ received: number; dropped: number; ifDropped: number } | null)[] {
    return this.handles.map((h) => {
      if (typeof h.stats !== "function") return null;
      const s = h.stats();
      return { received: s.ps_recv, dropped: s.ps_drop, ifDropped: s.ps_ifdrop };
    });
  }

  /** Stop delivering packets and close the handles (safe from inside onFrame). */
  close(): void {
    this.stopped = true;
    for (const h of this.handles) h.close();
  }
}

function translateOpenError(name: string, filter: string | undefined, msg: string): LiveError {
  if (/not permitted|permission|EPERM|CAP_NET_RAW/i.test(msg)) return new LiveError(`couldn't open '${name}': ${msg}; ${PERMISSION_HINT}`);
  if (/No such device/i.test(msg)) return new LiveError(`there is no interface named '${name}' (${msg})${listHint()}`);
  if (filter !== undefined && /filter|parse|syntax|unknown|illegal|expression|not supported/i.test(msg))
    return new LiveError(`invalid capture filter "${filter}" for interface '${name}': ${msg}`);
  return new LiveError(`couldn't capture on '${name}': ${msg}`);
}

function listHint(): string {
  try {
    return `; interfaces: ${deviceList().map((d) => d.name).join(", ")}`;
  } catch {
    return "";
  }
}
