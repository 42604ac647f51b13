/**
 * Text items read from packet bytes the way proto_tree_add_item reads an FT_STRING with
 * ENC_ASCII (Wireshark 4.0): the value ends at the first NUL, bytes above 0x7f become
 * U+FFFD, and bytes other than NUL after that first NUL get proto.c's "Trailing stray
 * characters" note. (Items made from a C string, proto_tree_add_string, get no such check.)
 */
import type { Item } from "./tree.js";
import type { Tvb } from "./tvb.js";

/** tvb_get_string_enc(ENC_ASCII) over d[a, b): bytes above 0x7f become U+FFFD; `cstr`: a NUL ends it. */
export function asciiText(d: Uint8Array, a: number, b: number, cstr: boolean): string {
  let s = "";
  for (let i = a; i < b; i++) {
    const c = d[i];
    if (c === 0 && cstr) break;
    s += c < 0x80 ? String.fromCharCode(c) : "\ufffd";
  }
  return s;
}

/** The same over n captured bytes of a tvb at o, as a C string (the value of an ASCII string item). */
export function asciiString(tvb: Tvb, o: number, n: number): string {
  const b = tvb.bytes(o, n);
  return asciiText(b, 0, b.length, true);
}

/** Note non-NUL bytes after the first NUL of d[a, b) on `item`. */
export function strayCheck(item: Item, d: Uint8Array, a: number, b: number): void {
  const nul = d.indexOf(0, a);
  if (nul < 0 || nul >= b) return;
  for (let i = nul + 1; i < b; i++) {
    if (d[i] !== 0) {
      item.expert("warn", "undecoded", "Trailing stray characters", "", "_ws.string.trailing_stray_characters");
      return;
    }
  }
}
