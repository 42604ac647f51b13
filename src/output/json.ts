/**
 * `-T json`, as tshark 4.0 writes it (write_json_proto_tree in epan/print.c, pretty
 * printed by wsutil/json_dumper with 2-space indentation):
 *
 *   [
 *     {
 *       "_index": "packets-2016-10-14",      (local date of the frame)
 *       "_type": "doc",
 *       "_score": null,
 *       "_source": {
 *         "layers": {
 *           "frame": { "frame.encap_type": "1", … },
 *           "eth": { "eth.dst": "…", "eth.dst_tree": { … }, … },
 *           …
 *
 * Rules (tshark's):
 *  - every item of the tree is written, hidden ones included, in tree order (but for
 *    nestcap's own hidden conveniences, FieldSpec.ownHidden);
 *  - key = the field's filter name; for text items (no field) the item's label;
 *  - value = the field's value as text, like -T fields, except bytes which are
 *    colon-separated ("e0:3b:01"); protocols, FT_NONE fields and text items have no
 *    value;
 *  - an item with both a value and children is written twice: "ip.flags": "0x00" and
 *    "ip.flags_tree": { … }; with children only: "Queries": { … };
 *  - with neither: protocols give their label ("_ws.malformed": "Malformed Packet"),
 *    the rest "" ;
 *  - expert notes are children "_ws.expert": { "<expert field>": "", "_ws.expert.message",
 *    "_ws.expert.severity", "_ws.expert.group" } (numeric PI_* values), followed by a
 *    hidden "_ws.malformed": "Malformed Packet" for the malformed group;
 *  - with -x, before an item's members "<key>_raw": [bytes in hex (a bit field: its value),
 *    offset, length, bitmask, Wireshark type number] — not for text items, nor beside a value
 *    for an item of no bytes; -T jsonraw writes those arrays without the values;
 *  - a key occurring several times in one object is repeated (tshark's default); with
 *    `noDuplicateKeys` (tshark --no-duplicate-keys) the values are grouped into an
 *    array under the first occurrence instead.
 *
 * Streaming: jsonStart() + jsonFrame(d, true) + jsonFrame(d, false)… + jsonEnd(wrote).
 */
import type { Dissection } from "../core/dissect.js";
import type { Expert, ExpertGroup, Severity } from "../core/expert.js";
import type { Field } from "../core/field.js";
import { bytesToHex, fieldText } from "../core/format.js";
import type { Item } from "../core/tree.js";
import { labelOf } from "./tree-text.js";
import { eachChild, ftNumber, isProtocol, registeredMask, valueHex } from "./tree-walk.js";
import { jsonFieldText } from "./fields.js";

export interface JsonOptions {
  /** tshark --no-duplicate-keys: repeated keys become one key with an array of values. */
  noDuplicateKeys?: boolean;
  /**
   * tshark's -j / -J protocol match filter: a node with children is expanded only when its
   * name is listed, otherwise written as {"filtered": name}; with -J (children) everything
   * under a listed node is written whole.
   */
  match?: { names: ReadonlySet<string>; children: boolean };
  /**
   * -x: before each item, "<key>_raw": [its bytes in hex, position, length, bitmask, type
   * number] (for a bit field its value in hex first) — tshark's -T json -x. With text
   * (the default) an item without bytes, and text items always, get none.
   */
  hex?: boolean;
  /** false: tshark's -T jsonraw (hex without the values: only _raw members, trees, text items). */
  text?: boolean;
}

/** Apply a -j/-J match filter to nodes (see JsonOptions.match). */
function matchFilter(nodes: Node[], m: { names: ReadonlySet<string>; children: boolean }, whole: boolean): Node[] {
  return nodes.map((n) => {
    if (n.children === null || whole) return n;
    if (!m.names.has(n.key)) return { ...n, children: [{ key: "filtered", value: n.key, empty: "", children: null, raw: null, len: 0, isText: false, filtered: true }] };
    return { ...n, children: matchFilter(n.children, m, m.children) };
  });
}

/** Wireshark's PI_* severity values (expert.h). */
const SEVERITY_VALUE: Record<Severity, number> = {
  comment: 0x00100000,
  chat: 0x00200000,
  note: 0x00400000,
  warn: 0x00600000,
  error: 0x00800000,
};

