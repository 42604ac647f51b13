/**
 * VXLAN (dissectors/vxlan.ts) against tshark 4.0: the tcpdump corpus's VXLAN captures
 * (ICMP and TCP, over IPv4 and IPv6) and hand-built headers with every flag, a Group Policy
 * ID, a cut header and an empty inner frame: summary, -V and the vxlan fields equal tshark's.
 * --layers nests the inner frame inside VXLAN; truncated and mutated headers never throw.
 */
import { basename } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readCaptureSync } from "../../src/capture/reader.js";
import { Dissector } from "../../src/core/dissect.js";
import { layersOf } from "../../src/output/layers.js";
import { corpus, haveTshark, runCli, tsharkText } from "../helpers/tshark.js";
import { eth, ip4, u16, writePcap } from "./ip-build.js";

const FIELDS = ["vxlan.flags", "vxlan.flag_g", "vxlan.flag_i", "vxlan.flag_d", "vxlan.flag_a", "vxlan.flags_reserved",
  "vxlan.gbp", "vxlan.vni", "vxlan.reserved8", "eth.src", "ip.src", "frame.protocols"];

function udp(sport: number, dport: number, payload: number[]): Uint8Array {
  return new Uint8Array([...u16(sport), ...u16(dport), ...u16(8 + payload.length), 0, 0, ...payload]);
}
const inner = [...eth(ip4(new Uint8Array([8, 0, 0xf7, 0xff, 0, 0, 0, 0]), { proto: 1, src: [192, 168, 0, 1], dst: [192, 168, 0, 2] }))];

function hand(): string {
  const vx = (flags: number, gbp: number, vni: number, rsv: number, rest: number[]): Uint8Array =>
    eth(ip4(udp(40000, 4789, [...u16(flags), ...u16(gbp), (vni >>> 16) & 255, (vni >>> 8) & 255, vni & 255, rsv, ...rest])));
  const full = vx(0x88c8, 0x1234, 0xabcdef, 7, inner);
  return writePcap("vxlan-hand.pcap", [
    vx(0x0800, 0, 5001, 0, inner), // the usual: I flag, VNI
    full, // G, I, D, A and a Group Policy ID; a non-zero reserved byte
    vx(0x77b7, 0, 1, 0, inner), // every reserved flag bit
    vx(0x0800, 0, 2, 0, []), // no inner frame
    { data: full.subarray(0, 14 + 20 + 8 + 5), len: full.length }, // header cut by the snaplen
  ]);
}

const fieldArgs = ["-T", "fields", "-E", "occurrence=a", ...FIELDS.flatMap((f) => ["-e", f])];

const files = corpus("tcpdump", (n) => /vxlan/.test(n) && !/gpe/.test(n));

describe.skipIf(!haveTshark())("vxlan vs tshark", () => {
  it.each([...files, "hand-built"])("%s: summary, -V and fields", (name) => {
    const file = name === "hand-built" ? hand() : name;
    for (const args of [[], ["-V"], fieldArgs]) {
      const ours = runCli(["-r", file, ...args]).stdout;
      // (the bigtcp captures' UDP length is 0: tshark goes no further than UDP either)
      if (args[0] === "-V" && !/bigtcp/.test(name)) expect(ours).toContain("Virtual eXtensible Local Area Network");
      expect(ours, `${basename(file)} ${args.join(" ")}`).toBe(tsharkText(["-n", "-r", file, ...args]));
    }
  });
});

describe("vxlan", () => {
  it("--layers: the inner frame is a doll inside VXLAN, each layer reaching the frame's end", () => {
    const file = hand();
    const d = new Dissector({ tree: true });
    const ls = layersOf(d.dissect(readCaptureSync(file).frames[0]));
    expect(ls.map((l) => l.abbrev)).toEqual(["eth", "ip", "udp", "vxlan", "eth", "ip", "icmp"]);
    expect(ls.map((l) => l.depth)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    const v = ls[3];
    expect([v.start, v.header, v.end]).toEqual([42, 8, 14 + 20 + 8 + 8 + inner.length]);
    for (const l of ls) expect(l.end).toBe(v.end);
  });

  it("cut and mutated headers never throw", () => {
    const d = new Dissector({ tree: true, columns: true });
    const base = eth(ip4(udp(40000, 4789, [8, 0, 0, 0, 0, 0x13, 0x89, 0, ...inner])));
    fc.assert(
      fc.property(fc.nat(base.length), fc.array(fc.tuple(fc.integer({ min: 42, max: base.length - 1 }), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }), (cut, muts) => {
        const b = base.slice(0, Math.max(14, cut));
        for (const [i, v] of muts) if (i < b.length) b[i] = v;
        const r = d.dissect({ num: 1, tsSec: 0, tsNsec: 0, caplen: b.length, len: base.length, data: b, linkType: 1, interfaceId: 0 });
        expect(r.pinfo.cols!.protocol).not.toBe("");
      }),
      { numRuns: 300 },
    );
  });
});
