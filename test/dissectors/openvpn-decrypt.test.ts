/**
 * OpenVPN decryption end to end, on every fixture in fixtures/openvpn:
 *  - `nestcap keylog --from-openvpn-log S-client.log S-server.log` makes the key log;
 *  - `nestcap -r S.pcap --keylog KEYLOG -T fields` (plus --openvpn-static /
 *    --openvpn-tls-crypt where the scenario needs it): every P_DATA packet (every
 *    static-key packet) decrypts and authenticates, none fails, and the decrypted
 *    inner IP packets' fields come after the outer ones (ip.src = outer,inner);
 *  - the decrypted inner IP packets equal, byte for byte and in order per direction,
 *    the packets tcpdump saw on the client's tun0 (S-tun.pcap);
 *  - tls-crypt / dynamic tls-crypt control packets authenticate and the control
 *    channel inside (ACKs, message packet-ids, TLS) is dissected;
 *  - negative: a flipped ciphertext byte or a wrong key → an expert note, no inner
 *    fields; a bad key log → a one-line error and exit 1.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { readCaptureSync } from "../../src/capture/reader.js";
import { Dissector } from "../../src/core/dissect.js";
import { fieldByAbbrev } from "../../src/core/field.js";
import { Session } from "../../src/core/session.js";
import { FIXTURES, runCli } from "../helpers/tshark.js";

const OVPN = join(FIXTURES, "openvpn");
const have = existsSync(join(OVPN, "tls-udp.pcap"));
const STATIC_KEY = join(OVPN, "keys", "static.key");
const TLS_CRYPT_KEY = join(OVPN, "keys", "tls-crypt.key");

interface Scenario {
  name: string;
  /** Extra CLI flags besides --keylog. */
  flags: string[];
  /** Library prefs matching the flags. */
  prefs: Record<string, string>;
  keyIds: number[];
  /** Static-key mode: no opcode byte, every OpenVPN datagram is data. */
  static?: boolean;
  /** Control packets that must be tls-crypt-decrypted (opcodes). */
  tlsCrypt?: "all" | "reneg";
}

const SCENARIOS: Scenario[] = [
  { name: "static-udp", flags: ["--openvpn-static", `${STATIC_KEY}:1`], prefs: { "openvpn.static_key": `${STATIC_KEY}:1` }, keyIds: [], static: true },
  { name: "tls-udp", flags: [], prefs: {}, keyIds: [0] },
  { name: "tls-tcp", flags: [], prefs: {}, keyIds: [0] },
  { name: "tls-auth", flags: [], prefs: {}, keyIds: [0] },
  { name: "tls-crypt", flags: ["--openvpn-tls-crypt", TLS_CRYPT_KEY], prefs: { "openvpn.tls_crypt_key": TLS_CRYPT_KEY }, keyIds: [0], tlsCrypt: "all" },
  { name: "p2p-cbc", flags: [], prefs: {}, keyIds: [0] },
  { name: "reneg", flags: [], prefs: {}, keyIds: [0, 1, 2], tlsCrypt: "reneg" },
  { name: "tls-udp-port", flags: [], prefs: {}, keyIds: [0] },
  { name: "data-v1", flags: [], prefs: {}, keyIds: [0] },
];

let dir = "";
const keylogs = new Map<string, string>();

beforeAll(() => {
  if (!have) return;
  dir = mkdtempSync(join(tmpdir(), "nestcap-decrypt-"));
  for (const s of SCENARIOS) {
    const r = runCli(["keylog", "--from-openvpn-log", join(OVPN, `${s.name}-client.log`), join(OVPN, `${s.name}-server.log`)]);
    if (r.status !== 0) throw new Error(`keylog for ${s.name} failed: ${r.stderr}`);
    const p = join(dir, `${s.name}.keylog`);
    writeFileSync(p, r.stdout);
    keylogs.set(s.name, p);
  }
});

afterAll(() => {
  if (dir !== "") rmSync(dir, { recursive: true, force: true });
});

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString("hex");

