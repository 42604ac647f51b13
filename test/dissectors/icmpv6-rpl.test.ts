/**
 * RPL control messages (ICMPv6 155) against tshark 4.0: hand-built DIS, DIO (every mode of
 * operation), DAO and DAO-ACK with and without a DODAGID, each option nestcap dissects
 * (padding, routing information at each preference and of a wrong length, DODAG
 * configuration with bytes left over, DAG metric containers of every metric type, target,
 * transit with and without a parent, solicited and prefix information, target descriptor, an
 * option type tshark does not know, a target running past the message), and tcpdump's RPL
 * captures. -V and PDML are compared whole.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { pcap } from "../helpers/build.js";
import { corpus, haveTshark, runCli, tsharkText } from "../helpers/tshark.js";

const SRC = Buffer.from("fe800000000000000216 3eff fe11 3424".replace(/ /g, ""), "hex");
const DST = Buffer.from("ff02000000000000000000000000001a", "hex");
const A = [...Array(16).keys()].map((i) => 0x20 + i);

function sum16(b: number[]): number {
  let s = 0;
  for (let i = 0; i < b.length; i += 2) s += (b[i] << 8) | (b[i + 1] ?? 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

/** Ethernet/IPv6/ICMPv6 RPL control message with this code and body, checksum right. */
function rpl(code: number, body: number[]): Uint8Array {
  const icmp = [155, code, 0, 0, ...body];
  const len = icmp.length;
  const c = sum16([...SRC, ...DST, 0, 0, len >> 8, len & 255, 0, 0, 0, 58, ...icmp]);
  icmp[2] = c >> 8;
  icmp[3] = c & 255;
  const ip = [0x60, 0, 0, 0, len >> 8, len & 255, 58, 255, ...SRC, ...DST];
  return Uint8Array.from([0x33, 0x33, 0, 0, 0, 0x1a, 0, 0x16, 0x3e, 0x11, 0x34, 0x24, 0x86, 0xdd, ...ip, ...icmp]);
}
const opt = (type: number, data: number[]) => [type, data.length, ...data];
const CONFIG = [0x0b, 8, 12, 10, 0, 0, 1, 0, 1, 0, 0, 1, 0, 0x1e];

/** A metric for the DAG metric container: type, flags, its objects. */
const metric = (type: number, flags: number, obj: number[]) => [type, flags >> 8, flags & 255, obj.length, ...obj];
const dio = (opts: number[]) => rpl(1, [0x1e, 0xf0, 1, 0, 0, 0xf0, 0, 0, ...A, ...opts]);

const FRAMES: Uint8Array[] = [
  rpl(0, [0, 0, 0, ...opt(1, [0, 0, 0]), ...opt(7, [1, 0xe0, ...A, 5]), ...opt(9, [0xde, 0xad, 0xbe, 0xef]), ...opt(11, [1, 2]), ...opt(12, [])]),
  ...[0, 1, 2, 3, 4, 5, 6, 7].map((mop) => rpl(1, [0x1e, 0xf0, 1, 0, (mop << 3) | 0x81, 0xf0, 0, 0, ...A, ...opt(4, CONFIG)])),
  rpl(1, [0x1e, 0xf0, 1, 0, 0x08, 0xf0, 0, 0, ...A, ...opt(4, [...CONFIG, 0, 0x3c]),
    ...opt(8, [64, 0xe0, 0, 1, 0x51, 0x80, 0, 0, 0x38, 0x40, 0, 0, 0, 0, ...A])]),
  ...[0, 1, 2, 3].map((pref) => rpl(1, [0x1e, 0xf0, 1, 0, 0, 0xf0, 0, 0, ...A, ...opt(3, [48, pref << 3, 0, 0, 0x0e, 0x10, ...A.slice(0, 6)])])),
  rpl(1, [0x1e, 0xf0, 1, 0, 0, 0xf0, 0, 0, ...A, ...opt(3, [0, 0, 0xff, 0xff, 0xff, 0xff]), ...opt(3, [64, 0x18, 0, 0, 0x0e, 0x10, ...A.slice(0, 8)])]),
  rpl(2, [1, 0xc0, 0, 7, ...A, ...opt(5, [0, 128, ...A]), ...opt(6, [0x80, 0, 1, 0xff, ...A]), ...opt(9, [1, 2, 3, 4])]),
  rpl(2, [1, 0x40, 0, 7, ...A, ...opt(5, [0, 64, ...A.slice(0, 8)]), ...opt(6, [0, 0, 1, 0xff]), 0]),
  rpl(2, [0x2a, 0, 1, 0, ...opt(13, [1, 2]), ...opt(6, [0, 0, 2, 0x10])]),
  rpl(2, [1, 0, 0, 7, 5, 0x30, 0, 0x80]), // a target longer than the message
  rpl(3, [2, 0, 7, 0x80]),
  rpl(3, [2, 0x80, 7, 0, ...A, ...opt(1, [])]),
  // DAG metric containers: every metric type, objects repeated where a metric repeats them,
  // every flag, a node state TLV, a link colour as metric and as constraint, an unknown
  // type, a hop count longer than its object, two metrics in one option
  dio(opt(2, metric(7, 0, [0, 0x80, 0, 0x90]))),
  dio(opt(2, metric(4, 0x400, [0, 0, 0x10, 0, 0, 0, 0x20, 0]))),
  dio(opt(2, metric(5, 0x200, [0, 0, 0, 0x20]))),
  dio(opt(2, metric(2, 0x100, [0x0a, 0x64, 0x0b, 0x65]))),
  dio(opt(2, metric(6, 0x80, [0, 0x45, 0x67]))),
  dio(opt(2, metric(8, 0x70, [0, 0x12, 0x41, 0x56, 0x78]))),
  dio(opt(2, metric(8, 0x200, [0, 0x12, 0x41]))),
  dio(opt(2, metric(1, 0x0f, [0, 3, 1, 2, 0xaa, 0xbb]))),
  dio(opt(2, [...metric(3, 0xffff, [0, 5]), ...metric(7, 0, [1, 0])])),
  dio(opt(2, metric(9, 0, [1, 2]))),
  dio(opt(2, metric(3, 0, [0, 5, 0, 6]))),
];

describe.skipIf(!haveTshark())("RPL control messages vs tshark", () => {
  const file = join(mkdtempSync(join(tmpdir(), "nestcap-rpl-")), "rpl.pcap");
  writeFileSync(file, pcap(FRAMES.map((data, i) => ({ sec: 1700000000 + i, frac: 0, data }))));
  const files = [file, ...corpus("tcpdump", (n) => n.startsWith("rpl-"))];
  it("-V and PDML", () => {
    const norm = (s: string) => s.replace(/ creator="[^"]*" time="[^"]*"/, "");
    for (const f of files) {
      const v = tsharkText(["-n", "-r", f, "-V"]);
      expect(v).toContain("RPL Control");
      expect(runCli(["-r", f, "-V"]).stdout, f).toBe(v);
      expect(norm(runCli(["-r", f, "-T", "pdml"]).stdout), f).toBe(norm(tsharkText(["-n", "-r", f, "-T", "pdml"])));
    }
    const mine = runCli(["-r", file, "-V"]).stdout;
    expect(mine).toContain("ICMPv6 RPL Option (Transit Information 2021:2223:2425:2627:2829:2a2b:2c2d:2e2f)");
    expect(mine).toContain("Route Lifetime: Infinity (4294967295)");
  });
});
