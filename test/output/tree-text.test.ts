import { describe, expect, it } from "vitest";
import { callDissector, defineProtocol, protocolByAbbrev } from "../../src/core/proto.js";
import { makeStyle, PLAIN } from "../../src/output/color.js";
import { labelOf, treeText } from "../../src/output/tree-text.js";
import { emptyDissection, hexBytes, testproto } from "./helpers.js";

const f = testproto.f;

/** A protocol that runs out of bytes after its first field (for the malformed block). */
const testshort = defineProtocol({
  name: "Test Short",
  abbrev: "testshort",
  short: "TESTSHORT",
  fields: { kind: { abbrev: "testshort.kind", name: "Kind", type: "uint8", strings: { 1: "Hello" } } },
  dissect(tvb, _pinfo, tree) {
    const t = tree.add(testshort.hf, tvb, 0, tvb.length, null);
    t.add(testshort.f.kind, tvb, 0, 1, tvb.u8(0));
    tvb.u32(100);
    return tvb.length;
  },
});

function basic() {
  const d = emptyDissection(hexBytes("01 80 00 05 68 65 6c 6c 6f 0a 00 00 01"));
  const t = d.tvb;
  const top = d.tree.root.add(testproto.hf, t, 0, 13, null).appendText(", Kind: Hello");
  top.add(f.kind, t, 0, 1, 1);
  const fl = top.add(f.flags, t, 1, 1, 0x80);
  fl.add(f.flagA, t, 1, 1, true);
  fl.add(f.flagB, t, 1, 1, false);
  const hid = top.add(f.seq, t, 0, 1, 7);
  hid.hidden = true;
  hid.add(f.kind, t, 0, 1, 2);
  top.add(f.len, t, 2, 2, 5);
  top.addGenerated(f.len, t, 2, 2, 5);
  top.add(f.name, t, 4, 5, "hello");
  const opts = top.addText(t, 9, 4, "Options");
  opts.add(f.addr, t, 9, 4, 0x0a000001);
  return { d, top, fl };
}

const BASIC =
  "Test Protocol, Kind: Hello\n" +
  "    Kind: Hello (1)\n" +
  "    Flags: 0x80\n" +
  "        1... .... = A flag: Set\n" +
  "        .0.. .... = B flag: Not set\n" +
  "    Length: 5\n" +
  "    [Length: 5]\n" +
  "    Name: hello\n" +
  "    Options\n" +
  "        Address: 10.0.0.1\n";

