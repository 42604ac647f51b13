/**
 * The reader against tshark on a sample of real captures: frame count, timestamps,
 * lengths, interface ids and comments; and tshark's behaviour on broken files.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readCaptureSyncPartial } from "../../src/capture/reader.js";
import * as B from "../helpers/build.js";
import { compareFields, corpus, fixtures, formatDisagreements, haveTshark, ROOT, tsharkFields } from "../helpers/tshark.js";

/** ~35 files: pcapng files of the tcpdump corpus (up to 12), pcap files spread over the rest, a few suricata ones, the fixtures. */
function sample(): string[] {
  const ng = corpus("tcpdump", (n) => n.endsWith(".pcapng"));
  const pc = corpus("tcpdump", (n) => !n.endsWith(".pcapng"));
  const picked = ng.filter((_, i) => i % Math.max(1, Math.ceil(ng.length / 12)) === 0);
  const step = Math.max(1, Math.floor(pc.length / 14));
  for (let i = 0; i < pc.length && picked.length < 22; i += step) picked.push(pc[i]);
  const sv = corpus("suricata-verify");
  for (let i = 0; i < sv.length && i < 30; i += 10) picked.push(sv[i]);
  return [...picked, ...fixtures(), ...corpus("zeek-openvpn")];
}

/** What tshark prints for the reader's own fields, formatted like tshark -T fields. */
function readerRows(file: string): { rows: string[][]; error: string | null } {
  const r = readCaptureSyncPartial(file);
  const ng = r.info?.format === "pcapng";
  const rows = r.frames.map((f) => [
    f.noTimestamp ? "" : f.tsNsec < 0 ? `-${f.tsSec}.${String(-f.tsNsec).padStart(9, "0")}` : `${f.tsSec}.${String(f.tsNsec).padStart(9, "0")}`,
    String(f.len),
    String(f.caplen),
    ng ? String(f.localInterfaceId ?? f.interfaceId) : "",
    (f.comments ?? []).join(","),
    f.section === undefined ? "" : String(f.section),
  ]);
  return { rows, error: r.error?.message ?? r.warnings[0] ?? null };
}

const files = haveTshark() ? sample() : [];

describe.skipIf(files.length === 0)("reader vs tshark", () => {
  it(`frame count, time_epoch, len, cap_len, interface_id, comment, section_number on ${files.length} files`, () => {
    let cells = 0;
    let frames = 0;
    const bad: string[] = [];
    for (const f of files) {
      const t = tsharkFields(f, ["frame.time_epoch", "frame.len", "frame.cap_len", "frame.interface_id", "frame.comment", "frame.section_number"]);
      const n = readerRows(f).rows;
      if (t.length !== n.length) bad.push(`${basename(f)}: ${t.length} frames in tshark, ${n.length} here`);
      for (let i = 0; i < Math.min(t.length, n.length); i++) {
        for (let j = 0; j < 6; j++) {
          cells++;
          if ((t[i][j] ?? "") !== n[i][j]) bad.push(`${basename(f)} #${i + 1} col ${j}: tshark=${JSON.stringify(t[i][j])} ours=${JSON.stringify(n[i][j])}`);
        }
      }
      frames += n.length;
    }
    console.log(`reader vs tshark: ${files.length} files, ${frames} frames, ${cells - bad.length}/${cells} cells agree`);
    expect(bad.slice(0, 20)).toEqual([]);
  }, 300_000);

  it("through the frame dissector (compareFields): time_epoch, len, cap_len", () => {
    let agree = 0;
    let cells = 0;
    const problems: string[] = [];
    for (const f of files.filter((_, i) => i % 6 === 0)) {
      const c = compareFields(f, ["frame.time_epoch", "frame.len", "frame.cap_len"]);
      agree += c.agree;
      cells += c.cells;
      if (c.frames.tshark !== c.frames.nestcap) problems.push(`${basename(f)}: frames ${c.frames.tshark} vs ${c.frames.nestcap}`);
      if (c.disagreements.length) problems.push(`${basename(f)}:\n${formatDisagreements(c.disagreements, 3)}`);
    }
    console.log(`compareFields: ${agree}/${cells} cells agree`);
    expect(problems).toEqual([]);
  }, 300_000);
});

