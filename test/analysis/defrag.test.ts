/**
 * IP fragment reassembly (src/analysis/defrag.ts): unit tests of the table
 * (order, duplicates, overlaps, gaps, memory bounds) and differential tests of
 * IPv4 and IPv6 reassembly against tshark 4.0 on synthetic captures.
 */
import { describe, expect, it } from "vitest";
import { DefragTable, FD_OVERLAP, FD_OVERLAPCONFLICT, FD_MULTIPLETAILS, type Reassembly } from "../../src/analysis/defrag.js";
import { Dissector } from "../../src/core/dissect.js";
import { readCaptureSync } from "../../src/capture/reader.js";
import { formatDisagreements, haveTshark, tsharkFields } from "../helpers/tshark.js";
import { diff, eth, ip4, u16, writePcap } from "../dissectors/ip-build.js";

function bytes(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7 + seed) & 255;
  return b;
}

describe("DefragTable", () => {
  const data = bytes(48, 3);
  it("reassembles in order and out of order, copying the bytes", () => {
    for (const order of [[0, 1, 2], [2, 0, 1], [1, 2, 0]]) {
      const t = new DefragTable();
      const pieces = [0, 16, 32].map((o) => data.slice(o, o + 16));
      let r: Reassembly | null = null as Reassembly | null;
      order.forEach((k, i) => {
        const view = pieces[k];
        r = t.add("k", i + 1, k * 16, view, k !== 2);
        view.fill(0xee); // the caller's buffer is reused: the table must have copied
      });
      expect(r).not.toBeNull();
      expect(Array.from(r!.data)).toEqual(Array.from(data));
      expect(r!.frags.map((f) => f.offset)).toEqual([0, 16, 32]);
      expect(r!.flags).toBe(0);
      expect(t.pendingCount).toBe(0);
      expect(t.bufferedBytes).toBe(0);
    }
  });

  it("never completes with a missing piece and never invents data", () => {
    const t = new DefragTable();
    expect(t.add("k", 1, 0, data.subarray(0, 16), true)).toBeNull();
    expect(t.add("k", 2, 32, data.subarray(32, 48), false)).toBeNull();
    expect(t.pendingCount).toBe(1);
    expect(t.bufferedBytes).toBe(32);
  });

  it("flags duplicates and conflicting overlaps; the first data wins", () => {
    const t = new DefragTable();
    t.add("k", 1, 0, data.subarray(0, 16), true);
    t.add("k", 2, 0, data.subarray(0, 16), true); // exact duplicate
    const bad = data.slice(8, 24);
    bad[0] ^= 0xff;
    t.add("k", 3, 8, bad, true); // overlapping, conflicting
    const r = t.add("k", 4, 24, data.subarray(24, 48), false)!;
    expect(r).not.toBeNull();
    expect(Array.from(r.data)).toEqual(Array.from(data));
    expect(r.flags & FD_OVERLAP).toBeTruthy();
    expect(r.flags & FD_OVERLAPCONFLICT).toBeTruthy();
    expect(r.frags.map((f) => f.frame)).toEqual([1, 2, 3, 4]);
    expect(r.frags[1].flags).toBe(FD_OVERLAP);
    expect(r.frags[2].flags).toBe(FD_OVERLAP | FD_OVERLAPCONFLICT);
  });

  it("flags several different tails", () => {
    const t = new DefragTable();
    t.add("k", 1, 16, data.subarray(16, 32), false);
    t.add("k", 2, 16, data.subarray(16, 40), false);
    const r = t.add("k", 3, 0, data.subarray(0, 16), true)!;
    expect(r.flags & FD_MULTIPLETAILS).toBeTruthy();
    expect(r.data.length).toBe(32);
  });

  it("keeps datagrams apart by key and starts over after completion", () => {
    const t = new DefragTable();
    t.add("a", 1, 0, data.subarray(0, 16), true);
    t.add("b", 2, 0, data.subarray(0, 16), true);
    expect(t.add("a", 3, 16, data.subarray(16, 32), false)).not.toBeNull();
    expect(t.add("a", 4, 16, data.subarray(16, 32), false)).toBeNull(); // a late copy starts a new datagram
    expect(t.pendingCount).toBe(2);
  });

  it("bounds memory: oldest incomplete datagrams are dropped by size and by age", () => {
    const t = new DefragTable({ maxBytes: 1000, maxAgeFrames: 50 });
    for (let i = 0; i < 100; i++) t.add(`k${i}`, i + 1, 0, bytes(100, i), true);
    expect(t.bufferedBytes).toBeLessThanOrEqual(1000);
    expect(t.dropped).toBeGreaterThan(0);
    const u = new DefragTable({ maxAgeFrames: 10 });
    u.add("old", 1, 0, bytes(10, 1), true);
    u.add("new", 100, 0, bytes(10, 1), true);
    expect(u.pendingCount).toBe(1);
  });
});

// ------------------------------------------------------------- vs tshark --

const V4_FIELDS = [
  "ip.id", "ip.flags.mf", "ip.frag_offset", "ip.fragment", "ip.fragment.count", "ip.reassembled.length",
  "ip.fragments", "ip.reassembled.data", "ip.fragment.overlap", "ip.fragment.overlap.conflict",
  "ip.fragment.multipletails", "ip.fragment.toolongfragment", "ip.fragment.error", "ip.reassembled_in",
  "data.data", "data.len",
];
const V6_FIELDS = [
  "ipv6.fraghdr.nxt", "ipv6.fraghdr.offset", "ipv6.fraghdr.more", "ipv6.fraghdr.ident", "ipv6.fragment",
  "ipv6.fragment.count", "ipv6.reassembled.length", "ipv6.reassembled.data", "ipv6.fragment.overlap",
  "ipv6.fragment.overlap.conflict", "data.data", "data.len",
];

