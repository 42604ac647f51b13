/** Whole-file -T json equal to tshark's, byte for byte, on every fixture. */
import { describe, expect, it } from "vitest";
import { basename } from "node:path";
import { fixtures, haveTshark, runCli, tsharkText } from "../helpers/tshark.js";

describe.skipIf(!haveTshark())("-T json vs tshark, whole files", () => {
  for (const f of fixtures()) {
    it(basename(f), () => {
      const want = tsharkText(["-n", "-r", f, "-T", "json"]).split("\n");
      const got = runCli(["-r", f, "-T", "json"]).stdout.split("\n");
      expect(got.length).toBeGreaterThan(100);
      const i = got.findIndex((l, k) => l !== want[k]);
      expect(i === -1 ? null : `line ${i + 1}: ours ${JSON.stringify(got[i]).slice(0, 300)} tshark ${JSON.stringify(want[i]).slice(0, 300)}`).toBeNull();
      expect(got.length).toBe(want.length);
    }, 60_000);
  }
});
