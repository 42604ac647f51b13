/**
 * Writing captures: pcapng (nanosecond timestamps, one IDB per interface, comments)
 * and classic pcap (one link type). Output is buffered in 1 MiB chunks.
 */
import { closeSync, openSync, writeSync } from "node:fs";
import { createFailure, writeFailure } from "./file-errors.js";
import type { Frame, InterfaceInfo } from "./frame.js";

const CHUNK = 1 << 20;
const TWO32 = 4294967296;

export interface WriterOptions {
  /** Classic pcap only: nanosecond timestamps (magic a1b23c4d). Default false (microseconds, like tshark -F pcap). */
  nanosecond?: boolean;
  /** pcapng only: shb_userappl. Default "nestcap". */
  application?: string;
  /** pcapng only: section comments. */
  comments?: string[];
}

/** A little-endian byte sink with a chunked buffer. */
abstract class Sink {
  private buf = Buffer.allocUnsafe(CHUNK);
  protected pos = 0;
  private fd: number | null = null;
  private readonly stream: NodeJS.WritableStream | null = null;
  private closed = false;
  private readonly path: string = "";

  /** A file that can't be created or written throws CaptureWriteError (tshark's message). */
  constructor(out: NodeJS.WritableStream | string) {
    if (typeof out === "string") {
      this.path = out;
      try {
        this.fd = openSync(out, "w");
      } catch (e) {
        throw createFailure(out, e);
      }
    } else this.stream = out;
  }

  /** Make room for n bytes; returns the buffer to write into at this.pos. */
  protected reserve(n: number): Buffer {
    if (this.pos + n > this.buf.length) {
      this.flush();
      if (n > this.buf.length) this.buf = Buffer.allocUnsafe(n);
    }
    return this.buf;
  }

  protected u32(v: number): void {
    const b = this.reserve(4);
    b.writeUInt32LE(v >>> 0, this.pos);
    this.pos += 4;
  }

  protected flush(): void {
    if (this.pos === 0) return;
    if (this.fd !== null) {
      let o = 0;
      try {
        while (o < this.pos) o += writeSync(this.fd, this.buf, o, this.pos - o);
      } catch (e) {
        this.pos = 0;
        throw writeFailure(this.path, e);
      }
    } else if (this.stream) {
      // The stream keeps a reference to what it is given: hand it a copy.
      this.stream.write(Buffer.from(this.buf.subarray(0, this.pos)));
    }
    this.pos = 0;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.flush();
    if (this.fd !== null) {
      closeSync(this.fd);
      this.fd = null;
    } else if (this.stream) {
      const s = this.stream;
      if (s === (process.stdout as NodeJS.WritableStream) || s === (process.stderr as NodeJS.WritableStream)) {
        // Don't end stdout; wait until what was written has drained.
        await new Promise<void>((res) => {
          if (s.write("")) res();
          else s.once("drain", () => res());
        });
      } else {
        await new Promise<void>((res, rej) => {
          s.once("error", rej);
          s.end(() => res());
        });
      }
    }
  }
}

function pad4(n: number): number {
  return (n + 3) & ~3;
}

/** Nanoseconds since the epoch as two 32-bit halves, exactly. */
export function nsToHiLo(sec: number, nsec: number): [number, number] {
  if (sec >= 0 && sec < 0x100000000) {
    const sHi = Math.floor(sec / 65536);
    const sLo = sec - sHi * 65536;
    const a = sLo * 1e9 + nsec;
    const b = sHi * 1e9;
    const bh = Math.floor(b / 65536);
    const bl = b - bh * 65536;
    const c = bl * 65536 + a;
    const ch = Math.floor(c / TWO32);
    return [bh + ch, c - ch * TWO32];
  }
  let t = BigInt(sec) * 1000000000n + BigInt(nsec);
  if (t < 0n) t &= 0xffffffffffffffffn;
  return [Number((t >> 32n) & 0xffffffffn), Number(t & 0xffffffffn)];
}

const enc = new TextEncoder();

export class PcapngWriter extends Sink {
  private readonly ifaces: InterfaceInfo[] = [];

  constructor(out: NodeJS.WritableStream | string, opts: WriterOptions = {}) {
    super(out);
    // SHB
    const opt: [number, Uint8Array][] = [];
    for (const c of opts.comments ?? []) opt.push([1, enc.encode(c)]);
    opt.push([4, enc.encode(opts.application ?? "nestcap")]);
    const optLen = opt.reduce((a, [, v]) => a + 4 + pad4(v.length), 0) + 4;
    const total = 28 + optLen;
    this.u32(0x0a0d0d0a);
    this.u32(total);
    this.u32(0x1a2b3c4d);
    this.u16(1);
    this.u16(0);
    this.u32(0xffffffff);
    this.u32(0xffffffff);
    for (const [c, v] of opt) this.option(c, v);
    this.u32(0); // opt_endofopt
    this.u32(total);
  }

  private u16(v: number): void {
    const b = this.reserve(2);
    b.writeUInt16LE(v & 0xffff, this.pos);
    this.pos += 2;
  }

  private option(code: number, v: Uint8Array): void {
    const n = 4 + pad4(v.length);
    const b = this.reserve(n);
    b.writeUInt16LE(code, this.pos);
    b.writeUInt16LE(v.length, this.pos + 2);
    b.set(v, this.pos + 4);
    b.fill(0, this.pos + 4 + v.length, this.pos + n);
    this.pos += n;
  }

