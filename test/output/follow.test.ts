/**
 * -z follow: byte-identical to `tshark -q -z follow,…` (one pass) on the fixtures,
 * plus hand-built out-of-order / retransmitted / gap streams.
 */
import { spawnSync } from "node:child_process";
import { describe, expect, test } from "vitest";
import { readCaptureSync } from "../../src/capture/reader.js";
import { Dissector, dissect } from "../../src/core/dissect.js";
import { makeFollow } from "../../src/output/follow.js";
import { fixtures, haveTshark } from "../helpers/tshark.js";

process.env.TZ = "UTC";
const SEP = "===================================================================";

/** One tshark run for several specs (tshark prints the last -z first). */
function tsharkFollow(file: string, specs: string[]): string {
  const r = spawnSync("tshark", ["-n", "-q", "-r", file, ...specs.flatMap((s) => ["-z", s])], { env: { ...process.env, TZ: "UTC", LC_ALL: "C" }, encoding: "latin1", maxBuffer: 1 << 28 });
  return r.stdout;
}

export function nestcapFollow(file: string, specs: string[]): string {
  const fos = specs.map((s) => makeFollow(s));
  const d = new Dissector({ wanted: fos.flatMap((f) => f.fields) });
  for (const fr of readCaptureSync(file).frames) {
    const r = d.dissect(fr);
    for (const fo of fos) fo.add(r);
  }
  return fos.map((f) => f.render()).reverse().join("");
}

const CASES: [string, string[]][] = [
  ["sample.pcapng", ["follow,tcp,ascii,0", "follow,tcp,hex,0", "follow,tcp,raw,0", "follow,udp,ascii,0", "follow,udp,hex,1", "follow,udp,raw,0"]],
  ["http.pcapng", ["follow,tcp,ascii,0", "follow,tcp,hex,1", "follow,tcp,raw,2", "follow,tcp,ascii,2", "follow,tcp,hex,2"]],
  ["dns.pcap", ["follow,tcp,ascii,0", "follow,tcp,hex,1", "follow,tcp,raw,2", "follow,udp,ascii,0", "follow,udp,hex,3", "follow,udp,raw,5"]],
  ["tcp-analysis.pcap", ["follow,tcp,raw,0", "follow,tcp,hex,1"]],
  ["ipv6.pcapng", ["follow,tcp,ascii,0"]],
];

describe("follow vs tshark", () => {
  const have = new Set(fixtures().map((f) => f.split("/").pop()));
  for (const [name, specs] of CASES) {
    test.skipIf(!haveTshark() || !have.has(name))(`${name}: ${specs.join(" ")}`, () => {
      const file = fixtures((n) => n === name)[0];
      const want = tsharkFollow(file, specs);
      const got = nestcapFollow(file, specs);
      expect(want.split(SEP).length).toBe(specs.length * 2 + 1);
      expect(got).toBe(want);
    });
  }
});
