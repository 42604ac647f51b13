/**
 * IGMP (v0-v3, multicast traceroute) and what IGMP carries that nestcap dissects (MRDISC,
 * MSNIP, RGMP) against tshark 4.0: the corpus's IGMP captures frame by frame (summary
 * line, -V, -T json), hand-built messages of every kind and their broken forms (-V, -T
 * fields of every field registered, -T json, summary lines), and a fuzz that must never
 * throw. DVMRP (0x13), PIM v1 (0x14) and IGAP (0x40-0x42) are not dissected: nestcap
 * shows those messages as IGMP of an unknown type (a unit test below), so the corpus
 * frames tshark gives to DVMRP or PIM are left out of the comparison.
 */
import { basename } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Dissector } from "../../src/core/dissect.js";
import { corpus, firstDiff, haveTshark, jsonFrames, nestcapFields, runCli, tsharkFields, tsharkOut as tshark, vFrames } from "../helpers/tshark.js";
import { cksum, eth, ip4, u16, writePcap } from "./ip-build.js";

// ---------------------------------------------------------------- builders --

const A = (s: string): number[] => s.split(".").map(Number);
const bytes = (...parts: (number | number[])[]): number[] => parts.flat();

/** An IGMP message with its checksum filled in over `over` bytes (default all). */
function ig(b: number[], over = b.length): Uint8Array {
  const m = Uint8Array.from(b);
  m[2] = m[3] = 0;
  m.set(u16(cksum(m.subarray(0, over))), 2);
  return m;
}

/** Ethernet + IPv4 (TTL 1, protocol 2) to `dst`. */
function pkt(payload: Uint8Array | number[], dst = "224.0.0.1", o: { proto?: number; src?: string; tlen?: number; flags?: number } = {}): Uint8Array {
  const p = payload instanceof Uint8Array ? payload : Uint8Array.from(payload);
  return eth(ip4(p, { proto: o.proto ?? 2, ttl: 1, src: A(o.src ?? "10.0.0.1"), dst: A(dst), tlen: o.tlen, flags: o.flags, id: 1 }));
}

/** A frame cut to `caplen` captured bytes (the wire length kept). */
const cut = (f: Uint8Array, caplen: number) => ({ data: f.subarray(0, caplen), len: f.length });

function record(type: number, group: string, sources: string[], aux: number[] = []): number[] {
  return bytes(type, aux.length / 4, u16(sources.length), A(group), ...sources.map(A), aux);
}

const v3Query = (code: number, group: string, sqrv: number, qqic: number, sources: string[], numSrc = sources.length) =>
  ig(bytes(0x11, code, 0, 0, A(group), sqrv, qqic, u16(numSrc), ...sources.map(A)));
const v3Report = (records: number[][], num = records.length) => ig(bytes(0x22, 0, 0, 0, 0, 0, u16(num), ...records));
const mtraceHdr = (type: number) => bytes(type, 5, 0, 0, A("239.1.1.1"), A("10.0.0.1"), A("10.0.0.2"), A("10.0.0.3"), 64, 0, 1, 2);
const mtraceBlock = (rtg: number, bits: number, code: number) =>
  bytes(0, 0, 0, 1, A("1.1.1.1"), A("2.2.2.2"), A("3.3.3.3"), 0, 0, 0, 5, 0, 0, 0, 6, 0, 0, 0, 7, rtg, 3, bits, code);

/** An ICMP port unreachable from 10.0.0.9 quoting `inner` (an IP packet). */
function icmpError(inner: Uint8Array): Uint8Array {
  const m = Uint8Array.from([3, 3, 0, 0, 0, 0, 0, 0, ...inner]);
  m.set(u16(cksum(m)), 2);
  return pkt(m, "10.0.0.2", { proto: 1, src: "10.0.0.9" });
}

