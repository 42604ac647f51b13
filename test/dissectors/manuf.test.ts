/**
 * OUI → manufacturer names (src/core/manuf.ts), read from Wireshark's manuf file: the
 * parser on its line shapes, and eth.*.oui_resolved against tshark on hand-built frames.
 */
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ManufFile } from "../../src/core/manuf.js";
import { haveTshark, runCli, tsharkText } from "../helpers/tshark.js";
import { u16, writePcap } from "./ip-build.js";

describe("ManufFile", () => {
  it("finds 24-bit prefixes (first line too), long name else short name, not comments or longer blocks", () => {
    const m = new ManufFile(
      Buffer.from(
        [
          "00:00:01\tFirst\tFirst line Inc.",
          "# a comment 00:00:02\tNot\tThis",
          "00:00:13\tCamex",
          "00:00:18\tWebsterC\tWebster Computer Corporation\t# Appletalk/Ethernet Gateway",
          "00:1B:C5:00:00:00/36\tConvergi\tConverging Systems Inc.",
          "00:50:C2:00:00:00/24\tIeeeRegi\tIEEE Registration Authority",
          "00:03:5F\tPrüftech\tPrüftechnik Condition Monitoring GmbH & Co. KG",
          "aa:bb:cc\tLower\tlower-case prefix",
          "",
        ].join("\n"),
      ),
    );
    expect(m.name(0x000001)).toBe("First line Inc.");
    expect(m.name(0x000002)).toBeNull();
    expect(m.name(0x000013)).toBe("Camex");
    expect(m.name(0x000018)).toBe("Webster Computer Corporation");
    expect(m.name(0x001bc5)).toBeNull();
    expect(m.name(0x0050c2)).toBe("IEEE Registration Authority");
    expect(m.name(0x00035f)).toBe("Prüftechnik Condition Monitoring GmbH & Co. KG");
    expect(m.name(0xaabbcc)).toBe("lower-case prefix");
    expect(m.name(0x123456)).toBeNull();
  });
});

const MANUF = "/usr/share/wireshark/manuf";

describe.skipIf(!haveTshark() || !existsSync(MANUF))("eth address names vs tshark", () => {
  it("oui, oui_resolved and resolved fields, and the address subtree in -T json", () => {
    const arp = (dst: number[], src: number[]) =>
      Uint8Array.from([...dst, ...src, ...u16(0x0806), 0, 1, 8, 0, 6, 4, 0, 1, ...src, 10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 10, 0, 0, 2]);
    const frames = [
      arp([0x00, 0x00, 0x13, 1, 2, 3], [0x00, 0x00, 0x18, 0xaa, 0xbb, 0xcc]), // short-name-only and long-name entries
      arp([0x00, 0x1b, 0xc5, 0, 0, 1], [0x3c, 0x5a, 0xb4, 0, 0, 0]), // an OUI split into /36 blocks; Google
      arp([0xff, 0xff, 0xff, 0xff, 0xff, 0xff], [0x02, 0, 0, 0, 0, 1]), // broadcast; locally administered: no maker
      arp([0x01, 0x02, 0x03, 4, 5, 6], [0x00, 0x11, 0x22, 0x33, 0x44, 0x55]), // group bit set: looked up as it is
    ];
    const file = writePcap("oui.pcap", frames);
    const fields = ["eth.dst_resolved", "eth.dst.oui", "eth.dst.oui_resolved", "eth.src_resolved", "eth.src.oui", "eth.src.oui_resolved", "eth.addr_resolved", "eth.addr.oui", "eth.addr.oui_resolved"];
    const args = ["-T", "fields", ...fields.flatMap((f) => ["-e", f]), "-E", "occurrence=a"];
    const want = tsharkText(["-n", "-r", file, ...args]);
    expect(want).toContain("Google");
    expect(runCli(["-r", file, ...args]).stdout).toBe(want);
    const eth = (json: string) => (JSON.parse(json) as { _source: { layers: { eth: unknown } } }[]).map((p) => p._source.layers.eth);
    // JSON.parse keeps the last of repeated keys: compare the raw text of the eth layers too
    const ethText = (json: string) => json.split("\n").filter((l) => /"eth\./.test(l)).join("\n");
    const jn = runCli(["-r", file, "-T", "json"]).stdout;
    const jt = tsharkText(["-n", "-r", file, "-T", "json"]);
    expect(eth(jn)).toEqual(eth(jt));
    expect(ethText(jn)).toBe(ethText(jt));
  });
});
