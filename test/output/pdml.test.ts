/**
 * -T pdml: every item of every packet as tshark's PDML, equal to tshark 4.0's output
 * (its creator and time-of-run attributes aside) on the fixtures — with and without the TLS
 * key logs, so that items of decrypted and reassembled data sources are placed as tshark
 * places them — and on corpus captures (skipped when ../shared is absent). The outer OpenVPN
 * captures are left out: nestcap's OpenVPN tree says more than tshark's (as in -V).
 */
import { describe, expect, it } from "vitest";
import { asctime } from "../../src/output/pdml.js";
import { haveTshark, KEYED, runCli, treeCaptures, tsharkText } from "../helpers/tshark.js";

/** The <pdml> line: tshark names itself and the time it ran. */
const PDML_LINE = /^<pdml version="0" creator="[^"]*" time="[^"]*" capture_file="([^"]*)">$/m;
const normal = (s: string): string => s.replace(PDML_LINE, '<pdml capture_file="$1">');

describe("-T pdml", () => {
  it("the preamble, a geninfo pseudo-protocol per packet, and the closing tag", () => {
    const r = runCli(["-r", "fixtures/dns.pcap", "-T", "pdml", "-c", "2"]);
    expect(r.status).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toBe('<?xml version="1.0" encoding="utf-8"?>');
    expect(lines[3]).toMatch(/^<pdml version="0" creator="nestcap" time="\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}" capture_file="fixtures\/dns.pcap">$/);
    expect(r.stdout.match(/<packet>/g)).toHaveLength(2);
    expect(r.stdout).toContain('    <field name="num" pos="0" show="2" showname="Number" value="2" size="42"/>');
    expect(r.stdout.endsWith("</packet>\n\n\n</pdml>\n")).toBe(true);
  });

  it("fields: label, hidden mark, bytes, value; bit fields with their masked value", () => {
    const out = runCli(["-r", "fixtures/http.pcapng", "-T", "pdml"]).stdout;
    // a bit field: value = the field's value (%X), unmaskedvalue = its bytes
    expect(out).toContain('<field name="ip.flags.df" showname=".1.. .... = Don&#x27;t fragment: Set" size="1" pos="20" show="1" value="1" unmaskedvalue="40"/>');
    // ip.version draws its bits in the label only (no masked value, as tshark registers it)
    expect(out).toContain('<field name="ip.version" showname="0100 .... = Version: 4" size="1" pos="14" show="4" value="45"/>');
    // generated items lose their brackets; FT_NONE fields show="" value=""
    expect(out).toMatch(/<field name="tcp.stream" showname="Stream index: 0" size="0" pos="34" show="0"\/>/);
    expect(out).toMatch(/<field name="tcp.connection.syn" showname="[^"]*" size="0" pos="0" show="" value=""\/>/);
    // hidden items carry hide="yes"
    expect(out).toMatch(/<field name="eth.addr_resolved" showname="[^"]*" hide="yes" size="6" pos="0"/);
  });

  it("C's asctime layout for the time of the run", () => {
    expect(asctime(new Date(2026, 10, 6, 9, 5, 7))).toBe("Fri Nov  6 09:05:07 2026");
    expect(asctime(new Date(2026, 0, 25, 23, 59, 0))).toBe("Sun Jan 25 23:59:00 2026");
  });
});

describe.skipIf(!haveTshark())("-T pdml vs tshark", () => {
  const keyed = KEYED;
  // the first 60 HTTP and DNS captures of suricata-verify (malformed ones among them: the mark
  // sits where tshark catches the exception; plain HTTP in a CONNECT tunnel to port 443)
  const files = treeCaptures();
  it(`the same output (${files.length} captures, ${keyed.length} with their key logs)`, () => {
    for (const f of files) {
      const t = tsharkText(["-n", "-r", f, "-T", "pdml"]);
      expect(normal(runCli(["-r", f, "-T", "pdml"]).stdout), f).toBe(normal(t));
    }
    for (const [f, k] of keyed) {
      const o = ["-o", `tls.keylog_file:${k}`];
      const t = tsharkText(["-n", "-r", f, ...o, "-T", "pdml"]);
      expect(t, f).toContain('<proto name="http'); // decrypted: http or http2
      expect(normal(runCli(["-r", f, ...o, "-T", "pdml"]).stdout), `${f} with keys`).toBe(normal(t));
    }
  }, 600_000);
});
