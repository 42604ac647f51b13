/**
 * IPv6: differential tests against tshark 4.0 (fixed header, address details,
 * hop-by-hop/destination options, routing types 0 and 4, fragment header) over
 * the ipv6 fixture, corpus files with extension headers and a synthetic capture
 * (fields, -V, and the summary line: Info around extension headers, the routing
 * header's final destination);
 * unit tests (truncated header, payload length beyond the frame, jumbo without
 * the option, bad version); and a fuzz that must never throw.
 */
import { spawnSync } from "node:child_process";
import { basename, join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dissect, Dissector } from "../../src/core/dissect.js";
import { itemLabel } from "../../src/core/format.js";
import { walk } from "../../src/core/tree.js";
import { corpus, fixtures, formatDisagreements, haveTshark, ROOT, runCli, tsharkText } from "../helpers/tshark.js";
import { diff, eth, u16, writePcap } from "./ip-build.js";

const V6_FIELDS = [
  "ip.version", "ipv6.version", "ipv6.tclass", "ipv6.tclass.dscp", "ipv6.tclass.ecn", "ipv6.flow", "ipv6.plen",
  "ipv6.nxt", "ipv6.hlim", "ipv6.src", "ipv6.dst", "ipv6.addr", "ipv6.src_host", "ipv6.dst_host", "ipv6.host",
  "ipv6.src_slaac_mac", "ipv6.dst_slaac_mac", "ipv6.slaac_mac", "ipv6.src_6to4_gw_ipv4",
  "ipv6.hopopts.nxt", "ipv6.hopopts.len", "ipv6.hopopts.len_oct", "ipv6.dstopts.nxt", "ipv6.dstopts.len",
  "ipv6.opt.type", "ipv6.opt.length", "ipv6.opt.router_alert", "ipv6.opt.jumbo", "ipv6.opt.type.action",
  "ipv6.opt.type.change", "ipv6.opt.type.rest", "ipv6.opt.pmtu.min", "ipv6.opt.calipso.doi",
  "ipv6.routing.nxt", "ipv6.routing.len", "ipv6.routing.type", "ipv6.routing.segleft", "ipv6.routing.src.addr",
  "ipv6.routing.srh.addr", "ipv6.routing.srh.last_entry", "ipv6.routing.srh.flags", "ipv6.routing.srh.tag",
  "ipv6.fraghdr.nxt", "ipv6.fraghdr.offset", "ipv6.fraghdr.more", "ipv6.fraghdr.ident",
  "ipv6.fragment", "ipv6.fragment.count", "ipv6.reassembled.length",
  "ipv6.opt.tel", "ipv6.opt.unknown", "ipv6.opt_unknown_data", "ipv6.opt.pmtu.rtn", "ipv6.opt.rpl.flag",
  "ipv6.opt.rpl.flag.o", "ipv6.opt.rpl.instance_id", "ipv6.opt.rpl.sender_rank", "data.len",
];

/** Hop-by-hop (router alert, jumbo, PMTU, CALIPSO), routing 0/4, fragments, bad versions, raw IPv6 links. */
const CORPUS_V6 = new Set([
  "icmpv6.pcap", "ipv6-routing-header.pcap", "ipv6-srh-ext-header.pcap", "ip6_frag_asan.pcap",
  "ipv6-too-long-jumbo.pcap", "ipv6_jumbogram_1.pcap", "ipv6_missing_jumbo_payload_option.pcap",
  "hoobr_rt6_print.pcap", "ipv6-bad-version.pcap",
]);

const SRC = [0xfd, 0, ...new Array(13).fill(0), 1];
const DST = [0xfd, 0, ...new Array(13).fill(0), 2];
const UDP = [0x04, 0xd2, 0x16, 0x2e, 0, 12, 0, 0, 0x61, 0x62, 0x63, 0x64];

function v6(nxt: number, payload: number[], o: { plen?: number; src?: number[]; dst?: number[]; tc?: number; flow?: number } = {}): Uint8Array {
  const tc = o.tc ?? 0, flow = o.flow ?? 0;
  const w0 = (6 << 28) | (tc << 20) | flow;
  return new Uint8Array([(w0 >>> 24) & 255, (w0 >>> 16) & 255, (w0 >>> 8) & 255, w0 & 255,
    ...u16(o.plen ?? payload.length), nxt, 64, ...(o.src ?? SRC), ...(o.dst ?? DST), ...payload]);
}

