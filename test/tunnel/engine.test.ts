/**
 * The protocol engines against themselves, in memory (no sockets, no tun): client ↔ server
 * in TLS mode (each cipher, tls-auth, tls-crypt, packet loss, renegotiation), static-key
 * mode, and the fault handling (tampered / replayed / unknown-key packets are dropped and
 * counted, wrong CA is a clear error).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { DataCipher } from "../../src/openvpn/datachannel.js";
import { StaticEngine } from "../../src/tunnel/engine-static.js";
import { type EngineEvent, type TlsEngineConfig, TlsEngine, decodeKeyMethod2, encodeKeyMethod2 } from "../../src/tunnel/engine.js";
import type { ControlWrapConfig } from "../../src/tunnel/ctlwrap.js";
import { parseStaticKey } from "../../src/tunnel/keyfile.js";
import { ReplayWindow } from "../../src/tunnel/replay.js";
import { FIXTURES } from "../helpers/tshark.js";

const KEYS = join(FIXTURES, "openvpn", "keys");
const rd = (f: string): Buffer => readFileSync(join(KEYS, f));

/** A fake IPv4 packet from src to dst. */
function ipPacket(src: number, dst: number, n: number): Uint8Array {
  const p = new Uint8Array(60 + (n % 50));
  p[0] = 0x45;
  p[2] = 0;
  p[3] = p.length;
  p[9] = 17;
  p.set([10, 8, 0, src], 12);
  p.set([10, 8, 0, dst], 16);
  p[20] = n & 255;
  return p;
}

interface Pair {
  client: TlsEngine;
  server: TlsEngine;
  toClientTun: Uint8Array[];
  toServerTun: Uint8Array[];
  events: { client: EngineEvent[]; server: EngineEvent[] };
  c2s: Uint8Array[];
  s2c: Uint8Array[];
  /** Drop filter for packets in flight. */
  drop: (dir: "c2s" | "s2c", pkt: Uint8Array, n: number) => boolean;
}

function makePair(opts: { wrap?: (role: "client" | "server") => ControlWrapConfig; clientCiphers?: DataCipher[]; serverCiphers?: DataCipher[]; auth?: "SHA1" | "SHA256"; ca?: Buffer } = {}): Pair {
  const pair = { toClientTun: [], toServerTun: [], events: { client: [], server: [] }, c2s: [], s2c: [], drop: () => false } as unknown as Pair;
  let nc = 0;
  let ns = 0;
  const base = (role: "client" | "server"): TlsEngineConfig => ({
    role, proto: "udp", ca: role === "client" ? opts.ca ?? rd("ca.crt") : rd("ca.crt"), cert: rd(`${role}.crt`), key: rd(`${role}.key`),
    wrap: opts.wrap?.(role) ?? { kind: "none" }, dataCiphers: (role === "client" ? opts.clientCiphers : opts.serverCiphers) ?? ["AES-256-GCM", "AES-128-GCM", "CHACHA20-POLY1305"],
    auth: opts.auth ?? "SHA1", initialRto: 50,
    push: role === "server" ? { ifconfig: ["10.8.0.2", "255.255.255.0"], routeGateway: "10.8.0.1", peerId: 5, ping: 10, pingRestart: 60 } : undefined,
  });
  pair.client = new TlsEngine(base("client"), {
    sendLink: (p) => {
      if (!pair.drop("c2s", p, nc++)) pair.c2s.push(Uint8Array.from(p));
    },
    deliverTun: (p) => pair.toClientTun.push(Uint8Array.from(p)),
    event: (e) => pair.events.client.push(e),
  });
  pair.server = new TlsEngine(base("server"), {
    sendLink: (p) => {
      if (!pair.drop("s2c", p, ns++)) pair.s2c.push(Uint8Array.from(p));
    },
    deliverTun: (p) => pair.toServerTun.push(Uint8Array.from(p)),
    event: (e) => pair.events.server.push(e),
  });
  return pair;
}

/** Pump packets both ways (and timers) until `done` or the time runs out. */
async function pump(p: Pair, done: () => boolean, ms = 8000): Promise<void> {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) throw new Error(`timed out; client events: ${JSON.stringify(p.events.client.map((e) => e.type === "error" ? e.message : e.type))}; server: ${JSON.stringify(p.events.server.map((e) => e.type === "error" ? e.message : e.type))}`);
    const c2s = p.c2s.splice(0);
    const s2c = p.s2c.splice(0);
    for (const x of c2s) p.server.linkIn(x);
    for (const x of s2c) p.client.linkIn(x);
    p.client.tick();
    p.server.tick();
    await new Promise((r) => setTimeout(r, c2s.length + s2c.length > 0 ? 0 : 5));
  }
}

