/**
 * Link-layer dissectors (eth trailer/802.3, vlan, 802.1ad, arp, sll/sll2, null/loop, raw):
 * differential tests against tshark on the fixtures, corpus files and hand-built
 * captures of every odd case; unit tests on truncated/malformed bytes; a fuzz test.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { readCaptureSync } from "../../src/capture/reader.js";
import { dissect, Dissector } from "../../src/core/dissect.js";
import { fieldByAbbrev } from "../../src/core/field.js";
import { fieldText } from "../../src/core/format.js";
import { walk } from "../../src/core/tree.js";
import { DEFAULT_FIELDS_OPTIONS, fieldsLine, resolveFields } from "../../src/output/fields.js";
import { epb, idb, pcapng, shb } from "../helpers/build.js";
import { corpus, fixtures, haveTshark } from "../helpers/tshark.js";

// ------------------------------------------------------------------ fields compared

const ETH = [
  "eth.dst", "eth.src", "eth.type", "eth.len", "eth.padding", "eth.trailer", "eth.fcs", "eth.fcs.status", "eth.invalid_lentype",
  // the hidden items under each address (the manufacturer from Wireshark's manuf file, installed with tshark)
  "eth.dst_resolved", "eth.dst.oui", "eth.dst.oui_resolved", "eth.src_resolved", "eth.src.oui", "eth.src.oui_resolved",
  "eth.addr", "eth.addr_resolved", "eth.addr.oui", "eth.addr.oui_resolved", "eth.dst.lg", "eth.dst.ig", "eth.src.lg", "eth.src.ig", "eth.lg", "eth.ig",
];
const VLAN = ["vlan.priority", "vlan.dei", "vlan.id", "vlan.etype", "vlan.len", "vlan.trailer"];
const AD = ["ieee8021ad.priority", "ieee8021ad.dei", "ieee8021ad.id", "ieee8021ad.svid", "ieee8021ad.cvid", "ieee8021ah.etype", "ieee8021ah.trailer"];
const ARP = [
  "arp.hw.type", "arp.proto.type", "arp.hw.size", "arp.proto.size", "arp.opcode",
  "arp.isgratuitous", "arp.isprobe", "arp.isannouncement",
  "arp.src.hw_mac", "arp.src.proto_ipv4", "arp.dst.hw_mac", "arp.dst.proto_ipv4",
  "arp.src.hw", "arp.src.proto", "arp.dst.hw", "arp.dst.proto",
  "arp.duplicate-address-frame", "arp.seconds-since-duplicate-address-frame",
];
const SLL = [
  "sll.pkttype", "sll.hatype", "sll.halen", "sll.src.eth", "sll.src.ipv4", "sll.src.other", "sll.unused",
  "sll.ltype", "sll.etype", "sll.gretype", "sll.trailer", "sll.ifindex",
];
const NULL = ["null.family", "null.type"];
const ALL = ["frame.protocols", ...ETH, ...VLAN, ...AD, ...ARP, ...SLL, ...NULL];
const COLS = ["_ws.col.Protocol", "_ws.col.Info", "_ws.col.Source", "_ws.col.Destination"];

/** Fields / columns whose text depends on dissectors that are not ours (IP, UDP…). */
function ours(fields: readonly string[]): string[] {
  return fields.filter((f) => fieldByAbbrev(f) !== undefined);
}

// ------------------------------------------------------------------ pcap building

function pcapFile(linkType: number, frames: (Uint8Array | { data: Uint8Array; len: number })[]): Uint8Array {
  const parts: number[] = [];
  const u32 = (v: number) => parts.push(v & 255, (v >>> 8) & 255, (v >>> 16) & 255, (v >>> 24) & 255);
  const u16 = (v: number) => parts.push(v & 255, (v >>> 8) & 255);
  u32(0xa1b2c3d4); u16(2); u16(4); u32(0); u32(0); u32(65535); u32(linkType);
  frames.forEach((fr, i) => {
    const data = fr instanceof Uint8Array ? fr : fr.data;
    const len = fr instanceof Uint8Array ? fr.length : fr.len;
    u32(1000 + i); u32(0); u32(data.length); u32(len);
    for (const b of data) parts.push(b);
  });
  return Uint8Array.from(parts);
}

const dir = mkdtempSync(join(tmpdir(), "nestcap-l2-"));
let fileNo = 0;
function writePcap(linkType: number, frames: (Uint8Array | { data: Uint8Array; len: number })[]): string {
  const p = join(dir, `t${fileNo++}.pcap`);
  writeFileSync(p, pcapFile(linkType, frames));
  return p;
}

