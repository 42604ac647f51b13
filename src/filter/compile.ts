/**
 * Display-filter compiler: syntax tree → a closure over field ids.
 *
 * Literals are converted once, here, by the type of the field on the other side
 * (10.0.0.0/8 for an IPv4 field, aa:bb:cc for bytes, "UDP" via value strings);
 * per packet the closures only read recorded values (d.tree.get(field)) and, for
 * frame[...] / frame contains, the frame bytes. Semantics follow Wireshark 4.0:
 * `==` any occurrence equal, `!=` all occurrences not equal (= !(a == b) when
 * present), `===` all equal, `!==`/`~=` any not equal; a missing field makes a
 * comparison false; `matches` is case-insensitive unless the pattern says (?-i).
 */
import "../core/load.js";
import type { Dissection } from "../core/dissect.js";
import { fieldByAbbrev, type Field, type FieldType, type Time, type Value } from "../core/field.js";
import { fieldText } from "../core/format.js";
import { FilterError } from "./lexer.js";
import { parse, type CmpOp, type Expr, type SetElem, type SliceRange, type Span, type Test } from "./parser.js";

export { FilterError };

export interface CompiledFilter {
  /** Fields (and protocol fields) whose values the dissector must record (pass to new Dissector({ wanted })). */
  readonly fields: readonly Field[];
  /** Does this dissected frame match? Uses only d.tree.get(field) (recorded values) and d.frame.data (for frame[...] slices). */
  test(d: Dissection): boolean;
}

type Getter = (d: Dissection) => readonly unknown[];
type Pred = (d: Dissection) => boolean;

/** Comparison class of a field type. */
type Cls = "int" | "bool" | "double" | "ipv4" | "ipv6" | "bytes" | "ether" | "string" | "abstime" | "reltime" | "none";

interface Operand extends Span {
  /** Type of the values produced (decides literal conversion and comparison). */
  ftype: FieldType;
  /** The field, when the operand is one (value strings, tfs, messages); null for slices, functions, constants. */
  field: Field | null;
  /** Name used in messages ("frame.len"). */
  name: string;
  get: Getter;
  /** Presence test (for a bare `field` test). */
  present: Pred;
  /** A literal converted to a constant (not a field). */
  constant: boolean;
  /** A protocol other than frame: present/absent only, no bytes recorded. */
  protoOnly: boolean;
}

interface Hint {
  ftype: FieldType;
  field: Field | null;
  name: string;
}

const TYPE_NAMES: Record<FieldType, string> = {
  none: "Label",
  protocol: "Protocol",
  bool: "Boolean",
  uint8: "Unsigned integer (1 byte)",
  uint16: "Unsigned integer (2 bytes)",
  uint24: "Unsigned integer (3 bytes)",
  uint32: "Unsigned integer (4 bytes)",
  uint64: "Unsigned integer (8 bytes)",
  int8: "Signed integer (1 byte)",
  int16: "Signed integer (2 bytes)",
  int32: "Signed integer (4 bytes)",
  int64: "Signed integer (8 bytes)",
  double: "Floating point (double-precision)",
  abs_time: "Date and time",
  rel_time: "Time offset",
  string: "Character string",
  bytes: "Byte sequence",
  ether: "Ethernet or other MAC address",
  ipv4: "IPv4 address",
  ipv6: "IPv6 address",
  framenum: "Frame number",
};

function typeName(h: Hint): string {
  if (h.ftype === "abs_time" && h.field?.base === "epoch") return TYPE_NAMES.rel_time;
  return TYPE_NAMES[h.ftype];
}

function clsOf(t: FieldType, f: Field | null): Cls {
  switch (t) {
    case "uint8": case "uint16": case "uint24": case "uint32": case "uint64":
    case "int8": case "int16": case "int32": case "int64": case "framenum":
      return "int";
    case "bool": return "bool";
    case "double": return "double";
    case "ipv4": return "ipv4";
    case "ipv6": return "ipv6";
    case "ether": return "ether";
    case "bytes": case "protocol": return "bytes";
    case "string": return "string";
    case "abs_time": return f?.base === "epoch" ? "reltime" : "abstime";
    case "rel_time": return "reltime";
    case "none": return "none";
  }
}

const is64 = (t: FieldType) => t === "uint64" || t === "int64";

const INT_LIMITS: Partial<Record<FieldType, [bigint, bigint]>> = {
  uint8: [0n, 255n], uint16: [0n, 65535n], uint24: [0n, 16777215n], uint32: [0n, 4294967295n], framenum: [0n, 4294967295n],
  uint64: [0n, 18446744073709551615n],
  int8: [-128n, 127n], int16: [-32768n, 32767n], int32: [-2147483648n, 2147483647n], int64: [-9223372036854775808n, 9223372036854775807n],
};

const EMPTY: readonly unknown[] = Object.freeze([]);
const utf8enc = new TextEncoder();
const utf8dec = new TextDecoder();

