/**
 * In-memory builders for capture files: classic pcap (both byte orders, µs/ns) and
 * pcapng (both byte orders, several sections, IDB options, EPB/SPB/PB, NRB, comments,
 * unknown blocks). Used by the reader/writer tests and by anyone needing odd files.
 */

/** A growable byte writer with a chosen byte order. */
export class Bytes {
  private parts: number[] = [];
  constructor(readonly le = true) {}
  get length(): number {
    return this.parts.length;
  }
  u8(v: number): this {
    this.parts.push(v & 0xff);
    return this;
  }
  u16(v: number): this {
    if (this.le) this.parts.push(v & 0xff, (v >>> 8) & 0xff);
    else this.parts.push((v >>> 8) & 0xff, v & 0xff);
    return this;
  }
  u32(v: number): this {
    v = v >>> 0;
    if (this.le) this.parts.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24);
    else this.parts.push(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
    return this;
  }
  u64(v: bigint): this {
    v = BigInt.asUintN(64, v);
    const hi = Number(v >> 32n);
    const lo = Number(v & 0xffffffffn);
    return this.le ? this.u32(lo).u32(hi) : this.u32(hi).u32(lo);
  }
  bytes(b: ArrayLike<number>): this {
    for (let i = 0; i < b.length; i++) this.parts.push(b[i] & 0xff);
    return this;
  }
  pad4(): this {
    while (this.parts.length % 4) this.parts.push(0);
    return this;
  }
  build(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

export function concat(...arrs: Uint8Array[]): Uint8Array {
  const n = arrs.reduce((a, b) => a + b.length, 0);
  const out = new Uint8Array(n);
  let o = 0;
  for (const a of arrs) {
    out.set(a, o);
    o += a.length;
  }
  return out;
}

/** The Internet checksum (RFC 1071) of `b`. */
export function cksum(b: Uint8Array): number {
  let s = 0;
  for (let i = 0; i + 1 < b.length; i += 2) s += (b[i] << 8) | b[i + 1];
  if (b.length & 1) s += b[b.length - 1] << 8;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

/** Deterministic packet bytes. */
export function payload(n: number, seed = 1): Uint8Array {
  const b = new Uint8Array(n);
  let x = seed * 2654435761;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

// ---------------------------------------------------------------- classic pcap

export interface PcapRecord {
  sec: number;
  /** Microseconds or nanoseconds, by the file's magic. */
  frac: number;
  data: Uint8Array;
  /** Original length (default data.length). */
  len?: number;
  /** Override the captured length written in the header (default data.length). */
  caplen?: number;
}

export interface PcapOptions {
  le?: boolean;
  ns?: boolean;
  linkType?: number;
  snaplen?: number;
  major?: number;
  minor?: number;
}

export function pcapHeader(o: PcapOptions = {}): Uint8Array {
  const b = new Bytes(o.le ?? true);
  b.u32(o.ns ? 0xa1b23c4d : 0xa1b2c3d4)
    .u16(o.major ?? 2)
    .u16(o.minor ?? 4)
    .u32(0)
    .u32(0)
    .u32(o.snaplen ?? 262144)
    .u32(o.linkType ?? 1);
  return b.build();
}

export function pcapRecord(r: PcapRecord, le = true): Uint8Array {
  const b = new Bytes(le);
  b.u32(r.sec)
    .u32(r.frac)
    .u32(r.caplen ?? r.data.length)
    .u32(r.len ?? r.data.length)
    .bytes(r.data);
  return b.build();
}

export function pcap(records: PcapRecord[], o: PcapOptions = {}): Uint8Array {
  return concat(pcapHeader(o), ...records.map((r) => pcapRecord(r, o.le ?? true)));
}

// ---------------------------------------------------------------------- pcapng

export interface Option {
  code: number;
  value: Uint8Array | string;
}

const enc = new TextEncoder();

function optionsBytes(le: boolean, opts: Option[] | undefined, end = true): Uint8Array {
  if (!opts || opts.length === 0) return new Uint8Array(0);
  const b = new Bytes(le);
  for (const o of opts) {
    const v = typeof o.value === "string" ? enc.encode(o.value) : o.value;
    b.u16(o.code).u16(v.length).bytes(v).pad4();
  }
  if (end) b.u16(0).u16(0);
  return b.build();
}

/** A raw block: type, total length, body (padded to 4), total length. */
export function block(type: number, body: Uint8Array, le = true, opts?: { totalOverride?: number; trailerOverride?: number }): Uint8Array {
  const padded = (body.length + 3) & ~3;
  const total = 12 + padded;
  const b = new Bytes(le);
  b.u32(type)
    .u32(opts?.totalOverride ?? total)
    .bytes(body)
    .pad4()
    .u32(opts?.trailerOverride ?? total);
  return b.build();
}

export function shb(le = true, options?: Option[], version: [number, number] = [1, 0]): Uint8Array {
  const b = new Bytes(le);
  b.u32(0x1a2b3c4d).u16(version[0]).u16(version[1]).u64(-1n).bytes(optionsBytes(le, options));
  return block(0x0a0d0d0a, b.build(), le);
}

export interface IdbSpec {
  linkType?: number;
  snaplen?: number;
  name?: string;
  description?: string;
  /** Raw if_tsresol byte (6 = µs, 9 = ns, 0x8a = 2^-10). */
  tsresol?: number;
  /** if_tsoffset seconds. */
  tsoffset?: bigint;
  extra?: Option[];
}

export function idb(s: IdbSpec = {}, le = true): Uint8Array {
  const opts: Option[] = [];
  if (s.name !== undefined) opts.push({ code: 2, value: s.name });
  if (s.description !== undefined) opts.push({ code: 3, value: s.description });
  if (s.tsresol !== undefined) opts.push({ code: 9, value: Uint8Array.of(s.tsresol) });
  if (s.tsoffset !== undefined) opts.push({ code: 14, value: new Bytes(le).u64(s.tsoffset).build() });
  if (s.extra) opts.push(...s.extra);
  const b = new Bytes(le);
  b.u16(s.linkType ?? 1)
    .u16(0)
    .u32(s.snaplen ?? 262144)
    .bytes(optionsBytes(le, opts));
  return block(1, b.build(), le);
}

export interface EpbSpec {
  iface?: number;
  /** Timestamp in interface units (64-bit). */
  ts: bigint;
  data: Uint8Array;
  len?: number;
  caplen?: number;
  comments?: string[];
  flags?: number;
  extra?: Option[];
}

export function epb(s: EpbSpec, le = true): Uint8Array {
  const opts: Option[] = [];
  for (const c of s.comments ?? []) opts.push({ code: 1, value: c });
  if (s.flags !== undefined) opts.push({ code: 2, value: new Bytes(le).u32(s.flags).build() });
  if (s.extra) opts.push(...s.extra);
  const b = new Bytes(le);
  const ts = BigInt.asUintN(64, s.ts);
  b.u32(s.iface ?? 0)
    .u32(Number(ts >> 32n))
    .u32(Number(ts & 0xffffffffn))
    .u32(s.caplen ?? s.data.length)
    .u32(s.len ?? s.data.length)
    .bytes(s.data)
    .pad4()
    .bytes(optionsBytes(le, opts));
  return block(6, b.build(), le);
}

/** Obsolete Packet Block (type 2). */
export function pb(s: EpbSpec & { drops?: number }, le = true): Uint8Array {
  const opts: Option[] = [];
  for (const c of s.comments ?? []) opts.push({ code: 1, value: c });
  if (s.flags !== undefined) opts.push({ code: 2, value: new Bytes(le).u32(s.flags).build() });
  const b = new Bytes(le);
  const ts = BigInt.asUintN(64, s.ts);
  b.u16(s.iface ?? 0)
    .u16(s.drops ?? 0)
    .u32(Number(ts >> 32n))
    .u32(Number(ts & 0xffffffffn))
    .u32(s.caplen ?? s.data.length)
    .u32(s.len ?? s.data.length)
    .bytes(s.data)
    .pad4()
    .bytes(optionsBytes(le, opts));
  return block(2, b.build(), le);
}

/** Simple Packet Block: original length and (possibly cut) data. */
export function spb(len: number, data: Uint8Array, le = true): Uint8Array {
  const b = new Bytes(le);
  b.u32(len).bytes(data).pad4();
  return block(3, b.build(), le);
}

export interface NrbEntry {
  ip: number[];
  names: string[];
}

export function nrb(entries: NrbEntry[], le = true, options?: Option[]): Uint8Array {
  const b = new Bytes(le);
  for (const e of entries) {
    const v = new Bytes(le).bytes(e.ip);
    for (const n of e.names) v.bytes(enc.encode(n)).u8(0);
    const vb = v.build();
    b.u16(e.ip.length === 4 ? 1 : 2).u16(vb.length).bytes(vb).pad4();
  }
  b.u16(0).u16(0);
  b.bytes(optionsBytes(le, options));
  return block(4, b.build(), le);
}

/** Interface Statistics Block (skipped by readers). */
export function isb(iface: number, ts: bigint, le = true): Uint8Array {
  const b = new Bytes(le);
  const t = BigInt.asUintN(64, ts);
  b.u32(iface)
    .u32(Number(t >> 32n))
    .u32(Number(t & 0xffffffffn));
  return block(5, b.build(), le);
}

export function pcapng(...blocks: Uint8Array[]): Uint8Array {
  return concat(...blocks);
}
