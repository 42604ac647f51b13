/**
 * Value formatting, in two flavours:
 *  - fieldText: what `tshark -T fields -e` prints (tshark 4.0 rules);
 *  - itemLabel: the "-V" tree label ("Protocol: UDP (17)", ".1.. .... = Don't fragment: Set").
 */
import { bitsOf, type Field, type Time, type Value } from "./field.js";
import type { Item } from "./tree.js";
import { labelText } from "./label.js";
import { zoneAbbreviation } from "./tzname.js";

const HEX = "0123456789abcdef";

export function hex(n: number, digits: number): string {
  let s = (n >>> 0).toString(16);
  while (s.length < digits) s = "0" + s;
  return s;
}

/** "00".."ff" by byte value (fewer string operations on the -V/-T hot paths). */
const HEX2: string[] = [];
for (let i = 0; i < 256; i++) HEX2.push(HEX[i >> 4] + HEX[i & 15]);

export function bytesToHex(b: Uint8Array, sep = ""): string {
  let s = "";
  if (sep === "") {
    for (let i = 0; i < b.length; i++) s += HEX2[b[i]];
    return s;
  }
  for (let i = 0; i < b.length; i++) {
    if (i > 0) s += sep;
    s += HEX2[b[i]];
  }
  return s;
}

/**
 * Address texts are asked for again and again (every packet's columns, four MAC labels
 * per Ethernet frame under -V) for the few addresses a capture holds: a bounded cache
 * keyed by the address as a number turns ~130-300 ns of string building into a lookup.
 */
const ADDR_CACHE_MAX = 4096;
const ipv4Cache = new Map<number, string>();
const etherCache = new Map<number, string>();

/** The cached text of `key`, made by `make` the first time (the cache starts over when full). */
function remembered(cache: Map<number, string>, key: number, make: () => string): string {
  let s = cache.get(key);
  if (s === undefined) {
    s = make();
    if (cache.size >= ADDR_CACHE_MAX) cache.clear();
    cache.set(key, s);
  }
  return s;
}

export function ipv4ToString(v: number): string {
  return remembered(ipv4Cache, v, () => `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`);
}

/** "00:15:17:0d:06:f7" (6 bytes; other lengths as colon-separated hex). */
export function etherToString(b: Uint8Array): string {
  if (b.length !== 6) return bytesToHex(b, ":");
  // 48 bits fit a double exactly
  const key = (b[0] << 8 | b[1]) * 4294967296 + ((b[2] << 24 | b[3] << 16 | b[4] << 8 | b[5]) >>> 0);
  return remembered(etherCache, key, () => bytesToHex(b, ":"));
}

/**
 * What Wireshark's proto_tree_add_bitmask appends to the label of a flags item made from
 * `raw`: for each bit field in turn, a set boolean's name and an integer with value names
 * as "Name: value name" (", " before each); integers without names add nothing.
 */
export function bitmaskSuffix(raw: number, fields: readonly Field[]): string {
  let s = "";
  for (const f of fields) {
    const v = bitsOf(f, raw);
    if (f.type === "bool") {
      if (v !== 0) s += ", " + f.name;
    } else if (f.strings !== undefined) {
      s += `, ${f.name}: ${f.strings[v] ?? "Unknown"}`;
    }
  }
  return s;
}

