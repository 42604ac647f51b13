/**
 * NetBIOS Name Service (UDP 137) against tshark 4.0: the corpus's NBNS frames (summary
 * line, -V, -T json, -T fields), hand-built messages of every kind — queries, positive,
 * negative and WACK responses, NBSTAT with a name list and statistics, registration,
 * release, refresh, scopes, illegal names, unknown types — and their broken forms
 * (incomplete entries, data cut short, a capture cut by the snap length), plus a fuzz
 * that must never throw anything but nestcap's bounds errors (caught by the framework).
 */
import { basename } from "node:path";
import { describe, expect, it } from "vitest";
import { Dissector } from "../../src/core/dissect.js";
import { corpus, firstDiff, haveTshark, jsonFrames, nestcapFields, runCli, tsharkFields, tsharkOut as tshark, vFrames } from "../helpers/tshark.js";
import { eth, ip4, u16, writePcap } from "./ip-build.js";

// ---------------------------------------------------------------- builders --

const A = (s: string): number[] => s.split(".").map(Number);
const bytes = (...parts: (number | number[])[]): number[] => parts.flat();
const u32 = (v: number): number[] => [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];

/** A 16-byte NetBIOS name: `name` padded with spaces to 15 bytes, then the type. */
function nb16(name: string | number[], type: number): number[] {
  const b = typeof name === "string" ? [...name].map((c) => c.charCodeAt(0)) : name;
  const out = b.slice(0, 15);
  while (out.length < 15) out.push(0x20);
  out.push(type);
  return out;
}

/** First-level encoding of 16 bytes, as one DNS label, then the scope's labels and the root. */
function enc(name16: number[], scope = ""): number[] {
  const label: number[] = [];
  for (const c of name16) label.push(0x41 + (c >> 4), 0x41 + (c & 15));
  return encLabels(label, scope);
}
function encLabels(label: number[], scope = ""): number[] {
  const out = [label.length, ...label];
  for (const l of scope === "" ? [] : scope.split(".")) out.push(l.length, ...[...l].map((c) => c.charCodeAt(0)));
  out.push(0);
  return out;
}
const nm = (name: string, type: number, scope = "") => enc(nb16(name, type), scope);

const header = (id: number, flags: number, q: number, an: number, ns: number, ar: number) =>
  bytes(u16(id), u16(flags), u16(q), u16(an), u16(ns), u16(ar));
const question = (name: number[], type = 32, cls = 1) => bytes(name, u16(type), u16(cls));
const rr = (name: number[], type: number, ttl: number, data: number[], cls = 1, dlen = data.length) =>
  bytes(name, u16(type), u16(cls), u32(ttl), u16(dlen), data);
const nbEntry = (flags: number, addr: string) => bytes(u16(flags), A(addr));
const stats = (n: number) => Array.from({ length: n }, (_, i) => (i * 7 + 1) & 255);
const nodeStatus = (names: [number[], number][], statBytes = 46) =>
  bytes(names.length, ...names.map(([n, fl]) => bytes(n, u16(fl))), [0x00, 0x0c, 0x29, 0x12, 0x34, 0x56], stats(statBytes - 6));

/** Ethernet + IPv4 + UDP (checksum 0) from port `sport` to 137. */
function pkt(payload: number[], o: { sport?: number; dport?: number; src?: string; dst?: string; ulen?: number } = {}): Uint8Array {
  const p = Uint8Array.from(payload);
  const u = new Uint8Array(8 + p.length);
  u.set([...u16(o.sport ?? 137), ...u16(o.dport ?? 137), ...u16(o.ulen ?? 8 + p.length), 0, 0]);
  u.set(p, 8);
  return eth(ip4(u, { proto: 17, src: A(o.src ?? "192.168.1.20"), dst: A(o.dst ?? "192.168.1.255"), id: 1 }));
}
/** A frame cut to `caplen` captured bytes (the wire length kept). */
const cut = (f: Uint8Array, caplen: number) => ({ data: f.subarray(0, caplen), len: f.length });

const WG = nm("WORKGROUP", 0x1e);
const FRED = nm("FRED", 0x20);
const STAR = enc([0x2a, ...new Array(15).fill(0)]);
const NAMES: [number[], number][] = [
  [nb16("FRED", 0x00), 0x0400], [nb16("WORKGROUP", 0x00), 0x8400], [nb16("FRED", 0x20), 0x0600],
  [nb16("WORKGROUP", 0x1e), 0x9c00], [nb16([1, 2, ...[..."__MSBROWSE__"].map((c) => c.charCodeAt(0)), 2], 0x01), 0xe800],
];

