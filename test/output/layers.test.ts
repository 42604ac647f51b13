/**
 * --layers (layersOf / layersView) and -z layers: the numbers are checked against the
 * dissectors' own length fields and the OpenVPN wire layouts (including decrypted
 * tunnels: keys from the fixtures' OpenVPN logs); the layout only where it is ours.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { readCaptureSync } from "../../src/capture/reader.js";
import { Dissector, type Dissection } from "../../src/core/dissect.js";
import { fieldByAbbrev } from "../../src/core/field.js";
import { protocolByAbbrev } from "../../src/core/proto.js";
import { PacketInfo } from "../../src/core/pinfo.js";
import { Session } from "../../src/core/session.js";
import { Tree, type Item } from "../../src/core/tree.js";
import { Tvb } from "../../src/core/tvb.js";
import { keylogFromLogs } from "../../src/openvpn/fromlog.js";
import { formatKeyLog } from "../../src/openvpn/keylog.js";
import { PLAIN } from "../../src/output/color.js";
import { layersOf, layersView, LayersCollector, tunnelCost, type Layer } from "../../src/output/layers.js";
import { makeStats } from "../../src/output/stats/index.js";
import { FIXTURES } from "../helpers/tshark.js";

const OVPN = join(FIXTURES, "openvpn");
const TUNNELS = ["tls-udp", "tls-tcp", "static-udp", "p2p-cbc", "tls-crypt", "data-v1"].filter((s) => existsSync(join(OVPN, `${s}.pcap`)));
const FILES = ["http.pcapng", "dns.pcap", "vlan.pcap", "qinq.pcap", "tcp-analysis.pcap", "ipv6.pcapng", "sll.pcap", "ping-frag.pcap", "openvpn/tls-udp.pcap", "openvpn/tls-tcp.pcap"]
  .map((n) => join(FIXTURES, n))
  .filter(existsSync);

let dir = "";
const keylogs = new Map<string, string>();

beforeAll(() => {
  if (TUNNELS.length === 0) return;
  dir = mkdtempSync(join(tmpdir(), "nestcap-layers-"));
  for (const s of TUNNELS) {
    const r = keylogFromLogs(["client", "server"].map((w) => ({ name: w, text: readFileSync(join(OVPN, `${s}-${w}.log`), "utf8") })));
    const p = join(dir, `${s}.keylog`);
    writeFileSync(p, formatKeyLog(r.entries));
    keylogs.set(s, p);
  }
});

afterAll(() => {
  if (dir !== "") rmSync(dir, { recursive: true, force: true });
});

const WANTED = ["ip.hdr_len", "tcp.hdr_len", "udp.length", "ipv6.plen"];

function* dissectAll(file: string, keylog?: string): Generator<Dissection> {
  const wanted = WANTED.map((a) => fieldByAbbrev(a)!).filter(Boolean);
  const d = new Dissector({ tree: true, wanted }, new Session(keylog !== undefined ? { prefs: { "openvpn.keylog": keylog } } : {}));
  for (const fr of readCaptureSync(file).frames) yield d.dissect(fr);
}

/** The structural rules every layer list keeps (used on fixtures and on fuzzed packets). */
function checkInvariants(ls: Layer[], caplen: number, where: string): void {
  if (ls.length === 0) return;
  expect(ls[0].header + ls[0].payload, where).toBe(caplen);
  for (let i = 0; i < ls.length; i++) {
    const l = ls[i];
    expect(l.header, where).toBeGreaterThanOrEqual(0);
    expect(l.payload, where).toBeGreaterThanOrEqual(0);
    expect(l.header + l.payload, where).toBe(l.end - l.start);
    expect(l.end, where).toBeLessThanOrEqual(l.ds.data.length);
    if (l.parent >= 0) {
      expect(l.parent, where).toBeLessThan(i);
      expect(l.depth, where).toBe(ls[l.parent].depth + 1);
    } else expect(l.depth).toBe(0);
    const kids = ls.filter((c) => c.parent === i);
    expect(l.last, where).toBe(kids.length === 0);
    const same = kids.filter((c) => c.ds === l.ds);
    if (same.length > 0 && l.tunnel === null) {
      // the first layer inside starts right after this header; the ones inside fit in this payload
      expect(same[0].start, where).toBe(l.start + l.header);
      expect(same.reduce((n, c) => n + c.end - c.start, 0), where).toBeLessThanOrEqual(l.payload);
    }
    const t = l.tunnel;
    if (t !== null) {
      expect(t.framing + t.header + t.parts.filter((p) => p.kind === "crypto").reduce((n, p) => n + p.len, 0) + (t.cipherEnd - t.cipherStart), where).toBe(l.end - l.start);
      expect(l.payload, where).toBe(t.cipherEnd - t.cipherStart);
      if (t.plain !== null) {
        expect(t.innerHeader + t.plain.data.length + t.padding, where).toBe(l.payload);
        if (t.cipher !== null && /CBC/.test(t.cipher)) {
          expect(t.padding, where).toBeGreaterThanOrEqual(1);
          expect(t.padding, where).toBeLessThanOrEqual(16);
          expect(l.payload % 16, where).toBe(0);
        } else {
          expect(t.padding + t.innerHeader, where).toBe(0);
        }
      }
    }
  }
}

