/**
 * Display-filter evaluation on hand-made trees: every operator, sets, slices,
 * CIDR, any/all-occurrence semantics, functions, arithmetic, typed literals.
 */
import { describe, expect, it } from "vitest";
import type { Frame } from "../../src/capture/frame.js";
import { dissect, type Dissection } from "../../src/core/dissect.js";
import { registerField, type Field, type Value } from "../../src/core/field.js";
import { Tree } from "../../src/core/tree.js";
import { compileFilter } from "../../src/filter/index.js";

const F = {
  u8: registerField({ abbrev: "nce.u8", name: "u8", type: "uint8", strings: { 6: "TCP", 17: "UDP" } }),
  u16: registerField({ abbrev: "nce.u16", name: "u16", type: "uint16", base: "hex" }),
  u32: registerField({ abbrev: "nce.u32", name: "u32", type: "uint32" }),
  u64: registerField({ abbrev: "nce.u64", name: "u64", type: "uint64" }),
  i8: registerField({ abbrev: "nce.i8", name: "i8", type: "int8" }),
  bool: registerField({ abbrev: "nce.bool", name: "bool", type: "bool", tfs: ["Yes", "No"] }),
  str: registerField({ abbrev: "nce.str", name: "str", type: "string" }),
  str2: registerField({ abbrev: "nce.str2", name: "str2", type: "string" }),
  bytes: registerField({ abbrev: "nce.bytes", name: "bytes", type: "bytes" }),
  ether: registerField({ abbrev: "nce.ether", name: "ether", type: "ether" }),
  ip: registerField({ abbrev: "nce.ip", name: "ip", type: "ipv4" }),
  ip2: registerField({ abbrev: "nce.ip2", name: "ip2", type: "ipv4" }),
  ip6: registerField({ abbrev: "nce.ip6", name: "ip6", type: "ipv6" }),
  abs: registerField({ abbrev: "nce.abs", name: "abs", type: "abs_time" }),
  rel: registerField({ abbrev: "nce.rel", name: "rel", type: "rel_time" }),
  dbl: registerField({ abbrev: "nce.dbl", name: "dbl", type: "double" }),
  none: registerField({ abbrev: "nce.none", name: "none", type: "none" }),
  proto: registerField({ abbrev: "nce", name: "Test protocol", type: "protocol" }),
};

const ip4 = (s: string) => s.split(".").reduce((a, o) => a * 256 + Number(o), 0);
const hex = (s: string) => Uint8Array.from(s.split(/[:\s]/).filter(Boolean).map((x) => parseInt(x, 16)));
const ip6 = (s: string) => {
  // only the forms used here: "fd00::N" and "fe80::N"
  const [head, tail] = s.split("::");
  const b = new Uint8Array(16);
  const h = parseInt(head, 16);
  b[0] = h >> 8;
  b[1] = h & 255;
  const t = parseInt(tail, 16);
  b[14] = t >> 8;
  b[15] = t & 255;
  return b;
};

function packet(values: [Field, Value][], data: Uint8Array = new Uint8Array(0)): Dissection {
  const tree = new Tree(false, null);
  for (const [f, v] of values) tree.record(f, v);
  const frame: Frame = { num: 1, tsSec: 0, tsNsec: 0, caplen: data.length, len: data.length, data, linkType: 1, interfaceId: 0 };
  return { frame, tree, pinfo: null as unknown as Dissection["pinfo"] };
}

const P = packet(
  [
    [F.proto, null],
    [F.u8, 17],
    [F.u16, 0x0012],
    [F.u32, 5],
    [F.u32, 70],
    [F.u64, 18446744073709551615n],
    [F.i8, -3],
    [F.bool, true],
    [F.str, "www.Example.com"],
    [F.str2, "www.Example.com"],
    [F.bytes, hex("47 45 54 20 2f 0a")],
    [F.ether, hex("02:00:00:00:00:01")],
    [F.ip, ip4("10.99.0.1")],
    [F.ip, ip4("192.168.1.7")],
    [F.ip2, ip4("10.99.0.1")],
    [F.ip6, ip6("fd00::2")],
    [F.abs, { s: 1577836800, ns: 500000000 }], // 2020-01-01 00:00:00.5 UTC
    [F.rel, { s: 0, ns: 250000000 }],
    [F.dbl, 1.75],
    [F.none, null],
  ],
  hex("ff ff ff ff ff ff 02 00 00 00 00 01 08 00 45 00"),
);
const EMPTY = packet([]);

function t(filter: string, d = P): boolean {
  return compileFilter(filter).test(d);
}

function check(cases: [string, boolean][], d = P): void {
  const got = cases.map(([f]) => [f, t(f, d)]);
  expect(got).toEqual(cases);
}

