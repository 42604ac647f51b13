/**
 * Protocol bytes (`ip[9]`, `len(ip)`, `tcp contains`), the layer operator (`ip.src#2`)
 * and field references (`${ip.src}`) on hand-built packets, in sparse and full trees;
 * and one JSON document for several -z statistics.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readCaptureSync } from "../../src/capture/reader.js";
import { Dissector, type Dissection } from "../../src/core/dissect.js";
import { fieldByAbbrev } from "../../src/core/field.js";
import { ProtocolItem } from "../../src/core/tree.js";
import { compileFilter, FilterError, parse } from "../../src/filter/index.js";
import { PLAIN } from "../../src/output/color.js";
import { makeStats, renderStats } from "../../src/output/stats/index.js";
import { FIXTURES } from "../helpers/tshark.js";
import { nestedFrames } from "./nested-pcap.js";

function frameOf(data: Uint8Array, num: number) {
  return { num, tsSec: 1700000000 + num, tsNsec: 0, caplen: data.length, len: data.length, data, linkType: 1, interfaceId: 0 };
}

/** Frame numbers (1-based) of `frames` matching `filter`, with a sparse or a full tree. */
function matches(filter: string, frames: Uint8Array[], full = false): number[] {
  const c = compileFilter(filter);
  const d = new Dissector({ tree: full, wanted: c.fields });
  const out: number[] = [];
  frames.forEach((b, i) => {
    if (c.test(d.dissect(frameOf(b, i + 1)))) out.push(i + 1);
  });
  return out;
}

const N = nestedFrames();
// 1: ICMP port unreachable quoting IP/UDP   2: IP in IP   3: IPv6 in IPv4
// 4: IP in IP in IP                          5: ICMP time exceeded quoting IP/TCP   6: plain IP/UDP

