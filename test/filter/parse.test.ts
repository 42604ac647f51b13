/**
 * Display-filter syntax: filters tshark 4.0 accepts compile; filters it rejects
 * fail with tshark's message and caret span (messages and spans copied from
 * `tshark -Y FILTER` 4.0.17 output).
 */
import { describe, expect, it } from "vitest";
import { compileFilter, FilterError, formatFilterError, parse, tokenize } from "../../src/filter/index.js";
import { registerField } from "../../src/core/field.js";

// Fields used below that must exist whatever dissectors have landed.
registerField({ abbrev: "nctest.syn", name: "Syn", type: "bool", tfs: ["Set", "Not set"] });
registerField({ abbrev: "nctest.proto", name: "Protocol", type: "uint8", strings: { 6: "TCP", 17: "UDP" } });
registerField({ abbrev: "nctest.label", name: "Label", type: "none" });
registerField({ abbrev: "nctest.payload", name: "Payload", type: "bytes" });
registerField({ abbrev: "nctest.v6", name: "Addr", type: "ipv6" });
registerField({ abbrev: "nctest.name", name: "Name", type: "string" });

const GOOD = [
  "frame",
  "eth",
  "!eth",
  "not eth",
  ".eth.src == 02:00:00:00:00:01",
  "eth.src == 02:00:00:00:00:01",
  "eth.src eq 02-00-00-00-00-01",
  "eth.dst == ffff.ffff.ffff",
  "eth.dst == ff.ff.ff.ff.ff.ff",
  "eth.dst == ffffffffffff",
  "eth.src[0:3] == 02:00:00",
  "eth.src[-2:] == 00:01",
  "eth.src[1-2] == 00:00",
  "eth.src[:2] == 02:00",
  "eth.src[5] == 01",
  "eth.src[0:3,5] == 02:00:00:01",
  "frame[0:4] == ff:ff:ff:ff",
  "frame contains \"GET\"",
  "frame contains 47:45:54",
  "frame contains \"\\x47ET\"",
  "frame contains \"\\107ET\"",
  "frame contains r\"G\\ET\"",
  "frame matches \"(?i)get\"",
  "frame ~ \"get\"",
  "frame.len > 0x50",
  "frame.len > 0120",
  "frame.len == 'A'",
  "frame.len in {60..80}",
  "frame.len in {60 .. 80}",
  "frame.len in {66, 74, 98..102}",
  "frame.len not in {60, 70}",
  "frame.len ne 66",
  "frame.len lt 66 && frame.len ge 10",
  "frame.len le 66 || frame.len gt 1000",
  "frame.len != 66 and frame.len !== 1 and frame.len === 66",
  "frame.len ~= 66",
  "frame.len all_eq 1 or frame.len any_ne 2 or frame.len any_eq 3 or frame.len all_ne 4",
  "frame.len - 2 == 64",
  "frame.len == 60 + 6",
  "{frame.len + 1} * 2 == 134",
  "-frame.len == -66",
  "frame.len % 2 == 1",
  "frame.len & 1",
  "frame.len bitwise_and 1",
  "frame.len bitwise_and 1 == 1",
  "ip.src#2 == 10.0.0.1",
  "ip.src #[1-2,4:] == 10.0.0.1",
  "ip#1[9] == 11",
  "len(ip) == 20",
  'tcp contains "GET"',
  "${ip.src} == ${ip.dst}",
  "frame.len == -1",
  "len(frame) > 100",
  "count(eth.src) == 1",
  "string(frame.len) == \"66\"",
  "abs(frame.len) == 66",
  "max(frame.len, frame.cap_len) > 0",
  "frame.time_relative > 0.3",
  "frame.time_delta < 1",
  "frame.time > \"Jan 1, 2020 00:00:00\"",
  "frame.time > \"2016-10-14 15:29:08\"",
  "frame.time > \"2016-10-14T15:29:08Z\"",
  "frame.time_epoch > 1476451748",
  "ip.addr == 10.0.0.0/8 or ip.src == 10.99.0.1/32",
  "ip.src in {10.99.0.1, 10.99.0.3}",
  "ip.src in {10.99.0.1..10.99.0.9}",
  "ip.src == ip.dst",
  "all ip.addr == 10.99.0.1",
  "any ip.addr != 10.99.0.1",
  "nctest.syn == 1",
  "nctest.syn == True",
  "nctest.syn == TRUE",
  "nctest.syn == False",
  "nctest.syn == set",
  "nctest.syn == \"Not set\"",
  "nctest.syn == 2",
  "nctest.proto == UDP",
  "nctest.proto == \"tcp\"",
  "nctest.proto == 17",
  "nctest.payload == 45",
  "nctest.payload == 0x45",
  "nctest.payload == 123",
  "nctest.payload contains \"abc\"",
  "nctest.v6 == fd00::1",
  "nctest.v6 == fd00::/64",
  "nctest.v6 == ::ffff:10.0.0.1",
  "nctest.name == www.example.com",
  "nctest.name contains 77:77",
  "upper(nctest.name) contains \"WWW\"",
  "nctest.name[0:3] == \"www\"",
  "(frame.number == 1 or frame.number == 2) and not (eth.src == 02:00:00:00:00:01)",
  "frame.number == 1 or frame.number == 2 and frame.number == 3",
  "nctest.label",
  "frame.len < 70 && frame.len != 66",
];