const FRAMES: (Uint8Array | { data: Uint8Array; len: number })[] = [
  // name queries: broadcast, unicast with a scope, for a name of unknown type
  pkt(bytes(header(0x1001, 0x0110, 1, 0, 0, 0), question(WG))),
  pkt(bytes(header(0x1002, 0x0100, 1, 0, 0, 0), question(nm("FRED", 0x20, "corp.example.com"))), { dst: "192.168.1.1" }),
  pkt(bytes(header(0x1003, 0x0110, 1, 0, 0, 0), question(nm("ODD NAME", 0xfe)))),
  // positive response with several addresses (every ONT, group and unique), negative response
  pkt(bytes(header(0x1001, 0x8500, 0, 1, 0, 0), rr(FRED, 32, 300000, bytes(nbEntry(0x0000, "192.168.1.10"), nbEntry(0x8000, "10.0.0.1"),
    nbEntry(0x2000, "10.0.0.2"), nbEntry(0x4000, "10.0.0.3"), nbEntry(0xe000, "10.0.0.4")))), { src: "192.168.1.10", dst: "192.168.1.20" }),
  pkt(bytes(header(0x1002, 0x8583, 0, 1, 0, 0), rr(FRED, 32, 0, [0, 0, 10, 1, 2, 3], 1, 6)), { dst: "192.168.1.20" }),
  // NBSTAT query and response (name list and statistics)
  pkt(bytes(header(0x1004, 0x0000, 1, 0, 0, 0), question(STAR, 33)), { dst: "192.168.1.10" }),
  pkt(bytes(header(0x1004, 0x8400, 0, 1, 0, 0), rr(STAR, 33, 0, nodeStatus(NAMES))), { src: "192.168.1.10", dst: "192.168.1.20" }),
  // registration (query + additional record), its response, release, refresh, multi-homed, WACK
  pkt(bytes(header(0x1005, 0x2910, 1, 0, 0, 1), question(FRED), rr([0xc0, 0x0c], 32, 300000, nbEntry(0x6000, "192.168.1.20")))),
  pkt(bytes(header(0x1005, 0xad80, 0, 1, 0, 0), rr(FRED, 32, 300000, nbEntry(0x6000, "192.168.1.20"))), { dst: "192.168.1.20" }),
  pkt(bytes(header(0x1006, 0xa906, 0, 1, 0, 0), rr(FRED, 32, 300000, nbEntry(0x6000, "192.168.1.20"))), { dst: "192.168.1.20" }),
  pkt(bytes(header(0x1007, 0x3010, 1, 0, 0, 1), question(WG), rr([0xc0, 0x0c], 32, 0, nbEntry(0x8000, "192.168.1.20")))),
  pkt(bytes(header(0x1008, 0x4000, 1, 0, 0, 1), question(FRED), rr([0xc0, 0x0c], 32, 0xfffffff0, nbEntry(0x0000, "192.168.1.20")))),
  pkt(bytes(header(0x1009, 0x4800, 1, 0, 0, 1), question(FRED), rr([0xc0, 0x0c], 32, 60, nbEntry(0x0000, "192.168.1.20")))),
  pkt(bytes(header(0x100a, 0x7900, 1, 0, 0, 1), question(FRED), rr([0xc0, 0x0c], 32, 60, nbEntry(0x0000, "192.168.1.20")))),
  pkt(bytes(header(0x100b, 0xbc00, 0, 1, 0, 0), rr(FRED, 32, 40, u16(0x2910))), { dst: "192.168.1.20" }),
  pkt(bytes(header(0x100b, 0xbc00, 0, 1, 0, 0), rr(FRED, 32, 40, [0x29, 0x10, 0x80])), { dst: "192.168.1.20" }),
  // unknown opcode, authority records, an unknown RR type, class ANY
  pkt(bytes(header(0x100c, 0x1800, 1, 0, 0, 0), question(WG, 32, 255))),
  pkt(bytes(header(0x100d, 0x8000, 0, 1, 1, 1), rr(FRED, 32, 10, nbEntry(0, "1.2.3.4")), rr(WG, 1, 10, [1, 2, 3]), rr(WG, 33, 5, [0]))),
  // illegal names: lowercase letters, odd length, too short, too long (first 16 bytes kept), root, non-printable
  pkt(bytes(header(0x100e, 0x0000, 1, 0, 0, 0), question(encLabels([..."EGEFEGEHabababababababababababab"].map((c) => c.charCodeAt(0)))))),
  pkt(bytes(header(0x100f, 0x0000, 1, 0, 0, 0), question(encLabels([..."EGEFEGEHACACACACACACACACACACACA"].map((c) => c.charCodeAt(0)))))),
  pkt(bytes(header(0x1010, 0x0000, 1, 0, 0, 0), question(encLabels([..."EGEFEGEH"].map((c) => c.charCodeAt(0)))))),
  pkt(bytes(header(0x1011, 0x0000, 1, 0, 0, 0), question(encLabels([...enc(nb16("LONG", 0x20)).slice(1, 33), 0x41, 0x42, 0x41, 0x43])))),
  pkt(bytes(header(0x1012, 0x0000, 1, 0, 0, 0), question([0]))),
  pkt(bytes(header(0x1013, 0x0000, 1, 0, 0, 0), question(enc(nb16([0x7f, 0x41, 0x20, 0x42, 0xc3, 0xa9], 0x03))))),
  pkt(bytes(header(0x1014, 0x0000, 1, 0, 0, 0), question(enc(nb16("", 0x00))))),
  // incomplete entries: NB data of 5 and 1 bytes, NBSTAT cut in the name list and in the statistics
  pkt(bytes(header(0x1015, 0x8400, 0, 1, 0, 0), rr(FRED, 32, 10, [0x60, 0, 10, 0, 0])), { dst: "192.168.1.20" }),
  pkt(bytes(header(0x1016, 0x8400, 0, 1, 0, 0), rr(FRED, 32, 10, bytes(nbEntry(0, "10.0.0.1"), [0x60]))), { dst: "192.168.1.20" }),
  pkt(bytes(header(0x1017, 0x8400, 0, 1, 0, 0), rr(STAR, 33, 0, nodeStatus(NAMES).slice(0, 40))), { dst: "192.168.1.20" }),
  pkt(bytes(header(0x1018, 0x8400, 0, 1, 0, 0), rr(STAR, 33, 0, nodeStatus(NAMES.slice(0, 1), 20))), { dst: "192.168.1.20" }),
  pkt(bytes(header(0x1019, 0x8400, 0, 1, 0, 0), rr(STAR, 33, 0, [])), { dst: "192.168.1.20" }),
  pkt(bytes(header(0x101a, 0x8400, 0, 1, 0, 0), rr(STAR, 33, 0, nodeStatus([], 6))), { dst: "192.168.1.20" }),
  // NBSTAT answer with a compressed name: the name list is decoded into a buffer that short
  pkt(bytes(header(0x101b, 0x8400, 1, 1, 0, 0), question(STAR, 33), rr([0xc0, 0x0c], 33, 0, nodeStatus(NAMES)))),
  // malformed: data length past the end (NB, NBSTAT, unknown), a short header, a cut question, a name pointer loop
  pkt(bytes(header(0x101c, 0x8400, 0, 1, 0, 0), rr(FRED, 32, 10, nbEntry(0, "10.0.0.1"), 1, 12)), { dst: "192.168.1.20" }),
  pkt(bytes(header(0x101d, 0x8400, 0, 1, 0, 0), rr(STAR, 33, 0, nodeStatus(NAMES).slice(0, 60), 1, 200)), { dst: "192.168.1.20" }),
  pkt(bytes(header(0x101e, 0x8400, 0, 1, 0, 0), rr(FRED, 7, 10, [1, 2], 1, 9)), { dst: "192.168.1.20" }),
  pkt(bytes(header(0x101f, 0x8400, 0, 0, 0, 0).slice(0, 9))),
  pkt(bytes(header(0x1020, 0x0110, 1, 0, 0, 0), question(WG).slice(0, 30))),
  pkt(bytes(header(0x1021, 0x0110, 2, 0, 0, 0), question(WG))),
  pkt(bytes(header(0x1022, 0x0110, 1, 0, 0, 0), question([0xc0, 0x0c]))),
  // cut by the snap length: in the question, in the answer's addresses
  cut(pkt(bytes(header(0x1023, 0x0110, 1, 0, 0, 0), question(WG))), 70),
  cut(pkt(bytes(header(0x1024, 0x8500, 0, 1, 0, 0), rr(FRED, 32, 300000, bytes(nbEntry(0, "10.0.0.1"), nbEntry(0, "10.0.0.2"))))), 100),
];

