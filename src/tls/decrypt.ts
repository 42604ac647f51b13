/**
 * TLS record decryption from a key log (the NSS format SSLKEYLOGFILE writes, which
 * tshark reads with `-o tls.keylog_file:FILE`): TLS 1.2 from CLIENT_RANDOM master
 * secrets, TLS 1.3 from the handshake and traffic secrets.
 *
 * Ciphers: AES-GCM, AES-CCM, ChaCha20-Poly1305 (TLS 1.2 and 1.3), and AES-CBC with
 * HMAC (TLS 1.2, MAC-then-encrypt or encrypt_then_mac). The suite's parameters are
 * read off its IANA name (CIPHER_SUITES), so any suite built of these parts works.
 *
 * Key derivations: RFC 5246 section 5 (PRF, key block) and RFC 8446 section 7
 * (HKDF-Expand-Label, traffic keys, key update).
 */
import { createDecipheriv, createHmac, timingSafeEqual } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { CIPHER_SUITES } from "./names.js";

/** The secrets of one TLS session, keyed in the log by the ClientHello's random. */
export interface TlsSecrets {
  master?: Uint8Array;
  clientHs?: Uint8Array;
  serverHs?: Uint8Array;
  client0?: Uint8Array;
  server0?: Uint8Array;
}

const LABELS: Record<string, keyof TlsSecrets> = {
  CLIENT_RANDOM: "master",
  CLIENT_HANDSHAKE_TRAFFIC_SECRET: "clientHs",
  SERVER_HANDSHAKE_TRAFFIC_SECRET: "serverHs",
  CLIENT_TRAFFIC_SECRET_0: "client0",
  SERVER_TRAFFIC_SECRET_0: "server0",
};

/** Parse an NSS key log: "LABEL <client random hex> <secret hex>" lines; others are ignored (as tshark). */
export function parseKeyLog(text: string): Map<string, TlsSecrets> {
  const m = new Map<string, TlsSecrets>();
  for (const line of text.split(/\r?\n/)) {
    const p = line.trim().split(/\s+/);
    if (p.length !== 3) continue;
    const k = LABELS[p[0]];
    if (k === undefined || !/^[0-9a-fA-F]{64}$/.test(p[1]) || !/^(?:[0-9a-fA-F]{2})+$/.test(p[2])) continue;
    const cr = p[1].toLowerCase();
    let s = m.get(cr);
    if (s === undefined) m.set(cr, (s = {}));
    s[k] = Buffer.from(p[2], "hex");
  }
  return m;
}

/**
 * A key log file, read when first needed and again when it has changed (a capture read
 * while the browser or curl that writes the log is still running), as tshark does.
 */
export class KeyLogFile {
  private map = new Map<string, TlsSecrets>();
  private mtime = -1;
  private size = -1;
  /** Secrets handed over in memory (nestcap tunnel --inspect), kept across re-reads. */
  private readonly extra: string[] = [];
  /** `path` null: in memory only. */
  constructor(readonly path: string | null) {}

  get(clientRandom: Uint8Array): TlsSecrets | undefined {
    const k = Buffer.from(clientRandom).toString("hex");
    let s = this.map.get(k);
    if (s === undefined && this.refresh()) s = this.map.get(k);
    return s;
  }

  /** One SSLKEYLOGFILE line, given in memory. */
  add(line: string): void {
    this.extra.push(line);
    for (const [k, v] of parseKeyLog(line)) this.map.set(k, { ...this.map.get(k), ...v });
  }

  private refresh(): boolean {
    if (this.path === null) return false;
    try {
      const st = statSync(this.path);
      if (st.mtimeMs === this.mtime && st.size === this.size) return false;
      this.mtime = st.mtimeMs;
      this.size = st.size;
      this.map = parseKeyLog(readFileSync(this.path, "utf8") + "\n" + this.extra.join("\n"));
      return true;
    } catch {
      return false;
    }
  }
}

export type CipherMode = "gcm" | "ccm" | "chacha" | "cbc";

/** What a cipher suite needs for decryption. */
export interface SuiteParams {
  mode: CipherMode;
  /** Node's cipher name. */
  cipher: string;
  keyLen: number;
  /** Fixed IV bytes from the key block (TLS 1.2: 4 for GCM/CCM, 12 for ChaCha20, 16 for CBC (unused in 1.1+)). */
  ivLen: number;
  /** AEAD tag length. */
  tagLen: number;
  /** HMAC hash for CBC suites ("" for AEAD). */
  mac: string;
  macLen: number;
  /** PRF / HKDF hash. */
  hash: "sha256" | "sha384";
}

const MAC_LEN: Record<string, number> = { sha1: 20, sha256: 32, sha384: 48, md5: 16 };

