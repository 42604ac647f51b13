/**
 * Fuzzing the tunnel engines: random and mutated packets into a connected TLS-mode engine
 * (plain, tls-auth, tls-crypt) and a static-key engine must never throw, never reach the
 * tun unless authentic, and the engines must keep working afterwards. Seeded (fast-check).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { StaticEngine } from "../../src/tunnel/engine-static.js";
import { TlsEngine, type TlsEngineConfig } from "../../src/tunnel/engine.js";
import type { ControlWrapConfig } from "../../src/tunnel/ctlwrap.js";
import { parseStaticKey } from "../../src/tunnel/keyfile.js";
import { parseTunnelArgs, TunnelUsageError } from "../../src/tunnel/options.js";
import { FIXTURES } from "../helpers/tshark.js";

const KEYS = join(FIXTURES, "openvpn", "keys");
const rd = (f: string): Buffer => readFileSync(join(KEYS, f));
const key2 = (f: string) => parseStaticKey(rd(f).toString("utf8"));

async function connectedPair(wrap: (r: "client" | "server") => ControlWrapConfig) {
  const q: { c2s: Uint8Array[]; s2c: Uint8Array[] } = { c2s: [], s2c: [] };
  const tun = { c: [] as Uint8Array[], s: [] as Uint8Array[] };
  const cfg = (role: "client" | "server"): TlsEngineConfig => ({
    role, proto: "udp", ca: rd("ca.crt"), cert: rd(`${role}.crt`), key: rd(`${role}.key`), wrap: wrap(role), dataCiphers: ["AES-256-GCM"], auth: "SHA1", initialRto: 50,
    push: role === "server" ? { ifconfig: ["10.8.0.2", "255.255.255.0"], peerId: 1, ping: 10, pingRestart: 60 } : undefined,
  });
  const client = new TlsEngine(cfg("client"), { sendLink: (p) => q.c2s.push(Uint8Array.from(p)), deliverTun: (p) => tun.c.push(p), event: () => {} });
  const server = new TlsEngine(cfg("server"), { sendLink: (p) => q.s2c.push(Uint8Array.from(p)), deliverTun: (p) => tun.s.push(p), event: () => {} });
  client.start();
  const end = Date.now() + 10000;
  const seen: Uint8Array[] = [];
  while (!(client.connected && server.connected)) {
    if (Date.now() > end) throw new Error("no handshake");
    for (const x of q.c2s.splice(0)) {
      seen.push(x);
      server.linkIn(x);
    }
    for (const x of q.s2c.splice(0)) {
      seen.push(x);
      client.linkIn(x);
    }
    client.tick();
    server.tick();
    await new Promise((r) => setTimeout(r, 2));
  }
  return { client, server, q, tun, seen };
}

const mutate = (base: Uint8Array, edits: [number, number][], cut: number): Uint8Array => {
  const b = Uint8Array.from(base.subarray(0, Math.max(0, base.length - cut)));
  for (const [i, v] of edits) if (b.length > 0) b[i % b.length] = v;
  return b;
};

describe("engine fuzz", () => {
  for (const kind of ["none", "tls-auth", "tls-crypt"] as const) {
    it(`TLS engine (${kind}): random and mutated packets never throw and never reach the tun`, async () => {
      const wrap = (r: "client" | "server"): ControlWrapConfig =>
        kind === "none" ? { kind } : { kind, key2: key2(kind === "tls-auth" ? "ta.key" : "tls-crypt.key"), direction: r === "server" ? 0 : 1, auth: "SHA256" };
      const { client, server, q, tun } = await connectedPair(wrap);
      client.tunIn(Uint8Array.from({ length: 60 }, (_, i) => i));
      const samples = [...q.c2s.splice(0)];
      for (const x of samples) server.linkIn(x); // delivered once: identical copies are replays
      fc.assert(
        fc.property(
          fc.oneof(
            fc.uint8Array({ maxLength: 300 }),
            fc.tuple(fc.constantFrom(...samples), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.nat({ max: 40 })).map(([b, e, c]) => mutate(b, e, c)),
            fc.tuple(fc.integer({ min: 1, max: 11 }), fc.integer({ min: 0, max: 7 }), fc.uint8Array({ maxLength: 120 })).map(([op, k, rest]) => Uint8Array.from([(op << 3) | k, ...rest])),
          ),
          (pkt) => {
            const before = tun.s.length;
            server.linkIn(pkt);
            expect(tun.s.length).toBe(before);
          },
        ),
        { numRuns: 1500, seed: 42 },
      );
      q.s2c.length = 0;
      // still working: a fresh packet gets through
      client.tunIn(Uint8Array.from({ length: 40 }, () => 7));
      for (const x of q.c2s.splice(0)) server.linkIn(x);
      expect(Uint8Array.from(tun.s.at(-1)!)).toEqual(Uint8Array.from({ length: 40 }, () => 7));
      server.tick();
      client.close();
      server.close();
    }, 60_000);
  }

  it("static engine: mutated packets never throw and never reach the tun", () => {
    const k = key2("static.key");
    const out: Uint8Array[] = [];
    const tun: Uint8Array[] = [];
    const a = new StaticEngine({ key2: k, direction: 0, cipher: "AES-256-CBC", auth: "SHA256", proto: "udp" }, { sendLink: (p) => out.push(p), deliverTun: () => {}, event: () => {} });
    const b = new StaticEngine({ key2: k, direction: 1, cipher: "AES-256-CBC", auth: "SHA256", proto: "udp" }, { sendLink: () => {}, deliverTun: (p) => tun.push(p), event: () => {} });
    a.tunIn(Uint8Array.from({ length: 100 }, (_, i) => i));
    const sample = out[0];
    fc.assert(
      fc.property(
        fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.tuple(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), fc.nat({ max: 30 })).map(([e, c]) => mutate(sample, e, c))),
        (pkt) => {
          if (pkt.length === sample.length && pkt.every((v, i) => v === sample[i])) return;
          b.linkIn(pkt);
          expect(tun).toHaveLength(0);
        },
      ),
      { numRuns: 2000, seed: 7 },
    );
    b.linkIn(sample);
    expect(tun).toHaveLength(1);
  });

  it("option parsing: usage errors, never crashes", () => {
    expect(() => parseTunnelArgs(["client"])).toThrow(/--remote/);
    expect(() => parseTunnelArgs(["client", "--remote", "x", "--ca", "a"])).toThrow(/--cert/);
    expect(() => parseTunnelArgs(["server", "--secret", "k"])).toThrow(/--ifconfig/);
    expect(() => parseTunnelArgs(["server", "--bogus"])).toThrow(TunnelUsageError);
    const o = parseTunnelArgs(["client", "--remote", "h", "7000", "--proto", "tcp-client", "--ca", "a", "--cert", "b", "--key", "c", "--tls-auth", "t", "1", "--cipher", "AES-256-CBC", "-V", "-Y", "icmp"]);
    expect(o).toMatchObject({ remote: "h", port: 7000, proto: "tcp", tlsAuthDir: 1, inspectArgs: ["-V", "-Y", "icmp"] });
    expect(o.dataCiphers).toEqual(["AES-256-GCM", "AES-128-GCM", "CHACHA20-POLY1305", "AES-256-CBC"]);
    fc.assert(fc.property(fc.array(fc.constantFrom("client", "server", "--remote", "--port", "x", "1", "--secret", "--ifconfig", "--proto", "udp", "--cipher", "--keepalive", "--config"), { maxLength: 8 }), (argv) => {
      try {
        parseTunnelArgs(argv);
      } catch (e) {
        expect(e).toBeInstanceOf(TunnelUsageError);
      }
    }), { numRuns: 500, seed: 1 });
  });
});
