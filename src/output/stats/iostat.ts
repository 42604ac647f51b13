/**
 * `-z io,stat,INTERVAL[,FILTER…]`: frames and bytes per interval, one column per filter
 * (an empty filter, or none at all, counts every frame). Intervals are counted from the
 * first frame of the capture in microseconds, as tshark does; INTERVAL 0 = one interval
 * for the whole capture.
 *
 * Counts are kept per interval that has frames (a sparse array), and a capture whose
 * timestamps jump by years (fuzzed files; tshark 4.0 prints a row per second for those, or
 * runs out of memory) lists only its intervals with frames once it would have more than
 * MAX_ROWS rows, and says so.
 */
import type { Dissection } from "../../core/dissect.js";
import type { CompiledFilter } from "../../filter/index.js";
import { Collector, StatsError, statFilter } from "./base.js";
import type { Cell, Report } from "./report.js";

export interface IoColumn {
  filter: string;
  /** By interval index; sparse (no entry: no frame in that interval). */
  frames: number[];
  bytes: number[];
}

/** Above this many intervals, only those with frames get a row. */
export const MAX_ROWS = 100_000;

export class IoStatCollector extends Collector {
  /** Interval in microseconds (0 = whole capture). */
  readonly intervalUs: number;
  readonly interval: number;
  readonly columns: IoColumn[] = [];
  private readonly filters: (CompiledFilter | null)[] = [];
  /** Highest relative time seen (µs): the duration. */
  durationUs = 0;
  private seen = false;

  constructor(spec: string) {
    super();
    const parts = spec.split(",");
    const iv = parts[2];
    const n = iv === undefined || iv === "" ? NaN : Number(iv);
    if (!Number.isFinite(n) || n < 0) throw new StatsError(`invalid -z io,stat interval "${iv ?? ""}": expected a number of seconds ("-z io,stat,1[,filter]…")`);
    this.interval = n;
    this.intervalUs = Math.round(n * 1e6);
    if (n > 0 && this.intervalUs === 0) throw new StatsError(`-z io,stat interval ${iv} is shorter than 1 µs`);
    // filters may contain commas only inside quotes or parentheses: re-join conservatively
    const filters = splitFilters(parts.slice(3).join(","));
    if (filters.length === 0) filters.push("");
    for (const f of filters) {
      if (/^(COUNT|SUM|MIN|MAX|AVG|LOAD|COUNT_FRAMES|COUNT_FIELDS)\(/i.test(f))
        throw new StatsError(`-z io,stat: calculations like "${f}" are not supported; give plain display filters`);
      const c = statFilter(f, spec);
      this.filters.push(c);
      this.columns.push({ filter: f, frames: [], bytes: [] });
      if (c) this.fields.push(...c.fields);
    }
  }

  add(d: Dissection): void {
    const fr = d.frame;
    const first = d.pinfo.session.firstTs;
    let relNs = 0;
    if (first !== null) relNs = (fr.tsSec - first.s) * 1e9 + (fr.tsNsec - first.ns);
    const us = Math.floor((relNs + 500) / 1000);
    if (!this.seen || us > this.durationUs) this.durationUs = us;
    this.seen = true;
    const idx = this.intervalUs === 0 || us < 0 ? 0 : Math.floor(us / this.intervalUs);
    const len = fr.len;
    for (let i = 0; i < this.filters.length; i++) {
      const f = this.filters[i];
      if (f !== null && !f.test(d)) continue;
      const c = this.columns[i];
      // (an index far past the others leaves a hole: V8 keeps such an array sparse)
      c.frames[idx] = (c.frames[idx] ?? 0) + 1;
      c.bytes[idx] = (c.bytes[idx] ?? 0) + len;
    }
  }

  /**
   * Number of interval rows: ceil(duration / interval), as tshark 4.0 (so a capture of one
   * instant has none, and a last frame exactly on an interval boundary gets no row).
   */
  intervals(): number {
    if (!this.seen || this.durationUs === 0) return 0;
    return this.intervalUs === 0 ? 1 : Math.ceil(this.durationUs / this.intervalUs);
  }

  report(): Report {
    const n = this.intervals();
    const cols = ["Interval start", "Interval end"];
    this.columns.forEach((c, i) => {
      const name = c.filter === "" ? `${i + 1}` : `${i + 1} (${c.filter})`;
      cols.push(`Frames ${name}`, `Bytes ${name}`);
    });
    const rows: Cell[][] = [];
    const dur = this.durationUs / 1e6;
    const summary = [`Duration: ${dur.toFixed(6)} secs`, `Interval: ${this.interval === 0 ? dur.toFixed(6) : this.interval} secs`];
    // the intervals listed: all of them, or past MAX_ROWS those with frames
    let ks: number[];
    if (n > MAX_ROWS) {
      // the intervals any column counted a frame in, in order (for…in walks array indices in order)
      const used = new Set<number>();
      // (a frame exactly at the end falls past the last interval: no row, as without the limit)
      for (const c of this.columns) for (const k in c.frames) if (Number(k) < n) used.add(Number(k));
      ks = [...used].sort((a, b) => a - b);
      summary.push(`${n} intervals: only the ${used.size} with frames are listed`);
    } else ks = Array.from({ length: n }, (_, k) => k);
    for (const k of ks) {
      const start = this.intervalUs === 0 ? 0 : (k * this.intervalUs) / 1e6;
      const end = this.intervalUs === 0 || k === n - 1 ? dur : ((k + 1) * this.intervalUs) / 1e6;
      const row: Cell[] = [start, k === n - 1 ? `${end} (end)` : end];
      for (const c of this.columns) row.push(c.frames[k] ?? 0, c.bytes[k] ?? 0);
      rows.push(row);
    }
    return {
      stat: "io,stat",
      title: "IO Statistics",
      summary,
      sections: [{ title: "", columns: cols, rows }],
    };
  }
}

/** Split "a,b" at top-level commas (not inside quotes, parentheses or brackets). */
export function splitFilters(s: string): string[] {
  if (s === "") return [];
  const out: string[] = [];
  let depth = 0, q = false, cur = "";
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (q) {
      cur += ch;
      if (ch === "\\" && i + 1 < s.length) cur += s[++i];
      else if (ch === '"') q = false;
      continue;
    }
    if (ch === '"') q = true;
    else if (ch === "(" || ch === "[" || ch === "{") depth++;
    else if (ch === ")" || ch === "]" || ch === "}") depth--;
    else if (ch === "," && depth === 0) {
      out.push(cur.trim());
      cur = "";
      continue;
    }
    cur += ch;
  }
  out.push(cur.trim());
  return out;
}
