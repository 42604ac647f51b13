/**
 * -T ek: newline-delimited JSON for Elasticsearch's bulk API, as tshark 4.0 writes it
 * (write_ek_proto_tree / proto_tree_write_node_ek in epan/print.c). Two lines a packet:
 *
 *   {"index":{"_index":"packets-2026-11-25","_type":"doc"}}
 *   {"timestamp":"1795602242037","layers":{"frame":{"frame_frame_number":"1",…},"eth":{…},…}}
 *
 * Rules (tshark's):
 *  - each protocol is an object; everything under it that is not a protocol is flattened
 *    into that object, depth first;
 *  - member names are "<registering protocol>_<field>" (a protocol's own name alone; also for
 *    tshark's protocols "in name only", tcp.options.mss), dots made underscores;
 *  - items are grouped by their tree parent and name: a group of several becomes an array at
 *    its first member's place, and the children of a group's members are flattened together
 *    (so two NOP options give "tcp_options_nop":["01","01"], "tcp_tcp_option_kind":["1","1"]);
 *    the same name under different parents is written again (duplicate keys);
 *  - values are -T json's texts, but booleans are true/false, FT_NONE fields null, absolute
 *    times ISO 8601 in UTC, text items their label under the name "text";
 *  - expert notes are "_ws_expert" objects, as -T json's _ws.expert nodes;
 *  - with -x, "<name>_raw" before a member: its bytes in hex (a bit field: its value in hex),
 *    for items that have bytes.
 */
import type { Dissection } from "../core/dissect.js";
import type { Expert } from "../core/expert.js";
import { GROUP_VALUES, SEVERITY_VALUES } from "../core/expert.js";
import { fieldByAbbrev, type Field, type Time } from "../core/field.js";
import { parentProtocol } from "../core/proto.js";
import type { Item } from "../core/tree.js";
import { jsonFieldText } from "./fields.js";
import { indexName, jsonString, jsonValueText, lastOccurrences } from "./json.js";
import { labelOf } from "./tree-text.js";
import { eachChild, isOwnHidden, isProtocol, valueHex } from "./tree-walk.js";

/** One node as EK sees it. */
interface EkNode {
  /** The filter name ("text" for a text item): what siblings are grouped by. */
  abbrev: string;
  /** The member name before dots become underscores. */
  name: string;
  /** A protocol: written as an object of its (flattened) children. */
  object: boolean;
  /** The JSON literal of a field's value (unused for objects). */
  literal: string;
  children: EkNode[];
  /** -x: the JSON literal of its bytes in hex (a bit field: its value in hex); null when it has no bytes or is a text item. */
  raw: string | null;
}

/** A field's member name: its registering protocol, then its own name; a protocol alone. */
function memberName(f: Field): string {
  return isProtocol(f) || f.nameOnlyProtocol === true ? f.abbrev : `${parentProtocol(f)}_${f.abbrev}`;
}

const p2 = (n: number): string => (n < 10 ? "0" : "") + n;

/** "2026-11-25T10:24:02.037418000Z": tshark's EK time (UTC). */
function isoTime(t: Time): string {
  const d = new Date(t.s * 1000);
  if (Number.isNaN(d.getTime())) return "Not representable";
  return `${d.getUTCFullYear()}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())}T${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}.${String(t.ns).padStart(9, "0")}Z`;
}

function literalOf(it: Item, f: Field): string {
  if (f.type === "none") return "null";
  if (f.type === "bool") return it.value ? "true" : "false";
  // (a time shown as seconds since the epoch, frame.time_epoch, stays as -T json writes it)
  if (f.type === "abs_time" && f.base !== "epoch" && it.value !== null && typeof it.value === "object" && "s" in it.value) return jsonString(isoTime(it.value as Time));
  return jsonString(jsonValueText(it) ?? "");
}

function leaf(abbrev: string, name: string, literal: string): EkNode {
  return { abbrev, name, object: false, literal, children: [], raw: null };
}

/** The _ws.expert object of a note (its own field, message, severity, group). */
function expertNode(e: Expert): EkNode {
  const abbrev = e.abbrev ?? (e.protocol !== "" ? e.protocol + ".expert" : "_ws.expert.info");
  const f = fieldByAbbrev(abbrev);
  return {
    abbrev: "_ws.expert",
    name: "_ws.expert",
    object: true,
    literal: "",
    children: [
      leaf(abbrev, f !== undefined ? memberName(f) : `${e.protocol}_${abbrev}`, "null"),
      leaf("_ws.expert.message", "_ws.expert__ws.expert.message", jsonString(e.message)),
      leaf("_ws.expert.severity", "_ws.expert__ws.expert.severity", jsonString(String(SEVERITY_VALUES[e.severity]))),
      leaf("_ws.expert.group", "_ws.expert__ws.expert.group", jsonString(String(GROUP_VALUES[e.group]))),
    ],
    raw: null,
  };
}

