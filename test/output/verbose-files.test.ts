/** Whole-file -V equal to tshark's, line for line, on fixtures where every layer is implemented. */
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { FIXTURES, haveTshark, runCli } from "../helpers/tshark.js";

// http.pcapng: reassembled bodies, JSON, forms, 73-segment lists cut at Wireshark's label length;
// ping-frag.pcap: IPv4 fragments, ICMP errors quoting UDP (whose data tshark shows at the top level)
const FILES = ["http.pcapng", "ping-frag.pcap", "sample.pcapng"].map((f) => `${FIXTURES}/${f}`);

describe.skipIf(!haveTshark())("-V vs tshark, whole files", () => {
  for (const f of FILES) {
    it(f.slice(FIXTURES.length + 1), () => {
      const want = execFileSync("tshark", ["-n", "-r", f, "-V"], { encoding: "utf8", maxBuffer: 1 << 28, env: { ...process.env, TZ: "UTC" } }).split("\n");
      const got = runCli(["-r", f, "-V"]).stdout.split("\n");
      expect(got.length).toBeGreaterThan(500);
      const firstDiff = got.findIndex((l, i) => l !== want[i]);
      expect(firstDiff === -1 ? null : `line ${firstDiff + 1}: ours ${JSON.stringify(got[firstDiff])} tshark ${JSON.stringify(want[firstDiff])}`).toBeNull();
      expect(got.length).toBe(want.length);
    }, 60_000);
  }
});