function frames(): Uint8Array[] {
  const slaac = [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x02, 0x11, 0x22, 0xff, 0xfe, 0x33, 0x44, 0x55];
  const sixto4 = [0x20, 0x02, 192, 0, 2, 1, 0, 7, 0, 0, 0, 0, 0, 0, 0, 1];
  const hbh = [60, 0, 5, 2, 0, 0, 1, 0];
  const dsto = [17, 0, 1, 4, 0, 0, 0, 0];
  const srh = [17, 4, 4, 1, 1, 0, 0, 0, ...DST, ...SRC];
  const rt0 = [17, 2, 0, 1, 0, 0, 0, 0, ...DST];
  return [
    eth(v6(17, UDP, { tc: 0xb9, flow: 0x12345 }), 0x86dd),
    eth(v6(17, UDP, { src: slaac, dst: sixto4 }), 0x86dd),
    eth(v6(0, [...hbh, ...dsto, ...UDP]), 0x86dd),
    eth(v6(43, [...srh, ...UDP]), 0x86dd),
    eth(v6(43, [...rt0, ...UDP]), 0x86dd),
    eth(v6(17, UDP, { plen: 200 }), 0x86dd), // payload length beyond the frame
    eth(v6(17, UDP).subarray(0, 30), 0x86dd), // truncated header
    eth(v6(0, [17, 0, 1, 4, 0, 0, 0, 0, ...UDP], { plen: 0 }), 0x86dd), // jumbo without the option
    eth(v6(0, [17, 0, 0xc2, 4, 0, 1, 0, 0, ...UDP], { plen: 0 }), 0x86dd), // jumbo
    eth(v6(0, [17, 0, 0x1e, 2, 0xaa, 0xbb, 0x3f, 0, ...UDP]), 0x86dd), // experimental + unknown option
    eth(v6(0, [17, 0, 0, 0, 0, 0, 0, 0, ...UDP]), 0x86dd), // Pad1s
    eth(v6(0, [17, 0, 1, 9, 0, 0, 0, 0, ...UDP]), 0x86dd), // PadN past the header
    eth(v6(59, []), 0x86dd), // no next header
    eth(new Uint8Array([0x40, ...v6(17, UDP).subarray(1)]), 0x86dd), // version 4 under an IPv6 ethertype
  ];
}

