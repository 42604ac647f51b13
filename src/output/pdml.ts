/**
 * -T pdml (tshark's Packet Details Markup Language): every item of each packet's tree as
 * XML, as tshark 4.0 writes it (write_pdml_preamble / write_pdml_proto_tree in epan/print.c).
 * The creator is nestcap; the rest reads as tshark's:
 *
 *  - a "geninfo" pseudo-protocol first (number, lengths, arrival time);
 *  - protocols are <proto>, everything else <field>, indented two spaces a level;
 *  - name = the filter name, showname = the item's label (generated items without their
 *    [brackets]), hide="yes" for hidden items, size and pos = its bytes within its data
 *    source; show = the value as text (-T json's), value = its bytes in hex, except for
 *    bit fields: value = the field's value in hex (%X), unmaskedvalue = the bytes;
 *    protocols have neither, FT_NONE fields show="" value="";
 *  - text items are fields with an empty name whose label is in show;
 *  - "data" is <field name="data" value="…"> with no label, size or pos;
 *  - a top-level item that is not a protocol (and "data") is wrapped in
 *    <proto name="fake-field-wrapper">;
 *  - expert notes are <field name="_ws.expert"> items under their item, where they were
 *    attached among its children, holding the note's own field, its message (hidden),
 *    severity and group (Wireshark's numbers);
 *  - pos is where the item's bytes start, but an item starting before its parent is placed at
 *    the parent's start plus its own (tshark's rule, for items of another data source);
 *  - with -e, after geninfo only <field name="F" value="…"/> for each occurrence of those fields.
 */
import type { Dissection } from "../core/dissect.js";
import type { Expert } from "../core/expert.js";
import { GROUP_NAMES, GROUP_VALUES, SEVERITY_NAMES, SEVERITY_VALUES } from "../core/expert.js";
import { absTimeToString } from "../core/format.js";
import { fitText, LABEL_MAX, markTruncated, utf8Length } from "../core/label.js";
import type { Field } from "../core/field.js";
import type { Item } from "../core/tree.js";
import { jsonFieldText } from "./fields.js";
import { jsonValueText, lastOccurrences } from "./json.js";
import { xmlEscape } from "./psml.js";
import { labelOf } from "./tree-text.js";
import { eachChild, hexOf, isOwnHidden, isProtocol, registeredMask, valueHex } from "./tree-walk.js";

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const p2 = (n: number): string => (n < 10 ? "0" + n : "" + n);

/** C's asctime() of a local time, without its newline: "Thu Nov  6 22:35:54 2026". */
export function asctime(d: Date): string {
  const day = d.getDate();
  return `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${day < 10 ? " " + day : day} ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())} ${d.getFullYear()}`;
}

/** The XML declaration, the stylesheet hint and the opening <pdml> element. */
export function pdmlStart(captureFile: string, now = new Date()): string {
  return (
    '<?xml version="1.0" encoding="utf-8"?>\n' +
    '<?xml-stylesheet type="text/xsl" href="pdml2html.xsl"?>\n' +
    "<!-- You can find pdml2html.xsl in /usr/share/wireshark or at https://gitlab.com/wireshark/wireshark/-/raw/master/pdml2html.xsl. -->\n" +
    `<pdml version="0" creator="nestcap" time="${asctime(now)}" capture_file="${xmlEscape(captureFile)}">\n`
  );
}

export function pdmlEnd(): string {
  return "</pdml>\n";
}

const IND: string[] = [];
for (let i = 0, s = ""; i < 64; i++, s += "  ") IND.push(s);
const ind = (n: number): string => (n < IND.length ? IND[n] : "  ".repeat(n));


/** A string field's label "Name: value", cut as Wireshark cuts one ("Name [truncated]: value…"). */
function fieldLabel(name: string, value: string): string {
  const l = `${name}: ${value}`;
  return utf8Length(l) > LABEL_MAX ? markTruncated(l, name.length) : l;
}

function expertXml(e: Expert, pos: number, level: number): string {
  const sev = SEVERITY_NAMES[e.severity];
  const grp = GROUP_NAMES[e.group];
  const abbrev = e.abbrev ?? (e.protocol !== "" ? e.protocol + ".expert" : "_ws.expert.info");
  // (the message is already cut at the label length where the note was made: Item.expert)
  const msg = xmlEscape(e.message);
  const i1 = ind(level + 1);
  const i2 = ind(level + 2);
  return (
    `${i1}<field name="_ws.expert" showname="${xmlEscape(fitText(`Expert Info (${sev}/${grp}): ${e.message}`))}" size="0" pos="${pos}">\n` +
    `${i2}<field name="${xmlEscape(abbrev)}" showname="${msg}" size="0" pos="0" show="" value=""/>\n` +
    `${i2}<field name="_ws.expert.message" showname="${xmlEscape(fieldLabel("Message", e.message))}" hide="yes" size="0" pos="0" show="${xmlEscape(e.message)}"/>\n` +
    `${i2}<field name="_ws.expert.severity" showname="Severity level: ${sev}" size="0" pos="0" show="${SEVERITY_VALUES[e.severity]}"/>\n` +
    `${i2}<field name="_ws.expert.group" showname="Group: ${grp}" size="0" pos="0" show="${GROUP_VALUES[e.group]}"/>\n` +
    `${i1}</field>\n`
  );
}

