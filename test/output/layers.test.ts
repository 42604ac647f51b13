/** --layers (layersView) and -z layers: numbers checked against the dissectors' own length fields. */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { readCaptureSync } from "../../src/capture/reader.js";
import { Dissector, type Dissection } from "../../src/core/dissect.js";
import { fieldByAbbrev } from "../../src/core/field.js";
import { protocolByAbbrev } from "../../src/core/proto.js";
import { PacketInfo } from "../../src/core/pinfo.js";
import { Session } from "../../src/core/session.js";
import { Tree } from "../../src/core/tree.js";
import { Tvb } from "../../src/core/tvb.js";
import { PLAIN } from "../../src/output/color.js";
import { layersOf, layersView, LayersCollector } from "../../src/output/layers.js";
import { makeStats } from "../../src/output/stats/index.js";
import { FIXTURES } from "../helpers/tshark.js";

const FILES = ["http.pcapng", "dns.pcap", "vlan.pcap", "qinq.pcap", "tcp-analysis.pcap", "ipv6.pcapng", "sll.pcap", "ping-frag.pcap", "openvpn/tls-udp.pcap", "openvpn/tls-tcp.pcap"]
  .map((n) => join(FIXTURES, n))
  .filter(existsSync);

function* dissectAll(file: string): Generator<Dissection> {
  const wanted = ["ip.hdr_len", "tcp.hdr_len", "udp.length", "ipv6.plen"].map((a) => fieldByAbbrev(a)!).filter(Boolean);
  const d = new Dissector({ tree: true, wanted });
  for (const fr of readCaptureSync(file).frames) yield d.dissect(fr);
}

describe.skipIf(FILES.length === 0)("layersOf on the fixtures", () => {
  test("header sizes equal the protocols' own length fields; sizes add up", () => {
    const ipHdr = fieldByAbbrev("ip.hdr_len")!, tcpHdr = fieldByAbbrev("tcp.hdr_len")!;
    let checked = 0, ipChecked = 0, tcpChecked = 0, udpChecked = 0;
    for (const file of FILES) {
      for (const d of dissectAll(file)) {
        const ls = layersOf(d);
        if (ls.length === 0) continue;
        const ip = d.tree.get(ipHdr), tcp = d.tree.get(tcpHdr);
        let nIp = 0, nTcp = 0;
        // the outermost layer spans the captured frame: header + payload = captured length
        expect(ls[0].header + ls[0].payload, `frame ${d.frame.num} of ${file}`).toBe(d.frame.caplen);
        for (let i = 0; i < ls.length; i++) {
          const l = ls[i], next = ls[i + 1];
          expect(l.header).toBeGreaterThanOrEqual(0);
          expect(l.payload).toBeGreaterThanOrEqual(0);
          if (l.abbrev === "ip" && nIp < ip.length && !l.last) {
            const h = ip[nIp] as number;
            if (l.end - l.start >= h) {
              expect(l.header, `ip header, frame ${d.frame.num} of ${file}`).toBe(h);
              ipChecked++;
            }
          }
          if (l.abbrev === "ip") nIp++;
          if (l.abbrev === "tcp" && nTcp < tcp.length && !l.last) {
            expect(l.header, `tcp header, frame ${d.frame.num} of ${file}`).toBe(tcp[nTcp] as number);
            tcpChecked++;
          }
          if (l.abbrev === "tcp") nTcp++;
          if (l.abbrev === "udp" && !l.last) {
            expect(l.header).toBe(8);
            udpChecked++;
          }
          if (next && next.ds === l.ds) {
            // the next layer starts right after this header and fits in this payload
            expect(next.start).toBe(l.start + l.header);
            expect(next.end - next.start).toBeLessThanOrEqual(l.payload);
          }
          checked++;
        }
      }
    }
    console.log(`layers: ${checked} layers checked; ${ipChecked} IPv4, ${tcpChecked} TCP, ${udpChecked} UDP headers equal their length fields`);
    expect(ipChecked).toBeGreaterThan(100);
    expect(tcpChecked).toBeGreaterThan(100);
    expect(udpChecked).toBeGreaterThan(10);
  });

  test("layout: a nested ruler, one line per layer, indented one step per level", () => {
    const file = join(FIXTURES, "http.pcapng");
    if (!existsSync(file)) return;
    let n = 0;
    for (const d of dissectAll(file)) {
      const ls = layersOf(d);
      const lines = layersView(d, PLAIN).trimEnd().split("\n");
      expect(lines[0]).toBe(`Frame ${d.frame.num}: ${d.frame.len} bytes`);
      const layerLines = lines.slice(1).filter((l) => l.includes("└─"));
      expect(layerLines.length).toBe(ls.length);
      layerLines.forEach((line, i) => {
        const l = ls[i];
        expect(line.indexOf("└─ ")).toBe(3 * i);
        expect(line).toContain(`[${l.start}..${l.end})`);
        if (l.last) expect(line).toMatch(new RegExp(`${l.end - l.start} bytes$`));
        else expect(line).toMatch(new RegExp(`header ${l.header}\\s+payload ${l.payload}$`));
        // columns line up: the ranges start at the same column on every line
        expect(line.indexOf("[")).toBe(layerLines[0].indexOf("["));
      });
      n++;
    }
    expect(n).toBeGreaterThan(100);
  });

  test("a reassembled source is shown as a switch", () => {
    const file = join(FIXTURES, "ping-frag.pcap");
    if (!existsSync(file)) return;
    let seen = 0;
    for (const d of dissectAll(file)) {
      const ls = layersOf(d);
      const sw = ls.findIndex((l) => l.newSource);
      if (sw < 0) continue;
      seen++;
      const view = layersView(d, PLAIN);
      expect(view).toMatch(/⇣ Reassembled IPv4 \(\d+ bytes\)/);
      expect(ls[sw].end - ls[sw].start).toBe(ls[sw].ds.data.length);
    }
    expect(seen).toBeGreaterThan(0);
  });
});

