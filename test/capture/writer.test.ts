/** Capture writers: round trips through our reader, and tshark/capinfos reading what we write. */
import { spawnSync } from "node:child_process";
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Frame } from "../../src/capture/frame.js";
import { readCaptureSync } from "../../src/capture/reader.js";
import { nsToHiLo, PcapngWriter, PcapWriter } from "../../src/capture/writer.js";
import * as B from "../helpers/build.js";
import { corpus, fixtures, haveTshark, tsharkFields } from "../helpers/tshark.js";

const dir = mkdtempSync(join(tmpdir(), "nestcap-writer-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ts = (f: Frame) => `${f.tsSec}.${String(f.tsNsec).padStart(9, "0")}`;

/** Copy a capture through a writer, mapping interfaces as the CLI does. */
async function copy(src: string, dst: string, kind: "pcapng" | "pcap"): Promise<number> {
  const { frames, info } = readCaptureSync(src);
  const w = kind === "pcap" ? new PcapWriter(dst) : new PcapngWriter(dst);
  const map = new Map<number, number>();
  for (const f of frames) {
    let id = map.get(f.interfaceId);
    if (id === undefined) {
      id = w.addInterface(f.iface ?? info.interfaces[0]);
      map.set(f.interfaceId, id);
    }
    w.write({ ...f, interfaceId: id });
  }
  await w.close();
  return frames.length;
}

describe("writers", () => {
  it("nsToHiLo is exact", () => {
    for (const [s, ns] of [
      [0, 0],
      [1, 1],
      [1700000000, 123456789],
      [4294967295, 999999999],
      [2 ** 40, 5],
      [-1, 0],
    ]) {
      const t = BigInt.asUintN(64, BigInt(s) * 1000000000n + BigInt(ns));
      expect(nsToHiLo(s, ns)).toEqual([Number(t >> 32n), Number(t & 0xffffffffn)]);
    }
  });

  it("pcapng round trip: interfaces, ns timestamps, comments, flags, odd lengths", async () => {
    const src = join(dir, "src.pcapng");
    writeFileSync(
      src,
      B.pcapng(
        B.shb(),
        B.idb({ name: "eth0", description: "wired", linkType: 1, snaplen: 65535 }),
        B.idb({ name: "tun0", linkType: 101, tsresol: 9 }),
        B.epb({ iface: 0, ts: 1700000000123456n, data: B.payload(61), comments: ["first", "second"], flags: 3 }),
        B.epb({ iface: 1, ts: 1700000000123456789n, data: B.payload(1, 2), len: 1500 }),
        B.epb({ iface: 0, ts: 1n, data: new Uint8Array(0) }),
      ),
    );
    const dst = join(dir, "dst.pcapng");
    await copy(src, dst, "pcapng");
    const a = readCaptureSync(src);
    const b = readCaptureSync(dst);
    expect(b.info.interfaces.map((i) => [i.name, i.description, i.linkType, i.snaplen, i.tsresol])).toEqual([
      ["eth0", "wired", 1, 65535, 1e9],
      ["tun0", undefined, 101, 262144, 1e9],
    ]);
    const sum = (r: typeof a) => r.frames.map((f) => [ts(f), f.caplen, f.len, f.interfaceId, f.linkType, f.comments, f.flags, Array.from(f.data)]);
    expect(sum(b)).toEqual(sum(a));
  });

  it("pcap round trip (µs and ns) and link-type checks", async () => {
    const src = join(dir, "src.pcap");
    writeFileSync(src, B.pcap([1, 2, 3].map((i) => ({ sec: 1700000000 + i, frac: i * 111111, data: B.payload(40 * i, i), len: 100 * i })), { linkType: 113, snaplen: 9000 }));
    const dst = join(dir, "dst.pcap");
    await copy(src, dst, "pcap");
    const a = readCaptureSync(src);
    const b = readCaptureSync(dst);
    expect(b.info.interfaces[0]).toMatchObject({ linkType: 113, snaplen: 9000 });
    expect(b.frames.map((f) => [ts(f), f.caplen, f.len, Array.from(f.data)])).toEqual(a.frames.map((f) => [ts(f), f.caplen, f.len, Array.from(f.data)]));
    // Nanoseconds: truncated to µs by default, kept with { nanosecond: true }.
    const fr: Frame = { num: 1, tsSec: 5, tsNsec: 123456789, caplen: 1, len: 1, data: Uint8Array.of(1), linkType: 1, interfaceId: 0 };
    const p1 = join(dir, "us.pcap");
    const w1 = new PcapWriter(p1);
    w1.write(fr);
    await w1.close();
    expect(ts(readCaptureSync(p1).frames[0])).toBe("5.123456000");
    const p2 = join(dir, "ns.pcap");
    const w2 = new PcapWriter(p2, { nanosecond: true });
    w2.write(fr);
    expect(() => w2.write({ ...fr, linkType: 101 })).toThrow(/different link types/);
    await w2.close();
    expect(ts(readCaptureSync(p2).frames[0])).toBe("5.123456789");
  });

  it("puts a stripped pseudo-header back", async () => {
    for (const kind of ["pcap", "pcapng"] as const) {
      const src = join(dir, "atm." + kind);
      const data = Uint8Array.of(1, 0, 5, 0, 0xaa, 0xbb, 0xcc);
      writeFileSync(src, kind === "pcap" ? B.pcap([{ sec: 1, frac: 0, data, len: 10 }], { linkType: 123 }) : B.pcapng(B.shb(), B.idb({ linkType: 123 }), B.epb({ ts: 1n, data, len: 10 })));
      const dst = join(dir, "atm-out." + kind);
      await copy(src, dst, kind);
      const f = readCaptureSync(dst).frames[0];
      expect([f.caplen, f.len, Array.from(f.data), Array.from(f.pseudoHeader!)]).toEqual([3, 6, [0xaa, 0xbb, 0xcc], [1, 0, 5, 0]]);
    }
  });

  it("writes to a stream, buffered", async () => {
    const p = join(dir, "stream.pcapng");
    const w = new PcapngWriter(createWriteStream(p));
    const id = w.addInterface({ linkType: 1, snaplen: 0, tsresol: 1e6, tsoffset: 0, name: "x" });
    for (let i = 0; i < 5000; i++) w.write({ num: i + 1, tsSec: i, tsNsec: i, caplen: 300, len: 300, data: B.payload(300, i), linkType: 1, interfaceId: id });
    await w.close();
    const r = readCaptureSync(p);
    expect(r.frames.length).toBe(5000);
    expect(Array.from(r.frames[4999].data)).toEqual(Array.from(B.payload(300, 4999)));
    expect(readFileSync(p).length).toBeGreaterThan(5000 * 332);
  });
});

const sample = haveTshark() ? [...fixtures().slice(0, 5), ...corpus("tcpdump", (n) => n.endsWith(".pcapng")).filter((_, i) => i % 12 === 0), ...corpus("tcpdump").filter((_, i) => i % 300 === 0)] : [];

describe.skipIf(sample.length === 0)("tshark reads what we write identically", () => {
  const fields = ["frame.time_epoch", "frame.len", "frame.cap_len", "frame.protocols", "frame.comment"];
  it(`read → write pcapng → tshark, on ${sample.length} files`, async () => {
    const bad: string[] = [];
    let frames = 0;
    for (const f of sample) {
      let orig: string[][];
      try {
        readCaptureSync(f);
        orig = tsharkFields(f, fields);
      } catch {
        continue;
      }
      const out = join(dir, basename(f) + ".out.pcapng");
      await copy(f, out, "pcapng");
      const again = tsharkFields(out, fields);
      frames += again.length;
      if (JSON.stringify(again) !== JSON.stringify(orig)) bad.push(basename(f));
    }
    console.log(`tshark reads ${frames} frames written by PcapngWriter identically`);
    expect(bad).toEqual([]);
  }, 300_000);

  it("capinfos agrees on counts, encapsulation and precision", async () => {
    const f = sample[0];
    const out = join(dir, "capinfos.pcapng");
    const n = await copy(f, out, "pcapng");
    const r = spawnSync("capinfos", ["-c", "-E", "-T", "-r", out], { encoding: "utf8" });
    if (r.status === null || r.error) return; // capinfos absent
    const line = r.stdout.trim().split("\n").pop()!.split("\t");
    expect(Number(line[2] ?? line[1])).toBe(n);
  }, 60_000);
});