/** A UDP datagram's bytes (header + payload), checksum left 0. */
function udp(n: number, seed: number): Uint8Array {
  const p = bytes(n, seed);
  const out = new Uint8Array(8 + n);
  out.set([0x30, 0x39, 0x30, 0x3a, ...u16(8 + n), 0, 0]);
  out.set(p, 8);
  return out;
}

function frag4(dg: Uint8Array, id: number, off: number, len: number, more: boolean, src = [10, 0, 0, 1]): Uint8Array {
  return eth(ip4(dg.subarray(off, off + len), { id, off: off / 8, flags: more ? 1 : 0, proto: 17, src }));
}

const SRC6 = [0xfd, 0, ...new Array(13).fill(0), 1];
const DST6 = [0xfd, 0, ...new Array(13).fill(0), 2];
function frag6(dg: Uint8Array, ident: number, off: number, len: number, more: boolean): Uint8Array {
  const fh = [17, 0, ...u16(off | (more ? 1 : 0)), (ident >>> 24) & 255, (ident >>> 16) & 255, (ident >>> 8) & 255, ident & 255];
  const pl = new Uint8Array([...fh, ...dg.subarray(off, off + len)]);
  const h = new Uint8Array([0x60, 0, 0, 0, ...u16(pl.length), 44, 64, ...SRC6, ...DST6]);
  const out = new Uint8Array(40 + pl.length);
  out.set(h);
  out.set(pl, 40);
  return eth(out, 0x86dd);
}

function v4Scenarios(): Uint8Array[] {
  const a = udp(56, 1), b = udp(56, 2), c = udp(56, 3), d = udp(56, 4), e = udp(40, 5);
  const conflicting = udp(56, 9);
  return [
    // in order
    frag4(a, 1, 0, 24, true), frag4(a, 1, 24, 24, true), frag4(a, 1, 48, 16, false),
    // out of order
    frag4(b, 2, 48, 16, false), frag4(b, 2, 0, 24, true), frag4(b, 2, 24, 24, true),
    // duplicate before completion
    frag4(c, 3, 0, 32, true), frag4(c, 3, 0, 32, true), frag4(c, 3, 32, 32, false),
    // overlapping with conflicting data
    frag4(d, 4, 0, 32, true), frag4(conflicting, 4, 16, 24, true), frag4(d, 4, 40, 24, false),
    // a missing middle piece: never completes
    frag4(e, 5, 0, 16, true), frag4(e, 5, 32, 16, false),
    // same id from another source: a different datagram, incomplete
    frag4(a, 1, 0, 24, true, [10, 0, 0, 9]),
    // a late duplicate of a completed datagram
    frag4(a, 1, 48, 16, false),
  ];
}

function v6Scenarios(): Uint8Array[] {
  const a = udp(56, 1), b = udp(56, 2), c = udp(56, 3);
  const bad = udp(56, 8);
  return [
    frag6(a, 0x1111, 0, 24, true), frag6(a, 0x1111, 24, 40, false),
    frag6(b, 0x2222, 32, 32, false), frag6(b, 0x2222, 0, 32, true),
    frag6(c, 0x3333, 0, 32, true), frag6(bad, 0x3333, 16, 16, true), frag6(c, 0x3333, 32, 32, false),
    frag6(a, 0x4444, 8, 16, true),
  ];
}

describe.skipIf(!haveTshark())("reassembly vs tshark", () => {
  it("IPv4: fields of fragments and reassembled datagrams agree", () => {
    const file = writePcap("frag4.pcap", v4Scenarios());
    const [cells, d] = diff(file, V4_FIELDS);
    console.log(`ipv4 reassembly: ${cells} cells, ${cells - d.length} agree`);
    expect(d, formatDisagreements(d, 30)).toEqual([]);
  });

  it("IPv4: Info of fragments agrees", () => {
    const file = writePcap("frag4-info.pcap", v4Scenarios());
    const t = tsharkFields(file, ["_ws.col.Info", "frame.protocols"]);
    const dis = new Dissector({ columns: true });
    const frames = readCaptureSync(file).frames;
    frames.forEach((fr, i) => {
      const r = dis.dissect(fr);
      const ours = r.pinfo.layers.slice(1).join(":");
      // what follows udp belongs to the udp dissector
      expect(ours.replace(/:udp.*$/, ":udp"), `frame ${i + 1} protocols`).toBe(t[i][1].replace(/:udp.*$/, ":udp"));
      if (t[i][1].endsWith(":ip:data")) expect(r.pinfo.cols!.info, `frame ${i + 1}`).toBe(t[i][0]);
    });
  });

  it("IPv6: fields of fragments and reassembled datagrams agree", () => {
    const file = writePcap("frag6.pcap", v6Scenarios());
    const [cells, d] = diff(file, V6_FIELDS);
    console.log(`ipv6 reassembly: ${cells} cells, ${cells - d.length} agree`);
    expect(d, formatDisagreements(d, 30)).toEqual([]);
  });
});