/** Wireshark's PI_* group values (expert.h). */
const GROUP_VALUE: Record<ExpertGroup, number> = {
  checksum: 0x01000000,
  sequence: 0x02000000,
  "response-code": 0x03000000,
  "request-code": 0x04000000,
  undecoded: 0x05000000,
  reassemble: 0x06000000,
  malformed: 0x07000000,
  debug: 0x08000000,
  protocol: 0x09000000,
  security: 0x0a000000,
  comment: 0x0b000000,
  decryption: 0x0c000000,
  assumption: 0x0d000000,
  deprecated: 0x0e000000,
};

const JSON_CNTRL: string[] = [];
for (let c = 0; c < 0x20; c++) {
  JSON_CNTRL.push(
    c === 8 ? "\\b" : c === 9 ? "\\t" : c === 10 ? "\\n" : c === 12 ? "\\f" : c === 13 ? "\\r" : "\\u" + c.toString(16).padStart(4, "0"),
  );
}

/** A JSON string literal, escaped as json_dumper does (", \ and control characters; "/" after "<", as "<\/"). */
export function jsonString(s: string): string {
  let start = 0;
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c) {
      out += s.slice(start, i) + (c < 0x20 ? JSON_CNTRL[c] : c === 0x22 ? '\\"' : "\\\\");
      start = i + 1;
    } else if (c === 0x2f && i > 0 && s.charCodeAt(i - 1) === 0x3c) {
      out += s.slice(start, i) + "\\/";
      start = i + 1;
    }
  }
  return out + (start === 0 ? s : s.slice(start)) + '"';
}

const IND: string[] = [];
for (let i = 0, s = ""; i < 64; i++, s += "  ") IND.push(s);
function ind(depth: number): string {
  return depth < IND.length ? IND[depth] : "  ".repeat(depth);
}


/** A node of the JSON tree: a real item, or one of the nodes Wireshark adds for an expert note. */
interface Node {
  key: string;
  /** The value text, or null when the node has none. */
  value: string | null;
  /** Text written when the node has neither value nor children (protocol label or ""). */
  empty: string;
  children: Node[] | null;
  /** -x: the JSON texts of the "_raw" array (null without -x, and for text items). */
  raw: string[] | null;
  /** A text item (no field): never a "_raw"; with -T jsonraw still written as "label": "". */
  isText: boolean;
  /** The item's length in bytes (-x writes no "_raw" for an empty item beside its value). */
  len: number;
  /** -j's {"filtered": name} stand-in, written in every mode. */
  filtered?: boolean;
}

/** An item's value as -T json (and -T pdml's show) writes it; null for protocols, FT_NONE fields and text items. */
export function jsonValueText(it: Item): string | null {
  const f = it.field;
  if (f === null || f.type === "none" || isProtocol(f)) return null;
  if (f.type === "bytes") {
    const v = it.value;
    // tshark -T json writes bytes colon-separated whatever the field's display separator
    return v instanceof Uint8Array ? bytesToHex(v, ":") : "";
  }
  // strings go in as they are (JSON escapes them), not with -T fields' \r\n escapes
  if (f.type === "string" && typeof it.value === "string") return it.value;
  return fieldText(f, it.value);
}

/** The "_raw" array of an item added without a tvb (expert notes' items): no bytes, position 0. */
function emptyRaw(ft: number): string[] {
  return ["0", "0", "0", String(ft)];
}

/** The expert note's subtree as Wireshark adds it. */
function expertNode(e: Expert): Node {
  const abbrev = e.abbrev ?? (e.protocol !== "" ? e.protocol + ".expert" : "_ws.expert.info");
  const kids: Node[] = [
    { key: abbrev, value: null, empty: "", children: null, raw: emptyRaw(0), len: 0, isText: false },
    { key: "_ws.expert.message", value: e.message, empty: "", children: null, raw: emptyRaw(26), len: 0, isText: false },
    { key: "_ws.expert.severity", value: String(SEVERITY_VALUE[e.severity] ?? 0), empty: "", children: null, raw: emptyRaw(7), len: 0, isText: false },
    { key: "_ws.expert.group", value: String(GROUP_VALUE[e.group] ?? 0), empty: "", children: null, raw: emptyRaw(7), len: 0, isText: false },
  ];
  return { key: "_ws.expert", value: null, empty: "Expert Info", children: kids, raw: emptyRaw(1), len: 0, isText: false };
}