const REPORT = v3Report([
  record(1, "239.0.0.1", []), record(1, "239.0.0.2", ["1.1.1.1"]), record(2, "239.0.0.3", ["1.1.1.1", "2.2.2.2"]),
  record(3, "239.0.0.4", []), record(4, "239.0.0.5", ["3.3.3.3"]), record(5, "239.0.0.6", []),
  record(5, "239.0.0.7", ["4.4.4.4", "5.5.5.5"]), record(6, "239.0.0.8", []), record(6, "239.0.0.9", ["6.6.6.6"]),
  record(9, "239.0.0.10", []), record(9, "239.0.0.11", ["7.7.7.7"], [0xde, 0xad, 0xbe, 0xef]), record(2, "239.0.0.12", []),
  record(0, "239.0.0.13", ["8.8.8.8", "9.9.9.9"]),
]);
const flip = (m: Uint8Array, at: number, x: number) => { const c = m.slice(); c[at] ^= x; return c; };
const v2 = (type: number, time: number, group: string) => ig(bytes(type, time, 0, 0, A(group)));

const FRAMES: (Uint8Array | { data: Uint8Array; len: number })[] = [
  // v1 query and report; v2 query (general, specific), report, leave (group and none)
  pkt(ig(bytes(0x11, 0, 0, 0, A("0.0.0.0")))),
  pkt(ig(bytes(0x12, 0, 0, 0, A("224.1.2.3"))), "224.1.2.3"),
  pkt(v2(0x11, 100, "0.0.0.0")),
  pkt(v2(0x11, 10, "239.1.1.1"), "239.1.1.1"),
  pkt(v2(0x16, 0, "239.1.1.1"), "239.1.1.1"),
  pkt(v2(0x17, 0, "239.1.1.1"), "224.0.0.2"),
  pkt(v2(0x17, 0, "0.0.0.0"), "224.0.0.2"),
  // v3 queries: floating-point max resp code, S flag, sources; 12 bytes with code 0x80; trailing bytes
  pkt(v3Query(0x8a, "239.2.2.2", 0x0f, 0x90, ["10.1.1.1", "10.1.1.2", "10.1.1.3"]), "239.2.2.2"),
  pkt(v3Query(0x64, "239.2.2.2", 0x02, 125, ["10.1.1.1"]), "239.2.2.2"),
  pkt(v3Query(0xfe, "0.0.0.0", 0x02, 125, [])),
  pkt(v3Query(0x80, "0.0.0.0", 0x0a, 0, [])),
  pkt(ig(bytes(0x11, 0x64, 0, 0, A("0.0.0.0"), 2, 125, 0, 0, 1, 2, 3, 4))),
  // v3 reports: every record type, with and without sources, aux data, an unknown type; no records; odd length
  pkt(REPORT, "224.0.0.22"),
  pkt(v3Report([]), "224.0.0.22"),
  pkt(ig(bytes(0x22, 0, 0, 0, 0, 0, 0, 1, record(4, "239.255.255.250", []), 1)), "224.0.0.22"),
  // bad checksums: v2, v3 report, v1, v3 query; v1/v2 checksummed over 8 bytes only (not the 2 or 4 after)
  pkt(Uint8Array.from(bytes(0x16, 0, 0x12, 0x34, A("239.1.1.1"))), "239.1.1.1"),
  pkt(flip(v3Report([record(4, "239.0.0.5", [])]), 2, 0xff), "224.0.0.22"),
  pkt(Uint8Array.from(bytes(0x12, 0, 0x12, 0x34, A("239.1.1.1"))), "239.1.1.1"),
  pkt(flip(v3Query(0x64, "0.0.0.0", 2, 125, []), 3, 1)),
  pkt(ig(bytes(0x11, 0, 0, 0, A("0.0.0.0"), 1, 2))),
  pkt(ig(bytes(0x16, 0, 0, 0, A("239.1.1.1"), 1, 2, 3, 4)), "239.1.1.1"),
  pkt(ig(bytes(0x16, 0, 0, 0, A("239.1.1.1"), 1, 2, 3, 4), 8), "239.1.1.1"),
  // captures cut short: in the group address, in a record's source, in aux data, in the query's fixed part,
  // before the first byte; messages short of what they need (malformed)
  cut(pkt(v2(0x16, 0, "239.1.1.1"), "239.1.1.1"), 40),
  cut(pkt(REPORT, "224.0.0.22"), 60),
  cut(pkt(ig(bytes(0x22, 0, 0, 0, 0, 0, 0, 1, record(2, "239.1.1.1", ["1.1.1.1"], [1, 2, 3, 4, 5, 6, 7, 8]))), "224.0.0.22"), 54),
  cut(pkt(v3Query(0x64, "0.0.0.0", 2, 125, [])), 44),
  cut(pkt(v2(0x16, 0, "239.1.1.1"), "239.1.1.1"), 34),
  cut(pkt(v2(0x11, 100, "0.0.0.0")), 40),
  pkt(ig(bytes(0x22, 0, 0, 0, 0, 0, 0, 3, record(4, "239.0.0.5", []))), "224.0.0.22"),
  pkt(ig(bytes(0x22, 0, 0, 0, 0, 0, 0, 1, 2, 2, 0, 1, A("239.1.1.1"), A("1.1.1.1"), 0xaa, 0xbb)), "224.0.0.22"),
  pkt(ig(bytes(0x16, 0, 0, 0)), "239.1.1.1"),
  pkt(v3Query(0x80, "0.0.0.0", 0x0a, 0, ["1.2.3.4"], 2)),
  pkt([0x11]),
  pkt([0x11, 0x64, 0]),
  pkt(ig(bytes(0x02, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))),
  pkt([0x12, 0, 0, 0, 1, 2, 3]),
  // unknown types (one byte: malformed; cut after the type)
  pkt(ig(bytes(0x30, 1, 0, 0, 1, 2, 3, 4, 5))),
  pkt(ig(bytes(0xfc, 1, 0, 0, 1, 2, 3, 4))),
  pkt([0x99]),
  pkt([0x55, 1]),
  cut(pkt([0x55, 1, 2, 3]), 35),
  // v0: create request, replies (granted, an error, pending), requests, unknown v0 types
  pkt(ig(bytes(0x01, 0x01, 0, 0, 0, 0, 0x30, 0x39, A("224.5.5.5"), [..."ABCDEFGH"].map((c) => c.charCodeAt(0))))),
  ...([[2, 0], [2, 3], [2, 9], [4, 1], [3, 0], [8, 0], [0, 0], [15, 2], [14, 7]] as const).map(([t, c]) =>
    pkt(ig(bytes(t, c, 0, 0, 0, 0, 0, 7, A("224.5.5.5"), 0, 0, 0, 0, 0, 0, 0, 0)))),
  // multicast traceroute: response (2 blocks + 3 stray bytes), request, query, empty response, short, cut in a block
  pkt(ig(bytes(mtraceHdr(0x1e), mtraceBlock(12, 0xff, 0x83), mtraceBlock(1, 0x40, 0x0c), 0x78, 0x79, 0x7a))),
  pkt(ig(bytes(mtraceHdr(0x1f), mtraceBlock(3, 0x18, 0)))),
  pkt(ig(mtraceHdr(0x1f))),
  pkt(ig(mtraceHdr(0x1e))),
  pkt(ig(mtraceHdr(0x1e).slice(0, 20))),
  cut(pkt(ig(bytes(mtraceHdr(0x1e), new Array(32).fill(0)))), 74),
  // ICMP errors quoting IGMP: whole, and only 8 bytes of a longer report (no malformed mark)
  icmpError(ip4(v2(0x16, 0, "239.1.1.1"), { proto: 2, ttl: 1, src: A("10.0.0.2"), dst: A("239.1.1.1"), id: 1 })),
  icmpError(ip4(v3Report([record(4, "239.255.255.250", [])]), { proto: 2, ttl: 1, src: A("10.0.0.2"), dst: A("224.0.0.22"), id: 1 }).subarray(0, 28)),
  // a first fragment (not reassembled alone; see the ip.defragment:FALSE test)
  pkt(v2(0x16, 0, "239.1.1.1"), "239.1.1.1", { flags: 1 }),
  // MRDISC: termination (to all routers; elsewhere unknown), bad checksum, short
  pkt(ig(bytes(0x26, 0, 0, 0)), "224.0.0.2"),
  pkt(ig(bytes(0x26, 5, 0, 0, 1, 2, 3)), "224.0.0.2"),
  pkt(flip(ig(bytes(0x26, 0, 0, 0)), 2, 0x11), "224.0.0.2"),
  pkt([0x26, 0, 0], "224.0.0.2"),
  pkt([0x26], "224.0.0.2"),
  pkt(ig(bytes(0x26, 0, 0, 0))),
  pkt(ig(bytes(0x24, 0x14, 0, 0, 0, 0, 0, 2, 1, 2, 0, 30, 2, 2, 0, 3)), "224.0.0.2"),
  pkt(ig(bytes(0x25, 0x14, 0, 0, 0, 0, 0, 2, 1, 2, 0, 30, 2, 2, 0, 3)), "224.0.0.2"),
  // MSNIP (to the IGMPv3 routers): solicitation, group map, receiver report, empty ones, short ones
  pkt(ig(bytes(0x24, 0, 0, 0, 0, 30, 0x12, 0x34)), "224.0.0.22"),
  pkt(ig(bytes(0x23, 2, 0, 0, 0, 0, 0, 60, A("239.1.0.0"), 16, 0, 0, 0, A("239.2.0.0"), 24, 1, 2, 3)), "224.0.0.22"),
  pkt(ig(bytes(0x25, 3, 0, 0, 1, 0, 0, 0, A("239.1.1.1"), 2, 0, 0, 0, A("239.1.1.2"), 9, 0, 0, 0, A("239.1.1.3"))), "224.0.0.22"),
  pkt(ig(bytes(0x25, 0, 0, 0)), "224.0.0.22"),
  pkt(ig(bytes(0x23, 0, 0, 0, 0, 0, 0, 1)), "224.0.0.22"),
  pkt(ig(bytes(0x23, 1, 0, 0, 0, 0, 0, 1, A("239.1.0.0"))), "224.0.0.22"),
  pkt(ig(bytes(0x23, 1, 0, 0, 0, 0, 0, 1)), "224.0.0.22"),
  pkt(ig(bytes(0x25, 1, 0, 0, 1, 0)), "224.0.0.22"),
  pkt(ig(bytes(0x24, 0, 0, 0, 0, 30)), "224.0.0.22"),
  pkt(flip(ig(bytes(0x24, 0, 0, 0, 0, 30, 0x12, 0x34)), 3, 4), "224.0.0.22"),
  // RGMP (to 224.0.0.25): the four types, trailing bytes, elsewhere, short, bad checksum
  ...[0xfc, 0xfd, 0xfe, 0xff].map((t) => pkt(ig(bytes(t, 0, 0, 0, A("239.9.9.9"))), "224.0.0.25")),
  pkt(ig(bytes(0xfc, 7, 0, 0, A("0.0.0.0"))), "224.0.0.25"),
  pkt(ig(bytes(0xfc, 7, 0, 0, A("239.9.9.9"), 1, 2)), "224.0.0.25"),
  pkt(ig(bytes(0xfc, 7, 0, 0, A("239.9.9.9")))),
  pkt(ig(bytes(0xfd, 7, 0, 0, 1)), "224.0.0.25"),
  pkt(flip(ig(bytes(0xfe, 0, 0, 0, A("239.9.9.9"))), 3, 0x11), "224.0.0.25"),
];

