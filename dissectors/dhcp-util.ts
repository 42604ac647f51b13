/**
 * Shared pieces of the DHCP/BOOTP dissector (dhcp.ts): the per-packet state, the option
 * context handed to each option's decoder, and small helpers that add items the way
 * packet-dhcp.c's proto_tree_add_* calls do — proto_tree_add_item checks that the bytes
 * exist (and throws tshark's bounds errors), proto_tree_add_uint and friends do not.
 */
import { registerField, type Field, type Value } from "../src/core/field.js";
import { bytesToHex, etherToString, hex, valueDisplay } from "../src/core/format.js";
import type { PacketInfo } from "../src/core/pinfo.js";
import { asciiString } from "../src/core/strings.js";
import type { Item } from "../src/core/tree.js";
import { BoundsError, type Tvb } from "../src/core/tvb.js";
import type { DHCP_FIELDS } from "./dhcp-fields.js";

export type DhcpF = { [K in keyof typeof DHCP_FIELDS]: Field };

/** RFC 3396 long options (119, 120): the option's pieces, concatenated before decoding. */
export interface LongOption {
  total: number;
  index: number;
  parts: Uint8Array[] | null;
}

/** What one packet's options share (packet-dhcp.c's dhcp_option_data_t and friends). */
export interface DhcpState {
  f: DhcpF;
  pinfo: PacketInfo;
  /** The whole BOOTP message. */
  tvb: Tvb;
  /** Message type name (option 53), from the first pass. */
  dhcpType: string | null;
  /** Vendor class identifier (option 60) as a C string, from the first pass. */
  vendorClassId: string | null;
  /** Option 52's value as the first pass saw it; 0 once the overloaded fields were read. */
  overload: number;
  search119: LongOption;
  sip120: LongOption;
}

/** One option's decoder input: its value (a tvb of its own), its item and the item above it. */
export interface OptCtx {
  st: DhcpState;
  /** The option value (reported length = the option's length). */
  tvb: Tvb;
  /** The option's item (packet-dhcp.c's v_tree). */
  t: Item;
  /** The tree the option item hangs in (the protocol item, or an overload subtree). */
  parent: Item;
  code: number;
}

/** Returns the bytes it handled; 0 = not handled (the option's raw value is then shown). */
export type OptHandler = (c: OptCtx) => number;

export const PROTO = "dhcp";

/**
 * tshark's ContainedBoundsError: a read inside a sub-buffer that claims more bytes than
 * its container holds ("length of contained item exceeds length of containing item").
 * Not a BoundsError: dhcp.ts marks it itself, as tshark's show_exception does.
 */
export class ContainedBoundsError extends Error {
  constructor() {
    super("length of contained item exceeds length of containing item");
  }
}

/**
 * proto_tree_add_item's length rules (get_hfi_length, test_length): the bytes must be
 * captured; -1 means "to the end" for byte, string and text fields (at least one byte
 * must be left) and is an error for the others, as is any other negative length.
 */
export function itemLen(tvb: Tvb, o: number, len: number, toEnd: boolean): number {
  if (len === -1 && toEnd) {
    tvb.ensure(o, 0);
    const rem = tvb.remaining(o);
    if (rem === 0) throw new BoundsError(o >= tvb.reportedLength);
    return rem;
  }
  if (len < 0) throw new BoundsError(true);
  tvb.ensure(o, len);
  return len;
}

/** proto_tree_add_item: the bytes must be there (else tshark's bounds exception). */
export function addItem(t: Item, f: Field, tvb: Tvb, o: number, len: number, v: Value, display?: string): Item {
  len = itemLen(tvb, o, len, f.type === "bytes" || f.type === "string" || f.type === "none");
  return t.add(f, tvb, o, len, v, display);
}

export function addU8(t: Item, f: Field, tvb: Tvb, o: number): Item {
  return t.add(f, tvb, o, 1, tvb.u8(o));
}
export function addU16(t: Item, f: Field, tvb: Tvb, o: number, le = false): Item {
  return t.add(f, tvb, o, 2, le ? tvb.u16le(o) : tvb.u16(o));
}
export function addU32(t: Item, f: Field, tvb: Tvb, o: number): Item {
  return t.add(f, tvb, o, 4, tvb.u32(o));
}
export function addIpv4(t: Item, f: Field, tvb: Tvb, o: number): Item {
  return t.add(f, tvb, o, 4, tvb.u32(o));
}
export function addBytes(t: Item, f: Field, tvb: Tvb, o: number, len: number): Item {
  len = itemLen(tvb, o, len, true);
  return t.add(f, tvb, o, len, tvb.bytes(o, len));
}
export function addEther(t: Item, f: Field, tvb: Tvb, o: number): Item {
  return t.add(f, tvb, o, 6, tvb.bytes(o, 6));
}

