/**
 * What the tree-shaped printers (-T json, -T ek, -T pdml) share: the order in which an item's
 * children and expert notes are written, and which items Wireshark counts as protocols.
 */
import type { Expert } from "../core/expert.js";
import type { Field } from "../core/field.js";
import { bytesToHex } from "../core/format.js";
import type { Item } from "../core/tree.js";
import { FT_NAMES } from "../filter/types.js";

/** Wireshark registers these as protocols (proto_malformed, proto_short); nestcap as FT_NONE fields. */
export function isProtocol(f: Field): boolean {
  return f.type === "protocol" || f.abbrev === "_ws.malformed" || f.abbrev === "_ws.short";
}

/** An item the printers leave out: nestcap's own hidden conveniences (FieldSpec.ownHidden). */
export function isOwnHidden(it: Item): boolean {
  return it.hidden && it.field !== null && it.field.ownHidden === true;
}

/**
 * Visit an item's children in tree order, each expert note where it was attached among them
 * (Expert.at), as Wireshark's expert subtree sits; nestcap's own hidden items are skipped.
 */
export function eachChild(it: Item, onItem: (c: Item) => void, onExpert: (e: Expert) => void): void {
  const ch = it.children;
  const ex = it.experts;
  const n = ch === null ? 0 : ch.length;
  let k = 0;
  for (let i = 0; i <= n; i++) {
    while (ex !== null && k < ex.length && (i === n || (ex[k].at ?? 0) <= i)) onExpert(ex[k++]);
    if (i < n && !isOwnHidden((ch as Item[])[i])) onItem((ch as Item[])[i]);
  }
}

/** The item's bytes in lowercase hex; tshark's note when they run past its data source. */
export function hexOf(it: Item): string {
  const ds = it.ds;
  if (ds === null) return "";
  const d = ds.data;
  if (it.start < 0 || it.start + it.len > d.length) return "field length invalid!";
  return bytesToHex(d.subarray(it.start, it.start + it.len));
}

/** The mask tshark registers the field with (0: none; a label-only mask, ip.version's, is none). */
export function registeredMask(f: Field): number {
  return f.labelMask === true ? 0 : f.bitmask ?? 0;
}

/**
 * What tshark writes for an item's value in hex (-T pdml's value, -x's first element): for a
 * bit field its value (maskedHex), else its bytes (hexOf).
 */
export function valueHex(it: Item, f: Field, parent: Item | null): string {
  return registeredMask(f) !== 0 ? maskedHex(it, parent) : hexOf(it);
}

/**
 * A bit field's value as tshark's %X: unsigned, uppercase, no padding. A boolean over several
 * bits holds those bits in Wireshark (tcp.flags.res: 7, not 1): taken from the flags item above
 * it when that holds the raw number.
 */
export function maskedHex(it: Item, parent: Item | null): string {
  const v = it.value;
  if (typeof v === "boolean") {
    const f = it.field;
    const mask = f !== null ? (f.bitmask ?? 0) : 0;
    if (v && f !== null && mask <= 0xffffffff && (mask & (mask - 1)) !== 0 && parent !== null && typeof parent.value === "number") {
      return ((parent.value & mask) >>> f.shift).toString(16).toUpperCase();
    }
    return v ? "1" : "0";
  }
  if (typeof v === "bigint") return BigInt.asUintN(64, v).toString(16).toUpperCase();
  if (typeof v === "number") return (v >>> 0).toString(16).toUpperCase();
  return "";
}

/** Wireshark 4.0's enum ftenum (ftypes.h), by type name: the type number -T json -x writes. */
const FT_NUMBERS: Record<string, number> = Object.fromEntries(
  [
    "FT_NONE", "FT_PROTOCOL", "FT_BOOLEAN", "FT_CHAR", "FT_UINT8", "FT_UINT16", "FT_UINT24", "FT_UINT32",
    "FT_UINT40", "FT_UINT48", "FT_UINT56", "FT_UINT64", "FT_INT8", "FT_INT16", "FT_INT24", "FT_INT32",
    "FT_INT40", "FT_INT48", "FT_INT56", "FT_INT64", "FT_IEEE_11073_SFLOAT", "FT_IEEE_11073_FLOAT",
    "FT_FLOAT", "FT_DOUBLE", "FT_ABSOLUTE_TIME", "FT_RELATIVE_TIME", "FT_STRING", "FT_STRINGZ",
    "FT_UINT_STRING", "FT_ETHER", "FT_BYTES", "FT_UINT_BYTES", "FT_IPv4", "FT_IPv6", "FT_IPXNET",
    "FT_FRAMENUM", "FT_GUID", "FT_OID", "FT_EUI64", "FT_AX25", "FT_VINES", "FT_REL_OID", "FT_SYSTEM_ID",
    "FT_STRINGZPAD", "FT_FCWWN", "FT_STRINGZTRUNC",
  ].map((n, i) => [n, i]),
);

/** A field's Wireshark type number (FT_PROTOCOL for the items Wireshark counts as protocols). */
export function ftNumber(f: Field): number {
  if (isProtocol(f)) return 1;
  return FT_NUMBERS[f.ftName ?? FT_NAMES[f.type]] ?? 0;
}