/** Every field nestcap registers for IGMP and the protocols above (tshark -G fields has them all). */
const FIELDS = [
  "igmp.type", "igmp.reserved", "igmp.version", "igmp.group_type", "igmp.reply", "igmp.reply.pending", "igmp.checksum",
  "igmp.checksum.status", "igmp.identifier", "igmp.access_key", "igmp.max_resp", "igmp.s", "igmp.qrv", "igmp.qqic",
  "igmp.num_src", "igmp.saddr", "igmp.num_grp_recs", "igmp.record_type", "igmp.aux_data_len", "igmp.maddr",
  "igmp.aux_data", "igmp.data", "igmp.max_resp.exp", "igmp.max_resp.mant", "igmp.mtrace.max_hops", "igmp.mtrace.saddr",
  "igmp.mtrace.raddr", "igmp.mtrace.rspaddr", "igmp.mtrace.resp_ttl", "igmp.mtrace.q_id", "igmp.mtrace.q_arrival",
  "igmp.mtrace.q_inaddr", "igmp.mtrace.q_outaddr", "igmp.mtrace.q_prevrtr", "igmp.mtrace.q_inpkt", "igmp.mtrace.q_outpkt",
  "igmp.mtrace.q_total", "igmp.mtrace.q_rtg_proto", "igmp.mtrace.q_fwd_ttl", "igmp.mtrace.q_mbz", "igmp.mtrace.q_s",
  "igmp.mtrace.q_src_mask", "igmp.mtrace.q_fwd_code", "igmp.bad_checksum",
  "mrdisc.type", "mrdisc.checksum", "mrdisc.checksum.status", "mrdisc.adv_int", "mrdisc.num_opts", "mrdisc.options",
  "mrdisc.option", "mrdisc.opt_len", "mrdisc.query_int", "mrdisc.rob_var", "mrdisc.option_data", "mrdisc.bad_checksum",
  "msnip.type", "msnip.checksum", "msnip.checksum.status", "msnip.count", "msnip.holdtime", "msnip.groups", "msnip.maddr",
  "msnip.netmask", "msnip.holdtime16", "msnip.genid", "msnip.rec_type", "msnip.bad_checksum",
  "rgmp.type", "rgmp.reserved", "rgmp.checksum", "rgmp.checksum.status", "rgmp.maddr", "rgmp.bad_checksum",
  "igmp", "mrdisc", "msnip", "rgmp",
  "frame.protocols", "_ws.col.Protocol", "_ws.col.Info", "_ws.expert", "_ws.expert.message", "_ws.expert.severity",
  "_ws.expert.group", "_ws.malformed", "_ws.short",
];