  /** Add an IDB; returns its interface id (frames written with that interfaceId use it). */
  addInterface(info: InterfaceInfo): number {
    const opt: [number, Uint8Array][] = [];
    if (info.name !== undefined) opt.push([2, enc.encode(info.name)]);
    if (info.description !== undefined) opt.push([3, enc.encode(info.description)]);
    opt.push([9, Uint8Array.of(9)]);
    const optLen = opt.reduce((a, [, v]) => a + 4 + pad4(v.length), 0) + 4;
    const total = 20 + optLen;
    this.u32(1);
    this.u32(total);
    this.u16(info.linkType);
    this.u16(0);
    this.u32(info.snaplen);
    for (const [c, v] of opt) this.option(c, v);
    this.u32(0);
    this.u32(total);
    this.ifaces.push({ ...info, tsresol: 1e9, tsoffset: 0 });
    return this.ifaces.length - 1;
  }

  /** Write an EPB for frame.interfaceId (adds an interface for the frame's link type when none exists). */
  write(fr: Frame): void {
    let id = fr.interfaceId;
    if (id >= this.ifaces.length) {
      if (this.ifaces.length === 0) id = this.addInterface({ linkType: fr.linkType, snaplen: 262144, tsresol: 1e9, tsoffset: 0, ...fr.iface });
      else throw new Error(`pcapng writer: interface ${id} was not added`);
    }
    // A pseudo-header the reader stripped goes back in front of the data (as Wireshark writes it).
    const ph = fr.pseudoHeader;
    const phl = ph ? ph.length : 0;
    const caplen = fr.data.length + phl;
    let optLen = 0;
    let comments: Uint8Array[] | null = null;
    if (fr.comments && fr.comments.length > 0) {
      comments = fr.comments.map((c) => enc.encode(c));
      for (const c of comments) optLen += 4 + pad4(c.length);
    }
    if (fr.flags !== undefined) optLen += 8;
    if (optLen > 0) optLen += 4;
    const total = 32 + pad4(caplen) + optLen;
    const b = this.reserve(total);
    let p = this.pos;
    const [hi, lo] = nsToHiLo(fr.tsSec, fr.tsNsec);
    b.writeUInt32LE(6, p);
    b.writeUInt32LE(total, p + 4);
    b.writeUInt32LE(id, p + 8);
    b.writeUInt32LE(hi, p + 12);
    b.writeUInt32LE(lo, p + 16);
    b.writeUInt32LE(caplen, p + 20);
    b.writeUInt32LE((fr.len + phl) >>> 0, p + 24);
    if (ph) b.set(ph, p + 28);
    b.set(fr.data, p + 28 + phl);
    p += 28 + caplen;
    const padded = pad4(caplen) - caplen;
    if (padded) {
      b.fill(0, p, p + padded);
      p += padded;
    }
    this.pos = p;
    if (optLen > 0) {
      if (comments) for (const c of comments) this.option(1, c);
      if (fr.flags !== undefined) {
        const v = new Uint8Array(4);
        new DataView(v.buffer).setUint32(0, fr.flags >>> 0, true);
        this.option(2, v);
      }
      this.u32(0);
    }
    this.u32(total);
  }
}

export class PcapWriter extends Sink {
  private readonly ns: boolean;
  private linkType = -1;
  private snaplen = 262144;
  private headerDone = false;

  constructor(out: NodeJS.WritableStream | string, opts: WriterOptions = {}) {
    super(out);
    this.ns = opts.nanosecond ?? false;
  }

  /** Classic pcap has one interface: the first one added sets the link type. Returns 0. */
  addInterface(info: InterfaceInfo): number {
    if (this.linkType === -1) {
      this.linkType = info.linkType;
      if (info.snaplen > 0) this.snaplen = info.snaplen;
    } else if (info.linkType !== this.linkType) {
      throw new Error("Frames with different link types can't be saved in pcap format");
    }
    return 0;
  }

  private header(): void {
    this.headerDone = true;
    if (this.linkType === -1) this.linkType = 1;
    this.u32(this.ns ? 0xa1b23c4d : 0xa1b2c3d4);
    const b = this.reserve(4);
    b.writeUInt16LE(2, this.pos);
    b.writeUInt16LE(4, this.pos + 2);
    this.pos += 4;
    this.u32(0); // thiszone
    this.u32(0); // sigfigs
    this.u32(this.snaplen);
    this.u32(this.linkType);
  }

  write(fr: Frame): void {
    if (this.linkType === -1) this.addInterface({ linkType: fr.linkType, snaplen: fr.iface?.snaplen || 262144, tsresol: 1e6, tsoffset: 0 });
    else if (fr.linkType !== this.linkType) throw new Error("Frames with different link types can't be saved in pcap format");
    if (!this.headerDone) this.header();
    const ph = fr.pseudoHeader;
    const phl = ph ? ph.length : 0;
    const caplen = fr.data.length + phl;
    const b = this.reserve(16 + caplen);
    const p = this.pos;
    b.writeUInt32LE(fr.tsSec >>> 0, p);
    b.writeUInt32LE(this.ns ? fr.tsNsec : Math.floor(fr.tsNsec / 1000), p + 4);
    b.writeUInt32LE(caplen, p + 8);
    b.writeUInt32LE((fr.len + phl) >>> 0, p + 12);
    if (ph) b.set(ph, p + 16);
    b.set(fr.data, p + 16 + phl);
    this.pos = p + 16 + caplen;
  }

  override async close(): Promise<void> {
    if (!this.headerDone) this.header();
    await super.close();
  }
}