/**
 * An FT_STRING / FT_STRINGZ item read with ENC_ASCII: the value ends at the first NUL;
 * an FT_STRING also gets proto.c's "Trailing stray characters" note.
 */
export function addString(t: Item, f: Field, tvb: Tvb, o: number, len: number, stringz: boolean): Item {
  len = itemLen(tvb, o, len, true);
  const it = t.add(f, tvb, o, len, asciiString(tvb, o, len));
  // (checked when tshark makes the item, as for lengthMismatch)
  if (!stringz) strayNote(it, f, tvb.bytes(o, len), false);
  return it;
}

const UTF8_ENC = new TextEncoder();
const UTF8_DEC = new TextDecoder("utf-8");

/**
 * proto.c's detect_trailing_stray_characters, as tshark 4.0 runs it on an FT_STRING item:
 * over the *converted* string (each byte above 0x7f became a 3-byte U+FFFD, or invalid
 * UTF-8 did), from its first NUL up to the item's length in packet bytes, any non-NUL is
 * a stray character. (So text with many non-ASCII bytes before its NUL is never noted.)
 */
export function strayNote(it: Item, f: Field, b: Uint8Array, utf8: boolean): void {
  // (checked when tshark makes the item: under -V or -T json, or when the field is asked for)
  if (!it.tree.wants(f)) return;
  let conv: Uint8Array;
  if (utf8) conv = UTF8_ENC.encode(UTF8_DEC.decode(b));
  else {
    let n = 0;
    for (let i = 0; i < b.length; i++) n += b[i] < 0x80 ? 1 : 3;
    if (n === b.length) conv = b;
    else {
      conv = new Uint8Array(n);
      let j = 0;
      for (let i = 0; i < b.length; i++) {
        if (b[i] < 0x80) conv[j++] = b[i];
        else {
          conv[j++] = 0xef;
          conv[j++] = 0xbf;
          conv[j++] = 0xbd;
        }
      }
    }
  }
  let z = conv.indexOf(0);
  if (z < 0) z = conv.length;
  for (let i = z; i < b.length && i < conv.length; i++) {
    if (conv[i] !== 0) {
      it.expert("warn", "undecoded", "Trailing stray characters", "", "_ws.string.trailing_stray_characters");
      return;
    }
  }
}

/** proto.c's note when an item's length does not fit its type ("Trying to fetch an IPv4 address with length 2"). */
registerField({ abbrev: "_ws.type_length.mismatch", name: "Trying to fetch X with length Y", type: "none" });

/**
 * report_type_length_mismatch: too short is an error (and the exception tshark throws),
 * too long a warning; the note goes on the tree the item is being added to. tshark only
 * gets there when it makes the item: under -V or -T json, or when the field is asked for
 * (-e, a filter); a summary line never sees it.
 */
function lengthMismatch(t: Item, f: Field, what: string, len: number, error: boolean): void {
  if (!t.tree.wants(f)) return;
  t.expert(error ? "error" : "warn", "malformed", `Trying to fetch ${what} with length ${len}`, "", "_ws.type_length.mismatch");
  if (error) throw new BoundsError(true);
}

/** proto_tree_add_item of an unsigned integer field over `len` bytes (big-endian; 1-4 read as such, more as 4). */
export function addUintItem(t: Item, f: Field, tvb: Tvb, o: number, len: number): Item {
  len = itemLen(tvb, o, len, false);
  let v: number;
  switch (len) {
    case 1: v = tvb.u8(o); break;
    case 2: v = tvb.u16(o); break;
    case 3: v = tvb.u24(o); break;
    case 4: v = tvb.u32(o); break;
    default:
      lengthMismatch(t, f, "an unsigned integer", len, len < 1);
      v = len < 1 ? 0 : tvb.u32(o);
  }
  // a value wider than the field: the label shows it whole, and so do -T fields and JSON
  // in decimal; in hex they write the field's number of digits (its low bytes)
  const width = f.type === "uint8" ? 0xff : f.type === "uint16" ? 0xffff : f.type === "uint24" ? 0xffffff : 0xffffffff;
  if (v > width && (f.base === "hex" || f.base === "hex_dec")) {
    return t.add(f, tvb, o, len, (v & width) >>> 0, t.tree.full ? valueDisplay(f, v) : undefined);
  }
  return t.add(f, tvb, o, len, v);
}

/** proto_tree_add_item of an FT_IPv4 field over `len` bytes. */
export function addIpv4Item(t: Item, f: Field, tvb: Tvb, o: number, len: number): Item {
  len = itemLen(tvb, o, len, false);
  if (len !== 4) lengthMismatch(t, f, "an IPv4 address", len, len < 4);
  return t.add(f, tvb, o, len, len < 4 ? 0 : tvb.u32(o));
}