describe.skipIf(!haveTshark())("IGMP vs tshark: hand-built messages", () => {
  const file = writePcap("igmp.pcap", FRAMES);

  it("summary lines", () => {
    const want = tshark(["-n", "-r", file]);
    expect(want.split("\n").length - 1).toBe(FRAMES.length);
    expect(firstDiff(runCli(["-r", file]).stdout, want)).toBeNull();
  });

  it("-V, line for line", () => {
    const want = tshark(["-n", "-r", file, "-V"]);
    expect(firstDiff(runCli(["-r", file, "-V"]).stdout, want)).toBeNull();
  });

  it("-V without reassembly: a fragment's checksum is not verified", () => {
    const args = ["-o", "ip.defragment:FALSE", "-r", file, "-V"];
    expect(firstDiff(runCli(args).stdout, tshark(["-n", ...args]))).toBeNull();
  });

  it("-T json", () => {
    const want = tshark(["-n", "-r", file, "-T", "json"]);
    expect(firstDiff(runCli(["-r", file, "-T", "json"]).stdout, want)).toBeNull();
  });

  it("-T fields of every field registered (CLI and library, sparse trees)", () => {
    const want = tsharkFields(file, FIELDS);
    expect(want.length).toBe(FRAMES.length);
    const args = ["-r", file, "-T", "fields", ...FIELDS.flatMap((x) => ["-e", x])];
    const cli = runCli(args).stdout.split("\n").slice(0, -1).map((l) => l.split("\t"));
    for (let i = 0; i < want.length; i++) expect(cli[i], `frame ${i + 1}`).toEqual(want[i]);
    // the library's sparse trees (no columns), all fields at once and one at a time
    const noCols = FIELDS.filter((x) => !x.startsWith("_ws.col."));
    const cols = FIELDS.flatMap((x, i) => (x.startsWith("_ws.col.") ? [] : [i]));
    const lib = nestcapFields(file, noCols);
    for (let i = 0; i < want.length; i++) expect(lib[i], `frame ${i + 1}`).toEqual(cols.map((j) => want[i][j]));
    for (const fld of ["igmp.maddr", "igmp.saddr", "igmp.checksum.status", "igmp.bad_checksum", "igmp.max_resp", "msnip.maddr"]) {
      expect(nestcapFields(file, [fld]), fld).toEqual(tsharkFields(file, [fld]));
    }
  });

  it("display filters on IGMP fields", () => {
    for (const filter of ["igmp.version == 3", "igmp.checksum.status == 0", "igmp.saddr == 1.1.1.1", "igmp.record_type == 2",
      "igmp.max_resp > 100", "igmp.s", "igmp.mtrace.q_fwd_code == 0x83", "mrdisc || msnip || rgmp", "igmp.bad_checksum", "igmp && !igmp.version"]) {
      const args = ["-r", file, "-Y", filter];
      const want = tshark(["-n", ...args]);
      expect(want, filter).not.toBe("");
      expect(runCli(args).stdout, filter).toBe(want);
    }
  });
});

