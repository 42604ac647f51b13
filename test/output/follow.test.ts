/**
 * -z follow: byte-identical to `tshark -q -z follow,…` (one pass) on the fixtures,
 * plus hand-built out-of-order / retransmitted / gap streams; follow,tls (with a key log)
 * and follow,http through the CLI, on the fixtures and the corpus's HTTP captures.
 */
import { spawnSync } from "node:child_process";
import { describe, expect, test } from "vitest";
import { readCaptureSync } from "../../src/capture/reader.js";
import { Dissector } from "../../src/core/dissect.js";
import { makeFollow } from "../../src/output/follow.js";
import { corpus, fixtures, haveTshark, runCli } from "../helpers/tshark.js";

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
  // (stream 0's hex has lines whose data ends in spaces: tshark drops one of them)
  ["http.pcapng", ["follow,tcp,ascii,0", "follow,tcp,hex,0", "follow,tcp,hex,1", "follow,tcp,raw,2", "follow,tcp,ascii,2", "follow,tcp,hex,2"]],
  ["dns.pcap", ["follow,tcp,ascii,0", "follow,tcp,hex,1", "follow,tcp,raw,2", "follow,udp,ascii,0", "follow,udp,hex,3", "follow,udp,raw,5"]],
  ["tcp-analysis.pcap", ["follow,tcp,raw,0", "follow,tcp,hex,1"]],
  ["ipv6.pcapng", ["follow,tcp,ascii,0", "follow,tcp,hex,[fd00::2]:8080,[fd00::1]:56014"]],
  // endpoints instead of a stream number (either order; none matching: an empty report)
  ["sample.pcapng", ["follow,tcp,ascii,10.99.0.2:80,10.99.0.1:35270", "follow,udp,raw,10.99.0.1:58253,10.99.0.2:53", "follow,udp,ascii,10.99.0.1:1,10.99.0.2:2"]],
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

describe("bad follow arguments: tshark's messages", () => {
  test.each([
    ["follow,tcp,ascii", "follow - Invalid address."],
    ["follow,tcp,ascii,x", "follow - Invalid address."],
    ["follow,tcp,ascii,10.0.0.1:80", "follow - Invalid address."],
    ["follow,tcp,ascii,10.0.0.1:80,10.0.0.2:99999", "follow - Invalid port."],
    ["follow,tcp,ascii,-1", "follow - Error registering tap listener."],
    ["follow,tcp,bogus,0", "follow - Invalid display mode."],
  ])("%s", (spec, msg) => {
    expect(() => makeFollow(spec)).toThrow(msg);
    if (haveTshark()) expect(spawnSync("tshark", ["-r", fixtures((n) => n === "sample.pcapng")[0], "-q", "-z", spec], { encoding: "utf8" }).stderr).toContain(`tshark: ${msg}`);
  });
});

describe.skipIf(!haveTshark())("follow,tls and follow,http vs tshark (the CLI)", () => {
  const cli = (file: string, args: string[], spec: string) => runCli(["-r", file, ...args, "-q", "-z", spec]).stdout;
  const https = fixtures((n) => n === "https.pcapng")[0];
  const keys = ["-o", `tls.keylog_file:${https.replace(/\.pcapng$/, ".keys")}`];

  test("follow,tls: decrypted application data per record, tshark 4.0's nodes (TLS 1.3 and 1.2 streams)", () => {
    for (const spec of ["follow,tls,ascii,0", "follow,tls,hex,0", "follow,tls,raw,1", "follow,tls,ascii,1"]) {
      const t = spawnSync("tshark", ["-n", "-q", "-r", https, ...keys, "-z", spec], { env: { ...process.env, TZ: "UTC" }, encoding: "latin1" }).stdout;
      expect(t).toMatch(/GET \/|474554|47 45 54/);
      expect(cli(https, keys, spec), spec).toBe(t);
    }
    // without the keys: nothing to follow, the same empty report
    const t = spawnSync("tshark", ["-n", "-q", "-r", https, "-z", "follow,tls,ascii,0"], { encoding: "latin1" }).stdout;
    expect(cli(https, [], "follow,tls,ascii,0")).toBe(t);
  });

  test("follow,http: each message's head, then its decoded body (fixtures, HTTPS decrypted, corpus)", () => {
    const files = [
      ...fixtures((n) => n === "http.pcapng" || n === "http-encoding.pcapng" || n === "sample.pcapng"),
      ...corpus("suricata-verify", (n) => /^http-(evader-0[0-5]|range|gap|chunked|gzip|pipeline)/.test(n) || /^http2-(userinfo|authority)/.test(n)),
    ];
    let n = 0;
    for (const f of files) {
      for (const spec of ["follow,http,ascii,0", "follow,http,raw,0"]) {
        expect(cli(f, [], spec), `${f} ${spec}`).toBe(tsharkFollow(f, [spec]));
        n++;
      }
    }
    const t = spawnSync("tshark", ["-n", "-q", "-r", https, ...keys, "-z", "follow,http,hex,1"], { encoding: "latin1" }).stdout;
    expect(cli(https, keys, "follow,http,hex,1")).toBe(t);
    expect(n).toBeGreaterThan(5);
  }, 300_000);
});