/** The children of `it` (with its expert notes where they were attached), at `level`. */
function childrenXml(it: Item, level: number, out: string[]): void {
  eachChild(it, (c) => itemXml(c, it, level, out), (e) => {
    out.push(expertXml(e, it.start, level));
    // a malformed note brings a hidden _ws.malformed protocol item (expert.c), as in -T json
    if (e.group === "malformed") out.push(`${ind(level + 1)}<proto name="_ws.malformed" showname="Malformed Packet" hide="yes" size="0" pos="${it.start}"/>\n`);
  });
}

function hasChildren(it: Item): boolean {
  return (it.children !== null && it.children.some((c) => !isOwnHidden(c))) || (it.experts !== null && it.experts.length > 0);
}

function itemXml(it: Item, parent: Item | null, level: number, out: string[]): void {
  const f = it.field;
  const isData = f !== null && f.abbrev === "data" && f.type === "protocol";
  const wrap = level === 0 && (f === null || !isProtocol(f) || isData);
  if (wrap) {
    out.push(ind(level + 1) + '<proto name="fake-field-wrapper">\n');
    level++;
  }
  const kids = hasChildren(it);
  // tshark's pos: an item starting before its parent (in another data source: reassembled or
  // decrypted bytes) is placed at the parent's start plus its own
  const pos = parent !== null && it.start < parent.start ? parent.start + it.start : it.start;
  let s = ind(level + 1);
  if (f === null) {
    // a text item: a field without a name, its label in show
    s += `<field name="" show="${xmlEscape(labelOf(it))}" size="${it.len}" pos="${pos}"`;
    if (it.len > 0) s += ` value="${hexOf(it)}"`;
    s += kids ? ">\n" : "/>\n";
  } else if (isData) {
    s += `<field name="data" value="${hexOf(it)}">\n`;
  } else {
    s += `<${isProtocol(f) ? "proto" : "field"} name="${xmlEscape(f.abbrev)}" showname="${xmlEscape(labelOf(it))}"`;
    if (it.hidden) s += ' hide="yes"';
    s += ` size="${it.len}" pos="${pos}"`;
    if (!isProtocol(f)) {
      if (f.type === "none") s += ' show="" value=""';
      else {
        s += ` show="${xmlEscape(jsonValueText(it) ?? "")}"`;
        if (it.len > 0) {
          s += ` value="${valueHex(it, f, parent)}"`;
          if (registeredMask(f) !== 0) s += ` unmaskedvalue="${hexOf(it)}"`;
        }
      }
    }
    s += kids ? ">\n" : "/>\n";
  }
  out.push(s);
  if (kids) childrenXml(it, level + 1, out);
  // (tshark closes a wrapped item at the wrapper's indentation)
  if (wrap) level--;
  if (kids || isData) out.push(ind(level + 1) + (f !== null && isProtocol(f) && !isData ? "</proto>\n" : "</field>\n"));
  if (wrap) out.push(ind(level + 1) + "</proto>\n");
}

/** <packet> and the geninfo pseudo-protocol tshark writes first (number, lengths, time). */
function packetHead(d: Dissection): string[] {
  const fr = d.frame;
  const frameItem = d.tree.root.children?.[0];
  const size = frameItem !== undefined ? frameItem.len : fr.caplen;
  const ts = absTimeToString({ s: fr.tsSec, ns: fr.tsNsec });
  // (the seconds as tshark's "%d" of an int: past 2038 they wrap negative)
  return [
    "<packet>\n",
    `  <proto name="geninfo" pos="0" showname="General information" size="${size}">\n`,
    `    <field name="num" pos="0" show="${fr.num}" showname="Number" value="${fr.num.toString(16)}" size="${size}"/>\n`,
    `    <field name="len" pos="0" show="${fr.len}" showname="Frame Length" value="${fr.len.toString(16)}" size="${size}"/>\n`,
    `    <field name="caplen" pos="0" show="${fr.caplen}" showname="Captured Length" value="${fr.caplen.toString(16)}" size="${size}"/>\n`,
    `    <field name="timestamp" pos="0" show="${xmlEscape(ts)}" showname="Captured Time" value="${fr.tsSec | 0}.${String(fr.tsNsec).padStart(9, "0")}" size="${size}"/>\n`,
    "  </proto>\n",
  ];
}

/** One packet: <packet>, geninfo, the tree, </packet> and two blank lines (tshark's). */
export function pdmlFrame(d: Dissection): string {
  const out = packetHead(d);
  const roots = d.tree.root.children;
  if (roots !== null) for (const c of roots) if (!isOwnHidden(c)) itemXml(c, null, 0, out);
  out.push("</packet>\n\n\n");
  return out.join("");
}

/**
 * A packet under `-T pdml -e F…` (tshark's): geninfo, then for each -e field in -e order (a
 * repeated one at its last place) each occurrence as <field name="F" value="…"/>, its text as -T fields writes it.
 */
export function pdmlFieldsFrame(d: Dissection, fields: readonly Field[]): string {
  const out = packetHead(d);
  for (const f of lastOccurrences(fields)) {
    for (const v of d.tree.get(f)) out.push(`  <field name="${xmlEscape(f.abbrev)}" value="${xmlEscape(jsonFieldText(f, v))}"/>\n`);
  }
  out.push("</packet>\n\n\n");
  return out.join("");
}