// ------------------------------------------------------------------ corpus --

/**
 * The corpus files with IGMP (tshark's frame.protocols has ":igmp"), how many of their
 * frames carry it, and how many of those are DVMRP or PIM (not compared).
 */
const CORPUS: Record<string, { igmp: number; skipped: number }> = {
  "IGMP_V1.pcap": { igmp: 27, skipped: 0 },
  "IGMP_V2.pcap": { igmp: 18, skipped: 0 },
  "igmpv3-queries.pcap": { igmp: 6, skipped: 0 },
  "eapon1.pcap": { igmp: 2, skipped: 0 },
  "mtrace.pcap": { igmp: 2, skipped: 0 },
  "mrinfo_query.pcap": { igmp: 2, skipped: 2 },
  "relts-0x80000000.pcap": { igmp: 1, skipped: 1 },
  "PIM-SM_join_prune.pcap": { igmp: 4, skipped: 4 },
};
const NOT_OURS = /:igmp:(dvmrp|pim|igap)/;

describe.skipIf(!haveTshark())("IGMP vs tshark: corpus captures", () => {
  const files = [...corpus("tcpdump"), ...corpus("suricata-verify")].filter((f) => basename(f) in CORPUS);

  it.skipIf(files.length === 0)("summary, -V and -T json of every IGMP frame", () => {
    expect(files.map((f) => basename(f)).sort()).toEqual(Object.keys(CORPUS).sort());
    for (const f of files) {
      const name = basename(f);
      const protos = tsharkFields(f, ["frame.protocols"]).map((r) => r[0]);
      const igmpFrames = protos.flatMap((p, i) => (p.includes(":igmp") ? [i] : []));
      const ours = igmpFrames.filter((i) => !NOT_OURS.test(protos[i]));
      expect({ igmp: igmpFrames.length, skipped: igmpFrames.length - ours.length }, name).toEqual(CORPUS[name]);
      if (ours.length === 0) continue;

      const sum = [tshark(["-n", "-r", f]).split("\n").slice(0, -1), runCli(["-r", f]).stdout.split("\n").slice(0, -1)];
      const v = [vFrames(tshark(["-n", "-r", f, "-V"])), vFrames(runCli(["-r", f, "-V"]).stdout)];
      const j = [jsonFrames(tshark(["-n", "-r", f, "-T", "json"])), jsonFrames(runCli(["-r", f, "-T", "json"]).stdout)];
      for (const [want, got] of [sum, v, j]) expect([want.length, got.length], name).toEqual([protos.length, protos.length]);
      for (const i of ours) {
        expect(sum[1][i], `${name} frame ${i + 1} summary`).toBe(sum[0][i]);
        expect(firstDiff(v[1][i], v[0][i]), `${name} frame ${i + 1} -V`).toBeNull();
        expect(firstDiff(j[1][i], j[0][i]), `${name} frame ${i + 1} json`).toBeNull();
      }
    }
  });
});