describe.skipIf(FILES.length === 0)("layersOf on the fixtures", () => {
  test("header sizes equal the protocols' own length fields; sizes add up", () => {
    const ipHdr = fieldByAbbrev("ip.hdr_len")!, tcpHdr = fieldByAbbrev("tcp.hdr_len")!;
    let checked = 0, ipChecked = 0, tcpChecked = 0, udpChecked = 0;
    for (const file of FILES) {
      for (const d of dissectAll(file)) {
        const ls = layersOf(d);
        if (ls.length === 0) continue;
        const where = `frame ${d.frame.num} of ${file}`;
        checkInvariants(ls, d.frame.caplen, where);
        const ip = d.tree.get(ipHdr), tcp = d.tree.get(tcpHdr);
        let nIp = 0, nTcp = 0;
        for (const l of ls) {
          if (l.abbrev === "ip" && nIp < ip.length && !l.last) {
            const h = ip[nIp] as number;
            if (l.end - l.start >= h) {
              expect(l.header, `ip header, ${where}`).toBe(h);
              ipChecked++;
            }
          }
          if (l.abbrev === "ip") nIp++;
          if (l.abbrev === "tcp" && nTcp < tcp.length && (!l.last || l.payload > 0 || l.end - l.start === tcp[nTcp])) {
            expect(l.header, `tcp header, ${where}`).toBe(tcp[nTcp] as number);
            tcpChecked++;
          }
          if (l.abbrev === "tcp") nTcp++;
          if (l.abbrev === "udp") {
            expect(l.header).toBe(8);
            udpChecked++;
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
        expect(line.indexOf("└─ ")).toBe(3 * l.depth);
        expect(line).toContain(`[${l.start}..${l.end})`);
        if (l.last && l.payload === 0) expect(line).toMatch(new RegExp(`${l.end - l.start} bytes$`));
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

describe("decrypted TLS (fixtures/https.pcapng with its key log)", () => {
  test("a TLS layer's payload is its records' ciphertext, its header their 5-byte record headers", () => {
    const file = join(FIXTURES, "https.pcapng");
    if (!existsSync(file)) return;
    const d = new Dissector({ tree: true }, new Session({ prefs: { "tls.keylog_file": join(FIXTURES, "https.keys") } }));
    const recLen = fieldByAbbrev("tls.record.length")!;
    let seen = 0;
    for (const fr of readCaptureSync(file).frames) {
      const x = d.dissect(fr);
      const ls = layersOf(x);
      checkInvariants(ls, fr.caplen, `https frame ${fr.num}`);
      const t = ls.findIndex((l) => l.abbrev === "tls");
      if (t < 0 || !ls.some((l) => l.parent === t && l.newSource && l.name === "HTTP")) continue;
      // only application-data records here: every record is 5 header bytes and its length of ciphertext
      const lens: number[] = [];
      const walkLens = (it: Item): void => {
        for (const c of it.children ?? []) {
          if (c.field === recLen) lens.push(c.value as number);
          walkLens(c);
        }
      };
      walkLens(x.tree.root);
      expect(ls[t].header, `frame ${fr.num}`).toBe(5 * lens.length);
      expect(ls[t].payload, `frame ${fr.num}`).toBe(lens.reduce((a, b) => a + b, 0));
      seen++;
    }
    expect(seen).toBeGreaterThanOrEqual(2);
  });
});

/** Inner IPv4 packet lengths of the tun capture, in order. */
function tunLengths(s: string): number[] {
  return readCaptureSync(join(OVPN, `${s}-tun.pcap`)).frames.map((f) => (f.data[2] << 8) | f.data[3]);
}

/** OpenVPN ciphertext length for an inner packet of L bytes. */
function cipherLen(s: string, L: number): number {
  if (s === "static-udp") return 16 * Math.floor((8 + L) / 16) + 16; // CBC(packet-id ‖ net time ‖ L), PKCS#7
  if (s === "p2p-cbc" || s === "data-v1") return 16 * Math.floor((4 + L) / 16) + 16; // CBC(packet-id ‖ L)
  return L; // AEAD: the ciphertext is as long as the plaintext
}

describe.skipIf(TUNNELS.length === 0)("through a decrypted OpenVPN tunnel", () => {
  test.each(TUNNELS)("%s: every data packet nests IP inside OpenVPN; its sizes follow the wire layout", (s) => {
    const file = join(OVPN, `${s}.pcap`);
    const tun = tunLengths(s);
    const udpLen = fieldByAbbrev("udp.length")!;
    const innerLens: number[] = [];
    let tunnels = 0, decrypted = 0;
    for (const d of dissectAll(file, keylogs.get(s))) {
      const ls = layersOf(d);
      const where = `${s} frame ${d.frame.num}`;
      checkInvariants(ls, d.frame.caplen, where);
      for (let i = 0; i < ls.length; i++) {
        const l = ls[i];
        if (l.tunnel === null || l.tunnelled) continue;
        tunnels++;
        const t = l.tunnel;
        const overUdp = ls[l.parent].abbrev === "udp";
        if (overUdp) expect(l.end - l.start, where).toBe((d.tree.get(udpLen)[0] as number) - 8);
        expect(t.framing, where).toBe(overUdp ? 0 : 2);
        // opcode/key-id (+ peer-id 3 for P_DATA_V2, opcode 9), read from the record's first byte; none in static-key mode
        const op = l.ds.data[l.start + t.framing] >> 3;
        expect(t.header, where).toBe(s === "static-udp" ? 0 : op === 9 ? 4 : 1);
        if (t.plain === null) continue;
        decrypted++;
        const inner = ls.find((c) => c.parent === i);
        if (inner === undefined || inner.abbrev !== "ip") continue; // OCC / keepalive ping: not IP
        const L = inner.end - inner.start;
        innerLens.push(L);
        expect(inner.start, where).toBe(0);
        expect(inner.newSource, where).toBe(true);
        expect(inner.tunnelled, where).toBe(true);
        expect(L, where).toBe(t.plain.data.length);
        expect(l.payload, where).toBe(cipherLen(s, L));
        // crypto in clear: AEAD packet-id 4 + tag 16; CBC HMAC-SHA256 32 + IV 16
        expect(t.cryptoClear, where).toBe(/GCM|CHACHA/.test(t.cipher!) ? 20 : 48);
        // what is inside the ciphertext and not the packet: CBC's packet-id (+ static-key net time)
        expect(t.innerHeader, where).toBe(s === "static-udp" ? 8 : /CBC/.test(t.cipher!) ? 4 : 0);
        const c = tunnelCost(ls, d.frame.len);
        if (c !== null && c.packets === 1) {
          expect(c.inner, where).toBe(L);
          expect(c.outer + c.ovpnHeader + c.crypto + c.inner, where).toBe(d.frame.len);
          expect(c.outer, where).toBe(l.start + (d.frame.len - l.end));
        }
      }
    }
    console.log(`${s}: ${tunnels} OpenVPN data packets, ${decrypted} decrypted, ${innerLens.length} inner IP packets`);
    expect(decrypted).toBeGreaterThan(10);
    // the inner packets are those of the tun capture (same lengths, as a multiset)
    expect([...innerLens].sort((a, b) => a - b)).toEqual([...tun].sort((a, b) => a - b));
  });

  test("layout of a decrypted packet (normalised numbers; the layout is ours)", () => {
    if (!keylogs.has("tls-udp")) return;
    for (const d of dissectAll(join(OVPN, "tls-udp.pcap"), keylogs.get("tls-udp"))) {
      if (!layersOf(d).some((l) => l.abbrev === "http")) continue;
      const v = layersView(d, PLAIN).replace(/\d+/g, "#").replace(/ +/g, " ");
      expect(v).toBe(
        [
          "Frame #: # bytes",
          "└─ Ethernet II [#..#) header # payload #",
          " └─ IPv# [#..#) header # payload #",
          " └─ UDP [#..#) header # payload #",
          " └─ OpenVPN [#..#) header # payload #",
          " opcode/key-id [#..#) # byte OpenVPN header",
          " peer-id [#..#) # bytes OpenVPN header",
          " packet-id [#..#) # bytes crypto",
          " AEAD tag [#..#) # bytes crypto",
          " ciphertext [#..#) # bytes the inner packet, encrypted",
          " ⇣ decrypted with AES-#-GCM, key-id #: frame bytes #–# → decrypted bytes #–# of #",
          " (the byte ranges below count in these # decrypted bytes, not in the frame)",
          " └─ IPv# [#..#) header # payload #",
          " └─ TCP [#..#) header # payload #",
          " └─ HTTP [#..#) # bytes",
          "Tunnel: the #-byte inner packet travels in # bytes on the wire: +# bytes (+#.#%) = outer headers # (Ethernet II # + IPv# # + UDP #) + OpenVPN header # + crypto # (packet-id # + AEAD tag #)",
          "",
        ].join("\n"),
      );
      return;
    }
    throw new Error("no HTTP packet in tls-udp.pcap");
  });

  test("without keys: the OpenVPN payload is an encrypted payload, nothing nests inside", () => {
    const file = join(OVPN, "p2p-cbc.pcap");
    if (!existsSync(file)) return;
    let n = 0;
    for (const d of dissectAll(file)) {
      const ls = layersOf(d);
      const o = ls.find((l) => l.tunnel !== null);
      if (o === undefined) continue;
      n++;
      expect(o.last).toBe(true);
      expect(o.tunnel!.plain).toBeNull();
      expect(o.header).toBe(4); // opcode/key-id + peer-id
      expect(o.payload).toBe(o.end - o.start - 4);
      expect(layersView(d, PLAIN)).toMatch(new RegExp(`encrypted payload\\s+\\[${o.start + 4}\\.\\.${o.end}\\)\\s+${o.payload} bytes`));
      expect(tunnelCost(ls, d.frame.len)).toBeNull();
    }
    expect(n).toBeGreaterThan(10);
  });
});

describe("hand-built trees", () => {
  const p = (a: string) => protocolByAbbrev(a)!.hf;
  function dissection(tree: Tree, bytes: Uint8Array): Dissection {
    const frame = { num: 7, tsSec: 0, tsNsec: 0, caplen: bytes.length, len: bytes.length, data: bytes, linkType: 1, interfaceId: 0 };
    return { frame, tree, pinfo: new PacketInfo(frame, new Session(), false) };
  }

  test("a decrypted data source at the top level: ⇣ and the new source's name", () => {
    const frameBytes = new Uint8Array(100);
    const dec = new Uint8Array(40);
    const ft = new Tvb({ name: "Frame (100 bytes)", data: frameBytes });
    const dt = new Tvb({ name: "Decrypted OpenVPN data (40 bytes)", data: dec });
    const tree = new Tree(true, null);
    tree.root.add(p("frame"), ft, 0, 100, null);
    tree.root.add(p("eth"), ft, 0, 14, null);
    tree.root.add(p("ip"), ft, 14, 20, null);
    tree.root.add(p("udp"), ft, 34, 8, null);
    tree.root.add(p("openvpn"), ft, 42, 58, null);
    tree.root.add(p("ip"), dt, 0, 20, null);
    tree.root.add(p("icmp"), dt, 20, 20, null);
    const d = dissection(tree, frameBytes);
    const ls = layersOf(d);
    expect(ls.map((l) => `${l.abbrev} ${l.header}/${l.payload}`)).toEqual(["eth 14/86", "ip 20/66", "udp 8/58", "openvpn 58/0", "ip 20/20", "icmp 20/0"]);
    expect(ls[5].last).toBe(true);
    expect(ls.map((l) => l.newSource)).toEqual([false, false, false, false, true, false]);
    const view = layersView(d, PLAIN);
    expect(view).toContain("⇣ Decrypted OpenVPN data (40 bytes)");
    const lines = view.trimEnd().split("\n");
    expect(lines.findIndex((l) => l.includes("⇣"))).toBe(5); // after frame, eth, ip, udp, openvpn
    expect(lines[lines.length - 1]).toMatch(/20 bytes$/);
  });

  test("QinQ: a second VLAN tag right after the first is nested, not a sibling", () => {
    const b = new Uint8Array(60);
    const ft = new Tvb({ name: "Frame", data: b });
    const tree = new Tree(true, null);
    tree.root.add(p("eth"), ft, 0, 14, null);
    tree.root.add(p("vlan"), ft, 14, 4, null);
    tree.root.add(p("vlan"), ft, 18, 4, null);
    tree.root.add(p("ip"), ft, 22, 38, null);
    const ls = layersOf(dissection(tree, b));
    expect(ls.map((l) => l.depth)).toEqual([0, 1, 2, 3]);
    expect(ls.map((l) => `${l.header}/${l.payload}`)).toEqual(["14/46", "4/42", "4/38", "38/0"]);
  });

  test("two OpenVPN records in one TCP segment are siblings, each with its own decrypted doll", () => {
    const b = new Uint8Array(66 + 2 * 30);
    const ft = new Tvb({ name: "Frame", data: b });
    const tree = new Tree(true, null);
    tree.root.add(p("eth"), ft, 0, 14, null);
    tree.root.add(p("ip"), ft, 14, 112, null);
    tree.root.add(p("tcp"), ft, 34, 32, null);
    for (const at of [66, 96]) {
      const o = tree.root.add(p("openvpn"), ft, at, 30, null);
      const dec = new Tvb({ name: "Decrypted OpenVPN data (4 bytes)", data: new Uint8Array(4) });
      o.add(p("data"), dec, 0, 4, null);
    }
    const ls = layersOf(dissection(tree, b));
    expect(ls.map((l) => `${l.abbrev}@${l.depth}`)).toEqual(["eth@0", "ip@1", "tcp@2", "openvpn@3", "data@4", "openvpn@3", "data@4"]);
    expect(ls[3].end).toBe(96);
    expect(ls[5].start).toBe(96);
    expect(ls[2].payload).toBe(60);
  });

  test("an empty tree, an item-less protocol and odd OpenVPN fields don't throw", () => {
    const b = new Uint8Array(10);
    const ft = new Tvb({ name: "Frame", data: b });
    const tree = new Tree(true, null);
    expect(layersOf(dissection(tree, b))).toEqual([]);
    expect(layersView(dissection(tree, b), PLAIN)).toBe("Frame 7: 10 bytes\n");
    const o = tree.root.add(p("openvpn"), ft, 0, 10, null);
    o.add(protocolByAbbrev("openvpn")!.hf, ft, 0, 0, null);
    o.add(fieldByAbbrev("openvpn.opcode")!, ft, 0, 1, 9);
    o.add(fieldByAbbrev("openvpn.data.tag")!, ft, 5, 16, null); // past the end
    const ls = layersOf(dissection(tree, b));
    expect(ls.length).toBe(1);
    expect(() => layersView(dissection(tree, b), PLAIN)).not.toThrow();
  });
});

describe("fuzz", () => {
  test("mutated and cut tunnel frames (with keys) through layersOf, layersView and -z layers never throw", () => {
    const base: { data: Uint8Array; s: string }[] = [];
    for (const s of TUNNELS) for (const fr of readCaptureSync(join(OVPN, `${s}.pcap`)).frames) base.push({ data: fr.data, s });
    if (base.length === 0) base.push({ data: new Uint8Array(60), s: "" });
    const sessions = new Map<string, Dissector>();
    const dis = (s: string): Dissector => {
      let d = sessions.get(s);
      if (d === undefined) sessions.set(s, (d = new Dissector({ tree: true }, new Session(keylogs.has(s) ? { prefs: { "openvpn.keylog": keylogs.get(s)! } } : {}))));
      return d;
    };
    const c = new LayersCollector();
    let n = 0;
    fc.assert(
      fc.property(
        fc.nat(base.length - 1),
        fc.array(fc.tuple(fc.nat(2000), fc.nat(255)), { maxLength: 6 }),
        fc.option(fc.nat(1500), { nil: undefined }),
        (i, muts, cut) => {
          const b = base[i];
          const data = Uint8Array.from(b.data);
          for (const [at, v] of muts) data[at % data.length] = v;
          const bytes = cut !== undefined ? data.subarray(0, Math.min(cut, data.length)) : data;
          const r = dis(b.s).dissect({ num: ++n, tsSec: 1000 + n, tsNsec: 0, caplen: bytes.length, len: data.length, data: bytes, linkType: 1, interfaceId: 0 });
          const ls = layersOf(r);
          for (const l of ls) {
            expect(l.header).toBeGreaterThanOrEqual(0);
            expect(l.payload).toBeGreaterThanOrEqual(0);
          }
          expect(layersView(r, PLAIN).startsWith(`Frame ${n}:`)).toBe(true);
          c.add(r);
        },
      ),
      { numRuns: 600, seed: 4242 },
    );
    for (const f of ["table", "csv", "json"] as const) expect(c.render(f, PLAIN).length).toBeGreaterThan(0);
  });
});

describe("-z layers", () => {
  test("per-protocol averages and the encrypted-tunnel summary (no keys)", () => {
    const file = join(OVPN, "tls-udp.pcap");
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
    const per = Object.fromEntries(c.perProtocol().filter((p) => !p.tunnelled).map((p) => [p.abbrev, p]));
    expect(per.eth.avgHeader).toBe(14);
    expect(per.ip.avgHeader).toBe(20);
    expect(per.udp.avgHeader).toBe(8);
    expect(c.tunnelFrames).toBeGreaterThan(0);
    expect(c.decPackets).toBe(0);
    expect(c.encrypted).toBe(tunLengths("tls-udp").length); // every data packet carries one tun packet here
    expect(c.tunnelOverhead / c.tunnelFrames).toBeGreaterThanOrEqual(14 + 20 + 8 + 1);
    const table = c.render("table", PLAIN);
    expect(table).toMatch(/OpenVPN data packets not decrypted/);
    expect(table).not.toMatch(/the tunnel adds/);
    const json = JSON.parse(c.render("json", PLAIN));
    expect(json.sections[0].rows.find((r: { protocol: string }) => r.protocol === "IPv4").avg_header_bytes).toBe("20.0");
  });

  test.each(TUNNELS.filter((s) => s !== "tls-crypt" && s !== "data-v1"))("%s with keys: the tunnel adds wire − inner bytes per packet, split by source", (s) => {
    const c = new LayersCollector();
    const d = new Dissector({ tree: true }, new Session({ prefs: { "openvpn.keylog": keylogs.get(s)! } }));
    const frames = readCaptureSync(join(OVPN, `${s}.pcap`)).frames;
    for (const fr of frames) c.add(d.dissect(fr));
    // independently: over UDP every data packet is one frame holding one tun packet
    const tun = tunLengths(s);
    if (s !== "tls-tcp") {
      expect(c.decPackets).toBe(tun.length);
      const inner = tun.reduce((a, b) => a + b, 0);
      expect(c.decInner).toBe(inner);
      // outer headers: Ethernet 14 + IPv4 20 + UDP 8; OpenVPN header: opcode/key-id + peer-id (none in static-key mode)
      const hdr = s === "static-udp" ? 0 : 4;
      const crypto = tun.reduce((a, L) => a + cipherLen(s, L) - L + (/cbc|static/.test(s) ? 48 : 20), 0);
      expect(c.decOuter).toBe(42 * tun.length);
      expect(c.decOvpnHeader).toBe(hdr * tun.length);
      expect(c.decCrypto).toBe(crypto);
      expect(c.decWire).toBe(inner + 42 * tun.length + hdr * tun.length + crypto);
    } else {
      expect(c.decPackets).toBeGreaterThan(10);
      expect(c.decOuter / c.decFrames).toBe(14 + 20 + 32); // tcp with timestamps
      expect(c.decOvpnHeader).toBe(6 * c.decPackets); // length 2 + opcode/key-id 1 + peer-id 3
      expect(c.decCrypto).toBe(20 * c.decPackets);
    }
    const ts = c.tunnelSummary()!;
    const out = c.render("table", PLAIN);
    expect(out).toContain(`the tunnel adds ${ts.perPacket.toFixed(1)} bytes per packet (${(100 * ts.ofInner).toFixed(1)}% on top of the inner IP packets`);
    expect(ts.perPacket).toBeCloseTo(ts.outer + ts.ovpnHeader + ts.crypto, 9);
    expect(out).toMatch(/Crypto overhead/);
    console.log(`${s}: ${out.split("\n")[2]}`);
  });
});
