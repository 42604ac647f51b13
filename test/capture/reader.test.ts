/** Capture reader unit tests on hand-built files (test/helpers/build.ts). */
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import type { Frame } from "../../src/capture/frame.js";
import { splitTs } from "../../src/capture/pcapng.js";
import { CaptureError, CaptureReader, readCapture, readCaptureSync, readCaptureSyncPartial } from "../../src/capture/reader.js";
import * as B from "../helpers/build.js";

const dir = mkdtempSync(join(tmpdir(), "nestcap-reader-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function file(bytes: Uint8Array, name = `f${n++}.bin`): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}
const ts = (f: Frame) => `${f.tsSec}.${String(f.tsNsec).padStart(9, "0")}`;
const p60 = B.payload(60, 7);

function expectError(fn: () => unknown, kind: string, msg: RegExp): CaptureError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CaptureError);
    const ce = e as CaptureError;
    expect(ce.kind).toBe(kind);
    expect(ce.message).toMatch(msg);
    return ce;
  }
  throw new Error("expected a CaptureError");
}

describe("classic pcap", () => {
  for (const le of [true, false]) {
    for (const ns of [false, true]) {
      it(`${le ? "little" : "big"}-endian, ${ns ? "ns" : "µs"} timestamps`, () => {
        const recs = [
          { sec: 1700000000, frac: ns ? 123456789 : 123456, data: p60 },
          { sec: 1700000001, frac: ns ? 999999999 : 999999, data: B.payload(1514, 2) },
          { sec: 0xfffffff0, frac: 0, data: B.payload(10, 3), len: 1000 },
        ];
        const path = file(B.pcap(recs, { le, ns, linkType: 101, snaplen: 1600 }));
        const r = readCaptureSync(path);
        expect(r.warnings).toEqual([]);
        expect(r.info.format).toBe("pcap");
        expect(r.info.bigEndian).toBe(!le);
        expect(r.info.nanosecond).toBe(ns);
        expect(r.info.interfaces).toEqual([{ linkType: 101, snaplen: 1600, tsresol: ns ? 1e9 : 1e6, tsoffset: 0 }]);
        expect(r.frames.map(ts)).toEqual(ns ? ["1700000000.123456789", "1700000001.999999999", "4294967280.000000000"] : ["1700000000.123456000", "1700000001.999999000", "4294967280.000000000"]);
        expect(r.frames.map((f) => [f.num, f.caplen, f.len, f.linkType, f.interfaceId])).toEqual([
          [1, 60, 60, 101, 0],
          [2, 1514, 1514, 101, 0],
          [3, 10, 1000, 101, 0],
        ]);
        expect(r.frames[1].data).toEqual(B.payload(1514, 2));
        expect(r.frames[0].iface).toBeUndefined();
      });
    }
  }

  it("masks the FCS bits of the link-type field", () => {
    const r = readCaptureSync(file(B.pcap([{ sec: 1, frac: 0, data: p60 }], { linkType: 0x34000001 })));
    expect(r.frames[0].linkType).toBe(1);
    expect(r.info.fcsBits).toBe(48);
    // Upper bits without the FCS flag are ignored as well.
    expect(readCaptureSync(file(B.pcap([{ sec: 1, frac: 0, data: p60 }], { linkType: 0x30000001 }))).frames[0].linkType).toBe(1);
  });

  it("caplen < len is fine (snapped packets)", () => {
    const r = readCaptureSync(file(B.pcap([{ sec: 1, frac: 0, data: B.payload(68), len: 1514 }], { snaplen: 68 })));
    expect([r.frames[0].caplen, r.frames[0].len, r.frames[0].data.length]).toEqual([68, 1514, 68]);
  });

  it("swaps the lengths of version < 2.3 files, and of 2.3 files when caplen > len", () => {
    const a = readCaptureSync(file(B.pcap([{ sec: 1, frac: 0, data: p60, caplen: 100, len: 60 }], { minor: 2 })));
    expect([a.frames[0].caplen, a.frames[0].len]).toEqual([60, 100]);
    const b = readCaptureSync(file(B.pcap([{ sec: 1, frac: 0, data: p60, caplen: 100, len: 60 }, { sec: 1, frac: 0, data: p60, len: 70 }], { minor: 3 })));
    expect(b.frames.map((f) => [f.caplen, f.len])).toEqual([
      [60, 100],
      [60, 70],
    ]);
  });

  it("strips a SunATM pseudo-header as Wireshark does", () => {
    const data = Uint8Array.from([1, 0, 5, 0, 0xaa, 0xbb, 0xcc]);
    const r = readCaptureSync(file(B.pcap([{ sec: 1, frac: 0, data }], { linkType: 123 })));
    expect([r.frames[0].caplen, r.frames[0].len]).toEqual([3, 3]);
    expect(Array.from(r.frames[0].data)).toEqual([0xaa, 0xbb, 0xcc]);
    expect(Array.from(r.frames[0].pseudoHeader!)).toEqual([1, 0, 5, 0]);
  });

  it("an empty capture has no frames", () => {
    const r = readCaptureSync(file(B.pcapHeader()));
    expect(r.frames).toEqual([]);
    expect(r.warnings).toEqual([]);
  });

  it("cut short in a record: every complete record, then a warning", () => {
    const whole = B.pcap([1, 2, 3].map((i) => ({ sec: i, frac: 0, data: B.payload(100, i) })));
    for (const cut of [1, 50, 100, 110]) {
      const path = file(whole.subarray(0, whole.length - cut), "cut.pcap");
      const r = readCaptureSync(path);
      expect(r.frames.length).toBe(2);
      expect(r.warnings).toEqual([`The file "${path}" appears to have been cut short in the middle of a packet.`]);
    }
  });

  it("cut short in the file header: an error, like tshark's", () => {
    const path = file(B.pcapHeader().subarray(0, 20));
    expectError(() => readCaptureSync(path), "corrupt", /appears to have been cut short in the middle of a packet or other data\.$/);
  });

  it("an absurd record length: the frames before it, then an error naming the offset", () => {
    const bytes = B.pcap([
      { sec: 1, frac: 0, data: p60 },
      { sec: 2, frac: 0, data: p60 },
      { sec: 3, frac: 0, data: p60 },
      { sec: 4, frac: 0, data: p60, caplen: 0x7fffffff },
    ]);
    const path = file(bytes);
    const part = readCaptureSyncPartial(path);
    expect(part.frames.length).toBe(3);
    expect(part.error?.kind).toBe("corrupt");
    expect(part.error?.offset).toBe(24 + 3 * 76);
    expect(part.error?.message).toBe(`The file "${path}" appears to be damaged or corrupt.\n(pcap: File has 2147483647-byte packet, bigger than maximum of 262144)`);
    expectError(() => readCaptureSync(path), "corrupt", /File has 2147483647-byte packet/);
  });

  it("unsupported versions and link types", () => {
    expectError(() => readCaptureSync(file(B.pcap([], { major: 1 }))), "unsupported", /\(pcap: major version 1 unsupported\)$/);
    expectError(() => readCaptureSync(file(B.pcap([], { linkType: 0x00020001 }))), "unsupported", /network type reserved field not zero \(0x00020000\)/);
    expectError(() => readCaptureSync(file(B.pcap([], { linkType: 284 }))), "unsupported", /pcap: network type 284 unknown or unsupported/);
  });
});

