/**
 * Tree labels as Wireshark writes them. Its label buffer: an item's text holds at most 239
 * bytes of UTF-8, and a longer one is cut and marked " [truncated]" (label_mark_truncated),
 * shared by the -V printer and by the expert fields (_ws.expert is the note's label). And
 * format_text: control characters escaped, text from packet bytes read as UTF-8
 * (labelText, labelBytes), used by the dissectors that label raw text.
 */
/** Wireshark's ITEM_LABEL_LENGTH: labels hold at most 239 bytes (+ NUL). */
export const LABEL_MAX = 239;
const TRUNC = " [truncated]";

export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** The longest prefix of s that fits in `max` UTF-8 bytes (cut at a character boundary). */
export function cutUtf8(s: string, max: number): string {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const pair = c >= 0xd800 && c < 0xdc00 && i + 1 < s.length;
    const w = c < 0x80 ? 1 : c < 0x800 ? 2 : pair ? 4 : 3;
    if (n + w > max) return s.slice(0, i);
    n += w;
    if (pair) i++;
  }
  return s;
}

/**
 * Wireshark's label_mark_truncated: insert " [truncated]" at namePos, then end the
 * label before the character holding byte 238 (so at most 238 bytes, as tshark shows).
 */
export function markTruncated(label: string, namePos: number): string {
  return cutUtf8(label.slice(0, namePos) + TRUNC + label.slice(namePos), LABEL_MAX - 1);
}

/** Plain text of a message item (expert subtree lines), cut like any label. */
export function fitText(s: string): string {
  if (s.length < 80 || utf8Length(s) <= LABEL_MAX) return s;
  return markTruncated(s, 0);
}

const C_ESC: Record<number, string> = { 7: "\\a", 8: "\\b", 12: "\\f", 10: "\\n", 13: "\\r", 9: "\\t", 11: "\\v" };
const cEscape = (c: number): string => C_ESC[c] ?? "\\" + c.toString(8).padStart(3, "0");

/** What GLib's g_unichar_isprint turns down above ASCII (controls, format characters, unassigned, surrogates). */
const UNPRINTABLE = /^[\p{Cc}\p{Cf}\p{Cn}\p{Cs}]$/u;
const uEscape = (cp: number): string =>
  cp > 0xffff ? "\\U" + cp.toString(16).toUpperCase().padStart(8, "0") : "\\u" + cp.toString(16).toUpperCase().padStart(4, "0");

/**
 * A label from packet bytes d[a, b), as tshark's format_text writes one: printable ASCII as
 * it is, control characters as C escapes, UTF-8 read its permissive way — a lead byte
 * (the old 5- and 6-byte forms too) takes the continuation bytes that follow, overlong forms
 * decode to their character, and a sequence cut short by a byte that is no continuation
 * (read again on its own), a stray continuation byte, 0xfe, 0xff, a surrogate or a value
 * past U+10FFFF each become one U+FFFD; a character that is not printable is written
 * \uXXXX (\UXXXXXXXX above the BMP): a byte-order mark, a zero-width space, an overlong NUL.
 */
export function labelBytes(d: Uint8Array, a: number, b: number): string {
  let out = "";
  let i = a;
  while (i < b) {
    const c = d[i++];
    if (c < 0x80) {
      out += c >= 0x20 && c !== 0x7f ? String.fromCharCode(c) : cEscape(c);
      continue;
    }
    const more = (c & 0xe0) === 0xc0 ? 1 : (c & 0xf0) === 0xe0 ? 2 : (c & 0xf8) === 0xf0 ? 3 : (c & 0xfc) === 0xf8 ? 4 : (c & 0xfe) === 0xfc ? 5 : 0;
    let cp = 0xfffd;
    if (more > 0) {
      cp = c & (0x3f >> more);
      for (let k = 0; k < more; k++) {
        if (i >= b || (d[i] & 0xc0) !== 0x80) {
          cp = 0xfffd;
          break;
        }
        cp = cp * 64 + (d[i++] & 0x3f);
      }
      if (cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000)) cp = 0xfffd;
    }
    const ch = String.fromCodePoint(cp);
    out += UNPRINTABLE.test(ch) ? uEscape(cp) : ch;
  }
  return out;
}

/** format_text() for tree labels: C escapes / \ooo for control characters, the rest as is. */
export function labelText(s: string): string {
  let plain = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) { plain = false; break; }
  }
  if (plain) return s;
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) out += cEscape(c);
    else out += s[i];
  }
  return out;
}