/** Every field tshark 4.0 registers for nbns (tshark -G fields). */
const FIELDS = [
  "nbns.flags", "nbns.flags.response", "nbns.flags.opcode", "nbns.flags.authoritative", "nbns.flags.truncated",
  "nbns.flags.recdesired", "nbns.flags.recavail", "nbns.flags.broadcast", "nbns.flags.rcode", "nbns.id",
  "nbns.count.queries", "nbns.count.answers", "nbns.count.auth_rr", "nbns.count.add_rr", "nbns.name_flags",
  "nbns.name_flags.group", "nbns.name_flags.ont", "nbns.name_flags.drg", "nbns.name_flags.cnf", "nbns.name_flags.act",
  "nbns.name_flags.prm", "nbns.nb_flags", "nbns.nb_flags.group", "nbns.nb_flags.ont", "nbns.type", "nbns.class",
  "nbns.name", "nbns.addr", "nbns.number_of_names", "nbns.unit_id", "nbns.jumpers", "nbns.test_result",
  "nbns.version_number", "nbns.period_of_statistics", "nbns.num_crcs", "nbns.num_alignment_errors",
  "nbns.num_collisions", "nbns.num_send_aborts", "nbns.num_good_sends", "nbns.num_good_receives",
  "nbns.numretransmits", "nbns.num_no_resource_conditions", "nbns.numcommand_blocks", "nbns.numpending_sessions",
  "nbns.max_num_pending_sessions", "nbns.max_total_sessions_possible", "nbns.session_data_packet_size", "nbns.data",
  "nbns.netbios_name", "nbns.ttl", "nbns.data_length", "nbns.incomplete_entry", "nbns", "_ws.malformed",
  "_ws.expert.message", "_ws.col.Protocol", "_ws.col.Info",
];

