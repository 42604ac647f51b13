/**
 * --threads N through the built CLI: real worker threads, each dissecting its own flows,
 * merged back into frame order by the main thread. The output must be byte for byte the
 * one-thread output (stdout, stderr, exit code), whatever the file and options.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readCaptureSyncPartial } from "../../src/capture/reader.js";
import { parseArgs } from "../../src/cli/args.js";
import { Emitter } from "../../src/cli/emit.js";
import { threadsFor } from "../../src/cli/parallel.js";
import { corpus, fixtures, ROOT, runCli } from "../helpers/tshark.js";

const tmp = mkdtempSync(join(tmpdir(), "nestcap-threads-"));
const BIG = join(tmp, "merged.pcapng");
const FRAMES = 30_000;
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

beforeAll(async () => {
  // the Ethernet fixtures over and over (as the benchmark's capture): ~15 batches, many flows, repeated TCP streams
  const { writeFixtureRounds } = (await import(join(ROOT, "scripts", "fixture-rounds.mjs"))) as {
    writeFixtureRounds: (out: string, count: number) => Promise<void>;
  };
  await writeFixtureRounds(BIG, FRAMES);
});

function same(args: string[], threads = [2, 3]): string {
  const one = runCli([...args, "--threads", "1"]);
  for (const n of threads) {
    const many = runCli([...args, "--threads", String(n)]);
    expect(many.stderr, `${args.join(" ")} --threads ${n}: stderr`).toBe(one.stderr);
    expect(many.status, `${args.join(" ")} --threads ${n}: exit code`).toBe(one.status);
    // compared as a whole, but reported by first differing line
    if (many.stdout !== one.stdout) {
      const a = one.stdout.split("\n");
      const b = many.stdout.split("\n");
      const i = a.findIndex((l, k) => l !== b[k]);
      expect(b[i], `${args.join(" ")} --threads ${n}: line ${i + 1}`).toBe(a[i]);
      expect(b.length).toBe(a.length);
    }
  }
  return one.stdout;
}

describe("--threads", () => {
  it("uses workers only where the output stays within flows", () => {
    const plan = (argv: string[]): number => {
      const o = parseArgs(argv);
      return threadsFor(o, new Emitter(o));
    };
    expect(plan(["-r", BIG, "--threads", "2"])).toBe(2);
    expect(plan(["-r", BIG, "--threads", "3", "-T", "fields", "-e", "ip.src", "-Y", "tcp.analysis.flags"])).toBe(3);
    expect(plan(["-r", BIG])).toBe(1); // opt-in: one thread unless asked
    for (const extra of [["-V"], ["-x"], ["-T", "json"], ["-T", "fields", "-e", "tcp.stream"], ["-Y", "udp.stream == 2"], ["-z", "io,phs"], ["-w", join(tmp, "o.pcapng")], ["--layers"]]) {
      expect(plan(["-r", BIG, "--threads", "2", ...extra]), extra.join(" ")).toBe(1);
    }
    expect(plan(["-r", "-", "--threads", "2"])).toBe(1);
  });

  it("prints the summary of a many-flow capture exactly as one thread does", () => {
    const out = same(["-r", BIG]);
    expect(out.split("\n").filter(Boolean)).toHaveLength(FRAMES);
    expect(out).toMatch(/\[TCP Retransmission\]/);
  });

  it("prints -T fields, -Y and -c exactly as one thread does", () => {
    const fields = ["frame.number", "frame.time_delta", "frame.time_relative", "ip.src", "tcp.seq", "tcp.analysis.flags", "dns.qry.name", "dns.response_in", "http.request.uri", "icmp.resp_in"];
    same(["-r", BIG, "-T", "fields", "-E", "header=y", ...fields.flatMap((f) => ["-e", f])]);
    const shown = same(["-r", BIG, "-Y", "dns.flags.response == 1 || http || icmp"]);
    expect(shown.split("\n").filter(Boolean).length).toBeGreaterThan(1000);
    const first = same(["-r", BIG, "-c", "4100"]);
    expect(first.split("\n").filter(Boolean)).toHaveLength(4100);
  });

  it("falls back to one thread for -V (stream numbers count across the capture)", () => {
    same(["-r", BIG, "-c", "300", "-V"], [2]);
  });

  it("ends a file cut short as one thread does: every complete packet, the warning, exit 2", () => {
    const bytes = readFileSync(BIG);
    const cut = join(tmp, "cut.pcapng");
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6) + 3));
    const r = runCli(["-r", cut, "--threads", "2"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/cut short/);
    same(["-r", cut]);
  });

  it("agrees on the fixtures and the corpus files with the most packets", () => {
    const files = [...fixtures(), ...corpus("tcpdump"), ...corpus("suricata-verify")]
      .map((f) => ({ f, n: readCaptureSyncPartial(f).frames.length }))
      .sort((a, b) => b.n - a.n)
      .slice(0, 12);
    for (const { f } of files) same(["-r", f], [2]);
  });

  it("rejects a bad thread count with one line", () => {
    for (const v of ["0", "x", "1.5", "65"]) {
      const r = runCli(["-r", BIG, "--threads", v]);
      expect(r.status).toBe(1);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toMatch(/--threads/);
    }
  });
});