describe("hand-built trees", () => {
  test("a decrypted data source: ⇣ decrypted (N bytes)", () => {
    const frameBytes = new Uint8Array(100);
    const dec = new Uint8Array(40);
    const ft = new Tvb({ name: "Frame (100 bytes)", data: frameBytes });
    const dt = new Tvb({ name: "Decrypted OpenVPN (40 bytes)", data: dec });
    const tree = new Tree(true, null);
    const p = (a: string) => protocolByAbbrev(a)!.hf;
    tree.root.add(p("frame"), ft, 0, 100, null);
    tree.root.add(p("eth"), ft, 0, 14, null);
    tree.root.add(p("ip"), ft, 14, 20, null);
    tree.root.add(p("udp"), ft, 34, 8, null);
    tree.root.add(p("openvpn"), ft, 42, 58, null);
    tree.root.add(p("ip"), dt, 0, 20, null);
    tree.root.add(p("icmp"), dt, 20, 20, null);
    const frame = { num: 7, tsSec: 0, tsNsec: 0, caplen: 100, len: 100, data: frameBytes, linkType: 1, interfaceId: 0 };
    const d: Dissection = { frame, tree, pinfo: new PacketInfo(frame, new Session(), false) };
    const ls = layersOf(d);
    expect(ls.map((l) => `${l.abbrev} ${l.header}/${l.payload}`)).toEqual(["eth 14/86", "ip 20/66", "udp 8/58", "openvpn 58/0", "ip 20/20", "icmp 20/0"]); // the innermost layer: all of it is its own
    expect(ls[5].last).toBe(true);
    expect(ls.map((l) => l.newSource)).toEqual([false, false, false, false, true, false]);
    const view = layersView(d, PLAIN);
    expect(view).toContain("⇣ decrypted (40 bytes)");
    const lines = view.trimEnd().split("\n");
    expect(lines.findIndex((l) => l.includes("⇣"))).toBe(5); // after frame, eth, ip, udp, openvpn
    expect(lines[lines.length - 1]).toMatch(/20 bytes$/);
  });
});

describe("-z layers", () => {
  test("per-protocol averages and the tunnel summary", () => {
    const file = join(FIXTURES, "openvpn", "tls-udp.pcap");
    if (!existsSync(file)) return;
    const c = makeStats("layers") as LayersCollector;
    const d = new Dissector({ tree: true });
    let frames = 0, bytes = 0;
    for (const fr of readCaptureSync(file).frames) {
      c.add(d.dissect(fr));
      frames++;
      bytes += fr.len;
    }
    expect(c.frames).toBe(frames);
    expect(c.bytes).toBe(bytes);
    const per = Object.fromEntries(c.perProtocol().map((p) => [p.abbrev, p]));
    expect(per.eth.avgHeader).toBe(14);
    expect(per.ip.avgHeader).toBe(20);
    expect(per.udp.avgHeader).toBe(8);
    expect(c.tunnelFrames).toBeGreaterThan(0);
    // everything before the OpenVPN payload: at least eth+ip+udp+the opcode byte per packet
    expect(c.tunnelOverhead / c.tunnelFrames).toBeGreaterThanOrEqual(14 + 20 + 8 + 1);
    const table = c.render("table", PLAIN);
    expect(table).toMatch(/the OpenVPN tunnel adds [\d.]+ bytes per packet \([\d.]+%\)/);
    expect(table).toMatch(/IPv4/);
    const json = JSON.parse(c.render("json", PLAIN));
    expect(json.sections[0].rows.find((r: { protocol: string }) => r.protocol === "IPv4").avg_header_bytes).toBe("20.0");
  });
});