describe("protocols as bytes", () => {
  it("a protocol's value is the bytes its item covers", () => {
    expect(matches("len(ip) == 20", N)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(matches("ip[9] == 01", N)).toEqual([1, 5]);
    expect(matches("ip[9] == 04", N)).toEqual([2, 4]);
    expect(matches("ip[0:2] == 45:00", N)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(matches("ip[20]", N)).toEqual([]); // past the item (the header), though the tvb goes on
    expect(matches("ip[-1] == 02", N)).toEqual([1, 2, 4, 5, 6]); // some IPv4 header's destination ends in .2 (not 3's: .4)
    expect(matches("len(udp) == 8", N)).toEqual([1, 2, 3, 4, 6]);
    expect(matches("udp[0:2] == 00:35", N)).toEqual([3, 4, 6]);
    expect(matches("eth[12:2] == 08:00 && len(eth) == 14", N)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(matches("icmp[0] == 0b", N)).toEqual([5]);
  });

  it("contains/matches search the whole tvb the protocol was added on", () => {
    expect(matches('eth contains "three"', N)).toEqual([4]);
    expect(matches('ip contains "hello"', N)).toEqual([2]);
    expect(matches('icmp contains "abcd"', N)).toEqual([1]);
    expect(matches('udp matches "^.{8}v6"', N)).toEqual([3]);
    expect(matches('ipv6 contains "inside"', N)).toEqual([3]);
  });

  it("orders byte strings shorter-first, as tshark 4.0", () => {
    expect(matches("eth > 01", N)).toEqual([1, 2, 3, 4, 5, 6]); // 14 bytes > 1 byte
    expect(matches("eth < 03", N)).toEqual([]);
    expect(matches("eth[0:2] > 03", N)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(matches("eth.src[0:1] < 03", N)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("sparse and full trees give the same answers", () => {
    const filters = ["len(ip) == 20", "ip[9] == 01", 'ip contains "three"', "len(icmp) > 8", "ip.src#2 == 10.0.0.2", "ip#3", "count(ip.addr#[2:]) == 4",
      "ipv6#1", "udp.port#1 == 53", "icmp#1[0] == 03", "len(ip#2) == 20", 'udp contains "GET"', "ip.dst#[-1] == 12.4.4.4"];
    for (const f of filters) expect(matches(f, N, true), f).toEqual(matches(f, N, false));
  });

  it("records protocol items only for protocols the filter names, and keeps the tree sparse", () => {
    const c = compileFilter("udp.port == 53");
    const d = new Dissector({ wanted: c.fields }).dissect(frameOf(N[5], 1));
    expect(d.tree.full).toBe(false);
    expect(d.tree.root.children).toBeNull();
    expect(d.tree.get(fieldByAbbrev("ip")!)).toEqual([]);
    const c2 = compileFilter("ip[9] == 11");
    const d2 = new Dissector({ wanted: c2.fields }).dissect(frameOf(N[5], 1));
    const items = d2.tree.get(fieldByAbbrev("ip")!);
    expect(items.length).toBe(1);
    expect(items[0]).toBeInstanceOf(ProtocolItem);
    expect(d2.tree.root.children).toBeNull();
    expect(c2.test(d2)).toBe(true);
  });

  it("truncated and malformed packets: slices stop at the captured end, nothing throws", () => {
    const cut = [N[0].subarray(0, 14 + 10), N[0].subarray(0, 14 + 20 + 4), N[1].subarray(0, 14 + 20 + 3), new Uint8Array(0), N[3].subarray(0, 60)];
    for (const f of ["ip[15]", "len(ip) == 20", "ip[0:20] == ip[0:20]", "icmp[4]", 'ip contains "x"', "ip.src#2", "ip#2[0] == 45", "len(eth) == 14", "frame[-1]"])
      expect(() => matches(f, cut)).not.toThrow();
    expect(matches("ip[15]", cut.slice(0, 1))).toEqual([]);
    expect(matches("ip#2", cut)).toEqual([3, 5]); // an inner header cut after 3 bytes still counts as a layer
  });
});

describe("the layer operator", () => {
  it("selects a field's occurrences by the layer of its protocol", () => {
    expect(matches("ip#1", N)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(matches("ip#2", N)).toEqual([1, 2, 4, 5]);
    expect(matches("ip#3", N)).toEqual([4]);
    expect(matches("ip.src#1 == 10.0.0.1", N)).toEqual([1]);
    expect(matches("ip.src#2 == 10.0.0.2", N)).toEqual([1, 5]);
    expect(matches("ip.dst#[2-3] == 12.4.4.4", N)).toEqual([1, 4]);
    expect(matches("ip.dst#[-1] == 12.4.4.4", N)).toEqual([1, 4]); // the last layer the field is in
    expect(matches("ip.src#[2:]", N)).toEqual([1, 2, 4, 5]);
    expect(matches("ip.src#[0]", N)).toEqual([]);
    expect(matches("ip.src#[:1]", N)).toEqual([]); // start 0, one layer: layer 0
    expect(matches("ip.src#[1,3] == 10.0.0.1", N)).toEqual([1, 4]);
    expect(matches("count(ip.addr#2) == 2", N)).toEqual([1, 2, 4, 5]);
    expect(matches("ip.ttl#1 > ip.ttl#2", N)).toEqual([1, 5]);
    expect(matches("frame#1", N)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(matches("frame#2", N)).toEqual([]);
  });

  it("parses #N and #[ranges] (a space before # is fine, after it is not)", () => {
    expect(parse("ip.src#[1-2,4:]")).toMatchObject({ k: "exists", e: { k: "layer", ranges: [{ start: 1, end: 2 }, { start: 4, length: null }] } });
    expect(parse("ip.src #2 == 1.1.1.1")).toMatchObject({ k: "cmp", a: { k: "layer", ranges: [{ start: 2, length: 1 }] } });
    expect(() => parse("ip.src# 2")).toThrow(/Expected digit or "\[", not " "/);
    expect(() => parse("ip.src#-1")).toThrow(/Expected digit or "\[", not "-"/);
    expect(compileFilter("ip.src#2 == 1.1.1.1").fields.map((f) => f.abbrev).sort()).toEqual(["ip", "ip.src"]);
  });
});

describe("field references ${…}", () => {
  it("have no value in tshark -Y (no selected packet): comparisons are false", () => {
    expect(matches("${ip.src} == 10.0.0.1", N)).toEqual([]);
    expect(matches("ip.src == ${ip.dst}", N)).toEqual([]);
    expect(matches("not ${frame.len} > 1", N)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("fail like tshark's macros otherwise", () => {
    const msg = (f: string) => {
      try {
        compileFilter(f);
      } catch (e) {
        if (e instanceof FilterError) return `${e.message} @${e.pos}`;
        throw e;
      }
      return "accepted";
    };
    expect(msg("${ip.src}")).toBe("ip.src <FT_IPv4> is neither a field nor a protocol name. @2");
    expect(msg("${foo.bar} == 1")).toBe("macro 'foo.bar' does not exist @-1");
    expect(msg("${ip} == 1")).toBe("macro 'ip' does not exist @-1");
    expect(msg("${ ip.src } == 1")).toBe("invalid character in macro name @-1");
    expect(msg("$ip.src == 1.1.1.1")).toBe('"ip.src" was unexpected in this context. @1');
  });
});

describe("-z … --format json with several statistics", () => {
  const file = join(FIXTURES, "sample.pcapng");
  it.skipIf(!existsSync(file))("is one JSON document: an object for one statistic, an array for several", () => {
    const { frames } = readCaptureSync(file);
    const stats = [makeStats("io,phs"), makeStats("conv,ip"), makeStats("endpoints,udp")];
    const d = new Dissector({ tree: stats.some((z) => z.needsTree), wanted: stats.flatMap((z) => z.fields) });
    for (const fr of frames) {
      const r: Dissection = d.dissect(fr);
      for (const z of stats) z.add(r);
    }
    const all = JSON.parse(renderStats(stats, "json", PLAIN)) as { stat: string; sections: { rows: Record<string, unknown>[] }[] }[];
    expect(Array.isArray(all)).toBe(true);
    expect(all.map((s) => s.stat)).toEqual(["io,phs", "conv,ip", "endpoints,udp"]);
    expect(all[1].sections[0].rows.length).toBeGreaterThan(0);
    const one = JSON.parse(renderStats(stats.slice(1, 2), "json", PLAIN)) as { stat: string };
    expect(one.stat).toBe("conv,ip");
    // tables and CSV: one after the other, as before
    expect(renderStats(stats, "csv", PLAIN)).toBe(stats.map((z) => z.render("csv", PLAIN)).join(""));
  });
});
