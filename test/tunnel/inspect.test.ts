/**
 * `nestcap tunnel --inspect`: each OpenVPN packet on the wire is ONE frame (synthesized
 * IPv4 + UDP/TCP header, then the packet), dissected with the tunnel's keys in the
 * Dissector's session, so a data packet shows decrypted with the inner IP › ICMP/TCP ›
 * HTTP nested under the OpenVPN layer.
 *
 *  - In memory (no root): the TLS-mode engines (client ↔ server) with the inspector on the
 *    client, over UDP and TCP, AES-256-GCM / CHACHA20-POLY1305 / AES-256-CBC, tls-crypt,
 *    renegotiation to key-id 1, static-key mode; -T fields, -Y, -V; the synthesized outer
 *    headers checked by tshark; mutated packets never throw.
 *  - Live (root + openvpn + iproute2 + curl, as test/tunnel/interop.test.ts): a nestcap
 *    client with --inspect against Debian's openvpn server in two network namespaces
 *    (ncins-…): ping, then curl with -Y http -V.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import type { DataCipher } from "../../src/openvpn/datachannel.js";
import type { ControlWrapConfig } from "../../src/tunnel/ctlwrap.js";
import { StaticEngine } from "../../src/tunnel/engine-static.js";
import { type EngineEvent, type TlsEngineConfig, TlsEngine } from "../../src/tunnel/engine.js";
import { parseStaticKey } from "../../src/tunnel/keyfile.js";
import { type Inspector, inspector, OuterFramer } from "../../src/tunnel/observe.js";
import type { PeerAddr } from "../../src/tunnel/run.js";
import { FIXTURES, haveTshark, ROOT, sh } from "../helpers/tshark.js";
import { KEYS as NS_KEYS, NsPair, PYTHON, exited, fileHas, skipReason, waitFor } from "./netns.js";

const KEYS = join(FIXTURES, "openvpn", "keys");
const rd = (f: string): Buffer => readFileSync(join(KEYS, f));
const WORK = mkdtempSync(join(tmpdir(), "ncins-"));
// each in-memory inspector's Emitter has its own stdout writer (with an "error" listener)
process.stdout.setMaxListeners(50);

afterAll(() => {
  rmSync(WORK, { recursive: true, force: true });
});

// ---------------------------------------------------------------- hand-built inner packets

function sum16(b: Uint8Array, o: number, n: number, init = 0): number {
  let s = init;
  for (let i = 0; i < n; i += 2) s += (b[o + i] << 8) | (i + 1 < n ? b[o + i + 1] : 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

function ipv4(src: string, dst: string, proto: number, id: number, payload: Uint8Array): Uint8Array {
  const p = new Uint8Array(20 + payload.length);
  const v = new DataView(p.buffer);
  p[0] = 0x45;
  v.setUint16(2, p.length);
  v.setUint16(4, id);
  p[6] = 0x40;
  p[8] = 64;
  p[9] = proto;
  p.set(src.split(".").map(Number), 12);
  p.set(dst.split(".").map(Number), 16);
  v.setUint16(10, ~sum16(p, 0, 20) & 0xffff);
  p.set(payload, 20);
  return p;
}

function icmpEcho(src: string, dst: string, type: 8 | 0, seq: number): Uint8Array {
  const m = new Uint8Array(8 + 16);
  m[0] = type;
  m[5] = 0x2a; // id 0x002a
  m[7] = seq;
  for (let i = 8; i < m.length; i++) m[i] = i;
  new DataView(m.buffer).setUint16(2, ~sum16(m, 0, m.length) & 0xffff);
  return ipv4(src, dst, 1, 100 + seq, m);
}

function tcpSeg(src: string, dst: string, sport: number, dport: number, seq: number, ack: number, flags: number, data: string): Uint8Array {
  const d = new TextEncoder().encode(data);
  const t = new Uint8Array(20 + d.length);
  const v = new DataView(t.buffer);
  v.setUint16(0, sport);
  v.setUint16(2, dport);
  v.setUint32(4, seq);
  v.setUint32(8, ack);
  t[12] = 0x50;
  t[13] = flags;
  v.setUint16(14, 64240);
  t.set(d, 20);
  const ph = new Uint8Array(12);
  ph.set(src.split(".").map(Number), 0);
  ph.set(dst.split(".").map(Number), 4);
  ph[9] = 6;
  new DataView(ph.buffer).setUint16(10, t.length);
  v.setUint16(16, ~sum16(t, 0, t.length, sum16(ph, 0, 12)) & 0xffff);
  return ipv4(src, dst, 6, 500 + (seq & 0xff), t);
}

const GET = "GET /index.html HTTP/1.1\r\nHost: 10.8.0.1\r\nUser-Agent: inspect-test\r\n\r\n";

// ---------------------------------------------------------------- stdout capture

let restore: (() => void) | null = null;
afterEach(() => {
  restore?.();
  restore = null;
});

/** Everything the inspector prints (it writes to process.stdout through Out). */
function captureStdout(): () => string {
  const chunks: string[] = [];
  const spy = vi.spyOn(process.stdout, "write").mockImplementation(((c: string | Uint8Array) => {
    chunks.push(typeof c === "string" ? c : Buffer.from(c).toString("utf8"));
    return true;
  }) as typeof process.stdout.write);
  restore = () => spy.mockRestore();
  return () => chunks.join("");
}

