/**
 * UDP: differential tests against tshark 4.0 (fields and columns, one tshark run per
 * file) on the fixtures, public corpus files and a synthetic capture with the odd
 * cases (bad lengths, zero checksum, traceroute ports, empty payload, trailing bytes),
 * plus hand-built unit tests and a fuzz.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readCaptureSync } from "../../src/capture/reader.js";
import { dissect, Dissector } from "../../src/core/dissect.js";
import { fieldByAbbrev } from "../../src/core/field.js";
import { itemLabel } from "../../src/core/format.js";
import { PacketInfo } from "../../src/core/pinfo.js";
import { callDissector, protocolByAbbrev } from "../../src/core/proto.js";
import { Session } from "../../src/core/session.js";
import { Tree, walk } from "../../src/core/tree.js";
import { Tvb } from "../../src/core/tvb.js";
import { DEFAULT_FIELDS_OPTIONS, fieldsLine, resolveFields } from "../../src/output/fields.js";
import { pcap } from "../helpers/build.js";
import { corpus, fixtures, formatDisagreements, haveTshark, tsharkFields, type Disagreement } from "../helpers/tshark.js";

function u16(v: number): number[] {
  return [(v >>> 8) & 255, v & 255];
}

function ip4(src: number[], dst: number[], proto: number, payload: Uint8Array, totalLen?: number): Uint8Array {
  const out = new Uint8Array(20 + payload.length);
  out.set([0x45, 0, ...u16(totalLen ?? 20 + payload.length), 0, 1, 0, 0, 64, proto, 0, 0, ...src, ...dst]);
  out.set(payload, 20);
  return out;
}

function eth(p: Uint8Array): Uint8Array {
  const out = new Uint8Array(14 + p.length);
  out.set([0, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 8, 0]);
  out.set(p, 14);
  return out;
}

function udpDgram(sport: number, dport: number, data: Uint8Array | string, opts: { len?: number; sum?: number } = {}): Uint8Array {
  const d = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const out = new Uint8Array(8 + d.length);
  out.set([...u16(sport), ...u16(dport), ...u16(opts.len ?? 8 + d.length), ...u16(opts.sum ?? 0xbeef)]);
  out.set(d, 8);
  return out;
}

const C = [10, 1, 0, 1];
const S = [10, 1, 0, 2];

function syntheticCapture(dir: string): string {
  const recs: { sec: number; frac: number; data: Uint8Array }[] = [];
  let t = 0;
  const add = (b: Uint8Array, dt = 1000) => {
    t += dt;
    recs.push({ sec: 5000 + Math.floor(t / 1e6), frac: t % 1e6, data: eth(b) });
  };
  add(ip4(C, S, 17, udpDgram(40000, 7777, "hello")));
  add(ip4(S, C, 17, udpDgram(7777, 40000, "world!")), 250000);
  add(ip4(C, S, 17, udpDgram(40000, 7777, "again")), 3);
  add(ip4(C, S, 17, udpDgram(40001, 7777, "x", { sum: 0 }))); // zero checksum over IPv4
  add(ip4(C, S, 17, udpDgram(40002, 7777, "toolong", { len: 100 }))); // length > IP payload
  add(ip4(C, S, 17, udpDgram(40007, 53, "", { len: 20 }))); // length > IP payload, and no payload at all: UDP malformed
  add(ip4(C, S, 17, udpDgram(40003, 7777, "short", { len: 5 }))); // length < 8
  add(ip4(C, S, 17, udpDgram(40004, 7777, "trailing bytes", { len: 10 }))); // length < payload
  add(ip4(C, S, 17, udpDgram(40005, 7777, ""))); // empty payload
  add(ip4(C, S, 17, udpDgram(40005, 7777, "")), 500000);
  add(ip4(C, S, 17, udpDgram(40005, 7777, "now data")));
  add(ip4(C, S, 17, udpDgram(50000, 33435, "traceroute"))); // traceroute hop 1
  add(ip4(C, S, 17, udpDgram(33464, 50001, "traceroute")));
  add(ip4(C, S, 17, udpDgram(0, 7777, "port zero")));
  add(ip4(C, S, 17, udpDgram(7777, 7777, "same ports")));
  add(ip4(C, C, 17, udpDgram(1, 2, "to self")));
  add(ip4(C, C, 17, udpDgram(2, 1, "to self back")));
  add(ip4(C, S, 17, udpDgram(40006, 7777, "x".repeat(20)), 28 + 10)); // IP total length cuts the datagram
  const p = join(dir, "udp-cases.pcap");
  writeFileSync(p, pcap(recs));
  return p;
}

const UDP_FIELDS = [
  "udp.srcport", "udp.dstport", "udp.port", "udp.length", "udp.checksum", "udp.checksum.status", "udp.stream",
  "udp.time_relative", "udp.time_delta", "udp.payload", "udp.length.bad", "udp.possible_traceroute", "udp.checksum.zero",
];

interface Judged {
  cells: number;
  agree: number;
  unreached: number;
  bad: Disagreement[];
  cols: { n: number; ok: number; bad: string[] };
}

/** One tshark run per file (fields + columns); frames nestcap did not bring to UDP are counted, not judged. */
function judge(file: string): Judged {
  const t = tsharkFields(file, [...UDP_FIELDS, "_ws.col.Protocol", "_ws.col.Info"]);
  const fs = resolveFields(UDP_FIELDS);
  const { frames } = readCaptureSync(file);
  expect(frames.length).toBe(t.length);
  const d = new Dissector({ wanted: fs, columns: true });
  const res: Judged = { cells: 0, agree: 0, unreached: 0, bad: [], cols: { n: 0, ok: 0, bad: [] } };
  frames.forEach((fr, i) => {
    const r = d.dissect(fr);
    const row = t[i];
    const ours = fieldsLine(r.tree, fs, DEFAULT_FIELDS_OPTIONS).split("\t");
    const reached = r.pinfo.layers.includes("udp");
    if (!reached && row.slice(0, UDP_FIELDS.length).some((c) => c !== "")) {
      res.unreached++;
      return;
    }
    UDP_FIELDS.forEach((fld, j) => {
      res.cells++;
      const a = row[j] ?? "", b = ours[j] ?? "";
      if (a === b) res.agree++;
      else res.bad.push({ frame: i + 1, field: fld, tshark: a, nestcap: b });
    });
    const p = row[UDP_FIELDS.length] ?? "", info = row[UDP_FIELDS.length + 1] ?? "";
    // compared where UDP is the top layer for both (another dissector claiming the payload is its own business)
    const top = r.pinfo.layers[r.pinfo.layers.length - 1];
    if (!reached || p !== "UDP" || (top !== "udp" && top !== "data")) return;
    res.cols.n++;
    const mine = r.pinfo.cols!.info.replace(" [Malformed Packet]", "[Malformed Packet]");
    if (r.pinfo.cols!.protocol === p && mine === info) res.cols.ok++;
    else res.cols.bad.push(`#${i + 1}: tshark=${JSON.stringify(info)} ours=${JSON.stringify(mine)}`);
  });
  return res;
}

