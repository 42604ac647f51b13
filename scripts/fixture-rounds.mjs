// Every Ethernet frame of the fixtures, in rounds, with timestamps 100 µs apart, until
// `count` frames: the benchmark's capture (bench/run.mjs) and, small, a test's
// (test/output/verbose-rounds.test.ts). Later rounds meet the state the earlier ones
// left (streams on the same ports again, FINs seen before). Uses the built dist/.
import { readdirSync } from "node:fs";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "..");

/** The fixtures' Ethernet frames, files in name order. */
export async function fixtureFrames() {
  const { readCaptureSync } = await import(join(ROOT, "dist", "src", "capture", "reader.js"));
  const dir = join(ROOT, "fixtures");
  const files = readdirSync(dir).filter((f) => /\.(pcap|pcapng)$/.test(f)).sort().map((f) => join(dir, f));
  const frames = [];
  for (const f of files) {
    const r = readCaptureSync(f);
    for (const fr of r.frames) if (fr.linkType === 1) frames.push(fr);
  }
  if (frames.length === 0) throw new Error("no Ethernet fixtures to build the capture from");
  return frames;
}

/** `count` frames of rounds of fixtureFrames() into a pcapng file `out`. */
export async function writeFixtureRounds(out, count) {
  const { PcapngWriter } = await import(join(ROOT, "dist", "src", "capture", "writer.js"));
  const frames = await fixtureFrames();
  const w = new PcapngWriter(out);
  w.addInterface({ linkType: 1, snaplen: 262144, tsresol: 1e9, tsoffset: 0, name: "bench" });
  let t = 1_700_000_000;
  for (let n = 0; n < count; ) {
    for (const fr of frames) {
      if (n >= count) break;
      t += 0.0001;
      const s = Math.floor(t);
      w.write({ ...fr, num: ++n, interfaceId: 0, tsSec: s, tsNsec: Math.floor((t - s) * 1e9) });
    }
  }
  await w.close();
}
