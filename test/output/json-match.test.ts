/**
 * -T json with -j / -J (tshark's protocol match filters): a node with children is expanded
 * only when its name is listed (otherwise {"filtered": name}); -J writes everything under a
 * listed node. Equal to tshark's on the fixtures.
 */
import { describe, expect, it } from "vitest";
import { fixtures, haveTshark, runCli, tsharkText } from "../helpers/tshark.js";

describe("-T json -j/-J", () => {
  it("unlisted nodes with children are replaced by their name; leaves stay", () => {
    const r = runCli(["-r", "fixtures/dns.pcap", "-T", "json", "-j", "udp", "-Y", "dns", "-c", "3"]);
    expect(r.status).toBe(0);
    const frames = JSON.parse(r.stdout) as { _source: { layers: Record<string, Record<string, unknown>> } }[];
    const layers = frames[0]._source.layers;
    expect(layers.ip).toEqual({ filtered: "ip" });
    expect(layers.udp["udp.dstport"]).toBe("53");
    expect(layers.udp.Timestamps).toEqual({ filtered: "Timestamps" });
    const all = JSON.parse(runCli(["-r", "fixtures/dns.pcap", "-T", "json", "-J", "udp", "-Y", "dns", "-c", "3"]).stdout) as typeof frames;
    expect(Object.keys(all[0]._source.layers.udp.Timestamps as object)).toContain("udp.time_relative");
  });
});

describe.skipIf(!haveTshark())("-T json -j/-J vs tshark", () => {
  const sets: string[][] = [
    ["-j", "ip udp.srcport"], ["-J", "udp"], ["-j", "frame ip ip.flags dns dns.flags"], ["-J", "dns tcp"],
    ["-j", "tcp tcp.flags tcp.analysis http _ws.expert"], ["-J", "tls"],
  ];
  const files = fixtures((n) => ["dns.pcap", "http.pcapng", "https.pcapng", "ipv6.pcapng"].includes(n));
  it(`${sets.length} filters × ${files.length} fixtures`, () => {
    for (const f of files) for (const s of sets) expect(runCli(["-r", f, "-T", "json", ...s]).stdout, `${f} ${s.join(" ")}`).toBe(tsharkText(["-r", f, "-T", "json", ...s]));
  }, 120_000);
});
