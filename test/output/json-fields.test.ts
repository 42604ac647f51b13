/**
 * `-T json -e F…` (tshark takes -e with -T json): each frame's "layers" holds only the asked
 * fields, in -e order, each an array of its occurrences as -T fields writes them (strings
 * unescaped, then JSON-escaped), absent fields left out. Byte-identical to tshark on the
 * fixtures and on HTTP evasion captures of the corpus (skipped when ../shared is absent).
 */
import { describe, expect, it } from "vitest";
import { corpus, fixtures, haveTshark, runCli, tsharkText } from "../helpers/tshark.js";

const FIELDS = [
  "frame.number", "frame.time", "frame.time_relative", "eth.src", "ip.src", "ipv6.src", "ip.flags.df", "ip", "tcp.flags",
  "tcp.payload", "tcp.options.mss_val", "tcp.analysis.flags", "udp.dstport", "http.request.line", "http.request",
  "http.file_data", "dns.qry.name", "dns.a", "dns.flags.response", "tls.handshake.extensions_server_name",
  "data.data", "_ws.col.Info", "_ws.expert", "frame.protocols", "ip.src",
];
const E = FIELDS.flatMap((f) => ["-e", f]);

describe("-T json -e", () => {
  it("only the asked fields, in -e order (a repeated one at its last place), as arrays of strings; a frame without any: empty layers", () => {
    const r = runCli(["-r", "fixtures/dns.pcap", "-T", "json", "-e", "dns.a", "-e", "frame.number", "-e", "dns.a"]);
    expect(r.status).toBe(0);
    const frames = JSON.parse(r.stdout) as { _source: { layers: Record<string, string[]> } }[];
    expect(frames.length).toBeGreaterThan(3);
    expect(Object.keys(frames[0]._source.layers)).toEqual(["frame.number"]);
    const withA = frames.find((x) => "dns.a" in x._source.layers)!;
    // (a repeated -e takes its last place, as in tshark)
    expect(Object.keys(withA._source.layers)).toEqual(["frame.number", "dns.a"]);
    expect(withA._source.layers["dns.a"].every((v) => /^\d+\.\d+\.\d+\.\d+$/.test(v))).toBe(true);
    expect(runCli(["-r", "fixtures/dns.pcap", "-T", "json", "-e", "http.host", "-c", "1"]).stdout).toContain('"layers": {}');
  });
  it("-e still needs -T fields or -T json", () => {
    const r = runCli(["-r", "fixtures/dns.pcap", "-e", "ip.src"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/-Tfields/);
  });
});

describe.skipIf(!haveTshark())("-T json -e vs tshark", () => {
  const files = [
    ...fixtures((n) => /\.pcap(ng)?$/.test(n) && !n.startsWith("openvpn")),
    ...corpus("suricata-verify", (n) => /^http-evader-0[0-4]/.test(n)),
  ];
  it(`byte for byte (${files.length} captures, ${FIELDS.length} fields)`, () => {
    for (const f of files) {
      const extra = f.endsWith("https.pcapng") ? ["-o", `tls.keylog_file:${f.replace(/\.pcapng$/, ".keys")}`] : [];
      expect(runCli(["-r", f, ...extra, "-T", "json", ...E]).stdout, f).toBe(tsharkText(["-r", f, ...extra, "-T", "json", ...E]));
    }
  }, 300_000);
});
