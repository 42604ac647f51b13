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
 * Hot path: the line is written piece by piece into a LineWriter (bytes, for stdout),
 * never built as one string (see line-writer.ts).
 */
import type { Dissection } from "../core/dissect.js";
import type { Time } from "../core/field.js";
import { timeDelta } from "../core/time.js";
import type { Style } from "./color.js";
import { digitCount, type LineWriter, StringLineWriter, writeZeroPadded } from "./line-writer.js";

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
  const w = new StringLineWriter();
  writeSeconds(w, s, ns, digits, 0);
  return w.s;
}

/** The Time column's seconds and nanoseconds: since the first frame of the session (as frame.time_relative). */
function relativeParts(d: Dissection): Time {
  const fr = d.frame;
  const first = d.pinfo.session.firstTs;
  return first === null ? { s: 0, ns: 0 } : timeDelta(fr.tsSec, fr.tsNsec, first.s, first.ns);
}

/** timeDigits, remembered for the last resolution asked (one per file, nearly always). */
let lastResol: number | undefined = -1;
let lastDigits = 6;
function digitsFor(tsresol: number | undefined): number {
  if (tsresol !== lastResol) {
    lastDigits = timeDigits(tsresol);
    lastResol = tsresol;
  }
  return lastDigits;
}

/**
 * formatSeconds, written right-aligned in `width` columns. As Wireshark's
 * display_signed_time: the seconds' own sign, or "-" for a negative fraction; a corrupt
 * record's fraction can have more digits than the precision, and all are shown (%06d).
 */
function writeSeconds(w: LineWriter, s: number, ns: number, digits: number, width: number): void {
  const neg = s < 0 || ns < 0;
  s = Math.abs(s);
  ns = Math.abs(ns);
  const frac = digits > 0 ? Math.floor(ns / POW10[9 - digits]) : 0;
  const fracLen = digits > 0 ? 1 + Math.max(digits, digitCount(frac)) : 0;
  w.spaces(width - ((neg ? 1 : 0) + digitCount(s) + fracLen));
  if (neg) w.text("-");
  w.uint(s);
  if (digits > 0) {
    w.text(".");
    writeZeroPadded(w, frac, digits);
  }
}

/** tshark's -t: how the Time column shows a frame's time (r: since the first frame, the default). */
export type TimeFormat = "r" | "a" | "ad" | "adoy" | "d" | "dd" | "e" | "u" | "ud" | "udoy";
export const TIME_FORMATS: readonly TimeFormat[] = ["a", "ad", "adoy", "d", "dd", "e", "r", "u", "ud", "udoy"];

/** The Time column's display: -t's format, and -u's unit for the seconds-type formats (hms: "2m 28.995016s"). */
export interface TimeDisplay {
  format: TimeFormat;
  hms: boolean;
}
export const DEFAULT_TIME: TimeDisplay = { format: "r", hms: false };

/**
 * The Time column into `w`, right-aligned in `width`, as tshark's -t formats it: seconds
 * since the first frame (r), since the previous captured (d) or displayed (dd) frame, since
 * the epoch (e); or the time of day, local (a) or UTC (u), alone or after the date (ad, ud)
 * or the year and day of the year (adoy, udoy). Decimals as the file's precision.
 */
function writeTime(w: LineWriter, d: Dissection, time: TimeDisplay, width: number): void {
  const fr = d.frame;
  const digits = digitsFor(fr.iface?.tsresol ?? fr.tsresol);
  const fmt = time.format;
  switch (fmt) {
    case "r": case "d": case "dd": {
      let t: Time;
      if (fmt === "r") t = relativeParts(d);
      else {
        const p = fmt === "d" ? d.pinfo.prevTs : d.pinfo.prevDisplayedTs;
        t = p === null ? { s: 0, ns: 0 } : timeDelta(fr.tsSec, fr.tsNsec, p.s, p.ns);
      }
      if (!time.hms) writeSeconds(w, t.s, t.ns, digits, width);
      else {
        const text = hoursMinutesSeconds(t.s, t.ns, digits);
        w.spaces(width - text.length);
        w.text(text);
      }
      return;
    }
    case "e":
      writeSeconds(w, fr.tsSec, fr.tsNsec, digits, width);
      return;
    default: {
      const text = timeOfDay(fr.tsSec, fr.tsNsec, digits, fmt);
      w.spaces(width - text.length);
      w.text(text);
    }
  }
}

