/**
 * DNS text and name helpers: Wireshark's format_text() over label bytes, ASCII/UTF-8
 * strings, time and %g formatting, base64, and name expansion (expand_dns_name /
 * get_dns_name with Wireshark 4.0's exact loop and length rules).
 */
import { BoundsError, type Tvb } from "../src/core/tvb.js";
export { timeSecsToStr } from "../src/core/time.js";

const ESC: Record<number, string> = { 7: "\\a", 8: "\\b", 12: "\\f", 10: "\\n", 13: "\\r", 9: "\\t", 11: "\\v" };

/**
 * Wireshark's format_text() over a "byte string" (one char per byte, 0..255):
 * printable ASCII as is, C escapes / \ooo for other ASCII, valid UTF-8 kept,
 * invalid bytes as U+FFFD.
 */
export function formatBytesText(raw: string, len = raw.length): string {
  let plain = true;
  for (let i = 0; i < len; i++) {
    const c = raw.charCodeAt(i);
    if (c < 0x20 || c >= 0x7f) { plain = false; break; }
  }
  if (plain) return len === raw.length ? raw : raw.slice(0, len);
  let out = "";
  for (let i = 0; i < len; ) {
    const c = raw.charCodeAt(i);
    if (c >= 0x20 && c < 0x7f) { out += raw[i]; i++; continue; }
    if (c < 0x80) {
      out += ESC[c] ?? "\\" + c.toString(8).padStart(3, "0");
      i++;
      continue;
    }
    // UTF-8 sequence?
    let n = 0, cp = 0;
    if (c >= 0xc2 && c <= 0xdf) { n = 1; cp = c & 0x1f; }
    else if (c >= 0xe0 && c <= 0xef) { n = 2; cp = c & 0x0f; }
    else if (c >= 0xf0 && c <= 0xf4) { n = 3; cp = c & 0x07; }
    let ok = n > 0 && i + n < len + 0 + 1 && i + n <= len - 0;
    if (ok) {
      for (let k = 1; k <= n; k++) {
        const d = raw.charCodeAt(i + k);
        if ((d & 0xc0) !== 0x80) { ok = false; break; }
        cp = (cp << 6) | (d & 0x3f);
      }
    }
    if (ok && ((n === 2 && cp < 0x800) || (n === 3 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))) ok = false;
    if (ok && cp >= 0xa0) {
      out += String.fromCodePoint(cp);
      i += n + 1;
    } else {
      out += "\ufffd";
      i++;
    }
  }
  return out;
}

/** tvb_get_string_enc(ENC_ASCII) as a C string (src/core/strings.ts), for the DNS decoders. */
export { asciiString } from "../src/core/strings.js";

const UTF8 = new TextDecoder("utf-8", { fatal: false });
/** tvb_get_string_enc(ENC_UTF_8): invalid sequences become U+FFFD; ends at a NUL. */
export function utf8String(tvb: Tvb, o: number, n: number): string {
  const b = tvb.bytes(o, n);
  const z = b.indexOf(0);
  return UTF8.decode(z < 0 ? b : b.subarray(0, z));
}

/** C's %g (6 significant digits). */
export function fmtG(x: number): string {
  if (x === 0) return "0";
  if (!isFinite(x)) return String(x);
  const exp = Math.floor(Math.log10(Math.abs(x)));
  if (exp < -4 || exp >= 6) {
    let m = x.toExponential(5);
    m = m.replace(/\.?0+e/, "e");
    return m.replace(/e([+-])(\d)$/, "e$10$2");
  }
  let s = x.toFixed(Math.max(0, 5 - exp));
  if (s.includes(".")) s = s.replace(/\.?0+$/, "");
  return s;
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
export function base64(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i += 3) {
    const n = (b[i] << 16) | ((b[i + 1] ?? 0) << 8) | (b[i + 2] ?? 0);
    s += B64[(n >> 18) & 63] + B64[(n >> 12) & 63] + (i + 1 < b.length ? B64[(n >> 6) & 63] : "=") + (i + 2 < b.length ? B64[n & 63] : "=");
  }
  return s;
}

// ──────────────────────────────────────────────────────────────── names

/** Result of reading one (possibly compressed) name. */
export interface DnsName {
  /** The expanded name as a byte string (or a "<…>" marker), first `len` chars valid. */
  raw: string;
  /** Wireshark's name_len (what dns.qry.name.len shows). */
  len: number;
  /** Bytes the name occupies at its position (up to and including the first pointer). */
  used: number;
  /** format_text(raw, len): the displayed name. */
  text: string;
}