/** The decrypted inner IP packets, per direction (inner source 10.8.0.2 = client → server), via the library. */
function decryptedInner(file: string, prefs: Record<string, string>): { c2s: string[]; s2c: string[]; all: number } {
  const d = new Dissector({ wanted: [fieldByAbbrev("frame.number")!] }, new Session({ prefs }));
  const out = { c2s: [] as string[], s2c: [] as string[], all: 0 };
  for (const fr of readCaptureSync(file).frames) {
    const r = d.dissect(fr);
    for (const ds of r.pinfo.sources) {
      if (!ds.name.startsWith("Decrypted OpenVPN data")) continue;
      out.all++;
      const b = ds.data;
      if (b.length < 20 || b[0] >> 4 !== 4) continue; // ping / OCC (checked elsewhere)
      (b[12] === 10 && b[13] === 8 && b[14] === 0 && b[15] === 2 ? out.c2s : out.s2c).push(hex(b));
    }
  }
  return out;
}

/** The tun capture (LINKTYPE_RAW) per direction. */
function tunPackets(file: string): { c2s: string[]; s2c: string[] } {
  const out = { c2s: [] as string[], s2c: [] as string[] };
  for (const fr of readCaptureSync(file).frames) {
    const b = fr.data;
    (b[12] === 10 && b[13] === 8 && b[14] === 0 && b[15] === 2 ? out.c2s : out.s2c).push(hex(b));
  }
  return out;
}

