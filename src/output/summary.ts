/**
 * One line per packet, as `tshark -r F` prints it with its default columns
 * "No. Time Source Destination Protocol Length Info":
 *
 *     "    1   0.000000   10.16.1.11 → 10.16.1.1    DNS 71 Standard query 0xe03b A suricon.net"
 *
 * tshark's padding rules (print_columns in tshark.c):
 *  - No.: right-aligned, at least 5 wide;
 *  - Time (seconds since the first frame): right-aligned, at least 10 wide, with as
 *    many decimals as the file's timestamp precision (6 for µs pcap/pcapng, 9 for ns),
 *    truncated (not rounded);
 *  - Source: right-aligned, at least 12 wide; Destination: left-aligned, at least 12;
 *  - Protocol, Length, Info: not padded;
 *  - separators: one space, except " → " between Source and Destination. The Info
 *    column is last, so an empty Info leaves a trailing space after Length.
 *
 * Hot path: string concatenation only, no regex, no allocation besides the result.
 */
import type { Dissection } from "../core/dissect.js";
import type { Style } from "./color.js";

const SPACES = "                                        "; // 40

function padLeft(s: string, w: number): string {
  const n = w - s.length;
  if (n <= 0) return s;
  return (n <= SPACES.length ? SPACES.slice(0, n) : SPACES.padEnd(n, " ")) + s;
}

function padRight(s: string, w: number): string {
  const n = w - s.length;
  if (n <= 0) return s;
  return s + (n <= SPACES.length ? SPACES.slice(0, n) : SPACES.padEnd(n, " "));
}

const ZEROS = "000000000";
const POW10 = [1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000];

/**
 * Decimals Wireshark shows for a timestamp resolution (units per second): the file's
 * precision rounded up to s / ds / cs / ms / µs / ns (wtap's WTAP_TSPREC_*).
 */
export function timeDigits(tsresol: number | undefined): number {
  if (tsresol === undefined || !(tsresol > 0)) return 6;
  if (tsresol <= 1) return 0;
  const d = Math.ceil(Math.log10(tsresol) - 1e-9);
  if (d <= 3) return d;
  if (d <= 6) return 6;
  return 9;
}

/** Seconds with `digits` decimals (truncated), "-" when negative: "0.000503", "-1.250000". */
export function formatSeconds(s: number, ns: number, digits: number): string {
  let neg = false;
  if (s < 0 || ns < 0) {
    neg = true;
    s = -s;
    ns = -ns;
  }
  let out = neg ? "-" + s : "" + s;
  if (digits > 0) {
    const frac = "" + Math.floor(ns / POW10[9 - digits]);
    out += "." + ZEROS.slice(0, digits - frac.length) + frac;
  }
  return out;
}

/** The Time column: seconds since the first frame of the session. */
export function relativeTime(d: Dissection): string {
  const fr = d.frame;
  const first = d.pinfo.session.firstTs;
  let s = 0;
  let ns = 0;
  if (first !== null) {
    s = fr.tsSec - first.s;
    ns = fr.tsNsec - first.ns;
    if (s > 0 && ns < 0) {
      s -= 1;
      ns += 1e9;
    } else if (s < 0 && ns > 0) {
      s += 1;
      ns -= 1e9;
    }
  }
  return formatSeconds(s, ns, timeDigits(fr.iface?.tsresol ?? fr.tsresol));
}

/** One summary line (without the newline). */
export function summaryLine(d: Dissection, style: Style): string {
  const cols = d.pinfo.cols;
  const src = cols === null ? "" : cols.src;
  const dst = cols === null ? "" : cols.dst;
  let proto = cols === null ? "" : cols.protocol;
  let info = cols === null ? "" : cols.info;
  if (style.enabled) {
    const layers = d.pinfo.layers;
    if (layers.length > 0) proto = style.proto(layers[layers.length - 1], proto);
    if (d.pinfo.malformed) info = style.error(info);
  }
  return (
    padLeft("" + d.frame.num, 5) +
    " " +
    padLeft(relativeTime(d), 10) +
    " " +
    padLeft(src, 12) +
    " \u2192 " +
    padRight(dst, 12) +
    " " +
    proto +
    " " +
    d.frame.len +
    " " +
    info
  );
}