/** The decryption parameters of a suite, from its name; null for a suite nestcap cannot decrypt. */
export function suiteParams(suite: number): SuiteParams | null {
  const name = CIPHER_SUITES[suite];
  if (name === undefined) return null;
  const m = /(?:WITH_|^TLS_)(AES_128|AES_256|CHACHA20_POLY1305)(?:_(GCM|CBC|CCM_8|CCM))?_(SHA|SHA256|SHA384|MD5)$/.exec(name);
  if (m === null) return null;
  const [, alg, modeName, hashName] = m;
  const hash = hashName === "SHA384" ? "sha384" : "sha256";
  if (alg === "CHACHA20_POLY1305") {
    return { mode: "chacha", cipher: "chacha20-poly1305", keyLen: 32, ivLen: 12, tagLen: 16, mac: "", macLen: 0, hash };
  }
  const bits = alg === "AES_128" ? 128 : 256;
  const keyLen = bits / 8;
  if (modeName === "GCM") return { mode: "gcm", cipher: `aes-${bits}-gcm`, keyLen, ivLen: 4, tagLen: 16, mac: "", macLen: 0, hash };
  if (modeName === "CCM" || modeName === "CCM_8") {
    return { mode: "ccm", cipher: `aes-${bits}-ccm`, keyLen, ivLen: 4, tagLen: modeName === "CCM_8" ? 8 : 16, mac: "", macLen: 0, hash };
  }
  if (modeName === "CBC") {
    const mac = hashName === "SHA" ? "sha1" : hashName.toLowerCase();
    return { mode: "cbc", cipher: `aes-${bits}-cbc`, keyLen, ivLen: 16, tagLen: 0, mac, macLen: MAC_LEN[mac], hash };
  }
  return null;
}

/** HMAC-based expand (RFC 5869 section 2.3). */
function hkdfExpand(hash: string, prk: Uint8Array, info: Uint8Array, len: number): Uint8Array {
  const out = Buffer.alloc(len);
  let t: Uint8Array = new Uint8Array(0);
  let o = 0;
  for (let i = 1; o < len; i++) {
    t = createHmac(hash, prk).update(t).update(info).update(Uint8Array.of(i)).digest();
    const n = Math.min(t.length, len - o);
    out.set(t.subarray(0, n), o);
    o += n;
  }
  return out;
}

/** HKDF-Expand-Label (RFC 8446 section 7.1) with an empty context. */
export function expandLabel(hash: string, secret: Uint8Array, label: string, len: number): Uint8Array {
  const l = Buffer.from("tls13 " + label, "latin1");
  const info = Buffer.alloc(4 + l.length);
  info.writeUInt16BE(len, 0);
  info[2] = l.length;
  l.copy(info, 3);
  info[3 + l.length] = 0;
  return hkdfExpand(hash, secret, info, len);
}

/** The TLS 1.2 PRF (RFC 5246 section 5): P_hash(secret, label + seed). */
export function prf(hash: string, secret: Uint8Array, label: string, seed: Uint8Array, len: number): Uint8Array {
  const s = Buffer.concat([Buffer.from(label, "latin1"), seed]);
  const out = Buffer.alloc(len);
  let a: Uint8Array = s;
  let o = 0;
  while (o < len) {
    a = createHmac(hash, secret).update(a).digest();
    const p = createHmac(hash, secret).update(a).update(s).digest();
    const n = Math.min(p.length, len - o);
    out.set(p.subarray(0, n), o);
    o += n;
  }
  return out;
}

/** One direction's record protection: keys and the record sequence number. */
export class RecordDecoder {
  seq = 0n;
  constructor(
    readonly p: SuiteParams,
    readonly tls13: boolean,
    readonly key: Uint8Array,
    readonly iv: Uint8Array,
    readonly macKey: Uint8Array,
    readonly etm: boolean,
    /** TLS 1.3: the traffic secret these keys came from (for a key update). */
    readonly secret: Uint8Array | null,
  ) {}

  /** TLS 1.3 keys from a traffic secret (RFC 8446 section 7.3). */
  static tls13(p: SuiteParams, secret: Uint8Array): RecordDecoder {
    const key = expandLabel(p.hash, secret, "key", p.keyLen);
    const iv = expandLabel(p.hash, secret, "iv", 12);
    return new RecordDecoder(p, true, key, iv, new Uint8Array(0), false, secret);
  }

  /** The next generation after a KeyUpdate. */
  updated(): RecordDecoder {
    const h = this.p.hash;
    return RecordDecoder.tls13(this.p, expandLabel(h, this.secret!, "traffic upd", h === "sha384" ? 48 : 32));
  }

  /** TLS 1.2 keys of one side from the master secret (RFC 5246 section 6.3). */
  static tls12(p: SuiteParams, master: Uint8Array, clientRandom: Uint8Array, serverRandom: Uint8Array, client: boolean, etm: boolean): RecordDecoder {
    const ivLen = p.mode === "cbc" ? 16 : p.ivLen;
    const n = 2 * (p.macLen + p.keyLen + ivLen);
    const kb = prf(p.hash, master, "key expansion", Buffer.concat([serverRandom, clientRandom]), n);
    let o = 0;
    const take = (len: number, mine: boolean): Uint8Array => {
      const a = kb.subarray(o + (mine ? 0 : len), o + (mine ? len : 2 * len));
      o += 2 * len;
      return a;
    };
    const macKey = take(p.macLen, client);
    const key = take(p.keyLen, client);
    const iv = take(ivLen, client);
    return new RecordDecoder(p, false, key, iv, macKey, etm, null);
  }

