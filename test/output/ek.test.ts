/**
 * -T ek: tshark's newline-delimited JSON for Elasticsearch, byte for byte tshark 4.0's on the
 * fixtures (also decrypted with their key logs, and with -e fields) and on the first 60 HTTP/DNS captures of
 * suricata-verify (skipped when ../shared is absent), but for the one whose -V differs too.
 * The outer OpenVPN captures are left out: nestcap's OpenVPN tree says more than tshark's.
 */
import { describe, expect, it } from "vitest";
import { fixtures, haveTshark, KEYED, runCli, treeCaptures, tsharkText } from "../helpers/tshark.js";

describe("-T ek", () => {
  it("two lines a packet: the bulk index line, then the document", () => {
    const r = runCli(["-r", "fixtures/http.pcapng", "-T", "ek"]);
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines.length % 2).toBe(0);
    for (let i = 0; i < lines.length; i += 2) {
      expect(JSON.parse(lines[i])).toEqual({ index: { _index: "packets-2026-11-25", _type: "doc" } });
      const doc = JSON.parse(lines[i + 1]) as { timestamp: string; layers: Record<string, unknown> };
      expect(doc.timestamp).toMatch(/^\d{13}$/);
      expect(Object.keys(doc.layers)[0]).toBe("frame");
    }
    const docs = lines.filter((_, i) => i % 2 === 1).map((l) => JSON.parse(l) as { layers: { tcp?: Record<string, unknown> } });
    const tcp = docs.find((d) => d.layers.tcp?.tcp_tcp_flags_syn === true)!.layers.tcp!;
    // flattened with "<protocol>_<field>" names, booleans as booleans
    expect(tcp.tcp_tcp_srcport).toBe("46688");
    expect(tcp.tcp_tcp_flags_syn).toBe(true);
    // a protocol "in name only" (an option) is named alone; expert notes are objects
    expect(tcp.tcp_options_mss).toBe("02:04:05:b4");
    expect((tcp._ws_expert as Record<string, unknown>).tcp_tcp_connection_syn).toBeNull();
    // times in ISO 8601 (UTC), but the epoch time as seconds
    const frame = (JSON.parse(lines[1]) as { layers: { frame: Record<string, string> } }).layers.frame;
    expect(frame.frame_frame_time).toMatch(/^2026-11-25T\d\d:\d\d:\d\d\.\d{9}Z$/);
    expect(frame.frame_frame_time_epoch).toMatch(/^\d+\.\d{9}$/);
  });
});

describe.skipIf(!haveTshark())("-T ek vs tshark", () => {
  // (CONNECT to 443 carrying plain HTTP: -V differs too, see README)
  const files = treeCaptures();
  const keyed = KEYED;
  it(`the same output (${files.length} captures, ${keyed.length} with their key logs)`, () => {
    for (const f of files) expect(runCli(["-r", f, "-T", "ek"]).stdout, f).toBe(tsharkText(["-n", "-r", f, "-T", "ek"]));
    // -T ek -e: only those fields, arrays of -T fields' texts (a summary column and a repeated -e too)
    const e = ["ip.src", "ip.addr", "tcp.flags.syn", "frame.time", "http.request.line", "dns.qry.name", "_ws.col.Info", "ip.addr", "_ws.expert"].flatMap((x) => ["-e", x]);
    for (const f of fixtures()) expect(runCli(["-r", f, "-T", "ek", ...e]).stdout, `${f} -e`).toBe(tsharkText(["-n", "-r", f, "-T", "ek", ...e]));
    for (const [f, k] of keyed) {
      const o = ["-o", `tls.keylog_file:${k}`];
      const t = tsharkText(["-n", "-r", f, ...o, "-T", "ek"]);
      expect(t, f).toMatch(/"http2?":\{/); // decrypted
      expect(runCli(["-r", f, ...o, "-T", "ek"]).stdout, `${f} with keys`).toBe(t);
    }
  }, 600_000);
});