/** RFC 5952 text form of an IPv6 address. */
export function ipv6ToString(b: Uint8Array): string {
  const w: number[] = [];
  for (let i = 0; i < 16; i += 2) w.push((b[i] << 8) | b[i + 1]);
  // IPv4-mapped / compatible forms as Wireshark prints them
  if (w[0] === 0 && w[1] === 0 && w[2] === 0 && w[3] === 0 && w[4] === 0 && w[5] === 0xffff)
    return `::ffff:${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  let bestStart = -1, bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (w[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const part = (a: number, z: number) => w.slice(a, z).map((x) => x.toString(16)).join(":");
  if (bestStart < 0) return part(0, 8);
  return part(0, bestStart) + "::" + part(bestStart + bestLen, 8);
}

export function addrToString(b: Uint8Array): string {
  if (b.length === 4) return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
  if (b.length === 16) return ipv6ToString(b);
  return etherToString(b);
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

const ZEROS = ["", "0", "00", "000", "0000", "00000", "000000", "0000000", "00000000", "000000000"];
function pad(n: number, w: number, c = "0"): string {
  let s = String(n);
  if (s.length >= w) return s;
  if (c === "0" && w <= 9) return ZEROS[w - s.length] + s;
  while (s.length < w) s = c + s;
  return s;
}

/**
 * The local zone's abbreviation at d, as tshark prints it (strftime's %Z: "CET", "IST",
 * "-03"; see tzname.ts), Intl's name when the zone's file cannot be read.
 */
function localTzName(d: Date): string {
  const tz = process.env.TZ;
  if (tz === "" || tz === "UTC" || tz === "UTC0" || tz === "Etc/UTC" || tz === ":UTC") return "UTC";
  const a = zoneAbbreviation(Math.floor(d.getTime() / 1000), -d.getTimezoneOffset() * 60);
  if (a !== undefined) return a;
  try {
    const parts = new Intl.DateTimeFormat("en-US", { timeZoneName: "short" }).formatToParts(d);
    return parts.find((p) => p.type === "timeZoneName")?.value ?? "";
  } catch {
    return "";
  }
}

/**
 * "Oct 14, 2016 15:29:08.218361000 UTC" as Wireshark prints absolute times (local time zone).
 * The last second formatted is kept, up to and including its ".", and the zone after
 * it: packets share their second, and nothing in the text but the nanoseconds changes
 * within one (zone changes happen on second boundaries).
 */
let absLastS = NaN;
let absLastUtc = false;
let absLastTz: string | undefined;
let absHead = "";
let absTail = "";

export function absTimeToString(t: Time, utc = false): string {
  if (t.s === absLastS && utc === absLastUtc && process.env.TZ === absLastTz) return absHead + pad(t.ns, 9) + absTail;
  const d = new Date(t.s * 1000);
  const zone = utc ? "UTC" : localTzName(d);
  const useUtc = zone === "UTC";
  const Y = useUtc ? d.getUTCFullYear() : d.getFullYear();
  const M = useUtc ? d.getUTCMonth() : d.getMonth();
  const D = useUtc ? d.getUTCDate() : d.getDate();
  const h = useUtc ? d.getUTCHours() : d.getHours();
  const m = useUtc ? d.getUTCMinutes() : d.getMinutes();
  const s = useUtc ? d.getUTCSeconds() : d.getSeconds();
  const head = `${MONTHS[M]} ${pad(D, 2, " ")}, ${Y} ${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}.`;
  const tail = " " + zone;
  absLastS = t.s;
  absLastUtc = utc;
  absLastTz = process.env.TZ;
  absHead = head;
  absTail = tail;
  return head + pad(t.ns, 9) + tail;
}

/** "1476458948.218361000" / "0.000503000" (seconds with nanoseconds). */
export function timeToSeconds(t: Time): string {
  // times are normalised (see timeDiff): s and ns share a sign
  if (t.s < 0 || t.ns < 0) return `-${Math.abs(t.s)}.${pad(Math.abs(t.ns), 9)}`;
  return `${t.s}.${pad(t.ns, 9)}`;
}

/**
 * Hex digits of an integer field: by its type, or (tree labels only, as
 * hfinfo_hex_digits) by its bitmask's width when it has one; `-T fields` keeps the
 * type's width.
 */
function hexDigits(f: Field, label: boolean): number {
  const m = f.bitmask;
  if (label && m !== undefined && m !== 0) {
    const w = Math.floor(Math.log2(m)) + 1 - f.shift;
    return (w + 3) >> 2;
  }
  switch (f.type) {
    case "uint8": case "int8": return 2;
    case "uint16": case "int16": return 4;
    case "uint24": return 6;
    case "uint64": case "int64": return 16;
    default: return 8;
  }
}

function intHex(f: Field, v: number | bigint, label = false): string {
  if (typeof v === "bigint") return "0x" + v.toString(16).padStart(hexDigits(f, label), "0");
  return "0x" + hex(v, hexDigits(f, label));
}

/**
 * A string value as tshark 4.0 prints it under -T fields: \n, \r, \t, \b and \f are
 * escaped; other control characters and backslashes are printed as they are.
 */
function escapeString(s: string): string {
  let plain = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x0a || c === 0x0d || c === 0x09 || c === 0x08 || c === 0x0c) { plain = false; break; }
  }
  if (plain) return s;
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x0a) out += "\\n";
    else if (c === 0x0d) out += "\\r";
    else if (c === 0x09) out += "\\t";
    else if (c === 0x08) out += "\\b";
    else if (c === 0x0c) out += "\\f";
    else out += s[i];
  }
  return out;
}

/** The text tshark 4.0 prints for one occurrence of a field under `-T fields -e`. */
export function fieldText(f: Field, v: Value): string {
  // tshark 4.0 prints "1" for a present FT_NONE field (so -e can test presence)
  if (f.type === "none") return "1";
  if (v === null || v === undefined) return "";
  switch (f.type) {
    case "bool":
      return v ? "1" : "0";
    case "uint8": case "uint16": case "uint24": case "uint32": case "uint64":
    case "int8": case "int16": case "int32": case "int64":
      if (f.base === "hex" || f.base === "hex_dec") return intHex(f, v as number);
      if (f.base === "oct") return "0" + (v as number).toString(8);
      return String(v);
    case "framenum":
      return String(v);
    case "double":
      return String(v);
    case "ipv4":
      return ipv4ToString(v as number);
    case "ipv6":
      return ipv6ToString(v as Uint8Array);
    case "ether":
      return etherToString(v as Uint8Array);
    case "bytes":
      // tshark 4.0 shows an empty byte string as "<MISSING>"
      return (v as Uint8Array).length === 0 ? "<MISSING>" : bytesToHex(v as Uint8Array, f.sep ?? "");
    case "string":
      return escapeString(v as string);
    case "abs_time":
      if (f.base === "epoch") return timeToSeconds(v as Time);
      return absTimeToString(v as Time, f.base === "utc");
    case "rel_time":
      return timeToSeconds(v as Time);
    case "protocol":
      return "";
  }
}

/** Display string of a value for the tree ("UDP (17)", "0xea14 (59924)", "Set"). */
export function valueDisplay(f: Field, v: Value): string {
  if (v === null || v === undefined) return "";
  switch (f.type) {
    case "bool": {
      // Wireshark: a bit field defaults to Set/Not set, a whole boolean to True/False
      const [t, fa] = f.tfs ?? (f.bitmask ? ["Set", "Not set"] : ["True", "False"]);
      return v ? t : fa;
    }
    case "uint8": case "uint16": case "uint24": case "uint32": case "uint64":
    case "int8": case "int16": case "int32": case "int64": {
      const n = v as number;
      let num: string;
      switch (f.base) {
        case "hex": num = intHex(f, n, true); break;
        case "hex_dec": num = `${intHex(f, n, true)} (${n})`; break;
        case "dec_hex": num = `${n} (${intHex(f, n, true)})`; break;
        case "oct": num = "0" + n.toString(8); break;
        default: num = String(n);
      }
      if (f.strings) {
        const s = f.strings[n as number];
        // BASE_NONE with a value string shows the name alone ("Unverified")
        if (f.base === "none") return s ?? `Unknown (${n})`;
        return `${s ?? "Unknown"} (${num})`;
      }
      // Wireshark's unit strings have a singular for 1 ("1 octet", "2 octets")
      return f.unit ? `${num} ${n === 1 && f.unit.endsWith("s") ? f.unit.slice(0, -1) : f.unit}` : num;
    }
    case "rel_time":
      return `${timeToSeconds(v as Time)} seconds`;
    case "abs_time":
      if (f.base === "epoch") return `${timeToSeconds(v as Time)} seconds`;
      return absTimeToString(v as Time, f.base === "utc");
    case "string":
      return labelText(v as string);
    case "bytes": {
      const b = v as Uint8Array;
      if (b.length === 0) return "<MISSING>";
      const h = bytesToHex(b.length > 36 ? b.subarray(0, 36) : b, f.sep ?? "");
      return b.length > 36 ? h + "…" : h;
    }
    default:
      return fieldText(f, v);
  }
}

/** NIBBLE[mask4 << 4 | raw4]: the 4 characters of one nibble of a bit pattern ("1.0."). */
const NIBBLE: string[] = [];
for (let m = 0; m < 16; m++) {
  for (let r = 0; r < 16; r++) {
    let t = "";
    for (let b = 3; b >= 0; b--) t += (m >> b) & 1 ? ((r >> b) & 1 ? "1" : "0") : ".";
    NIBBLE.push(t);
  }
}

/** ".1.. .... " style bit pattern of `mask` within `bits` bits, with the value's bits filled in. */
export function bitString(mask: number, bits: number, raw: number): string {
  let s = "";
  if ((bits & 3) === 0 && bits <= 32 && mask >= 0 && mask < 2 ** 32 && raw >= 0 && raw < 2 ** 32) {
    // fast path (same output), a nibble at a time: runs for every bit item of every -V packet
    for (let i = bits - 4; i >= 0; i -= 4) {
      s += NIBBLE[(((mask >>> i) & 15) << 4) | ((raw >>> i) & 15)];
      if (i !== 0) s += " ";
    }
    return s;
  }
  for (let i = bits - 1; i >= 0; i--) {
    const bit = 2 ** i;
    const inMask = Math.floor(mask / bit) % 2 === 1;
    s += inMask ? (Math.floor(raw / bit) % 2 === 1 ? "1" : "0") : ".";
    if (i % 4 === 0 && i !== 0) s += " ";
  }
  return s;
}

/** Labels kept per field (see Field.labels) before the field is deemed too varied to cache. */
const LABELS_PER_FIELD = 64;

/** "Name: value" of a field item, with its bit pattern in front for bit fields. */
function valueLabel(f: Field, v: Value, display: string | null): string {
  const disp = display ?? valueDisplay(f, v);
  let label = `${f.name}: ${disp}`;
  if (f.bitmask !== undefined && f.bits !== undefined && typeof v !== "object") {
    const raw = typeof v === "boolean" ? (v ? f.bitmask : 0) : Number(v) * 2 ** f.shift;
    label = `${bitString(f.bitmask, f.bits, raw)} = ${label}`;
  }
  return label;
}

/** The label of a tree item as `tshark -V` prints it (without indentation). */
export function itemLabel(it: Item): string {
  let label: string;
  const f = it.field;
  if (it.text !== null) label = it.text;
  else if (f === null) label = "";
  else if (f.type === "protocol") label = f.name;
  else if (f.type === "none") label = f.name;
  else {
    const v = it.value;
    if (it.display === null && (typeof v === "number" || typeof v === "boolean") && f.labels !== null) {
      // most items repeat a few values (flags, types, lengths): their labels are made once
      let m = f.labels;
      if (m === undefined) m = f.labels = new Map();
      const l = m.get(v);
      if (l !== undefined) label = l;
      else {
        label = valueLabel(f, v, null);
        if (m.size < LABELS_PER_FIELD) m.set(v, label);
        else f.labels = null;
      }
    } else label = valueLabel(f, v, it.display);
  }
  if (it.suffix !== null) label += it.suffix;
  if (it.generated) label = `[${label}]`;
  return label;
}