/** expert.c's hidden _ws.malformed protocol item after a malformed note. */
const MALFORMED: EkNode = { abbrev: "_ws.malformed", name: "_ws.malformed", object: true, literal: "", children: [], raw: null };

function toNode(it: Item, parent: Item | null, hex: boolean): EkNode {
  const f = it.field;
  const children: EkNode[] = [];
  eachChild(it, (c) => children.push(toNode(c, it, hex)), (e) => {
    children.push(expertNode(e));
    if (e.group === "malformed") children.push(MALFORMED);
  });
  if (f === null) return { abbrev: "text", name: "text", object: false, literal: jsonString(labelOf(it)), children, raw: null };
  const object = isProtocol(f);
  const raw = !hex || it.len <= 0 ? null : jsonString(valueHex(it, f, parent));
  return { abbrev: f.abbrev, name: memberName(f), object, literal: object ? "" : literalOf(it, f), children, raw };
}

/** The members of an object whose children are `kids` (of `parent`; null: the layers object). */
function members(parent: EkNode | null, kids: EkNode[], hex: boolean): string {
  const groups = new Map<string, EkNode[]>();
  const fill = (p: EkNode | null, list: EkNode[]): void => {
    for (const c of list) {
      const key = p === null ? c.abbrev : `${p.abbrev}_${c.abbrev}`;
      const g = groups.get(key);
      if (g === undefined) groups.set(key, [c]);
      else g.push(c);
      if (!c.object && c.children.length > 0) fill(c, c.children);
    }
  };
  fill(parent, kids);
  const parts: string[] = [];
  for (const g of groups.values()) {
    const name = g[0].name.replace(/\./g, "_");
    // -x: "<name>_raw" first, when the group's first item has bytes (tshark's ek_write_attr)
    if (hex && g[0].raw !== null) {
      const raws = g.map((c) => c.raw ?? '""');
      parts.push(jsonString(name + "_raw") + ":" + (raws.length > 1 ? "[" + raws.join(",") + "]" : raws[0]));
    }
    const vals = g.map((c) => (c.object ? "{" + members(c, c.children, hex) + "}" : c.literal));
    parts.push(jsonString(name) + ":" + (vals.length > 1 ? "[" + vals.join(",") + "]" : vals[0]));
  }
  return parts.join(",");
}

/** The bulk API's index line of a packet. */
function indexLine(d: Dissection): string {
  return `{"index":{"_index":${jsonString(indexName(d))},"_type":"doc"}}\n`;
}

/** The document's timestamp: seconds and milliseconds run together ("1795602242037"). */
function timestamp(d: Dissection): string {
  return `${d.frame.tsSec}${String(Math.floor(d.frame.tsNsec / 1e6)).padStart(3, "0")}`;
}

/**
 * A packet under `-T ek -e F…` (tshark's): only those fields, in -e order (a repeated one at its
 * last place), each an array of its occurrences' texts as -T fields writes them, named with
 * dots made underscores.
 */
export function ekFieldsFrame(d: Dissection, fields: readonly Field[]): string {
  const parts: string[] = [];
  for (const f of lastOccurrences(fields)) {
    const vals = d.tree.get(f);
    if (vals.length > 0) parts.push(`${jsonString(f.abbrev.replace(/\./g, "_"))}:[${vals.map((v) => jsonString(jsonFieldText(f, v))).join(",")}]`);
  }
  return indexLine(d) + `{"timestamp":"${timestamp(d)}","layers":{${parts.join(",")}}}\n`;
}

/** One packet's two lines; `hex` (-x): each item's bytes too, as "<name>_raw". */
export function ekFrame(d: Dissection, hex = false): string {
  const roots: EkNode[] = [];
  const ch = d.tree.root.children;
  if (ch !== null) for (const c of ch) if (!isOwnHidden(c)) roots.push(toNode(c, null, hex));
  return indexLine(d) + `{"timestamp":"${timestamp(d)}","layers":{${members(null, roots, hex)}}}\n`;
}
