/**
 * The nesting doll through a decrypted OpenVPN tunnel, end to end with the built CLI:
 *  - `nestcap keylog --from-openvpn-log` makes the key logs from fixtures/openvpn/S-{client,server}.log;
 *  - `--layers` of each decrypted packet is checked against numbers computed independently:
 *    the frame length and the outer headers from tshark (`frame.len`, `ip.hdr_len`, `udp.length`,
 *    `tcp.hdr_len`, `tcp.len`; tshark cannot decrypt, so these are the outer layers), the inner
 *    packet's length from the tun capture (fixtures/openvpn/S-tun.pcap, matched by IP id and
 *    source), and the OpenVPN wire layout (AEAD: packet-id 4 + tag 16; CBC: HMAC 32 + IV 16 +
 *    CBC(packet-id [+ net time] + packet + PKCS#7 padding));
 *  - `-z layers`: "the tunnel adds N bytes per packet" equals mean(frame.len − inner length);
 *  - filters and -T fields reach through the tunnel (outer,inner occurrences).
 */
import { mkdtempSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { FIXTURES, haveTshark, runCli, tsharkFields } from "../helpers/tshark.js";

const OVPN = join(FIXTURES, "openvpn");
const SCENARIOS = ["tls-udp", "tls-tcp", "static-udp", "p2p-cbc"].filter((s) => existsSync(join(OVPN, `${s}.pcap`)) && existsSync(join(OVPN, `${s}-tun.pcap`)));
const STATIC_KEY = join(OVPN, "keys", "static.key");

let dir = "";
const keylogs = new Map<string, string>();

beforeAll(() => {
  if (SCENARIOS.length === 0) return;
  dir = mkdtempSync(join(tmpdir(), "nestcap-tunnel-view-"));
  for (const s of [...SCENARIOS, ...(existsSync(join(OVPN, "tls-crypt.pcap")) ? ["tls-crypt"] : [])]) {
    const r = runCli(["keylog", "--from-openvpn-log", join(OVPN, `${s}-client.log`), join(OVPN, `${s}-server.log`)]);
    if (r.status !== 0) throw new Error(`keylog for ${s} failed: ${r.stderr}`);
    const p = join(dir, `${s}.keylog`);
    writeFileSync(p, r.stdout);
    keylogs.set(s, p);
  }
});

afterAll(() => {
  if (dir !== "") rmSync(dir, { recursive: true, force: true });
});

const cli = (s: string, args: string[]): string => {
  const r = runCli(["-r", join(OVPN, `${s}.pcap`), "--keylog", keylogs.get(s)!, ...args]);
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
};
const rows = (out: string): string[][] => out.split("\n").filter((l) => l !== "").map((l) => l.split("\t"));

/** Inner packet lengths of the tun capture by "src id" (tshark). */
function tunIndex(s: string): { len: Map<string, number>; all: string[][] } {
  const all = tsharkFields(join(OVPN, `${s}-tun.pcap`), ["ip.src", "ip.id", "ip.len", "icmp.type", "http.request.method", "tcp.dstport", "tcp.seq_raw", "tcp.ack_raw"]);
  const len = new Map<string, number>();
  // IP ids repeat (0 in SYN-ACKs): the raw TCP sequence and ack numbers tell such packets apart
  for (const r of all) len.set(`${r[0]} ${r[1]} ${r[6]} ${r[7]}`, Number(r[2]));
  return { len, all };
}

interface Row {
  name: string;
  depth: number;
  start: number;
  end: number;
  header: number;
  payload: number;
}

interface FrameView {
  num: number;
  layers: Row[];
  text: string;
  tunnelAdds: number | null;
}

/** Parse `--layers` output into frames and layer rows. */
function parseLayers(out: string): Map<number, FrameView> {
  const frames = new Map<number, FrameView>();
  let cur: FrameView | null = null;
  for (const line of out.split("\n")) {
    const f = /^Frame (\d+): (\d+) bytes/.exec(line);
    if (f !== null) {
      cur = { num: Number(f[1]), layers: [], text: line + "\n", tunnelAdds: null };
      frames.set(cur.num, cur);
      continue;
    }
    if (cur === null) continue;
    cur.text += line + "\n";
    const m = /^( *)└─ (.+?)\s+\[(\d+)\.\.(\d+)\)\s+(?:header (\d+)\s+payload (\d+)|(\d+) bytes)$/.exec(line);
    if (m !== null) {
      const [start, end] = [Number(m[3]), Number(m[4])];
      const header = m[5] !== undefined ? Number(m[5]) : end - start;
      cur.layers.push({ name: m[2], depth: m[1].length / 3, start, end, header, payload: m[6] !== undefined ? Number(m[6]) : 0 });
    }
    const t = /^Tunnel: .* \+(\d+) bytes/.exec(line);
    if (t !== null) cur.tunnelAdds = Number(t[1]);
  }
  return frames;
}

const AEAD = new Set(["tls-udp", "tls-tcp"]);

/** Ciphertext size for an inner packet of L bytes (see the header comment). */
function cipherLen(s: string, L: number): number {
  if (AEAD.has(s)) return L;
  const inner = s === "static-udp" ? 8 : 4;
  return 16 * Math.floor((inner + L) / 16) + 16;
}

describe.skipIf(SCENARIOS.length === 0 || !haveTshark())("--layers through a decrypted tunnel, against tshark and the tun capture", () => {
  test.each(SCENARIOS)("%s: byte counts of every decrypted packet", (s) => {
    const file = join(OVPN, `${s}.pcap`);
    const tcp = s === "tls-tcp";
    const outer = tsharkFields(file, ["frame.number", "frame.len", "ip.hdr_len", "udp.length", "tcp.hdr_len", "tcp.len"]);
    const tun = tunIndex(s);
    // which inner packet each frame holds (nestcap decrypts; the numbers to compare come from tshark and the tun capture)
    const inner = rows(cli(s, ["-T", "fields", "-e", "frame.number", "-e", "ip.src", "-e", "ip.id", "-e", "openvpn.plen", "-e", "tcp.seq_raw", "-e", "tcp.ack_raw"]));
    const views = parseLayers(cli(s, ["--layers"]));
    let checked = 0;
    const overheads: number[] = [];
    for (const r of inner) {
      const num = Number(r[0]);
      const srcs = r[1].split(","), ids = r[2].split(",");
      if (srcs.length !== 2) continue; // no inner packet, or several OpenVPN records in one TCP segment (checked below)
      if (tcp && r[3].split(",").length !== 1) continue;
      const last = (x: string): string => x.split(",").pop()!;
      const innerTcp = tcp ? r[4].split(",").length === 2 : r[4] !== "";
      const L = tun.len.get(`${srcs[1]} ${ids[1]} ${innerTcp ? last(r[4]) : ""} ${innerTcp ? last(r[5]) : ""}`);
      expect(L, `frame ${num}: inner ${srcs[1]} id ${ids[1]} is in the tun capture`).toBeDefined();
      const [, flen, iphl, udpLen, tcpHl, tcpLen] = outer[num - 1].map((x) => Number(x.split(",")[0]));
      const v = views.get(num)!;
      const where = `${s} frame ${num}\n${v.text}`;
      const names = v.layers.map((l) => `${l.name}@${l.depth}`);
      expect(names.slice(0, 6), where).toEqual(["Ethernet II@0", "IPv4@1", tcp ? "TCP@2" : "UDP@2", "OpenVPN@3", "IPv4@4", expect.stringMatching(/^(ICMP|TCP)@5$/)]);
      const [eth, ip, l4, ovpn, ip2] = v.layers;
      expect([eth.start, eth.end, eth.header, eth.payload], where).toEqual([0, flen, 14, flen - 14]);
      expect([ip.start, ip.header], where).toEqual([14, iphl]);
      const rec = tcp ? tcpLen : udpLen - 8; // the OpenVPN record (with its TCP length prefix)
      expect([l4.start, l4.header, l4.payload], where).toEqual([14 + iphl, tcp ? tcpHl : 8, rec]);
      expect([ovpn.start, ovpn.end], where).toEqual([14 + iphl + (tcp ? tcpHl : 8), flen]);
      expect(ovpn.payload, where).toBe(cipherLen(s, L!)); // the ciphertext
      expect(ovpn.header, where).toBe(rec - cipherLen(s, L!)); // everything before it: length prefix, opcode, peer-id, crypto fields
      const opHdr = (tcp ? 2 : 0) + (s === "static-udp" ? 0 : 4);
      expect(ovpn.header, where).toBe(opHdr + (AEAD.has(s) ? 4 + 16 : 32 + 16));
      // the inner packet: bytes 0..L of the decrypted data
      expect([ip2.start, ip2.end, ip2.header], where).toEqual([0, L, 20]);
      expect(v.text, where).toContain(`decrypted bytes 0–${L! - 1} of ${L}`);
      expect(v.text, where).toContain(`frame bytes ${flen - cipherLen(s, L!)}–${flen - 1}`);
      if (AEAD.has(s)) expect(v.text, where).toMatch(/packet-id\s+\[\d+\.\.\d+\)\s+4 bytes\s+crypto[\s\S]*AEAD tag\s+\[\d+\.\.\d+\)\s+16 bytes\s+crypto/);
      else expect(v.text, where).toMatch(/HMAC\s+\[\d+\.\.\d+\)\s+32 bytes\s+crypto[\s\S]*IV\s+\[\d+\.\.\d+\)\s+16 bytes\s+crypto/);
      if (!AEAD.has(s)) expect(v.text, where).toContain(`CBC padding ${cipherLen(s, L!) - L! - (s === "static-udp" ? 8 : 4)}`);
      expect(v.tunnelAdds, where).toBe(flen - L!);
      overheads.push(flen - L!);
      checked++;
    }
    console.log(`${s}: --layers of ${checked} decrypted packets agree with tshark's outer headers and the tun capture`);
    expect(checked).toBeGreaterThanOrEqual(s === "tls-tcp" ? 8 : tun.all.length);
  });

  test("tls-tcp: a segment with several OpenVPN records shows them side by side, each with its inner packet", () => {
    if (!SCENARIOS.includes("tls-tcp")) return;
    const inner = rows(cli("tls-tcp", ["-T", "fields", "-e", "frame.number", "-e", "openvpn.plen", "-e", "tcp.len", "-Y", "openvpn.decrypted"]));
    const multi = inner.filter((r) => r[1].split(",").length > 1);
    expect(multi.length).toBeGreaterThan(0);
    const views = parseLayers(cli("tls-tcp", ["--layers"]));
    for (const r of multi) {
      const plens = r[1].split(",").map(Number);
      const v = views.get(Number(r[0]))!;
      const recs = v.layers.filter((l) => l.name === "OpenVPN");
      expect(recs.map((l) => l.depth), v.text).toEqual(plens.map(() => 3));
      expect(recs.map((l) => l.end - l.start), v.text).toEqual(plens.map((p) => p + 2));
      // back to back after the outer TCP header, filling its payload (tshark's tcp.len)
      for (let i = 1; i < recs.length; i++) expect(recs[i].start).toBe(recs[i - 1].end);
      expect(plens.reduce((a, p) => a + p + 2, 0)).toBe(Number(r[2].split(",")[0]));
    }
  });

  test("without keys: \"encrypted payload N bytes\", and nothing inside", () => {
    const s = SCENARIOS[0];
    const out = runCli(["-r", join(OVPN, `${s}.pcap`), "--layers"]).stdout;
    const views = parseLayers(out);
    const f = [...views.values()].find((v) => /encrypted payload/.test(v.text))!;
    expect(f).toBeDefined();
    expect(f.layers.map((l) => l.name)).toEqual(["Ethernet II", "IPv4", s === "tls-tcp" ? "TCP" : "UDP", "OpenVPN"]);
    const o = f.layers[3];
    expect(f.text).toMatch(new RegExp(`encrypted payload\\s+\\[${o.start + o.header}\\.\\.${o.end}\\)\\s+${o.payload} bytes`));
    expect(out).not.toMatch(/decrypted with/);
  });

  test("static key and tls-crypt with their own key options", () => {
    if (existsSync(join(OVPN, "static-udp.pcap"))) {
      const out = runCli(["-r", join(OVPN, "static-udp.pcap"), "--openvpn-static", `${STATIC_KEY}:1`, "--layers", "-Y", "icmp"]).stdout;
      const v = [...parseLayers(out).values()];
      expect(v.length).toBe(6);
      for (const f of v) {
        expect(f.layers.map((l) => l.name)).toEqual(["Ethernet II", "IPv4", "UDP", "OpenVPN", "IPv4", "ICMP"]);
        expect(f.text).toContain("(static key: no opcode byte)");
        expect(f.text).toMatch(/packet-id 4 \+ net time 4 \+ inner packet 84 \+ CBC padding 4/);
      }
    }
    if (existsSync(join(OVPN, "tls-crypt.pcap"))) {
      const out = runCli(["-r", join(OVPN, "tls-crypt.pcap"), "--keylog", keylogs.get("tls-crypt")!, "--layers"]).stdout;
      // the control channel behind tls-crypt: TLS in the decrypted control packet
      expect(out).toMatch(/⇣ Decrypted tls-crypt control packet \(\d+ bytes\)\n\s+└─ TLS/);
      expect(out).toMatch(/└─ HTTP/);
    }
  });
});

describe.skipIf(SCENARIOS.length === 0 || !haveTshark())("-z layers: what the tunnel costs", () => {
  test.each(SCENARIOS.filter((s) => s !== "tls-tcp"))("%s: the tunnel adds mean(frame.len − inner length) bytes per packet", (s) => {
    const file = join(OVPN, `${s}.pcap`);
    const flen = new Map(tsharkFields(file, ["frame.number", "frame.len"]).map((r) => [Number(r[0]), Number(r[1])]));
    const tun = tunIndex(s);
    const inner = rows(cli(s, ["-T", "fields", "-e", "frame.number", "-e", "ip.src", "-e", "ip.id", "-e", "tcp.seq_raw", "-e", "tcp.ack_raw", "-Y", "ip.src == 10.8.0.0/24"]));
    let over = 0, innerSum = 0, wire = 0;
    for (const r of inner) {
      const [src, id] = [r[1].split(",")[1], r[2].split(",")[1]];
      const L = tun.len.get(`${src} ${id} ${r[3]} ${r[4]}`)!;
      expect(L, `frame ${r[0]}`).toBeDefined();
      over += flen.get(Number(r[0]))! - L;
      innerSum += L;
      wire += flen.get(Number(r[0]))!;
    }
    const n = inner.length;
    expect(n).toBe(tun.all.length);
    const out = cli(s, ["-q", "-z", "layers"]);
    const expected = `the tunnel adds ${(over / n).toFixed(1)} bytes per packet (${((100 * over) / innerSum).toFixed(1)}% on top of the inner IP packets, ${((100 * over) / wire).toFixed(1)}% of the bytes on the wire), over ${n} decrypted packets`;
    expect(out).toContain(expected);
    // split: outer headers = Ethernet 14 + IPv4 20 + UDP 8; OpenVPN header 4 (none in static-key mode); crypto = the rest
    const hdr = s === "static-udp" ? 0 : 4;
    expect(out).toContain(`outer headers 42.0 + OpenVPN header ${hdr.toFixed(1)} + crypto ${(over / n - 42 - hdr).toFixed(1)}`);
    expect(out).toMatch(/│ Outer headers \(link, IP, UDP\/TCP\)\s+│ 42\.0 /);
    console.log(`${s}: ${expected}`);
  });

  test("tls-tcp: per packet over frames that carry several records", () => {
    if (!SCENARIOS.includes("tls-tcp")) return;
    const out = cli("tls-tcp", ["-q", "-z", "layers"]);
    const m = /the tunnel adds ([\d.]+) bytes per packet .* over (\d+) decrypted packets .*: outer headers ([\d.]+) \+ OpenVPN header ([\d.]+) \+ crypto ([\d.]+)/.exec(out)!;
    expect(m).not.toBeNull();
    const [perPacket, n, outer, ovpn, crypto] = m.slice(1).map(Number);
    expect(n).toBe(tunIndex("tls-tcp").all.length);
    expect(ovpn).toBe(6); // length prefix 2 + opcode/key-id 1 + peer-id 3
    expect(crypto).toBe(20); // AES-256-GCM: packet-id 4 + tag 16
    expect(outer).toBeLessThanOrEqual(66); // Ethernet 14 + IPv4 20 + TCP 32, shared when a segment holds several records
    expect(perPacket).toBeCloseTo(outer + ovpn + crypto, 1);
  });
});

describe.skipIf(SCENARIOS.length === 0 || !haveTshark())("filters and fields through the tunnel", () => {
  test.each(SCENARIOS)("%s: -Y 'http && openvpn' -T fields -e ip.src -e tcp.dstport gives outer,inner", (s) => {
    const tcp = s === "tls-tcp";
    const got = rows(cli(s, ["-Y", "http && openvpn", "-T", "fields", "-e", "ip.src", "-e", "tcp.dstport"]));
    const tunHttp = tsharkFields(join(OVPN, `${s}-tun.pcap`), ["ip.src", "tcp.dstport"], ["-Y", "http"]);
    expect(got.length).toBe(tunHttp.length);
    for (let i = 0; i < got.length; i++) {
      const [src, dport] = got[i];
      const srcs = src.split(","), ports = dport.split(",");
      expect(srcs[0]).toMatch(/^10\.98\.0\.[12]$/); // the outer packet first
      expect(srcs[1]).toBe(tunHttp[i][0]); // then the inner one, as tshark reads it from the tun capture
      if (tcp) {
        expect(ports[0]).toMatch(/^(1194|\d{4,5})$/);
        expect(ports[1]).toBe(tunHttp[i][1]);
      } else expect(ports[0]).toBe(tunHttp[i][1]); // the outer is UDP: only the inner TCP port
    }
  });

  test.each(SCENARIOS)("%s: ip.src == 10.8.0.2 matches only decrypted packets; icmp matches the tunnelled pings", (s) => {
    const tun = tunIndex(s).all;
    const m = rows(cli(s, ["-Y", "ip.src == 10.8.0.2", "-T", "fields", "-e", "frame.number", "-e", "openvpn.data.length", "-e", "ip.src"]));
    expect(m.length).toBeGreaterThan(0);
    for (const r of m) {
      expect(r[1]).not.toBe(""); // decrypted
      expect(r[2].split(",")[0]).toBe("10.98.0.1"); // outer: the client's real address
    }
    if (s !== "tls-tcp") expect(m.length).toBe(tun.filter((r) => r[0] === "10.8.0.2").length);
    const icmp = rows(cli(s, ["-Y", "icmp", "-T", "fields", "-e", "icmp.type"]));
    expect(icmp.map((r) => r[0])).toEqual(tun.filter((r) => r[3] !== "").map((r) => r[3]));
    // without keys nothing inside matches
    const plain = runCli(["-r", join(OVPN, `${s}.pcap`), "-Y", "icmp || ip.src == 10.8.0.2", "-T", "fields", "-e", "frame.number"]);
    expect(plain.status).toBe(0);
    expect(plain.stdout).toBe("");
  });
});