const MALFORMED_NODE: Node = { key: "_ws.malformed", value: null, empty: "Malformed Packet", children: null, raw: emptyRaw(1), len: 0, isText: false };

/** The "_raw" array of an item with a field: bytes (or a bit field's value), position, length, bitmask, type. */
function rawOf(it: Item, f: Field, parent: Item | null): string[] {
  const mask = registeredMask(f);
  // (an item without a data source gets no hex at all, as tshark's with no tvb)
  const first = mask === 0 && it.ds === null ? null : jsonString(valueHex(it, f, parent));
  const rest = [String(it.start), String(it.len), String(mask >>> 0), String(ftNumber(f))];
  return first === null ? rest : [first, ...rest];
}

/** The JSON node of an item (with its "_raw" array when `hex`). */
function toNode(it: Item, parent: Item | null, hex: boolean): Node {
  const f = it.field;
  const key = f === null ? labelOf(it) : f.abbrev;
  let children: Node[] | null = null;
  if ((it.children !== null && it.children.length > 0) || (it.experts !== null && it.experts.length > 0)) {
    const kids: Node[] = (children = []);
    eachChild(it, (c) => kids.push(toNode(c, it, hex)), (e) => {
      kids.push(expertNode(e));
      if (e.group === "malformed") kids.push(MALFORMED_NODE);
    });
  }
  const empty = f !== null && isProtocol(f) ? labelOf(it) : "";
  return { key, value: jsonValueText(it), empty, children, raw: hex && f !== null ? rawOf(it, f, parent) : null, len: it.len, isText: f === null };
}

/** What to write: values (text), "_raw" arrays (hex), both. */
interface Mode {
  text: boolean;
  hex: boolean;
}

/** tshark's rule for a "_raw" member: not for text items, and beside a value only when the item has bytes. */
function writesRaw(n: Node, m: Mode): n is Node & { raw: string[] } {
  return m.hex && n.raw !== null && (!m.text || n.len > 0);
}

/** Whether a node with neither value nor children is written ("" or a protocol's label). */
function writesEmpty(n: Node, m: Mode): boolean {
  return m.text || (m.hex && n.isText);
}

/** A "_raw" array, pretty printed with its opening bracket at `depth`. */
function rawArray(raw: string[], depth: number): string {
  const pre = ind(depth + 1);
  return "[\n" + raw.map((x) => pre + x).join(",\n") + "\n" + ind(depth) + "]";
}

/** Write the members of an object (without braces) at `depth`; returns "" when there are none. */
function members(nodes: Node[], depth: number, grouped: boolean, m: Mode): string {
  const pre = ind(depth);
  const parts: string[] = [];
  if (!grouped) {
    for (const n of nodes) {
      const hasKids = n.children !== null;
      if (writesRaw(n, m)) parts.push(pre + jsonString(n.key + "_raw") + ": " + rawArray(n.raw, depth));
      if (n.value !== null && (m.text || n.filtered === true)) parts.push(pre + jsonString(n.key) + ": " + jsonString(n.value));
      if (hasKids) parts.push(pre + jsonString(n.value !== null ? n.key + "_tree" : n.key) + ": " + object(n.children as Node[], depth, grouped, m));
      if (n.value === null && !hasKids && writesEmpty(n, m)) parts.push(pre + jsonString(n.key) + ": " + jsonString(n.empty));
    }
    return parts.join(",\n");
  }
  // --no-duplicate-keys: group by key, in order of first occurrence
  const groups = new Map<string, Node[]>();
  for (const n of nodes) {
    const g = groups.get(n.key);
    if (g === undefined) groups.set(n.key, [n]);
    else g.push(n);
  }
  for (const [key, g] of groups) {
    const first = g[0];
    const hasValue = first.value !== null;
    const hasKids = first.children !== null;
    if (writesRaw(first, m)) parts.push(pre + jsonString(key + "_raw") + ": " + list(g, depth, (n, d) => rawArray(n.raw ?? [], d)));
    if (hasValue && (m.text || first.filtered === true)) parts.push(pre + jsonString(key) + ": " + list(g, depth, (n) => jsonString(n.value ?? "")));
    if (hasKids) {
      parts.push(pre + jsonString(hasValue ? key + "_tree" : key) + ": " + list(g, depth, (n, d) => object(n.children ?? [], d, true, m)));
    }
    if (!hasValue && !hasKids && writesEmpty(first, m)) parts.push(pre + jsonString(key) + ": " + list(g, depth, (n) => jsonString(n.empty)));
  }
  return parts.join(",\n");
}

