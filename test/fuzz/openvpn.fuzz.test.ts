/**
 * OpenVPN / TLS fuzzing: real packets from the fixtures and built ones (every
 * opcode, plain/tls-auth/tls-crypt, short HMACs, lying ACK counts, TCP length
 * prefixes that lie, TLS records with bad lengths) mutated and pushed through the
 * whole chain over UDP 1194, TCP 1194, UDP 11940 (heuristic) and TCP 443.
 * Nothing may throw out of the dispatcher; the codec's parse never throws either.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { readCaptureSync } from "../../src/capture/reader.js";
import { Dissector, dissect } from "../../src/core/dissect.js";
import { detectMode, emitPacket, frameTcp, parsePacket } from "../../src/openvpn/wire.js";
import { FIXTURES } from "../helpers/tshark.js";

function u16(n: number): number[] {
  return [(n >> 8) & 255, n & 255];
}
function frame(proto: number, sport: number, dport: number, payload: Uint8Array, seq = 1): Uint8Array {
  const l4 = proto === 17
    ? [...u16(sport), ...u16(dport), ...u16(8 + payload.length), 0, 0]
    : [...u16(sport), ...u16(dport), seq >>> 24, (seq >>> 16) & 255, (seq >>> 8) & 255, seq & 255, 0, 0, 0, 1, 0x50, 0x18, 0xff, 0xff, 0, 0, 0, 0];
  const total = 20 + l4.length + payload.length;
  const ip = [0x45, 0, ...u16(total), 0, 1, 0, 0, 64, proto, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2];
  const out = new Uint8Array(14 + ip.length + l4.length + payload.length);
  out.set([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 8, 0, ...ip, ...l4]);
  out.set(payload, 14 + ip.length + l4.length);
  return out;
}

const rec = (ct: number, body: number[]) => [ct, 3, 3, ...u16(body.length), ...body];
const CH = rec(22, [1, 0, 0, 45, 3, 3, ...new Array(32).fill(1), 0, 0, 2, 0x13, 1, 1, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0]);

/** Seeds: OpenVPN packets of every kind (without TCP prefix). */
function seeds(): Uint8Array[] {
  const s: Uint8Array[] = [];
  const sid = 0x0102030405060708n;
  for (let op = 1; op <= 11; op++) {
    s.push(emitPacket({ opcode: op, keyId: op & 7, sessionId: sid, acks: op % 2 ? [1, 2] : [], remoteSessionId: 9n, mpid: op, payload: Uint8Array.from(CH), peerId: 7 }));
    s.push(emitPacket({ opcode: op, keyId: 0, sessionId: sid, mode: "tls-auth", hmac: new Uint8Array(op % 3 === 0 ? 20 : op % 3 === 1 ? 32 : 64).fill(op), pid: 1, netTime: 1700000000, acks: [3], remoteSessionId: 5n, mpid: 1, payload: Uint8Array.from(CH) }));
    s.push(emitPacket({ opcode: op, keyId: 0, sessionId: sid, mode: "tls-crypt", hmac: new Uint8Array(32).fill(9), pid: 1, netTime: 1700000000, payload: new Uint8Array(30).fill(op), wkc: Uint8Array.from([...new Array(40).fill(1), 0, 42]) }));
  }
  // real packets from the fixtures (UDP payloads)
  for (const name of ["tls-udp", "tls-auth", "tls-crypt", "static-udp", "reneg"]) {
    const f = join(FIXTURES, "openvpn", `${name}.pcap`);
    if (!existsSync(f)) continue;
    for (const fr of readCaptureSync(f).frames.slice(0, 20)) if (fr.data.length > 42 && fr.data[23] === 17) s.push(fr.data.subarray(42));
  }
  return s;
}

let rnd = 12345;
function rand(n: number): number {
  rnd = (rnd * 1103515245 + 12345) & 0x7fffffff;
  return rnd % n;
}

function mutate(b: Uint8Array): Uint8Array {
  const m = Uint8Array.from(b);
  switch (rand(6)) {
    case 0: // bit flips
      for (let i = 0, n = 1 + rand(4); i < n && m.length; i++) m[rand(m.length)] ^= 1 << rand(8);
      return m;
    case 1: // truncation
      return m.subarray(0, rand(m.length + 1));
    case 2: // opcode/key-id byte anything
      if (m.length) m[0] = rand(256);
      return m;
    case 3: // lying ACK count / lengths
      if (m.length > 9) m[9 + rand(Math.min(8, m.length - 9))] = rand(256);
      return m;
    case 4: // extend with junk
      return Uint8Array.from([...m, ...Array.from({ length: rand(40) }, () => rand(256))]);
    default: // TLS record length lies
      for (let i = 0; i + 5 < m.length; i++) if (m[i] >= 20 && m[i] <= 23 && m[i + 1] === 3) { m[i + 3] = rand(256); m[i + 4] = rand(256); break; }
      return m;
  }
}

describe("OpenVPN/TLS fuzz", () => {
  test("mutated packets over UDP/TCP 1194, heuristic ports and TCP 443 never throw", () => {
    const base = seeds();
    let n = 0, reachedOvpn = 0, reachedTls = 0;
    for (let round = 0; round < 3; round++) {
      // a fresh session per round so the per-conversation state sees handshakes and garbage alike
      const d = new Dissector({ tree: round !== 1, columns: true });
      for (let i = 0; i < 1500; i++) {
        const p = mutate(base[rand(base.length)]);
        const mode = rand(5);
        let fr: Uint8Array;
        if (mode === 0) fr = frame(17, 40000, 1194, p);
        else if (mode === 1) fr = frame(17, 40001, 11940, p);
        else if (mode === 2) {
          // TCP: a length prefix that may lie, several packets, or half of one
          const lie = rand(3) === 0;
          const t = lie ? Uint8Array.from([...u16(rand(65536)), ...p]) : frameTcp(p);
          const cut = rand(3) === 0 ? t.subarray(0, rand(t.length + 1)) : t;
          fr = frame(6, 20000 + i, 1194, cut, 1 + rand(3000));
        } else if (mode === 3) fr = frame(6, 30000 + i, 443, mutate(Uint8Array.from([...CH, ...rec(21, [2, 40]), ...rec(23, [1, 2, 3])])), 1 + rand(100));
        else fr = frame(6, 50000 + i, 11941, frameTcp(p), 1);
        let layers: string[] = [];
        expect(() => (layers = dissect(1, fr, { dissector: d }).pinfo.layers)).not.toThrow();
        if (layers.includes("openvpn")) reachedOvpn++;
        if (layers.includes("tls")) reachedTls++;
        n++;
      }
    }
    expect(n).toBe(4500);
    console.log(`fuzz: ${n} frames, ${reachedOvpn} reached OpenVPN, ${reachedTls} reached TLS`);
    expect(reachedOvpn).toBeGreaterThan(1000);
    expect(reachedTls).toBeGreaterThan(500);
  });

  test("the codec never throws on arbitrary bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.constantFrom(0, 20, 32, 64), fc.constantFrom("none", "tls-auth", "tls-crypt"), (b, h, mode) => {
        parsePacket(b, 0, b.length, { mode: mode as "none", hmacSize: h });
        detectMode(b, 0, b.length, 1700000000);
        parsePacket(b, 3, b.length, { mode: "none", hmacSize: 0 }); // bad bounds → null
      }),
      { numRuns: 3000 },
    );
  });
});