describe("display filter evaluation", () => {
  it("presence of fields, labels and protocols", () => {
    check([
      ["nce", true],
      ["nce.none", true],
      ["nce.u32", true],
      ["!nce.u32", false],
      ["frame", true],
    ]);
    check([["nce", false], ["nce.none", false], ["nce.u32", false], ["!nce.u32", true], ["not nce.ip", true]], EMPTY);
  });

  it("== any occurrence, != all occurrences, === all, !== any; absent fields make comparisons false", () => {
    check([
      ["nce.ip == 10.99.0.1", true],
      ["nce.ip == 192.168.1.7", true],
      ["nce.ip == 1.2.3.4", false],
      ["nce.ip != 10.99.0.1", false],
      ["nce.ip != 1.2.3.4", true],
      ["nce.ip ne 1.2.3.4", true],
      ["nce.ip all_ne 10.99.0.1", false],
      ["nce.ip !== 10.99.0.1", true],
      ["nce.ip ~= 10.99.0.1", true],
      ["nce.ip any_ne 10.99.0.1", true],
      ["nce.ip === 10.99.0.1", false],
      ["nce.ip2 === 10.99.0.1", true],
      ["nce.ip2 !== 10.99.0.1", false],
      ["all nce.ip == 10.99.0.1", false],
      ["any nce.ip == 10.99.0.1", true],
      ["any nce.ip != 10.99.0.1", true],
      ["all nce.ip > 10.0.0.0", true],
      ["all nce.ip > 11.0.0.0", false],
      ["!(nce.ip == 10.99.0.1)", false],
    ]);
    check(
      [
        ["nce.ip == 10.99.0.1", false],
        ["nce.ip != 10.99.0.1", false],
        ["nce.ip !== 10.99.0.1", false],
        ["nce.ip === 10.99.0.1", false],
        ["!(nce.ip == 10.99.0.1)", true],
        ["nce.ip in {10.99.0.1}", false],
        ["nce.ip not in {10.99.0.1}", true],
      ],
      EMPTY,
    );
  });

  it("integers: all relations, keywords, bases, value strings, char constants, 64-bit", () => {
    check([
      ["nce.u32 == 5", true],
      ["nce.u32 eq 70", true],
      ["nce.u32 > 69", true],
      ["nce.u32 gt 70", false],
      ["nce.u32 >= 70", true],
      ["nce.u32 ge 71", false],
      ["nce.u32 < 6", true],
      ["nce.u32 lt 5", false],
      ["nce.u32 <= 5", true],
      ["nce.u32 le 4", false],
      ["nce.u32 == 0x46", true],
      ["nce.u32 == 0106", true],
      ["nce.u32 == 0b101", true],
      ["nce.u32 == 'F'", true],
      ["nce.u8 == UDP", true],
      ["nce.u8 == Udp", true],
      ['nce.u8 == "TCP"', false],
      ["nce.u8 == 17", true],
      ["nce.u64 == 18446744073709551615", true],
      ["nce.u64 == 0xffffffffffffffff", true],
      ["nce.u64 > 4294967296", true],
      ["nce.u64 < 1", false],
      ["nce.i8 == -3", true],
      ["nce.i8 < -2", true],
      ["nce.i8 > 0", false],
      ["nce.u16 == 18", true],
      ["nce.u32 == nce.u16", false],
      ["nce.u32 < nce.u16", true],
      ["nce.u16 < nce.u32 < 100", true],
      ["nce.u16 < nce.u32 < 5", false],
    ]);
  });

  it("sets with ranges, commas, not in, all quantifier", () => {
    check([
      ["nce.u32 in {1, 5}", true],
      ["nce.u32 in {1,2,3}", false],
      ["nce.u32 in {60..80}", true],
      ["nce.u32 in {6..69}", false],
      ["nce.u32 in {1, 6..69, 71}", false],
      ["nce.u32 not in {5}", false],
      ["nce.u32 not in {6, 7}", true],
      ["all nce.u32 in {5, 70}", true],
      ["all nce.u32 in {5}", false],
      ["nce.u8 in {TCP, UDP}", true],
      ["nce.ip in {10.0.0.0/8}", true],
      ["nce.ip in {10.99.0.0..10.99.0.9}", true],
      ["nce.ip in {10.99.0.2..10.99.0.9}", false],
      ['nce.str in {"a", "www.Example.com"}', true],
      ["nce.rel in {0..0.5}", true],
      ["nce.u32 in {nce.u16, 5}", true],
    ]);
  });

  it("IPv4/IPv6 addresses, CIDR prefixes, ordering, field vs field", () => {
    check([
      ["nce.ip == 10.0.0.0/8", true],
      ["nce.ip == 10.99.0.0/24", true],
      ["nce.ip == 10.98.0.0/16", false],
      ["nce.ip == 0.0.0.0/0", true],
      ["nce.ip == 192.168.1.7/32", true],
      ["nce.ip == 192.168.1.6/31", true],
      ["nce.ip == 192.168.1.4/31", false],
      ["nce.ip > 192.168.1.6", true],
      ["nce.ip < 10.99.0.1", false],
      ["nce.ip == nce.ip2", true],
      ["nce.ip != nce.ip2", false],
      ["nce.ip6 == fd00::2", true],
      ["nce.ip6 == fd00:0:0:0:0:0:0:2", true],
      ["nce.ip6 == fd00::1", false],
      ["nce.ip6 == fd00::/16", true],
      ["nce.ip6 == fd01::/16", false],
      ["nce.ip6 == fc00::/7", true],
      ["nce.ip6 > fd00::1", true],
      ["nce.ip6[0:2] == fd:00", true],
      ["len(nce.ip6) == 16", true],
    ]);
  });

  it("MAC and byte-string literals in every spelling; slices", () => {
    check([
      ["nce.ether == 02:00:00:00:00:01", true],
      ["nce.ether == 02-00-00-00-00-01", true],
      ["nce.ether == 0200.0000.0001", true],
      ["nce.ether == 02.00.00.00.00.01", true],
      ["nce.ether == 020000000001", true],
      ["nce.ether != 02:00:00:00:00:02", true],
      ["nce.ether > 02:00:00:00:00:00", true],
      ["nce.ether[0:3] == 02:00:00", true],
      ["nce.ether[5] == 01", true],
      ["nce.ether[-1] == 1", true],
      ["nce.ether[-2:] == 00:01", true],
      ["nce.ether[4-5] == 00:01", true],
      ["nce.ether[:2] == 02:00", true],
      ["nce.ether[0:1,5] == 02:01", true],
      ["nce.ether[5:2] == 01", false],
      ["nce.ether[6] == 00", false],
      ["nce.bytes == 47:45:54:20:2f:0a", true],
      ["nce.bytes[0:3] == \"GET\"", true],
      ["nce.bytes[0] == 47", true],
      ["nce.bytes[0] == 0x47", true],
      ["nce.bytes[0] == 71", false],
      ["nce.bytes contains 54:20", true],
      ['nce.bytes contains "T /"', true],
      ['nce.bytes contains "\\x2f\\n"', true],
      ["nce.bytes contains 20:20", false],
      ['nce.bytes matches "get /$"', true],
      ['nce.bytes matches "^GET"', true],
      ['nce.bytes matches "(?-i)^get"', false],
      ["nce.bytes[0] & 0x40", true],
      ["nce.bytes[0] & 0x80", false],
      ["nce.ether[0] & 1", false],
      ["len(nce.bytes) == 6", true],
      ["nce.ip[0] == 0a", true],
      ["nce.ip[2:2] == 01:07", true],
    ]);
  });

  it("frame bytes: frame[...] slices, contains, matches, len(frame)", () => {
    check([
      ["frame[0:6] == ff:ff:ff:ff:ff:ff", true],
      ["frame[12:2] == 08:00", true],
      ["frame[-2:] == 45:00", true],
      ["frame[6:6] == nce.ether", true],
      ["frame contains 08:00:45", true],
      ["frame contains 08:00:46", false],
      ['frame matches "\\x08\\x00E"', true],
      ["len(frame) == 16", true],
      ["frame[20] == 00", false],
    ]);
  });

  it("strings: equality, order, contains, matches (case-insensitive by default), slices, functions", () => {
    check([
      ['nce.str == "www.Example.com"', true],
      ["nce.str == www.Example.com", true],
      ['nce.str == "www.example.com"', false],
      ['nce.str != "x"', true],
      ['nce.str > "www"', true],
      ['nce.str < "a"', false],
      ['nce.str contains "Exam"', true],
      ['nce.str contains "exam"', false],
      ['nce.str matches "exam"', true],
      ['nce.str ~ "^WWW\\\\.example\\\\.COM$"', true],
      ['nce.str matches "(?-i)exam"', false],
      ['nce.str matches "(?i)EXAM"', true],
      ['nce.str[0:3] == "www"', true],
      ["nce.str[0:3] == 77:77:77", true],
      ['upper(nce.str) == "WWW.EXAMPLE.COM"', true],
      ['lower(nce.str) contains "example"', true],
      ["len(nce.str) == 15", true],
      ["nce.str == nce.str2", true],
      ['nce.str == "\\x77ww.Example.com"', true],
    ]);
  });

  it("booleans, doubles and times", () => {
    check([
      ["nce.bool", true],
      ["nce.bool == 1", true],
      ["nce.bool == 2", true],
      ["nce.bool == 0", false],
      ["nce.bool == True", true],
      ["nce.bool == FALSE", false],
      ["nce.bool == yes", true],
      ['nce.bool == "No"', false],
      ["nce.bool != 1", false],
      ["nce.dbl > 1.5", true],
      ["nce.dbl == 1.75", true],
      ["nce.dbl < 1", false],
      ['nce.abs == "Jan  1, 2020 00:00:00.5"', true],
      ['nce.abs > "Jan 1, 2020 00:00:00"', true],
      ['nce.abs < "2020-01-01 00:00:01"', true],
      ['nce.abs == "2020-01-01T00:00:00.500Z"', true],
      ['nce.abs > "2020-01-01 00:00:01"', false],
      ["nce.rel > 0.2", true],
      ["nce.rel == 0.25", true],
      ["nce.rel >= 1", false],
      ["nce.rel > -1", true],
    ]);
  });

  it("arithmetic, bitwise and, functions", () => {
    check([
      ["nce.u32 + 1 == 6", true],
      ["nce.u32 - 1 == 69", true],
      ["nce.u32 * 2 == 140", true],
      ["nce.u32 / 2 == 35", true],
      ["nce.u32 / 2 == 2", true],
      ["nce.u32 % 3 == 1", true],
      ["{nce.u32 + 1} * 2 == 12", true],
      ["-nce.u32 == -5", true],
      ["nce.u32 == 3 + 2", true],
      ["nce.u32 == -1", false],
      ["nce.u32 + nce.u16 == 23", true],
      ["nce.u16 & 0x2", true],
      ["nce.u16 & 0x1", false],
      ["nce.u16 & 0x12 == 0x12", true],
      ["nce.u16 bitwise_and 0x10 == 0x10", true],
      ["nce.u64 & 1 == 1", true],
      ["nce.u64 - 18446744073709551614 == 1", true],
      ["count(nce.ip) == 2", true],
      ["count(nce.u8) == 1", true],
      ["count(nce.str) > 1", false],
      ['string(nce.u32) == "70"', true],
      ['string(nce.u16) == "18"', true],
      ['string(nce.ip) == "192.168.1.7"', true],
      ["max(nce.u32) == 70", true],
      ["min(nce.u32, nce.u32) == 5", true],
      ["min(nce.u16, 3) == 3", true],
      ["abs(nce.i8) == 3", true],
      ["nce.u32 - 5", true],
    ]);
    // missing operands: nothing to compare
    check([["count(nce.ip) == 0", false], ["nce.u32 + 1 == 1", false], ["len(nce.str) >= 0", false]], EMPTY);
  });

  it("logic: and/or/not/precedence and parentheses", () => {
    check([
      ["nce.u32 == 5 && nce.u8 == 17", true],
      ["nce.u32 == 6 || nce.u8 == 17", true],
      ["nce.u32 == 6 or nce.u8 == 18", false],
      ["not nce.u32 == 6 and nce.bool", true],
      ["nce.u32 == 6 and nce.u8 == 18 or nce.bool", true],
      ["nce.u32 == 6 and (nce.u8 == 18 or nce.bool)", false],
      ["!(nce.u32 == 6 || nce.u8 == 18)", true],
    ]);
  });

  it("lists exactly the fields the dissector must record", () => {
    const c = compileFilter("nce.u32 == 5 and (nce.ip == 10.0.0.0/8 or !nce) and nce.u32 > 1");
    expect(c.fields.map((f) => f.abbrev).sort()).toEqual(["nce", "nce.ip", "nce.u32"]);
    expect(compileFilter("frame[0:2] == 01:02").fields.map((f) => f.abbrev)).toEqual(["frame"]);
  });

  it("works on a real dissection with only the filter's fields recorded", () => {
    // Ethernet II / IPv4 / UDP 10.0.0.1:1234 → 10.0.0.2:53
    const pkt = hex(
      "00 11 22 33 44 55 02 00 00 00 00 01 08 00" +
        " 45 00 00 20 00 01 40 00 40 11 00 00 0a 00 00 01 0a 00 00 02" +
        " 04 d2 00 35 00 0c 00 00 de ad be ef",
    );
    const filters: [string, boolean][] = [
      ["eth.src == 02:00:00:00:00:01", true],
      ["eth.dst[0:3] == 00:11:22", true],
      ["eth.type == 0x0800", true],
      ["frame[14] == 45", true],
      ["frame contains de:ad:be:ef", true],
      ["eth.addr == 00:11:22:33:44:55 and not eth.addr == ff:ff:ff:ff:ff:ff", true],
      ["frame.len == 46", true],
      ["frame.len > 46", false],
    ];
    const got = filters.map(([f]) => {
      const c = compileFilter(f);
      const d = dissect(1, pkt, { tree: false, columns: false, wanted: c.fields });
      return [f, c.test(d)];
    });
    expect(got).toEqual(filters);
  });
});
