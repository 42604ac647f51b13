/**
 * What the filter compiler's parts share: operand and hint shapes, the comparison
 * class of each field type, tshark's type names, and the error helper.
 */
import type { Dissection } from "../core/dissect.js";
import type { Field, FieldType } from "../core/field.js";
import { FilterError } from "./lexer.js";
import type { Span } from "./parser.js";

export type Getter = (d: Dissection) => readonly unknown[];
export type Pred = (d: Dissection) => boolean;

/** Comparison class of a field type. */
export type Cls = "int" | "bool" | "double" | "ipv4" | "ipv6" | "bytes" | "ether" | "string" | "abstime" | "reltime" | "none";

export interface Operand extends Span {
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
  /**
   * For a protocol: the bytes `contains` and `matches` search (Wireshark 4.0 searches the
   * whole tvb the protocol item was added on, not just the item's own bytes); else null.
   */
  search: Getter | null;
}

export interface Hint {
  ftype: FieldType;
  field: Field | null;
  name: string;
}

export const TYPE_NAMES: Record<FieldType, string> = {
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

export function typeName(h: Hint): string {
  if (h.ftype === "abs_time" && h.field?.base === "epoch") return TYPE_NAMES.rel_time;
  return TYPE_NAMES[h.ftype];
}

export function clsOf(t: FieldType, f: Field | null): Cls {
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

export const is64 = (t: FieldType) => t === "uint64" || t === "int64";

export const INT_LIMITS: Partial<Record<FieldType, [bigint, bigint]>> = {
  uint8: [0n, 255n], uint16: [0n, 65535n], uint24: [0n, 16777215n], uint32: [0n, 4294967295n], framenum: [0n, 4294967295n],
  uint64: [0n, 18446744073709551615n],
  int8: [-128n, 127n], int16: [-32768n, 32767n], int32: [-2147483648n, 2147483647n], int64: [-9223372036854775808n, 9223372036854775807n],
};

export const EMPTY: readonly unknown[] = Object.freeze([]);
export const utf8enc = new TextEncoder();
export const utf8dec = new TextDecoder();

export function err(msg: string, s: Span): FilterError {
  return new FilterError(msg, s.pos, s.len);
}

/** Wireshark's ftype names, as its error messages print them. */
export const FT_NAMES: Record<FieldType, string> = {
  none: "FT_NONE", protocol: "FT_PROTOCOL", bool: "FT_BOOLEAN",
  uint8: "FT_UINT8", uint16: "FT_UINT16", uint24: "FT_UINT24", uint32: "FT_UINT32", uint64: "FT_UINT64",
  int8: "FT_INT8", int16: "FT_INT16", int32: "FT_INT32", int64: "FT_INT64",
  double: "FT_DOUBLE", abs_time: "FT_ABSOLUTE_TIME", rel_time: "FT_RELATIVE_TIME", string: "FT_STRING",
  bytes: "FT_BYTES", ether: "FT_ETHER", ipv4: "FT_IPv4", ipv6: "FT_IPv6", framenum: "FT_FRAMENUM",
};
