/**
 * ICMP and ICMPv6: differential tests against tshark 4.0 (fields and the Info
 * column, one-pass request/reply matching, the IP packet quoted by errors) over
 * the fixtures, corpus files and a synthetic capture; unit tests; a fuzz.
 */
import { spawnSync } from "node:child_process";
import { basename, join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readCaptureSync } from "../../src/capture/reader.js";
import { dissect, Dissector } from "../../src/core/dissect.js";
import { itemLabel } from "../../src/core/format.js";
import { walk } from "../../src/core/tree.js";
import { corpus, fixtures, formatDisagreements, haveTshark, ROOT, tsharkFields } from "../helpers/tshark.js";
import { cksum, diff, eth, ip4, u16, writePcap } from "./ip-build.js";

const ICMP_FIELDS = [
  "icmp.type", "icmp.code", "icmp.checksum", "icmp.checksum.status", "icmp.ident", "icmp.ident_le", "icmp.seq",
  "icmp.seq_le", "icmp.resp_to", "icmp.resptime", "icmp.data_time", "icmp.data_time_relative", "icmp.unused",
  "icmp.mtu", "icmp.length", "icmp.redir_gw", "icmp.pointer", "icmp.originate_timestamp", "icmp.address_mask",
  // the quoted packet of errors: second occurrences of the ip fields
  "ip.src", "ip.dst", "ip.ttl", "ip.len", "ip.proto", "ip.checksum.status",
];
const EXT_FIELDS = [
  "icmp.ext", "icmp.ext.version", "icmp.ext.res", "icmp.ext.checksum", "icmp.ext.checksum.status", "icmp.ext.length",
  "icmp.ext.class", "icmp.ext.ctype", "icmp.ext.data", "icmp.mpls.label", "icmp.mpls.exp", "icmp.mpls.s", "icmp.mpls.ttl",
  "icmp.mpls.data", "icmp.int_info.role", "icmp.int_info.ifindex", "icmp.int_info.index", "icmp.int_info.afi",
  "icmp.int_info.ipv4", "icmp.int_info.name", "icmp.int_info.mtu", "icmp.int_ident.name", "icmp.int_ident.index",
  "icmp.int_ident.afi", "icmp.int_ident.ipv4", "icmp.ext.echo.seq", "icmp.ext.echo.req.local",
  "icmp.ext.echo.rsp.state", "icmp.ext.echo.rsp.active",
];
const ICMPV6_FIELDS = [
  "icmpv6.type", "icmpv6.code", "icmpv6.checksum", "icmpv6.checksum.status", "icmpv6.reserved", "icmpv6.mtu",
  "icmpv6.pointer", "icmpv6.echo.identifier", "icmpv6.echo.sequence_number", "icmpv6.resp_to",
  "icmpv6.nd.ns.target_address", "icmpv6.nd.na.target_address", "icmpv6.nd.na.flag", "icmpv6.nd.na.flag.r",
  "icmpv6.nd.na.flag.s", "icmpv6.nd.na.flag.o", "icmpv6.nd.ra.cur_hop_limit", "icmpv6.nd.ra.flag",
  "icmpv6.nd.ra.flag.m", "icmpv6.nd.ra.flag.prf", "icmpv6.nd.ra.router_lifetime", "icmpv6.nd.ra.reachable_time",
  "icmpv6.nd.ra.retrans_timer", "icmpv6.opt.type", "icmpv6.opt.length", "icmpv6.opt.linkaddr",
  "icmpv6.opt.src_linkaddr", "icmpv6.opt.target_linkaddr", "icmpv6.opt.prefix", "icmpv6.opt.prefix.length",
  "icmpv6.opt.prefix.flag", "icmpv6.opt.prefix.flag.l", "icmpv6.opt.prefix.valid_lifetime", "icmpv6.opt.mtu",
  "icmpv6.opt.rdnss", "icmpv6.opt.nonce", "icmpv6.mld.multicast_address", "icmpv6.mld.maximum_response_code",
  "icmpv6.mld.qqi", "icmpv6.mldr.nb_mcast_records", "icmpv6.mldr.mar.record_type",
  "icmpv6.mldr.mar.multicast_address", "icmpv6.mldr.mar.nb_sources", "ipv6.src", "ipv6.dst",
  // ND options' remaining fields, MLDv2 query flags, Mobile IPv6 (144-147)
  "icmpv6.opt.reserved", "icmpv6.opt.padding", "icmpv6.opt.prefix.flag.a", "icmpv6.opt.route_info.flag",
  "icmpv6.opt.route_info.flag.route_preference", "icmpv6.opt.route_lifetime", "icmpv6.opt.advertisement_interval",
  "icmpv6.opt.home_agent_preference", "icmpv6.opt.home_agent_lifetime", "icmpv6.opt.dnssl.lifetime", "icmpv6.opt.dnssl",
  "icmpv6.opt.pref64.scaled_lifetime", "icmpv6.opt.pref64.plc", "icmpv6.opt.pref64.prefix", "icmpv6.mld.flag",
  "icmpv6.mld.flag.s", "icmpv6.mld.flag.qrv", "icmpv6.mip6.identifier", "icmpv6.mip6.flag", "icmpv6.mip6.flag.m",
  "icmpv6.mip6.flag.o", "icmpv6.mip6.home_agent_address",
];

