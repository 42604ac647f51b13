import { describe, expect, it } from "vitest";
import { Writable } from "node:stream";
import { Out } from "../../src/cli/out.js";
import { fieldByAbbrev, type Field } from "../../src/core/field.js";
import { fieldText } from "../../src/core/format.js";
import { Tree } from "../../src/core/tree.js";
import { DEFAULT_FIELDS_OPTIONS, fieldsLine, writeFieldsLine } from "../../src/output/fields.js";
import "../../src/core/load.js";

/** A sparse tree holding the given values of one field. */
function treeWith(f: Field, vals: unknown[]): Tree {
  const wanted = new Uint8Array(f.id + 1);
  wanted[f.id] = 1;
  const t = new Tree(false, wanted);
  for (const v of vals) t.record(f, v as never);
  return t;
}

const field = (a: string): Field => fieldByAbbrev(a)!;

describe("-T fields cells written digit by digit", () => {
  // the fast paths (decimal integers, IPv4, relative times) against the generic formatter
  const cases: [string, unknown[]][] = [
    ["frame.number", [1, 9, 10, 4294967295]],
    ["udp.srcport", [0, 53, 65535]],
    ["ip.ttl", [0, 64, 255]],
    ["ip.src", [0, 0x0a000001, 0xffffffff, 0x7f000001, 0xc0a80164]],
    ["frame.time_relative", [{ s: 0, ns: 0 }, { s: 1, ns: 5 }, { s: 59, ns: 10999998 }, { s: -1, ns: -999000000 }, { s: 0, ns: -1 }, { s: -117442576, ns: -1084863376 }, { s: 2028474222, ns: 868650000 }]],
    ["frame.time_delta", [{ s: 2145916800, ns: 2078753920 }]],
    ["ip.flags", [0x40, 0]], // hex: the generic path
    ["dns.qry.name", ["example.com", "caf\u00e9.example"]],
  ];
  for (const [abbrev, vals] of cases) {
    it(`${abbrev} as fieldText writes it`, () => {
      const f = field(abbrev);
      for (const v of vals) expect(fieldsLine(treeWith(f, [v]), [f], DEFAULT_FIELDS_OPTIONS), JSON.stringify(v)).toBe(fieldText(f, v as never));
      // several occurrences: aggregated
      expect(fieldsLine(treeWith(f, vals), [f], DEFAULT_FIELDS_OPTIONS)).toBe(vals.map((v) => fieldText(f, v as never)).join(","));
    });
  }

  it("honours separator, quote, occurrence and aggregator, and gives the same bytes through stdout's buffer", async () => {
    const a = field("ip.src"), b = field("udp.srcport"), c = field("frame.time_relative");
    const wanted = new Uint8Array(Math.max(a.id, b.id, c.id) + 1);
    for (const f of [a, b, c]) wanted[f.id] = 1;
    const t = new Tree(false, wanted);
    t.record(a, 0x0a000001);
    t.record(a, 0x0a000002);
    t.record(c, { s: 3, ns: 40 } as never);
    const o = { ...DEFAULT_FIELDS_OPTIONS, separator: ";", quote: '"' as const, aggregator: "|" };
    expect(fieldsLine(t, [a, b, c], o)).toBe('"10.0.0.1|10.0.0.2";;"3.000000040"');
    expect(fieldsLine(t, [a, b, c], { ...o, occurrence: "l" })).toBe('"10.0.0.2";;"3.000000040"');
    expect(fieldsLine(t, [a, b, c], { ...o, occurrence: -2 })).toBe('"10.0.0.1";;');
    const chunks: Buffer[] = [];
    const out = new Out(new Writable({ write(ch: Buffer, _e, cb) { chunks.push(ch); cb(); } }), 16);
    for (let i = 0; i < 20; i++) writeFieldsLine(t, [a, b, c], o, out);
    await out.flush();
    expect(Buffer.concat(chunks).toString()).toBe(('"10.0.0.1|10.0.0.2";;"3.000000040"\n').repeat(20));
  });
});