// -------------------------------------------------------------- unit tests --

describe("IGMP dissection", () => {
  const frame = (data: Uint8Array, num = 1) => ({ num, tsSec: 0, tsNsec: 0, caplen: data.length, len: data.length, data, linkType: 1, interfaceId: 0 });

  it("is two layers for IGMP's own messages, one for an unknown type", () => {
    const d = new Dissector({ tree: true, columns: true });
    expect(d.dissect(frame(pkt(v2(0x16, 0, "239.1.1.1"), "239.1.1.1"))).pinfo.layers.join(":")).toBe("frame:eth:ethertype:ip:igmp:igmp");
    const u = d.dissect(frame(pkt(ig(bytes(0x30, 0, 0, 0)))));
    expect(u.pinfo.layers.join(":")).toBe("frame:eth:ethertype:ip:igmp");
    expect(u.pinfo.cols!.info).toBe("Unknown Type:0x30");
  });

  it("shows DVMRP, PIM v1 and IGAP messages (not dissected) as IGMP of an unknown type", () => {
    const d = new Dissector({ tree: true, columns: true });
    for (const [type, info] of [[0x13, "DVMRP Protocol"], [0x14, "PIM Routing Message"], [0x40, "Unknown Type:0x40"]] as const) {
      const r = d.dissect(frame(pkt(ig(bytes(type, 0, 0, 0, 0, 0, 0xff, 3)))));
      expect(r.pinfo.layers.join(":")).toBe("frame:eth:ethertype:ip:igmp");
      expect(r.pinfo.cols!.protocol).toBe("IGMP");
      expect(r.pinfo.cols!.info).toBe(info);
    }
  });
});

