/**
 * Display-filter fuzzing: random text and random grammar-shaped filters either
 * compile or throw a FilterError with a span inside the filter; compiled filters
 * never throw when run on dissected packets (including truncated ones).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dissect } from "../../src/core/dissect.js";
import { compileFilter, FilterError, formatFilterError } from "../../src/filter/index.js";
import { nestedFrames } from "./nested-pcap.js";

const FIELDS = ["frame", "eth", "eth.src", "eth.dst", "eth.type", "eth.addr", "ip", "ip.src", "ip.addr", "ip.ttl", "ip.proto", "ip.flags.df", "icmp", "ipv6", "ipv6.src",
  "udp", "udp.port", "udp.length", "tcp", "tcp.port", "tcp.flags", "tcp.flags.syn", "tcp.payload", "tcp.len", "frame.len", "frame.time",
  "frame.time_relative", "frame.protocols", "tcp.analysis.flags", "nosuch.field"];
const LITERALS = ["1", "0", "-1", "0x1f", "017", "10.0.0.1", "10.0.0.0/8", "fd00::1", "fd00::/64", "02:00:00:00:00:01", "aa:bb", "ff",
  '"GET"', '"a\\x41"', "'A'", "True", "Set", "UDP", "1.5", '"Jan 1, 2020 00:00:00"', "abc", "99999999999"];
const CMPS = ["==", "!=", "===", "!==", "~=", "<", ">", "<=", ">=", "eq", "ne", "contains", "matches", "~"];

function compileOrError(f: string): void {
  try {
    compileFilter(f);
  } catch (e) {
    if (!(e instanceof FilterError)) throw new Error(`non-FilterError for ${JSON.stringify(f)}: ${(e as Error).stack}`);
    expect(e.pos).toBeLessThanOrEqual(f.length);
    expect(e.pos + e.len).toBeLessThanOrEqual(f.length + 1);
    formatFilterError(f, e);
  }
}

const value = fc.oneof(
  fc.constantFrom(...FIELDS),
  fc.constantFrom(...LITERALS),
  fc.tuple(fc.constantFrom(...FIELDS), fc.constantFrom("[0]", "[0:2]", "[-1]", "[1-2]", "[2:]", "[0:1,3]")).map(([a, b]) => a + b),
  // the layer operator, field references
  fc.tuple(fc.constantFrom(...FIELDS), fc.constantFrom("#1", "#2", "#0", "#[1-2]", "#[-1]", "#[2:]", "#[:1]", "#[1,3]", "#[-2:1]")).map(([a, b]) => a + b),
  fc.constantFrom(...FIELDS).map((a) => "${" + a + "}"),
  fc.tuple(fc.constantFrom("len", "count", "upper", "string", "max", "min", "abs"), fc.constantFrom(...FIELDS)).map(([a, b]) => `${a}(${b})`),
  fc.tuple(fc.constantFrom(...FIELDS), fc.constantFrom("+", "-", "*", "&"), fc.constantFrom(...LITERALS)).map(([a, o, b]) => `${a} ${o} ${b}`),
);
const test: fc.Arbitrary<string> = fc.letrec<{ t: string }>((tie) => ({
  t: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    value,
    fc.tuple(fc.constantFrom("", "any ", "all "), value, fc.constantFrom(...CMPS), value).map(([q, a, o, b]) => `${q}${a} ${o} ${b}`),
    fc.tuple(value, fc.constantFrom("in", "not in"), fc.array(fc.oneof(fc.constantFrom(...LITERALS), fc.constantFrom("1..5", "10.0.0.1..10.0.0.9")), { minLength: 1, maxLength: 4 }))
      .map(([a, o, s]) => `${a} ${o} {${s.join(", ")}}`),
    fc.tuple(fc.constantFrom("!", "not "), tie("t")).map(([n, t]) => `${n}${t}`),
    fc.tuple(tie("t"), fc.constantFrom(" and ", " or ", " && ", " || "), tie("t")).map(([a, o, b]) => `${a}${o}${b}`),
    tie("t").map((t) => `(${t})`),
  ),
})).t;

// Ethernet/IPv4/TCP SYN with a payload, and truncations of it
const PKT = Uint8Array.from(
  Buffer.from(
    "0011223344550200000000010800" +
      "4500003400014000400600000a0000010a000002" +
      "04d20050000000010000000050020200000000004745540a",
    "hex",
  ),
);

describe("display filter fuzz", () => {
  it("random text compiles or fails with a FilterError", () => {
    fc.assert(fc.property(fc.string({ maxLength: 40 }), (s) => compileOrError(s)), { numRuns: 3000, seed: 42 });
    const alphabet = fc.constantFrom(..."ip.src==10.0.0.1/8 ()[]{}:,-!&|~\"'\\#$x0a".split(""));
    fc.assert(fc.property(fc.array(alphabet, { maxLength: 30 }).map((a) => a.join("")), (s) => compileOrError(s)), { numRuns: 3000, seed: 7 });
  });

  it("grammar-shaped filters compile or fail cleanly, and never throw when run", () => {
    // the packet, truncations, packets inside packets and a byte-flipped copy of each
    const rnd = (i: number) => (i * 2654435761) >>> 24;
    const base = [PKT, ...nestedFrames()];
    const packets = [...base, PKT.subarray(0, 20), PKT.subarray(0, 40), PKT.subarray(0, 0), ...base.map((p, k) => p.subarray(0, 14 + 21 * k))];
    for (const p of base) {
      const m = Uint8Array.from(p);
      for (let i = 14; i < m.length; i += 7) m[i] ^= rnd(i);
      packets.push(m);
    }
    fc.assert(
      fc.property(test, (f) => {
        let c;
        try {
          c = compileFilter(f);
        } catch (e) {
          if (!(e instanceof FilterError)) throw e;
          return;
        }
        for (const p of packets) {
          const d = dissect(1, p, { tree: false, columns: false, wanted: c.fields });
          expect(typeof c.test(d)).toBe("boolean");
        }
      }),
      { numRuns: 800, seed: 1 },
    );
  });
});
