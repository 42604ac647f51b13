/**
 * Gzip-compressed captures, as tshark reads them: a .gz file (or gzip on stdin) gives the
 * same frames as the file inside it; a file cut inside the compressed data gives every
 * record before the cut and tshark's cut-short warning; damaged data tshark's error.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, test } from "vitest";
import { readCapture, readCaptureSync, readCaptureSyncPartial } from "../../src/capture/reader.js";
import { corpus, fixtures, haveTshark, runCli } from "../helpers/tshark.js";

const tmp = mkdtempSync(join(tmpdir(), "nc-gzip-"));

async function frames(src: string): Promise<{ n: number; data: string[]; ts: string[] }> {
  const data: string[] = [], ts: string[] = [];
  for await (const f of readCapture(src)) {
    data.push(Buffer.from(f.data).toString("hex"));
    ts.push(`${f.tsSec}.${f.tsNsec} ${f.len} ${f.linkType}`);
  }
  return { n: data.length, data, ts };
}

const plainLines = (text: string, n: number) => text.split("\n").slice(0, n).join("\n") + "\n";
const tshark = (args: string[]) => spawnSync("tshark", ["-n", ...args], { encoding: "utf8", env: { ...process.env, TZ: "UTC" } });

describe("gzip-compressed captures", () => {
  test("every fixture and some corpus files, gzipped: the same frames as the file itself", async () => {
    const files = [...fixtures(), ...corpus("tcpdump").slice(0, 20)];
    for (const file of files) {
      const gz = join(tmp, "x.gz");
      // two gzip members back to back (as `cat a.gz b.gz` makes): one stream, as gunzip reads it
      const raw = readFileSync(file);
      const half = raw.length >> 1;
      writeFileSync(gz, Buffer.concat([gzipSync(raw.subarray(0, half)), gzipSync(raw.subarray(half))]));
      const want = readCaptureSync(file).frames;
      const got = await frames(gz);
      // the synchronous reader too
      expect(readCaptureSync(gz).frames.map((f) => Buffer.from(f.data).toString("hex")), file).toEqual(got.data);
      expect(got.n, file).toBe(want.length);
      expect(got.data, file).toEqual(want.map((f) => Buffer.from(f.data).toString("hex")));
      expect(got.ts, file).toEqual(want.map((f) => `${f.tsSec}.${f.tsNsec} ${f.len} ${f.linkType}`));
    }
  });

  test("the CLI on a .gz file and on gzip from stdin prints what it prints for the file (and what tshark prints)", () => {
    const file = fixtures((n) => n === "sample.pcapng")[0];
    const gz = join(tmp, "sample.pcapng.gz");
    writeFileSync(gz, gzipSync(readFileSync(file)));
    const plain = runCli(["-r", file, "-V"]).stdout;
    expect(plain.length).toBeGreaterThan(1000);
    expect(runCli(["-r", gz, "-V"]).stdout).toBe(plain);
    expect(runCli(["-r", "-", "-V"], gzipSync(readFileSync(file))).stdout).toBe(plain);
    if (haveTshark()) expect(runCli(["-r", gz]).stdout).toBe(tshark(["-r", gz]).stdout);
    // stopping early (-c) ends the decompression and the file's reads cleanly
    const two = runCli(["-r", gz, "-c", "2"]);
    expect(two.status).toBe(0);
    expect(two.stderr).toBe("");
    expect(two.stdout).toBe(plainLines(runCli(["-r", file]).stdout, 2));
  });

  test("cut inside the compressed data: the records before the cut, then tshark's warning and exit 2", () => {
    const file = fixtures((n) => n === "dns.pcap")[0];
    const full = gzipSync(readFileSync(file));
    const cut = join(tmp, "cut.pcap.gz");
    writeFileSync(cut, full.subarray(0, Math.floor(full.length * 0.6)));
    const r = runCli(["-r", cut]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`nestcap: The file "${cut}" appears to have been cut short in the middle of a packet.\n`);
    const n = r.stdout.split("\n").filter(Boolean).length;
    const partial = readCaptureSyncPartial(cut);
    expect(partial.frames.length + partial.warnings.length, "the sync reader: the same frames, the same warning").toBe(n + 1);
    expect(partial.warnings).toEqual([`The file "${cut}" appears to have been cut short in the middle of a packet.`]);
    expect(n).toBeGreaterThan(0);
    expect(n).toBeLessThan(readCaptureSync(file).frames.length);
    if (haveTshark()) {
      const t = tshark(["-r", cut]);
      expect(r.stdout).toBe(t.stdout);
      expect(t.status).toBe(2);
    }
  });

  test("damaged compressed data: tshark's error, exit 2", () => {
    const bad = join(tmp, "bad.gz");
    writeFileSync(bad, Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]), Buffer.from("not deflate data at all, no")]));
    const r = runCli(["-r", bad]);
    expect(r.status).toBe(2);
    expect(() => readCaptureSync(bad)).toThrow(/cannot be decompressed; it may be damaged or corrupt/);
    expect(r.stderr).toMatch(/^nestcap: The file ".*bad\.gz" cannot be decompressed; it may be damaged or corrupt\.\(.+\)\n$/);
    if (haveTshark()) {
      const t = tshark(["-r", bad]);
      expect(t.status).toBe(2);
      expect(r.stderr.replace(/^nestcap: /, "")).toBe(t.stderr.split("\n").find((l) => l.startsWith("tshark: "))!.replace(/^tshark: /, "") + "\n");
    }
  });
});
