/**
 * `-T fields -e <protocol>` as tshark 4.0 prints it: the protocol's label where its
 * dissector writes one ("Internet Protocol Version 4, Src: …"), the filter name where it
 * does not ("icmp", "openvpn"), the bytes in hex for "data".
 */
import { basename, join } from "node:path";
import { describe, expect, it } from "vitest";
import { compareFields, corpus, fixtures, FIXTURES, formatDisagreements, haveTshark, nestcapFields } from "../helpers/tshark.js";
import { readdirSync } from "node:fs";

const PROTOCOLS = [
  "frame", "eth", "vlan", "ieee8021ad", "sll", "null", "arp", "ip", "ipv6", "icmp", "icmpv6", "udp", "tcp",
  "dns", "mdns", "llmnr", "http", "json", "data-text-lines", "media", "urlencoded-form", "data", "openvpn",
];
// tshark misreads these OpenVPN captures (static-key packets taken for opcodes, tls-auth's SHA256
// HMAC for SHA1, tls-crypt/renegotiated control packets fed to TLS) or does not know the port
const TSHARK_WRONG = new Set(["static-udp.pcap", "tls-auth.pcap", "tls-crypt.pcap", "reneg.pcap", "tls-udp-port.pcap"]);
const ovpn = haveTshark() ? readdirSync(join(FIXTURES, "openvpn")).filter((n) => n.endsWith(".pcap") && !TSHARK_WRONG.has(n)).map((n) => join(FIXTURES, "openvpn", n)) : [];
const files = haveTshark()
  ? [
      ...fixtures(), ...ovpn,
      // Traces__openvpn.pcap: OpenVPN on a port tshark does not try (nestcap's heuristic finds it)
      ...corpus("zeek-openvpn", (n) => n !== "Traces__openvpn.pcap"),
      // not HTTP/2 or NetBIOS captures: nestcap has no dissector for those (their bytes are "data");
      // not evader-029 (tshark's chunk walk throws, test/dissectors/http-reassembly.test.ts) nor
      // evader-331 (tshark reports "Decompression failed" on a gzip body zlib inflates)
      ...corpus("suricata-verify", (n) => /^(dns|http-evader|http-range|http-chunked|http-gzip)/.test(n) && !/http2|bug-1158|evader-029_|evader-331_/.test(n)).slice(0, 40),
    ]
  : [];

describe.skipIf(files.length === 0)("-e <protocol> vs tshark", () => {
  it(`agrees on fixtures and corpus captures (${files.length} files)`, () => {
    let agree = 0;
    let cells = 0;
    const bad: string[] = [];
    for (const f of files) {
      const c = compareFields(f, PROTOCOLS);
      agree += c.agree;
      cells += c.cells;
      expect(c.frames.nestcap).toBe(c.frames.tshark);
      if (c.disagreements.length > 0) bad.push(`${basename(f)}:\n${formatDisagreements(c.disagreements, 5)}`);
    }
    console.log(`-e <protocol>: ${agree}/${cells} cells agree over ${files.length} files`);
    expect(bad).toEqual([]);
  }, 400_000);

  it("prints labels, bare names and data bytes", () => {
    const http = files.find((f) => f.endsWith("http.pcapng"))!;
    const rows = nestcapFields(http, ["ip", "tcp", "http", "data"]);
    const withIp = rows.filter((r) => r[0] !== "");
    expect(withIp.length).toBeGreaterThan(10);
    for (const r of withIp) expect(r[0]).toMatch(/^Internet Protocol Version 4, Src: [\d.]+, Dst: [\d.]+$/);
    expect(rows.some((r) => /^Transmission Control Protocol, Src Port: \d+, Dst Port: 80, Seq: \d+, Ack: \d+, Len: \d+$/.test(r[1]))).toBe(true);
    const ping = files.find((f) => f.endsWith("ping-frag.pcap"))!;
    const p = nestcapFields(ping, ["icmp", "data"]).filter((r) => r[0] !== "");
    expect(p.length).toBeGreaterThan(0);
    expect(p.every((r) => r[0] === "icmp" && /^[0-9a-f]+$/.test(r[1]))).toBe(true);
  });
});