// ---------------------------------------------------------------- in-memory tunnel

const CLIENT: PeerAddr = { proto: "udp", localAddr: "10.97.9.1", localPort: 40001, remoteAddr: "10.97.9.2", remotePort: 1194 };

interface Pair {
  client: TlsEngine | StaticEngine;
  server: TlsEngine | StaticEngine;
  c2s: Uint8Array[];
  s2c: Uint8Array[];
  toServerTun: Uint8Array[];
  toClientTun: Uint8Array[];
  events: EngineEvent[];
  ins: Inspector;
  /** The side the inspector watches. */
  side: "client" | "server";
  addr: PeerAddr;
  /** Every OpenVPN packet the watched side sent or received, in order (for the mutation test). */
  wire: ["in" | "out", Uint8Array][];
}

interface PairOpts {
  proto?: "udp" | "tcp";
  cipher?: DataCipher;
  tlsCrypt?: boolean;
  static?: boolean;
  /** The side that runs --inspect (default client). */
  side?: "client" | "server";
  args: string[];
}

async function makePair(opts: PairOpts): Promise<Pair> {
  const proto = opts.proto ?? "udp";
  const side = opts.side ?? "client";
  const addr: PeerAddr = side === "client" ? { ...CLIENT, proto } : { proto, localAddr: CLIENT.remoteAddr, localPort: CLIENT.remotePort, remoteAddr: CLIENT.localAddr, remotePort: CLIENT.localPort };
  const tcKey = join(KEYS, "tls-crypt.key");
  const ins = await inspector({
    inspectArgs: opts.args, proto, role: side, cipher: opts.static ? "AES-256-CBC" : undefined, auth: "SHA256",
    secret: opts.static ? join(KEYS, "static.key") : undefined, secretDir: side === "client" ? 1 : 0, tlsCrypt: opts.tlsCrypt ? tcKey : undefined,
  });
  const p = { c2s: [], s2c: [], toServerTun: [], toClientTun: [], events: [], ins, side, addr, wire: [] } as unknown as Pair;
  const hooks = (me: "client" | "server") => ({
    sendLink: (x: Uint8Array) => {
      if (me === side) {
        p.wire.push(["out", Uint8Array.from(x)]);
        ins.outer("out", x, addr);
      }
      (me === "client" ? p.c2s : p.s2c).push(Uint8Array.from(x));
    },
    deliverTun: (x: Uint8Array) => (me === "client" ? p.toClientTun : p.toServerTun).push(Uint8Array.from(x)),
    event: (e: EngineEvent) => {
      if (me !== side) return;
      p.events.push(e);
      if (e.type === "keys") ins.keys(e.keys, addr);
    },
  });
  const clientHooks = hooks("client");
  const serverHooks = hooks("server");
  if (opts.static) {
    const key2 = parseStaticKey(rd("static.key").toString("utf8"));
    p.client = new StaticEngine({ key2, direction: 1, cipher: "AES-256-CBC", auth: "SHA256", proto, ifconfig: ["10.8.0.2", "10.8.0.1"] }, clientHooks);
    p.server = new StaticEngine({ key2, direction: 0, cipher: "AES-256-CBC", auth: "SHA256", proto, ifconfig: ["10.8.0.1", "10.8.0.2"] }, serverHooks);
    return p;
  }
  const tc = parseStaticKey(rd("tls-crypt.key").toString("utf8"));
  const cipher = opts.cipher ?? "AES-256-GCM";
  const base = (role: "client" | "server"): TlsEngineConfig => ({
    role, proto, ca: rd("ca.crt"), cert: rd(`${role}.crt`), key: rd(`${role}.key`),
    wrap: opts.tlsCrypt ? ({ kind: "tls-crypt", key2: tc, direction: role === "server" ? 0 : 1 } as ControlWrapConfig) : { kind: "none" },
    dataCiphers: [cipher], auth: "SHA256", initialRto: 50,
    push: role === "server" ? { ifconfig: ["10.8.0.2", "255.255.255.0"], routeGateway: "10.8.0.1", peerId: 3, ping: 10, pingRestart: 60 } : undefined,
  });
  p.client = new TlsEngine(base("client"), clientHooks);
  p.server = new TlsEngine(base("server"), serverHooks);
  return p;
}