const CORPUS_ICMP = new Set([
  "icmp-length-zero.pcapng", "extract_read2_asan.pcap", "dhcp-rfc4388.pcap", "icmp-icmp_print-oobr-1.pcap",
  "icmpv6-ns-nonce.pcap", "icmpv6-rfc7112.pcap", "icmpv6_opt24.pcap", "icmpv6-ra-pref64.pcap", "icmpv6.pcap",
  "icmpv6_nodeinfo_queryipv4.pcap", "icmp6_mobileprefix_asan.pcap",
]);

// ---------------------------------------------------------------- builders --

function icmp(type: number, code: number, rest: number[], body: number[]): Uint8Array {
  const b = new Uint8Array([type, code, 0, 0, ...rest, ...body]);
  b.set(u16(cksum(b)), 2);
  return b;
}

const SRC6 = [0xfd, 0, ...new Array(13).fill(0), 1];
const DST6 = [0xfd, 0, ...new Array(13).fill(0), 2];

function icmp6(src: number[], dst: number[], type: number, code: number, body: number[]): Uint8Array {
  const m = [type, code, 0, 0, ...body];
  const pseudo = new Uint8Array([...src, ...dst, 0, 0, ...u16(m.length), 0, 0, 0, 58, ...m]);
  const c = cksum(pseudo);
  m[2] = c >> 8;
  m[3] = c & 255;
  return eth(new Uint8Array([0x60, 0, 0, 0, ...u16(m.length), 58, 255, ...src, ...dst, ...m]), 0x86dd);
}

function v4frames(): Uint8Array[] {
  const udp = [0x30, 0x39, 0x82, 0x9a, 0, 12, 0, 0, 1, 2, 3, 4];
  const quoted = Array.from(ip4(new Uint8Array(udp), { ttl: 1, dst: [10, 0, 0, 9] }));
  const ts = [0x5f, 0x5e, 0x10, 0x00, 0, 0, 0, 0]; // big-endian timeval near the frame times below
  void ts;
  const req = icmp(8, 0, [0, 1, 0, 1], Array.from({ length: 32 }, (_, i) => i));
  const rep = icmp(0, 0, [0, 1, 0, 1], Array.from({ length: 32 }, (_, i) => i));
  return [
    eth(ip4(req, { proto: 1 })),
    eth(ip4(rep, { proto: 1, src: [10, 0, 0, 2], dst: [10, 0, 0, 1] })),
    eth(ip4(rep, { proto: 1, src: [10, 0, 0, 2], dst: [10, 0, 0, 1] })), // duplicate reply: no match
    eth(ip4(icmp(11, 0, [0, 0, 0, 0], quoted), { proto: 1, src: [10, 0, 0, 254] })),
    eth(ip4(icmp(3, 3, [0, 0, 0, 0], quoted), { proto: 1, src: [10, 0, 0, 9] })),
    eth(ip4(icmp(3, 4, [0, 0, 0x05, 0xdc], quoted), { proto: 1 })),
    eth(ip4(icmp(5, 1, [10, 0, 0, 254], quoted), { proto: 1 })),
    eth(ip4(icmp(12, 0, [20, 0, 0, 0], quoted), { proto: 1 })),
    eth(ip4(icmp(13, 0, [0, 7, 0, 1], [0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3]), { proto: 1 })),
    eth(ip4(icmp(17, 0, [0, 7, 0, 1], [255, 255, 255, 0]), { proto: 1 })),
    eth(ip4(icmp(8, 0, [0, 2, 0, 7], [1, 2, 3]), { proto: 1 })), // short data
    eth(ip4(new Uint8Array([8, 0, 0x12, 0x34, 0, 1, 0, 1]), { proto: 1 })), // bad checksum
    eth(ip4(icmp(99, 7, [1, 2, 3, 4], [5, 6]), { proto: 1 })), // unknown type
  ];
}

