import { describe, expect, it } from "vitest";
import { Session } from "../../src/core/session.js";
import { makeStyle, PLAIN } from "../../src/output/color.js";
import { formatSeconds, summaryLine, timeDigits } from "../../src/output/summary.js";
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

