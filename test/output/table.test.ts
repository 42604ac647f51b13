/**
 * The statistics' tables (src/output/stats/table.ts) against cli-table3, which drew them
 * before: the same text, plain and coloured, for every -z statistic of the fixtures and for
 * cells that are hard to measure (wide CJK, combining accents, several lines, empty ones);
 * and a table far past where cli-table3 overflowed its stack.
 */
import { createRequire } from "node:module";
import { describe, expect, test } from "vitest";
import { readCaptureSync } from "../../src/capture/reader.js";
import { Dissector } from "../../src/core/dissect.js";
import { makeStats } from "../../src/output/stats/index.js";
import { cellText, tableAligns, type Section } from "../../src/output/stats/report.js";
import { displayWidth, drawTable, type Align } from "../../src/output/stats/table.js";
import { fixtures } from "../helpers/tshark.js";

const req = createRequire(import.meta.url);
const Table = req("cli-table3") as typeof import("cli-table3");
// cli-table3 colours only where its colour module finds a terminal: the comparison needs them
// always (nestcap colours whenever --color says so, terminal or not)
(createRequire(req.resolve("cli-table3"))("@colors/colors/safe") as { enable(): void }).enable();

function cliTable3(head: string[], rows: string[][], aligns: Align[], color: boolean): string {
  const t = new Table({
    head,
    style: { head: color ? ["cyan"] : [], border: color ? ["grey"] : [], compact: true },
    colAligns: aligns,
  });
  for (const r of rows) t.push(r);
  return t.toString();
}

function same(head: string[], rows: string[][], aligns: Align[]): void {
  for (const color of [false, true]) expect(drawTable({ head, rows, aligns, color })).toBe(cliTable3(head, rows, aligns, color));
}

const SPECS = ["conv,eth", "conv,ip", "conv,tcp", "conv,udp", "endpoints,ip", "endpoints,ipv6", "io,phs", "io,stat,0.01,,tcp,udp", "expert", "dns,tree", "http,tree", "http,req", "openvpn,tree", "layers"];

describe("tables as cli-table3 draws them", () => {
  test("every statistic of every fixture, plain and coloured", () => {
    let tables = 0, rowsSeen = 0;
    for (const file of fixtures()) {
      const stats = SPECS.map(makeStats);
      const d = new Dissector({ wanted: stats.flatMap((s) => s.fields), tree: stats.some((s) => s.needsTree), columns: true });
      for (const fr of readCaptureSync(file).frames) {
        const r = d.dissect(fr);
        for (const s of stats) s.add(r);
      }
      for (const s of stats) {
        for (const sec of s.report().sections as Section[]) {
          if (sec.rows.length === 0) continue;
          const rows = sec.rows.map((r, i) => {
            const cells = r.map(cellText);
            if ((sec.depth?.[i] ?? 0) > 0) cells[0] = "  ".repeat(sec.depth![i]) + cells[0];
            return cells;
          });
          same(sec.columns, rows, tableAligns(sec));
          tables++;
          rowsSeen += rows.length;
        }
      }
    }
    console.log(`tables: ${tables} tables, ${rowsSeen} rows drawn as cli-table3 draws them`);
    if (fixtures().length > 0) expect(tables).toBeGreaterThan(50);
  });

  test("cells that are hard to measure", () => {
    const head = ["Name", "Frames", "Note"];
    const rows = [
      ["例え.jp", "12", "wide (CJK: 2 columns each)"],
      ["한국어", "3", "Hangul"],
      ["ｆｕｌｌ", "1", "fullwidth forms"],
      ["e\u0301te\u0301", "100000", "combining accents take no column"],
      ["two\nlines", "7", "and\nthree\nlines"],
      ["", "", ""],
      ["ctl\u0001", "0", "a control character takes none"],
      ["→ arrow", "42", "non-ASCII, narrow"],
    ];
    same(head, rows, ["left", "right", "left"]);
    same(head, rows, ["left", "left", "right"]);
    expect(displayWidth("例え")).toBe(4);
    expect(displayWidth("e\u0301")).toBe(1);
    expect(displayWidth("\u001f\u007f\u0085")).toBe(0);
  });

  test("200,000 rows (cli-table3 overflowed its stack past ~100k): every row drawn, aligned", () => {
    const n = 200_000;
    const rows: string[][] = [];
    for (let i = 0; i < n; i++) rows.push([String(i), String(i * 3)]);
    const text = drawTable({ head: ["Interval", "Frames"], rows, aligns: ["left", "right"], color: false });
    const lines = text.split("\n");
    expect(lines.length).toBe(n + 4);
    expect(lines[3]).toBe("│ 0        │      0 │");
    expect(lines[n + 2]).toBe("│ 199999   │ 599997 │");
    expect(new Set(lines.map((l) => displayWidth(l))).size).toBe(1);
  });
});
