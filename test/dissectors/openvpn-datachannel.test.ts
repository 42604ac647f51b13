/**
 * Unit tests of the OpenVPN crypto pieces: the data-channel codec
 * (src/openvpn/datachannel.ts) in both directions for every cipher, checked
 * against real packets of the fixtures with keys read from the OpenVPN logs; the
 * tls-crypt wrap/unwrap; static key files; the key-log parser/printer; the
 * OpenVPN-log → key-log converter.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { readCaptureSync } from "../../src/capture/reader.js";
import {
  DATA_CIPHERS, dataKeyFromKeyMaterial, decryptData, encryptData, isAead, OCC_MAGIC, PING_MAGIC, startsWith, type DataAuth, type DataKey,
} from "../../src/openvpn/datachannel.js";
import { keylogFromLogs } from "../../src/openvpn/fromlog.js";
import { formatEndpoint, formatKeyLog, KeyLogError, parseEndpoint, parseKeyLog, type DataEntry } from "../../src/openvpn/keylog.js";
import { KeyFileError, keySlot, parseStaticKeyFile, splitKeyArg } from "../../src/openvpn/static.js";
import { tlsCryptKeyFromSlot, tlsCryptUnwrap, tlsCryptWrap } from "../../src/openvpn/tlscrypt.js";
import { FIXTURES } from "../helpers/tshark.js";

const OVPN = join(FIXTURES, "openvpn");
const have = existsSync(join(OVPN, "tls-udp.pcap"));
const hexb = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ""), "hex"));
const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

let seed = 7;
function bytes(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    b[i] = seed >>> 16;
  }
  return b;
}

function keyFor(cipher: DataKey["cipher"], auth: DataAuth = "SHA256", staticMode = false): DataKey {
  return dataKeyFromKeyMaterial(cipher, auth, bytes(128), staticMode);
}

describe("data-channel codec round trips", () => {
  const V2 = Uint8Array.from([0x48, 0, 0, 7]);
  const V1 = Uint8Array.from([0x30]);
  for (const cipher of DATA_CIPHERS) {
    for (const auth of isAead(cipher) ? (["SHA256"] as DataAuth[]) : (["SHA1", "SHA256", "SHA384", "SHA512"] as DataAuth[])) {
      test(`${cipher}${isAead(cipher) ? "" : "/" + auth}: encrypt → decrypt, any length, V1 and V2 headers`, () => {
        const k = keyFor(cipher, auth);
        for (const len of [0, 1, 15, 16, 17, 84, 1400]) {
          for (const h of [V1, V2]) {
            const pt = bytes(len);
            const body = encryptData(k, h, 1000 + len, pt);
            const r = decryptData(k, h, body);
            expect(r.ok).toBe(true);
            if (r.ok) {
              expect(hex(r.plaintext)).toBe(hex(pt));
              expect(r.packetId).toBe(1000 + len);
            }
            if (isAead(cipher)) {
              expect(body.length).toBe(4 + 16 + len);
              // the packet-id is in clear, first
              expect(Buffer.from(body.subarray(0, 4)).readUInt32BE(0)).toBe(1000 + len);
            } else {
              const hl = { SHA1: 20, SHA256: 32, SHA384: 48, SHA512: 64 }[auth];
              expect((body.length - hl - 16) % 16).toBe(0);
            }
          }
        }
      });
    }
    test(`${cipher}: tampering anywhere fails authentication and yields no plaintext`, () => {
      const k = keyFor(cipher);
      const pt = bytes(100);
      const body = encryptData(k, V2, 5, pt);
      for (let i = 0; i < body.length; i += 7) {
        const bad = Uint8Array.from(body);
        bad[i] ^= 0x80;
        const r = decryptData(k, V2, bad);
        expect(r.ok, `flip at ${i}`).toBe(false);
        expect("plaintext" in r).toBe(false);
      }
      // truncated, empty
      expect(decryptData(k, V2, body.subarray(0, body.length - 1)).ok).toBe(false);
      expect(decryptData(k, V2, new Uint8Array(0)).ok).toBe(false);
      expect(decryptData(k, V2, body.subarray(0, 19)).ok).toBe(false);
      // another key
      expect(decryptData(keyFor(cipher), V2, body).ok).toBe(false);
    });
  }

  test("AEAD: the P_DATA_V2 header (op, key-id, peer-id) is authenticated; V1's opcode is not part of the AAD", () => {
    const k = keyFor("AES-256-GCM");
    const body = encryptData(k, V2, 9, bytes(40));
    expect(decryptData(k, Uint8Array.from([0x48, 0, 0, 8]), body).ok).toBe(false);
    expect(decryptData(k, Uint8Array.from([0x49, 0, 0, 7]), body).ok).toBe(false);
    const b1 = encryptData(k, V1, 9, bytes(40));
    expect(decryptData(k, Uint8Array.from([0x31]), b1).ok).toBe(true);
  });

  test("CBC: the HMAC covers IV and ciphertext, not the header; static mode carries packet-id and net time", () => {
    const k = keyFor("AES-256-CBC");
    const iv = bytes(16);
    const body = encryptData(k, V2, 3, bytes(20), { iv });
    expect(hex(body.subarray(32, 48))).toBe(hex(iv));
    expect(decryptData(k, Uint8Array.from([0x48, 0, 0, 9]), body).ok).toBe(true);
    const ks = keyFor("AES-256-CBC", "SHA256", true);
    const sb = encryptData(ks, new Uint8Array(0), 77, bytes(10), { netTime: 1795603936 });
    const r = decryptData(ks, new Uint8Array(0), sb);
    expect(r.ok && r.packetId === 77 && r.netTime === 1795603936).toBe(true);
  });

  test("bad keys throw RangeError, bad packet-ids too", () => {
    expect(() => encryptData({ cipher: "AES-256-GCM", cipherKey: new Uint8Array(16), implicitIv: new Uint8Array(8) }, V2, 1, bytes(1))).toThrow(RangeError);
    expect(() => encryptData({ cipher: "AES-128-GCM", cipherKey: new Uint8Array(16) }, V2, 1, bytes(1))).toThrow(RangeError);
    expect(() => encryptData({ cipher: "AES-128-CBC", cipherKey: new Uint8Array(16) }, V2, 1, bytes(1))).toThrow(RangeError);
    expect(() => encryptData(keyFor("AES-256-GCM"), V2, -1, bytes(1))).toThrow(RangeError);
    expect(() => dataKeyFromKeyMaterial("AES-256-GCM", undefined, new Uint8Array(64))).toThrow(RangeError);
  });

  test("dataKeyFromKeyMaterial: cipher key from the first half, HMAC key / implicit IV from the second", () => {
    const slot = bytes(128);
    const g = dataKeyFromKeyMaterial("AES-128-GCM", undefined, slot);
    expect(hex(g.cipherKey)).toBe(hex(slot.subarray(0, 16)));
    expect(hex(g.implicitIv!)).toBe(hex(slot.subarray(64, 72)));
    const c = dataKeyFromKeyMaterial("AES-256-CBC", "SHA512", slot);
    expect(hex(c.cipherKey)).toBe(hex(slot.subarray(0, 32)));
    expect(hex(c.hmacKey!)).toBe(hex(slot.subarray(64, 128)));
  });
});

describe.skipIf(!have)("data-channel codec against the fixtures (keys from the --verb 9 logs)", () => {
  const udpPayloads = (file: string): { src: number; b: Uint8Array }[] =>
    readCaptureSync(file).frames.filter((f) => f.data.length > 42 && f.data[23] === 17).map((f) => ({ src: f.data[29], b: f.data.subarray(42) }));

  test("tls-udp (AES-256-GCM): the log's ENCRYPT IV is packet-id ‖ implicit IV, and re-encrypting reproduces the wire bytes", () => {
    const log = readFileSync(join(OVPN, "tls-udp-client.log"), "utf8");
    const ck = /Outgoing Data Channel: CIPHER KEY: ([0-9a-f ]+)\n/.exec(log)![1];
    const iv = /ENCRYPT IV: 00000001 ([0-9a-f]{8} [0-9a-f]{8})/.exec(log)![1];
    const k: DataKey = { cipher: "AES-256-GCM", cipherKey: hexb(ck), implicitIv: hexb(iv) };
    let n = 0;
    for (const p of udpPayloads(join(OVPN, "tls-udp.pcap"))) {
      if (p.src !== 1 || p.b[0] >> 3 !== 9) continue;
      const r = decryptData(k, p.b.subarray(0, 4), p.b.subarray(4));
      expect(r.ok).toBe(true);
      if (!r.ok) continue;
      expect(r.plaintext[0] >> 4).toBe(4);
      // AEAD is deterministic for a given nonce: encrypting again gives the same bytes
      expect(hex(encryptData(k, p.b.subarray(0, 4), r.packetId, r.plaintext))).toBe(hex(p.b.subarray(4)));
      n++;
    }
    expect(n).toBeGreaterThan(5);
  });

  test("static-udp (AES-256-CBC/SHA256): key slots from keys/static.key, direction 1 on the client", () => {
    const raw = parseStaticKeyFile(readFileSync(join(OVPN, "keys", "static.key"), "utf8"));
    const out = dataKeyFromKeyMaterial("AES-256-CBC", "SHA256", keySlot(raw, 1), true);
    const inn = dataKeyFromKeyMaterial("AES-256-CBC", "SHA256", keySlot(raw, 0), true);
    let ok = 0, all = 0;
    for (const p of udpPayloads(join(OVPN, "static-udp.pcap"))) {
      all++;
      const r = decryptData(p.src === 1 ? out : inn, new Uint8Array(0), p.b);
      expect(r.ok).toBe(true);
      if (r.ok) {
        ok++;
        expect(r.netTime).toBeGreaterThan(1.7e9);
        expect(r.plaintext[0] >> 4 === 4 || startsWith(r.plaintext, OCC_MAGIC) || startsWith(r.plaintext, PING_MAGIC)).toBe(true);
      }
      // the other slot never authenticates
      expect(decryptData(p.src === 1 ? inn : out, new Uint8Array(0), p.b).ok).toBe(false);
    }
    expect(ok).toBe(all);
    expect(all).toBeGreaterThan(10);
  });

  test("tls-crypt: the key file's slots authenticate every control packet (client: slot 1 out, slot 0 in)", () => {
    const raw = parseStaticKeyFile(readFileSync(join(OVPN, "keys", "tls-crypt.key"), "utf8"));
    let n = 0;
    for (const p of udpPayloads(join(OVPN, "tls-crypt.pcap"))) {
      const op = p.b[0] >> 3;
      if (op === 6 || op === 9) continue;
      const key = tlsCryptKeyFromSlot(keySlot(raw, p.src === 1 ? 1 : 0));
      const r = tlsCryptUnwrap(key, p.b);
      expect(r.ok, `opcode ${op}`).toBe(true);
      if (r.ok) {
        // re-wrapping gives the same packet (the tag is a deterministic HMAC, the IV is the tag)
        expect(hex(tlsCryptWrap(key, p.b.subarray(0, 17), r.plaintext))).toBe(hex(p.b));
        n++;
      }
      expect(tlsCryptUnwrap(tlsCryptKeyFromSlot(keySlot(raw, p.src === 1 ? 0 : 1)), p.b).ok).toBe(false);
    }
    expect(n).toBeGreaterThanOrEqual(14);
  });

  test("keylog from the logs: reneg has key-ids 0, 1, 2 in both directions with endpoints and implicit IVs", () => {
    const r = keylogFromLogs(["client", "server"].map((w) => ({ name: w, text: readFileSync(join(OVPN, `reneg-${w}.log`), "utf8") })));
    const data = r.entries.filter((e): e is DataEntry => e.kind === "DATA");
    expect(data.map((e) => e.keyId).sort()).toEqual([0, 0, 1, 1, 2, 2]);
    for (const e of data) {
      expect(e.key.implicitIv).toHaveLength(8);
      expect(formatEndpoint(e.src)).toMatch(/^10\.98\.0\.[12]:\d+$/);
      expect(formatEndpoint(e.dst)).toMatch(/^10\.98\.0\.[12]:\d+$/);
    }
    expect(r.entries.filter((e) => e.kind === "TLS-CRYPT" && e.dynamic)).toHaveLength(2);
    // the client log alone: its own port is unknown ("not bound") → wildcard
    const c = keylogFromLogs([{ name: "client", text: readFileSync(join(OVPN, "tls-udp-client.log"), "utf8") }]);
    const out = c.entries.find((e) => e.kind === "DATA" && formatEndpoint(e.dst) === "10.98.0.2:1194")!;
    expect(formatEndpoint(out.src)).toBe("*");
    // a --verb 7 log has no implicit IV: GCM keys are left out with a note
    const v7 = readFileSync(join(OVPN, "tls-udp-client.log"), "utf8").split("\n").filter((l) => !/ENCRYPT IV|DECRYPT IV/.test(l)).join("\n");
    const r7 = keylogFromLogs([{ name: "v7", text: v7 }]);
    expect(r7.entries.filter((e) => e.kind === "DATA")).toHaveLength(0);
    expect(r7.notes.join("\n")).toMatch(/implicit IV/);
  });
});

describe("key log format", () => {
  const K32 = "11".repeat(32);
  test("parse ↔ format round trip, comments, wildcards, IPv6", () => {
    const text = [
      "# a comment",
      "",
      `DATA src=10.0.0.1:1194 dst=[fd00::2]:5000 key-id=3 peer-id=7 session=0102030405060708 cipher=aes-256-gcm key=${K32} iv=0011223344556677  # trailing comment`,
      `DATA src=* dst=10.0.0.2:* key-id=0 cipher=AES-128-CBC auth=SHA1 key=${"22".repeat(16)} hmac=${"33".repeat(20)}`,
      `STATIC src=*:1194 dst=* cipher=AES-256-CBC auth=SHA256 key=${K32} hmac=${K32}`,
      `TLS-CRYPT src=* dst=* type=dynamic key=${K32} hmac=${K32}`,
    ].join("\n");
    const es = parseKeyLog(text);
    expect(es.map((e) => e.kind)).toEqual(["DATA", "DATA", "STATIC", "TLS-CRYPT"]);
    expect(es.map((e) => e.line)).toEqual([3, 4, 5, 6]);
    const d = es[0] as DataEntry;
    expect(d.keyId).toBe(3);
    expect(d.peerId).toBe(7);
    expect(d.key.cipher).toBe("AES-256-GCM");
    expect(formatEndpoint(d.dst)).toBe("[fd00::2]:5000");
    const again = parseKeyLog(formatKeyLog(es));
    expect(formatKeyLog(again)).toBe(formatKeyLog(es));
  });

  test("endpoints", () => {
    expect(parseEndpoint("10.1.2.3:1194")).toEqual({ addr: Uint8Array.from([10, 1, 2, 3]), port: 1194 });
    expect(parseEndpoint("*")).toEqual({ addr: null, port: -1 });
    expect(parseEndpoint("*:53")).toEqual({ addr: null, port: 53 });
    expect(formatEndpoint(parseEndpoint("[2001:db8::1:0:0:1]:1")!)).toBe("[2001:db8::1:0:0:1]:1");
    expect(formatEndpoint(parseEndpoint("[::1]:*")!)).toBe("[::1]:*");
    for (const bad of ["10.1.2.300:1", "10.1.2.3:70000", "[fd00::1", "host:1", "1:2:3"]) expect(parseEndpoint(bad), bad).toBeNull();
  });

  test("bad lines: a KeyLogError naming the line", () => {
    const cases: [string, RegExp][] = [
      ["FOO src=*", /:1: unknown line type "FOO"/],
      [`DATA key-id=0 cipher=AES-256-GCM key=${K32}`, /:1: DATA line without iv=/],
      [`DATA key-id=9 cipher=AES-256-GCM key=${K32} iv=0011223344556677`, /key-id must be a number 0\.\.7/],
      [`DATA key-id=0 cipher=BF-CBC key=${K32} iv=00`, /unknown cipher "BF-CBC"/],
      [`DATA key-id=0 cipher=AES-256-CBC auth=MD5 key=${K32} hmac=${K32}`, /unknown auth "MD5"/],
      [`DATA key-id=0 cipher=AES-256-GCM key=${K32} iv=0011`, /iv .* must be 8 bytes/],
      [`DATA key-id=0 cipher=AES-256-GCM key=xyz iv=0011223344556677`, /key is not an even number of hex digits/],
      [`DATA key-id=0 src=nowhere cipher=AES-256-GCM key=${K32} iv=0011223344556677`, /src=nowhere is not an endpoint/],
      [`DATA key-id=0 key-id=1`, /"key-id" given twice/],
      [`DATA bogus`, /"bogus" is not name=value/],
      [`STATIC cipher=AES-256-GCM key=${K32} iv=0011223344556677`, /unknown name "iv"/],
      [`TLS-CRYPT key=${K32} hmac=00`, /hmac must be 32 bytes/],
    ];
    for (const [line, re] of cases) {
      let err: unknown;
      try {
        parseKeyLog(`# x\n${line}`, "kl");
      } catch (e) {
        err = e;
      }
      expect(err, line).toBeInstanceOf(KeyLogError);
      expect((err as Error).message, line).toMatch(/^kl:2: /);
      expect((err as Error).message.replace(/:1:/, ":2:"), line).toMatch(new RegExp(re.source.replace(":1:", ":2:")));
    }
  });
});

describe("static key files", () => {
  test("parse, slots, direction argument", () => {
    const body = Array.from({ length: 16 }, (_, i) => i.toString(16).padStart(2, "0").repeat(16)).join("\n");
    const k = parseStaticKeyFile(`#\n# 2048 bit OpenVPN static key\n#\n-----BEGIN OpenVPN Static key V1-----\n${body}\n-----END OpenVPN Static key V1-----\n`);
    expect(k).toHaveLength(256);
    expect(keySlot(k, 1)[0]).toBe(8);
    expect(splitKeyArg("/a/b.key:1")).toEqual({ path: "/a/b.key", direction: 1 });
    expect(splitKeyArg("/a/b.key")).toEqual({ path: "/a/b.key", direction: undefined });
    expect(() => parseStaticKeyFile("nothing")).toThrow(KeyFileError);
    expect(() => parseStaticKeyFile("-----BEGIN OpenVPN Static key V1-----\n00\n-----END OpenVPN Static key V1-----")).toThrow(/1 bytes, expected 256/);
  });
});
