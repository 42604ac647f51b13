/**
 * `-x`: hex + ASCII dump of a packet's bytes, byte-identical to tshark's
 * (print_hex_data_buffer in epan/print.c):
 *
 *     0000  00 15 17 0d 06 f7 d8 cb 8a ed a1 46 08 00 45 00   ...........F..E.
 *     0040  65 74 00 00 01 00 01                              et.....
 *
 *  - offset in hex, 4 digits (more when the buffer is longer than 64 KiB), 2 spaces;
 *  - 16 bytes per row as "xx " (no extra gap in the middle), the hex part padded to
 *    48 columns, 2 spaces, then one character per byte: 0x20..0x7e as is, else ".";
 *    no trailing spaces after the ASCII part;
 *  - one dump per data source (the frame, then reassembled/decrypted buffers). With
 *    more than one source each dump is preceded by its name and a colon
 *    ("Frame (72 bytes):", "Reassembled TCP (30 bytes):"), no blank line between.
 *    Like tshark, an empty source ends the dump.
 *
 * Highlighting (`--highlight FIELD`, nestcap's own): every byte covered by an
 * occurrence of one of the given fields (any item of that field in the full tree,
 * hidden ones included; item.ds/start/len) is marked.
 *  - colour on: the marked bytes (hex pair, the spaces between adjacent marked bytes,
 *    and the ASCII character) are shown in inverse video;
 *  - colour off: a marker line is printed under every row that has marked bytes, with
 *    "^^" under each marked hex pair (joined by "^" across adjacent marked bytes)
 *    and "^" under each marked ASCII character, e.g. for ip.ttl and ip.proto:
 *
 *        0010  00 39 ea 14 00 00 40 11 7a 74 0a 10 01 0b 0a 10   .9....@.zt......
 *                                ^^^^^                                 ^^
 *
 *    Rows without marks are unchanged, so the dump still lines up with tshark's.
 */
import type { Dissection } from "../core/dissect.js";
import type { Field } from "../core/field.js";
import type { Item } from "../core/tree.js";
import type { DataSource } from "../core/tvb.js";
import { PLAIN, type Style } from "./color.js";

const HEXD = "0123456789abcdef";
/** Printable ASCII as itself, the rest as ".". */
const ASCII: string[] = [];
for (let c = 0; c < 256; c++) ASCII.push(c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : ".");
const HEX2: string[] = [];
for (let c = 0; c < 256; c++) HEX2.push(HEXD[c >> 4] + HEXD[c & 15]);

function offsetDigits(length: number): number {
  const m = (length - 1) >>> 0;
  if ((m & 0xf0000000) !== 0) return 8;
  if ((m & 0x0f000000) !== 0) return 7;
  if ((m & 0x00f00000) !== 0) return 6;
  if ((m & 0x000f0000) !== 0) return 5;
  return 4;
}

function hexOffset(ad: number, digits: number): string {
  let s = (ad >>> 0).toString(16);
  while (s.length < digits) s = "0" + s;
  return s.length > digits ? s.slice(s.length - digits) : s;
}

/**
 * The dump of `data` (offsets from 0), every line ending in "\n".
 * `marks` (same length as data, 1 = highlighted) adds highlighting as described above.
 */
export function hexLines(data: Uint8Array, marks: Uint8Array | null = null, style: Style = PLAIN): string {
  const length = data.length;
  if (length === 0) return "";
  const digits = offsetDigits(length);
  if (marks === null) return plainLines(data, digits);
  let out = "";
  for (let row = 0; row < length; row += 16) {
    const end = Math.min(row + 16, length);
    const n = end - row;
    let rowMarked = false;
    if (marks !== null) {
      for (let i = row; i < end; i++) if (marks[i] === 1) { rowMarked = true; break; }
    }
    const line = hexOffset(row, digits) + "  ";
    if (!rowMarked) {
      let hx = "";
      let asc = "";
      for (let i = row; i < end; i++) {
        const c = data[i];
        hx += HEX2[c] + " ";
        asc += ASCII[c];
      }
      if (n < 16) hx += "                                                ".slice(0, (16 - n) * 3);
      out += line + hx + "  " + asc + "\n";
      continue;
    }
    const m = marks as Uint8Array;
    if (style.enabled) {
      // inverse video over runs of marked bytes
      let hx = "";
      let asc = "";
      let i = row;
      while (i < end) {
        const on = m[i] === 1;
        let j = i;
        let h = "";
        let a = "";
        while (j < end && (m[j] === 1) === on) {
          if (j > i) h += " ";
          h += HEX2[data[j]];
          a += ASCII[data[j]];
          j++;
        }
        hx += (on ? style.highlight(h) : h) + " ";
        asc += on ? style.highlight(a) : a;
        i = j;
      }
      if (n < 16) hx += "                                                ".slice(0, (16 - n) * 3);
      out += line + hx + "  " + asc + "\n";
    } else {
      let hx = "";
      let asc = "";
      let mk = "";
      let mka = "";
      for (let i = row; i < end; i++) {
        const c = data[i];
        hx += HEX2[c] + " ";
        asc += ASCII[c];
        const on = m[i] === 1;
        mk += on ? (i + 1 < end && m[i + 1] === 1 ? "^^^" : "^^ ") : "   ";
        mka += on ? "^" : " ";
      }
      if (n < 16) {
        const pad = "                                                ".slice(0, (16 - n) * 3);
        hx += pad;
        mk += pad;
      }
      out += line + hx + "  " + asc + "\n";
      let marker = SPACES_FOR(line.length) + mk + "  " + mka;
      let e = marker.length;
      while (e > 0 && marker.charCodeAt(e - 1) === 0x20) e--;
      marker = marker.slice(0, e);
      out += marker + "\n";
    }
  }
  return out;
}