const UDP_CORPUS = [
  ...corpus("tcpdump", (n) => ["edns-opts.pcap", "RADIUS.pcap", "bfd-multihop.pcap", "afs.pcap", "ISAKMP_sa_setup.pcap", "babel_rfc6126bis.pcap"].includes(n)),
  ...corpus("suricata-verify", (n) => ["dns__dns-udp-double-request-response__dns-udp-double-request-response.pcap", "dns-udp-z-flag-fp__suricatafpdnsdecoder.pcap"].includes(n)),
  ...corpus("zeek-openvpn", (n) => n === "Traces__openvpn.pcap"),
];

describe.skipIf(!haveTshark())("udp vs tshark", () => {
  const dir = mkdtempSync(join(tmpdir(), "nestcap-udp-"));
  const files = [
    ...fixtures((n) => ["sample.pcapng", "dns.pcap", "http.pcapng", "ipv6.pcapng", "sll.pcap", "vlan.pcap"].includes(n)),
    syntheticCapture(dir),
    ...UDP_CORPUS,
  ];
  const totals = { cells: 0, agree: 0, cols: 0, colsOk: 0 };

  it.each(files.map((f) => [f.split("/").pop()!, f]))("%s: every UDP field and the columns agree", (_n, file) => {
    const r = judge(file);
    totals.cells += r.cells;
    totals.agree += r.agree;
    totals.cols += r.cols.n;
    totals.colsOk += r.cols.ok;
    console.log(`udp ${file.split("/").pop()}: ${r.agree}/${r.cells} cells, Info ${r.cols.ok}/${r.cols.n}` + (r.unreached ? ` (${r.unreached} frames not reached)` : ""));
    expect(r.bad, formatDisagreements(r.bad, 20)).toEqual([]);
    expect(r.cols.bad.slice(0, 10)).toEqual([]);
  });

  it("totals", () => {
    console.log(`udp total: ${totals.agree}/${totals.cells} cells, Info ${totals.colsOk}/${totals.cols}`);
    expect(totals.cells).toBeGreaterThan(3000);
    expect(totals.cols).toBeGreaterThan(10);
  });
});

function values(r: { tree: Tree }, abbrev: string): unknown[] {
  const f = fieldByAbbrev(abbrev)!;
  const out: unknown[] = [];
  for (const it of walk(r.tree.root)) if (it.field === f) out.push(it.value);
  return out;
}

function direct(bytes: Uint8Array, reported = bytes.length, src = C, dst = S, session = new Session(), num = 1) {
  const frame = { num, tsSec: 100, tsNsec: num, caplen: bytes.length, len: bytes.length, data: bytes, linkType: 101, interfaceId: 0 };
  const pinfo = new PacketInfo(frame, session, true);
  pinfo.netSrc = Uint8Array.from(src);
  pinfo.netDst = Uint8Array.from(dst);
  const tree = new Tree(true);
  callDissector(protocolByAbbrev("udp")!, new Tvb({ name: "x", data: bytes }, 0, bytes.length, reported), pinfo, tree.root);
  return { pinfo, tree, experts: tree.experts.map((e) => `${e.severity}/${e.group}: ${e.message}`) };
}

