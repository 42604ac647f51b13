/**
 * The benchmark's capture in small: every Ethernet fixture twice over (scripts/fixture-rounds.mjs).
 * The second round meets the first one's state: connections on the same ports again, a FIN
 * already seen (tcp.fin_retransmission), DNS ids reused. Summary and -V equal to tshark's.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { haveTshark, ROOT, runCli, tsharkText } from "../helpers/tshark.js";

const dir = mkdtempSync(join(tmpdir(), "nestcap-rounds-"));
const file = join(dir, "rounds.pcapng");
let perRound = 0;

beforeAll(async () => {
  const m = (await import(join(ROOT, "scripts", "fixture-rounds.mjs"))) as {
    fixtureFrames: () => Promise<unknown[]>;
    writeFixtureRounds: (out: string, count: number) => Promise<void>;
  };
  perRound = (await m.fixtureFrames()).length;
  await m.writeFixtureRounds(file, 2 * perRound);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Index and text of the first line where two outputs differ, or null. */
function firstDifference(got: string, want: string): string | null {
  const g = got.split("\n");
  const w = want.split("\n");
  const i = g.findIndex((l, k) => l !== w[k]);
  if (i === -1) return g.length === w.length ? null : `ours ${g.length} lines, tshark ${w.length}`;
  return `line ${i + 1}: ours ${JSON.stringify(g[i])} tshark ${JSON.stringify(w[i])}`;
}

describe.skipIf(!haveTshark())("fixtures twice over vs tshark", () => {
  it("summary lines", () => {
    const got = runCli(["-r", file]).stdout;
    expect(got.split("\n").length - 1).toBe(2 * perRound);
    expect(firstDifference(got, tsharkText(["-n", "-r", file]))).toBeNull();
  }, 60_000);

  it("-V, including the second round's FIN retransmissions", () => {
    const got = runCli(["-r", file, "-V"]).stdout;
    expect(got).toMatch(/^ {4}Retransmission of FIN from frame: \d+$/m);
    expect(firstDifference(got, tsharkText(["-n", "-r", file, "-V"]))).toBeNull();
  }, 120_000);
});
