/**
 * The TCP item covers the TCP header (len(tcp), tcp[…]) in sparse trees too, and tcp.pdu.size
 * is filled per length-prefixed PDU (DNS and OpenVPN over TCP): checked against tshark -Y
 * itself (the Lua taps of differential.test.ts see the whole segment for len(tcp)).
 */
import { basename } from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURES, haveTshark, runCli, sh } from "../helpers/tshark.js";

const FILES = ["sample.pcapng", "dns.pcap", "openvpn/tls-tcp.pcap"].map((f) => `${FIXTURES}/${f}`);
const FILTERS = ["len(tcp) == 32", "len(tcp) > 20", "tcp[13] == 0x18", "tcp[12] & 0xf0 == 0x80", "tcp.pdu.size > 100", "tcp.pdu.size"];

describe.skipIf(!haveTshark())("TCP as bytes and tcp.pdu.size vs tshark -Y", () => {
  it(`${FILTERS.length} filters × ${FILES.length} files`, () => {
    const bad: string[] = [];
    let matched = 0;
    for (const f of FILES)
      for (const flt of FILTERS) {
        const want = sh("tshark", ["-n", "-r", f, "-Y", flt, "-T", "fields", "-e", "frame.number"]).split("\n").filter((l) => l !== "");
        const got = runCli(["-r", f, "-Y", flt, "-T", "fields", "-e", "frame.number"]).stdout.split("\n").filter((l) => l !== "");
        matched += want.length;
        if (got.join(",") !== want.join(",")) bad.push(`${basename(f)} ${flt}: tshark ${want.join(",")} / nestcap ${got.join(",")}`);
      }
    expect(bad).toEqual([]);
    expect(matched).toBeGreaterThan(50);
  }, 120_000);
});
