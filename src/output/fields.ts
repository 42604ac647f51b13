/** `-T fields -e …` output, tshark 4.0 compatible (-E header/separator/occurrence/aggregator/quote). */
import { fieldByAbbrev, unlistedField, type Field, type Time } from "../core/field.js";
import { bytesToHex, fieldText } from "../core/format.js";
import { protocolByAbbrev } from "../core/proto.js";
import type { Item, Tree } from "../core/tree.js";
import { type LineWriter, StringLineWriter, writeZeroPadded } from "./line-writer.js";
import { labelOf } from "./tree-text.js";

export interface FieldsOptions {
  header: boolean;
  separator: string;
  /** "a" all, "f" first, "l" last, or a 1-based index. */
  occurrence: "a" | "f" | "l" | number;
  aggregator: string;
  quote: "" | '"' | "'";
  /** -E bom=y: a UTF-8 byte order mark before the first line. */
  bom: boolean;
}

export const DEFAULT_FIELDS_OPTIONS: FieldsOptions = { header: false, separator: "\t", occurrence: "a", aggregator: ",", quote: "", bom: false };

/**
 * Parse one -E option ("separator=,", "header=y", "separator=/t"). A value tshark 4.0
 * refuses (header=x, an empty separator, quote=x, an unknown option) throws with its
 * message, which names the option only. occurrence=N (1-based, negative: from the last)
 * is nestcap's: tshark 4.0 takes f, l and a only.
 */
export function parseFieldsOption(o: FieldsOptions, spec: string): void {
  const eq = spec.indexOf("=");
  const k = eq < 0 ? spec : spec.slice(0, eq);
  const v = eq < 0 ? "" : spec.slice(eq + 1);
  const bad = (): never => {
    throw new Error(`"${k}" is not a valid field output option=value pair.`);
  };
  const special = (s: string) => (s === "" ? bad() : s === "/t" ? "\t" : s === "/s" ? " " : s);
  const yn = (): boolean => (v === "y" ? true : v === "n" ? false : bad());
  switch (k) {
    case "header": o.header = yn(); break;
    case "bom": o.bom = yn(); break;
    case "separator": o.separator = special(v); break;
    case "aggregator": o.aggregator = special(v); break;
    case "occurrence":
      if (v === "a" || v === "f" || v === "l") o.occurrence = v;
      else if (/^-?[1-9]\d*$/.test(v)) o.occurrence = parseInt(v, 10);
      else bad();
      break;
    case "quote":
      o.quote = v === "d" ? '"' : v === "s" ? "'" : v === "n" ? "" : bad();
      break;
    default: bad();
  }
}

/** The -e prefix of tshark's column fields (`_ws.col.Info`): the column's title follows it. */
export const COLUMN_PREFIX = "_ws.col.";

/** The -e fields that are columns, with the column title each names. */
export function columnFields(fields: readonly Field[]): { field: Field; title: string }[] {
  return fields.filter((f) => f.abbrev.startsWith(COLUMN_PREFIX)).map((field) => ({ field, title: field.abbrev.slice(COLUMN_PREFIX.length) }));
}

/**
 * Resolve -e names to fields; unknown names throw with tshark's wording. Any
 * `_ws.col.<title>` is accepted, as tshark 4.0 accepts it; the caller fills the
 * columns with those titles (an unknown title stays empty).
 */
export function resolveFields(names: readonly string[]): Field[] {
  return names.map((n) => {
    if (n.startsWith(COLUMN_PREFIX)) return unlistedField({ abbrev: n, name: n.slice(COLUMN_PREFIX.length), type: "string" });
    const f = fieldByAbbrev(n) ?? protocolByAbbrev(n)?.hf;
    if (!f) throw new Error(`Some fields aren't valid:\n\t${n}`);
    return f;
  });
}

export function fieldsHeader(names: readonly string[], o: FieldsOptions): string {
  return names.join(o.separator); // tshark does not quote the header
}