describe.skipIf(!haveTshark())("ipv6 vs tshark", () => {
  it("agrees over the ipv6 fixture and corpus files with extension headers", () => {
    const files = [...fixtures((n) => n === "ipv6.pcapng"), ...corpus("tcpdump", (n) => CORPUS_V6.has(n))];
    let cells = 0;
    const bad: string[] = [];
    for (const f of files) {
      const [c, d] = diff(f, V6_FIELDS);
      cells += c;
      if (d.length) bad.push(`${basename(f)}:\n${formatDisagreements(d)}`);
    }
    console.log(`ipv6: ${files.length} files, ${cells} cells compared`);
    expect(bad, bad.join("\n")).toEqual([]);
  });

  // -V corner cases: a malformed extension header marked beside IPv6 (where tshark's
  // exception lands), "(Jumbogram)" only with a Jumbo Payload option, no segment-routing
  // marker, the TSO note as a chat; ICMPv6 node information queries and replies (with a
  // bit field's hex digits from its mask: "Reserved: 0x000")
  const VERBOSE = ["ipv6_missing_jumbo_payload_option.pcap", "hoobr_rt6_print.pcap", "ipv6-srh-insert-cksum.pcap",
    "ipv6_frag6_negative_len.pcap", "ipv6_jumbogram_1.pcap", "ipv6-srh-tlv-hmac.pcap",
    "icmpv6_nodeinfo_queryipv4.pcap", "icmpv6_nodeinfo_queryipv6.pcap", "icmpv6_nodeinfo_replyipv4.pcap",
    // a jumbo length beyond the frame and empty unknown options; an option running past the
    // captured bytes; a cut-short type 0 routing header (no notes); payload length 0 without
    // a jumbo option (the next protocol is still called, and runs out of bytes)
    "ipv6-too-long-jumbo.pcap", "ipv6-next-header-oobr-2.pcap", "ipv6-rthdr-oobr.pcap", "bigtcp-ipv6.pcap",
    "icmpv6-length-zero.pcapng"];
  it.each(corpus("tcpdump", (n) => VERBOSE.includes(n)))("-V of %s equals tshark's", (file) => {
    const env = { ...process.env, TZ: "UTC", NO_COLOR: "1" };
    const ours = spawnSync(process.execPath, [join(ROOT, "dist", "src", "cli", "nestcap.js"), "-r", file, "-V"], { env, encoding: "utf8" }).stdout;
    const theirs = spawnSync("tshark", ["-n", "-r", file, "-V"], { env, encoding: "utf8" }).stdout;
    expect(ours).toMatch(/Internet Protocol Version 6/);
    expect(ours).toBe(theirs);
  });

  // Options whose dissectors read less than their length (the rest is "Unknown Data") or
  // more (the next option starts after), options in the wrong header, RPL, a Pad1 in the
  // packet's last byte, type 0 routing headers (odd length, too many segments left, cut
  // short), bytes after No Next Header, a jumbo length under 65536.
  it("-V of options and routing headers at their edges equals tshark's", () => {
    const raw = (p: Uint8Array): Uint8Array => eth(p, 0x86dd);
    const hdr = (nh: number, opts: number[]): number[] => {
      const body = [...opts];
      const pad = (8 - ((2 + body.length) % 8)) % 8;
      if (pad === 1) body.push(0);
      else if (pad > 1) body.push(1, pad - 2, ...new Array(pad - 2).fill(0));
      return [nh, (2 + body.length) / 8 - 1, ...body];
    };
    const a1 = [0x20, 1, ...new Array(13).fill(0), 5];
    const a2 = [0x20, 1, ...new Array(13).fill(0), 6];
    const rt0 = v6(43, [59, 4, 0, 1, 0, 0, 0, 0, ...a1, ...a2]);
    const list: (Uint8Array | { data: Uint8Array; len: number })[] = [
      raw(v6(0, hdr(59, [5, 4, 0, 0, 1, 2]))), // router alert, 4 bytes long
      raw(v6(0, hdr(59, [4, 3, 7, 1, 2]))), // tunnel limit in hop-by-hop, 3 long, then a final Pad1
      raw(v6(0, hdr(59, [0x30, 6, 0, 1, 0, 2, 9, 9]))), // PMTU, 6 long
      raw(v6(0, hdr(59, [0xc2, 6, 0, 1, 0, 0, 0, 0]))), // jumbo, 6 long, with a payload length
      raw(v6(0, hdr(59, [7, 10, ...new Array(10).fill(0)]))), // CALIPSO, 10 long
      raw(v6(60, hdr(59, [0xc2, 4, 0, 1, 0, 0]))), // jumbo in destination options
      raw(v6(60, hdr(59, [4, 0, 0, 0]))), // tunnel limit, 0 long: read past its length
      raw(v6(0, [...hdr(59, [5, 0, 0, 0]), ...new Array(8).fill(0)])), // router alert 0 long; bytes after No Next Header
      raw(v6(0, hdr(59, [0xc2, 4, 0, 0, 1, 0]), { plen: 0 })), // jumbo length 256
      raw(v6(0, hdr(59, [0x63, 4, 0xa0, 7, 0x12, 0x34]))), // RPL
      raw(rt0),
      { data: raw(rt0).subarray(0, 14 + 40 + 8 + 20), len: raw(rt0).length }, // cut in the second address
      { data: raw(rt0).subarray(0, 14 + 40 + 6), len: raw(rt0).length }, // cut in the reserved field
      raw(v6(43, [59, 3, 0, 5, 0, 0, 0, 0, ...a1, ...new Array(8).fill(0)])), // odd length, 5 segments left
      raw(v6(58, [128, 0, 0x12, 0x34, 0, 1, 0, 1])), // an ICMPv6 echo request with a bad checksum (a warning to tshark)
    ];
    const file = writePcap("edge-ipv6.pcap", list);
    const env = { ...process.env, TZ: "UTC", NO_COLOR: "1" };
    const ours = spawnSync(process.execPath, [join(ROOT, "dist", "src", "cli", "nestcap.js"), "-r", file, "-V"], { env, encoding: "utf8" }).stdout;
    const theirs = spawnSync("tshark", ["-n", "-r", file, "-V"], { env, encoding: "utf8" }).stdout;
    expect(ours).toMatch(/Unknown Data: 0102/);
    expect(ours).toContain("[Expert Info (Warning/Checksum): Bad checksum [should be");
    expect(ours).toBe(theirs);
    const [cells, d] = diff(file, V6_FIELDS);
    expect(d, formatDisagreements(d, 30)).toEqual([]);
    expect(cells).toBeGreaterThan(0);
  });

  // The summary line: an extension header's name in Info when nothing after it sets one
  // (cut short, malformed), "IPv6 no next header", "Unknown IP Protocol: NAME (N)" for a
  // next header no dissector takes, and the routing header's final address as the
  // destination (column and conversations) while segments are left.
  it("summary lines and conversations around extension headers equal tshark's", () => {
    const raw = (p: Uint8Array): Uint8Array => eth(p, 0x86dd);
    const cut = (p: Uint8Array, n: number) => ({ data: raw(p).subarray(0, 14 + 40 + n), len: raw(p).length });
    const a1 = [0x20, 1, ...new Array(13).fill(0), 0xaa];
    const a2 = [0x20, 1, ...new Array(13).fill(0), 0xbb];
    const pad = [59, 0, 1, 4, 0, 0, 0, 0];
    const list: (Uint8Array | { data: Uint8Array; len: number })[] = [
      raw(v6(59, [])), raw(v6(59, [1, 2, 3, 4])), raw(v6(0, pad)), raw(v6(60, pad)),
      raw(v6(44, [59, 0, 0, 0, 0, 0, 0, 1])), // atomic fragment
      raw(v6(253, [1, 2, 3, 4])), raw(v6(0, [253, 0, 1, 4, 0, 0, 0, 0, 1, 2, 3, 4])),
      raw(v6(64, [1, 2, 3, 4])), raw(v6(89, [1, 2, 3, 4])),
      cut(v6(0, pad), 4), cut(v6(60, pad), 4), cut(v6(43, [59, 2, 0, 1, 0, 0, 0, 0, ...a1]), 4), cut(v6(44, [59, 0, 0, 0, 0, 0, 0, 1]), 4),
      raw(v6(0, [0, 0, 1, 4, 0, 0, 0, 0])), // a second hop-by-hop header with no bytes: malformed
      raw(v6(0, [59, 0, 1, 4, 0, 0, 0, 0], { plen: 0 })), // payload length 0, no jumbo option
      raw(v6(43, [59, 2, 2, 1, 0, 0, 0, 0, ...a1])), raw(v6(43, [59, 2, 2, 0, 0, 0, 0, 0, ...a1])), // type 2, segments left 1 / 0
      raw(v6(43, [59, 4, 4, 1, 1, 0, 0, 0, ...a1, ...a2])), raw(v6(43, [59, 4, 0, 2, 0, 0, 0, 0, ...a1, ...a2])), // SRH, type 0
      raw(v6(43, [17, 2, 2, 1, 0, 0, 0, 0, ...a1, ...UDP])), // UDP to the home address…
      raw(v6(17, UDP, { dst: a1 })), // …is the same conversation as UDP sent there directly
      raw(v6(17, UDP)),
    ];
    const file = writePcap("summary-ipv6.pcap", list);
    const nestcap = (args: string[]): string => runCli(["-r", file, ...args]).stdout;
    const tshark = (args: string[]): string => tsharkText(["-n", "-r", file, "--disable-protocol", "ospf", ...args]);
    const ours = nestcap([]);
    expect(ours).toMatch(/IPv6 hop-by-hop options\[Packet size limited during capture\]/);
    expect(ours).toMatch(/Unknown IP Protocol: OSPF IGP \(89\)/);
    expect(ours).toBe(tshark([]));
    const fields = ["-T", "fields", "-e", "ipv6.dst", "-e", "_ws.col.Destination", "-e", "udp.stream", "-e", "_ws.col.Info"];
    expect(nestcap(fields)).toBe(tshark(fields));
    // (and RPL control messages, named by their code: "RPL Control (Destination Advertisement Object)")
    for (const f of corpus("tcpdump", (n) => ["ipv6-routing-header.pcap", "ipv6-srh-insert-cksum.pcap", "kday1.pcap", "ipv6_missing_jumbo_payload_option.pcap", "ipv6hdr-heapoverflow.pcap",
      "rpl-14-dao.pcap", "rpl-26-senddaoack.pcap"].includes(n))) {
      expect(runCli(["-r", f]).stdout, basename(f)).toBe(tsharkText(["-n", "-r", f]));
    }
  });

  it("agrees on a synthetic capture of extension headers and odd lengths", () => {
    const file = writePcap("odd-ipv6.pcap", frames());
    const [cells, d] = diff(file, V6_FIELDS);
    console.log(`ipv6 synthetic: ${cells} cells compared`);
    expect(d, formatDisagreements(d, 30)).toEqual([]);
  });
});