describe("not a capture file", () => {
  it("text, random bytes, short files", () => {
    for (const bytes of [new TextEncoder().encode("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), B.payload(4096, 9), Uint8Array.of(0xd4, 0xc3), B.shb().subarray(0, 8)]) {
      const path = file(bytes);
      expectError(() => readCaptureSync(path), "format", new RegExp(`^The file "${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}" isn't a capture file in a format nestcap understands\\.$`));
    }
  });

  it("an empty file reads as an empty capture (as tshark does)", () => {
    const r = readCaptureSync(file(new Uint8Array(0)));
    expect(r.frames).toEqual([]);
  });

  it("the async reader rejects at open", async () => {
    await expect(CaptureReader.open(file(B.payload(100, 3)))).rejects.toMatchObject({ kind: "format" });
  });
});

describe("pcapng", () => {
  for (const le of [true, false]) {
    it(`${le ? "little" : "big"}-endian section with IDB options, EPB, comments, flags`, () => {
      const path = file(
        B.pcapng(
          B.shb(le, [{ code: 1, value: "section comment" }, { code: 4, value: "builder" }]),
          B.idb({ linkType: 1, snaplen: 65535, name: "eth0", description: "first" }, le),
          B.idb({ linkType: 101, snaplen: 0, name: "tun0", tsresol: 9 }, le),
          B.epb({ iface: 0, ts: 1700000000123456n, data: p60, comments: ["one", "two ünïcode"], flags: 0x1 }, le),
          B.epb({ iface: 1, ts: 1700000000123456789n, data: B.payload(40, 2), len: 1500 }, le),
        ),
      );
      const r = readCaptureSync(path);
      expect(r.info.format).toBe("pcapng");
      expect(r.info.bigEndian).toBe(!le);
      expect(r.info.shb).toEqual({ comments: ["section comment"], userAppl: "builder" });
      expect(r.info.interfaces).toEqual([
        { linkType: 1, snaplen: 65535, name: "eth0", description: "first", tsresol: 1e6, tsoffset: 0 },
        { linkType: 101, snaplen: 0, name: "tun0", tsresol: 1e9, tsoffset: 0 },
      ]);
      expect(r.frames.map(ts)).toEqual(["1700000000.123456000", "1700000000.123456789"]);
      expect(r.frames.map((f) => [f.interfaceId, f.linkType, f.caplen, f.len, f.iface?.name])).toEqual([
        [0, 1, 60, 60, "eth0"],
        [1, 101, 40, 1500, "tun0"],
      ]);
      expect(r.frames[0].comments).toEqual(["one", "two ünïcode"]);
      expect(r.frames[0].flags).toBe(1);
      expect(r.frames[1].comments).toBeUndefined();
      expect(r.frames[0].data).toEqual(p60);
    });
  }

  it("if_tsresol 10^-3, 10^-6, 10^-9, 2^-10, 10^-12 and if_tsoffset, exactly as tshark computes them", () => {
    const path = file(
      B.pcapng(
        B.shb(),
        B.idb({ tsresol: 3 }),
        B.idb({ tsresol: 0x8a }),
        B.idb({ tsresol: 12 }),
        B.idb({ tsresol: 9, tsoffset: 100n }),
        B.idb({ tsoffset: -5n }),
        B.epb({ iface: 0, ts: 1700000000123n, data: p60 }),
        B.epb({ iface: 1, ts: 1700000000n * 1024n + 1023n, data: p60 }),
        B.epb({ iface: 2, ts: 1700000000n * 10n ** 12n + 123456789123n, data: p60 }),
        B.epb({ iface: 3, ts: 1700000000123456789n, data: p60 }),
        B.epb({ iface: 4, ts: 1700000000123456n, data: p60 }),
        B.epb({ iface: 3, ts: 0xffffffffffffffffn, data: p60 }),
      ),
    );
    // Values checked against tshark 4.0 -T fields -e frame.time_epoch (the 10^-12 one wraps
    // at 2^64 in the file and in Wireshark's ns arithmetic alike).
    expect(readCaptureSync(path).frames.map(ts)).toEqual([
      "1700000000.123000000",
      "1700000000.999023437",
      "2899545.010136647",
      "1700000100.123456789",
      "1699999995.123456000",
      "18446744173.709551615",
    ]);
  });

  it("splitTs agrees with BigInt arithmetic on random inputs", () => {
    let x = 12345;
    const rnd = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0);
    const out = { s: 0, ns: 0 };
    for (const units of [1, 1000, 1e6, 1e9, 1024, 2 ** 30, 2 ** 33, 1e12, 2 ** 40, 1e15]) {
      for (let i = 0; i < 300; i++) {
        const hi = i % 3 === 0 ? rnd() % 0x200000 : rnd();
        const lo = rnd();
        splitTs(hi, lo, units, out);
        const t = (BigInt(hi) << 32n) | BigInt(lo);
        const u = BigInt(units);
        expect(out.s).toBe(Number(t / u));
        expect(out.ns).toBe(Number((((t % u) * 1000000000n) % (1n << 64n)) / u));
      }
    }
  });

  it("several sections: byte order per section, interface ids global, section-local id kept", () => {
    const path = file(
      B.pcapng(
        B.shb(),
        B.idb({ name: "a" }),
        B.idb({ name: "b" }),
        B.epb({ iface: 1, ts: 1n, data: p60 }),
        B.shb(false),
        B.idb({ name: "c", linkType: 101, tsresol: 9 }, false),
        B.epb({ iface: 0, ts: 2n, data: p60, comments: ["hello", "world"] }, false),
        B.shb(),
        B.idb({ name: "d" }),
        B.idb({ name: "e" }),
        B.epb({ iface: 1, ts: 3n, data: p60 }),
      ),
    );
    const r = readCaptureSync(path);
    expect(r.info.sections).toBe(3);
    expect(r.info.interfaces.map((i) => i.name)).toEqual(["a", "b", "c", "d", "e"]);
    expect(r.frames.map((f) => [f.interfaceId, f.localInterfaceId, f.iface?.name, f.linkType, ts(f)])).toEqual([
      [1, undefined, "b", 1, "0.000001000"],
      [2, 0, "c", 101, "0.000000002"],
      [4, 1, "e", 1, "0.000003000"],
    ]);
    expect(r.frames[1].comments).toEqual(["hello", "world"]);
  });

  it("SPB: length from the block, snaplen of IDB 0, no timestamp", () => {
    const path = file(B.pcapng(B.shb(), B.idb({ snaplen: 40 }), B.spb(60, p60.subarray(0, 40)), B.spb(30, p60.subarray(0, 30)), B.spb(39, p60.subarray(0, 39))));
    const r = readCaptureSync(path);
    expect(r.frames.map((f) => [f.caplen, f.len, f.data.length, f.noTimestamp])).toEqual([
      [40, 60, 40, true],
      [30, 30, 30, true],
      [39, 39, 39, true],
    ]);
    expect(r.frames[0].data).toEqual(p60.subarray(0, 40));
  });

  it("SPB too short for its packet is corrupt", () => {
    const path = file(B.pcapng(B.shb(), B.idb({ snaplen: 0 }), B.spb(60, p60.subarray(0, 40))));
    expectError(() => readCaptureSync(path), "corrupt", /total block length 56 of an SPB is too small for 60 bytes of packet data/);
  });

  it("obsolete PB, NRB, ISB, custom and unknown blocks", () => {
    const path = file(
      B.pcapng(
        B.shb(),
        B.idb({}),
        B.pb({ ts: 1700000000000001n, data: p60, comments: ["c1"], flags: 2 }),
        B.nrb([
          { ip: [10, 0, 0, 1], names: ["a.example", "b.example"] },
          { ip: [0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], names: ["v6.example"] },
        ]),
        B.isb(0, 5n),
        B.block(0x00000bad, B.payload(13)),
        B.block(0x40000bad, B.payload(8)),
        B.block(0x12345678, new Uint8Array(0)),
        B.epb({ ts: 1700000000000002n, data: p60 }),
      ),
    );
    const r = readCaptureSync(path);
    expect(r.frames.map(ts)).toEqual(["1700000000.000001000", "1700000000.000002000"]);
    expect(r.frames[0].comments).toEqual(["c1"]);
    expect(r.frames[0].flags).toBe(2);
    expect(r.info.nameResolution?.map((x) => [x.family, Array.from(x.address).length, x.names])).toEqual([
      [4, 4, ["a.example", "b.example"]],
      [6, 16, ["v6.example"]],
    ]);
  });

  it("an interface index out of range: frames before it, then corrupt", () => {
    const path = file(B.pcapng(B.shb(), B.idb({}), B.epb({ ts: 1n, data: p60 }), B.epb({ iface: 3, ts: 1n, data: p60 })));
    const part = readCaptureSyncPartial(path);
    expect(part.frames.length).toBe(1);
    expect(part.error?.message).toMatch(/\(pcapng: interface index 3 is not less than section interface count 1\)$/);
    expect(part.error?.offset).toBe(28 + 20 + 92);
  });

  it("absurd block lengths and mismatched trailers are corrupt, after the frames before them", () => {
    const head = B.pcapng(B.shb(), B.idb({}), B.epb({ ts: 1n, data: p60 }));
    const cases: [Uint8Array, RegExp][] = [
      [B.block(6, new Uint8Array(32), true, { totalOverride: 0x7ffffff0 }), /total block length 2147483632 is too large \(> 134348832\)/],
      [B.block(6, new Uint8Array(32), true, { trailerOverride: 48 }), /total block lengths \(first 44 and second 48\) don't match/],
      [B.block(6, new Uint8Array(8)), /total block length 20 of an EPB is less than the minimum EPB size 32/],
      [B.epb({ ts: 1n, data: p60, caplen: 300000 }), /total block length 92 of an EPB is too small for 300000 bytes of packet data/],
      [B.epb({ ts: 1n, data: B.payload(262200) }), /cap_len 262200 is larger than 262144/],
    ];
    for (const [bad, msg] of cases) {
      const path = file(B.concat(head, bad, B.epb({ ts: 2n, data: p60 })));
      const part = readCaptureSyncPartial(path);
      expect(part.frames.length).toBe(1);
      expect(part.error?.kind).toBe("corrupt");
      expect(part.error?.offset).toBe(head.length);
      expect(part.error?.message).toMatch(msg);
    }
  });

  it("cut short: in a packet block → warning; in the header blocks → error", () => {
    const whole = B.pcapng(B.shb(), B.idb({}), B.epb({ ts: 1n, data: p60 }), B.epb({ ts: 2n, data: p60 }));
    for (const cut of [1, 10, 50, 88]) {
      const path = file(whole.subarray(0, whole.length - cut));
      const r = readCaptureSync(path);
      expect(r.frames.length).toBe(1);
      expect(r.warnings).toEqual([`The file "${path}" appears to have been cut short in the middle of a packet.`]);
    }
    const shbIdb = B.pcapng(B.shb(), B.idb({ name: "x" }));
    for (const len of [20, 28 + 10]) {
      expectError(() => readCaptureSync(file(shbIdb.subarray(0, len))), "corrupt", /cut short in the middle of a packet or other data\.$/);
    }
  });

  it("unknown SHB version is unsupported; a bad byte-order magic is not a capture file", () => {
    expectError(() => readCaptureSync(file(B.pcapng(B.shb(true, undefined, [2, 0]), B.idb({})))), "unsupported", /pcapng: unknown SHB version 2\.0/);
    const bad = B.shb();
    bad[8] = 0;
    expectError(() => readCaptureSync(file(bad)), "format", /isn't a capture file/);
  });
});

describe("block boundaries and streams", () => {
  /** A file of many records of varied sizes, some bigger than the reader's block. */
  function bigPcapng(): Uint8Array {
    const blocks: Uint8Array[] = [B.shb(), B.idb({ tsresol: 9 }), B.idb({ linkType: 101 })];
    for (let i = 0; i < 400; i++) {
      const size = i % 50 === 49 ? 9000 + i : (i * 37) % 1600;
      blocks.push(B.epb({ iface: i & 1, ts: BigInt(i) * 1000003n, data: B.payload(size, i), comments: i % 7 === 0 ? [`c${i}`] : undefined }));
    }
    return B.concat(...blocks);
  }
  function bigPcap(): Uint8Array {
    const recs: B.PcapRecord[] = [];
    for (let i = 0; i < 400; i++) recs.push({ sec: i, frac: i * 999, data: B.payload(i % 50 === 49 ? 9000 + i : (i * 37) % 1600, i) });
    return B.pcap(recs, { le: false });
  }
  const sum = (d: Uint8Array) => {
    let h = 2166136261;
    for (let i = 0; i < d.length; i++) h = Math.imul(h ^ d[i], 16777619);
    return (h >>> 0).toString(16);
  };
  const summary = (fs: Frame[]) => fs.map((f) => `${f.num} ${ts(f)} ${f.caplen} ${f.interfaceId} ${f.comments?.join() ?? ""} ${sum(f.data)}`);

  for (const [name, make] of [
    ["pcapng", bigPcapng],
    ["pcap", bigPcap],
  ] as const) {
    it(`${name}: small blocks (records straddling and larger than the buffer) read the same`, async () => {
      const path = file(make());
      const ref = summary(readCaptureSync(path).frames);
      expect(ref.length).toBe(400);
      for (const bs of [64, 1000, 4096, 8192]) {
        expect(summary(readCaptureSync(path, { blockSize: bs }).frames)).toEqual(ref);
        const r = await CaptureReader.open(path, { blockSize: bs });
        const got: Frame[] = [];
        // bytesRead (the progress bar's position) only grows, and ends at the file's size
        let last = 0;
        for await (const batch of r.batches()) {
          for (const f of batch) got.push({ ...f, data: f.data.slice() });
          expect(r.bytesRead).toBeGreaterThan(last);
          last = r.bytesRead;
        }
        expect(summary(got)).toEqual(ref);
        expect(last).toBe(statSync(path).size);
      }
    });

    it(`${name}: a stream in odd-sized chunks gives the same frames as the path`, async () => {
      const bytes = make();
      const path = file(bytes);
      const ref = summary(readCaptureSync(path).frames);
      const chunks: Buffer[] = [];
      for (let o = 0, k = 1; o < bytes.length; k = (k * 7 + 3) % 5000) {
        chunks.push(Buffer.from(bytes.subarray(o, o + k + 1)));
        o += k + 1;
      }
      const got: Frame[] = [];
      for await (const f of readCapture(Readable.from(chunks))) got.push(f);
      expect(summary(got)).toEqual(ref);
      // Small reader blocks with a stream too.
      const r = await CaptureReader.open(Readable.from(chunks), { blockSize: 512 });
      const got2: Frame[] = [];
      for await (const batch of r.batches()) for (const f of batch) got2.push({ ...f, data: f.data.slice() });
      expect(summary(got2)).toEqual(ref);
    });
  }

  it("many small records: batches stop at the batch limit and resume without losing frames", async () => {
    const recs: B.PcapRecord[] = [];
    for (let i = 0; i < 7000; i++) recs.push({ sec: i, frac: 0, data: Uint8Array.of(i & 0xff, i >> 8) });
    const bytes = B.pcap(recs);
    const cutPath = file(bytes.subarray(0, bytes.length - 1));
    const path = file(bytes);
    const ref = summary(readCaptureSync(path).frames);
    expect(ref.length).toBe(7000);
    for (const bs of [undefined, 4096, 100000]) {
      const r = await CaptureReader.open(path, { blockSize: bs });
      const got: Frame[] = [];
      let maxBatch = 0;
      for await (const batch of r.batches()) {
        maxBatch = Math.max(maxBatch, batch.length);
        for (const f of batch) got.push({ ...f, data: f.data.slice() });
      }
      expect(summary(got)).toEqual(ref);
      expect(maxBatch).toBeLessThanOrEqual(2048);
      expect(r.warnings).toEqual([]);
      const c = readCaptureSync(cutPath, { blockSize: bs });
      expect(c.frames.length).toBe(6999);
      expect(c.warnings.length).toBe(1);
    }
  });

  it("a cut-short stream: all complete frames, then the warning", async () => {
    const bytes = bigPcapng();
    const r = await CaptureReader.open(Readable.from([Buffer.from(bytes.subarray(0, bytes.length - 5))]));
    let count = 0;
    for await (const batch of r.batches()) count += batch.length;
    expect(count).toBe(399);
    expect(r.warnings).toEqual(['The file "-" appears to have been cut short in the middle of a packet.']);
  });

  it("a corrupt record in the async reader: batches up to it, then the error", async () => {
    const bytes = B.concat(bigPcapng(), B.block(6, new Uint8Array(32), true, { trailerOverride: 48 }));
    const r = await CaptureReader.open(file(bytes), { blockSize: 4096 });
    let count = 0;
    await expect(
      (async () => {
        for await (const batch of r.batches()) count += batch.length;
      })(),
    ).rejects.toMatchObject({ kind: "corrupt" });
    expect(count).toBe(400);
  });

  it("views are valid for the batch; readCapture copies", async () => {
    const path = file(bigPcap());
    const kept: Frame[] = [];
    for await (const f of readCapture(path)) kept.push(f);
    expect(summary(kept)).toEqual(summary(readCaptureSync(path).frames));
  });
});