describe.skipIf(!haveTshark())("NBNS vs tshark: hand-built messages", () => {
  const file = writePcap("nbns.pcap", FRAMES);

  it("summary lines", () => {
    const want = tshark(["-n", "-r", file]);
    expect(want.split("\n").length - 1).toBe(FRAMES.length);
    expect(firstDiff(runCli(["-r", file]).stdout, want)).toBeNull();
  });

  it("-V, line for line", () => {
    const want = vFrames(tshark(["-n", "-r", file, "-V"]));
    const got = vFrames(runCli(["-r", file, "-V"]).stdout);
    expect(got.length).toBe(want.length);
    for (let i = 0; i < want.length; i++) expect(firstDiff(got[i], want[i]), `frame ${i + 1}`).toBeNull();
  });

  it("-T json", () => {
    const want = jsonFrames(tshark(["-n", "-r", file, "-T", "json"]));
    const got = jsonFrames(runCli(["-r", file, "-T", "json"]).stdout);
    expect(got.length).toBe(want.length);
    for (let i = 0; i < want.length; i++) expect(firstDiff(got[i], want[i]), `frame ${i + 1}`).toBeNull();
  });

  it("-T fields of every field registered (CLI and library, sparse trees)", () => {
    const want = tsharkFields(file, FIELDS);
    expect(want.length).toBe(FRAMES.length);
    const args = ["-r", file, "-T", "fields", ...FIELDS.flatMap((x) => ["-e", x])];
    const cli = runCli(args).stdout.split("\n").slice(0, -1).map((l) => l.split("\t"));
    for (let i = 0; i < want.length; i++) expect(cli[i], `frame ${i + 1}`).toEqual(want[i]);
    // without columns neither tshark nor the library reads an NB answer's address for Info (frame 26)
    const noCols = FIELDS.filter((x) => !x.startsWith("_ws.col."));
    const wantNoCols = tsharkFields(file, noCols);
    const lib = nestcapFields(file, noCols);
    for (let i = 0; i < want.length; i++) expect(lib[i], `frame ${i + 1}`).toEqual(wantNoCols[i]);
    expect(wantNoCols[25]).not.toEqual(want[25].slice(0, noCols.length));
    for (const fld of ["nbns.name", "nbns.addr", "nbns.netbios_name", "nbns.incomplete_entry", "nbns.session_data_packet_size"]) {
      expect(nestcapFields(file, [fld]), fld).toEqual(tsharkFields(file, [fld]));
    }
  });

  it("display filters on NBNS fields", () => {
    for (const filter of ["nbns.flags.opcode == 5", "nbns.type == 33", "nbns.addr == 10.0.0.2", "nbns.name contains \"FRED\"",
      "nbns.nb_flags.group", "nbns.flags.rcode == 3", "nbns.incomplete_entry", "nbns && _ws.malformed", "nbns.ttl > 100000"]) {
      const args = ["-r", file, "-Y", filter];
      const want = tshark(["-n", ...args]);
      expect(want, filter).not.toBe("");
      expect(runCli(args).stdout, filter).toBe(want);
    }
  });
});

// ------------------------------------------------------------------ corpus --

/** The corpus files with NBNS and how many of their frames carry it. */
const CORPUS: Record<string, number> = {
  "eapon1.pcap": 36,
  "dns__bug-1158__input.pcap": 3,
};

