/**
 * A statistic's result as data (sections of rows), and its three renderings:
 * a readable table (table.ts: cli-table3's look, drawn in linear time), CSV and JSON
 * for people who plot.
 * Collectors build a Report only at render time; nothing here runs per packet.
 */
import type { Style } from "../color.js";
import { drawTable } from "./table.js";

export type Cell = string | number;

export interface Section {
  /** Shown above the table ("IPv4 Conversations"). */
  title: string;
  columns: string[];
  rows: Cell[][];
  /** Indentation level per row (tree statistics: phs, dns,tree…); shown as leading spaces in the first cell. */
  depth?: number[];
}

export interface Report {
  /** The -z spec ("conv,ip"). */
  stat: string;
  title: string;
  filter?: string;
  /** Lines of prose shown before the sections ("the tunnel adds 48 bytes per packet…"). */
  summary?: string[];
  sections: Section[];
}

export type StatsFormat = "table" | "csv" | "json";

export function cellText(c: Cell): string {
  return typeof c === "number" ? (Number.isInteger(c) ? String(c) : c.toFixed(6).replace(/0+$/, "").replace(/\.$/, "")) : c;
}

function renderTable(r: Report, style: Style): string {
  const out: string[] = [];
  out.push(style.field(r.title) + (r.filter ? style.dim(`  (filter: ${r.filter})`) : ""));
  if (r.summary) for (const l of r.summary) out.push(l);
  for (const s of r.sections) {
    if (s.title !== "") out.push("", style.field(s.title));
    if (s.rows.length === 0) {
      out.push(style.dim("  (none)"));
      continue;
    }
    const rows: string[][] = [];
    for (let i = 0; i < s.rows.length; i++) {
      const row = s.rows[i].map(cellText);
      const d = s.depth?.[i] ?? 0;
      if (d > 0) row[0] = "  ".repeat(d) + row[0];
      rows.push(row);
    }
    out.push(drawTable({ head: s.columns, rows, aligns: tableAligns(s), color: style.enabled }));
  }
  return out.join("\n") + "\n";
}

/** A column holding numbers is right-aligned (the first column never is). */
export function tableAligns(s: Section): ("left" | "right")[] {
  return s.columns.map((_c, i) => (i === 0 ? "left" : s.rows.some((row) => typeof row[i] === "number") ? "right" : "left"));
}

function csvCell(c: Cell): string {
  const s = cellText(c);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function renderCsv(r: Report): string {
  const multi = r.sections.length > 1;
  const lines: string[] = [];
  // one header (the first section's shape) when all sections share columns; else a header per section
  const same = r.sections.every((s) => s.columns.join("\0") === r.sections[0]?.columns.join("\0"));
  r.sections.forEach((s, k) => {
    const tree = s.depth !== undefined;
    if (!same || k === 0) {
      if (k > 0) lines.push("");
      lines.push([...(multi ? ["section"] : []), ...(tree ? ["depth"] : []), ...s.columns].map(csvCell).join(","));
    }
    s.rows.forEach((row, i) => {
      lines.push([...(multi ? [s.title] : []), ...(tree ? [s.depth![i]] : []), ...row].map(csvCell).join(","));
    });
  });
  return lines.join("\n") + "\n";
}

function key(c: string): string {
  // "% Frames" must not collide with "Frames"; "A→B" keeps its direction
  return c.replace(/%/g, "pct ").replace(/→/g, " to ").replace(/←/g, " from ").toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_|_$/g, "");
}

function renderJson(r: Report): string {
  return JSON.stringify(jsonOf(r), null, 2) + "\n";
}

function jsonOf(r: Report): object {
  return {
    stat: r.stat,
    title: r.title,
    ...(r.filter ? { filter: r.filter } : {}),
    ...(r.summary ? { summary: r.summary } : {}),
    sections: r.sections.map((s) => ({
      title: s.title,
      rows: s.rows.map((row, i) => {
        const e: Record<string, Cell> = {};
        if (s.depth) e.depth = s.depth[i];
        s.columns.forEach((c, j) => (e[key(c)] = row[j]));
        return e;
      }),
    })),
  };
}

export function renderReport(r: Report, format: StatsFormat, style: Style): string {
  return format === "csv" ? renderCsv(r) : format === "json" ? renderJson(r) : renderTable(r, style);
}

/**
 * Several statistics at once (-z a -z b). JSON is one document so `| jq` works: the
 * statistic's object for one, an array of them (in -z order) for several. Tables and
 * CSV are printed one after the other.
 */
export function renderReports(rs: readonly Report[], format: StatsFormat, style: Style): string {
  if (format === "json" && rs.length > 1) return JSON.stringify(rs.map(jsonOf), null, 2) + "\n";
  return rs.map((r) => renderReport(r, format, style)).join("");
}

/** Seconds (as a number) from a frame's timestamp relative to the session's first frame. */
export function relSeconds(tsSec: number, tsNsec: number, first: { s: number; ns: number } | null): number {
  if (first === null) return 0;
  return tsSec - first.s + (tsNsec - first.ns) / 1e9;
}
