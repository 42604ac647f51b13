/**
 * -T psml and -T tabs: tshark's packet summary in XML and its tab-separated summary lines,
 * equal to tshark's (PSML's creator attribute aside: nestcap names itself) on the fixtures
 * and on corpus captures whose Info holds characters XML escapes (& ' < > "; skipped when
 * ../shared is absent).
 */
import { describe, expect, it } from "vitest";
import { corpus, fixtures, haveTshark, runCli, tsharkText } from "../helpers/tshark.js";

const CREATOR = /creator="wireshark\/[^"]*"/;

describe("-T psml / -T tabs", () => {
  it("PSML: the structure of column titles, then one <packet> of sections per packet", () => {
    const r = runCli(["-r", "fixtures/dns.pcap", "-T", "psml", "-c", "2"]);
    expect(r.status).toBe(0);
    expect(r.stdout.startsWith('<?xml version="1.0" encoding="utf-8"?>\n<psml version="0" creator="nestcap">\n<structure>\n<section>No.</section>')).toBe(true);
    expect(r.stdout.match(/<packet>/g)).toHaveLength(2);
    expect(r.stdout.endsWith("</packet>\n\n</psml>\n")).toBe(true);
  });
  it("tabs: the summary's padded columns with a tab between each", () => {
    const line = runCli(["-r", "fixtures/dns.pcap", "-T", "tabs", "-c", "1"]).stdout.split("\n")[0];
    expect(line.split("\t")).toHaveLength(8);
    expect(line.split("\t")[3]).toBe("\u2192");
  });
  it("a bad -T: one line, exit 1", () => {
    const r = runCli(["-r", "fixtures/dns.pcap", "-T", "pdml2"]);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });
});

describe.skipIf(!haveTshark())("-T psml / -T tabs vs tshark", () => {
  const files = [
    ...fixtures((n) => /\.pcap(ng)?$/.test(n) && !n.startsWith("openvpn")),
    ...corpus("suricata-verify", (n) => /^http-(uri-spaces|request-header|multiple-cl|brotli-ce|missing-protocol)__/.test(n)),
  ];
  it(`the same output (${files.length} captures)`, () => {
    let escaped = 0;
    for (const f of files) {
      const t = tsharkText(["-n", "-r", f, "-T", "psml"]).replace(CREATOR, 'creator="nestcap"');
      expect(runCli(["-r", f, "-T", "psml"]).stdout, f).toBe(t);
      if (/&(amp|lt|gt|quot|#x27);/.test(t)) escaped++;
      expect(runCli(["-r", f, "-T", "tabs"]).stdout, f).toBe(tsharkText(["-n", "-r", f, "-T", "tabs"]));
    }
    if (files.length > 15) expect(escaped).toBeGreaterThan(0);
  }, 300_000);
});