const pad = (n: number, k: number): string => String(n).padStart(k, "0");

/**
 * -u hms, as Wireshark's set_time_hour_min_sec: "3.415261s", "2m 28.995016s",
 * "2h 52m 10.503893s" (minutes and seconds space-padded to two places after a larger
 * unit), "- " before a negative time.
 */
function hoursMinutesSeconds(s: number, ns: number, digits: number): string {
  const neg = s < 0 || ns < 0;
  s = Math.abs(s);
  ns = Math.abs(ns);
  const frac = digits > 0 ? "." + pad(Math.floor(ns / POW10[9 - digits]), digits) : "";
  const two = (n: number) => String(n).padStart(2, " ");
  const sign = neg ? "- " : "";
  if (s >= 3600) return `${sign}${Math.floor(s / 3600)}h ${two(Math.floor(s / 60) % 60)}m ${two(s % 60)}${frac}s`;
  if (s >= 60) return `${sign}${Math.floor(s / 60)}m ${two(s % 60)}${frac}s`;
  return `${sign}${s}${frac}s`;
}

/** "10:24:02.037450", "2026-11-25 10:24:02.037450", "2026/329 10:24:02.037450" (local or UTC by `fmt`). */
function timeOfDay(sec: number, ns: number, digits: number, fmt: TimeFormat): string {
  const utc = fmt[0] === "u";
  const t = new Date(sec * 1000);
  const Y = utc ? t.getUTCFullYear() : t.getFullYear();
  const M = utc ? t.getUTCMonth() : t.getMonth();
  const D = utc ? t.getUTCDate() : t.getDate();
  let s = `${pad(utc ? t.getUTCHours() : t.getHours(), 2)}:${pad(utc ? t.getUTCMinutes() : t.getMinutes(), 2)}:${pad(utc ? t.getUTCSeconds() : t.getSeconds(), 2)}`;
  if (digits > 0) s += "." + pad(Math.floor(ns / POW10[9 - digits]), digits);
  if (fmt.endsWith("doy")) {
    const doy = Math.round((Date.UTC(Y, M, D) - Date.UTC(Y, 0, 1)) / 86400000) + 1;
    return `${Y}/${pad(doy, 3)} ${s}`;
  }
  if (fmt.endsWith("d")) return `${Y}-${pad(M + 1, 2)}-${pad(D, 2)} ${s}`;
  return s;
}

/** One summary line (with its newline) into `w`; `time`: the Time column's display (-t, -u). */
export function writeSummaryLine(d: Dissection, style: Style, w: LineWriter, time: TimeDisplay = DEFAULT_TIME, tabs = false): void {
  // -T tabs: the same padded columns, a tab between each (the arrow a column of its own)
  const sep = tabs ? "\t" : " ";
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
  const fr = d.frame;
  w.reserve(3 * (src.length + dst.length + proto.length + info.length) + 80);
  const num = fr.num;
  w.spaces(5 - digitCount(num));
  w.uint(num);
  w.text(sep);
  writeTime(w, d, time, 10);
  w.text(sep);
  w.spaces(12 - src.length);
  w.text(src);
  w.text(tabs ? "\t\u2192\t" : " \u2192 ");
  w.text(dst);
  w.spaces(12 - dst.length);
  w.text(sep);
  w.text(proto);
  w.text(sep);
  w.uint(fr.len);
  w.text(sep);
  w.text(info);
  w.text("\n");
}

/**
 * The text of the summary column with this title (tshark's default column titles, as
 * `-e _ws.col.<title>` names them), or null for a title that is not one of them.
 */
export function columnText(d: Dissection, title: string, time: TimeDisplay = DEFAULT_TIME): string | null {
  const cols = d.pinfo.cols;
  switch (title) {
    case "No.": return String(d.frame.num);
    case "Time": {
      const w = new StringLineWriter();
      writeTime(w, d, time, 0);
      return w.s;
    }
    case "Source": return cols === null ? "" : cols.src;
    case "Destination": return cols === null ? "" : cols.dst;
    case "Protocol": return cols === null ? "" : cols.protocol;
    case "Length": return String(d.frame.len);
    case "Info": return cols === null ? "" : cols.info;
    default: return null;
  }
}

/** One summary line (without the newline). */
export function summaryLine(d: Dissection, style: Style): string {
  const w = new StringLineWriter();
  writeSummaryLine(d, style, w);
  return w.s.slice(0, -1);
}