/** proto_tree_add_item of an FT_ETHER field over `len` bytes. */
export function addEtherItem(t: Item, f: Field, tvb: Tvb, o: number, len: number): Item {
  len = itemLen(tvb, o, len, false);
  if (len !== 6) lengthMismatch(t, f, "a MAC address", len, len < 6);
  return t.add(f, tvb, o, len, len < 6 ? new Uint8Array(6) : tvb.bytes(o, 6));
}

/** proto_tree_add_item by the field's type (a "bytes" option may name an integer field). */
export function addTyped(t: Item, f: Field, tvb: Tvb, o: number, len: number, stringz: boolean): Item {
  switch (f.type) {
    case "uint8": case "uint16": case "uint24": case "uint32": return addUintItem(t, f, tvb, o, len);
    case "ipv4": return addIpv4Item(t, f, tvb, o, len);
    case "ether": return addEtherItem(t, f, tvb, o, len);
    case "string": return addString(t, f, tvb, o, len, stringz);
    case "none": return addItem(t, f, tvb, o, len, null);
    case "bool": {
      len = itemLen(tvb, o, len, false);
      const v = len >= 1 && len <= 4 ? tvb.bytes(o, len).reduce((a, b) => a * 256 + b, 0) : (lengthMismatch(t, f, "a boolean", len, len < 1), len < 1 ? 0 : tvb.u32(o));
      return t.add(f, tvb, o, len, v !== 0);
    }
    default: return addBytes(t, f, tvb, o, len);
  }
}

/** proto_tree_add_subtree / proto_tree_add_expert: a text item, over bytes that must exist. */
export function addSubtree(t: Item, tvb: Tvb, o: number, len: number, text: string): Item {
  tvb.ensure(o, len);
  return t.addText(tvb, o, len, text);
}

/** expert_add_info_format with one of DHCP's notes (all in the Protocol group). */
export function note(it: Item, severity: "error" | "warn" | "note", abbrev: string, message: string): void {
  it.expert(severity, "protocol", message, PROTO, abbrev);
}

export function badLength(it: Item, message: string): void {
  note(it, "error", "dhcp.bad_length", message);
}

/** bytes_to_str: hex without separators, cut at 36 bytes with "…". */
export function bytesStr(b: Uint8Array): string {
  return b.length > 36 ? bytesToHex(b.subarray(0, 36)) + "\u2026" : bytesToHex(b);
}

/** tvb_arphrdaddr_to_str: an Ethernet / IEEE 802 address as one, anything else as hex. */
export function arphrdAddr(tvb: Tvb, o: number, len: number, type: number): string {
  if (len === 0) return "<No address>";
  if ((type === 1 || type === 6) && len === 6) return etherToString(tvb.bytes(o, 6));
  if (len < 0) tvb.ensure(o, len);
  return bytesStr(tvb.bytes(o, len));
}

/** val_to_str's default for a missing name: "Unknown (0x%02x)"-style texts. */
export function hex2(v: number): string {
  return "0x" + hex(v, 2);
}

/** A GUID as Wireshark prints one (guid_to_str), from 16 bytes in the given byte order. */
export function guidText(b: Uint8Array, le: boolean): string {
  const h = (i: number) => hex(b[i], 2);
  const d1 = le ? h(3) + h(2) + h(1) + h(0) : h(0) + h(1) + h(2) + h(3);
  const d2 = le ? h(5) + h(4) : h(4) + h(5);
  const d3 = le ? h(7) + h(6) : h(6) + h(7);
  return `${d1}-${d2}-${d3}-${h(8)}${h(9)}-${h(10)}${h(11)}${h(12)}${h(13)}${h(14)}${h(15)}`;
}

// Vendor suboptions (options 43, 82 and 125): the notes and the header item their decoders share.

export function missingLength(t: Item, sub: number, capital = false): void {
  note(t, "error", "dhcp.missing_subopt_length", `Suboption ${sub}: ${capital ? "No" : "no"} room left in option for suboption length`);
}
export function missingValue(t: Item, sub: number, text = "no room left in option for suboption value"): void {
  note(t, "error", "dhcp.missing_subopt_value", `Suboption ${sub}: ${text}`);
}
export function unknownType(t: Item, sub: number): void {
  note(t, "error", "dhcp.subopt.unknown_type", `ERROR, please report: Unknown subopt type handler ${sub}`);
}

/** A suboption header: "(n) Name" item, its Length; returns the item. */
export function subHeader(t: Item, f: Field, lenField: Field, tvb: Tvb, o: number, sub: number, len: number, names: Readonly<Record<number, string>>): Item {
  const vti = t.add(f, tvb, o, len + 2, sub, t.tree.full ? `(${sub}) ${names[sub] ?? "Unknown"}` : undefined);
  addU8(vti, lenField, tvb, o + 1);
  return vti;
}
