/**
 * Literal conversion: a word, string or character constant becomes a constant of the
 * type on the other side of the comparison (10.0.0.0/8 for an IPv4 field, aa:bb:cc for
 * bytes, "UDP" through a value string), with tshark 4.0's error messages.
 */
import { fieldByAbbrev, type Field, type Time } from "../core/field.js";
import { dealias } from "../core/proto.js";
import type { Expr } from "./parser.js";
import { clsOf, err, INT_LIMITS, is64, typeName, utf8dec, type Hint } from "./types.js";

/** Strict C-like integer: decimal, 0x hex, 0b binary, leading-0 octal. */
export function parseIntLiteral(s: string): bigint | null {
  if (/^[0-9]+$/.test(s)) return s.length > 1 && s[0] === "0" ? (/^[0-7]+$/.test(s) ? BigInt("0o" + s.slice(1)) : null) : BigInt(s);
  if (/^0[xX][0-9A-Fa-f]+$/.test(s)) return BigInt(s);
  if (/^0[bB][01]+$/.test(s)) return BigInt(s);
  return null;
}

export function literalText(e: Expr): string {
  return e.k === "word" ? e.text : e.k === "string" || e.k === "char" ? e.text : "";
}

export function isLiteral(e: Expr): e is Extract<Expr, { k: "word" | "string" | "char" }> {
  return e.k === "string" || e.k === "char" || (e.k === "word" && resolveField(e.text) === undefined);
}

/** A filter's field name, or a protocol alias's ("ssl.handshake.type" is tls.handshake.type). */
export function resolveField(name: string): Field | undefined {
  const n = name[0] === "." ? name.slice(1) : name;
  const f = fieldByAbbrev(n);
  if (f !== undefined) return f;
  const d = dealias(n);
  return d === undefined ? undefined : fieldByAbbrev(d);
}

import { parseIPv4, parseIPv6 } from "../core/addr-text.js";

export { parseIPv4, parseIPv6 };

export interface Cidr4 { net: number; mask: number }
export interface Cidr6 { addr: Uint8Array; prefix: number }

/** "aa:bb:cc", "aa-bb-cc", "aa.bb.cc", "aabbcc", "aabb.ccdd.eeff"; null if not a byte string. */
export function parseHexBytes(s: string): Uint8Array | null {
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

export function parseAbsTime(s: string): Time | null {
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

export function parseRelTime(s: string): Time | null {
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
export function convertLiteral(e: Extract<Expr, { k: "word" | "string" | "char" }>, h: Hint): unknown {
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
