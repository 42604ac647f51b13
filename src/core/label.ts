/**
 * Wireshark's label buffer: an item's text holds at most 239 bytes of UTF-8, and a
 * longer one is cut and marked " [truncated]" (label_mark_truncated). Shared by the
 * -V printer and by the expert fields (_ws.expert is the note's label).
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