/** TCP checksum of an IPv4 packet is right. */
function tcpChecksumOk(b: Uint8Array): boolean {
  const hl = (b[0] & 15) * 4;
  const total = (b[2] << 8) | b[3];
  let sum = 0;
  for (let i = 12; i < 20; i += 2) sum += (b[i] << 8) | b[i + 1];
  sum += 6 + (total - hl);
  for (let i = hl; i < total; i += 2) sum += (b[i] << 8) | (i + 1 < total ? b[i + 1] : 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum === 0xffff;
}

/**
 * OpenVPN's --mssfix (on by default, "mss_fix:1400" in the logs) lowers the MSS
 * option of TCP SYNs *after* tun0 saw them (client → server) and fixes the TCP
 * checksum. Such a pair is the same packet: equal but for the MSS value (lower in
 * the tunnel) and the checksum, which must be right in the decrypted copy.
 */
function mssClamped(decHex: string, tunHex: string): boolean {
  const d = Buffer.from(decHex, "hex"), t = Buffer.from(tunHex, "hex");
  if (d.length !== t.length || d.length < 44 || d[9] !== 6 || (d[0] >> 4) !== 4) return false;
  const hl = (d[0] & 15) * 4;
  if ((d[hl + 13] & 0x02) === 0) return false; // SYN
  const thl = (d[hl + 12] >> 4) * 4;
  let mss = -1;
  for (let o = hl + 20; o < hl + thl; ) {
    const k = d[o];
    if (k === 0) break;
    if (k === 1) { o++; continue; }
    if (k === 2) { mss = o + 2; break; }
    o += d[o + 1] || 1;
  }
  if (mss < 0) return false;
  for (let i = 0; i < d.length; i++) {
    if (i === mss || i === mss + 1 || i === hl + 16 || i === hl + 17) continue;
    if (d[i] !== t[i]) return false;
  }
  return d.readUInt16BE(mss) < t.readUInt16BE(mss) && tcpChecksumOk(d);
}

/** The decrypted list with MSS-clamped SYNs replaced by their tun0 originals (so toEqual shows real differences). */
function alignTun(dec: string[], tun: string[]): string[] {
  return dec.map((x, i) => (i < tun.length && x !== tun[i] && mssClamped(x, tun[i]) ? tun[i] : x));
}

const FIELDS = ["frame.number", "udp.length", "openvpn.opcode", "openvpn.keyid", "openvpn.data.authenticated", "openvpn.decryption_failed", "openvpn.no_key", "openvpn.data.key_id", "ip.src", "openvpn.data.ping", "openvpn.data.occ", "openvpn.tls_crypt.authenticated", "openvpn.mpid", "tls.handshake.type"];

describe.skipIf(!have)("OpenVPN decryption of every fixture", () => {
  for (const s of SCENARIOS) {
    test(`${s.name}: every data packet decrypts and authenticates (CLI -T fields)`, () => {
      const kl = keylogs.get(s.name)!;
      const args = ["-r", join(OVPN, `${s.name}.pcap`), "--keylog", kl, ...s.flags, "-T", "fields", "-E", "occurrence=a"];
      for (const f of FIELDS) args.push("-e", f);
      const r = runCli(args);
      expect(r.status, r.stderr).toBe(0);
      const rows = r.stdout.replace(/\n$/, "").split("\n").map((l) => l.split("\t"));
      const col = (row: string[], f: string): string[] => (row[FIELDS.indexOf(f)] === "" ? [] : row[FIELDS.indexOf(f)].split(","));
      let data = 0, ok = 0, inner = 0, tcOk = 0;
      const keyIds = new Set<number>();
      for (const row of rows) {
        expect(col(row, "openvpn.decryption_failed"), `frame ${row[0]}`).toEqual([]);
        expect(col(row, "openvpn.no_key"), `frame ${row[0]}`).toEqual([]);
        const ops = col(row, "openvpn.opcode");
        const auth = col(row, "openvpn.data.authenticated");
        const nData = s.static ? (col(row, "udp.length").length > 0 && auth.length > 0 ? 1 : 0) : ops.filter((o) => o === "0x06" || o === "0x09").length;
        if (s.static && col(row, "udp.length").length > 0) expect(auth, `static frame ${row[0]}`).toEqual(["1"]);
        data += nData;
        ok += auth.filter((a) => a === "1").length;
        expect(auth.length, `frame ${row[0]}: one authenticated mark per data packet`).toBe(nData);
        for (const k of col(row, "openvpn.data.key_id")) keyIds.add(Number(k));
        // inner IP after the outer one (ping / OCC payloads carry no IP)
        const ips = col(row, "ip.src");
        const ipInside = nData - col(row, "openvpn.data.ping").length - col(row, "openvpn.data.occ").length;
        if (nData > 0) {
          expect(ips.length, `frame ${row[0]} ip.src=${ips.join(",")}`).toBe(1 + ipInside);
          expect(ips[0]).toMatch(/^10\.98\.0\.[12]$/);
          for (const x of ips.slice(1)) expect(x).toMatch(/^10\.8\.0\.[12]$/);
          inner += ipInside;
        }
        tcOk += col(row, "openvpn.tls_crypt.authenticated").length;
      }
      console.log(`${s.name}: ${ok}/${data} data packets decrypted and authenticated (${inner} inner IP packets), key-ids ${[...keyIds].sort().join(",") || "(static)"}, ${tcOk} tls-crypt control packets authenticated`);
      expect(data).toBeGreaterThan(10);
      expect(ok).toBe(data);
      if (!s.static) expect([...keyIds].sort()).toEqual(s.keyIds);
      if (s.tlsCrypt === "all") {
        // every control packet (opcodes 3,4,5,7,8) authenticated, and the TLS handshake inside dissected
        const ctl = rows.flatMap((row) => col(row, "openvpn.opcode").filter((o) => o !== "0x06" && o !== "0x09"));
        expect(tcOk).toBe(ctl.length);
        expect(rows.some((row) => col(row, "tls.handshake.type").includes("1"))).toBe(true);
        expect(rows.some((row) => col(row, "openvpn.mpid").length > 0)).toBe(true);
      }
      if (s.tlsCrypt === "reneg") {
        // the soft resets and the renegotiations' control packets are wrapped with the dynamic tls-crypt keys
        const soft = rows.filter((row) => col(row, "openvpn.opcode").includes("0x03"));
        expect(soft.length).toBeGreaterThanOrEqual(2);
        for (const row of soft) expect(col(row, "openvpn.tls_crypt.authenticated"), `SOFT_RESET frame ${row[0]}`).toEqual(["1"]);
        const kid12 = rows.filter((row) => ["1", "2"].includes(col(row, "openvpn.keyid")[0] ?? "") && !col(row, "openvpn.opcode").some((o) => o === "0x06" || o === "0x09"));
        expect(kid12.length).toBeGreaterThan(4);
        for (const row of kid12) expect(col(row, "openvpn.tls_crypt.authenticated").length, `reneg control frame ${row[0]}`).toBe(1);
      }
    });

    test(`${s.name}: decrypted inner packets equal the tun capture byte for byte`, () => {
      const prefs = { "openvpn.keylog": keylogs.get(s.name)!, ...s.prefs };
      const dec = decryptedInner(join(OVPN, `${s.name}.pcap`), prefs);
      const tun = tunPackets(join(OVPN, `${s.name}-tun.pcap`));
      console.log(`${s.name}: client→server ${dec.c2s.length} decrypted / ${tun.c2s.length} on tun0, server→client ${dec.s2c.length} / ${tun.s2c.length}`);
      // same packets, same order, per direction (modulo OpenVPN's MSS clamping of outgoing SYNs, see mssClamped)
      expect(alignTun(dec.c2s, tun.c2s)).toEqual(tun.c2s);
      expect(alignTun(dec.s2c, tun.s2c)).toEqual(tun.s2c);
      expect(tun.c2s.length + tun.s2c.length).toBeGreaterThan(10);
    });
  }

  test("static-udp: the static key from the key log alone (STATIC lines) decrypts too", () => {
    const dec = decryptedInner(join(OVPN, "static-udp.pcap"), { "openvpn.keylog": keylogs.get("static-udp")! });
    const tun = tunPackets(join(OVPN, "static-udp-tun.pcap"));
    expect(alignTun(dec.c2s, tun.c2s)).toEqual(tun.c2s);
    expect(alignTun(dec.s2c, tun.s2c)).toEqual(tun.s2c);
  });

  test("tls-crypt: the tls-crypt key from the key log (TLS-CRYPT lines) works without the key file", () => {
    const r = runCli(["-r", join(OVPN, "tls-crypt.pcap"), "--keylog", keylogs.get("tls-crypt")!, "-T", "fields", "-e", "openvpn.tls_crypt.authenticated", "-e", "tls.handshake.type"]);
    expect(r.status, r.stderr).toBe(0);
    const rows = r.stdout.replace(/\n$/, "").split("\n").map((l) => l.split("\t"));
    expect(rows.filter((x) => x[0] === "1").length).toBeGreaterThanOrEqual(14);
    expect(rows.some((x) => x[1].split(",").includes("1"))).toBe(true);
  });

  test("static-udp: the OCC exchange is shown by name, not as IP", () => {
    const r = runCli(["-r", join(OVPN, "static-udp.pcap"), "--openvpn-static", STATIC_KEY, "-T", "fields", "-e", "openvpn.data.occ", "-e", "ip.src", "-Y", "openvpn.data.occ"]);
    expect(r.status, r.stderr).toBe(0);
    const rows = r.stdout.replace(/\n$/, "").split("\n").map((l) => l.split("\t"));
    expect(rows.map((x) => x[0]).sort()).toEqual(["0", "1"]);
    // no inner IP: only the outer address
    expect(rows.map((x) => x[1]).sort()).toEqual(["10.98.0.1", "10.98.0.2"]);
  });

  test("-V shows the Decrypted data item and -x the decrypted bytes as a second data source", () => {
    const f = join(OVPN, "tls-udp.pcap");
    const r = runCli(["-r", f, "--keylog", keylogs.get("tls-udp")!, "-V", "-x", "-Y", "icmp.type == 8", "-c", "40"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Decrypted data \(84 bytes, AES-256-GCM, key-id 0\)/);
    expect(r.stdout).toMatch(/\[Authenticated: True\]/);
    expect(r.stdout).toMatch(/Decrypted OpenVPN data \(84 bytes\):\n0000  45 00 00 54/);
    // the inner IPv4 is nested under the OpenVPN item (indented)
    expect(r.stdout).toMatch(/\n {4}Internet Protocol Version 4, Src: 10\.8\.0\.2, Dst: 10\.8\.0\.1\n/);
  });

  test("-Y reaches inner fields", () => {
    const r = runCli(["-r", join(OVPN, "tls-tcp.pcap"), "--keylog", keylogs.get("tls-tcp")!, "-Y", "http.request.method == \"GET\"", "-T", "fields", "-e", "ip.dst", "-e", "http.request.uri"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe("10.98.0.2,10.8.0.1\t/");
  });
});

describe.skipIf(!have)("OpenVPN decryption: negative cases", () => {
  const wanted = ["ip.src", "openvpn.data.authenticated", "openvpn.decrypted"].map((x) => fieldByAbbrev(x)!);

  function firstData(file: string): { frames: ReturnType<typeof readCaptureSync>["frames"]; idx: number } {
    const frames = readCaptureSync(file).frames;
    const idx = frames.findIndex((fr) => fr.data.length > 60 && fr.data[23] === 17 && fr.data[42] >> 3 === 9);
    return { frames, idx };
  }

  test("a flipped ciphertext byte: authentication fails, expert note, no inner fields", () => {
    const { frames, idx } = firstData(join(OVPN, "tls-udp.pcap"));
    expect(idx).toBeGreaterThan(0);
    for (const pos of [-1, 42 + 4 + 2, 42 + 4 + 4 + 3, 42 + 1]) {
      // last ciphertext byte, the packet-id, the tag, the peer-id (authenticated as AAD)
      const d = new Dissector({ wanted, tree: true }, new Session({ prefs: { "openvpn.keylog": keylogs.get("tls-udp")! } }));
      for (let i = 0; i < idx; i++) d.dissect(frames[i]);
      const bad = Uint8Array.from(frames[idx].data);
      bad[pos < 0 ? bad.length + pos : pos] ^= 0x01;
      const r = d.dissect({ ...frames[idx], data: bad });
      expect(r.tree.experts.some((e) => e.abbrev === "openvpn.decryption_failed" && e.group === "decryption"), `flip at ${pos}`).toBe(true);
      expect(r.tree.get(fieldByAbbrev("ip.src")!)).toHaveLength(1);
      expect(r.tree.get(fieldByAbbrev("openvpn.data.authenticated")!)).toHaveLength(0);
      expect(r.pinfo.sources.some((s) => s.name.startsWith("Decrypted"))).toBe(false);
      // the untouched packet still decrypts
      const ok = d.dissect(frames[idx]);
      expect(ok.tree.get(fieldByAbbrev("ip.src")!)).toHaveLength(2);
    }
  });

  test("a wrong key: every data packet fails, nothing is shown as plaintext", () => {
    const good = readFileSync(keylogs.get("tls-udp")!, "utf8");
    // change one nibble of every key=
    const wrong = good.replace(/ key=([0-9a-f])/g, (_m, c: string) => ` key=${c === "0" ? "1" : "0"}`);
    expect(wrong).not.toBe(good);
    const p = join(dir, "wrong.keylog");
    writeFileSync(p, wrong);
    const r = runCli(["-r", join(OVPN, "tls-udp.pcap"), "--keylog", p, "-T", "fields", "-e", "openvpn.opcode", "-e", "ip.src", "-e", "openvpn.decryption_failed", "-e", "openvpn.data.authenticated"]);
    expect(r.status, r.stderr).toBe(0);
    const rows = r.stdout.replace(/\n$/, "").split("\n").map((l) => l.split("\t")).filter((x) => x[0] === "0x09");
    expect(rows.length).toBeGreaterThan(10);
    for (const x of rows) {
      expect(x[1]).toMatch(/^10\.98\.0\.[12]$/);
      expect(x[2]).toMatch(/tag mismatch/);
      expect(x[3]).toBe("");
    }
  });

  test("a bad key log: one-line error naming the line, exit 1", () => {
    const p = join(dir, "bad.keylog");
    writeFileSync(p, "# ok\nDATA src=* dst=* key-id=0 cipher=AES-256-GCM key=00 iv=0000000000000000\n");
    const r = runCli(["-r", join(OVPN, "tls-udp.pcap"), "--keylog", p]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/bad\.keylog:2: key for AES-256-GCM must be 32 bytes/);
    // (other bad lines are unit-tested in openvpn-datachannel.test.ts; here: the CLI path for a missing file)
    const r3 = runCli(["-r", join(OVPN, "tls-udp.pcap"), "--keylog", join(dir, "missing.keylog")]);
    expect(r3.status).toBe(1);
    expect(r3.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(r3.stderr).toMatch(/missing\.keylog: cannot read the key log \(ENOENT\)/);
    const r4 = runCli(["-r", join(OVPN, "tls-udp.pcap"), "--openvpn-static", p]);
    expect(r4.status).toBe(1);
    expect(r4.stderr).toMatch(/not an OpenVPN static key file/);
    const r6 = runCli(["keylog", "--check", keylogs.get("reneg")!]);
    expect(r6.status).toBe(0);
    expect(r6.stdout).toMatch(/8 keys \(6 DATA, 0 STATIC, 2 TLS-CRYPT\)/);
  });

  test("keylog from a log without keys: error, exit 1", () => {
    const p = join(dir, "empty.log");
    writeFileSync(p, "2026-11-25 10:52:43 us=1 nothing here\n");
    const r = runCli(["keylog", "--from-openvpn-log", p]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/no keys found/);
  });

  test("without a key log nothing changes: no decryption fields, ciphertext only", () => {
    const r = runCli(["-r", join(OVPN, "tls-udp.pcap"), "-T", "fields", "-e", "ip.src", "-e", "openvpn.decrypted", "-e", "openvpn.no_key", "-Y", "openvpn.opcode == 9"]);
    expect(r.status, r.stderr).toBe(0);
    for (const l of r.stdout.replace(/\n$/, "").split("\n")) expect(l).toMatch(/^10\.98\.0\.[12]\t\t$/);
  });
});