/** Bytes of "00".."ff" by value, and the ASCII column's byte by value. */
const HEXB = new Uint8Array(512);
const ASCB = new Uint8Array(256);
for (let c = 0; c < 256; c++) {
  HEXB[2 * c] = HEXD.charCodeAt(c >> 4);
  HEXB[2 * c + 1] = HEXD.charCodeAt(c & 15);
  ASCB[c] = c >= 0x20 && c < 0x7f ? c : 0x2e;
}
let scratch = Buffer.allocUnsafe(1 << 16);

/**
 * The unmarked dump, written as bytes into a scratch buffer and read back as one
 * Latin-1 string: ~6× faster than building each row from small strings, and it runs
 * for every "data" item of every -V packet and every -x packet.
 */
function plainLines(data: Uint8Array, digits: number): string {
  const length = data.length;
  const rows = Math.ceil(length / 16);
  const need = rows * (digits + 2 + 48 + 2 + 16 + 1);
  if (scratch.length < need) scratch = Buffer.allocUnsafe(need);
  const out = scratch;
  let o = 0;
  for (let row = 0; row < length; row += 16) {
    for (let k = digits - 1; k >= 0; k--) out[o++] = HEXB[2 * ((row >>> (4 * k)) & 15) + 1];
    out[o++] = 0x20;
    out[o++] = 0x20;
    const end = row + 16 < length ? row + 16 : length;
    for (let i = row; i < end; i++) {
      const c = data[i];
      out[o] = HEXB[2 * c];
      out[o + 1] = HEXB[2 * c + 1];
      out[o + 2] = 0x20;
      o += 3;
    }
    for (let i = end; i < row + 16; i++) {
      out[o] = 0x20;
      out[o + 1] = 0x20;
      out[o + 2] = 0x20;
      o += 3;
    }
    out[o++] = 0x20;
    out[o++] = 0x20;
    for (let i = row; i < end; i++) out[o++] = ASCB[data[i]];
    out[o++] = 0x0a;
  }
  return out.toString("latin1", 0, o);
}

function SPACES_FOR(n: number): string {
  return "          ".slice(0, n);
}

/** The data sources of a dissection: the frame first, then reassembled/decrypted buffers. */
export function dataSources(d: Dissection): readonly DataSource[] {
  const s = d.pinfo.sources;
  if (s !== undefined && s.length > 0) return s;
  return [{ name: `Frame (${d.frame.data.length} bytes)`, data: d.frame.data }];
}

/** Mark the bytes of every occurrence of `fields` per data source. */
function collectMarks(root: Item, fields: readonly Field[], sources: readonly DataSource[]): (Uint8Array | null)[] {
  const ids = new Set<number>();
  for (const f of fields) ids.add(f.id);
  const marks: (Uint8Array | null)[] = sources.map(() => null);
  const visit = (it: Item): void => {
    const ch = it.children;
    if (ch === null) return;
    for (let k = 0; k < ch.length; k++) {
      const c = ch[k];
      if (c.field !== null && ids.has(c.field.id) && c.ds !== null && c.len > 0) {
        let si = sources.indexOf(c.ds);
        if (si < 0) {
          for (let x = 0; x < sources.length; x++) if (sources[x].data === c.ds.data) { si = x; break; }
        }
        if (si >= 0) {
          const data = sources[si].data;
          let m = marks[si];
          if (m === null) m = marks[si] = new Uint8Array(data.length);
          const e = Math.min(c.start + c.len, data.length);
          for (let i = Math.max(0, c.start); i < e; i++) m[i] = 1;
        }
      }
      visit(c);
    }
  };
  visit(root);
  return marks;
}

/**
 * `-x` output for one packet: every line ends in "\n"; no blank line after (tshark
 * prints one after each packet's dump: the caller adds it).
 */
export function hexDump(d: Dissection, opts: { highlight?: Field[]; style: Style }): string {
  const sources = dataSources(d);
  const hl = opts.highlight;
  const marks = hl !== undefined && hl.length > 0 ? collectMarks(d.tree.root, hl, sources) : null;
  const multiple = sources.length > 1;
  let out = "";
  for (let i = 0; i < sources.length; i++) {
    const src = sources[i];
    if (multiple) out += src.name + ":\n";
    if (src.data.length === 0) break;
    out += hexLines(src.data, marks === null ? null : marks[i], opts.style);
  }
  return out;
}
