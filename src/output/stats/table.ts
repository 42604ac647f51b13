/**
 * The statistics' box tables: what cli-table3 draws with `compact: true` (one rule under
 * the header, none between rows), character for character, colours included — but in
 * time linear in the cells. cli-table3 took ~0.4 ms a row (its layout pass is made for
 * spans) and overflowed the stack past ~100k rows (an -z io,stat of a day at 1 s is
 * 86,400 rows); the test in test/output/table.test.ts holds this renderer to cli-table3's
 * output (cli-table3 stays as a development dependency for that comparison only).
 */

export type Align = "left" | "right";

export interface TableSpec {
  head: readonly string[];
  rows: readonly (readonly string[])[];
  aligns: readonly Align[];
  /** Colour as cli-table3 with style { head: ["cyan"], border: ["grey"] }. */
  color: boolean;
}

const GREY = "\u001b[90m", CYAN = "\u001b[36m", OFF = "\u001b[39m";

/**
 * Terminal columns a string takes, as the string-width package (cli-table3's) counts them:
 * control and combining characters 0, East Asian wide and fullwidth characters and emoji 2.
 */
export function displayWidth(s: string): number {
  let w = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.codePointAt(i)!;
    if (c > 0xffff) i++;
    if (c < 0x7f) {
      if (c > 0x1f) w++;
      continue;
    }
    if (c <= 0x9f || (c >= 0x300 && c <= 0x36f) || c === 0x200d || (c >= 0xfe00 && c <= 0xfe0f)) continue;
    w += wide(c) ? 2 : 1;
  }
  return w;
}

/** East Asian Wide/Fullwidth ranges (is-fullwidth-code-point's list) and the emoji blocks. */
function wide(c: number): boolean {
  if (c < 0x1100) return false;
  return (
    c <= 0x115f || c === 0x2329 || c === 0x232a ||
    (c >= 0x2e80 && c <= 0x3247 && c !== 0x303f) ||
    (c >= 0x3250 && c <= 0x4dbf) || (c >= 0x4e00 && c <= 0xa4c6) ||
    (c >= 0xa960 && c <= 0xa97c) || (c >= 0xac00 && c <= 0xd7a3) ||
    (c >= 0xf900 && c <= 0xfaff) || (c >= 0xfe10 && c <= 0xfe19) ||
    (c >= 0xfe30 && c <= 0xfe6b) || (c >= 0xff01 && c <= 0xff60) ||
    (c >= 0xffe0 && c <= 0xffe6) || (c >= 0x1b000 && c <= 0x1b001) ||
    (c >= 0x1f200 && c <= 0x1f251) || (c >= 0x1f300 && c <= 0x1f64f) ||
    (c >= 0x1f680 && c <= 0x1f6ff) || (c >= 0x1f900 && c <= 0x1f9ff) ||
    (c >= 0x20000 && c <= 0x3fffd)
  );
}

/** The table as text (lines joined with "\n", no newline at the end, as cli-table3's toString). */
export function drawTable(t: TableSpec): string {
  const n = t.head.length;
  const split = (r: readonly string[]): string[][] => {
    const cells: string[][] = [];
    for (let j = 0; j < n; j++) cells.push((r[j] ?? "").split("\n"));
    return cells;
  };
  const head = split(t.head);
  const body = t.rows.map(split);
  // each column: its widest line, plus a space of padding on either side
  const widths = new Array<number>(n).fill(0);
  for (const row of [head, ...body])
    for (let j = 0; j < n; j++) for (const l of row[j]) widths[j] = Math.max(widths[j], displayWidth(l));
  for (let j = 0; j < n; j++) widths[j] += 2;

  const g = (s: string): string => (t.color ? GREY + s + OFF : s);
  const rule = (l: string, m: string, r: string): string => {
    let s = "";
    for (let j = 0; j < n; j++) s += g((j === 0 ? l : m) + "─".repeat(widths[j]) + (j === n - 1 ? r : ""));
    return s;
  };
  const lines: string[] = [rule("┌", "┬", "┐")];
  const bar = g("│");
  const emit = (row: string[][], isHead: boolean): void => {
    const height = Math.max(1, ...row.map((c) => c.length));
    for (let k = 0; k < height; k++) {
      let s = bar;
      for (let j = 0; j < n; j++) {
        const text = row[j][k] ?? "";
        const pad = " ".repeat(Math.max(0, widths[j] - 2 - displayWidth(text)));
        const cell = " " + (t.aligns[j] === "right" ? pad + text : text + pad) + " ";
        s += (isHead && t.color ? CYAN + cell + OFF : cell) + bar;
      }
      lines.push(s);
    }
  };
  emit(head, true);
  lines.push(rule("├", "┼", "┤"));
  for (const row of body) emit(row, false);
  lines.push(rule("└", "┴", "┘"));
  return lines.join("\n");
}