/** Move packets both ways (the inspector sees what reaches its side before that side does). */
async function pump(p: Pair, done: () => boolean, ms = 10000): Promise<void> {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) throw new Error(`timed out; client events: ${p.events.map((e) => (e.type === "error" || e.type === "log" ? e.message : e.type)).join(", ")}`);
    const c2s = p.c2s.splice(0);
    const s2c = p.s2c.splice(0);
    for (const x of c2s) {
      if (p.side === "server") {
        p.wire.push(["in", Uint8Array.from(x)]);
        p.ins.outer("in", x, p.addr);
      }
      p.server.linkIn(x);
    }
    for (const x of s2c) {
      if (p.side === "client") {
        p.wire.push(["in", Uint8Array.from(x)]);
        p.ins.outer("in", x, p.addr);
      }
      p.client.linkIn(x);
    }
    if (p.client instanceof TlsEngine) p.client.tick();
    if (p.server instanceof TlsEngine) p.server.tick();
    await new Promise((r) => setTimeout(r, c2s.length + s2c.length > 0 ? 0 : 5));
  }
}

const keyEvents = (p: Pair): number => p.events.filter((e) => e.type === "keys").length;

async function connect(p: Pair): Promise<void> {
  if (p.client instanceof StaticEngine) {
    p.client.start();
    await pump(p, () => p.c2s.length === 0 && p.s2c.length === 0);
    return;
  }
  p.client.start();
  await pump(p, () => (p.client as TlsEngine).connected && (p.server as TlsEngine).connected && keyEvents(p) >= 1);
}

/** Pings (request through the client, reply through the server) and one HTTP request. */
async function traffic(p: Pair, pings = 3, http = true): Promise<void> {
  const before = p.toServerTun.length;
  const beforeC = p.toClientTun.length;
  for (let i = 1; i <= pings; i++) {
    p.client.tunIn(icmpEcho("10.8.0.2", "10.8.0.1", 8, i));
    await pump(p, () => p.toServerTun.length >= before + i);
    p.server.tunIn(icmpEcho("10.8.0.1", "10.8.0.2", 0, i));
    await pump(p, () => p.toClientTun.length >= beforeC + i);
  }
  if (http) {
    p.client.tunIn(tcpSeg("10.8.0.2", "10.8.0.1", 45000, 80, 1000, 5000, 0x18, GET));
    await pump(p, () => p.toServerTun.length >= before + pings + 1);
  }
}