describe.skipIf(!haveTshark())("a record whose fraction of a second is out of range", () => {
  // tshark keeps the (wrapped) nanoseconds, notes the frame, and its time deltas wrap as a C int does
  it("gets tshark's note, times and deltas", () => {
    const dir = mkdtempSync(join(tmpdir(), "nestcap-frac-"));
    const file = join(dir, "frac.pcap");
    const udp = new Uint8Array(42).fill(0x11);
    writeFileSync(file, B.pcap([
      { sec: 117442577, frac: 900_000, data: udp }, // -1294967296 - 900000000 ns wraps too
      { sec: 0, frac: 3_000_000, data: udp }, // µs whose ns (3e9) wrap to -1294967296 in a C int
      { sec: 2145916800, frac: 0, data: udp },
    ], { linkType: 1 }));
    const fields = ["frame.time_epoch", "frame.time_relative", "frame.time_delta", "_ws.expert"];
    const args = (tool: string[]): string => spawnSync(tool[0], [...tool.slice(1), "-r", file, "-T", "fields", ...fields.flatMap((x) => ["-e", x])], { encoding: "utf8" }).stdout;
    const ours = args([process.execPath, join(ROOT, "dist", "src", "cli", "nestcap.js")]);
    expect(ours).toContain("Fractional second -1294967296 is invalid");
    expect(ours).toBe(args(["tshark", "-n"]));
    const env = { ...process.env, TZ: "UTC", NO_COLOR: "1" };
    const v = (tool: string[]): string => spawnSync(tool[0], [...tool.slice(1), "-r", file, "-V", "-c", "2"], { encoding: "utf8", env }).stdout;
    expect(v([process.execPath, join(ROOT, "dist", "src", "cli", "nestcap.js")]).split("Frame 2:")[1].split("Ethernet II")[0])
      .toBe(v(["tshark", "-n"]).split("Frame 2:")[1].split("Ethernet II")[0]);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe.skipIf(!haveTshark())("broken files: same frames and message as tshark", () => {
  const dir = mkdtempSync(join(tmpdir(), "nestcap-broken-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const p = B.payload(60);
  const okPcap = B.pcap([1, 2, 3].map((i) => ({ sec: 1700000000 + i, frac: i, data: p })));
  const okNg = B.pcapng(B.shb(), B.idb({ name: "x" }), B.epb({ ts: 1n, data: p }), B.epb({ ts: 2n, data: p }));
  const cases: [string, Uint8Array][] = [
    ["notcap.bin", new TextEncoder().encode("this is not a capture file\n".repeat(5))],
    ["cut.pcap", okPcap.subarray(0, okPcap.length - 7)],
    ["cut.pcapng", okNg.subarray(0, okNg.length - 7)],
    ["hdrcut.pcap", okPcap.subarray(0, 20)],
    ["absurd.pcap", B.concat(okPcap, B.pcapRecord({ sec: 1, frac: 0, data: p, caplen: 0x7fffffff }))],
    ["absurd.pcapng", B.concat(okNg, B.block(6, new Uint8Array(32), true, { totalOverride: 0x7ffffff0 }))],
    ["trailer.pcapng", B.concat(okNg, B.block(6, new Uint8Array(32), true, { trailerOverride: 48 }))],
    ["badidx.pcapng", B.concat(okNg, B.epb({ iface: 5, ts: 3n, data: p }))],
    ["linktype.pcap", B.pcap([{ sec: 1, frac: 0, data: p }], { linkType: 284 })],
  ];
  for (const [name, bytes] of cases) {
    it(name, () => {
      const path = join(dir, name);
      writeFileSync(path, bytes);
      const r = spawnSync("tshark", ["-n", "-r", path, "-T", "fields", "-e", "frame.len"], { encoding: "utf8", env: { ...process.env, TZ: "UTC" } });
      const tRows = r.stdout.split("\n").filter((l) => l !== "").length;
      const tMsg = r.stderr
        .split("\n")
        .filter((l) => l && !l.startsWith("Running as"))
        .join("\n")
        .replace(/^tshark: /, "")
        .replace(/TShark/g, "nestcap");
      const ours = readerRows(path);
      expect(ours.rows.length).toBe(tRows);
      expect(r.status).toBe(2);
      expect(ours.error).toBe(tMsg);
    }, 60_000);
  }
});
