/** The frame tree's "Encapsulation type" line (a WTAP_ENCAP name, not a LINKTYPE one) for each link type, as tshark -V. */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { corpus, CORPORA, FIXTURES, haveTshark, runCli } from "../helpers/tshark.js";

/** The link type of a classic pcap file (its header's network field), or -1. */
function linkTypeOf(file: string): number {
  const b = readFileSync(file);
  if (b.length < 24) return -1;
  const m = b.readUInt32LE(0);
  if (m === 0xa1b2c3d4 || m === 0xa1b23c4d) return b.readUInt32LE(20) & 0xffff;
  if (m === 0xd4c3b2a1 || m === 0x4d3cb2a1) return b.readUInt32BE(20) & 0xffff;
  return -1;
}

/** The first tcpdump corpus file of every link type it holds (link types nestcap does not dissect too: the frame line still names them). */
function onePerLinkType(): string[] {
  const seen = new Map<number, string>();
  for (const f of corpus("tcpdump", (n) => n.endsWith(".pcap"))) {
    const lt = linkTypeOf(f);
    if (lt >= 0 && !seen.has(lt)) seen.set(lt, f);
  }
  return [...seen.values()];
}

const FILES = [
  `${FIXTURES}/sample.pcapng`, `${FIXTURES}/sll.pcap`, `${FIXTURES}/sll2.pcap`, `${FIXTURES}/openvpn/tls-udp-tun.pcap`,
  `${CORPORA}/tcpdump/LINKTYPE_IPV4.pcap`, `${CORPORA}/tcpdump/beep-oobr.pcap`, ...onePerLinkType(),
].filter((f) => existsSync(f));

const line = (text: string): string => text.split("\n").find((l) => l.includes("Encapsulation type")) ?? "(none)";

describe.skipIf(!haveTshark())("Encapsulation type", () => {
  it(`matches tshark -V on ${FILES.length} link types`, { timeout: 120_000 }, () => {
    // a link type tshark cannot read is refused by nestcap too (one-line error, exit 2)
    const t = FILES.map((f) => spawnSync("tshark", ["-n", "-r", f, "-V", "-c", "1"], { encoding: "utf8" }));
    const n = FILES.map((f) => runCli(["-r", f, "-V", "-c", "1"]));
    const got = FILES.map((f, i) => `${f}: ${n[i].status === 0 ? line(n[i].stdout) : "refused"}`);
    const want = FILES.map((f, i) => `${f}: ${t[i].status === 0 ? line(t[i].stdout) : "refused"}`);
    expect(got).toEqual(want);
    expect(new Set(want).size).toBeGreaterThanOrEqual(4);
  });
});

describe.skipIf(!haveTshark())("a link type without a dissector", () => {
  const file = `${CORPORA}/tcpdump/icmp6_nodeinfo_oobr.pcap`; // SLIP
  it.skipIf(!existsSync(file))("says UNKNOWN and the encapsulation number in the columns, as tshark", () => {
    const ours = runCli(["-r", file]).stdout;
    expect(ours).toMatch(/UNKNOWN 74 WTAP_ENCAP = 3/);
    expect(ours).toBe(spawnSync("tshark", ["-n", "-r", file], { encoding: "utf8" }).stdout);
  });
});