// ---------------------------------------------------------------- literals

function err(msg: string, s: Span): FilterError {
  return new FilterError(msg, s.pos, s.len);
}

/** Strict C-like integer: decimal, 0x hex, 0b binary, leading-0 octal. */
function parseIntLiteral(s: string): bigint | null {
  if (/^[0-9]+$/.test(s)) return s.length > 1 && s[0] === "0" ? (/^[0-7]+$/.test(s) ? BigInt("0o" + s.slice(1)) : null) : BigInt(s);
  if (/^0[xX][0-9A-Fa-f]+$/.test(s)) return BigInt(s);
  if (/^0[bB][01]+$/.test(s)) return BigInt(s);
  return null;
}

function literalText(e: Expr): string {
  return e.k === "word" ? e.text : e.k === "string" || e.k === "char" ? e.text : "";
}

function isLiteral(e: Expr): e is Extract<Expr, { k: "word" | "string" | "char" }> {
  return e.k === "string" || e.k === "char" || (e.k === "word" && resolveField(e.text) === undefined);
}

function resolveField(name: string): Field | undefined {
  return fieldByAbbrev(name[0] === "." ? name.slice(1) : name);
}

interface Cidr4 { net: number; mask: number }
interface Cidr6 { addr: Uint8Array; prefix: number }

function parseIPv4(s: string): number | null {
  const m = /^([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})$/.exec(s);
  if (m === null) return null;
  let v = 0;
  for (let i = 1; i <= 4; i++) {
    const o = Number(m[i]);
    if (o > 255) return null;
    v = v * 256 + o;
  }
  return v;
}

