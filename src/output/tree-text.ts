/**
 * `-V` / `-O proto,…` packet details, as tshark prints them (proto_tree_print in
 * epan/print.c):
 *  - one line per visible item, 4 spaces of indentation per level; hidden items (and
 *    everything under them) are not shown;
 *  - generated items in [brackets] (itemLabel in src/core/format.ts);
 *  - labels longer than Wireshark's 239-byte label buffer are cut the way Wireshark
 *    cuts them: " [truncated]" is inserted after the field name ("Name [truncated]:
 *    value…"), or at the start of free-text labels;
 *  - expert notes hang under their item, among its children where they were attached
 *    (Expert.at), as Wireshark's expert subtree:
 *        [Expert Info (Warning/Checksum): Bad checksum [should be 0x54cf]]
 *            [Bad checksum [should be 0x54cf]]
 *            [Severity level: Warning]
 *            [Group: Checksum]
 *  - the "data" protocol's bytes are dumped in hex after its line (blank line first)
 *    unless the whole packet is dumped anyway (`hex: true`, i.e. -x), as tshark does;
 *  - `only` (-O): top-level items of other protocols are printed as their one line.
 *
 * The result ends with "\n" after the last line and has no blank line after it
 * (tshark prints one after each packet: the caller adds it).
 */
import type { Dissection } from "../core/dissect.js";
import type { Expert } from "../core/expert.js";
import { itemLabel } from "../core/format.js";
import type { Item } from "../core/tree.js";
import type { Style } from "./color.js";
import { hexLines } from "./hex.js";
import { cutUtf8, fitText, LABEL_MAX, markTruncated, utf8Length } from "../core/label.js";

export { GROUP_NAMES, SEVERITY_NAMES } from "../core/expert.js";
import { GROUP_NAMES, SEVERITY_NAMES } from "../core/expert.js";

/** A label (no brackets) cut as Wireshark's 240-byte buffer would cut it. */
function fitLabel(it: Item, base: string, suffix: string | null): string {
  // fast path: 79 UTF-16 units are at most 237 UTF-8 bytes
  const total = suffix === null ? base.length : base.length + suffix.length;
  if (total < 80) return suffix === null ? base : base + suffix;
  if (utf8Length(base) > LABEL_MAX) {
    let namePos = 0;
    const f = it.field;
    if (it.text === null && f !== null && f.type !== "protocol" && f.type !== "none") {
      const k = base.indexOf(f.name + ": ");
      if (k >= 0) namePos = k + f.name.length;
    }
    base = markTruncated(base, namePos);
  }
  if (suffix === null) return base;
  const s = base + suffix;
  return utf8Length(s) > LABEL_MAX ? cutUtf8(s, LABEL_MAX) : s;
}

/**
 * The item's text as Wireshark stores it (fi->rep): no [brackets] for generated
 * items, cut at Wireshark's label length. Used by -V and as -T json keys of text items.
 */
export function labelOf(it: Item): string {
  let l = itemLabel(it);
  if (it.generated && l.length >= 2) l = l.slice(1, -1);
  const suf = it.suffix;
  if (suf === null || suf.length === 0) return fitLabel(it, l, null);
  return fitLabel(it, l.slice(0, l.length - suf.length), suf);
}

const INDENT: string[] = [];
for (let i = 0, s = ""; i <= 40; i++, s += "    ") INDENT.push(s);
/** print.c's MAX_INDENT: tshark indents at most 160 spaces (40 levels), deeper items stay there. */
function indent(level: number): string {
  return level < INDENT.length ? INDENT[level] : INDENT[40];
}

export interface TreeTextOptions {
  /** -O: expand only these protocols (filter names); others are shown as their one line. */
  only?: string[];
  style: Style;
  /** The whole packet is dumped in hex too (-x): don't dump the "data" protocol's bytes. */
  hex?: boolean;
}

interface Ctx {
  /** Where lines go: short strings, written as they are made (no giant string to flatten). */
  write: (s: string) => void;
  style: Style;
  color: boolean;
  hexForData: boolean;
}