const connected = (p: Pair) => () => p.client.connected && p.server.connected;

async function roundTrip(p: Pair, n = 20): Promise<void> {
  for (let i = 0; i < n; i++) {
    p.client.tunIn(ipPacket(2, 1, i));
    p.server.tunIn(ipPacket(1, 2, i));
  }
  await pump(p, () => p.toServerTun.length >= n && p.toClientTun.length >= n);
  expect(p.toServerTun.slice(0, n)).toEqual(Array.from({ length: n }, (_, i) => ipPacket(2, 1, i)));
  expect(p.toClientTun.slice(0, n)).toEqual(Array.from({ length: n }, (_, i) => ipPacket(1, 2, i)));
}

const tlsCryptKey = parseStaticKey(readFileSync(join(KEYS, "tls-crypt.key"), "utf8"));
const taKey = parseStaticKey(readFileSync(join(KEYS, "ta.key"), "utf8"));

describe("TLS-mode engine, client ↔ server in memory", () => {
  it("handshakes (TLS 1.3, key-method 2, push) and carries IP both ways with AES-256-GCM", async () => {
    const p = makePair();
    p.client.start();
    await pump(p, connected(p));
    expect(p.client.negotiatedCipher).toBe("AES-256-GCM");
    expect(p.client.peerId).toBe(5);
    expect(p.client.ifconfig).toEqual(["10.8.0.2", "255.255.255.0"]);
    expect(p.server.peerInfo.IV_PROTO).toBe("142");
    const keys = p.events.client.filter((e) => e.type === "keys");
    expect(keys).toHaveLength(1);
    await roundTrip(p);
    // data packets are P_DATA_V2 with the pushed peer-id, key-id 0
    p.client.tunIn(ipPacket(2, 1, 99));
    const d = p.c2s.at(-1)!;
    expect(d[0]).toBe(9 << 3);
    expect([d[1], d[2], d[3]]).toEqual([0, 0, 5]);
  });

  for (const [cipher, auth] of [["AES-128-GCM", "SHA1"], ["CHACHA20-POLY1305", "SHA1"], ["AES-256-CBC", "SHA256"], ["AES-128-CBC", "SHA1"]] as const) {
    it(`negotiates ${cipher}`, async () => {
      const p = makePair({ serverCiphers: [cipher, "AES-256-GCM"], clientCiphers: ["AES-256-GCM", cipher], auth });
      p.client.start();
      await pump(p, connected(p));
      expect(p.client.negotiatedCipher).toBe(cipher);
      await roundTrip(p);
    });
  }

  it("works with tls-crypt and with tls-auth (SHA256), and loses nothing under 30% control loss", async () => {
    for (const wrap of [
      (role: "client" | "server"): ControlWrapConfig => ({ kind: "tls-crypt", key2: tlsCryptKey, direction: role === "server" ? 0 : 1 }),
      (role: "client" | "server"): ControlWrapConfig => ({ kind: "tls-auth", key2: taKey, direction: role === "server" ? 0 : 1, auth: "SHA256" }),
    ]) {
      const p = makePair({ wrap });
      let seed = 7;
      p.drop = (_d, pkt) => {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        return pkt[0] >> 3 !== 9 && seed % 10 < 3;
      };
      p.client.start();
      await pump(p, connected(p), 20000);
      p.drop = () => false;
      await roundTrip(p);
      expect(p.client.stats.retransmits + p.server.stats.retransmits).toBeGreaterThan(0);
    }
  });

  it("drops tampered, replayed and unknown-key-id data packets and counts them", async () => {
    const p = makePair();
    p.client.start();
    await pump(p, connected(p));
    p.client.tunIn(ipPacket(2, 1, 1));
    const good = p.c2s.splice(0).filter((x) => x[0] >> 3 === 9)[0];
    p.server.linkIn(good);
    expect(p.toServerTun).toHaveLength(1);
    p.server.linkIn(good); // replay
    expect(p.server.stats.replays).toBe(1);
    const bad = Uint8Array.from(good);
    bad[bad.length - 1] ^= 1;
    p.client.tunIn(ipPacket(2, 1, 2));
    const next = Uint8Array.from(p.c2s.splice(0).filter((x) => x[0] >> 3 === 9)[0]);
    next[next.length - 1] ^= 0x80;
    p.server.linkIn(next);
    expect(p.server.stats.authFailures).toBe(1);
    const unk = Uint8Array.from(good);
    unk[0] = (9 << 3) | 3;
    p.server.linkIn(unk);
    expect(p.server.stats.unknownKeyId).toBe(1);
    expect(p.toServerTun).toHaveLength(1); // nothing unauthenticated reached the tun
    // garbage control packets don't throw
    for (let i = 0; i < 200; i++) p.server.linkIn(Uint8Array.from({ length: i % 64 }, (_, j) => (i * 31 + j * 7) & 255));
  });

  it("a wrong tls-crypt key: the server drops everything (counted), the client times out clearly", async () => {
    const other = Uint8Array.from(tlsCryptKey);
    other[0] ^= 1;
    other[64 + 128] ^= 1;
    const p = makePair({ wrap: (role) => ({ kind: "tls-crypt", key2: role === "server" ? tlsCryptKey : other, direction: role === "server" ? 0 : 1 }) });
    p.client.start();
    await pump(p, () => p.server.stats.controlAuthFailures >= 1 || (p.server as unknown as { wrap: { authFailures: number } }).wrap.authFailures >= 1, 3000);
    expect(p.server.connected).toBe(false);
  });

  it("a wrong CA gives a clear certificate error", async () => {
    const p = makePair({ ca: rd("client.crt") });
    p.client.start();
    await pump(p, () => p.events.client.some((e) => e.type === "error"));
    const err = p.events.client.find((e) => e.type === "error") as { message: string; fatal: boolean };
    expect(err.message).toMatch(/not signed by our CA|certificate/i);
    expect(err.fatal).toBe(true);
  });

  it("renegotiates to key-id 1 and keeps the data flowing", async () => {
    const p = makePair();
    p.client.start();
    await pump(p, connected(p));
    p.client.renegotiate();
    await pump(p, () => p.events.client.filter((e) => e.type === "keys").length >= 2 && p.events.server.filter((e) => e.type === "keys").length >= 2);
    p.client.tunIn(ipPacket(2, 1, 5));
    expect(p.c2s.at(-1)![0]).toBe((9 << 3) | 1);
    await pump(p, () => p.toServerTun.length === 1);
    p.toServerTun.length = 0;
    p.toClientTun.length = 0;
    await roundTrip(p, 5);
  });
});

