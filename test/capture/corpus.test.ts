/**
 * The reader over the public corpora: every file reads or fails with a CaptureError
 * (never another exception), and classic pcap files agree with the pcap-parser package.
 */
import { createRequire } from "node:module";
import { statSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Frame } from "../../src/capture/frame.js";
import { CaptureError, readCaptureSync, readCaptureSyncPartial } from "../../src/capture/reader.js";
import { corpus } from "../helpers/tshark.js";

const require = createRequire(import.meta.url);
const pcapParser = require("pcap-parser") as { parse(input: string): NodeJS.EventEmitter };

const tcpdump = corpus("tcpdump");
const all = [...tcpdump, ...corpus("suricata-verify"), ...corpus("zeek-openvpn")];

describe.skipIf(all.length === 0)("corpus", () => {
  it(`every one of ${all.length} files reads or fails with a CaptureError`, () => {
    const kinds: Record<string, number> = { ok: 0, warning: 0, format: 0, corrupt: 0, unsupported: 0 };
    let frames = 0;
    for (const f of all) {
      try {
        const r = readCaptureSync(f);
        frames += r.frames.length;
        kinds[r.warnings.length ? "warning" : "ok"]++;
        for (const fr of r.frames) {
          expect(fr.data.length).toBe(fr.caplen);
          expect(fr.tsNsec).toBeGreaterThanOrEqual(-(2 ** 31));
        }
      } catch (e) {
        if (!(e instanceof CaptureError)) throw new Error(`${f}: ${String(e)}`);
        kinds[e.kind]++;
        // The partial reader returns the same frames the streaming one yielded before failing.
        const p = readCaptureSyncPartial(f);
        expect(p.error?.message).toBe(e.message);
      }
    }
    console.log(`corpus: ${all.length} files, ${frames} frames`, kinds);
    expect(kinds.ok).toBeGreaterThan(all.length * 0.9);
  });
});

interface PP {
  sec: number;
  usec: number;
  caplen: number;
  len: number;
  data: Uint8Array;
}

function parseWithPcapParser(file: string): Promise<PP[]> {
  return new Promise((resolve, reject) => {
    const out: PP[] = [];
    const p = pcapParser.parse(file);
    p.on("packet", (pkt: { header: { timestampSeconds: number; timestampMicroseconds: number; capturedLength: number; originalLength: number }; data: Buffer }) => {
      out.push({ sec: pkt.header.timestampSeconds, usec: pkt.header.timestampMicroseconds, caplen: pkt.header.capturedLength, len: pkt.header.originalLength, data: pkt.data });
    });
    p.on("error", reject);
    p.on("end", () => resolve(out));
  });
}

describe.skipIf(tcpdump.length === 0)("pcap-parser cross-check", () => {
  // pcap-parser reads standard µs pcap 2.4 only, and copies its whole buffer per chunk:
  // keep to small files in that format that nestcap reads cleanly as plain pcap.
  const files = tcpdump.filter((f) => {
    if (!f.endsWith(".pcap") || statSync(f).size > 400_000) return false;
    const r = readCaptureSyncPartial(f);
    return r.error === null && r.warnings.length === 0 && r.info?.variant === "pcap" && r.info.version?.major === 2 && r.info.version.minor === 4;
  });

  it(`same packets as pcap-parser on ${files.length} classic pcap files`, async () => {
    let packets = 0;
    for (const f of files) {
      const ours: Frame[] = readCaptureSync(f).frames;
      const theirs = await parseWithPcapParser(f);
      expect(ours.length, f).toBe(theirs.length);
      for (let i = 0; i < ours.length; i++) {
        const a = ours[i];
        const b = theirs[i];
        const phdr = a.pseudoHeader?.length ?? 0;
        expect([a.tsSec, a.tsNsec, a.caplen + phdr, (a.len + phdr) >>> 0], `${f} #${i + 1}`).toEqual([b.sec, Math.imul(b.usec, 1000), b.caplen, b.len]);
        expect(Buffer.compare(Buffer.from(a.data), b.data.subarray(phdr)), `${f} #${i + 1} bytes`).toBe(0);
      }
      packets += ours.length;
    }
    console.log(`pcap-parser agrees on ${files.length} files, ${packets} packets`);
    expect(files.length).toBeGreaterThan(300);
  }, 120_000);
});
