/**
 * DNS fuzzing: mutated DNS messages (bit flips, truncations, pointer rewrites that
 * create loops, huge counts, random bytes) through the whole dissector chain over
 * UDP 53, mDNS, LLMNR and TCP 53. Nothing may throw out of the dispatcher, and each
 * packet must finish quickly (no pointer-loop hangs).
 */
import { describe, expect, test } from "vitest";
import fc from "fast-check";
import { Dissector, dissect } from "../../src/core/dissect.js";

function u16(n: number): number[] {
  return [(n >> 8) & 255, n & 255];
}
function frame(proto: number, sport: number, dport: number, payload: Uint8Array): Uint8Array {
  const l4 = proto === 17
    ? [...u16(sport), ...u16(dport), ...u16(8 + payload.length), 0, 0]
    : [...u16(sport), ...u16(dport), 0, 0, 0, 1, 0, 0, 0, 1, 0x50, 0x18, 0xff, 0xff, 0, 0, 0, 0];
  const total = 20 + l4.length + payload.length;
  const ip = [0x45, 0, ...u16(total), 0, 1, 0, 0, 64, proto, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2];
  const out = new Uint8Array(14 + ip.length + l4.length + payload.length);
  out.set([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 8, 0, ...ip, ...l4]);
  out.set(payload, 14 + ip.length + l4.length);
  return out;
}

/** A seed message with compression pointers, OPT, SRV, TXT, HTTPS, RRSIG, NSEC. */
function seed(): Uint8Array {
  const name = (s: string) => [...s.split(".").flatMap((l) => [l.length, ...Buffer.from(l)]), 0];
  const rr = (t: number, rd: number[]) => [0xc0, 12, ...u16(t), 0, 1, 0, 0, 14, 16, ...u16(rd.length), ...rd];
  const b = [
    0x12, 0x34, 0x81, 0x80, 0, 1, 0, 7, 0, 0, 0, 1,
    ...name("www.example.com"), 0, 1, 0, 1,
    ...rr(1, [93, 184, 216, 34]),
    ...rr(5, [3, 0x77, 0x77, 0x77, 0xc0, 16]),
    ...rr(16, [3, 0x61, 0x62, 0x63, 2, 0x64, 0x65]),
    ...rr(33, [0, 1, 0, 2, 0, 80, 0xc0, 12]),
    ...rr(65, [0, 1, 0, 0, 1, 0, 3, 2, 0x68, 0x32, 0, 4, 0, 4, 1, 2, 3, 4]),
    ...rr(46, [0, 1, 8, 2, 0, 0, 1, 0, 0x60, 0, 0, 0, 0x5f, 0, 0, 0, 0x30, 0x39, 0xc0, 16, 1, 2, 3, 4]),
    ...rr(47, [0xc0, 12, 0, 1, 0x62]),
    0, 0, 41, 4, 0xd0, 0, 0, 0x80, 0, 0, 12, 0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8,
  ];
  return Uint8Array.from(b);
}

const PORTS: [number, number, number][] = [[17, 40000, 53], [17, 5353, 5353], [17, 50000, 5355], [6, 40000, 53], [17, 40000, 8053]];

let slowest = 0;
function run(d: Dissector, msg: Uint8Array, i: number): void {
  const [proto, sport, dport] = PORTS[i % PORTS.length];
  const payload = proto === 6 ? Uint8Array.from([...u16(msg.length), ...msg]) : msg;
  const t0 = performance.now();
  dissect(1, frame(proto, sport, dport, payload), { dissector: d });
  const dt = performance.now() - t0;
  if (dt > slowest) slowest = dt;
  // generous: a loaded CI machine may pause for GC; a loop or quadratic walk would take far longer
  expect(dt).toBeLessThan(1000);
}

describe("DNS fuzz", () => {
  test("mutations of a rich message never throw and finish fast", () => {
    const base = seed();
    const d = new Dissector({ tree: true, columns: true });
    const d2 = new Dissector({});
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
        fc.nat(base.length),
        fc.nat(4),
        fc.option(fc.tuple(fc.nat(base.length - 2), fc.nat(base.length + 40)), { nil: null }),
        fc.option(fc.integer({ min: 0, max: 3 }), { nil: null }),
        (flips, cut, port, ptr, bigCount) => {
          const m = base.slice();
          for (const [i, v] of flips) m[i] = v;
          if (ptr) { m[ptr[0]] = 0xc0 | ((ptr[1] >> 8) & 0x3f); m[ptr[0] + 1] = ptr[1] & 0xff; } // pointer rewrite (loops)
          if (bigCount !== null) { m[4 + bigCount * 2] = 0xff; m[5 + bigCount * 2] = 0xff; } // huge counts
          const msg = m.subarray(0, Math.max(0, Math.min(m.length, cut + 1)));
          run(d, msg, port);
          run(d2, msg, port);
        },
      ),
      { numRuns: 1500, seed: 4242 },
    );
    console.log(`DNS fuzz: slowest packet ${slowest.toFixed(1)} ms`);
  });

  test("random bytes never throw", () => {
    const d = new Dissector({ tree: true, columns: true });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(4), (b, port) => run(d, b, port)),
      { numRuns: 1500, seed: 7 },
    );
  });

  test("pathological pointer chains: every pointer loop and chain length terminates", () => {
    const d = new Dissector({ tree: true, columns: true });
    // a chain of 600 pointers each to the previous one, then a loop back to the start
    const hdr = [0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0];
    const chain: number[] = [];
    for (let i = 0; i < 600; i++) {
      const target = i === 0 ? 12 + 2 * 599 : 12 + 2 * (i - 1);
      chain.push(0xc0 | (target >> 8), target & 255);
    }
    const msg = Uint8Array.from([...hdr, ...chain, 0, 1, 0, 1]);
    const t0 = performance.now();
    const r = dissect(1, frame(17, 40000, 53, msg), { dissector: d });
    expect(performance.now() - t0).toBeLessThan(250);
    expect(r.pinfo.cols!.info).toContain("<Name contains a pointer that loops>");
  });
});