describe("treeText layout", () => {
  it("indents 4 spaces per level, brackets generated items, hides hidden subtrees", () => {
    const { d } = basic();
    expect(treeText(d, { style: PLAIN })).toBe(BASIC);
  });

  it("skips hidden top-level items and returns '' for an empty tree", () => {
    const { d } = basic();
    const h = d.tree.root.add(f.note, d.tvb, 0, 0, null);
    h.hidden = true;
    expect(treeText(d, { style: PLAIN })).toBe(BASIC);
    expect(treeText(emptyDissection(new Uint8Array(4)), { style: PLAIN })).toBe("");
  });

  it("shows expert notes as Wireshark's expert subtree, where they were attached", () => {
    const d = emptyDissection(hexBytes("01 c0 00 05"));
    const t = d.tvb;
    const top = d.tree.root.add(testproto.hf, t, 0, 4, null);
    top.add(f.len, t, 2, 2, 5).expert("warn", "protocol", "Bad length");
    const fl = top.add(f.flags, t, 1, 1, 0xc0);
    fl.add(f.flagA, t, 1, 1, true);
    fl.expert("note", "sequence", "Odd flags", "testproto", "testproto.odd");
    fl.add(f.flagB, t, 1, 1, true);
    top.add(f.kind, t, 0, 1, 1).expert("error", "checksum", "Bad checksum [should be 0x54cf]").expert("chat", "comment", "two notes");
    expect(treeText(d, { style: PLAIN })).toBe(
      "Test Protocol\n" +
        "    Length: 5\n" +
        "        [Expert Info (Warning/Protocol): Bad length]\n" +
        "            [Bad length]\n" +
        "            [Severity level: Warning]\n" +
        "            [Group: Protocol]\n" +
        "    Flags: 0xc0\n" +
        "        1... .... = A flag: Set\n" +
        "        [Expert Info (Note/Sequence): Odd flags]\n" +
        "            [Odd flags]\n" +
        "            [Severity level: Note]\n" +
        "            [Group: Sequence]\n" +
        "        .1.. .... = B flag: Set\n" +
        "    Kind: Hello (1)\n" +
        "        [Expert Info (Error/Checksum): Bad checksum [should be 0x54cf]]\n" +
        "            [Bad checksum [should be 0x54cf]]\n" +
        "            [Severity level: Error]\n" +
        "            [Group: Checksum]\n" +
        "        [Expert Info (Chat/Comment): two notes]\n" +
        "            [two notes]\n" +
        "            [Severity level: Chat]\n" +
        "            [Group: Comment]\n",
    );
    // every note is counted on the tree too (for -z expert)
    expect(d.tree.experts.map((e) => e.message)).toEqual(["Bad length", "Odd flags", "Bad checksum [should be 0x54cf]", "two notes"]);
  });

  it("renders a malformed packet like tshark's [Malformed Packet: …] block", () => {
    const d = emptyDissection(hexBytes("01 02 03"));
    callDissector(testshort, d.tvb, d.pinfo, d.tree.root);
    expect(treeText(d, { style: PLAIN })).toBe(
      "Test Short\n" +
        "    Kind: Hello (1)\n" +
        "[Malformed Packet: TESTSHORT]\n" +
        "    [Expert Info (Error/Malformed): Malformed Packet (Exception occurred)]\n" +
        "        [Malformed Packet (Exception occurred)]\n" +
        "        [Severity level: Error]\n" +
        "        [Group: Malformed]\n",
    );
    expect(d.pinfo.malformed).toBe(true);
  });

  it("dumps the data protocol's bytes after its line (tshark -V), not with -x", () => {
    // tshark -V on a UDP datagram to port 9999 carrying these 27 bytes prints exactly this block
    const payload = new TextEncoder().encode("hello world, this is data\x00\x01");
    const d = emptyDissection(payload);
    const dataProto = protocolByAbbrev("data");
    expect(dataProto).toBeDefined();
    callDissector(dataProto!, d.tvb, d.pinfo, d.tree.root);
    expect(treeText(d, { style: PLAIN })).toBe(
      "Data (27 bytes)\n" +
        "\n" +
        "0000  68 65 6c 6c 6f 20 77 6f 72 6c 64 2c 20 74 68 69   hello world, thi\n" +
        "0010  73 20 69 73 20 64 61 74 61 00 01                  s is data..\n" +
        "    Data: 68656c6c6f20776f726c642c207468697320697320646174610001\n" +
        "    [Length: 27]\n",
    );
    expect(treeText(d, { style: PLAIN, hex: true })).toBe("Data (27 bytes)\n    Data: 68656c6c6f20776f726c642c207468697320697320646174610001\n    [Length: 27]\n");
  });

  it("-O expands only the listed protocols (top level), others on one line", () => {
    const { d } = basic();
    const t = d.tvb;
    const other = d.tree.root.add(testshort.hf, t, 0, 1, null);
    other.add(testshort.f.kind, t, 0, 1, 1);
    const again = d.tree.root.add(testproto.hf, t, 0, 1, null);
    again.add(f.kind, t, 0, 1, 2);
    expect(treeText(d, { style: PLAIN, only: ["testshort"] })).toBe("Test Protocol, Kind: Hello\nTest Short\n    Kind: Hello (1)\nTest Protocol\n");
    expect(treeText(d, { style: PLAIN, only: ["testproto"] })).toBe(BASIC + "Test Short\nTest Protocol\n    Kind: Bye (2)\n");
    expect(treeText(d, { style: PLAIN, only: [] })).toBe(BASIC + "Test Short\n    Kind: Hello (1)\nTest Protocol\n    Kind: Bye (2)\n");
  });
});