/** [filter, message, caret position, caret length] — pos -1: no caret line. */
const BAD: [string, string, number, number][] = [
  ["ip.src ==", "Unexpected end of filter expression.", -1, 0],
  ["(eth", "Unexpected end of filter expression.", -1, 0],
  ["", "Unexpected end of filter expression.", -1, 0],
  ["eth)", '")" was unexpected in this context.', 3, 1],
  ["and eth", '"and" was unexpected in this context.', 0, 3],
  ["eth eth", '"eth" was unexpected in this context.', 4, 3],
  ["ip.src = 1.2.3.4", '"=" was unexpected in this context.', 7, 1],
  ["ip.src == \"abc\"", 'IPv4 address cannot be converted from a string ("abc").', 10, 5],
  ["frame.len == abc", '"abc" is not a valid number.', 13, 3],
  ["frame.len == 1.5", '"1.5" is not a valid number.', 13, 3],
  ["frame.len == 99999999999", '"99999999999" too big for this field, maximum 4294967295.', 13, 11],
  ["ip.addr == 10.0.0.0/33", "Netmask bits in a CIDR IPv4 address should be <= 32, not 33", 11, 11],
  ["ip.src == 300.1.1.1", '"300.1.1.1" is not a valid hostname or IPv4 address.', 10, 9],
  ["ip.src == 1.2.3", '"1.2.3" is not a valid hostname or IPv4 address.', 10, 5],
  ["ip.src == foo.bar", '"foo.bar" is not a valid hostname or IPv4 address.', 10, 7],
  ["eth.src == aa:bb:cc", '"aa:bb:cc" contains too few bytes to be a valid Ethernet address.', 11, 8],
  ["eth.src == 00:11:22:33:44:55:66", '"00:11:22:33:44:55:66" contains too many bytes to be a valid Ethernet address.', 11, 20],
  ["eth.src == 0011223344", '"0011223344" contains too few bytes to be a valid Ethernet address.', 11, 10],
  ['eth.src == "02:00:00:00:00:01"', 'Ethernet or other MAC address cannot be converted from a string ("02:00:00:00:00:01").', 11, 19],
  ["frame.len contains 3", "frame.len (type=Unsigned integer (4 bytes)) cannot participate in contains comparison.", 0, 9],
  ['frame.len matches "x"', "frame.len (type=Unsigned integer (4 bytes)) cannot participate in matches comparison.", 0, 9],
  ["nctest.label == 1", "nctest.label (type=Label) cannot participate in == comparison.", 0, 12],
  ['eth.src == "abc', "The final quote was missing from a quoted string.", 15, 1],
  ["frame.len in {}", '"}" was unexpected in this context.', 14, 1],
  ["frame.len in {66..}", '"}" was unexpected in this context.', 18, 1],
  ["frame.len in {80 443}", '"443" was unexpected in this context.', 17, 3],
  ["frame.len in {80..abc}", '"abc" is not a valid number.', 18, 3],
  ["eth.src[0:3", "The right bracket was missing from a slice.", 11, 1],
  ["eth.src[x] == 1", '"x" is not a valid number.', 8, 1],
  ["frame.len[0] == 1", '"frame.len" is a Unsigned integer (4 bytes) and cannot be sliced into a sequence of bytes.', 0, 9],
  ["1 == 1", 'Left side of "==" expression must be a field or function, not 1.', 0, 1],
  ['"a" == "a"', 'Left side of "==" expression must be a field or function, not "a".', 0, 3],
  ["foo", "foo is neither a field nor a protocol name.", 0, 3],
  ["foo.bar", "foo.bar is neither a field nor a protocol name.", 0, 7],
  ["foo == 1", 'Left side of "==" expression must be a field or function, not foo.', 0, 3],
  ["frame.len-2 == 64", 'Left side of "==" expression must be a field or function, not frame.len-2.', 0, 11],
  ["frame.len == 66 == 66", 'Left side of "==" expression must be a field or function, not 66.', 13, 2],
  ["len(1)", "You cannot test whether a function is present.", 0, 3],
  ["bogus(eth.src)", "Function 'bogus' does not exist", 0, 5],
  ["nctest.syn == true", '"true" cannot be found among the possible values for nctest.syn.', 14, 4],
  ["nctest.syn == yes", '"yes" cannot be found among the possible values for nctest.syn.', 14, 3],
  ['nctest.syn == "True"', '"True" cannot be found among the possible values for nctest.syn.', 14, 6],
  ["nctest.proto == udp2", '"udp2" cannot be found among the possible values for nctest.proto.', 16, 4],
  ['nctest.proto == "17"', '"17" cannot be found among the possible values for nctest.proto.', 16, 4],
  ["nctest.proto == eth", "nctest.proto and eth are not of compatible types.", 16, 3],
  ['frame.len == "66"', 'Unsigned integer (4 bytes) cannot be converted from a string ("66").', 13, 4],
  ['frame.time > "garbage"', '"garbage" is not a valid absolute time. Example: "Nov 12, 1999 08:55:44.123" or "2011-07-04 12:34:56"', 13, 9],
  ["frame.time > 1476451748", '"1476451748" is not a valid absolute time. Example: "Nov 12, 1999 08:55:44.123" or "2011-07-04 12:34:56"', 13, 10],
  ["frame.time_relative > abc", '"abc" is not a valid time.', 22, 3],
  ['frame.time_relative > "0.1"', 'Time offset cannot be converted from a string ("0.1").', 22, 5],
  ['frame.time_epoch > "Oct 14, 2016 15:29:08"', 'Time offset cannot be converted from a string ("Oct 14, 2016 15:29:08").', 19, 23],
  ["eth.src#x", 'Expected digit or "[", not "x"', 8, 1],
  ["frame matches ab", "Matches requires a double quoted string on the right side.", 14, 2],
  ["frame.number == 1 || || eth", '"||" was unexpected in this context.', 21, 2],
  ["()", '")" was unexpected in this context.', 1, 1],
  ["(eth))", '")" was unexpected in this context.', 5, 1],
  ["ip.src == 10.99.0.1 10.99.0.2", '"10.99.0.2" was unexpected in this context.', 20, 9],
  ["frame ^^ eth", '"^" was unexpected in this context.', 6, 1],
  ["frame xor eth", '"xor" was unexpected in this context.', 6, 3],
  ["(frame.len + 1) * 2 == 134", '"*" was unexpected in this context.', 16, 1],
  ["nctest.v6 == fd00::/129", "Prefix in a IPv6 address should be <= 128, not 129", 13, 10],
  ['nctest.v6 == "fd00::1"', 'IPv6 address cannot be converted from a string ("fd00::1").', 13, 9],
  ["nctest.v6 == 1.2.3.4", '"1.2.3.4" is not a valid hostname or IPv6 address.', 13, 7],
  ["nctest.payload == zz", '"zz" is not a valid byte string.', 18, 2],
  ["nctest.payload == 0x123", '"0x123" is not a valid byte string.', 18, 5],
];