describe("udp hand-built", () => {
  it("labels, columns and the payload (called directly with netSrc/netDst)", () => {
    const r = direct(udpDgram(55487, 7777, "x".repeat(29), { sum: 0xcd13 }));
    expect(r.pinfo.cols!.protocol).toBe("UDP");
    expect(r.pinfo.cols!.info).toBe("55487 \u2192 7777 Len=29");
    const l = [...walk(r.tree.root)].map(itemLabel);
    expect(l).toContain("User Datagram Protocol, Src Port: 55487, Dst Port: 7777");
    expect(l).toContain("Checksum: 0xcd13 [unverified]");
    expect(l).toContain("[Checksum Status: Unverified]");
    expect(l).toContain("UDP payload (29 bytes)");
    expect(values(r, "udp.stream")).toEqual([0]);
    expect(r.pinfo.ptype).toBe("udp");
    expect(r.pinfo.srcport).toBe(55487);
  });

  it("length larger than the IP payload: expert, Info, and the payload is still shown", () => {
    const r = direct(udpDgram(1000, 2000, "abc", { len: 100 }));
    expect(r.experts).toContain("error/malformed: Bad length value 100 > IP payload length");
    expect(r.pinfo.cols!.info).toBe("1000 \u2192 2000 [BAD UDP LENGTH 100 > IP PAYLOAD LENGTH] Len=92");
    expect(values(r, "udp.payload").map((v) => (v as Uint8Array).length)).toEqual([3]);
  });

  it("length below 8 stops after the length", () => {
    const r = direct(udpDgram(1000, 2000, "abc", { len: 7 }));
    expect(r.experts).toContain("error/malformed: Bad length value 7 < 8");
    expect(values(r, "udp.checksum")).toEqual([]);
    expect(values(r, "udp.stream")).toEqual([]);
  });

  it("zero checksum: ignored over IPv4, illegal over IPv6", () => {
    const v4 = direct(udpDgram(1, 2, "a", { sum: 0 }));
    expect(values(v4, "udp.checksum.status")).toEqual([3]);
    const a6 = new Array(16).fill(0).map((_, i) => (i === 15 ? 1 : 0));
    const b6 = new Array(16).fill(0).map((_, i) => (i === 15 ? 2 : 0));
    const v6 = direct(udpDgram(1, 2, "a", { sum: 0 }), undefined, a6, b6);
    expect(values(v6, "udp.checksum.status")).toEqual([4]);
    expect(v6.experts).toContain("error/checksum: Illegal checksum value (0)");
    expect(v6.pinfo.cols!.info).toContain("[ILLEGAL CHECKSUM (0)]");
  });

  it("IPv6 jumbogram: length 0 takes the IPv6 payload length", () => {
    const a6 = new Array(16).fill(0).map((_, i) => (i === 15 ? 1 : 0));
    const r = direct(udpDgram(1, 2, "abcd", { len: 0 }), undefined, a6, a6);
    expect(r.pinfo.cols!.info).toBe("1 \u2192 2 Len=4 [Jumbogram]");
    expect(r.experts).toContain("warn/protocol: Length is zero but payload < 65536");
  });

  it("streams: both directions share one, a new 5-tuple gets the next", () => {
    const s = new Session();
    const a = direct(udpDgram(5, 6, "a"), undefined, C, S, s, 1);
    const b = direct(udpDgram(6, 5, "b"), undefined, S, C, s, 2);
    const c = direct(udpDgram(5, 7, "c"), undefined, C, S, s, 3);
    expect([values(a, "udp.stream"), values(b, "udp.stream"), values(c, "udp.stream")]).toEqual([[0], [0], [1]]);
  });

  it("within Ethernet/IPv4 when ip is there", () => {
    const r = dissect(1, eth(ip4(C, S, 17, udpDgram(1234, 9999, "payload"))));
    if (!r.pinfo.layers.includes("ip")) return;
    expect(r.pinfo.layers.slice(-2)).toEqual(["udp", "data"]);
  });
});

describe("udp fuzz", () => {
  it("random and mutated datagrams never throw", () => {
    const d = new Dissector({ tree: true, columns: true });
    const base = udpDgram(1, 53, "\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x03www\x00\x00\x01\x00\x01");
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 64 }),
          fc.tuple(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.nat(40)).map(([muts, cut]) => {
            const m = base.slice();
            for (const [i, v] of muts) m[i % m.length] = v;
            return m.subarray(0, Math.max(0, m.length - (cut % (m.length + 1))));
          }),
        ),
        fc.integer({ min: -8, max: 8 }),
        (dg, lie) => {
          const frame = eth(ip4(C, S, 17, dg, Math.max(20, 20 + dg.length + lie)));
          d.dissect({ num: 1, tsSec: 1, tsNsec: 0, caplen: frame.length, len: frame.length, data: frame, linkType: 1, interfaceId: 0 });
          direct(dg, Math.max(0, dg.length + lie));
        },
      ),
      { numRuns: 2000, seed: 0xd9 },
    );
  });
});