/** One value, or an array of them when there are several. */
function list(g: Node[], depth: number, write: (n: Node, depth: number) => string): string {
  if (g.length === 1) return write(g[0], depth);
  const pre = ind(depth + 1);
  let s = "[\n";
  for (let i = 0; i < g.length; i++) s += (i > 0 ? ",\n" : "") + pre + write(g[i], depth + 1);
  return s + "\n" + ind(depth) + "]";
}

/** An object whose opening brace is already placed at `depth`. */
function object(nodes: Node[], depth: number, grouped: boolean, mode: Mode): string {
  const m = members(nodes, depth + 1, grouped, mode);
  return m === "" ? "{}" : "{\n" + m + "\n" + ind(depth) + "}";
}

function pad2(n: number): string {
  return n < 10 ? "0" + n : "" + n;
}

/** "packets-YYYY-MM-DD" from the frame's local date (tshark uses localtime); -T ek's too. */
export function indexName(d: Dissection): string {
  const t = new Date(d.frame.tsSec * 1000);
  if (Number.isNaN(t.getTime())) return "packets-XXXX-XX-XX";
  return "packets-" + t.getFullYear() + "-" + pad2(t.getMonth() + 1) + "-" + pad2(t.getDate());
}

export function jsonStart(): string {
  return "[";
}

/** One packet object; `first` tells whether a comma must precede it. No trailing newline. */
export function jsonFrame(d: Dissection, first: boolean, opts: JsonOptions = {}): string {
  const grouped = opts.noDuplicateKeys === true;
  const mode: Mode = { text: opts.text !== false, hex: opts.hex === true || opts.text === false };
  let roots: Node[] = [];
  const ch = d.tree.root.children;
  if (ch !== null) for (const c of ch) roots.push(toNode(c, null, mode.hex));
  if (opts.match !== undefined) roots = matchFilter(roots, opts.match, false);
  return frameEnvelope(d, first, object(roots, 3, grouped, mode));
}

/** One packet of tshark's JSON array around its "layers" object (written at depth 3). */
function frameEnvelope(d: Dissection, first: boolean, layers: string): string {
  return (
    (first ? "\n" : ",\n") +
    "  {\n" +
    '    "_index": ' + jsonString(indexName(d)) + ",\n" +
    '    "_type": "doc",\n' +
    '    "_score": null,\n' +
    '    "_source": {\n' +
    '      "layers": ' + layers + "\n" +
    "    }\n" +
    "  }"
  );
}

/** The -e fields once each, in the order of their last occurrence (tshark's, for -T json/ek -e). */
export function lastOccurrences(fields: readonly Field[]): Field[] {
  const last = new Map<Field, number>();
  fields.forEach((f, i) => last.set(f, i));
  return fields.filter((f, i) => last.get(f) === i);
}

/**
 * A frame under `-T json -e F…`: only those fields, each an array of its occurrences' texts
 * (as -T fields writes them), in -e order (a repeated field at its last place); fields absent
 * from the frame are left out.
 */
export function jsonFieldsFrame(d: Dissection, fields: readonly Field[], first: boolean): string {
  const parts: string[] = [];
  for (const f of lastOccurrences(fields)) {
    const vals = d.tree.get(f);
    if (vals.length === 0) continue;
    parts.push(
      "        " + jsonString(f.abbrev) + ": [\n" +
      vals.map((v) => "          " + jsonString(jsonFieldText(f, v))).join(",\n") + "\n        ]",
    );
  }
  return frameEnvelope(d, first, parts.length === 0 ? "{}" : "{\n" + parts.join(",\n") + "\n      }");
}

/** Close the array. `wroteFrames` false (no packet written) gives tshark's "[]". */
export function jsonEnd(wroteFrames = true): string {
  return wroteFrames ? "\n]\n" : "]\n";
}