describe("label truncation (Wireshark's 240-byte label buffer)", () => {
  // The name and both lines come from `tshark -V` on a DNS query for this name
  // (label bytes 61 22 62 5c 63 01 64 7f e9, then 63 a's three times and 40 a's).
  const a63 = "a".repeat(63);
  const name = 'a"b\\c\\001d\\177\ufffd.' + a63 + "." + a63 + "." + a63 + "." + "a".repeat(40);
  const tsharkName = "Name [truncated]: " + 'a"b\\c\\001d\\177\ufffd.' + a63 + "." + a63 + "." + a63 + "." + "a".repeat(10);
  const tsharkText = " [truncated]" + 'a"b\\c\\001d\\177\ufffd.' + a63 + "." + a63 + "." + a63 + "." + "a".repeat(16);

  it("cuts field labels after the name and free text at the start, as tshark", () => {
    const d = emptyDissection(new Uint8Array(8));
    const t = d.tvb;
    const top = d.tree.root.add(testproto.hf, t, 0, 8, null);
    const q = top.addText(t, 0, 8, name + ": type A, class IN");
    q.add(f.name, t, 0, 8, name);
    expect(labelOf(q)).toBe(tsharkText);
    expect(labelOf(q.children![0])).toBe(tsharkName);
    expect(treeText(d, { style: PLAIN })).toBe("Test Protocol\n    " + tsharkText + "\n        " + tsharkName + "\n");
  });

  it("leaves labels of up to 239 bytes alone and cuts appended text at 239 bytes", () => {
    const d = emptyDissection(new Uint8Array(8));
    const t = d.tvb;
    const s233 = "b".repeat(233); // "Name: " + 233 = 239 bytes
    const ok = d.tree.root.add(f.name, t, 0, 1, s233);
    expect(labelOf(ok)).toBe("Name: " + s233);
    const s234 = "b".repeat(234);
    expect(labelOf(d.tree.root.add(f.name, t, 0, 1, s234))).toBe(("Name [truncated]: " + s234).slice(0, 238));
    const app = d.tree.root.add(f.name, t, 0, 1, "x".repeat(200)).appendText(", " + "y".repeat(100));
    expect(labelOf(app)).toBe(("Name: " + "x".repeat(200) + ", " + "y".repeat(100)).slice(0, 239));
    const gen = d.tree.root.addGenerated(f.name, t, 0, 1, "z".repeat(300));
    expect(labelOf(gen)).toBe(("Name [truncated]: " + "z".repeat(300)).slice(0, 238));
    expect(treeText(d, { style: PLAIN }).split("\n")[3]).toBe("[" + labelOf(gen) + "]");
  });

  it("never cuts inside a multi-byte character", () => {
    const d = emptyDissection(new Uint8Array(8));
    const s = "é".repeat(150); // 300 bytes
    const l = labelOf(d.tree.root.add(f.name, d.tvb, 0, 1, s));
    expect(l.startsWith("Name [truncated]: é")).toBe(true);
    expect(Buffer.byteLength(l)).toBeLessThanOrEqual(238);
    expect(l.endsWith("é")).toBe(true);
    expect(l.includes("\ufffd")).toBe(false);
  });
});

describe("colour", () => {
  it("adds ANSI codes only when the style is enabled, same text otherwise", () => {
    const { d } = basic();
    const d2 = basic().d;
    const top = d2.tree.root.children![0];
    top.add(f.len, d2.tvb, 2, 2, 9).expert("error", "malformed", "broken");
    const colored = treeText(d2, { style: makeStyle("always", false) });
    expect(colored).toMatch(/\u001b\[/);
    // eslint-disable-next-line no-control-regex
    expect(colored.replace(/\u001b\[[0-9;]*m/g, "")).toBe(treeText(d2, { style: PLAIN }));
    expect(treeText(d, { style: makeStyle("never", true) })).toBe(BASIC);
  });
});

describe("bit patterns and colour switches", () => {
  it("bitString: tshark's patterns (8, 16, 24, 32 bits)", async () => {
    const { bitString } = await import("../../src/core/format.js");
    expect(bitString(0x020000, 24, 0x020000)).toBe(".... ..1. .... .... .... ....");
    expect(bitString(0x1fff, 16, 0)).toBe("...0 0000 0000 0000");
    expect(bitString(0xe0, 8, 0x40)).toBe("010. ....");
    expect(bitString(0x80000000, 32, 0x80000000)).toBe("1... .... .... .... .... .... .... ....");
    expect(bitString(0x4, 3, 0x4)).toBe("1..");
  });

  it("makeStyle: NO_COLOR and non-TTY turn colour off, --color=always forces it", () => {
    const saved = process.env.NO_COLOR;
    try {
      delete process.env.NO_COLOR;
      expect(makeStyle("auto", true).enabled).toBe(true);
      expect(makeStyle("auto", false).enabled).toBe(false);
      expect(makeStyle("never", true).enabled).toBe(false);
      process.env.NO_COLOR = "1";
      expect(makeStyle("auto", true).enabled).toBe(false);
      expect(makeStyle("always", false).enabled).toBe(true);
      process.env.NO_COLOR = "";
      expect(makeStyle("auto", true).enabled).toBe(true);
    } finally {
      if (saved === undefined) delete process.env.NO_COLOR;
      else process.env.NO_COLOR = saved;
    }
    expect(PLAIN.proto("dns", "DNS")).toBe("DNS");
  });
});