export function parseIPv6(s: string): Uint8Array | null {
  let tail4: number | null = null;
  let str = s;
  const lastColon = s.lastIndexOf(":");
  if (lastColon >= 0 && s.indexOf(".", lastColon) > 0) {
    tail4 = parseIPv4(s.slice(lastColon + 1));
    if (tail4 === null) return null;
    str = s.slice(0, lastColon + 1) + "0:0";
  }
  const dbl = str.indexOf("::");
  if (dbl !== str.lastIndexOf("::")) return null;
  const parseGroups = (p: string): number[] | null => {
    if (p === "") return [];
    const out: number[] = [];
    for (const g of p.split(":")) {
      if (!/^[0-9A-Fa-f]{1,4}$/.test(g)) return null;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  let words: number[];
  if (dbl >= 0) {
    const a = parseGroups(str.slice(0, dbl));
    const b = parseGroups(str.slice(dbl + 2));
    if (a === null || b === null || a.length + b.length > 7) return null;
    words = [...a, ...new Array<number>(8 - a.length - b.length).fill(0), ...b];
  } else {
    const a = parseGroups(str);
    if (a === null || a.length !== 8) return null;
    words = a;
  }
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    out[2 * i] = words[i] >> 8;
    out[2 * i + 1] = words[i] & 255;
  }
  if (tail4 !== null) {
    out[12] = tail4 >>> 24;
    out[13] = (tail4 >>> 16) & 255;
    out[14] = (tail4 >>> 8) & 255;
    out[15] = tail4 & 255;
  }
  return out;
}

/** "aa:bb:cc", "aa-bb-cc", "aa.bb.cc", "aabbcc", "aabb.ccdd.eeff"; null if not a byte string. */
function parseHexBytes(s: string): Uint8Array | null {
  if (/^[0-9A-Fa-f]{1,2}$/.test(s)) return Uint8Array.of(parseInt(s, 16));
  const sep = /^[0-9A-Fa-f]{2}([:.-])/.exec(s)?.[1];
  if (sep !== undefined) {
    const parts = s.split(sep);
    if (parts.every((p) => /^[0-9A-Fa-f]{2}$/.test(p))) return Uint8Array.from(parts.map((p) => parseInt(p, 16)));
  }
  if (/^[0-9A-Fa-f]{4}(\.[0-9A-Fa-f]{4})+$/.test(s) || (/^[0-9A-Fa-f]+$/.test(s) && s.length % 2 === 0)) {
    const h = s.replace(/\./g, "");
    const out = new Uint8Array(h.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = parseInt(h.slice(2 * i, 2 * i + 2), 16);
    return out;
  }
  return null;
}

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

function parseAbsTime(s: string): Time | null {
  let m = /^\s*([A-Za-z]{3})\s+([0-9]{1,2}),\s*([0-9]{4})\s+([0-9]{1,2}):([0-9]{2}):([0-9]{2})(\.[0-9]{1,9})?\s*(UTC|Z)?\s*$/i.exec(s);
  let y: number, mo: number, d: number, h: number, mi: number, se: number, frac: string | undefined, utc: boolean;
  if (m !== null) {
    mo = MONTHS.indexOf(m[1].toLowerCase());
    if (mo < 0) return null;
    d = +m[2]; y = +m[3]; h = +m[4]; mi = +m[5]; se = +m[6]; frac = m[7]; utc = m[8] !== undefined;
  } else {
    m = /^\s*([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(\.[0-9]{1,9})?)?)?\s*(UTC|Z)?\s*$/i.exec(s);
    if (m === null) return null;
    y = +m[1]; mo = +m[2] - 1; d = +m[3]; h = +(m[4] ?? 0); mi = +(m[5] ?? 0); se = +(m[6] ?? 0); frac = m[7]; utc = m[8] !== undefined;
  }
  if (mo < 0 || mo > 11 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return null;
  const ms = utc ? Date.UTC(y, mo, d, h, mi, se) : new Date(y, mo, d, h, mi, se).getTime();
  if (!Number.isFinite(ms)) return null;
  const ns = frac === undefined ? 0 : Number((frac.slice(1) + "000000000").slice(0, 9));
  return { s: Math.floor(ms / 1000), ns };
}

function parseRelTime(s: string): Time | null {
  const m = /^([0-9]+)(?:\.([0-9]*))?$|^\.([0-9]+)$/.exec(s);
  if (m === null) return null;
  const whole = m[1] ?? "0";
  const frac = (m[2] ?? m[3] ?? "") + "000000000";
  return { s: Number(whole), ns: Number(frac.slice(0, 9)) };
}

function valueStringLookup(h: Hint, text: string): number | undefined {
  const vs = h.field?.strings;
  if (!vs) return undefined;
  const want = text.toLowerCase();
  for (const k of Object.keys(vs)) {
    if (vs[Number(k)].toLowerCase() === want) return Number(k);
  }
  return undefined;
}

/** Convert a literal to a constant of type h (throws with tshark's wording). */
function convertLiteral(e: Extract<Expr, { k: "word" | "string" | "char" }>, h: Hint): unknown {
  const cls = clsOf(h.ftype, h.field);
  const text = e.k === "word" ? e.text : e.k === "string" ? utf8dec.decode(e.bytes) : String.fromCharCode(e.code);
  const quoted = e.k === "string";
  const fromString = () => err(`${typeName(h)} cannot be converted from a string (${e.text}).`, e);
  switch (cls) {
    case "int": {
      let v: bigint | null = null;
      if (e.k === "char") v = BigInt(e.code);
      else if (!quoted) v = parseIntLiteral(text);
      if (v === null) {
        const n = valueStringLookup(h, text);
        if (n !== undefined) return is64(h.ftype) ? BigInt(n) : n;
        if (h.field?.strings) throw err(`"${text}" cannot be found among the possible values for ${h.name}.`, e);
        if (quoted) throw fromString();
        throw err(`"${text}" is not a valid number.`, e);
      }
      const lim = INT_LIMITS[h.ftype];
      if (lim !== undefined) {
        if (v > lim[1]) throw err(`"${text}" too big for this field, maximum ${lim[1]}.`, e);
        if (v < lim[0]) throw err(`"${text}" too small for this field, minimum ${lim[0]}.`, e);
      }
      return is64(h.ftype) ? v : Number(v);
    }
    case "bool": {
      if (e.k === "char") return e.code !== 0;
      if (!quoted) {
        const v = parseIntLiteral(text);
        if (v !== null) return v !== 0n;
        if (text === "True" || text === "TRUE") return true;
        if (text === "False" || text === "FALSE") return false;
      }
      const [t, f] = h.field?.tfs ?? ["Set", "Not set"];
      if (text.toLowerCase() === t.toLowerCase()) return true;
      if (text.toLowerCase() === f.toLowerCase()) return false;
      throw err(`"${text}" cannot be found among the possible values for ${h.name}.`, e);
    }
    case "double": {
      if (e.k === "char") return e.code;
      if (quoted) throw fromString();
      const iv = parseIntLiteral(text);
      if (iv !== null) return Number(iv);
      if (/^([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(text)) return Number(text);
      throw err(`"${text}" is not a valid number.`, e);
    }
    case "ipv4": {
      if (quoted || e.k === "char") throw fromString();
      const slash = text.indexOf("/");
      const addr = parseIPv4(slash >= 0 ? text.slice(0, slash) : text);
      if (addr === null) throw err(`"${slash >= 0 ? text.slice(0, slash) : text}" is not a valid hostname or IPv4 address.`, e);
      if (slash < 0) return addr;
      const bitsText = text.slice(slash + 1);
      if (!/^[0-9]+$/.test(bitsText)) throw err(`"${bitsText}" is not a valid number.`, e);
      const bits = Number(bitsText);
      if (bits > 32) throw err(`Netmask bits in a CIDR IPv4 address should be <= 32, not ${bits}`, e);
      const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
      return { net: (addr & mask) >>> 0, mask } satisfies Cidr4;
    }
    case "ipv6": {
      if (quoted || e.k === "char") throw fromString();
      const slash = text.indexOf("/");
      const a = parseIPv6(slash >= 0 ? text.slice(0, slash) : text);
      if (a === null) throw err(`"${slash >= 0 ? text.slice(0, slash) : text}" is not a valid hostname or IPv6 address.`, e);
      if (slash < 0) return a;
      const bitsText = text.slice(slash + 1);
      if (!/^[0-9]+$/.test(bitsText)) throw err(`"${bitsText}" is not a valid number.`, e);
      const prefix = Number(bitsText);
      if (prefix > 128) throw err(`Prefix in a IPv6 address should be <= 128, not ${prefix}`, e);
      return { addr: a, prefix } satisfies Cidr6;
    }
    case "ether": {
      if (quoted || e.k === "char") throw fromString();
      const b = parseHexBytes(text);
      if (b === null) throw err(`"${text}" is not a valid Ethernet address.`, e);
      if (b.length < 6) throw err(`"${text}" contains too few bytes to be a valid Ethernet address.`, e);
      if (b.length > 6) throw err(`"${text}" contains too many bytes to be a valid Ethernet address.`, e);
      return b;
    }
    case "bytes": {
      if (e.k === "string") return e.bytes;
      if (e.k === "char") return Uint8Array.of(e.code & 255);
      const b = parseHexBytes(text);
      if (b !== null) return b;
      const v = parseIntLiteral(text);
      if (v !== null && v <= 255n) return Uint8Array.of(Number(v));
      throw err(`"${text}" is not a valid byte string.`, e);
    }
    case "string":
      return text;
    case "abstime": {
      if (e.k === "char") throw fromString();
      const t = parseAbsTime(text);
      if (t === null) throw err(`"${text}" is not a valid absolute time. Example: "Nov 12, 1999 08:55:44.123" or "2011-07-04 12:34:56"`, e);
      return t;
    }
    case "reltime": {
      if (quoted || e.k === "char") throw fromString();
      const t = parseRelTime(text);
      if (t === null) throw err(`"${text}" is not a valid time.`, e);
      return t;
    }
    case "none":
      throw err(`${h.name} (type=Label) cannot be compared.`, e);
  }
}

// ---------------------------------------------------------------- comparisons

function eqBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function cmpBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

function indexOfBytes(hay: Uint8Array, needle: Uint8Array): number {
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

function prefixEq(a: Uint8Array, b: Uint8Array, prefix: number): boolean {
  const full = prefix >> 3;
  for (let i = 0; i < full; i++) if (a[i] !== b[i]) return false;
  const rem = prefix & 7;
  if (rem === 0) return true;
  const m = (0xff << (8 - rem)) & 0xff;
  return (a[full] & m) === (b[full] & m);
}

type Eq = (a: any, b: any) => boolean;
type Ord = (a: any, b: any) => number;

function eqFn(cls: Cls): Eq {
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

function ordFn(cls: Cls): Ord {
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

function latin1(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i += 8192) s += String.fromCharCode.apply(null, b.subarray(i, i + 8192) as unknown as number[]);
  return s;
}

/** Values of an operand as bytes (for slices, contains/matches on bytes-like fields). */
function toBytes(v: unknown, ftype: FieldType): Uint8Array | null {
  if (v instanceof Uint8Array) return v;
  if (ftype === "ipv4" && typeof v === "number") return Uint8Array.of(v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255);
  if (typeof v === "string") return utf8enc.encode(v);
  return null;
}

function anyPair(L: readonly unknown[], R: readonly unknown[], f: Eq): boolean {
  for (let i = 0; i < L.length; i++) for (let j = 0; j < R.length; j++) if (f(L[i], R[j])) return true;
  return false;
}

function allPairs(L: readonly unknown[], R: readonly unknown[], f: Eq): boolean {
  if (L.length === 0 || R.length === 0) return false;
  for (let i = 0; i < L.length; i++) for (let j = 0; j < R.length; j++) if (!f(L[i], R[j])) return false;
  return true;
}

// ---------------------------------------------------------------- compiler

const FUNCTIONS = new Set(["len", "count", "upper", "lower", "string", "max", "min", "abs"]);

class Compiler {
  readonly wanted = new Set<Field>();

  fieldOperand(f: Field, s: Span, name: string): Operand {
    this.wanted.add(f);
    const isFrame = f.type === "protocol" && f.abbrev === "frame";
    const protoOnly = f.type === "protocol" && !isFrame;
    const get: Getter = isFrame ? (d) => [d.frame.data] : (d) => d.tree.get(f);
    const present: Pred = isFrame ? () => true : (d) => d.tree.get(f).length > 0;
    return { ftype: f.type, field: f, name, get, present, constant: false, protoOnly, pos: s.pos, len: s.len };
  }

  constOperand(v: unknown, h: Hint, s: Span): Operand {
    const arr = Object.freeze([v]);
    return { ftype: h.ftype, field: h.field, name: h.name, get: () => arr, present: () => true, constant: true, protoOnly: false, pos: s.pos, len: s.len };
  }

  /** Require an operand whose values can be read (not a bare protocol). */
  valueOf(o: Operand): Operand {
    if (o.protoOnly)
      throw err(`nestcap records only the presence of protocol ${o.name}: comparing, slicing or measuring its bytes is not supported (frame is).`, o);
    return o;
  }

  /** Compile a value expression; literals need a type hint (the other side). */
  expr(e: Expr, hint: Hint | null): Operand | null {
    switch (e.k) {
      case "word": {
        const f = resolveField(e.text);
        if (f !== undefined) return this.fieldOperand(f, e, f.abbrev);
        if (hint === null) return null;
        return this.constOperand(convertLiteral(e, hint), hint, e);
      }
      case "string":
      case "char":
        if (hint === null) return null;
        return this.constOperand(convertLiteral(e, hint), hint, e);
      case "layer":
        throw err(`The layer operator (#) is not supported by nestcap.`, e);
      case "slice":
        return this.slice(e);
      case "func":
        return this.func(e);
      case "neg":
        return this.neg(e, hint);
      case "arith":
        return this.arith(e, hint);
    }
  }

  private slice(e: Extract<Expr, { k: "slice" }>): Operand {
    const inner = this.expr(e.e, null);
    if (inner === null) throw err(`Range is not supported on "${literalText(e.e)}".`, e.e);
    this.valueOf(inner);
    const t = inner.ftype;
    if (t !== "bytes" && t !== "ether" && t !== "ipv6" && t !== "ipv4" && t !== "string" && t !== "protocol")
      throw err(`"${inner.name}" is a ${typeName(inner)} and cannot be sliced into a sequence of bytes.`, inner);
    const ranges = e.ranges;
    const src = inner.get;
    const single = ranges.length === 1 ? ranges[0] : null;
    const get: Getter = (d) => {
      const vals = src(d);
      if (vals.length === 0) return EMPTY;
      const out: Uint8Array[] = [];
      for (const v of vals) {
        const b = toBytes(v, t);
        if (b === null) continue;
        const r = single !== null ? sliceOne(b, single) : sliceMany(b, ranges);
        if (r !== null) out.push(r);
      }
      return out;
    };
    return { ftype: "bytes", field: null, name: inner.name, get, present: (d) => get(d).length > 0, constant: false, protoOnly: false, pos: e.pos, len: e.len };
  }

  private func(e: Extract<Expr, { k: "func" }>): Operand {
    const name = e.name.toLowerCase();
    const nameSpan = { pos: e.namePos, len: e.nameLen };
    if (!FUNCTIONS.has(name)) throw err(`Function '${e.name}' does not exist`, nameSpan);
    const args = e.args.map((a) => {
      const o = this.expr(a, null);
      if (o === null) throw err(`Argument to ${name}() must be a field, not ${literalText(a)}.`, a);
      return o;
    });
    const want = (min: number, max: number) => {
      if (args.length < min) throw err(`Function ${name}() needs at least ${min} argument${min === 1 ? "" : "s"}.`, e);
      if (args.length > max) throw err(`Function ${name}() can accept at most ${max} argument${max === 1 ? "" : "s"}.`, e);
    };
    const mk = (ftype: FieldType, get: Getter): Operand => ({ ftype, field: null, name: `${name}()`, get, present: (d) => get(d).length > 0, constant: false, protoOnly: false, pos: e.pos, len: e.len });
    switch (name) {
      case "len": {
        want(1, 1);
        const a = this.valueOf(args[0]);
        const t = a.ftype;
        if (clsOf(t, a.field) !== "bytes" && t !== "ether" && t !== "ipv4" && t !== "ipv6" && t !== "string")
          throw err(`${a.name} (type=${typeName(a)}) cannot be used with len().`, a);
        const g = a.get;
        return mk("uint32", (d) => {
          const vals = g(d);
          if (vals.length === 0) return EMPTY;
          return vals.map((v) => (typeof v === "string" ? Buffer.byteLength(v, "utf8") : t === "ipv4" ? 4 : (v as Uint8Array).length));
        });
      }
      case "count": {
        want(1, 1);
        const a = args[0];
        const g = a.get;
        return mk("uint32", (d) => {
          const n = g(d).length;
          return n === 0 ? EMPTY : [n];
        });
      }
      case "upper":
      case "lower": {
        want(1, 1);
        const a = args[0];
        if (a.ftype !== "string") throw err(`Only string type fields can be used as parameter for ${name}()`, a);
        const g = a.get;
        const up = name === "upper";
        return mk("string", (d) => g(d).map((v) => (up ? (v as string).toUpperCase() : (v as string).toLowerCase())));
      }
      case "string": {
        want(1, 1);
        const a = this.valueOf(args[0]);
        const g = a.get;
        // tshark 4.0: integers in decimal whatever their base; addresses as printed; no bools, times or bytes
        const c = clsOf(a.ftype, a.field);
        if (c !== "int" && c !== "double" && c !== "ipv4" && c !== "ipv6" && c !== "ether" && c !== "string")
          throw err(`String conversion for field "${a.name}" is not supported`, a);
        if (c === "int" || c === "double") return mk("string", (d) => g(d).map((v) => String(v)));
        const f: Field = a.field ?? { abbrev: a.name, name: a.name, type: a.ftype, id: -1, shift: 0 };
        return mk("string", (d) => g(d).map((v) => fieldText(f, v as Value)));
      }
      case "max":
      case "min":
      case "abs": {
        if (name === "abs") want(1, 1);
        else want(1, Infinity);
        for (const a of args) {
          const c = clsOf(a.ftype, a.field);
          if (c !== "int" && c !== "double" && c !== "reltime" && c !== "abstime")
            throw err(`Argument '${a.name}' (FT_${a.ftype.toUpperCase()}) is not valid for ${name}()`, a);
        }
        const t = args[0].ftype;
        const ord = ordFn(clsOf(t, args[0].field));
        const gs = args.map((a) => a.get);
        if (name === "abs")
          return mk(t, (d) => gs[0](d).map((v) => (typeof v === "object" ? absTime(v as Time) : (v as number) < 0 ? -(v as number) : v)));
        const sign = name === "max" ? 1 : -1;
        return mk(t, (d) => {
          let best: unknown = undefined;
          for (const g of gs) for (const v of g(d)) if (best === undefined || sign * ord(v, best) > 0) best = v;
          return best === undefined ? EMPTY : [best];
        });
      }
    }
    throw err(`Function '${e.name}' does not exist`, nameSpan);
  }

  private neg(e: Extract<Expr, { k: "neg" }>, hint: Hint | null): Operand | null {
    const a = this.expr(e.a, hint);
    if (a === null) return null;
    const c = clsOf(a.ftype, a.field);
    if (c !== "int" && c !== "double" && c !== "reltime") throw err(`${typeName(a)} cannot be negated.`, e);
    const g = a.get;
    const get: Getter = (d) => g(d).map((v) => (typeof v === "object" && v !== null ? { s: -(v as Time).s, ns: -(v as Time).ns } : -(v as number)));
    if (a.constant) return this.constOperand(get(null as unknown as Dissection)[0], a, e);
    return { ...a, field: null, get, present: (d) => g(d).length > 0, constant: false, pos: e.pos, len: e.len };
  }

  private arith(e: Extract<Expr, { k: "arith" }>, hint: Hint | null): Operand | null {
    let a = this.expr(e.a, null);
    let b: Operand | null;
    if (a === null) {
      b = this.expr(e.b, hint);
      if (b === null) return null;
      a = this.expr(e.a, b);
    } else {
      b = this.expr(e.b, a);
    }
    if (a === null || b === null) return null;
    this.valueOf(a);
    this.valueOf(b);
    const ca = clsOf(a.ftype, a.field);
    const cb = clsOf(b.ftype, b.field);
    const numeric = (c: Cls) => c === "int" || c === "double";
    if (e.op === "&" && (ca === "bytes" || ca === "ether") && (cb === "bytes" || cb === "ether")) return this.bytesAnd(e, a, b);
    if (!numeric(ca)) throw err(`${a.name} (type=${typeName(a)}) cannot participate in arithmetic.`, a);
    if (!numeric(cb)) throw err(`${b.name} (type=${typeName(b)}) cannot participate in arithmetic.`, b);
    const intDiv = ca === "int" && cb === "int";
    const op = e.op;
    const ga = a.get;
    const gb = b.get;
    const get: Getter = (d) => {
      const L = ga(d);
      const R = gb(d);
      if (L.length === 0 || R.length === 0) return EMPTY;
      const out: unknown[] = [];
      for (const x of L) for (const y of R) {
        const r = binop(op, x as number | bigint, y as number | bigint, intDiv);
        if (r !== null) out.push(r);
      }
      return out;
    };
    const res: Operand = { ftype: a.ftype, field: null, name: a.name, get, present: (d) => get(d).length > 0, constant: false, protoOnly: false, pos: e.pos, len: e.len };
    if (a.constant && b.constant) {
      const v = get(null as unknown as Dissection);
      if (v.length === 0) throw err(`Division by zero.`, e);
      return this.constOperand(v[0], a, e);
    }
    if (op === "&") {
      // a bare `x & mask` test means "some (x & mask) is non-zero"
      res.present = (d) => {
        for (const v of get(d)) if (v != 0) return true;
        return false;
      };
    }
    return res;
  }

  /** bytes & bytes: byte-wise AND over the shorter length; as a test, "some byte non-zero". */
  private bytesAnd(e: Span, a: Operand, b: Operand): Operand {
    const ga = a.get;
    const gb = b.get;
    const get: Getter = (d) => {
      const L = ga(d);
      const R = gb(d);
      if (L.length === 0 || R.length === 0) return EMPTY;
      const out: Uint8Array[] = [];
      for (const x of L as Uint8Array[]) for (const y of R as Uint8Array[]) {
        const n = Math.min(x.length, y.length);
        const r = new Uint8Array(n);
        for (let i = 0; i < n; i++) r[i] = x[i] & y[i];
        out.push(r);
      }
      return out;
    };
    const present: Pred = (d) => {
      for (const v of get(d) as Uint8Array[]) if (v.some((x) => x !== 0)) return true;
      return false;
    };
    return { ftype: "bytes", field: null, name: a.name, get, present, constant: false, protoOnly: false, pos: e.pos, len: e.len };
  }

  // ------------------------------------------------------------ tests

  test(t: Test): Pred {
    switch (t.k) {
      case "and": {
        const a = this.test(t.a);
        const b = this.test(t.b);
        return (d) => a(d) && b(d);
      }
      case "or": {
        const a = this.test(t.a);
        const b = this.test(t.b);
        return (d) => a(d) || b(d);
      }
      case "not": {
        const a = this.test(t.a);
        return (d) => !a(d);
      }
      case "exists":
        return this.exists(t.e);
      case "cmp":
        return this.cmp(t);
      case "in":
        return this.inSet(t);
    }
  }

  private exists(e: Expr): Pred {
    if (e.k === "func") {
      if (!FUNCTIONS.has(e.name.toLowerCase())) throw err(`Function '${e.name}' does not exist`, { pos: e.namePos, len: e.nameLen });
      throw err("You cannot test whether a function is present.", { pos: e.namePos, len: e.nameLen });
    }
    if (isLiteral(e)) throw err(`${literalText(e)} is neither a field nor a protocol name.`, e);
    const o = this.expr(e, null);
    if (o === null) throw err(`${literalText(e)} is neither a field nor a protocol name.`, e);
    return o.present;
  }

  private left(e: Expr, opText: string): Operand {
    const o = this.expr(e, null);
    if (o === null) {
      const txt = e.k === "word" || e.k === "string" || e.k === "char" ? literalText(e) : "a literal";
      throw err(`Left side of "${opText}" expression must be a field or function, not ${txt}.`, e);
    }
    return o;
  }

  private cmp(t: Extract<Test, { k: "cmp" }>): Pred {
    const a = this.left(t.a, t.opText);
    const op: CmpOp = t.op;
    const ca = clsOf(a.ftype, a.field);
    const cannot = () => err(`${a.name} (type=${typeName(a)}) cannot participate in ${t.opText} comparison.`, a);
    if (ca === "none") throw cannot();
    this.valueOf(a);

    if (op === "matches") {
      if (ca !== "string" && ca !== "bytes") throw cannot();
      if (t.b.k !== "string") throw err("Matches requires a double quoted string on the right side.", t.b);
      const re = compileRegex(utf8dec.decode(t.b.bytes));
      const g = a.get;
      const all = t.quant === "all";
      const m = (v: unknown) => re.test(typeof v === "string" ? v : latin1(v as Uint8Array));
      return all ? (d) => { const L = g(d); return L.length > 0 && L.every(m); } : (d) => g(d).some(m);
    }

    if (op === "contains") {
      if (ca !== "string" && ca !== "bytes" && ca !== "ether") throw cannot();
      const b = this.expr(t.b, ca === "string" ? a : { ftype: "bytes", field: null, name: a.name });
      if (b === null) throw err(`${literalText(t.b)} is neither a field nor a protocol name.`, t.b);
      this.valueOf(b);
      const g = a.get;
      const gb = b.get;
      const all = t.quant === "all";
      let f: Eq;
      if (ca === "string") f = (x, y) => (typeof y === "string" ? (x as string).includes(y) : (x as string).includes(utf8dec.decode(y)));
      else f = (x, y) => { const yb = toBytes(y, b.ftype); return yb !== null && indexOfBytes(x, yb) >= 0; };
      return all ? (d) => allPairs(g(d), gb(d), f) : (d) => anyPair(g(d), gb(d), f);
    }

    const b = this.expr(t.b, a);
    if (b === null) throw err(`${literalText(t.b)} is neither a field nor a protocol name.`, t.b);
    const cb = clsOf(b.ftype, b.field);
    if (!compatible(ca, cb)) throw err(`${a.name} and ${b.name} are not of compatible types.`, b);
    this.valueOf(b);
    const cls = ca === "bytes" || cb === "bytes" ? "bytes" : ca;
    const eq = eqFn(cls);
    const ord = ordFn(cls);
    let f: Eq;
    let all: boolean;
    switch (op) {
      case "any_eq": f = eq; all = false; break;
      case "all_eq": f = eq; all = true; break;
      case "all_ne": f = (x, y) => !eq(x, y); all = true; break;
      case "any_ne": f = (x, y) => !eq(x, y); all = false; break;
      case "gt": f = (x, y) => ord(x, y) > 0; all = false; break;
      case "ge": f = (x, y) => ord(x, y) >= 0; all = false; break;
      case "lt": f = (x, y) => ord(x, y) < 0; all = false; break;
      case "le": f = (x, y) => ord(x, y) <= 0; all = false; break;
    }
    if (t.quant === "all") all = true;
    else if (t.quant === "any") all = false;
    const g = a.get;
    if (b.constant) {
      const c = b.get(null as unknown as Dissection)[0];
      if (all) return (d) => { const L = g(d); if (L.length === 0) return false; for (let i = 0; i < L.length; i++) if (!f(L[i], c)) return false; return true; };
      return (d) => { const L = g(d); for (let i = 0; i < L.length; i++) if (f(L[i], c)) return true; return false; };
    }
    const gb = b.get;
    return all ? (d) => allPairs(g(d), gb(d), f) : (d) => anyPair(g(d), gb(d), f);
  }

  private inSet(t: Extract<Test, { k: "in" }>): Pred {
    const a = this.left(t.a, "in");
    const ca = clsOf(a.ftype, a.field);
    if (ca === "none") throw err(`${a.name} (type=${typeName(a)}) cannot participate in in comparison.`, a);
    this.valueOf(a);
    const eq = eqFn(ca);
    const ord = ordFn(ca);
    const elems: ((v: unknown, d: Dissection) => boolean)[] = [];
    for (const el of t.set) elems.push(this.setElem(el, a, ca, eq, ord));
    const g = a.get;
    const member = (v: unknown, d: Dissection) => {
      for (let i = 0; i < elems.length; i++) if (elems[i](v, d)) return true;
      return false;
    };
    let p: Pred;
    if (t.quant === "all") p = (d) => { const L = g(d); if (L.length === 0) return false; for (const v of L) if (!member(v, d)) return false; return true; };
    else p = (d) => { const L = g(d); for (let i = 0; i < L.length; i++) if (member(L[i], d)) return true; return false; };
    return t.neg ? (d) => !p(d) : p;
  }

  private setElem(el: SetElem, a: Operand, ca: Cls, eq: Eq, ord: Ord): (v: unknown, d: Dissection) => boolean {
    const lo = this.expr(el.lo, a);
    if (lo === null) throw err(`${literalText(el.lo)} is neither a field nor a protocol name.`, el.lo);
    this.valueOf(lo);
    if (!compatible(ca, clsOf(lo.ftype, lo.field))) throw err(`${a.name} and ${lo.name} are not of compatible types.`, lo);
    if (el.hi === null) {
      if (lo.constant) {
        const c = lo.get(null as unknown as Dissection)[0];
        return (v) => eq(v, c);
      }
      const g = lo.get;
      return (v, d) => { for (const c of g(d)) if (eq(v, c)) return true; return false; };
    }
    const hi = this.expr(el.hi, a);
    if (hi === null) throw err(`${literalText(el.hi)} is neither a field nor a protocol name.`, el.hi);
    this.valueOf(hi);
    const gl = lo.get;
    const gh = hi.get;
    return (v, d) => {
      for (const l of gl(d)) for (const h of gh(d)) if (ord(v, l) >= 0 && ord(v, h) <= 0) return true;
      return false;
    };
  }
}

function compatible(a: Cls, b: Cls): boolean {
  if (a === b) return true;
  const num = (c: Cls) => c === "int" || c === "double";
  if (num(a) && num(b)) return true;
  const byt = (c: Cls) => c === "bytes" || c === "ether";
  return byt(a) && byt(b);
}

function absTime(t: Time): Time {
  return t.s < 0 || t.ns < 0 ? { s: -t.s, ns: -t.ns } : t;
}

function binop(op: string, x: number | bigint, y: number | bigint, intDiv: boolean): number | bigint | null {
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

function sliceOne(b: Uint8Array, r: SliceRange): Uint8Array | null {
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

function sliceMany(b: Uint8Array, ranges: readonly SliceRange[]): Uint8Array | null {
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
function compileRegex(pat: string): RegExp {
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

// ---------------------------------------------------------------- API

/** Compile a display filter (throws FilterError with the offending span). */
export function compileFilter(text: string): CompiledFilter {
  const ast = parse(text);
  const c = new Compiler();
  const test = c.test(ast);
  return { fields: [...c.wanted], test };
}

/** tshark-style error text: "nestcap: <message>" plus the filter and a caret line under the offending text. */
export function formatFilterError(text: string, e: FilterError): string {
  let s = `nestcap: ${e.message}`;
  if (e.pos >= 0) s += `\n    ${text}\n    ${" ".repeat(e.pos)}^${"~".repeat(Math.max(0, e.len - 1))}`;
  return s;
}