async function finish(p: Pair, out: () => string): Promise<string[]> {
  await p.ins.close();
  return out().split("\n").filter((l) => l !== "");
}

const FIELDS = ["-T", "fields", "-e", "frame.number", "-e", "ip.src", "-e", "ip.dst", "-e", "icmp.type", "-e", "openvpn.opcode", "-e", "openvpn.data.key_id", "-e", "http.request.method"];

/** The rows of one data/control kind. */
function rows(lines: string[]) {
  return lines.map((l) => {
    const [num, src, dst, icmp, op, kid, method] = l.split("\t");
    return { num: Number(num), src: src.split(","), dst: dst.split(","), icmp, op, kid, method };
  });
}

describe("--inspect in memory: one frame per OpenVPN packet, decrypted and nested", () => {
  for (const [cipher, proto, side] of [["AES-256-GCM", "udp", "client"], ["CHACHA20-POLY1305", "tcp", "client"], ["AES-256-CBC", "udp", "client"], ["AES-128-GCM", "udp", "server"], ["AES-256-GCM", "tcp", "server"]] as const) {
    it(`${cipher} over ${proto}, --inspect on the ${side}: -T fields shows outer,inner ip.src and the inner ICMP/HTTP`, async () => {
      const out = captureStdout();
      const p = await makePair({ args: FIELDS, cipher, proto, side });
      await connect(p);
      await traffic(p);
      const lines = await finish(p, out);
      restore?.();
      const r = rows(lines);
      // every packet the client sent or received is one frame, numbered 1..n
      expect(r.map((x) => x.num)).toEqual(r.map((_, i) => i + 1));
      expect(r.length).toBe(p.wire.length);
      const data = r.filter((x) => x.op === "0x09");
      const nested = r.filter((x) => x.src.length === 2);
      // each data packet carrying IP shows both layers; control packets only the outer one
      expect(nested.length).toBe(3 * 2 + 1);
      expect(nested.every((x) => x.op === "0x09" && x.kid === "0")).toBe(true);
      for (const x of r.filter((y) => y.op !== "0x09")) expect(x.src).toHaveLength(1);
      const req = nested.filter((x) => x.icmp === "8");
      const rep = nested.filter((x) => x.icmp === "0");
      expect(req).toHaveLength(3);
      expect(rep).toHaveLength(3);
      for (const x of req) expect([x.src, x.dst]).toEqual([["10.97.9.1", "10.8.0.2"], ["10.97.9.2", "10.8.0.1"]]);
      for (const x of rep) expect([x.src, x.dst]).toEqual([["10.97.9.2", "10.8.0.1"], ["10.97.9.1", "10.8.0.2"]]);
      expect(nested.filter((x) => x.method === "GET")).toHaveLength(1);
      // nothing left undecrypted but the data packets that carry no IP (none here)
      expect(data.length).toBe(nested.length);
      console.log(`inspect ${cipher}/${proto} (${side}): ${r.length} frames, ${r.length - data.length} control, ${nested.length}/${data.length} data packets decrypted and nested`);
    });
  }

  it("tls-crypt: control packets decrypted too (OpenVPN › TLS), data nested", async () => {
    const out = captureStdout();
    const p = await makePair({ args: ["-T", "fields", "-e", "frame.number", "-e", "openvpn.tls_crypt.decrypted", "-e", "tls.record.content_type", "-e", "ip.src", "-e", "icmp.type"], tlsCrypt: true });
    await connect(p);
    await traffic(p, 2, false);
    const lines = (await finish(p, out)).map((l) => l.split("\t"));
    restore?.();
    const ctl = lines.filter((l) => l[1] !== "");
    expect(ctl.length).toBeGreaterThan(4);
    expect(ctl.some((l) => l[2] !== ""), "TLS records inside the tls-crypt packets").toBe(true);
    expect(lines.filter((l) => l[3].split(",").length === 2 && (l[4] === "8" || l[4] === "0"))).toHaveLength(4);
  });

  it("renegotiation: the keys of key-id 1 are added as they appear", async () => {
    const out = captureStdout();
    const p = await makePair({ args: FIELDS });
    await connect(p);
    await traffic(p, 1, false);
    (p.client as TlsEngine).renegotiate();
    await pump(p, () => keyEvents(p) >= 2);
    await traffic(p, 2, false);
    const r = rows(await finish(p, out));
    restore?.();
    const nested = r.filter((x) => x.src.length === 2);
    expect(nested.map((x) => `${x.icmp}/${x.kid}`)).toEqual(["8/0", "0/0", "8/1", "0/1", "8/1", "0/1"]);
    expect(r.filter((x) => x.op === "0x09").length).toBe(nested.length);
  });

  it("static-key mode (--secret): the STATIC keys are there from the start", async () => {
    const out = captureStdout();
    const p = await makePair({ args: ["-T", "fields", "-e", "ip.src", "-e", "icmp.type", "-e", "openvpn.data.occ", "-e", "openvpn.data.cipher"], static: true });
    await connect(p);
    await traffic(p, 2, false);
    const lines = (await finish(p, out)).map((l) => l.split("\t"));
    restore?.();
    // OCC_REQUEST and OCC_REPLY, then two pings each way, all decrypted
    expect(lines.map((l) => l[2])).toEqual(["0", "1", "", "", "", ""]);
    expect(lines.every((l) => l[3] === "AES-256-CBC")).toBe(true);
    expect(lines.slice(2).map((l) => `${l[0]} ${l[1]}`)).toEqual(["10.97.9.1,10.8.0.2 8", "10.97.9.2,10.8.0.1 0", "10.97.9.1,10.8.0.2 8", "10.97.9.2,10.8.0.1 0"]);
  });

  it("-Y http -V: the HTTP request nested under OpenVPN, the summary line by default", async () => {
    const out = captureStdout();
    const p = await makePair({ args: ["-Y", "http", "-V"] });
    await connect(p);
    await traffic(p, 1, true);
    const text = (await finish(p, out)).join("\n");
    restore?.();
    if (process.env.NCINS_DUMP !== undefined) console.log(text);
    expect(text.match(/^Frame \d+:/gm)).toHaveLength(1);
    const at = (s: string | RegExp): number => {
      const i = typeof s === "string" ? text.indexOf(s) : text.search(s);
      expect(i, String(s)).toBeGreaterThanOrEqual(0);
      return i;
    };
    // outer IPv4 › UDP › OpenVPN › (decrypted) inner IPv4 › TCP › HTTP, in that order and nested
    const order = [
      at(/^Internet Protocol Version 4, Src: 10\.97\.9\.1, Dst: 10\.97\.9\.2$/m),
      at(/^User Datagram Protocol, Src Port: 40001, Dst Port: 1194$/m),
      at(/^OpenVPN Protocol/m),
      at(/^ {4}Decrypted data \(\d+ bytes, AES-256-GCM, key-id 0\)$/m),
      at(/^ {4}Internet Protocol Version 4, Src: 10\.8\.0\.2, Dst: 10\.8\.0\.1$/m),
      at(/^ {4}Transmission Control Protocol, Src Port: 45000, Dst Port: 80/m),
      at(/^ {4}Hypertext Transfer Protocol$/m),
      at(/^ {8}GET \/index\.html HTTP\/1\.1\\r\\n$/m),
    ];
    expect([...order].sort((a, b) => a - b)).toEqual(order);

    const out2 = captureStdout();
    const q = await makePair({ args: [] });
    await connect(q);
    await traffic(q, 1, true);
    const summary = (await finish(q, out2)).join("\n");
    restore?.();
    if (process.env.NCINS_DUMP !== undefined) console.log(summary);
    expect(summary).toMatch(/10\.8\.0\.2 → 10\.8\.0\.1 +ICMP \d+ Echo \(ping\) request/);
    expect(summary).toMatch(/10\.8\.0\.2 → 10\.8\.0\.1 +HTTP \d+ GET \/index\.html HTTP\/1\.1/);
    expect(summary).toMatch(/10\.97\.9\.1 → 10\.97\.9\.2 +OpenVPN \d+ MessageType: P_CONTROL_HARD_RESET_CLIENT_V2/);
  });

  it("--layers: the nesting-doll ruler for the decrypted packets", async () => {
    const out = captureStdout();
    const p = await makePair({ args: ["--layers", "-Y", "icmp"] });
    await connect(p);
    await traffic(p, 1, false);
    const text = (await finish(p, out)).join("\n");
    restore?.();
    if (process.env.NCINS_DUMP !== undefined) console.log(text);
    // one ruler per ICMP packet (request, reply): OpenVPN, its decryption, then the inner IPv4 › ICMP
    expect(text.match(/^Frame \d+: \d+ bytes$/gm)).toHaveLength(2);
    const at = (re: RegExp): number => {
      const i = text.search(re);
      expect(i, String(re)).toBeGreaterThanOrEqual(0);
      return i;
    };
    const order = [at(/└─ UDP /), at(/└─ OpenVPN /), at(/⇣ decrypted with AES-256-GCM, key-id 0/), at(/└─ IPv4 +\[0\.\.44\)/), at(/└─ ICMP +\[20\.\.44\)/)];
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it("mutated and random outer packets never throw", async () => {
    const out = captureStdout();
    const p = await makePair({ args: ["-V"] });
    await connect(p);
    await traffic(p, 2, true);
    let seed = 12345;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let i = 0; i < 400; i++) {
      const [dir, orig] = p.wire[rnd(p.wire.length)];
      let m: Uint8Array;
      switch (rnd(4)) {
        case 0:
          m = Uint8Array.from(orig);
          for (let k = 1 + rnd(4); k > 0; k--) m[rnd(m.length)] ^= 1 << rnd(8);
          break;
        case 1:
          m = orig.slice(0, rnd(orig.length + 1));
          break;
        case 2:
          m = Uint8Array.from({ length: rnd(120) }, () => rnd(256));
          break;
        default:
          m = Uint8Array.from(orig);
          m[0] = (rnd(12) << 3) | (m[0] & 7);
      }
      expect(() => p.ins.outer(dir, m, p.addr)).not.toThrow();
    }
    await finish(p, out);
    restore?.();
  });
});

describe("the synthesized outer headers, checked by tshark", () => {
  it.skipIf(!haveTshark())("IPv4 checksum, UDP/TCP lengths and ports as tshark reads them", async () => {
    const { PcapngWriter } = await import("../../src/capture/writer.js");
    const fr = new OuterFramer();
    const file = join(WORK, "outer.pcapng");
    const w = new PcapngWriter(file);
    w.addInterface({ linkType: 101, snaplen: 262144, tsresol: 1e9, tsoffset: 0 });
    const pkt = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i === 0 ? 0x48 : i * 7) & 255);
    const want: string[] = [];
    let num = 0;
    for (const proto of ["udp", "tcp"] as const) {
      const a: PeerAddr = { ...CLIENT, proto };
      for (const [dir, n] of [["out", 100], ["in", 60], ["out", 1400], ["in", 17]] as const) {
        w.write({ num: ++num, tsSec: 1, tsNsec: 0, caplen: 0, len: 0, data: fr.frame(dir, pkt(n), a), linkType: 101, interfaceId: 0 });
        const [s, sp, d, dp] = dir === "out" ? ["10.97.9.1", 40001, "10.97.9.2", 1194] : ["10.97.9.2", 1194, "10.97.9.1", 40001];
        want.push([s, d, "1" /* ip.checksum.status: Good */, proto === "udp" ? String(sp) : "", proto === "udp" ? String(dp) : "", proto === "udp" ? String(n + 8) : "", proto === "tcp" ? String(sp) : "", proto === "tcp" ? String(n + 2) : ""].join("\t"));
      }
    }
    await w.close();
    const got = sh("tshark", ["-n", "-r", file, "-o", "ip.check_checksum:TRUE", "-T", "fields", "-e", "ip.src", "-e", "ip.dst", "-e", "ip.checksum.status", "-e", "udp.srcport", "-e", "udp.dstport", "-e", "udp.length", "-e", "tcp.srcport", "-e", "tcp.len"]).trimEnd().split("\n");
    expect(got).toEqual(want);
    console.log(`outer headers: ${got.length}/${want.length} frames agree with tshark (8 fields each)`);
  });
});