describe("IGMP fuzz", () => {
  const d = new Dissector({ tree: true, columns: true });
  const sparse = new Dissector({ tree: false, columns: true });
  const dsts = ["224.0.0.1", "224.0.0.2", "224.0.0.22", "224.0.0.25"];
  const types = [0, 1, 2, 8, 15, 0x11, 0x12, 0x13, 0x16, 0x17, 0x1e, 0x1f, 0x22, 0x23, 0x24, 0x25, 0x26, 0xfc, 0xff];
  const run = (data: Uint8Array, len = data.length) => {
    for (const x of [d, sparse]) x.dissect({ num: 1, tsSec: 0, tsNsec: 0, caplen: data.length, len, data, linkType: 1, interfaceId: 0 });
  };

  it("random messages of every type never throw", () => {
    fc.assert(
      fc.property(fc.constantFrom(...types), fc.uint8Array({ minLength: 0, maxLength: 120 }), fc.constantFrom(...dsts), fc.boolean(), (t, b, dst, fix) => {
        const m = [t, ...b];
        run(pkt(fix && m.length >= 4 ? ig(m) : m, dst));
      }),
      { numRuns: 3000 },
    );
  });

  it("mutated and cut valid messages never throw", () => {
    const seeds = FRAMES.map((f) => (f instanceof Uint8Array ? f : f.data)).filter((f) => f[23] === 2);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: seeds.length - 1 }), fc.array(fc.tuple(fc.nat(120), fc.nat(255)), { maxLength: 6 }), fc.nat(60), (i, muts, c) => {
        const b = seeds[i].slice();
        for (const [o, v] of muts) if (34 + o < b.length) b[34 + o] = v;
        run(b.subarray(0, Math.max(34, b.length - c)), b.length);
      }),
      { numRuns: 3000 },
    );
  });
});
