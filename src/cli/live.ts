/** `nestcap -D` and `nestcap -i IFACE …`: live capture through the same output path as -r (emit.ts). */
import { unlinkSync } from "node:fs";
import { basename, dirname, extname, join } from "node:path";
import type { Frame, InterfaceInfo } from "../capture/frame.js";
import { deviceList, LiveCapture, LiveError, type CapDevice } from "../capture/live.js";
import { PcapngWriter, PcapWriter } from "../capture/writer.js";
import type { Options } from "./args.js";
import { Emitter, type FrameSink } from "./emit.js";

function err(msg: string, code = 1): number {
  process.stderr.write(`nestcap: ${msg}\n`);
  return code;
}

/** tshark -D: "1. eth0", "3. lo (Loopback)", with the addresses after a tab. */
export function formatInterfaces(devs: CapDevice[]): string {
  return devs
    .map((d, i) => {
      const label = d.flags?.includes("PCAP_IF_LOOPBACK") ? " (Loopback)" : d.description && d.name !== "any" ? ` (${d.description})` : "";
      const addrs = d.addresses.map((a) => a.addr).filter(Boolean);
      return `${i + 1}. ${d.name}${label}${addrs.length ? "\t" + addrs.join(", ") : ""}\n`;
    })
    .join("");
}

/** A -i value: an interface name, or its number in the -D list. */
function resolveInterface(v: string, devs: CapDevice[]): string | null {
  if (devs.some((d) => d.name === v)) return v;
  if (/^\d+$/.test(v)) {
    const n = parseInt(v, 10);
    if (n >= 1 && n <= devs.length) return devs[n - 1].name;
  }
  return null;
}

function stamp(d: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

/** -b ring buffer: out_00001_YYYYMMDDHHMMSS.pcapng, … (tshark's names); every file gets all the IDBs. */
class RingWriter implements FrameSink {
  private w: PcapngWriter | PcapWriter | null = null;
  private readonly ifaces: InterfaceInfo[] = [];
  private fileNo = 0;
  private bytes = 0;
  private openedAt = 0;
  private readonly files: string[] = [];

  constructor(private readonly base: string, private readonly pcap: boolean, private readonly ring: Options["ring"]) {}

  private open(): PcapngWriter | PcapWriter {
    this.fileNo++;
    const ext = extname(this.base);
    const name = join(dirname(this.base), `${basename(this.base, ext)}_${String(this.fileNo).padStart(5, "0")}_${stamp(new Date())}${ext}`);
    const w = this.pcap ? new PcapWriter(name) : new PcapngWriter(name);
    for (const i of this.ifaces) w.addInterface(i);
    this.files.push(name);
    const keep = this.ring.files;
    while (keep !== undefined && this.files.length > keep) {
      try {
        unlinkSync(this.files.shift()!);
      } catch {
        /* already gone */
      }
    }
    this.bytes = 0;
    this.openedAt = Date.now();
    this.w = w;
    return w;
  }

  addInterface(info: InterfaceInfo): number {
    this.ifaces.push(info);
    (this.w ?? this.open()).addInterface(info);
    return this.ifaces.length - 1;
  }

  write(fr: Frame): void {
    let w = this.w ?? this.open();
    const full =
      (this.ring.filesize !== undefined && this.bytes >= this.ring.filesize * 1000) ||
      (this.ring.duration !== undefined && Date.now() - this.openedAt >= this.ring.duration * 1000);
    if (full && this.bytes > 0) {
      void w.close();
      w = this.open();
    }
    w.write(fr);
    this.bytes += 32 + ((fr.data.length + 3) & ~3);
  }

  async close(): Promise<void> {
    await (this.w ?? this.open()).close();
  }
}

export async function liveCommand(o: Options): Promise<number> {
  let devs: CapDevice[];
  try {
    devs = deviceList();
  } catch (e) {
    if (e instanceof LiveError) return err(e.message, e.code);
    throw e;
  }
  if (o.listInterfaces) {
    process.stdout.write(formatInterfaces(devs));
    return 0;
  }
  const names: string[] = [];
  for (const v of o.interfaces) {
    const n = resolveInterface(v, devs);
    if (n === null) return err(`there is no interface named '${v}'; interfaces: ${devs.map((d) => d.name).join(", ")} (see nestcap -D)`);
    names.push(n);
  }
  if (o.write === undefined && (o.ring.filesize !== undefined || o.ring.duration !== undefined || o.ring.files !== undefined))
    return err("the ring buffer (-b) needs an output file (-w FILE)");
  if (o.ring.files !== undefined && o.ring.filesize === undefined && o.ring.duration === undefined)
    return err("-b files:N needs -b filesize:KB or -b duration:S too");
  if (o.write === "-" && o.ring.filesize !== undefined) return err("the ring buffer (-b) can't write to standard output");

  const em = new Emitter(o);
  const out = em.out;
  const maxPackets = Math.min(o.count ?? Infinity, o.autostop.packets ?? Infinity);
  let stopping = false;
  let flushScheduled = false;
  let writtenBytes = 0;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));

  const scheduleFlush = (): void => {
    if (flushScheduled) return;
    flushScheduled = true;
    // After the current burst of packets (pcap_dispatch loop) has been handled.
    setImmediate(() => {
      flushScheduled = false;
      void out.flush();
    });
  };

  const cap = new LiveCapture({ interfaces: names, filter: o.captureFilter, snaplen: o.snaplen }, (fr) => {
    em.emit(fr);
    if (out.full) void out.flush();
    else scheduleFlush();
    if (o.autostop.filesize !== undefined) writtenBytes += 32 + fr.data.length;
    if (cap.captured >= maxPackets || (o.autostop.filesize !== undefined && writtenBytes >= o.autostop.filesize * 1000)) stop();
  });

  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    cap.close();
    resolveDone();
  };

  try {
    cap.open();
  } catch (e) {
    if (e instanceof LiveError) return err(e.message, e.code);
    throw e;
  }
  // The output file is created once the interfaces are open (no empty file after an error).
  if (o.write !== undefined) {
    em.writer = o.ring.filesize !== undefined || o.ring.duration !== undefined ? new RingWriter(o.write, o.writeFormat === "pcap", o.ring) : Emitter.openWriter(o);
    // One IDB per interface, in -i order, with if_name (and if_tsresol = 9 from the writer).
    for (const i of cap.ifaces) em.writer!.addInterface(i);
    em.mapInterfaces(cap.ifaces.length);
  }
  process.stderr.write(`Capturing on ${names.map((n) => `'${n}'`).join(" and ")}\n`);
  em.start();

  const onSignal = (): void => stop();
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  process.on("SIGHUP", onSignal);
  const timer = o.autostop.duration !== undefined ? setTimeout(stop, o.autostop.duration * 1000) : undefined;

  await done;
  if (timer) clearTimeout(timer);
  process.off("SIGINT", onSignal);
  process.off("SIGTERM", onSignal);
  process.off("SIGHUP", onSignal);
  await em.finish();
  const n = cap.captured;
  process.stderr.write(`${n} packet${n === 1 ? "" : "s"} captured\n`);
  const stats = cap.stats();
  stats.forEach((s, i) => {
    if (s && (s.dropped > 0 || s.ifDropped > 0))
      process.stderr.write(`${s.dropped} packet${s.dropped === 1 ? "" : "s"} dropped from ${names[i]}\n`);
  });
  return 0;
}
