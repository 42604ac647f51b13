/**
 * Value comparisons and byte helpers used by the compiled predicates (equality and
 * order per comparison class, byte search, slices, regexes, arithmetic).
 */
import type { FieldType, Time } from "../core/field.js";
import { FilterError } from "./lexer.js";
import type { SliceRange } from "./parser.js";
import { utf8enc, type Cls } from "./types.js";

export function eqBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Byte-string order as tshark 4.0 has it: the shorter is smaller; equal lengths compare bytewise. */
export function cmpBytes(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return a.length - b.length;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

export function indexOfBytes(hay: Uint8Array, needle: Uint8Array): number {
  const n = needle.length;
  if (n === 0) return 0;
  const first = needle[0];
  const last = hay.length - n;
  outer: for (let i = hay.indexOf(first); i >= 0 && i <= last; i = hay.indexOf(first, i + 1)) {
    for (let j = 1; j < n; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

export function prefixEq(a: Uint8Array, b: Uint8Array, prefix: number): boolean {
  const full = prefix >> 3;
  for (let i = 0; i < full; i++) if (a[i] !== b[i]) return false;
  const rem = prefix & 7;
  if (rem === 0) return true;
  const m = (0xff << (8 - rem)) & 0xff;
  return (a[full] & m) === (b[full] & m);
}

export type Eq = (a: any, b: any) => boolean;
export type Ord = (a: any, b: any) => number;

export function eqFn(cls: Cls): Eq {
  switch (cls) {
    case "int": case "double": case "bool":
      return (a, b) => a == b;
    case "ipv4":
      return (a, b) => (typeof b === "number" ? a === b : ((a & b.mask) >>> 0) === b.net);
    case "ipv6":
      return (a, b) => (b instanceof Uint8Array ? eqBytes(a, b) : prefixEq(a, b.addr, b.prefix));
    case "bytes": case "ether":
      return eqBytes;
    case "string":
      return (a, b) => a === b;
    case "abstime": case "reltime":
      return (a: Time, b: Time) => a.s === b.s && a.ns === b.ns;
    case "none":
      return () => false;
  }
}

export function ordFn(cls: Cls): Ord {
  switch (cls) {
    case "int": case "double": case "bool":
      return (a, b) => (a < b ? -1 : a > b ? 1 : 0);
    case "ipv4":
      return (a, b) => {
        const x = typeof b === "number" ? b : b.net;
        return a < x ? -1 : a > x ? 1 : 0;
      };
    case "ipv6":
      return (a, b) => cmpBytes(a, b instanceof Uint8Array ? b : b.addr);
    case "bytes": case "ether":
      return cmpBytes;
    case "string":
      return (a, b) => (a < b ? -1 : a > b ? 1 : 0);
    case "abstime": case "reltime":
      return (a: Time, b: Time) => a.s - b.s || a.ns - b.ns;
    case "none":
      return () => 0;
  }
}

export function latin1(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i += 8192) s += String.fromCharCode.apply(null, b.subarray(i, i + 8192) as unknown as number[]);
  return s;
}

/** Values of an operand as bytes (for slices, contains/matches on bytes-like fields). */
export function toBytes(v: unknown, ftype: FieldType): Uint8Array | null {
  if (v instanceof Uint8Array) return v;
  if (ftype === "ipv4" && typeof v === "number") return Uint8Array.of(v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255);
  if (typeof v === "string") return utf8enc.encode(v);
  return null;
}

export function anyPair(L: readonly unknown[], R: readonly unknown[], f: Eq): boolean {
  for (let i = 0; i < L.length; i++) for (let j = 0; j < R.length; j++) if (f(L[i], R[j])) return true;
  return false;
}

export function allPairs(L: readonly unknown[], R: readonly unknown[], f: Eq): boolean {
  if (L.length === 0 || R.length === 0) return false;
  for (let i = 0; i < L.length; i++) for (let j = 0; j < R.length; j++) if (!f(L[i], R[j])) return false;
  return true;
}

export function compatible(a: Cls, b: Cls): boolean {
  if (a === b) return true;
  const num = (c: Cls) => c === "int" || c === "double";
  if (num(a) && num(b)) return true;
  const byt = (c: Cls) => c === "bytes" || c === "ether";
  return byt(a) && byt(b);
}

export function absTime(t: Time): Time {
  return t.s < 0 || t.ns < 0 ? { s: -t.s, ns: -t.ns } : t;
}

export function binop(op: string, x: number | bigint, y: number | bigint, intDiv: boolean): number | bigint | null {
  if (typeof x === "bigint" || typeof y === "bigint") {
    const a = BigInt(x);
    const b = BigInt(y);
    switch (op) {
      case "+": return a + b;
      case "-": return a - b;
      case "*": return a * b;
      case "/": return b === 0n ? null : a / b;
      case "%": return b === 0n ? null : a % b;
      case "&": return a & b;
    }
    return null;
  }
  switch (op) {
    case "+": return x + y;
    case "-": return x - y;
    case "*": return x * y;
    case "/": return y === 0 ? null : intDiv ? Math.trunc(x / y) : x / y;
    case "%": return y === 0 ? null : x % y;
    case "&": return Number((BigInt(Math.trunc(x)) & BigInt(Math.trunc(y))));
  }
  return null;
}

export function sliceOne(b: Uint8Array, r: SliceRange): Uint8Array | null {
  const n = b.length;
  let start = r.start < 0 ? n + r.start : r.start;
  if (start < 0 || start > n) return null;
  let len: number;
  if (r.end !== undefined) {
    const end = r.end < 0 ? n + r.end : r.end;
    len = end - start + 1;
    if (len < 0) return null;
  } else len = r.length === null ? n - start : r.length;
  if (start + len > n) return null;
  return b.subarray(start, start + len);
}

export function sliceMany(b: Uint8Array, ranges: readonly SliceRange[]): Uint8Array | null {
  const parts: Uint8Array[] = [];
  let total = 0;
  for (const r of ranges) {
    const p = sliceOne(b, r);
    if (p === null) return null;
    parts.push(p);
    total += p.length;
  }
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** PCRE-ish → JS RegExp. Case-insensitive by default (Wireshark 4.0); leading (?i)/(?-i)/(?s)/(?m)/(?x) flags honoured. */
export function compileRegex(pat: string): RegExp {
  let flags = new Set(["i"]);
  let p = pat;
  for (;;) {
    const m = /^\(\?([a-zA-Z]*)(?:-([a-zA-Z]*))?\)/.exec(p);
    if (m === null) break;
    for (const c of m[1]) if ("ism".includes(c)) flags.add(c);
    for (const c of m[2] ?? "") flags.delete(c);
    p = p.slice(m[0].length);
  }
  // PCRE's "$" also matches before a final newline (no DOLLAR_ENDONLY); JS's doesn't
  if (!flags.has("m") && /(^|[^\\])(\\\\)*\$$/.test(p)) p = p.slice(0, -1) + "(?=\n?$)";
  try {
    return new RegExp(p, [...flags].join(""));
  } catch (e) {
    const msg = (e as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /, "");
    throw new FilterError(`Regex compilation error: ${msg}.`);
  }
}