/**
 * A protocol under `-e`, as tshark 4.0 prints it: the bytes of "data" in hex; the label
 * ("Internet Protocol Version 4, Src: …, Dst: …") of a protocol whose dissector wrote
 * one; otherwise the protocol's filter name ("icmp"). Labels are only complete in a full
 * tree, so the caller dissects with one when a -e names a protocol (needsFullTree).
 */
function cellText(f: Field, v: unknown): string {
  if (f.type !== "protocol") return fieldText(f, v as never);
  if (v === null || v === undefined) return "";
  const it = v as Item;
  if (f.abbrev === "data") {
    // its data.data child holds the bytes (a decoded body's, not the wire's, under HTTP)
    const d = it.children?.find((c) => c.field !== null && c.field.abbrev === "data.data");
    if (d !== undefined && d.value instanceof Uint8Array) return bytesToHex(d.value);
    return it.ds ? bytesToHex(it.ds.data.subarray(it.start, it.start + it.len)) : "";
  }
  const labelled = (it.text !== null || it.suffix !== null) && protocolByAbbrev(f.abbrev)?.bareInFields !== true;
  return labelled ? labelOf(it) : f.abbrev;
}

/**
 * One occurrence's text for `-T json -e` (tshark's write_json_proto_node_list for field
 * filters): -T fields' text, except that strings stay as they are (no \r \n escapes:
 * the JSON string escapes them).
 */
export function jsonFieldText(f: Field, v: unknown): string {
  return f.type === "string" ? (v === null || v === undefined ? "" : String(v)) : cellText(f, v);
}

/** Whether these -e fields need the full tree (protocol labels). */
export function needsFullTree(fields: readonly Field[]): boolean {
  return fields.some((f) => f.type === "protocol");
}

/** One output line for a frame whose tree recorded the wanted fields. */
export function fieldsLine(tree: Tree, fields: readonly Field[], o: FieldsOptions): string {
  const w = new StringLineWriter();
  writeFieldsLine(tree, fields, o, w);
  return w.s.slice(0, -1);
}

/** fieldsLine with its newline, written into `w` cell by cell (see line-writer.ts). */
export function writeFieldsLine(tree: Tree, fields: readonly Field[], o: FieldsOptions, w: LineWriter): void {
  for (let i = 0; i < fields.length; i++) {
    if (i > 0) w.text(o.separator);
    const f = fields[i];
    const vals = tree.get(f);
    if (vals.length === 0) continue;
    if (o.occurrence === "a") {
      w.text(o.quote);
      for (let j = 0; j < vals.length; j++) {
        if (j > 0) w.text(o.aggregator);
        writeCell(w, f, vals[j]);
      }
      w.text(o.quote);
    } else {
      const idx = o.occurrence === "f" ? 0 : o.occurrence === "l" ? vals.length - 1 : o.occurrence > 0 ? o.occurrence - 1 : vals.length + o.occurrence;
      if (idx < 0 || idx >= vals.length) continue;
      w.text(o.quote);
      writeCell(w, f, vals[idx]);
      w.text(o.quote);
    }
  }
  w.text("\n");
}

/**
 * One value as cellText gives it; decimal integers, IPv4 addresses and relative times
 * (the commonest -e fields) written digit by digit instead of through a string.
 */
function writeCell(w: LineWriter, f: Field, v: unknown): void {
  switch (f.type) {
    case "uint8": case "uint16": case "uint24": case "uint32": case "framenum":
      if (f.base !== "hex" && f.base !== "hex_dec" && f.base !== "oct" && typeof v === "number" && v >= 0) {
        w.uint(v);
        return;
      }
      break;
    case "ipv4":
      if (typeof v === "number") {
        w.uint(v >>> 24);
        w.text(".");
        w.uint((v >>> 16) & 255);
        w.text(".");
        w.uint((v >>> 8) & 255);
        w.text(".");
        w.uint(v & 255);
        return;
      }
      break;
    case "rel_time": {
      // timeToSeconds: s and ns share a sign
      const t = v as Time;
      if (t.s < 0 || t.ns < 0) w.text("-");
      w.uint(Math.abs(t.s));
      w.text(".");
      writeZeroPadded(w, Math.abs(t.ns), 9);
      return;
    }
  }
  w.text(cellText(f, v));
}
