/**
 * Fuzz with keys loaded: real OpenVPN packets of the fixtures (data, tls-crypt,
 * dynamic tls-crypt, static key, TCP records), mutated by a seeded mutator, and
 * random bytes (fast-check), through the whole dissector with a key log, the
 * tls-crypt key and the static key in the session prefs. Nothing may throw, and a
 * mutated data packet must never be shown as authenticated plaintext unless it
 * still authenticates (i.e. only the unauthenticated outer bytes changed).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, test } from "vitest";
import { readCaptureSync } from "../../src/capture/reader.js";
import type { Frame } from "../../src/capture/frame.js";
import { Dissector } from "../../src/core/dissect.js";
import { fieldByAbbrev } from "../../src/core/field.js";
import { Session } from "../../src/core/session.js";
import { keylogFromLogs } from "../../src/openvpn/fromlog.js";
import { formatKeyLog } from "../../src/openvpn/keylog.js";
import { FIXTURES } from "../helpers/tshark.js";

const OVPN = join(FIXTURES, "openvpn");
const have = existsSync(join(OVPN, "reneg.pcap"));
const SCEN = ["tls-udp", "tls-tcp", "tls-crypt", "static-udp", "reneg", "data-v1", "p2p-cbc"];

let dir = "";
afterAll(() => {
  if (dir !== "") rmSync(dir, { recursive: true, force: true });
});

function prefs(): Record<string, string> {
  dir = mkdtempSync(join(tmpdir(), "nestcap-ovpn-fuzz-"));
  const logs = SCEN.flatMap((s) => ["client", "server"].map((w) => ({ name: `${s}-${w}`, text: readFileSync(join(OVPN, `${s}-${w}.log`), "utf8") })));
  const kl = join(dir, "all.keylog");
  writeFileSync(kl, formatKeyLog(keylogFromLogs(logs).entries));
  return {
    "openvpn.keylog": kl,
    "openvpn.tls_crypt_key": join(OVPN, "keys", "tls-crypt.key"),
    "openvpn.static_key": join(OVPN, "keys", "static.key"),
  };
}

let rnd = 4242;
function rand(n: number): number {
  rnd = (rnd * 1103515245 + 12345) & 0x7fffffff;
  return rnd % n;
}

/** Mutate only the OpenVPN part (after Ethernet/IP/UDP or TCP headers) so the packet still reaches OpenVPN. */
function mutate(fr: Frame, start: number): Uint8Array {
  const b = Uint8Array.from(fr.data);
  const n = b.length - start;
  if (n <= 0) return b;
  switch (rand(6)) {
    case 0: // flip bits
      for (let i = 0, k = 1 + rand(4); i < k; i++) b[start + rand(n)] ^= 1 << rand(8);
      return b;
    case 1: // truncate
      return b.subarray(0, start + rand(n));
    case 2: // opcode / key-id byte
      b[start + (fr.data[23] === 6 ? 2 : 0)] = rand(256);
      return b;
    case 3: { // extend with junk
      const out = new Uint8Array(b.length + 1 + rand(64));
      out.set(b);
      for (let i = b.length; i < out.length; i++) out[i] = rand(256);
      return out;
    }
    case 4: // a lying TCP length prefix / a zeroed region
      b[start] = rand(256);
      b[start + 1 < b.length ? start + 1 : start] = rand(256);
      return b;
    default: // overwrite a run
      for (let i = start + rand(n), k = 0; i < b.length && k < 8; i++, k++) b[i] = rand(256);
      return b;
  }
}

describe.skipIf(!have)("OpenVPN decryption fuzz", () => {
  test("mutated fixture packets with keys loaded never throw; nothing unauthenticated is shown", () => {
    const p = prefs();
    const wanted = ["openvpn.data.authenticated", "openvpn.decryption_failed", "ip.src", "openvpn.tls_crypt.authenticated"].map((x) => fieldByAbbrev(x)!);
    let frames = 0, authed = 0, failed = 0, tcOk = 0;
    for (const s of SCEN) {
      const real = readCaptureSync(join(OVPN, `${s}.pcap`)).frames;
      for (let round = 0; round < 6; round++) {
        // a fresh session per round (state: conversations, TCP streams, key hits), full tree on odd rounds
        const d = new Dissector({ wanted, tree: round % 2 === 1, columns: round % 3 === 0 }, new Session({ prefs: p }));
        for (const fr of real) {
          const isUdp = fr.data.length > 42 && fr.data[23] === 17;
          const isTcp = fr.data.length > 54 && fr.data[23] === 6;
          const start = isUdp ? 42 : isTcp ? 34 + ((fr.data[46] >> 4) * 4) : fr.data.length;
          const data = rand(3) === 0 ? fr.data : mutate(fr, start);
          const r = d.dissect({ ...fr, data, caplen: data.length, len: data.length });
          frames++;
          const a = r.tree.get(wanted[0]).length;
          authed += a;
          failed += r.tree.get(wanted[1]).length;
          tcOk += r.tree.get(wanted[3]).length;
          // every decrypted source is backed by an authenticated mark (never plaintext without it)
          const dec = r.pinfo.sources.filter((x) => x.name.startsWith("Decrypted OpenVPN data")).length;
          expect(dec).toBe(a);
        }
      }
    }
    console.log(`decrypt fuzz: ${frames} frames, ${authed} data packets authenticated, ${failed} failed authentication, ${tcOk} tls-crypt authenticated`);
    expect(failed).toBeGreaterThan(50);
    expect(authed).toBeGreaterThan(50);
  });

  test("random payloads on UDP/TCP 1194 with keys loaded never throw", () => {
    const p = prefs();
    const d = new Dissector({ tree: true, columns: true }, new Session({ prefs: p }));
    const udp = (payload: Uint8Array, sport: number): Uint8Array => {
      const total = 28 + payload.length;
      const h = [2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 8, 0, 0x45, 0, total >> 8, total & 255, 0, 1, 0, 0, 64, 17, 0, 0, 10, 98, 0, 1, 10, 98, 0, 2,
        sport >> 8, sport & 255, 4, 0xaa, (8 + payload.length) >> 8, (8 + payload.length) & 255, 0, 0];
      const out = new Uint8Array(h.length + payload.length);
      out.set(h);
      out.set(payload, h.length);
      return out;
    };
    let n = 0;
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 300 }), fc.integer({ min: 0, max: 31 }), fc.integer({ min: 1024, max: 65535 }), (payload, op, sport) => {
        if (payload.length > 0) payload[0] = (op << 3) | (payload[0] & 7);
        const data = udp(payload, sport);
        d.dissect({ num: ++n, tsSec: 1795603936, tsNsec: 0, caplen: data.length, len: data.length, data, linkType: 1, interfaceId: 0 });
      }),
      { numRuns: 1500, seed: 99 },
    );
  });
});