function compileError(f: string): FilterError {
  try {
    compileFilter(f);
  } catch (e) {
    if (e instanceof FilterError) return e;
    throw e;
  }
  throw new Error(`filter compiled: ${f}`);
}

describe("display filter syntax", () => {
  it(`accepts ${GOOD.length} filters tshark accepts`, () => {
    expect(GOOD.length).toBeGreaterThanOrEqual(40);
    const failed: string[] = [];
    for (const f of GOOD) {
      try {
        compileFilter(f);
      } catch (e) {
        failed.push(`${f}: ${(e as Error).message}`);
      }
    }
    expect(failed).toEqual([]);
  });

  it(`rejects ${BAD.length} filters with tshark's message and caret`, () => {
    expect(BAD.length).toBeGreaterThanOrEqual(20);
    const got = BAD.map(([f]) => {
      const e = compileError(f);
      return [f, e.message, e.pos, e.len];
    });
    expect(got).toEqual(BAD);
  });

  it("formats errors like tshark (message, filter, caret line)", () => {
    const f = "ip.src == 1.2.3";
    expect(formatFilterError(f, compileError(f))).toBe(
      'nestcap: "1.2.3" is not a valid hostname or IPv4 address.\n    ip.src == 1.2.3\n              ^~~~~',
    );
    expect(formatFilterError("ip.src ==", compileError("ip.src =="))).toBe("nestcap: Unexpected end of filter expression.");
    expect(formatFilterError("eth)", compileError("eth)"))).toBe('nestcap: ")" was unexpected in this context.\n    eth)\n       ^');
  });

  it("tokenizes words, operators, strings and slices", () => {
    const kinds = (s: string) => tokenize(s).map((t) => `${t.kind}:${t.text}`);
    expect(kinds("frame.len in {60..80}")).toEqual(["WORD:frame.len", "IN:in", "{:{", "WORD:60", "..:..", "WORD:80", "}:}", "EOF:"]);
    expect(kinds("ip.addr==10.0.0.0/8&&!tcp")).toEqual(["WORD:ip.addr", "CMP:==", "WORD:10.0.0.0/8", "AND:&&", "NOT:!", "WORD:tcp", "EOF:"]);
    expect(kinds("eth.src[-2:,1-2]")).toEqual(["WORD:eth.src", "[:[", "RANGE:-2:", ",:,", "RANGE:1-2", "]:]", "EOF:"]);
    expect(kinds("a !== b === c ~= d")).toEqual(["WORD:a", "CMP:!==", "WORD:b", "CMP:===", "WORD:c", "CMP:~=", "WORD:d", "EOF:"]);
    expect(kinds("fd00::1/64 aa-bb-cc")).toEqual(["WORD:fd00::1/64", "WORD:aa-bb-cc", "EOF:"]);
    const s = tokenize('"a\\"b\\x41\\101\\n\\u00e9"')[0];
    expect(s.kind).toBe("STRING");
    expect([...s.bytes!]).toEqual([0x61, 0x22, 0x62, 0x41, 0x41, 0x0a, 0xc3, 0xa9]);
    const r = tokenize('r"a\\d\\"b"')[0];
    expect(new TextDecoder().decode(r.bytes!)).toBe('a\\d\\"b');
    expect(tokenize("'\\n'")[0].code).toBe(10);
    expect(tokenize("'A'")[0].code).toBe(65);
  });

  it("gives and/or/not Wireshark's precedence and chains relations", () => {
    const shape = (t: ReturnType<typeof parse>): string =>
      t.k === "and" || t.k === "or" ? `(${shape(t.a)} ${t.k} ${shape(t.b)})` : t.k === "not" ? `!${shape(t.a)}` : t.k === "cmp" ? `${t.op}` : t.k;
    expect(shape(parse("a or b and c"))).toBe("(exists or (exists and exists))");
    expect(shape(parse("a and b or c"))).toBe("((exists and exists) or exists)");
    expect(shape(parse("!a == 1 or b"))).toBe("(!any_eq or exists)");
    expect(shape(parse("not not a"))).toBe("!!exists");
    expect(shape(parse("1 < a < 3"))).toBe("(lt and lt)");
  });
});
