/** The frame tree's "Encapsulation type" line (a WTAP_ENCAP name, not a LINKTYPE one) for each link type, as tshark -V. */
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CORPORA, FIXTURES, haveTshark, runCli, sh } from "../helpers/tshark.js";

const FILES = [
  `${FIXTURES}/sample.pcapng`, `${FIXTURES}/sll.pcap`, `${FIXTURES}/sll2.pcap`, `${FIXTURES}/openvpn/tls-udp-tun.pcap`,
  `${CORPORA}/tcpdump/LINKTYPE_IPV4.pcap`, `${CORPORA}/tcpdump/beep-oobr.pcap`,
].filter((f) => existsSync(f));

const line = (text: string): string => text.split("\n").find((l) => l.includes("Encapsulation type")) ?? "(none)";

describe.skipIf(!haveTshark())("Encapsulation type", () => {
  it(`matches tshark -V on ${FILES.length} link types`, () => {
    const got = FILES.map((f) => line(runCli(["-r", f, "-V", "-c", "1"]).stdout));
    const want = FILES.map((f) => line(sh("tshark", ["-n", "-r", f, "-V", "-c", "1"])));
    expect(got).toEqual(want);
    expect(new Set(want).size).toBeGreaterThanOrEqual(4);
  });
});
