/**
 * `-T fields` that reads nothing above TCP/UDP stops there (Session.transportOnly): the
 * payloads are not dissected. Its output must be what the full dissection gives: the CLI
 * (which stops) is compared with the library's full dissection on fixtures and corpus files.
 */
import { describe, expect, it } from "vitest";
import { belowTransport, portsOnly } from "../../src/cli/session-options.js";
import { readCaptureSync } from "../../src/capture/reader.js";
import { Dissector, type Dissection } from "../../src/core/dissect.js";
import { Session } from "../../src/core/session.js";
import { resolveFields } from "../../src/output/fields.js";
import { spawnSync } from "node:child_process";
import { corpus, fixtures, haveTshark, nestcapFields, runCli } from "../helpers/tshark.js";
import "../../src/core/load.js";

const BENCH = ["frame.number", "frame.time_relative", "ip.src", "ip.dst", "ip.proto", "tcp.srcport", "tcp.dstport", "frame.len"];
const [UDP, TCP_LEN, TCP_PORT] = resolveFields(["udp", "tcp.len", "tcp.port"]);
const DEEP = [
  "frame.cap_len", "eth.src", "eth.padding", "eth.trailer", "vlan.id", "ip.id", "ip.flags", "ip.ttl", "ip.checksum.status", "ip.reassembled_in",
  "ipv6.src", "ipv6.nxt", "icmp.type", "icmp.resp_in", "icmpv6.type", "udp.length", "udp.stream", "tcp.seq", "tcp.ack", "tcp.len",
  "tcp.flags", "tcp.stream", "tcp.window_size", "tcp.analysis.flags", "tcp.analysis.retransmission", "tcp.analysis.acks_frame",
  "tcp.analysis.bytes_in_flight", "tcp.time_delta", "tcp.completeness",
];

describe("stopping at TCP/UDP when the output reads nothing above them", () => {
  it("is chosen only for fields of the lower layers that their payload does not fill", () => {
    expect(belowTransport(resolveFields(BENCH))).toBe(true);
    expect(belowTransport(resolveFields(DEEP))).toBe(true);
    for (const above of ["dns.qry.name", "http.request.method", "openvpn.opcode", "data.len", "frame.protocols", "tcp.reassembled_in", "tcp.pdu.size", "tcp.segment", "_ws.expert", "_ws.malformed"])
      expect(belowTransport(resolveFields(["ip.src", above])), above).toBe(false);
    expect(belowTransport([])).toBe(false);
  });

  it("stops TCP after its ports when no other TCP field is read", () => {
    expect(portsOnly(resolveFields(BENCH))).toBe(true);
    expect(portsOnly(resolveFields(["ip.src", "tcp.port", "udp.stream"]))).toBe(true);
    expect(portsOnly(resolveFields(DEEP))).toBe(false);
    for (const more of ["tcp", "tcp.stream", "tcp.seq", "tcp.flags.syn", "tcp.options.mss_val", "tcp.analysis.flags", "tcp.payload", "tcp.checksum.status"])
      expect(portsOnly(resolveFields(["tcp.srcport", more])), more).toBe(false);
    // the session ignores it without transportOnly (the payload above TCP would be lost)
    expect(new Session({ tcpPortsOnly: true }).tcpPortsOnly).toBe(false);
  });

  it("stops: a DNS packet's layers end at UDP", () => {
    const { frames } = readCaptureSync(fixtures((n) => n === "dns.pcap")[0]);
    const dnsFrame = frames[2];
    const full = new Dissector({}).dissect(dnsFrame);
    const cut = new Dissector({}, new Session({ transportOnly: true })).dissect(dnsFrame);
    expect(full.pinfo.layers).toContain("dns");
    expect(cut.pinfo.layers[cut.pinfo.layers.length - 1]).toBe("udp");
  });

  const files = [...fixtures(), ...corpus("tcpdump").filter((_, i) => i % 16 === 0), ...corpus("suricata-verify").filter((_, i) => i % 60 === 0)];
  it(`prints what the full dissection prints (${files.length} files, two field lists, with and without -Y)`, () => {
    let rows = 0;
    for (const file of files) {
      for (const fields of [BENCH, DEEP]) {
        const r = runCli(["-r", file, "-T", "fields", ...fields.flatMap((f) => ["-e", f])]);
        if (r.status !== 0 && r.stdout === "") continue; // a file nestcap refuses (tested elsewhere)
        const want = nestcapFields(file, fields).map((row) => row.join("\t") + "\n").join("");
        expect(r.stdout, `${file} ${fields[0]}…`).toBe(want);
        rows += want.split("\n").length - 1;
      }
      let frames;
      try {
        frames = readCaptureSync(file).frames;
      } catch {
        continue;
      }
      // a filter on a deeper TCP field, then one on the ports only (TCP stops after them)
      const filters: [string, string, string, (x: Dissection) => boolean][] = [
        ["tcp.len > 0 or udp", "tcp.seq", "tcp.len", (x) => x.tree.get(UDP).length > 0 || x.tree.get(TCP_LEN).some((v) => (v as number) > 0)],
        ["tcp.port == 80 or udp", "tcp.srcport", "tcp.port", (x) => x.tree.get(UDP).length > 0 || x.tree.get(TCP_PORT).includes(80)],
      ];
      for (const [expr, shown, tested, pass] of filters) {
        const y = runCli(["-r", file, "-Y", expr, "-T", "fields", "-e", "frame.number", "-e", shown, "-e", "udp.length"]);
        const d = new Dissector({ wanted: resolveFields([tested, "udp", "frame.number", shown, "udp.length"]) });
        const nums = frames.map((fr) => d.dissect(fr)).filter(pass).map((x) => String(x.frame.num));
        expect(y.stdout.split("\n").filter(Boolean).map((l) => l.split("\t")[0]), `${file} -Y ${expr}`).toEqual(nums);
      }
    }
    console.log(`transport-only fields: ${rows} rows over ${files.length} files equal the full dissection's`);
    expect(rows).toBeGreaterThan(1000);
  });

  it("is not chosen for -x: a frame-only filter still prints the reassembled and decrypted data sources, as tshark", () => {
    const file = fixtures((n) => n === "https.pcapng")[0];
    const keys = file.replace(/\.pcapng$/, ".keys");
    // frame 20: an HTTP response reassembled from two decrypted TLS records
    const r = runCli(["-r", file, "-o", `tls.keylog_file:${keys}`, "-x", "-Y", "frame.number == 20"]);
    expect(r.stdout).toContain("Decrypted TLS (");
    expect(r.stdout).toContain("Reassembled TLS (");
    if (haveTshark()) {
      const t = spawnSync("tshark", ["-n", "-r", file, "-o", `tls.keylog_file:${keys}`, "-x", "-Y", "frame.number == 20"], { encoding: "utf8" });
      expect(r.stdout).toBe(t.stdout);
    }
  });
});