const MAX_DNAME_LEN = 255;
const LOOP = "<Name contains a pointer that loops>";
const TOO_LONG = "<Name too long>";
const UNKNOWN_EXT = "<Unknown extended label>";

function special(s: string, used: number): DnsName {
  return { raw: s, len: s.length, used, text: s };
}

/**
 * expand_dns_name + get_dns_name (Wireshark 4.0). Offsets are relative to `tvb`;
 * pointers are relative to `dnsOff` (the start of the DNS message in `tvb`).
 * Terminates on any input: a pointer chain longer than 255 is reported as a loop.
 * Reserved label types (0x80) and bad names throw a (reported) bounds error, as
 * Wireshark does (the layer is then marked "[Malformed Packet]").
 */
export function readName(tvb: Tvb, offset: number, dnsOff: number, maxLen = 0): DnsName {
  const start = offset;
  let np = "";
  let nameLen = 0;
  let len = -1;
  let pointers = 0;
  let maxname = MAX_DNAME_LEN;
  const minLen = 1;
  for (;;) {
    if (maxLen && offset - start > maxLen - 1) break;
    let component = tvb.u8(offset);
    offset++;
    if (component === 0) break;
    switch (component & 0xc0) {
      case 0x00:
        if (np.length !== 0) {
          if (maxname > 0) { np += "."; nameLen++; maxname--; }
        } else maxname--;
        while (component > 0) {
          if (maxLen && offset - start > maxLen - 1) throw new BoundsError(true);
          const ch = tvb.u8(offset);
          if (maxname > 0) { np += String.fromCharCode(ch); nameLen++; maxname--; }
          component--;
          offset++;
        }
        break;
      case 0x40:
        if ((component & 0x3f) === 0x01) {
          // Bitstring label (RFC 2673): printed into the buffer but not counted in name_len.
          const bitCount = tvb.u8(offset);
          offset++;
          // (C's division truncates: a count of 0, meaning 256 bits, gives 1 here as in tshark)
          let labelLen = Math.trunc((bitCount - 1) / 8) + 1;
          const put = (s: string) => {
            if (maxname > 0) {
              if (s.length <= maxname) { np += s; maxname -= s.length; } else maxname = 0;
            }
          };
          put("\\[x");
          while (labelLen-- > 0) {
            put(tvb.u8(offset).toString(16).padStart(2, "0"));
            offset++;
          }
          put(`/${bitCount}]`);
        } else {
          const l = offset - start;
          if (l < minLen) throw new BoundsError(true);
          return finish(special(UNKNOWN_EXT, l));
        }
        break;
      case 0x80:
        throw new BoundsError(true);
      case 0xc0: {
        const indir = dnsOff + (((component & 0x3f) << 8) | tvb.u8(offset));
        offset++;
        pointers++;
        if (len < 0) len = offset - start;
        // (Wireshark's "trivial loop" test compares with offset + 2, which never matches a
        // self-pointer; the pointer count catches every loop.)
        if (indir === offset + 2 || pointers > MAX_DNAME_LEN) {
          if (len < minLen) throw new BoundsError(true);
          return finish(special(LOOP, len));
        }
        offset = indir;
        break;
      }
    }
  }
  let res: DnsName;
  if (maxname > 0) res = { raw: np, len: nameLen, used: 0, text: "" };
  else res = special(TOO_LONG, 0);
  if (len < 0) len = offset - start;
  res.used = len;
  return finish(res);
}

/** get_dns_name's checks on top of expand_dns_name. */
function finish(n: DnsName): DnsName {
  // "**name == '\0'": nothing was written, or the name starts with a NUL byte
  const first = n.raw.length === 0 ? 0 : n.raw.charCodeAt(0);
  if (first === 0 && n.used <= 2) return { raw: "<Root>", len: 6, used: n.used, text: "<Root>" };
  if (n.used < 2 || (n.used > 2 && n.len === 0)) throw new BoundsError(true);
  if (n.text === "") n.text = formatBytesText(n.raw, n.len);
  return n;
}

/** qname_labels_count over the first len chars of the raw name. */
export function labelCount(n: DnsName): number {
  if (n.len <= 1) return 0;
  let labels = 1;
  for (let i = 0; i < n.len && i < n.raw.length; i++) if (n.raw.charCodeAt(i) === 0x2e) labels++;
  return labels;
}
