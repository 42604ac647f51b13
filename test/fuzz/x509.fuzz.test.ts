/**
 * X.509 fuzzing: the fixture certificates (ECDSA, and the RSA one of zeek's OpenVPN capture
 * when ../shared is there) in a TLS Certificate message over TCP 443, truncated at every
 * length and with random bytes changed. Nothing may throw out of the dispatcher: a broken
 * certificate shows what could be decoded, then "[Malformed Packet]".
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { dissect } from "../../src/core/dissect.js";
import { FIXTURES } from "../helpers/tshark.js";

const u16 = (n: number) => [(n >> 8) & 255, n & 255];
const u24 = (n: number) => [(n >> 16) & 255, (n >> 8) & 255, n & 255];

function pemDer(file: string): Uint8Array {
  const b64 = readFileSync(file, "utf8").replace(/-----[^-]+-----/g, "").replace(/\s+/g, "");
  return Uint8Array.from(Buffer.from(b64, "base64"));
}

/** Ethernet/IPv4/TCP from port 443 carrying one TLS 1.2 Certificate record with `der`. */
function certFrame(der: Uint8Array): Uint8Array {
  const hs = [11, ...u24(3 + 3 + der.length), ...u24(3 + der.length), ...u24(der.length), ...der];
  const tls = [22, 3, 3, ...u16(hs.length), ...hs];
  const tcp = [1, 187, 0xc0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0x50, 0x18, 0xff, 0xff, 0, 0, 0, 0];
  const total = 20 + tcp.length + tls.length;
  const ip = [0x45, 0, ...u16(total), 0, 1, 0, 0, 64, 6, 0, 0, 10, 0, 0, 2, 10, 0, 0, 1];
  return Uint8Array.from([2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 8, 0, ...ip, ...tcp, ...tls]);
}

const DERS = [pemDer(join(FIXTURES, "openvpn", "keys", "server.crt")), pemDer(join(FIXTURES, "openvpn", "keys", "ca.crt"))];

describe("X.509 certificates, broken", () => {
  test("the intact certificates decode (sanity): subject and the extensions' layers", () => {
    for (const der of DERS) {
      const r = dissect(1, certFrame(der));
      expect(r.pinfo.malformed).toBe(false);
      expect(r.pinfo.layers).toContain("x509sat");
      expect(r.pinfo.layers).toContain("x509ce");
    }
  });

  test("truncated at every length (lengths that no longer add up): never a throw, no made-up tree", () => {
    for (const der of DERS) {
      for (let n = 0; n < der.length; n++) {
        const r = dissect(1, certFrame(der.subarray(0, n)));
        expect(r.pinfo.layers).toContain("tls");
        expect(r.pinfo.layers).not.toContain("x509ce"); // the extensions come last: never reached
      }
    }
  });

  test("random byte changes never throw out of the dispatcher; some certificates come out malformed", () => {
    let malformed = 0, decoded = 0;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: DERS.length - 1 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), (k, edits) => {
        const der = DERS[k].slice();
        for (const [at, v] of edits) der[at % der.length] = v;
        const r = dissect(1, certFrame(der));
        expect(r.pinfo.layers).toContain("tls");
        if (r.pinfo.malformed) malformed++;
        else if (r.pinfo.layers.includes("x509sat")) decoded++;
      }),
      { numRuns: 3000 },
    );
    expect(malformed).toBeGreaterThan(0);
    expect(decoded).toBeGreaterThan(0);
  });
});
