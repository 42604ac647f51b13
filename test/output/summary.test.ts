import { describe, expect, it } from "vitest";
import { Session } from "../../src/core/session.js";
import { makeStyle, PLAIN } from "../../src/output/color.js";
import { Writable } from "node:stream";
import { Out } from "../../src/cli/out.js";
import { formatSeconds, summaryLine, timeDigits, writeSummaryLine } from "../../src/output/summary.js";
import { ByteLineWriter } from "../../src/output/line-writer.js";
import { emptyDissection } from "./helpers.js";

function line(cols: { src: string; dst: string; protocol: string; info: string }, o: Parameters<typeof emptyDissection>[1] = {}, len = 71): string {
  const d = emptyDissection(new Uint8Array(len), o);
  Object.assign(d.pinfo.cols!, cols);
  return summaryLine(d, PLAIN);
}

describe("summary line layout (tshark's default columns)", () => {
  const dns = { src: "10.16.1.11", dst: "10.16.1.1", protocol: "DNS", info: "Standard query 0xe03b A suricon.net" };

  it("pads No. (right, 5), Time (right, 10), Source (right, 12), Destination (left, 12)", () => {
    expect(line(dns, { tsresol: 1e6 })).toBe("    1   0.000000   10.16.1.11 → 10.16.1.1    DNS 71 Standard query 0xe03b A suricon.net");
    expect(line(dns, { tsresol: 1e9 })).toBe("    1 0.000000000   10.16.1.11 → 10.16.1.1    DNS 71 Standard query 0xe03b A suricon.net");
  });

  it("lets long values overflow their minimum width", () => {
    const v6 = { src: "fe80::6aa3:c4ff:fef4:841e", dst: "ff02::cca6:c0f9:e182:5359", protocol: "UDP", info: "5359 → 5359 Len=52" };
    expect(line(v6, { num: 123456, tsresol: 1e6 }, 114)).toBe("123456   0.000000 fe80::6aa3:c4ff:fef4:841e → ff02::cca6:c0f9:e182:5359 UDP 114 5359 → 5359 Len=52");
  });

  it("keeps the separator after Length when Info is empty, and pads empty addresses", () => {
    expect(line({ src: "", dst: "", protocol: "AoE", info: "" }, { tsresol: 1e6 }, 32)).toBe("    1   0.000000              →              AoE 32 ");
  });

  it("shows seconds since the first frame with the file's precision, truncated", () => {
    const s = new Session();
    s.firstTs = { s: 100, ns: 999_999_999 };
    const d = emptyDissection(new Uint8Array(60), { num: 7, tsSec: 160, tsNsec: 10_999_998, session: s, tsresol: 1e6 });
    Object.assign(d.pinfo.cols!, { src: "a", dst: "b", protocol: "X", info: "y" });
    expect(summaryLine(d, PLAIN)).toBe("    7  59.010999            a → b            X 60 y");
    // an earlier timestamp than the first frame: negative
    const e = emptyDissection(new Uint8Array(60), { num: 8, tsSec: 99, tsNsec: 999_000_000, session: s, tsresol: 1e6 });
    expect(summaryLine(e, PLAIN).slice(0, 17)).toBe("    8  -1.000999 ");
  });

  it("maps timestamp resolutions to Wireshark's precisions", () => {
    expect([1, 10, 100, 1000, 1e4, 1e5, 1e6, 1e7, 1e9, 2 ** 20, 2 ** 30, undefined].map(timeDigits)).toEqual([0, 1, 2, 3, 6, 6, 6, 9, 9, 9, 9, 6]);
    expect(formatSeconds(3, 5_000_000, 0)).toBe("3");
    expect(formatSeconds(3, 5_000_000, 3)).toBe("3.005");
    expect(formatSeconds(0, -1, 9)).toBe("-0.000000001");
  });

  it("shows a corrupt record's time as tshark does (seconds' own sign, every digit of an oversized fraction)", () => {
    // tcpdump corpus rx_serviceid_oobr.pcap, frame 2: tshark prints -117442576.1084863
    expect(formatSeconds(-117442576, 1084863376, 6)).toBe("-117442576.1084863");
    const s = new Session();
    s.firstTs = { s: 117442577, ns: 131350000 };
    // the record's fraction is out of range; the difference wraps as a C int (frame.time_relative)
    const d = emptyDissection(new Uint8Array(0), { num: 2, tsSec: 0, tsNsec: -2078753920, session: s, tsresol: 1e6 });
    Object.assign(d.pinfo.cols!, { src: "", dst: "", protocol: "Ethernet", info: "" });
    expect(summaryLine(d, PLAIN).slice(0, 25)).toBe("    2 -117442576.1084863 ");
  });

  it("colours the protocol column only when colour is on", () => {
    const d = emptyDissection(new Uint8Array(71), { tsresol: 1e6 });
    Object.assign(d.pinfo.cols!, dns);
    d.pinfo.layers.push("frame", "eth", "ip", "udp", "dns");
    const c = summaryLine(d, makeStyle("always", false));
    expect(c).toMatch(/\u001b\[/);
    // eslint-disable-next-line no-control-regex
    expect(c.replace(/\u001b\[[0-9;]*m/g, "")).toBe(summaryLine(d, PLAIN));
  });

  it("prints an empty summary (no crash) when columns were not built", () => {
    const d = emptyDissection(new Uint8Array(10), { tsresol: 1e6, columns: false });
    expect(summaryLine(d, PLAIN)).toBe("    1   0.000000              →              " + " 10 ");
  });
});


/** A LineWriter into a growing buffer, as the read workers' batches are. */
class Grow extends ByteLineWriter {
  constructor() {
    super(4);
  }
  protected makeRoom(n: number): void {
    const b = Buffer.allocUnsafe(this.off + n);
    this.buf.copy(b, 0, 0, this.off);
    this.buf = b;
  }
  bytes(): Buffer {
    return this.buf.subarray(0, this.off);
  }
}

describe("summary lines written as bytes", () => {
  it("encodes text as Node's UTF-8 encoder does, lone surrogates included", () => {
    const texts = ["plain", "caf\u00e9 \u2192 \u4e2d\u6587", "emoji \u{1f600} end", "lone \ud800 high", "lone \udc00 low", "", "\u007f\u0080\u07ff\u0800\uffff"];
    for (const t of texts) {
      const w = new Grow();
      w.reserve(t.length * 3);
      w.text(t);
      expect(w.bytes().equals(Buffer.from(t, "utf8")), t).toBe(true);
    }
  });

  it("writes integers and spaces", () => {
    const w = new Grow();
    for (const n of [0, 7, 10, 99, 100, 123456789, 2 ** 40]) {
      w.reserve(40);
      w.uint(n);
      w.spaces(2);
      w.spaces(-3);
    }
    expect(w.bytes().toString()).toBe("0  7  10  99  100  123456789  1099511627776  ");
  });

  it("gives summaryLine's text through stdout's buffer, across buffer flushes", async () => {
    const chunks: Buffer[] = [];
    const sink = new Writable({
      write(c: Buffer, _e, cb) {
        chunks.push(c);
        cb();
      },
    });
    // a small buffer limit so that lines cross flushes; text written between lines too
    const out = new Out(sink, 64);
    const want: string[] = [];
    const infos = ["Standard query 0xe03b A suricon.net", "x".repeat(300), "\u00fcber \u{1f600}", ""];
    for (let i = 0; i < 40; i++) {
      const d = emptyDissection(new Uint8Array(60 + i), { num: i + 1, tsSec: i, tsNsec: i * 1000, tsresol: 1e6 });
      Object.assign(d.pinfo.cols!, { src: "10.0.0." + i, dst: "fe80::" + i, protocol: "DNS", info: infos[i % infos.length] });
      writeSummaryLine(d, PLAIN, out);
      out.write("-- between --\n");
      want.push(summaryLine(d, PLAIN) + "\n-- between --\n");
      if (out.full) await out.flush();
    }
    await out.flush();
    expect(Buffer.concat(chunks).toString("utf8")).toBe(want.join(""));
  });
});
