/** `nestcap -D` and `nestcap -i …`: live capture (libpcap worker threads) through the same output path as -r (emit.ts). */
import { unlinkSync } from "node:fs";
import { basename, dirname, extname, join } from "node:path";
import type { Frame, InterfaceInfo } from "../capture/frame.js";
import { deviceList, LiveCapture, LiveError, type Device, type PcapStats } from "../capture/live.js";
import { PcapngWriter, PcapWriter } from "../capture/writer.js";
import type { Options } from "./args.js";
import { Emitter, type FrameSink } from "./emit.js";

function err(msg: string, code = 1): number {
  process.stderr.write(`nestcap: ${msg}\n`);
  return code;
}

/** tshark -D: "1. eth0", "3. lo (Loopback)", with nestcap's addition of the addresses after a tab. */
export function formatInterfaces(devs: Device[]): string {
  return devs
    .map((d, i) => {
      const label = d.loopback ? " (Loopback)" : d.description && d.name !== "any" ? ` (${d.description})` : "";
      const addrs = d.addresses.map((a) => a.addr).filter(Boolean);
      return `${i + 1}. ${d.name}${label}${addrs.length ? "\t" + addrs.join(", ") : ""}\n`;
    })
    .join("");
}

/** A -i value: an interface name, or its number in the -D list. */
function resolveInterface(v: string, devs: Device[]): string | null {
  if (devs.some((d) => d.name === v)) return v;
  if (/^\d+$/.test(v)) {
    const n = parseInt(v, 10);
    if (n >= 1 && n <= devs.length) return devs[n - 1].name;
  }
  return null;
}

function bufferFromEnv(): number | undefined {
  const v = process.env.NESTCAP_BUFFER_MB;
  if (v === undefined || !/^\d+$/.test(v) || parseInt(v, 10) === 0) return undefined;
  return parseInt(v, 10) * 1024 * 1024;
}

function plural(n: number, one: string, many = one + "s"): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * The closing line(s) on stderr: "N packets captured, D dropped by kernel, I dropped by interface"
 * (libpcap's ps_drop/ps_ifdrop summed over the interfaces), then one line per interface when
 * there are several.
 */
export function statsText(captured: number, names: string[], stats: (PcapStats | null)[]): string {
  let line = plural(captured, "packet") + " captured";
  const have = stats.filter((s): s is PcapStats => s !== null);
  if (have.length > 0) {
    const drop = have.reduce((a, s) => a + s.dropped, 0);
    const ifdrop = have.reduce((a, s) => a + s.ifDropped, 0);
    line += `, ${drop} dropped by kernel, ${ifdrop} dropped by interface`;
  }
  let text = line + "\n";
  if (names.length > 1)
    stats.forEach((s, i) => {
      if (s) text += `  '${names[i]}': ${s.received} received by filter, ${s.dropped} dropped by kernel, ${s.ifDropped} dropped by interface\n`;
    });
  return text;
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
  let devs: Device[];
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
  // -q -w without -Y/-z: the packets go straight to the file (no dissection, as dumpcap).
  const straightToFile = o.write !== undefined && o.quiet && o.displayFilter === undefined && o.stats.length === 0;
  let writer: FrameSink | undefined;
  let handled = 0;
  let writtenBytes = 0;
  let failed = false;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));

  const cap = new LiveCapture(
    {
      interfaces: names,
      filter: o.captureFilter,
      snaplen: o.snaplen,
      // -B (or NESTCAP_BUFFER_MB): the kernel buffer per interface
      bufferSize: o.bufferMB !== undefined ? o.bufferMB * 1024 * 1024 : bufferFromEnv(),
    },
    (fr: Frame) => {
      if (straightToFile) writer!.write(fr);
      else em.emit(fr);
      handled++;
      if (o.autostop.filesize !== undefined) writtenBytes += 32 + fr.data.length;
      if (handled >= maxPackets || (o.autostop.filesize !== undefined && writtenBytes >= o.autostop.filesize * 1000)) stop(true);
    },
  );
  cap.onBatchEnd = () => out.flush();

  let stopping = false;
  function stop(discard: boolean): void {
    cap.stop(discard);
    if (stopping) return;
    stopping = true;
    resolveDone();
  }

  try {
    await cap.open();
  } catch (e) {
    if (e instanceof LiveError) return err(e.message, e.code);
    throw e;
  }
  // The output file is created once the interfaces are open (no empty file after an error).
  if (o.write !== undefined) {
    writer = o.ring.filesize !== undefined || o.ring.duration !== undefined ? new RingWriter(o.write, o.writeFormat === "pcap", o.ring) : Emitter.openWriter(o);
    em.writer = writer;
    // One IDB per interface, in -i order, with if_name (and if_tsresol = 9 from the writer).
    for (const i of cap.ifaces) writer!.addInterface(i);
    em.mapInterfaces(cap.ifaces.length);
  }
  process.stderr.write(`Capturing on ${names.map((n) => `'${n}'`).join(" and ")}\n`);
  em.start();
  cap.start();

  const onSignal = (): void => stop(false);
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  process.on("SIGHUP", onSignal);
  const timer = o.autostop.duration !== undefined ? setTimeout(() => stop(false), o.autostop.duration * 1000) : undefined;
  cap.onFail = (name, msg) => {
    failed = true;
    process.stderr.write(`nestcap: capture on '${name}' failed: ${msg}\n`);
    stop(false);
  };

  await done;
  if (timer) clearTimeout(timer);
  const stats = await cap.close();
  process.off("SIGINT", onSignal);
  process.off("SIGTERM", onSignal);
  process.off("SIGHUP", onSignal);
  await em.finish();
  process.stderr.write(statsText(handled, names, stats));
  return failed ? 2 : 0;
}