describe("key-method 2", () => {
  it("round-trips and tolerates missing optional strings", () => {
    const km = { random: new Uint8Array(112).fill(7), options: "V4,x", username: "", password: "", peerInfo: "IV_PROTO=142\n" };
    const b = encodeKeyMethod2(true, km);
    const d = decodeKeyMethod2(true, b)!.km;
    expect({ ...d, random: Uint8Array.from(d.random) }).toEqual(km);
    expect(decodeKeyMethod2(true, b.subarray(0, 50))).toBeNull();
    const short = b.subarray(0, 5 + 112 + 2 + 5);
    expect(decodeKeyMethod2(true, short)!.km.peerInfo).toBe("");
  });
});

describe("replay window", () => {
  it("accepts each id once, within 64 behind the highest", () => {
    const w = new ReplayWindow(64);
    expect(w.check(0)).toBe(false);
    for (const id of [1, 3, 2, 100, 40, 37]) {
      expect(w.check(id)).toBe(true);
      w.accept(id);
      expect(w.check(id)).toBe(false);
    }
    expect(w.check(36)).toBe(false); // 64 behind 100
    expect(w.check(99)).toBe(true);
  });
});

describe("static-key engine", () => {
  it("exchanges packets, answers OCC_REQUEST, drops tampered and replayed packets", () => {
    const key2 = parseStaticKey(readFileSync(join(KEYS, "static.key"), "utf8"));
    const a2b: Uint8Array[] = [];
    const b2a: Uint8Array[] = [];
    const aTun: Uint8Array[] = [];
    const bTun: Uint8Array[] = [];
    const a = new StaticEngine({ key2, direction: 0, cipher: "AES-256-CBC", auth: "SHA256", proto: "udp", ifconfig: ["10.8.0.1", "10.8.0.2"] }, { sendLink: (p) => a2b.push(p), deliverTun: (p) => aTun.push(p), event: () => {} });
    const b = new StaticEngine({ key2, direction: 1, cipher: "AES-256-CBC", auth: "SHA256", proto: "udp", ifconfig: ["10.8.0.2", "10.8.0.1"] }, { sendLink: (p) => b2a.push(p), deliverTun: (p) => bTun.push(Uint8Array.from(p)), event: () => {} });
    b.start(); // OCC_REQUEST
    for (const x of b2a.splice(0)) a.linkIn(x);
    expect(a2b).toHaveLength(1); // OCC_REPLY
    for (const x of a2b.splice(0)) b.linkIn(x);
    for (let i = 0; i < 10; i++) a.tunIn(ipPacket(1, 2, i));
    const pkts = a2b.splice(0);
    for (const x of pkts) b.linkIn(x);
    expect(bTun).toEqual(Array.from({ length: 10 }, (_, i) => ipPacket(1, 2, i)));
    b.linkIn(pkts[3]);
    expect(b.stats.replays).toBe(1);
    const t = Uint8Array.from(pkts[4]);
    t[40] ^= 1;
    b.linkIn(t);
    expect(b.stats.authFailures).toBe(1);
    expect(bTun).toHaveLength(10);
  });
});

