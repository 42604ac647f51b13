import { describe, expect, it } from "vitest";
import { makeStyle, PLAIN } from "../../src/output/color.js";
import { hexDump, hexLines } from "../../src/output/hex.js";
import { emptyDissection, hexBytes, testproto } from "./helpers.js";

// frame 1 of suricata-verify dns-single-request, and tshark -x's dump of it
const DNS = hexBytes(
  "001517 0d06f7 d8cb8a eda146 0800 4500 0039 ea14 0000 4011 7a74 0a10010b 0a100101 d8bf 0035 0025 6ead e03b 0100 0001 0000 0000 0000 07 73757269636f6e 03 6e6574 00 0001 0001",
);
const DNS_X =
  "0000  00 15 17 0d 06 f7 d8 cb 8a ed a1 46 08 00 45 00   ...........F..E.\n" +
  "0010  00 39 ea 14 00 00 40 11 7a 74 0a 10 01 0b 0a 10   .9....@.zt......\n" +
  "0020  01 01 d8 bf 00 35 00 25 6e ad e0 3b 01 00 00 01   .....5.%n..;....\n" +
  "0030  00 00 00 00 00 00 07 73 75 72 69 63 6f 6e 03 6e   .......suricon.n\n" +
  "0040  65 74 00 00 01 00 01                              et.....\n";

/** One dump row built from tshark's rule: hex part padded to 48 columns, 2 spaces, ASCII. */
function row(off: string, hex: string, ascii: string): string {
  return off + "  " + (hex + " ").padEnd(48, " ") + "  " + ascii;
}

describe("hex dump layout", () => {
  it("matches tshark -x", () => {
    expect(hexLines(DNS)).toBe(DNS_X);
    expect(hexDump(emptyDissection(DNS), { style: PLAIN })).toBe(DNS_X);
  });

  it("prints nothing for no bytes, and widens the offset past 64 KiB", () => {
    expect(hexLines(new Uint8Array(0))).toBe("");
    const big = hexLines(new Uint8Array(0x10001)).split("\n");
    expect(big[0]).toBe(row("00000", "00 ".repeat(16).trim(), ".".repeat(16)));
    expect(big[0]).toBe("00000  " + "00 ".repeat(16) + "  " + ".".repeat(16));
    expect(big[0x1000]).toBe(row("10000", "00", "."));
    expect(hexLines(new Uint8Array(0x10000)).split("\n")[0].startsWith("0000  ")).toBe(true);
    expect(hexLines(Uint8Array.from([0x1f, 0x20, 0x7e, 0x7f, 0xff]))).toBe(row("0000", "1f 20 7e 7f ff", ". ~..") + "\n");
  });

  it("the unmarked fast path prints what the row-by-row path prints, at every length", () => {
    // marks that are all zero take the row-by-row string path; null takes the byte-built one
    const lengths = [1, 15, 16, 17, 31, 32, 33, 1448, 0xffff, 0x10000, 0x10001, 0x10011];
    let seed = 7;
    for (const n of lengths) {
      const b = new Uint8Array(n);
      for (let i = 0; i < n; i++) b[i] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
      expect(hexLines(b), `length ${n}`).toBe(hexLines(b, new Uint8Array(n)));
    }
  });

  it("names every source when there are several, and stops at an empty one", () => {
    const d = emptyDissection(DNS.subarray(0, 18));
    d.pinfo.addSource({ name: "Reassembled TCP (3 bytes)", data: hexBytes("616263") });
    d.pinfo.addSource({ name: "Empty (0 bytes)", data: new Uint8Array(0) });
    d.pinfo.addSource({ name: "Never shown (1 byte)", data: hexBytes("00") });
    expect(hexDump(d, { style: PLAIN })).toBe(
      "Frame (18 bytes):\n" +
        "0000  00 15 17 0d 06 f7 d8 cb 8a ed a1 46 08 00 45 00   ...........F..E.\n" +
        row("0010", "00 39", ".9") + "\n" +
        "Reassembled TCP (3 bytes):\n" +
        row("0000", "61 62 63", "abc") + "\n" +
        "Empty (0 bytes):\n",
    );
  });
});

describe("highlight", () => {
  function marked() {
    const d = emptyDissection(DNS);
    const t = d.tvb;
    const top = d.tree.root.add(testproto.hf, t, 0, DNS.length, null);
    top.add(testproto.f.kind, t, 22, 1, 64); // like ip.ttl
    top.add(testproto.f.flags, t, 23, 1, 17); // like ip.proto
    const hid = top.add(testproto.f.kind, t, 0x3a, 1, 0); // a second, hidden occurrence
    hid.hidden = true;
    top.add(testproto.f.len, t, 14, 4, 0); // other field: not marked
    return d;
  }

  it("marks the bytes of every occurrence with ^ lines when colour is off", () => {
    const out = hexDump(marked(), { style: PLAIN, highlight: [testproto.f.kind, testproto.f.flags] });
    expect(out).toBe(
      "0000  00 15 17 0d 06 f7 d8 cb 8a ed a1 46 08 00 45 00   ...........F..E.\n" +
        "0010  00 39 ea 14 00 00 40 11 7a 74 0a 10 01 0b 0a 10   .9....@.zt......\n" +
        "                        ^^^^^                                 ^^\n" +
        "0020  01 01 d8 bf 00 35 00 25 6e ad e0 3b 01 00 00 01   .....5.%n..;....\n" +
        "0030  00 00 00 00 00 00 07 73 75 72 69 63 6f 6e 03 6e   .......suricon.n\n" +
        " ".repeat(36) + "^^" + " ".repeat(28) + "^\n" +
        "0040  65 74 00 00 01 00 01                              et.....\n",
    );
    // without highlight fields (or with a field that is absent) the dump is tshark's
    expect(hexDump(marked(), { style: PLAIN, highlight: [] })).toBe(DNS_X);
    expect(hexDump(marked(), { style: PLAIN, highlight: [testproto.f.payload] })).toBe(DNS_X);
  });

  it("uses inverse video when colour is on, keeping the text", () => {
    const out = hexDump(marked(), { style: makeStyle("always", false), highlight: [testproto.f.kind] });
    expect(out).toContain("\u001b[7m40\u001b[27m");
    // eslint-disable-next-line no-control-regex
    expect(out.replace(/\u001b\[[0-9;]*m/g, "")).toBe(DNS_X);
  });

  it("highlights a protocol field as all of its bytes", () => {
    const out = hexDump(marked(), { style: PLAIN, highlight: [testproto.hf] });
    const markers = out.split("\n").filter((l) => l.includes("^"));
    expect(markers.length).toBe(5);
    expect(markers[4]).toBe(" ".repeat(6) + "^".repeat(20) + " ".repeat(30) + "^".repeat(7));
  });
});