function v6frames(): Uint8Array[] {
  const ll = [0x02, 0, 0, 0, 0, 1];
  const ns = icmp6(SRC6, DST6, 135, 0, [0, 0, 0, 0, ...DST6, 1, 1, ...ll]);
  const na = icmp6(DST6, SRC6, 136, 0, [0x60, 0, 0, 0, ...DST6, 2, 1, 0x02, 0, 0, 0, 0, 2]);
  const rs = icmp6(SRC6, [0xff, 2, ...new Array(13).fill(0), 2], 133, 0, [0, 0, 0, 0, 1, 1, ...ll]);
  const prefix = [3, 4, 64, 0xc0, 0, 0, 0x0e, 0x10, 0, 0, 0x07, 0x08, 0, 0, 0, 0, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  const ra = icmp6(SRC6, DST6, 134, 0, [64, 0x48, 0x07, 0x08, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, ...ll, ...prefix, 5, 1, 0, 0, 0, 0, 0x05, 0xdc]);
  const echoReq = icmp6(SRC6, DST6, 128, 0, [0x12, 0x34, 0, 1, 9, 8, 7, 6]);
  const echoRep = icmp6(DST6, SRC6, 129, 0, [0x12, 0x34, 0, 1, 9, 8, 7, 6]);
  const inner = Array.from(echoReq.subarray(14, 14 + 48));
  const unreach = icmp6(DST6, SRC6, 1, 4, [0, 0, 0, 0, ...inner]);
  const ptb = icmp6(DST6, SRC6, 2, 0, [0, 0, 5, 0, ...inner]);
  const mld = icmp6(SRC6, [0xff, 2, ...new Array(13).fill(0), 0x16], 143, 0, [0, 0, 0, 1, 4, 0, 0, 0, 0xff, 2, ...new Array(13).fill(0), 0xfb]);
  const query = icmp6(SRC6, [0xff, 2, ...new Array(13).fill(0), 1], 130, 0, [0x27, 0x10, 0, 0, ...new Array(16).fill(0), 2, 125, 0, 0]);
  const badsum = icmp6(SRC6, DST6, 128, 0, [0, 1, 0, 1]);
  badsum[14 + 40 + 2] ^= 0xff;
  // errors with nothing quoted: the quoted packet is malformed (tshark marks Info)
  const empty = [3, 4, 1].map((t, i) => icmp6(DST6, SRC6, t, i, [0, 0, 0, 0]));
  return [ns, na, rs, ra, echoReq, echoRep, unreach, ptb, mld, query, badsum, ...empty];
}

function info(file: string, d = new Dissector({ columns: true })): string[] {
  return readCaptureSync(file).frames.map((fr) => d.dissect(fr).pinfo.cols!.info);
}

describe.skipIf(!haveTshark())("icmp/icmpv6 vs tshark", () => {
  it("agrees over fixtures and corpus files", () => {
    const files = [...fixtures((n) => n === "ping-frag.pcap" || n === "ipv6.pcapng"), ...corpus("tcpdump", (n) => CORPUS_ICMP.has(n))];
    let cells = 0;
    const bad: string[] = [];
    for (const f of files) {
      const [c, d] = diff(f, [...ICMP_FIELDS, ...ICMPV6_FIELDS]);
      cells += c;
      if (d.length) bad.push(`${basename(f)}:\n${formatDisagreements(d)}`);
    }
    console.log(`icmp: ${files.length} files, ${cells} cells compared`);
    expect(bad, bad.join("\n")).toEqual([]);
  });

  it("agrees on synthetic ICMP (echo matching, errors, timestamps, masks) including Info", () => {
    const file = writePcap("icmp.pcap", v4frames());
    const [cells, d] = diff(file, ICMP_FIELDS);
    expect(d, formatDisagreements(d, 30)).toEqual([]);
    const t = tsharkFields(file, ["_ws.col.Info"]).map((r) => r[0]);
    expect(info(file)).toEqual(t);
    console.log(`icmp synthetic: ${cells} cells + ${t.length} Info columns agree`);
  });

  it("agrees on synthetic ICMPv6 (ND, echo, errors, MLD) including Info", () => {
    const file = writePcap("icmpv6.pcap", v6frames());
    const [cells, d] = diff(file, ICMPV6_FIELDS);
    expect(d, formatDisagreements(d, 30)).toEqual([]);
    const t = tsharkFields(file, ["_ws.col.Info"]).map((r) => r[0]);
    expect(info(file)).toEqual(t);
    console.log(`icmpv6 synthetic: ${cells} cells + ${t.length} Info columns agree`);
  });

  // -V of router advertisements with every ND option tshark decodes here (prefix, route
  // information, RDNSS, DNSSL, PREF64 with a bad prefix length code, advertisement interval,
  // home agent), flags labels as proto_tree_add_bitmask makes them, an MLDv2 query, and a
  // cut-short mobile prefix advertisement ("[fragmented datagram]" checksum, truncation mark)
  const VERBOSE = new Set(["icmpv6.pcap", "icmpv6-ra-pref64.pcap", "icmpv6_opt24.pcap", "icmp6_mobileprefix_asan.pcap"]);
  it.each(corpus("tcpdump", (n) => VERBOSE.has(n)))("-V of %s equals tshark's", (file) => {
    const env = { ...process.env, TZ: "UTC", NO_COLOR: "1" };
    const ours = spawnSync(process.execPath, [join(ROOT, "dist", "src", "cli", "nestcap.js"), "-r", file, "-V"], { env, encoding: "utf8" }).stdout;
    const theirs = spawnSync("tshark", ["-n", "-r", file, "-V"], { env, encoding: "utf8" }).stdout;
    expect(ours).toMatch(/Internet Control Message Protocol v6/);
    expect(ours).toBe(theirs);
  });

  // RFC 4884 extensions after a traceroute's time-exceeded: an MPLS label stack (with
  // bytes left over), an unknown and a cut-short object, an object with a bad length, a
  // zero (absent) checksum, an unsupported version, and a non-compliant error that
  // quotes 128 bytes without saying so; plus the RFC 5837 and RFC 8335 corpus captures.
  it("-V of ICMP multi-part extensions equals tshark's", () => {
    const probe = ip4(new Uint8Array([0x82, 0x9b, 0x82, 0x9a, 0, 8, 0, 0]), { ttl: 1, dst: [192, 0, 2, 9] });
    const quoted = (n: number): number[] => { const q = new Array(n).fill(0); q.splice(0, probe.length, ...probe); return q; };
    const ext = (ver: number, objs: number[], zeroSum = false): number[] => {
      const e = new Uint8Array([ver << 4, 0, 0, 0, ...objs]);
      if (!zeroSum) e.set(u16(cksum(e)), 2);
      return [...e];
    };
    const mpls = [0, 16, 1, 1, 0x01, 0x23, 0x45, 0x40, 0x00, 0x06, 0x41, 0x01, 0xaa, 0xbb, 0xcc, 0xdd];
    const err = (origWords: number, body: number[]): Uint8Array =>
      eth(ip4(icmp(11, 0, [0, origWords, 0, 0], body), { proto: 1, src: [10, 9, 9, 9], dst: [10, 0, 0, 1] }));
    const list = [
      err(32, [...quoted(128), ...ext(2, [...mpls, 0, 8, 9, 7, 1, 2, 3, 4, 0, 40, 9, 9, 1, 2])]),
      err(32, [...quoted(128), ...ext(2, [0, 2, 1, 1, 0, 0], true)]),
      err(32, [...quoted(128), ...ext(3, mpls)]),
      err(0, [...quoted(128), ...ext(2, mpls)]),
    ];
    const file = writePcap("icmp-ext.pcap", list);
    const env = { ...process.env, TZ: "UTC", NO_COLOR: "1" };
    for (const f of [file, ...corpus("tcpdump", (n) => n === "icmp-rfc8335.pcap")]) {
      const ours = spawnSync(process.execPath, [join(ROOT, "dist", "src", "cli", "nestcap.js"), "-r", f, "-V"], { env, encoding: "utf8" }).stdout;
      const theirs = spawnSync("tshark", ["-n", "-r", f, "-V"], { env, encoding: "utf8" }).stdout;
      expect(ours).toMatch(/ICMP Multi-Part Extensions/);
      expect(ours).toBe(theirs);
      const [, d] = diff(f, [...ICMP_FIELDS, ...EXT_FIELDS]);
      expect(d, formatDisagreements(d, 30)).toEqual([]);
    }
  });

  it("Info of the ping fixture (echo request/reply in one pass) agrees", () => {
    const f = fixtures((n) => n === "ping-frag.pcap")[0];
    if (f === undefined) return;
    const t = tsharkFields(f, ["_ws.col.Info", "frame.protocols"]);
    const ours = info(f);
    t.forEach((r, i) => {
      if (r[1].includes(":icmp")) expect(ours[i], `frame ${i + 1}`).toBe(r[0]);
    });
  });
});

describe("icmp unit", () => {
  it("echo labels and the one-pass reply match", () => {
    const d = new Dissector({ tree: true, columns: true });
    const [req, rep] = v4frames();
    dissect(1, req, { dissector: d, tsSec: 100 });
    const r = dissect(1, rep, { dissector: d, tsSec: 100, tsNsec: 1500000 });
    const l = [...walk(r.tree.root)].map(itemLabel);
    expect(l).toContain("Type: 0 (Echo (ping) reply)");
    expect(l).toContain("Identifier (BE): 1 (0x0001)");
    expect(l).toContain("Sequence Number (LE): 256 (0x0100)");
    expect(l).toContain("[Request frame: 1]");
    expect(l).toContain("[Response time: 1.500 ms]");
    expect(r.pinfo.cols!.info).toBe("Echo (ping) reply    id=0x0001, seq=1/256, ttl=64 (request in 1)");
  });

  it("errors quote the IP packet without changing the columns", () => {
    const r = dissect(1, v4frames()[3]);
    expect(r.pinfo.cols!.info).toBe("Time-to-live exceeded (Time to live exceeded in transit)");
    expect(r.pinfo.cols!.protocol).toBe("ICMP");
    expect(r.pinfo.cols!.dst).toBe("10.0.0.2");
    expect(r.pinfo.layers.slice(0, 6).join(":")).toBe("frame:eth:ethertype:ip:icmp:ip");
  });

  it("neighbour solicitation Info names the target and the source link-layer address", () => {
    const r = dissect(1, v6frames()[0]);
    expect(r.pinfo.cols!.info).toBe("Neighbor Solicitation for fd00::2 from 02:00:00:00:00:01");
    const l = [...walk(r.tree.root)].map(itemLabel);
    expect(l).toContain("ICMPv6 Option (Source link-layer address : 02:00:00:00:00:01)");
    expect(l).toContain("Checksum Status: Good (1)".replace("Checksum Status: Good (1)", "[Checksum Status: Good]"));
  });
});

describe("icmp fuzz", () => {
  const d = new Dissector({ tree: true, columns: true });
  it("random and mutated ICMP/ICMPv6 packets never throw", () => {
    const seeds = [...v4frames(), ...v6frames()];
    fc.assert(
      fc.property(fc.integer({ min: 0, max: seeds.length - 1 }), fc.array(fc.tuple(fc.nat(140), fc.nat(255)), { maxLength: 8 }), fc.nat(60), (i, muts, cut) => {
        const b = seeds[i].slice();
        const l3 = b[12] === 0x86 ? 54 : 34; // mutate the ICMP part mostly
        for (const [o, v] of muts) if (l3 + o - 20 < b.length && l3 + o - 20 >= 14) b[l3 + o - 20] = v;
        const data = b.subarray(0, Math.max(14, b.length - cut));
        d.dissect({ num: 1, tsSec: 0, tsNsec: 0, caplen: data.length, len: b.length, data, linkType: 1, interfaceId: 0 });
      }),
      { numRuns: 3000 },
    );
  });
});
