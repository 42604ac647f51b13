/**
 * pcapng block layout: block type codes and size limits, the per-interface record
 * (Iface), timestamp splitting (splitTs), and the option and Name Resolution Block
 * readers the parser in pcapng.ts uses (split from it; re-exported there).
 */
import type { Frame, InterfaceInfo } from "./frame.js";
import { u16be, u16le, u32be, u32le, type CaptureInfo, type NameRecord } from "./record-parser.js";

export const BT_SHB = 0x0a0d0d0a;
export const BT_IDB = 1;
export const BT_PB = 2;
export const BT_SPB = 3;
export const BT_NRB = 4;
export const BT_ISB = 5;
export const BT_EPB = 6;
export const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

/** Wireshark 4.0's largest pcapng block ("total block length N is too large (> 134348832)"). */
export const MAX_BLOCK_SIZE = 134348832;

/** Minimum total lengths Wireshark checks per block type. */
export const MIN_SIZE: Record<number, [number, string, string]> = {
  1: [20, "an IDB", "IDB"],
  2: [32, "a PB", "PB"],
  3: [16, "an SPB", "SPB"],
  6: [32, "an EPB", "EPB"],
};

/** Per-interface timestamp conversion, prepared once per IDB. */
export interface Iface {
  info: InterfaceInfo;
  global: number;
  /** Id within its section. */
  local: number;
  /** 1-based number of its section (SHB) in the file. */
  sectionNum: number;
  /** Units per second (if_tsresol). */
  units: number;
  tsoffset: number;
  /** Pseudo-header length stripped from each packet (0 for most link types). */
  phdr: number;
  maxCaplen: number;
}

export const TWO32 = 4294967296;
const TWO64n = 1n << 64n;

/**
 * Split a 64-bit timestamp (hi, lo) in `units` per second into seconds and
 * nanoseconds exactly as Wireshark 4.0's pcapng reader does (64-bit unsigned C arithmetic):
 * secs = ts / units; nsecs = ((ts % units) * 1000000000) / units, the product wrapping at 2^64.
 */
export function splitTs(hi: number, lo: number, units: number, out: { s: number; ns: number }): void {
  let sec: number;
  let rem: number;
  if (hi < 0x200000) {
    // Below 2^53: exact in a double.
    const t = hi * TWO32 + lo;
    sec = Math.floor(t / units);
    rem = t - sec * units;
    if (rem < 0) {
      sec--;
      rem += units;
    } else if (rem >= units) {
      sec++;
      rem -= units;
    }
  } else if (units <= 0x2000000000) {
    // Long division in 16-bit limbs: r * 65536 + limb stays below 2^53.
    let cur = hi >>> 16;
    let q = Math.floor(cur / units);
    let r = cur - q * units;
    sec = q;
    cur = r * 65536 + (hi & 0xffff);
    q = Math.floor(cur / units);
    r = cur - q * units;
    sec = sec * 65536 + q;
    cur = r * 65536 + (lo >>> 16);
    q = Math.floor(cur / units);
    r = cur - q * units;
    sec = sec * 65536 + q;
    cur = r * 65536 + (lo & 0xffff);
    q = Math.floor(cur / units);
    r = cur - q * units;
    sec = sec * 65536 + q;
    rem = r;
  } else {
    const t = (BigInt(hi) << 32n) | BigInt(lo);
    const u = BigInt(units);
    sec = Number(t / u);
    rem = Number(t % u);
  }
  out.s = sec;
  if (units === 1e6) out.ns = rem * 1000;
  else if (units === 1e9) out.ns = rem;
  else if (rem < 9007199) {
    // rem * 1e9 < 2^53: exact.
    const x = rem * 1e9;
    let q = Math.floor(x / units);
    const r = x - q * units;
    if (r < 0) q--;
    else if (r >= units) q++;
    out.ns = q;
  } else {
    out.ns = Number(((BigInt(rem) * 1000000000n) % TWO64n) / BigInt(units));
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: false });
export function str(b: Uint8Array, p: number, n: number): string {
  // Options may carry a trailing NUL; Wireshark stops at the first one.
  let e = p;
  const lim = p + n;
  while (e < lim && b[e] !== 0) e++;
  return utf8.decode(b.subarray(p, e));
}

export const OPT_COMMENT = 1;

/** EPB/PB options: comments and flags. */
export function packetOptions(b: Uint8Array, p: number, e: number, le: boolean, fr: Frame): void {
  if (p + 4 > e) return; // most packets have none: no callback made
  readOptions(b, p, e, le, (code, v, len) => {
    if (code === OPT_COMMENT) (fr.comments ??= []).push(str(b, v, len));
    else if (code === 2 && len >= 4) fr.flags = le ? u32le(b, v) : u32be(b, v);
  });
}

/** The options of a block (SHB, IDB): calls `f` with each option's code, value offset and length. */
export function readOptions(b: Uint8Array, p: number, e: number, le: boolean, f: (code: number, vp: number, vl: number) => void): void {
  while (p + 4 <= e) {
    const code = le ? u16le(b, p) : u16be(b, p);
    const len = le ? u16le(b, p + 2) : u16be(b, p + 2);
    if (code === 0) return;
    const v = p + 4;
    if (v + len > e) return;
    f(code, v, len);
    p = v + ((len + 3) & ~3);
  }
}

/** A Name Resolution Block's IPv4/IPv6 records, appended to info.nameResolution. */
export function parseNrb(b: Uint8Array, p: number, e: number, le: boolean, info: CaptureInfo): void {
  const recs: NameRecord[] = (info.nameResolution ??= []);
  while (p + 4 <= e) {
    const type = le ? u16le(b, p) : u16be(b, p);
    const len = le ? u16le(b, p + 2) : u16be(b, p + 2);
    if (type === 0) break;
    const v = p + 4;
    if (v + len > e) return;
    const alen = type === 1 ? 4 : type === 2 ? 16 : 0;
    if (alen > 0 && len >= alen) {
      const names: string[] = [];
      let q = v + alen;
      const ve = v + len;
      while (q < ve) {
        let z = q;
        while (z < ve && b[z] !== 0) z++;
        if (z > q) names.push(utf8.decode(b.subarray(q, z)));
        q = z + 1;
      }
      recs.push({ family: type === 1 ? 4 : 6, address: b.slice(v, v + alen), names });
    }
    p = v + ((len + 3) & ~3);
  }
}