describe("fast AEAD path (OpenSSL through koffi) agrees with datachannel.ts", async () => {
  const { FastAead, fastAvailable } = await import("../../src/tunnel/fastcrypto.js");
  const dc = await import("../../src/openvpn/datachannel.js");
  for (const cipher of ["AES-128-GCM", "AES-256-GCM", "CHACHA20-POLY1305"] as const) {
    const slot = Uint8Array.from({ length: 128 }, (_, i) => (i * 37 + 11) & 255);
    const key = dc.dataKeyFromKeyMaterial(cipher, undefined, slot);
    it.skipIf(!fastAvailable(key))(`${cipher}: both ways, V1 and V2 headers, tampering rejected`, () => {
      const enc = new FastAead(key, true);
      const dec = new FastAead(key, false);
      for (const [hdr, n] of [[Uint8Array.from([0x48, 0, 0, 5]), 1400], [new Uint8Array(0), 60], [Uint8Array.from([0x49, 1, 2, 3]), 0]] as const) {
        const pt = Uint8Array.from({ length: n }, (_, i) => (i * 7) & 255);
        const fast = enc.seal(hdr, 1000 + n, pt);
        const ref = dc.encryptData(key, hdr, 1000 + n, pt);
        expect(Uint8Array.from(fast.subarray(hdr.length))).toEqual(Uint8Array.from(ref));
        const body = fast.subarray(hdr.length);
        const r = dec.open(hdr, body)!;
        expect(r.packetId).toBe(1000 + n);
        expect(Uint8Array.from(r.plaintext)).toEqual(pt);
        const ref2 = dc.decryptData(key, hdr, ref);
        expect(ref2.ok).toBe(true);
        const bad = Uint8Array.from(body);
        bad[bad.length - 1 - (n > 0 ? 0 : 4)] ^= 1;
        expect(dec.open(hdr, bad)).toBeNull();
        if (hdr.length === 4) expect(dec.open(Uint8Array.from([0x48, 0, 0, 6]), body)).toBeNull(); // AAD covers the peer-id
      }
      enc.free();
      dec.free();
    });
  }
});

describe("fast CBC + HMAC path agrees with datachannel.ts", async () => {
  const { FastCbc, fastCbcAvailable } = await import("../../src/tunnel/fastcrypto.js");
  const dc = await import("../../src/openvpn/datachannel.js");
  for (const [cipher, auth, stat] of [["AES-256-CBC", "SHA256", true], ["AES-256-CBC", "SHA1", false], ["AES-128-CBC", "SHA512", false]] as const) {
    const slot = Uint8Array.from({ length: 128 }, (_, i) => (i * 29 + 3) & 255);
    const key = dc.dataKeyFromKeyMaterial(cipher, auth, slot, stat);
    it.skipIf(!fastCbcAvailable(key))(`${cipher}/${auth}${stat ? " static" : ""}: both ways, tampering rejected`, () => {
      const enc = new FastCbc(key, true);
      const dec = new FastCbc(key, false);
      for (const n of [0, 1, 11, 12, 15, 16, 1400]) {
        const pt = Uint8Array.from({ length: n }, (_, i) => (i * 13) & 255);
        const hdr = stat ? new Uint8Array(0) : Uint8Array.from([0x48, 0, 0, 1]);
        const fast = enc.seal(hdr, 77 + n, pt, 1234567);
        const body = fast.subarray(hdr.length);
        const ref = dc.decryptData(key, hdr, body);
        expect(ref.ok, `datachannel.ts decrypts ours (n=${n})`).toBe(true);
        if (ref.ok) {
          expect(Uint8Array.from(ref.plaintext)).toEqual(pt);
          expect(ref.packetId).toBe(77 + n);
          if (stat) expect(ref.netTime).toBe(1234567);
        }
        const theirs = dc.encryptData(key, hdr, 5 + n, pt, { netTime: 42 });
        const r = dec.open(hdr, theirs)!;
        expect(r.packetId).toBe(5 + n);
        expect(Uint8Array.from(r.plaintext)).toEqual(pt);
        const bad = Uint8Array.from(theirs);
        bad[bad.length - 1] ^= 1;
        expect(dec.open(hdr, bad)).toBeNull();
      }
      enc.free();
      dec.free();
    });
  }
});
