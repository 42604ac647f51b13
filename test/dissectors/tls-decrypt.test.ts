/**
 * TLS decryption's parts (src/tls/decrypt.ts): key derivation against RFC 8448's published
 * trace, key log parsing, suite parameters, and record decryption against records sealed
 * here with node:crypto as RFC 8446 / RFC 5246 describe (an encoder written apart from the
 * decoder). Whole captures from curl and openssl, against tshark, are in
 * test/e2e/https-capture.test.ts.
 */
import { createCipheriv, createHmac, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { appendFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expandLabel, innerPlaintext, KeyLogFile, parseKeyLog, prf, RecordDecoder, suiteParams } from "../../src/tls/decrypt.js";

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ""), "hex");

describe("key derivation", () => {
  it("HKDF-Expand-Label gives RFC 8448's server handshake key and IV (simple 1-RTT handshake)", () => {
    const secret = hex("b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38");
    expect(Buffer.from(expandLabel("sha256", secret, "key", 16)).toString("hex")).toBe("3fce516009c21727d0f2e4e86ee403bc");
    expect(Buffer.from(expandLabel("sha256", secret, "iv", 12)).toString("hex")).toBe("5d313eb2671276ee13000b30");
  });

  it("the TLS 1.2 PRF is P_hash: HMAC(secret, A(i) + seed), A(i) = HMAC(secret, A(i-1))", () => {
    const secret = randomBytes(48), seed = randomBytes(64);
    const s = Buffer.concat([Buffer.from("key expansion"), seed]);
    const a1 = createHmac("sha256", secret).update(s).digest();
    const a2 = createHmac("sha256", secret).update(a1).digest();
    const want = Buffer.concat([createHmac("sha256", secret).update(a1).update(s).digest(), createHmac("sha256", secret).update(a2).update(s).digest()]);
    expect(Buffer.from(prf("sha256", secret, "key expansion", seed, 40))).toEqual(want.subarray(0, 40));
  });
});

describe("key log", () => {
  it("reads the SSLKEYLOGFILE labels by client random and skips anything else", () => {
    const cr = "ab".repeat(32);
    const m = parseKeyLog([
      "# SSL/TLS secrets log file",
      `CLIENT_RANDOM ${cr} ${"11".repeat(48)}`,
      `CLIENT_HANDSHAKE_TRAFFIC_SECRET ${cr.toUpperCase()} ${"22".repeat(32)}`,
      `SERVER_TRAFFIC_SECRET_0 ${cr} ${"33".repeat(48)}`,
      `EXPORTER_SECRET ${cr} ${"44".repeat(32)}`,
      `CLIENT_RANDOM ${"cd".repeat(31)} ${"55".repeat(48)}`, // a random that is too short
      "garbage line",
    ].join("\r\n"));
    expect([...m.keys()]).toEqual([cr]);
    const s = m.get(cr)!;
    expect(Buffer.from(s.master!).toString("hex")).toBe("11".repeat(48));
    expect(Buffer.from(s.clientHs!).toString("hex")).toBe("22".repeat(32));
    expect(Buffer.from(s.server0!).toString("hex")).toBe("33".repeat(48));
    expect(s.serverHs).toBeUndefined();
  });
});

describe("key log file", () => {
  it("is read again when it has grown (a live capture while the browser or curl writes it)", () => {
    const file = join(mkdtempSync(join(tmpdir(), "nestcap-keylog-")), "keys.log");
    writeFileSync(file, "# empty for now\n");
    const k = new KeyLogFile(file);
    const cr = Buffer.alloc(32, 7);
    expect(k.get(cr)).toBeUndefined();
    appendFileSync(file, `CLIENT_RANDOM ${cr.toString("hex")} ${"ab".repeat(48)}\n`);
    expect(Buffer.from(k.get(cr)!.master!).toString("hex")).toBe("ab".repeat(48));
    // secrets given in memory stay across re-reads
    const other = Buffer.alloc(32, 9);
    k.add(`CLIENT_TRAFFIC_SECRET_0 ${other.toString("hex")} ${"cd".repeat(32)}`);
    appendFileSync(file, "# more\n");
    expect(k.get(Buffer.alloc(32, 1))).toBeUndefined(); // a miss re-reads the changed file
    expect(k.get(other)?.client0).toBeDefined();
  });
});

describe("suites", () => {
  it("are read off their names; those nestcap cannot decrypt give null", () => {
    expect(suiteParams(0x1301)).toMatchObject({ mode: "gcm", keyLen: 16, hash: "sha256", tagLen: 16 });
    expect(suiteParams(0x1302)).toMatchObject({ mode: "gcm", keyLen: 32, hash: "sha384" });
    expect(suiteParams(0x1303)).toMatchObject({ mode: "chacha", keyLen: 32, ivLen: 12 });
    expect(suiteParams(0x1305)).toMatchObject({ mode: "ccm", tagLen: 8 });
    expect(suiteParams(0xc02b)).toMatchObject({ mode: "gcm", keyLen: 16, ivLen: 4, hash: "sha256" });
    expect(suiteParams(0xc014)).toMatchObject({ mode: "cbc", keyLen: 32, mac: "sha1", macLen: 20, hash: "sha256" });
    expect(suiteParams(0xc028)).toMatchObject({ mode: "cbc", mac: "sha384", macLen: 48, hash: "sha384" });
    expect(suiteParams(0x0005)).toBeNull(); // RC4
    expect(suiteParams(0x000a)).toBeNull(); // 3DES
    expect(suiteParams(0xffff)).toBeNull();
  });
});