/** A pcapng file with one interface per link type: one tshark run covers them all. */
function writePcapng(groups: [number, (Uint8Array | { data: Uint8Array; len: number })[]][]): string {
  const blocks: Uint8Array[] = [shb()];
  groups.forEach(([lt]) => blocks.push(idb({ linkType: lt })));
  let ts = 1000n;
  groups.forEach(([, frames], iface) => {
    for (const fr of frames) {
      const data = fr instanceof Uint8Array ? fr : fr.data;
      const len = fr instanceof Uint8Array ? fr.length : fr.len;
      blocks.push(epb({ iface, ts: (ts += 1000000n), data, len }));
    }
  });
  const p = join(dir, `t${fileNo++}.pcapng`);
  writeFileSync(p, pcapng(...blocks));
  return p;
}

const h = (s: string) => Uint8Array.from(s.replace(/\s+/g, "").match(/../g)!.map((x) => parseInt(x, 16)));
function cat(...a: (Uint8Array | number[])[]): Uint8Array {
  const out: number[] = [];
  for (const x of a) out.push(...x);
  return Uint8Array.from(out);
}
const be16 = (v: number) => [v >>> 8, v & 255];
const be32 = (v: number) => [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
const le32 = (v: number) => [v & 255, (v >>> 8) & 255, (v >>> 16) & 255, v >>> 24];
const zeros = (n: number) => new Array<number>(n).fill(0);
const fill = (n: number, b: number) => new Array<number>(n).fill(b);

const M1 = h("020000000001");
const M2 = h("020000000002");
const BC = h("ffffffffffff");
const Z6 = zeros(6);
const IA = [10, 0, 0, 1];
const IB = [10, 0, 0, 2];
const I0 = [0, 0, 0, 0];

const eth = (dst: Uint8Array | number[], src: Uint8Array | number[], type: number, p: Uint8Array | number[]) => cat(dst, src, be16(type), p);
const tag = (tci: number, type: number, p: Uint8Array | number[]) => cat(be16(tci), be16(type), p);
const arp = (op: number, sha: ArrayLike<number>, spa: number[], tha: ArrayLike<number>, tpa: number[], hw = 1, pt = 0x0800, hl = 6, pl = 4) =>
  cat(be16(hw), be16(pt), [hl, pl], be16(op), Array.from(sha), spa, Array.from(tha), tpa);
function ip4(payload: number[] = udp([0x68, 0x69])): Uint8Array {
  return cat([0x45, 0], be16(20 + payload.length), [0, 1, 0, 0, 64, 17, 0, 0], IA, IB, payload);
}
const udp = (p: number[]) => [...be16(1234), ...be16(5678), ...be16(8 + p.length), 0, 0, ...p];
const ip6 = () => cat([0x60, 0, 0, 0], be16(10), [17, 64], zeros(15), [1], zeros(15), [1], udp([0x68, 0x69]));

// ------------------------------------------------------------------ comparison helpers

/** Layers this file's dissectors produce. */
const OURS = new Set(["eth", "ethertype", "vlan", "ieee8021ad", "arp", "sll", "null", "raw", "llc", "stp"]);
/**
 * Protocols tshark has and nestcap doesn't (yet): where one follows our layer, we hand
 * the bytes to "data" instead. Documented, unavoidable differences.
 */
const FOREIGN = new Set(["ipx", "can", "ppp", "osi", "f5ethtrailer", "eapol", "lldp", "mpls", "avsp", "cdp", "isis", "atmarp", "loop", "dtp", "vtp", "udld", "pagp", "netbios", "sna", "ddp", "gvrp", "gmrp"]);

/** frame.protocols up to and including the first layer that is not ours (the hand-off). */
function handOff(p: string): string {
  const l = p.split(":");
  let i = 0;
  while (i < l.length && OURS.has(l[i])) i++;
  return l.slice(0, i + 1).join(":");
}

interface Report {
  cells: number;
  agree: number;
  diffs: string[];
}

const newReport = (): Report => ({ cells: 0, agree: 0, diffs: [] });

/**
 * One tshark run per file: `fields` (frame.protocols first) plus the four summary columns.
 * frame.protocols is compared up to our hand-off layer (deeper layers belong to other
 * dissectors); columns are compared when the deepest layer (ignoring a final "data") is ours.
 * When tshark hands off to a FOREIGN protocol, nestcap must show "data" there, and the
 * fields of that frame that such a protocol changes (trailers) are not compared.
 */
/** tshark -T fields (same options as the shared helper), asynchronously so runs overlap. */
function tsharkAsync(file: string, fields: readonly string[]): Promise<string[][]> {
  const args = ["-n", "-r", file, "-T", "fields"];
  for (const f of fields) args.push("-e", f);
  return new Promise((resolve, reject) => {
    const p = spawn("tshark", args, { env: { ...process.env, TZ: "UTC", LC_ALL: "C" }, stdio: ["ignore", "pipe", "ignore"] });
    const chunks: Buffer[] = [];
    p.stdout.on("data", (c: Buffer) => chunks.push(c));
    p.on("error", reject);
    p.on("close", () => {
      const out = Buffer.concat(chunks).toString("utf8");
      resolve(out.split("\n").filter((l, i, a) => i < a.length - 1 || l !== "").map((l) => l.split("\t")));
    });
  });
}

/** Compare several files, running tshark on two of them at a time. */
async function diffFiles(files: readonly string[], fields: readonly string[], r: Report): Promise<void> {
  const fl = ["frame.protocols", ...fields.filter((f) => f !== "frame.protocols")];
  const pending = new Map<string, Promise<string[][]>>();
  const start = (i: number) => {
    if (i < files.length) pending.set(files[i], tsharkAsync(files[i], [...fl, ...COLS]));
  };
  start(0);
  start(1);
  for (let i = 0; i < files.length; i++) {
    const rows = await pending.get(files[i])!;
    start(i + 2);
    diffFile(files[i], fl, rows, r);
  }
}

function diffFile(file: string, fl: readonly string[], t: string[][], r: Report): void {
  const wanted = resolveFields(fl);
  const { frames } = readCaptureSync(file);
  expect(frames.length, `${file}: frame count`).toBe(t.length);
  const d = new Dissector({ wanted, columns: true });
  const name = file.split("/").pop();
  frames.forEach((fr, i) => {
    const res = d.dissect(fr);
    const mine = fieldsLine(res.tree, wanted, DEFAULT_FIELDS_OPTIONS).split("\t");
    const c = res.pinfo.cols!;
    mine.push(c.protocol, c.info, c.src, c.dst);
    const theirs = t[i];
    const tp = theirs[0] ?? "";
    const layers = tp.split(":");
    const foreign = layers.find((l) => FOREIGN.has(l));
    let deepest = layers.length - 1;
    if (layers[deepest] === "data" && deepest > 0) deepest--;
    const colsOurs = OURS.has(layers[deepest]) || tp === "";
    for (let j = 0; j < fl.length + COLS.length; j++) {
      let a = theirs[j] ?? "";
      let b = mine[j] ?? "";
      const col = j >= fl.length;
      if (col && (!colsOurs || foreign !== undefined)) continue;
      if (j === 0) {
        if (foreign === "f5ethtrailer") a = a.replace(":f5ethtrailer", "");
        a = handOff(a);
        b = handOff(b);
        if (foreign !== undefined && a.endsWith(":" + foreign)) a = a.slice(0, -foreign.length) + "data";
      } else if (foreign !== undefined && /^eth\.(trailer|padding|fcs)/.test(fl[j] ?? "")) {
        // the trailer is what the foreign dissector left unclaimed
        continue;
      }
      r.cells++;
      if (a === b) r.agree++;
      else r.diffs.push(`${name} frame ${i + 1} ${col ? COLS[j - fl.length] : fl[j]}: tshark=${JSON.stringify(a)} nestcap=${JSON.stringify(b)}`);
    }
  });
}

function report(name: string, r: Report): void {
  console.log(`${name}: ${r.agree}/${r.cells} cells agree with tshark`);
  if (r.diffs.length) console.log(r.diffs.slice(0, 40).join("\n"));
}

const T = haveTshark() ? describe : describe.skip;

// ------------------------------------------------------------------ hand-built captures

function ethernetCases(): string {
  return writePcap(1, [...ethernetFrames(), ...vlanFrames(), ...arpFrames()]);
}

function ethernetFrames() {
  const u = ip4();
  return [
    eth(BC, M1, 0x9999, fill(50, 0x71)),
    eth(BC, M1, 0x0800, cat(u, zeros(20), [0x12, 0x34, 0x56, 0x78])),
    eth(BC, M1, 0x0800, cat(u, zeros(50))),
    eth(BC, M1, 0x0800, cat(u, fill(50, 1))),
    { data: eth(BC, M1, 0x0800, cat(u, zeros(50))).subarray(0, 50), len: 100 },
    { data: eth(BC, M1, 0x0800, cat(u, zeros(50))).subarray(0, 70), len: 100 },
    eth(BC, M1, 0x0800, cat(u, zeros(14), [1, 2, 3, 4])),
    eth(BC, M1, 0x0800, cat(u, zeros(12), [1, 2, 3, 4])),
    eth(BC, M1, 0x0800, cat(u, zeros(2))),
    eth(BC, M1, 0x05ff, fill(40, 0x78)),
    Uint8Array.from(fill(10, 0xff)),
    eth(BC, M1, 0x0000, fill(46, 0x78)),
    eth(BC, M1, 0x0806, []),
    eth(M1, BC, 0x0800, u),
    eth(BC, M1, 0x0020, cat([0xff, 0xff], fill(40, 0x78))),
  ];
}

function vlanFrames() {
  const u = ip4();
  const u40 = ip4(udp(fill(40, 0x78)));
  return [
    eth(BC, M1, 0x8100, tag(100, 0x0806, arp(1, M1, IA, Z6, IB))),
    eth(BC, M1, 0x8100, tag(0x2064, 0x0806, cat(arp(1, M1, IA, Z6, IB), zeros(14)))),
    eth(BC, M1, 0x88a8, tag(0xb0c8, 0x8100, tag(0x5064, 0x0800, u))),
    eth(BC, M1, 0x9100, tag(200, 0x8100, tag(100, 0x0806, cat(arp(1, M1, IA, Z6, IB), zeros(10))))),
    eth(BC, M1, 0x8100, tag(5, 0x0800, cat(u, zeros(10)))),
    eth(BC, M1, 0x8100, tag(5, 0x0800, cat(u40, fill(8, 0xaa)))),
    eth(BC, M1, 0x8100, tag(5, 0x0800, cat(u, zeros(14), h("deadbeef")))),
    eth(BC, M1, 0x8100, [0]),
    eth(BC, M1, 0x8100, tag(0xffff, 0x9999, fill(4, 0x7a))),
    { data: eth(BC, M1, 0x8100, tag(5, 0x0800, u40)).subarray(0, 30), len: 200 },
    eth(BC, M1, 0x8100, tag(5, 0x0800, cat(u40, zeros(20)))),
    eth(BC, M1, 0x8100, tag(5, 0x0010, cat([0xff, 0xff], fill(30, 0x79)))),
    eth(BC, M1, 0x88a8, tag(0x30c8, 0x9999, fill(4, 0x7a))),
    eth(BC, M1, 0x88a8, tag(0x30c8, 0x88a8, tag(0x2064, 0x0806, cat(arp(1, M1, IA, Z6, IB), zeros(6))))),
    eth(BC, M1, 0x88a8, tag(0x30c8, 0x88a8, tag(0x2064, 0x0800, cat(u, fill(6, 0x11))))),
    eth(BC, M1, 0x88a8, [0, 1, 0x88]),
    eth(BC, M1, 0x88a8, tag(0x30c8, 0x0806, cat(arp(1, M1, IA, Z6, IB), zeros(14)))),
    // three tags deep
    eth(BC, M1, 0x8100, tag(1, 0x8100, tag(2, 0x8100, tag(3, 0x0800, u)))),
  ];
}

function arpFrames() {
  return [
    eth(BC, M1, 0x806, arp(1, M1, IA, Z6, IB)),
    eth(M1, M2, 0x806, cat(arp(2, M2, IB, M1, IA), zeros(18))),
    eth(BC, M1, 0x806, cat(arp(1, M1, IA, Z6, IA), zeros(18))),
    eth(BC, M1, 0x806, cat(arp(2, M1, IA, BC, IA), zeros(18))),
    eth(BC, M1, 0x806, cat(arp(1, M1, I0, Z6, IB), zeros(18))),
    eth(BC, M1, 0x806, cat(arp(1, M1, IA, M2, IA), zeros(18))),
    eth(BC, M1, 0x806, cat(arp(3, M1, IA, M1, I0), zeros(18))),
    eth(BC, M1, 0x806, cat(arp(4, M1, IA, M2, IB), zeros(18))),
    eth(BC, M1, 0x806, cat(arp(8, M1, IA, M2, IB), zeros(18))),
    eth(BC, M1, 0x806, cat(arp(9, M1, IA, M2, IB), zeros(18))),
    eth(BC, M1, 0x806, arp(1, M1, IA, Z6, IB).subarray(0, 20)),
    eth(BC, M1, 0x806, cat(arp(1, M1, IA, Z6, IB), fill(22, 1))),
    eth(BC, M1, 0x806, cat(arp(1, M1, IA, Z6, IB), fill(40, 1))),
    eth(BC, M1, 0x806, cat(be16(6), be16(0x86dd), [6, 16], be16(1), M1, [0x20, 1], zeros(14), Z6, [0xfe, 0x80], zeros(14))),
    eth(BC, M1, 0x806, cat(be16(1), be16(0x800), [8, 4], be16(1), h("3132333435363738"), IA, h("6162636465666768"), IB)),
    eth(BC, M1, 0x806, arp(0x55, M1, IA, Z6, IB)),
    eth(M1, M2, 0x806, arp(2, M2, IA, M1, IA)),
    eth(BC, M1, 0x806, arp(1, M1, IA, BC, IB)),
    eth(BC, M1, 0x806, arp(5, M1, IA, M2, IB)),
    eth(BC, M1, 0x806, arp(6, M1, IA, M2, IB)),
    eth(BC, M1, 0x806, arp(7, M1, IA, M2, IB)),
    eth(BC, M1, 0x806, arp(10, M1, IA, M2, IB)),
    eth(BC, M1, 0x806, arp(12, M1, IA, M2, IB)),
    eth(BC, M1, 0x806, arp(23, M1, IA, M2, IB)),
    eth(BC, M1, 0x806, arp(24, M1, IA, M2, IB)),
    eth(BC, M1, 0x806, arp(0, M1, IA, M2, IB)),
    eth(BC, M1, 0x806, arp(0xffff, M1, IA, M2, IB)),
    eth(BC, M1, 0x806, cat(be16(1), be16(0x800), [0, 0], be16(1))),
    eth(BC, M1, 0x8035, cat(arp(3, M1, I0, M1, I0), zeros(18))),
    // another host takes 10.0.0.2 (duplicate), in a reply whose target is a known binding
    eth(M1, h("020000000003"), 0x806, arp(2, h("020000000003"), IB, M1, IA)),
    { data: eth(BC, M1, 0x806, arp(1, M1, IA, Z6, IB)).subarray(0, 30), len: 42 },
  ];
}

function sllCases(): string {
  const u = ip4();
  const sll = (pkt: number, hat: number, halen: number, addr: ArrayLike<number>, proto: number, p: Uint8Array | number[]) =>
    cat(be16(pkt), be16(hat), be16(halen), [...Array.from(addr), ...zeros(8)].slice(0, 8), be16(proto), p);
  const sll2 = (proto: number, ifi: number, hat: number, pkt: number, halen: number, addr: ArrayLike<number>, p: Uint8Array | number[]) =>
    cat(be16(proto), [0, 0], be32(ifi), be16(hat), [pkt, halen], [...Array.from(addr), ...zeros(8)].slice(0, 8), p);
  const a = arp(1, M1, IA, Z6, IB);
  const v1: Uint8Array[] = [
    sll(0, 1, 6, M1, 0x800, u), sll(4, 1, 6, M1, 0x806, a), sll(1, 1, 6, M1, 0x806, cat(a, zeros(18))),
    sll(2, 65534, 0, [], 0x800, cat(u, fill(10, 0xab))), sll(0, 778, 4, IA, 0x0800, u), sll(0, 1, 8, h("3132333435363738"), 0x800, u),
    sll(0, 280, 0, [], 0x000c, fill(16, 0x63)), sll(0, 1, 6, M1, 0x0003, eth(BC, M1, 0x806, a)), sll(0, 1, 10, h("30313233343536373839"), 0x800, u),
    sll(0, 1, 6, M1, 0x8100, tag(7, 0x800, u)), sll(0, 1, 6, M1, 0x9999, [0x71, 0x71]), cat([0, 0, 0, 1, 0, 6], M1),
    cat(sll(0, 519, 0, [], 0x800, u), zeros(30)), sll(0, 776, 4, IA, 0x0800, u), sll(0, 1, 6, M1, 0x0600, u), sll(0, 1, 6, M1, 0x0601, u),
    sll(9, 1, 6, M1, 0x806, a),
  ];
  const v2: Uint8Array[] = [
    sll2(0x800, 2, 1, 0, 6, M1, u), sll2(0x806, 3, 1, 4, 6, M1, arp(2, M1, IA, M2, IB)), sll2(0x800, 7, 65534, 4, 0, [], cat(u, fill(10, 0xab))),
    sll2(0x9999, 1, 1, 0, 6, M1, [0x71, 0x71]), h("0800000000000000020001 00"), sll2(0x800, 1, 778, 0, 4, IA, u),
    sll2(0x800, 0x80000005, 1, 0, 6, M1, u), sll2(0x0003, 1, 1, 0, 6, M1, eth(BC, M1, 0x806, a)), h("08000000000000000200"),
  ];
  return writePcapng([[113, v1], [276, v2]]);
}

function loopbackCases(): string {
  const u = ip4();
  const v6 = ip6();
  const nul = [
    cat(le32(2), u), cat(be32(2), u), cat(le32(24), v6), cat(le32(28), v6), cat(be32(30), v6), cat(le32(0x0800), u),
    cat([0, 0, 8, 0], u), cat([0, 2, 0, 0], u), [2, 0], cat(le32(99), [0x7a, 0x7a]), cat(le32(2), u, zeros(20)), le32(2),
  ].map((x) => Uint8Array.from(x));
  const loop = [cat(be32(2), u), cat(be32(24), v6), cat(le32(2), u), Uint8Array.from([0, 0]), cat(be32(0x800), u)];
  const rawFrames = [u, v6, Uint8Array.from([0x12, 0x34]), new Uint8Array(0), cat(u, zeros(10)), Uint8Array.from([0x45]),
    Uint8Array.from(fill(8, 0x12)), cat(zeros(10), u), Uint8Array.from(fill(7, 0x45))];
  return writePcapng([[0, nul], [108, loop], ...[101, 12, 14, 228, 229].map((lt): [number, Uint8Array[]] => [lt, rawFrames])]);
}

// ------------------------------------------------------------------ differential tests

T("differential vs tshark", () => {
  test("fixtures vlan / qinq / sll / sll2", async () => {
    const files = fixtures((n) => /^(vlan|qinq|sll|sll2)\.pcap$/.test(n));
    if (files.length === 0) return;
    const r = newReport();
    await diffFiles(files, ours(ALL), r);
    report("fixtures", r);
    expect(r.diffs).toEqual([]);
    expect(r.agree).toBeGreaterThan(500);
  });

  test("hand-built Ethernet / 802.3 / VLAN / QinQ / 802.1ad / ARP cases", async () => {
    const r = newReport();
    await diffFiles([ethernetCases()], ours(["frame.protocols", ...ETH, ...VLAN, ...AD, ...ARP]), r);
    report("ethernet+vlan+arp", r);
    expect(r.diffs).toEqual([]);
    expect(r.agree).toBeGreaterThan(2500);
  });

  test("hand-built SLL v1 / v2 cases", async () => {
    const r = newReport();
    await diffFiles([sllCases()], ours(["frame.protocols", ...SLL, "eth.padding", "arp.opcode", "vlan.id"]), r);
    report("sll", r);
    expect(r.diffs).toEqual([]);
    expect(r.agree).toBeGreaterThan(400);
  });

  test("hand-built NULL / LOOP / RAW / IPV4 / IPV6 cases", async () => {
    const r = newReport();
    await diffFiles([loopbackCases()], ours(["frame.protocols", ...NULL]), r);
    report("null/loop/raw", r);
    expect(r.diffs).toEqual([]);
    expect(r.agree).toBeGreaterThan(150);
  });

  test("corpus captures with our link types and protocols", async () => {
    const names = new Set([
      // ARP / VLAN / QinQ over Ethernet
      "arp-oobr.pcap", "arp-too-long-tha.pcap", "bgp-evpn.pcap", "eapon1.pcap", "ipv4_tcp_http_xml.pcap",
      "rpvstp-trunk-native-vid5.pcap",
      // Linux cooked
      "tcp-handshake-nano.pcap", "forces1.pcap",
      // NULL / raw / IPv4 / IPv6 link types
      "dns-badcookie.pcap", "quic_handshake.pcap", "LINKTYPE_IPV4.pcap", "LINKTYPE_RAW_ipv4.pcap",
      "LINKTYPE_RAW_ipv6.pcap", "heap-overflow-1.pcap",
    ]);
    const files = [
      ...corpus("tcpdump", (n) => names.has(n)),
      ...corpus("suricata-verify", (n) => /^http-uri-spaces__input\.pcap$/.test(n)),
    ];
    if (files.length === 0) return;
    const r = newReport();
    await diffFiles(files, ours(["frame.protocols", ...ETH, ...VLAN, ...AD, ...ARP, ...SLL, ...NULL]), r);
    report(`corpus (${files.length} files)`, r);
    expect(r.diffs).toEqual([]);
    expect(r.agree).toBeGreaterThan(5000);
  });
});

// ------------------------------------------------------------------ unit tests

function fieldValues(r: ReturnType<typeof dissect>, abbrev: string): string[] {
  const f = fieldByAbbrev(abbrev)!;
  const out: string[] = [];
  for (const it of walk(r.tree.root)) if (it.field === f) out.push(fieldText(f, it.value));
  return out;
}

/** frame.protocols as the frame dissector recorded it. */
function protocolsOf(r: ReturnType<typeof dissect>): string {
  return fieldValues(r, "frame.protocols")[0] ?? "";
}

describe("unit", () => {
  test("QinQ: 802.1ad outer tag, 802.1Q inner tag, ARP inside", () => {
    const r = dissect(1, eth(BC, M1, 0x88a8, tag(0x30c8, 0x8100, tag(0x2064, 0x0806, cat(arp(1, M1, IA, Z6, IB), zeros(6))))));
    expect(protocolsOf(r)).toBe("eth:ethertype:ieee8021ad:ethertype:vlan:ethertype:arp");
    expect(fieldValues(r, "ieee8021ad.id")).toEqual(["200"]);
    expect(fieldValues(r, "vlan.id")).toEqual(["100"]);
    expect(fieldValues(r, "vlan.priority")).toEqual(["1"]);
    expect(fieldValues(r, "arp.dst.proto_ipv4")).toEqual(["10.0.0.2"]);
    expect(r.pinfo.cols!.info).toBe("Who has 10.0.0.2? Tell 10.0.0.1");
  });

  test("VLAN tree text and Info", () => {
    const r = dissect(1, eth(BC, M1, 0x8100, tag(0xb064, 0x9999, [1, 2, 3, 4])));
    const top = [...walk(r.tree.root)].find((i) => i.field?.abbrev === "vlan")!;
    expect(top.suffix).toBe(", PRI: 5, DEI: 1, ID: 100");
    expect(r.pinfo.cols!.info).toBe("PRI: 5  DEI: 1  ID: 100");
    expect(r.pinfo.cols!.protocol).toBe("0x9999");
  });

  test("gratuitous ARP, probe and announcement", () => {
    const g = dissect(1, eth(BC, M1, 0x806, arp(2, M1, IA, BC, IA)));
    expect(fieldValues(g, "arp.isgratuitous")).toEqual(["1"]);
    expect(g.pinfo.cols!.info).toBe("Gratuitous ARP for 10.0.0.1 (Reply)");
    const a = dissect(1, eth(BC, M1, 0x806, arp(1, M1, IA, Z6, IA)));
    expect(fieldValues(a, "arp.isannouncement")).toEqual(["1"]);
    expect(a.pinfo.cols!.info).toBe("ARP Announcement for 10.0.0.1");
    const p = dissect(1, eth(BC, M1, 0x806, arp(1, M1, I0, Z6, IB)));
    expect(fieldValues(p, "arp.isprobe")).toEqual(["1"]);
    expect(p.pinfo.cols!.info).toBe("Who has 10.0.0.2? (ARP Probe)");
    const rep = dissect(1, eth(M1, M2, 0x806, arp(2, M2, IB, M1, IA)));
    expect(rep.pinfo.cols!.info).toBe("10.0.0.2 is at 02:00:00:00:00:02");
    expect(rep.pinfo.cols!.protocol).toBe("ARP");
  });

  test("duplicate IP detection across frames lives in the session", () => {
    const d = new Dissector({ tree: true, columns: true });
    dissect(1, eth(BC, M1, 0x806, arp(1, M1, IA, Z6, IB)), { dissector: d });
    const r = dissect(1, eth(BC, M2, 0x806, arp(1, M2, IA, Z6, IB)), { dissector: d });
    expect(fieldValues(r, "arp.duplicate-address-frame")).toEqual(["1"]);
    expect(r.pinfo.cols!.info).toBe("Who has 10.0.0.2? Tell 10.0.0.1 (duplicate use of 10.0.0.1 detected!)");
    // a fresh Dissector (fresh session) has no memory of frame 1
    const fresh = dissect(1, eth(BC, M2, 0x806, arp(1, M2, IA, Z6, IB)));
    expect(fieldValues(fresh, "arp.duplicate-address-frame")).toEqual([]);
  });

  test("truncated headers are marked, never thrown", () => {
    const cases: [number, Uint8Array, string][] = [
      [1, eth(BC, M1, 0x8100, [0]), "eth:ethertype:vlan"],
      [1, eth(BC, M1, 0x88a8, [0, 1, 0x88]), "eth:ethertype:ieee8021ad"],
      [1, eth(BC, M1, 0x806, arp(1, M1, IA, Z6, IB).subarray(0, 20)), "eth:ethertype:arp"],
      [113, cat([0, 0, 0, 1, 0, 6], M1), "sll"],
      [276, h("08000000000000000200"), "sll"],
      [0, Uint8Array.from([2, 0]), "null"],
      [108, Uint8Array.from([0, 0]), "null"],
      [101, new Uint8Array(0), "raw"],
      [1, Uint8Array.from([1, 2, 3]), "eth"],
    ];
    for (const [lt, bytes, layers] of cases) {
      const r = dissect(lt, bytes);
      expect(protocolsOf(r)).toBe(layers);
      expect(r.pinfo.cols!.info).toMatch(/\[Malformed Packet\]$/);
      expect([...walk(r.tree.root)].some((i) => i.field?.abbrev === "_ws.malformed")).toBe(true);
    }
    // cut by the snapshot length: "limited during capture", not malformed
    const cut = dissect(1, eth(BC, M1, 0x806, arp(1, M1, IA, Z6, IB)).subarray(0, 30), { len: 42 });
    expect(cut.pinfo.cols!.info).toBe("[Packet size limited during capture]");
    expect(cut.pinfo.malformed).toBe(false);
  });

  test("NULL byte-order detection", () => {
    const u = ip4();
    for (const hdr of [le32(2), be32(2), [0, 2, 0, 0]]) {
      const r = dissect(0, cat(hdr, u));
      expect(fieldValues(r, "null.family")).toEqual(["2"]);
      expect(r.pinfo.layers[2]).toBe("ip");
    }
    expect(fieldValues(dissect(0, cat(le32(30), ip6())), "null.family")).toEqual(["30"]);
    expect(fieldValues(dissect(0, cat(le32(0x86dd), ip6())), "null.type")).toEqual(["0x86dd"]);
  });

  test("padding vs trailer vs FCS on Ethernet", () => {
    const u = ip4(); // 30 bytes: frame 44 + extra
    const pad = dissect(1, eth(BC, M1, 0x800, cat(u, zeros(16))));
    expect(fieldValues(pad, "eth.padding")).toEqual(["0".repeat(32)]);
    expect(fieldValues(pad, "eth.trailer")).toEqual([]);
    const fcs = dissect(1, eth(BC, M1, 0x800, cat(u, zeros(16), [1, 2, 3, 4])));
    expect(fieldValues(fcs, "eth.fcs")).toEqual(["0x01020304"]);
    const tr = dissect(1, eth(BC, M1, 0x800, cat(u, fill(16, 9))));
    expect(fieldValues(tr, "eth.padding")).toEqual([]);
    expect(fieldValues(tr, "eth.trailer")).toEqual(["09".repeat(16)]);
  });
});

// ------------------------------------------------------------------ fuzz

describe("fuzz", () => {
  const LINKTYPES = [0, 1, 12, 14, 101, 108, 113, 228, 229, 276];
  const seeds: Uint8Array[] = [
    eth(BC, M1, 0x88a8, tag(0x30c8, 0x8100, tag(0x2064, 0x0806, arp(1, M1, IA, Z6, IB)))),
    eth(BC, M1, 0x8100, tag(5, 0x0800, cat(ip4(), zeros(20)))),
    eth(BC, M1, 0x0806, cat(arp(2, M1, IA, M2, IB), zeros(18))),
    cat(be16(0), be16(1), be16(6), M1, [0, 0], be16(0x806), arp(1, M1, IA, Z6, IB)),
    cat(be16(0x800), [0, 0], be32(2), be16(1), [0, 6], M1, [0, 0], ip4()),
    cat(le32(2), ip4()),
    ip4(),
  ];

  test("random bytes with every link type never throw", () => {
    fc.assert(
      fc.property(fc.constantFrom(...LINKTYPES), fc.uint8Array({ maxLength: 120 }), fc.boolean(), (lt, bytes, full) => {
        const d = new Dissector({ tree: full, columns: full });
        dissect(lt, bytes, { dissector: d });
        dissect(lt, bytes, { dissector: d, len: bytes.length + 17 });
      }),
      { numRuns: 3000, seed: 20240601 },
    );
  });

  test("mutated real-looking frames never throw", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...seeds),
        fc.constantFrom(...LINKTYPES),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
        fc.nat(),
        (seed, lt, muts, cut) => {
          const b = seed.slice(0, Math.max(0, seed.length - (cut % 12)));
          for (const [i, v] of muts) if (b.length) b[i % b.length] = v;
          const d = new Dissector({ tree: true, columns: true });
          dissect(lt, b, { dissector: d });
          dissect(1, b, { dissector: d });
        },
      ),
      { numRuns: 3000, seed: 7 },
    );
  });
});

