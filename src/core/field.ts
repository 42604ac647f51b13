/**
 * The field registry. Every dissector declares its fields as data; each gets a
 * small integer id at start-up. Filters, `-T fields -e`, `--help fields` and the
 * "neither a field nor a protocol" check all read this registry.
 */

export type FieldType =
  | "none" // a label with no value (e.g. tcp.analysis.retransmission)
  | "protocol"
  | "bool"
  | "uint8" | "uint16" | "uint24" | "uint32" | "uint64"
  | "int8" | "int16" | "int32" | "int64"
  | "double"
  | "abs_time" | "rel_time"
  | "string"
  | "bytes"
  | "ether"
  | "ipv4"
  | "ipv6"
  | "framenum";

/** How integers are shown (Wireshark's BASE_*). */
export type Base = "dec" | "hex" | "oct" | "dec_hex" | "hex_dec" | "none"
  /** abs_time shown as seconds since the epoch (frame.time_epoch). */
  | "epoch"
  /** abs_time in UTC regardless of TZ. */
  | "utc";

/** Absolute or relative time: whole seconds + nanoseconds (0..999999999). */
export interface Time {
  s: number;
  ns: number;
}

export type Value = number | bigint | boolean | string | Uint8Array | Time | null;

export interface FieldSpec {
  abbrev: string;
  name: string;
  type: FieldType;
  base?: Base;
  /** value → text (Wireshark value_string). */
  strings?: Readonly<Record<number, string>>;
  /** For bit fields: mask within the parent integer (bool or uint). */
  bitmask?: number;
  /** Width in bits of the integer the bitmask applies to (for ".1.. ...." display). */
  bits?: number;
  /**
   * The bitmask only draws the label's bits: tshark registers the field without one (its
   * dissector writes the bits into the label itself), so -T pdml writes the field's bytes as
   * its value, with no masked value (ip.version).
   */
  labelMask?: boolean;
  /**
   * tshark registers this as a protocol "in name only" whose items hold bytes (tcp.options.mss,
   * ip.options.nop): -G fields lists it as a protocol, -T ek names it without a parent.
   */
  nameOnlyProtocol?: boolean;
  /**
   * The protocol tshark registers the field with, when it is not the one whose spec lists it
   * (ipv6.hopopts.nxt is listed by ipv6): -G fields' parent column, -T ek's member names.
   */
  protocol?: string;
  /** true/false texts for booleans (Wireshark true_false_string); default Set/Not set. */
  tfs?: readonly [string, string];
  /** Separator between bytes when a bytes field is printed (default none: "0a0b0c"). */
  sep?: string;
  /** Unit appended in display ("bytes", "seconds"). */
  unit?: string;
  blurb?: string;
  /**
   * A field of nestcap's own that tshark 4.0 does not have, added hidden as a convenience
   * for -e and filters (x509.subject_line): left out of -T json, whose shape is tshark's.
   */
  ownHidden?: boolean;
  /**
   * tshark's type name when nestcap holds the field as a close type of its own: FT_STRINGZ
   * (a NUL-terminated string) is a "string" here, FT_GUID a "string"… Only `-G fields` shows it.
   */
  ftName?: string;
}

export interface Field extends FieldSpec {
  readonly id: number;
  /** Bit shift derived from bitmask (value = (raw & mask) >>> shift). */
  readonly shift: number;
  /**
   * Tree labels already made for this field, by value (numbers and booleans only; a
   * label is a function of field and value). null once the field showed too many
   * distinct values to be worth it (sequence numbers, checksums). See itemLabel.
   */
  labels?: Map<number | boolean, string> | null;
}

const byId: Field[] = [];
const byAbbrev = new Map<string, Field>();

function shiftOf(mask: number | undefined): number {
  if (!mask) return 0;
  let s = 0;
  while (((mask >>> s) & 1) === 0 && s < 32) s++;
  return s;
}

/** Field specs one protocol lists that tshark registers with another (FieldSpec.protocol). */
export function inProtocol<T extends Record<string, FieldSpec>>(protocol: string, specs: T): T {
  return Object.fromEntries(Object.entries(specs).map(([k, v]) => [k, { ...v, protocol }])) as T;
}

export function registerField(spec: FieldSpec): Field {
  const existing = byAbbrev.get(spec.abbrev);
  // The same abbrev may be registered by two dissectors (Wireshark allows it: e.g. two
  // encodings of one field). Keep the first id so filters find both.
  const f = makeField(spec, existing ? existing.id : byId.length);
  if (!existing) {
    byId.push(f);
    byAbbrev.set(spec.abbrev, f);
  }
  return f;
}

/**
 * Every Field gets the same property order and set, so hot-path reads (f.id, f.type)
 * stay monomorphic; spreading specs of different shapes made them megamorphic.
 */
function makeField(spec: FieldSpec, id: number): Field {
  return {
    id,
    abbrev: spec.abbrev,
    name: spec.name,
    type: spec.type,
    shift: shiftOf(spec.bitmask),
    base: spec.base,
    strings: spec.strings,
    bitmask: spec.bitmask,
    bits: spec.bits,
    labelMask: spec.labelMask,
    nameOnlyProtocol: spec.nameOnlyProtocol,
    protocol: spec.protocol,
    tfs: spec.tfs,
    sep: spec.sep,
    unit: spec.unit,
    blurb: spec.blurb,
    ownHidden: spec.ownHidden,
    ftName: spec.ftName,
    labels: undefined,
  };
}

const unlisted = new Map<string, Field>();

/**
 * A field with an id (so a tree can record it) that name lookups do not find: the
 * `-e _ws.col.Info` column fields, which tshark 4.0 prints but does not filter on.
 * The same abbrev always gives the same field.
 */
export function unlistedField(spec: FieldSpec): Field {
  let f = unlisted.get(spec.abbrev);
  if (f === undefined) {
    f = makeField(spec, byId.length);
    byId.push(f);
    unlisted.set(spec.abbrev, f);
  }
  return f;
}

export function fieldByAbbrev(abbrev: string): Field | undefined {
  return byAbbrev.get(abbrev);
}

export function fieldById(id: number): Field {
  return byId[id];
}

export function fieldCount(): number {
  return byId.length;
}

export function allFields(): readonly Field[] {
  return byId;
}

/** Extract a bit field from the raw integer it lives in. */
export function bitsOf(f: Field, raw: number): number {
  return f.bitmask ? (raw & f.bitmask) >>> f.shift : raw;
}