describe("ipv6 unit", () => {
  it("labels, columns and the extension header chain", () => {
    const r = dissect(1, frames()[2]);
    const l = [...walk(r.tree.root)].map(itemLabel);
    expect(l).toContain("Internet Protocol Version 6, Src: fd00::1, Dst: fd00::2");
    expect(l).toContain("0110 .... = Version: 6");
    expect(l).toContain(".... 0000 0000 .... .... .... .... .... = Traffic Class: 0x00 (DSCP: CS0, ECN: Not-ECT)");
    expect(l).toContain(".... 0000 0000 0000 0000 0000 = Flow Label: 0x00000");
    expect(l).toContain("Next Header: IPv6 Hop-by-Hop Option (0)");
    expect(l).toContain("IPv6 Hop-by-Hop Option");
    expect(l).toContain("[Length: 8 bytes]");
    expect(l).toContain("Router Alert: MLD (0)");
    expect(l).toContain("Destination Options for IPv6");
    expect(r.pinfo.layers.join(":")).toMatch(/^frame:eth:ethertype:ipv6:ipv6\.hopopts:ipv6\.dstopts:udp/);
    expect(r.pinfo.cols!.src).toBe("fd00::1");
  });

  it("a truncated header is malformed, with tshark's Info", () => {
    const r = dissect(1, frames()[6]);
    expect(r.pinfo.malformed).toBe(true);
    expect(r.tree.experts.map((e) => e.message)).toContain("IPv6 header must be exactly 40 bytes");
  });

  it("payload length beyond the frame is a warning; the payload is still dissected", () => {
    const r = dissect(1, frames()[5]);
    expect(r.tree.experts.map((e) => e.message)).toContain("IPv6 payload length exceeds framing length (12 bytes)");
    expect(r.pinfo.layers).toContain("udp");
  });

  it("a bad version rejects the packet (data), as tshark", () => {
    const r = dissect(1, frames()[13]);
    expect(r.pinfo.layers.join(":")).toBe("frame:eth:ethertype:data");
    expect(r.tree.experts.map((e) => e.message)).toContain("Bogus IPv6 version");
  });
});

describe("ipv6 fuzz", () => {
  const d = new Dissector({ tree: true, columns: true });
  it("random and mutated packets never throw", () => {
    const seeds = frames();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: seeds.length }), fc.uint8Array({ maxLength: 120 }), fc.array(fc.tuple(fc.nat(120), fc.nat(255)), { maxLength: 8 }), (i, rnd, muts) => {
        const b = i === seeds.length ? eth(new Uint8Array([0x60, ...rnd]), 0x86dd) : seeds[i].slice();
        for (const [o, v] of muts) if (14 + o < b.length) b[14 + o] = v;
        d.dissect({ num: 1, tsSec: 0, tsNsec: 0, caplen: b.length, len: b.length, data: b, linkType: 1, interfaceId: 0 });
      }),
      { numRuns: 3000 },
    );
  });
});
