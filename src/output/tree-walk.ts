/**
 * What the tree-shaped printers (-T json, -T ek, -T pdml) share: the order in which an item's
 * children and expert notes are written, and which items Wireshark counts as protocols.
 */
import type { Expert } from "../core/expert.js";
import type { Field } from "../core/field.js";
import type { Item } from "../core/tree.js";

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