// ---------------------------------------------------------------- live: nestcap client --inspect ↔ openvpn server

const SKIP = skipReason(["openvpn", "ip", "curl"]);

const read = (f: string): string => {
  try {
    return readFileSync(f, "utf8");
  } catch {
    return "";
  }
};

describe.skipIf(SKIP !== null)(`--inspect live against openvpn 2.6${SKIP !== null ? ` (skipped: ${SKIP})` : ""}`, () => {
  let ns: NsPair | null = null;
  afterAll(async () => {
    await ns?.cleanup();
  });

  it("ping and curl through the tunnel: each data packet one frame, outer,inner; -Y http -V nests the request", async () => {
    ns = new NsPair("live", 0, "ncins");
    const pair = ns;
    const ovLog = join(WORK, "openvpn.log");
    pair.spawn(pair.s, "openvpn", [
      "--dev", "tun0", "--dev-type", "tun", "--disable-dco", "--verb", "3", "--proto", "udp", "--local", pair.sAddr, "--port", "1194",
      "--ca", join(NS_KEYS, "ca.crt"), "--cert", join(NS_KEYS, "server.crt"), "--key", join(NS_KEYS, "server.key"),
      "--server", "10.8.0.0", "255.255.255.0", "--topology", "subnet", "--dh", "none",
    ], ovLog);
    await waitFor(() => fileHas(ovLog, /Initialization Sequence Completed|Exiting/), 15000, "openvpn server");
    const http = pair.spawn(pair.s, PYTHON, ["-m", "http.server", "8080", "--bind", "10.8.0.1", "--directory", join(ROOT, "fixtures", "openvpn")], join(WORK, "httpd.log"));
    const common = ["--remote", pair.sAddr, "1194", "--dev", "tun0", "--verb", "2", "--ca", join(NS_KEYS, "ca.crt"), "--cert", join(NS_KEYS, "client.crt"), "--key", join(NS_KEYS, "client.key")];
    const dump = (out: string, err: string) => (): string => `\n--- nestcap stderr:\n${read(err).slice(-3000)}\n--- stdout:\n${read(out).slice(-3000)}\n--- openvpn:\n${read(ovLog).slice(-2000)}`;

    // 1. -T fields: ping and an HTTP GET
    const out1 = join(WORK, "fields.out");
    const err1 = join(WORK, "fields.err");
    const d1 = dump(out1, err1);
    const nc1 = pair.nestcap(pair.c, ["client", ...common, "--inspect", "-T", "fields", "-e", "frame.number", "-e", "ip.src", "-e", "ip.dst", "-e", "icmp.type", "-e", "http.request.method"], out1, err1);
    await waitFor(() => fileHas(err1, "connected to") || nc1.exitCode !== null, 30000, "nestcap connected");
    expect(nc1.exitCode, d1()).toBeNull();
    const ping = pair.exec(pair.c, "ping", ["-c", "3", "-i", "0.2", "-W", "3", "10.8.0.1"]);
    expect(ping.stdout + ping.stderr + d1(), "ping").toMatch(/[1-3] received/);
    await waitFor(() => pair.exec(pair.c, "curl", ["-sS", "--max-time", "5", "-o", "/dev/null", "-w", "%{http_code}", "http://10.8.0.1:8080/keys/ca.crt"]).stdout === "200", 20000, "HTTP GET");
    await new Promise((r) => setTimeout(r, 500));
    nc1.kill("SIGTERM");
    expect(await exited(nc1), d1()).toBe(0);
    const r = read(out1).split("\n").filter((l) => l !== "").map((l) => l.split("\t"));
    expect(r.map((l) => Number(l[0])), "frame numbers").toEqual(r.map((_, i) => i + 1));
    const outer = (l: string[]) => l[1].split(",")[0];
    for (const l of r) expect([outer(l), l[2].split(",")[0]].sort(), d1()).toEqual([pair.cAddr, pair.sAddr]);
    const icmp = r.filter((l) => l[3] !== "");
    const req = icmp.filter((l) => l[3] === "8");
    const rep = icmp.filter((l) => l[3] === "0");
    expect(req.length, d1()).toBeGreaterThanOrEqual(1);
    expect(rep.length, d1()).toBeGreaterThanOrEqual(1);
    for (const l of req) expect([l[1], l[2]]).toEqual([`${pair.cAddr},10.8.0.2`, `${pair.sAddr},10.8.0.1`]);
    for (const l of rep) expect([l[1], l[2]]).toEqual([`${pair.sAddr},10.8.0.1`, `${pair.cAddr},10.8.0.2`]);
    expect(r.filter((l) => l[4] === "GET" && l[1] === `${pair.cAddr},10.8.0.2`), d1()).toHaveLength(1);
    console.log(`inspect live: ${r.length} frames, ${r.filter((l) => l[1].includes(",")).length} with outer,inner ip.src; ${req.length} echo requests, ${rep.length} replies, 1 GET`);

    // 2. -Y http -V: the HTTP request and response, nested under OpenVPN
    const out2 = join(WORK, "tree.out");
    const err2 = join(WORK, "tree.err");
    const d2 = dump(out2, err2);
    const nc2 = pair.nestcap(pair.c, ["client", ...common, "--inspect", "-Y", "http", "-V"], out2, err2);
    await waitFor(() => fileHas(err2, "connected to") || nc2.exitCode !== null, 30000, "nestcap connected (2)");
    expect(nc2.exitCode, d2()).toBeNull();
    await waitFor(() => pair.exec(pair.c, "curl", ["-sS", "--max-time", "5", "-o", "/dev/null", "-w", "%{http_code}", "http://10.8.0.1:8080/keys/ca.crt"]).stdout === "200", 20000, "HTTP GET (2)");
    await new Promise((r) => setTimeout(r, 500));
    nc2.kill("SIGTERM");
    expect(await exited(nc2), d2()).toBe(0);
    http.kill();
    const text = read(out2);
    const get = text.search(/^ {8}GET \/keys\/ca\.crt HTTP\/1\.1\\r\\n$/m);
    expect(get, d2()).toBeGreaterThan(0);
    const frame = text.slice(text.lastIndexOf("\nFrame ", get) + 1, get);
    expect(frame, d2()).toMatch(new RegExp(`^Internet Protocol Version 4, Src: ${pair.cAddr.replace(/\./g, "\\.")}, Dst: ${pair.sAddr.replace(/\./g, "\\.")}$`, "m"));
    expect(frame).toMatch(/^User Datagram Protocol, Src Port: \d+, Dst Port: 1194$/m);
    expect(frame).toMatch(/^OpenVPN Protocol, Opcode: P_DATA_V2/m);
    expect(frame).toMatch(/^ {4}Decrypted data \(\d+ bytes, AES-256-GCM, key-id 0\)$/m);
    expect(frame).toMatch(/^ {4}Internet Protocol Version 4, Src: 10\.8\.0\.2, Dst: 10\.8\.0\.1$/m);
    expect(frame).toMatch(/^ {4}Transmission Control Protocol, Src Port: \d+, Dst Port: 8080/m);
    expect(frame).toMatch(/^ {4}Hypertext Transfer Protocol$/m);
    expect(text).toMatch(/^ {8}HTTP\/1\.0 200 OK\\r\\n$/m);
    // only HTTP frames: no control packets, no ICMP
    expect(text).not.toMatch(/Internet Control Message Protocol/);
  });
});