function expertLines(c: Ctx, e: Expert, level: number): void {
  const sev = SEVERITY_NAMES[e.severity] ?? e.severity;
  const grp = GROUP_NAMES[e.group] ?? e.group;
  const head = "[" + fitText("Expert Info (" + sev + "/" + grp + "): " + e.message) + "]";
  const i1 = indent(level);
  const i2 = indent(level + 1);
  if (c.color) {
    const paint = e.severity === "error" ? c.style.error : e.severity === "warn" ? c.style.warn : c.style.dim;
    c.write(i1 + paint(head) + "\n");
    c.write(i2 + c.style.dim("[" + e.message + "]") + "\n");
    c.write(i2 + c.style.dim("[Severity level: " + sev + "]") + "\n");
    c.write(i2 + c.style.dim("[Group: " + grp + "]") + "\n");
    return;
  }
  c.write(i1 + head + "\n" + i2 + "[" + e.message + "]\n" + i2 + "[Severity level: " + sev + "]\n" + i2 + "[Group: " + grp + "]\n");
}

function paintLabel(c: Ctx, it: Item, label: string, level: number): string {
  const f = it.field;
  if (it.experts !== null) {
    let worst = 0;
    for (const e of it.experts) worst = Math.max(worst, e.severity === "error" ? 2 : e.severity === "warn" ? 1 : 0);
    if (worst === 2) return c.style.error(label);
    if (worst === 1) return c.style.warn(label);
  }
  if (level === 0 && f !== null) return c.style.proto(f.abbrev, label);
  if (it.generated) return c.style.dim(label);
  if (f !== null && it.text === null && f.type !== "protocol" && f.type !== "none") {
    const k = label.indexOf(f.name);
    if (k >= 0) {
      const e = k + f.name.length;
      return label.slice(0, k) + c.style.field(f.name) + c.style.value(label.slice(e));
    }
  }
  return label;
}

function printItem(c: Ctx, it: Item, level: number, only: Set<string> | null): void {
  // itemLabel already brackets generated items; labels under 80 UTF-16 units cannot
  // exceed Wireshark's 239-byte buffer, so only long ones go through labelOf
  let label = itemLabel(it);
  if (label.length >= 80) {
    label = labelOf(it);
    if (it.generated) label = "[" + label + "]";
  }
  c.write(indent(level) + (c.color ? paintLabel(c, it, label, level) : label) + "\n");
  const f = it.field;
  if (only !== null && level === 0 && (f === null || !only.has(f.abbrev))) return;
  // uninterpreted data: dumped in hex right after its line (unless -x dumps the packet)
  if (c.hexForData && f !== null && f.abbrev === "data" && f.type === "protocol" && it.ds !== null) {
    const data = it.ds.data;
    if (it.start >= 0 && it.start + it.len <= data.length) {
      c.write("\n" + hexLines(data.subarray(it.start, it.start + it.len)));
    }
  }
  const ch = it.children;
  const ex = it.experts;
  if (ex === null) {
    if (ch !== null) {
      for (let i = 0; i < ch.length; i++) {
        const x = ch[i];
        if (!x.hidden) printItem(c, x, level + 1, null);
      }
    }
    return;
  }
  // expert notes sit where they were attached among the children (Expert.at)
  let k = 0;
  const n = ch === null ? 0 : ch.length;
  for (let i = 0; i < n; i++) {
    while (k < ex.length && (ex[k].at ?? 0) <= i) expertLines(c, ex[k++], level + 1);
    const x = (ch as Item[])[i];
    if (!x.hidden) printItem(c, x, level + 1, null);
  }
  while (k < ex.length) expertLines(c, ex[k++], level + 1);
}

/** The -V (or -O) text of one packet; "" when the tree was not kept. */
export function treeText(d: Dissection, opts: TreeTextOptions): string {
  const parts: string[] = [];
  treeTextTo(d, opts, (s) => parts.push(s));
  return parts.join("");
}

/** The same text, handed to `write` piece by piece (the CLI writes it straight into its output buffer). */
export function treeTextTo(d: Dissection, opts: TreeTextOptions, write: (s: string) => void): void {
  const only = opts.only !== undefined && opts.only.length > 0 ? new Set(opts.only) : null;
  const c: Ctx = { write, style: opts.style, color: opts.style.enabled, hexForData: opts.hex !== true };
  const ch = d.tree.root.children;
  if (ch === null) return;
  for (let i = 0; i < ch.length; i++) if (!ch[i].hidden) printItem(c, ch[i], 0, only);
}