  /**
   * Decrypt one record's body (`hdr`: its 5-byte header). Returns the plaintext (TLS 1.3:
   * still with its inner content type and padding), or null when authentication fails.
   * The sequence number moves on either way.
   */
  decrypt(hdr: Uint8Array, body: Uint8Array): Uint8Array | null {
    const seq = this.seq++;
    try {
      return this.tls13 ? this.open13(hdr, body, seq) : this.p.mode === "cbc" ? this.openCbc(hdr, body, seq) : this.open12(hdr, body, seq);
    } catch {
      return null;
    }
  }

  private nonceXor(base: Uint8Array, seq: bigint): Uint8Array {
    const n = Buffer.from(base);
    for (let i = 0; i < 8; i++) n[n.length - 1 - i] ^= Number((seq >> BigInt(8 * i)) & 0xffn);
    return n;
  }

  private aead(nonce: Uint8Array, aad: Uint8Array, ct: Uint8Array, tag: Uint8Array): Uint8Array {
    const p = this.p;
    // (the AEAD ciphers' option types differ only in authTagLength, which all three take)
    const opts = { authTagLength: p.tagLen } as unknown as import("node:crypto").CipherGCMOptions;
    const d = createDecipheriv(p.cipher as "aes-128-gcm", this.key, nonce, opts);
    if (p.mode === "ccm") (d as unknown as { setAAD(a: Uint8Array, o: { plaintextLength: number }): void }).setAAD(aad, { plaintextLength: ct.length });
    else d.setAAD(aad);
    d.setAuthTag(tag);
    return Buffer.concat([d.update(ct), d.final()]);
  }

  private open13(hdr: Uint8Array, body: Uint8Array, seq: bigint): Uint8Array | null {
    const t = this.p.tagLen;
    if (body.length < t + 1) return null;
    return this.aead(this.nonceXor(this.iv, seq), hdr, body.subarray(0, body.length - t), body.subarray(body.length - t));
  }

  private aad12(hdr: Uint8Array, seq: bigint, len: number): Uint8Array {
    const a = Buffer.alloc(13);
    a.writeBigUInt64BE(seq, 0);
    a[8] = hdr[0];
    a[9] = hdr[1];
    a[10] = hdr[2];
    a.writeUInt16BE(len, 11);
    return a;
  }

  private open12(hdr: Uint8Array, body: Uint8Array, seq: bigint): Uint8Array | null {
    const t = this.p.tagLen;
    if (this.p.mode === "chacha") {
      if (body.length < t) return null;
      const ct = body.subarray(0, body.length - t);
      return this.aead(this.nonceXor(this.iv, seq), this.aad12(hdr, seq, ct.length), ct, body.subarray(body.length - t));
    }
    // GCM / CCM: 4 fixed bytes from the key block, then 8 explicit ones at the record's start
    if (body.length < 8 + t) return null;
    const nonce = Buffer.concat([this.iv, body.subarray(0, 8)]);
    const ct = body.subarray(8, body.length - t);
    return this.aead(nonce, this.aad12(hdr, seq, ct.length), ct, body.subarray(body.length - t));
  }

  private mac(seq: bigint, hdr: Uint8Array, data: Uint8Array): Uint8Array {
    return createHmac(this.p.mac, this.macKey).update(this.aad12(hdr, seq, data.length)).update(data).digest();
  }

  private openCbc(hdr: Uint8Array, body: Uint8Array, seq: bigint): Uint8Array | null {
    const ml = this.p.macLen;
    let ct = body;
    if (this.etm) {
      if (body.length < ml + 32) return null;
      ct = body.subarray(0, body.length - ml);
      if (!timingSafeEqual(this.mac(seq, hdr, ct), body.subarray(body.length - ml))) return null;
    }
    if (ct.length < 32 || ct.length % 16 !== 0) return null;
    const d = createDecipheriv(this.p.cipher, this.key, ct.subarray(0, 16));
    d.setAutoPadding(false);
    const pt = Buffer.concat([d.update(ct.subarray(16)), d.final()]);
    const pad = pt[pt.length - 1];
    let end = pt.length - pad - 1;
    if (end < 0) return null;
    if (this.etm) return pt.subarray(0, end);
    end -= ml;
    if (end < 0) return null;
    const data = pt.subarray(0, end);
    if (!timingSafeEqual(this.mac(seq, hdr, data), pt.subarray(end, end + ml))) return null;
    return data;
  }
}

/** TLS 1.3 plaintext: the content, then the real content type, then zero padding (RFC 8446 section 5.2). */
export function innerPlaintext(pt: Uint8Array): { type: number; len: number } | null {
  let i = pt.length - 1;
  while (i >= 0 && pt[i] === 0) i--;
  return i < 0 ? null : { type: pt[i], len: i };
}