/** A TLS 1.3 record sealed as RFC 8446 section 5.2 says (AES-128-GCM). */
function seal13(key: Buffer, iv: Buffer, seq: number, type: number, content: Buffer, pad: number): Buffer {
  const inner = Buffer.concat([content, Buffer.of(type), Buffer.alloc(pad)]);
  const hdr = Buffer.from([23, 3, 3, 0, 0]);
  hdr.writeUInt16BE(inner.length + 16, 3);
  const nonce = Buffer.from(iv);
  nonce.writeUInt32BE((nonce.readUInt32BE(8) ^ seq) >>> 0, 8);
  const c = createCipheriv("aes-128-gcm", key, nonce);
  c.setAAD(hdr);
  const ct = Buffer.concat([c.update(inner), c.final(), c.getAuthTag()]);
  return Buffer.concat([hdr, ct]);
}

/** A TLS 1.2 AES-CBC record, MAC then encrypt (RFC 5246 section 6.2.3.2), HMAC-SHA256. */
function sealCbc(key: Buffer, macKey: Buffer, seq: number, type: number, content: Buffer): Buffer {
  const macIn = Buffer.alloc(13);
  macIn.writeBigUInt64BE(BigInt(seq), 0);
  macIn[8] = type;
  macIn.writeUInt16BE(0x0303, 9);
  macIn.writeUInt16BE(content.length, 11);
  const mac = createHmac("sha256", macKey).update(macIn).update(content).digest();
  const body = Buffer.concat([content, mac]);
  const padLen = 15 - (body.length % 16);
  const iv = randomBytes(16);
  const c = createCipheriv("aes-128-cbc", key, iv).setAutoPadding(false);
  const ct = Buffer.concat([c.update(Buffer.concat([body, Buffer.alloc(padLen + 1, padLen)])), c.final()]);
  const rec = Buffer.concat([Buffer.from([type, 3, 3, 0, 0]), iv, ct]);
  rec.writeUInt16BE(rec.length - 5, 3);
  return rec;
}

describe("records", () => {
  it("TLS 1.3: opens records in sequence; the inner type comes out from under the padding; a forgery fails", () => {
    const p = suiteParams(0x1301)!;
    const secret = randomBytes(32);
    const key = Buffer.from(expandLabel("sha256", secret, "key", 16)), iv = Buffer.from(expandLabel("sha256", secret, "iv", 12));
    const d = RecordDecoder.tls13(p, secret);
    const r0 = seal13(key, iv, 0, 22, Buffer.from("handshake bytes"), 0);
    const r1 = seal13(key, iv, 1, 23, Buffer.from("GET / HTTP/1.1\r\n\r\n"), 7);
    const pt0 = d.decrypt(r0.subarray(0, 5), r0.subarray(5))!;
    expect(innerPlaintext(pt0)).toEqual({ type: 22, len: 15 });
    const pt1 = d.decrypt(r1.subarray(0, 5), r1.subarray(5))!;
    const inner = innerPlaintext(pt1)!;
    expect(inner.type).toBe(23);
    expect(Buffer.from(pt1.subarray(0, inner.len)).toString()).toBe("GET / HTTP/1.1\r\n\r\n");
    // the same record again is out of sequence (nonce of seq 2): authentication fails, no plaintext
    expect(d.decrypt(r1.subarray(0, 5), r1.subarray(5))).toBeNull();
    // a flipped bit in the next record's ciphertext
    const r3 = seal13(key, iv, 3, 23, Buffer.from("x"), 0);
    r3[7] ^= 1;
    expect(d.decrypt(r3.subarray(0, 5), r3.subarray(5))).toBeNull();
    // after a KeyUpdate the keys come from HKDF-Expand-Label(secret, "traffic upd")
    const next = Buffer.from(expandLabel("sha256", secret, "traffic upd", 32));
    const u = d.updated();
    const r = seal13(Buffer.from(expandLabel("sha256", next, "key", 16)), Buffer.from(expandLabel("sha256", next, "iv", 12)), 0, 23, Buffer.from("after"), 0);
    expect(Buffer.from(u.decrypt(r.subarray(0, 5), r.subarray(5))!).subarray(0, 5).toString()).toBe("after");
  });

  it("TLS 1.2 AES-CBC, MAC then encrypt: the keys from the key block, padding and MAC checked", () => {
    const p = suiteParams(0xc027)!; // TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256
    const master = randomBytes(48), cr = randomBytes(32), sr = randomBytes(32);
    const kb = Buffer.from(prf("sha256", master, "key expansion", Buffer.concat([sr, cr]), 2 * (32 + 16 + 16)));
    // client_MAC, server_MAC, client_key, server_key
    const serverMac = kb.subarray(32, 64), serverKey = kb.subarray(80, 96);
    const d = RecordDecoder.tls12(p, master, cr, sr, false, false);
    const r0 = sealCbc(serverKey, serverMac, 0, 22, Buffer.from("finished message"));
    const r1 = sealCbc(serverKey, serverMac, 1, 23, Buffer.from("HTTP/1.1 200 OK\r\n\r\n"));
    expect(Buffer.from(d.decrypt(r0.subarray(0, 5), r0.subarray(5))!).toString()).toBe("finished message");
    expect(Buffer.from(d.decrypt(r1.subarray(0, 5), r1.subarray(5))!).toString()).toBe("HTTP/1.1 200 OK\r\n\r\n");
    // the client's keys do not open the server's records
    const c = RecordDecoder.tls12(p, master, cr, sr, true, false);
    expect(c.decrypt(r0.subarray(0, 5), r0.subarray(5))).toBeNull();
  });
});