describe.skipIf(!haveTshark())("NBNS vs tshark: corpus captures", () => {
  const files = [...corpus("tcpdump"), ...corpus("suricata-verify")].filter((f) => basename(f) in CORPUS);

  it.skipIf(files.length === 0)("summary, -V, -T json and -T fields of every NBNS frame", () => {
    expect(files.map((f) => basename(f)).sort()).toEqual(Object.keys(CORPUS).sort());
    for (const f of files) {
      const name = basename(f);
      const protos = tsharkFields(f, ["frame.protocols"]).map((r) => r[0]);
      const ours = protos.flatMap((p, i) => (p.includes(":nbns") ? [i] : []));
      expect(ours.length, name).toBe(CORPUS[name]);
      const sum = [tshark(["-n", "-r", f]).split("\n").slice(0, -1), runCli(["-r", f]).stdout.split("\n").slice(0, -1)];
      const v = [vFrames(tshark(["-n", "-r", f, "-V"])), vFrames(runCli(["-r", f, "-V"]).stdout)];
      const j = [jsonFrames(tshark(["-n", "-r", f, "-T", "json"])), jsonFrames(runCli(["-r", f, "-T", "json"]).stdout)];
      for (const [want, got] of [sum, v, j]) expect([want.length, got.length], name).toEqual([protos.length, protos.length]);
      for (const i of ours) {
        expect(sum[1][i], `${name} frame ${i + 1} summary`).toBe(sum[0][i]);
        expect(firstDiff(v[1][i], v[0][i]), `${name} frame ${i + 1} -V`).toBeNull();
        expect(firstDiff(j[1][i], j[0][i]), `${name} frame ${i + 1} json`).toBeNull();
      }
      const want = tsharkFields(f, FIELDS);
      const got = runCli(["-r", f, "-T", "fields", ...FIELDS.flatMap((x) => ["-e", x])]).stdout.split("\n").slice(0, -1).map((l) => l.split("\t"));
      for (const i of ours) expect(got[i], `${name} frame ${i + 1} fields`).toEqual(want[i]);
    }
  });
});

// -------------------------------------------------------------- unit tests --

describe("NBNS dissection", () => {
  const frame = (data: Uint8Array) => ({ num: 1, tsSec: 0, tsNsec: 0, caplen: data.length, len: data.length, data, linkType: 1, interfaceId: 0 });

  it("takes UDP port 137 and decodes first-level encoded names", () => {
    const d = new Dissector({ tree: true, columns: true });
    const r = d.dissect(frame(FRAMES[0] as Uint8Array));
    expect(r.pinfo.layers.join(":")).toBe("frame:eth:ethertype:ip:udp:nbns");
    expect(r.pinfo.cols!.protocol).toBe("NBNS");
    expect(r.pinfo.cols!.info).toBe("Name query NB WORKGROUP<1e>");
    expect(d.dissect(frame(FRAMES[3] as Uint8Array)).pinfo.cols!.info).toBe("Name query response NB 192.168.1.10");
    expect(d.dissect(frame(FRAMES[5] as Uint8Array)).pinfo.cols!.info).toBe(`Name query NBSTAT *${"<00>".repeat(15)}`);
  });
});

describe("NBNS fuzz", () => {
  const d = new Dissector({ tree: true, columns: true });
  const sparse = new Dissector({ tree: false, columns: true });
  const run = (data: Uint8Array, len = data.length) => {
    for (const x of [d, sparse]) x.dissect({ num: 1, tsSec: 0, tsNsec: 0, caplen: data.length, len, data, linkType: 1, interfaceId: 0 });
  };
  let seed = 12345;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };

  it("never throws on mutated or random messages", () => {
    const bases = FRAMES.map((f) => (f instanceof Uint8Array ? f : f.data));
    for (let k = 0; k < 3000; k++) {
      const b = bases[rnd(bases.length)].slice();
      const at = 42; // the NBNS message starts after Ethernet, IPv4 and UDP
      const flips = 1 + rnd(6);
      for (let i = 0; i < flips && b.length > at; i++) b[at + rnd(b.length - at)] = rnd(256);
      if (rnd(4) === 0 && b.length > at + 1) {
        const n = at + rnd(b.length - at);
        expect(() => run(b.subarray(0, n), b.length)).not.toThrow();
      }
      expect(() => run(b)).not.toThrow();
    }
    for (let k = 0; k < 1000; k++) {
      const body = Array.from({ length: rnd(120) }, () => (rnd(3) === 0 ? 0x41 + rnd(16) : rnd(256)));
      expect(() => run(pkt(body))).not.toThrow();
    }
  });
});
