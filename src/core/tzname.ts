/**
 * The local time zone's abbreviation at a given time, as strftime's %Z gives it (what
 * tshark prints after absolute times: "CET", "AEDT", "IST", "-03"). Intl only knows
 * CLDR names ("GMT+1", "GMT+5:30"), so the abbreviation is read from the zone's TZif
 * file (RFC 8536), as the C library does: $TZ (":Zone", "Zone" under $TZDIR or
 * /usr/share/zoneinfo, or an absolute path), else /etc/localtime. A $TZ that is a POSIX
 * rule ("CET-1CEST,M3.5.0,M10.5.0/3") is read as one. undefined when none of that
 * works (the caller falls back to Intl).
 */
import { readFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";

interface PosixRule {
  std: string;
  /** Seconds east of UTC. */
  stdOff: number;
  dst: string | null;
  dstOff: number;
}

interface Zone {
  /** Transition times (seconds since the epoch), ascending. */
  times: number[];
  /** Local time type index of each transition. */
  idx: number[];
  types: { off: number; isdst: boolean; abbr: string }[];
  /** The footer rule for times after the last transition (v2+ files). */
  rule: PosixRule | null;
}

/** "CET-1CEST,M3.5.0,M10.5.0/3", "<-03>3", "UTC0": names and offsets (the change dates are not needed, see zoneAbbreviation). */
export function parsePosixTz(s: string): PosixRule | null {
  let i = 0;
  const name = (): string | null => {
    if (s[i] === "<") {
      const e = s.indexOf(">", i);
      if (e < 0) return null;
      const n = s.slice(i + 1, e);
      i = e + 1;
      return n;
    }
    const m = /^[A-Za-z]{3,}/.exec(s.slice(i));
    if (m === null) return null;
    i += m[0].length;
    return m[0];
  };
  const offset = (): number | null => {
    const m = /^([+-]?)(\d{1,3})(?::(\d{1,2}))?(?::(\d{1,2}))?/.exec(s.slice(i));
    if (m === null) return null;
    i += m[0].length;
    const v = Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
    // POSIX offsets count west of UTC
    return m[1] === "-" ? v : 0 - v;
  };
  const std = name();
  if (std === null) return null;
  const stdOff = offset();
  if (stdOff === null) return null;
  if (i >= s.length || s[i] === ",") return { std, stdOff, dst: null, dstOff: stdOff };
  const dst = name();
  if (dst === null) return null;
  const o = i < s.length && s[i] !== "," ? offset() : null;
  return { std, stdOff, dst, dstOff: o ?? stdOff + 3600 };
}

function parseTzif(b: Buffer): Zone | null {
  if (b.length < 44 || b.toString("latin1", 0, 4) !== "TZif") return null;
  const version = b[4];
  const counts = (o: number) => ({
    isut: b.readUInt32BE(o + 20), isstd: b.readUInt32BE(o + 24), leap: b.readUInt32BE(o + 28),
    time: b.readUInt32BE(o + 32), type: b.readUInt32BE(o + 36), char: b.readUInt32BE(o + 40),
  });
  let h = 0;
  let c = counts(0);
  let tsize = 4;
  if (version >= 0x32) {
    // skip the v1 block to the 64-bit one
    const v1 = 44 + c.time * 5 + c.type * 6 + c.char + c.leap * 8 + c.isstd + c.isut;
    if (b.length < v1 + 44 || b.toString("latin1", v1, v1 + 4) !== "TZif") return null;
    h = v1;
    c = counts(h);
    tsize = 8;
  }
  let o = h + 44;
  const end = o + c.time * (tsize + 1) + c.type * 6 + c.char + c.leap * (tsize + 4) + c.isstd + c.isut;
  if (b.length < end || c.type === 0) return null;
  const times: number[] = [];
  for (let k = 0; k < c.time; k++, o += tsize) times.push(tsize === 8 ? Number(b.readBigInt64BE(o)) : b.readInt32BE(o));
  const idx: number[] = [];
  for (let k = 0; k < c.time; k++, o++) idx.push(b[o]);
  const raw: { off: number; isdst: boolean; ai: number }[] = [];
  for (let k = 0; k < c.type; k++, o += 6) raw.push({ off: b.readInt32BE(o), isdst: b[o + 4] === 1, ai: b[o + 5] });
  const chars = b.subarray(o, o + c.char);
  const types = raw.map((t) => {
    let e = chars.indexOf(0, t.ai);
    if (e < 0) e = chars.length;
    return { off: t.off, isdst: t.isdst, abbr: chars.toString("latin1", t.ai, e) };
  });
  let rule: PosixRule | null = null;
  if (tsize === 8 && b[end] === 0x0a) {
    const e = b.indexOf(0x0a, end + 1);
    if (e > end + 1) rule = parsePosixTz(b.toString("latin1", end + 1, e));
  }
  return { times, idx, types, rule };
}

let loaded: Zone | null | undefined;
let loadedFor: string | undefined;

function localZone(): Zone | null {
  let tz = process.env.TZ;
  if (loaded !== undefined && loadedFor === tz) return loaded;
  loadedFor = tz;
  loaded = null;
  try {
    if (tz === undefined) loaded = parseTzif(readFileSync("/etc/localtime"));
    else {
      if (tz.startsWith(":")) tz = tz.slice(1);
      const file = isAbsolute(tz) ? tz : join(process.env.TZDIR ?? "/usr/share/zoneinfo", tz);
      if (tz !== "" && !tz.split("/").includes("..")) loaded = parseTzif(readFileSync(file));
    }
  } catch {
    loaded = null;
  }
  if (loaded === null && tz !== undefined && tz !== "") {
    const r = parsePosixTz(tz);
    if (r !== null) loaded = { times: [], idx: [], types: [], rule: r };
  }
  return loaded;
}

/**
 * The abbreviation in effect at `epochSeconds`. `offsetSeconds` (east of UTC, from
 * Date) picks standard or daylight time where only a rule says which: the rule's
 * change dates give the same answer as the offset the runtime computed.
 */
export function zoneAbbreviation(epochSeconds: number, offsetSeconds: number): string | undefined {
  const z = localZone();
  if (z === null) return undefined;
  const n = z.times.length;
  if (n > 0 && epochSeconds < z.times[n - 1]) {
    if (epochSeconds < z.times[0]) return z.types[0].abbr;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (z.times[mid] <= epochSeconds) lo = mid;
      else hi = mid - 1;
    }
    return z.types[z.idx[lo]]?.abbr;
  }
  const r = z.rule;
  if (r !== null) return r.dst !== null && offsetSeconds === r.dstOff && r.dstOff !== r.stdOff ? r.dst : r.std;
  if (n > 0) return z.types[z.idx[n - 1]]?.abbr;
  return z.types.length > 0 ? z.types[0].abbr : undefined;
}
