/**
 * The nestcap OpenVPN key log: a text file, one key per line.
 *
 *   # comment (also after a line's tokens);  blank lines are ignored
 *   DATA      src=EP dst=EP key-id=N [peer-id=N] [session=HEX16] cipher=C [auth=A] key=HEX (iv=HEX8 | hmac=HEX)
 *   STATIC    src=EP dst=EP cipher=C auth=A key=HEX hmac=HEX
 *   TLS-CRYPT src=EP dst=EP [type=static|dynamic] key=HEX32 hmac=HEX32
 *   CLIENT_RANDOM …, CLIENT_HANDSHAKE_TRAFFIC_SECRET … (the control channel's TLS secrets in
 *             the SSLKEYLOGFILE format: skipped here, read by the TLS dissector)
 *
 * Each line is one direction: the key the sender `src` uses for packets to `dst`.
 * EP (an outer, on-the-wire endpoint): `10.98.0.1:1194`, `[fd00::1]:1194`,
 * `10.98.0.1:*` (any port), `*:1194`, or `*` (anything).
 *  - DATA: a TLS-mode data-channel key (P_DATA_V1 / P_DATA_V2) for key-id N.
 *    cipher: AES-128-GCM, AES-192-GCM, AES-256-GCM, CHACHA20-POLY1305 (AEAD: `iv` is
 *    the 8-byte implicit IV) or AES-128/192/256-CBC (`auth` SHA1/SHA256/SHA384/SHA512
 *    and `hmac`, the HMAC key). peer-id and session (the sender's control-channel
 *    session id) are informational.
 *  - STATIC: a --secret (static-key mode) key: CBC, packet-id ‖ net-time inside.
 *  - TLS-CRYPT: a tls-crypt control-channel key (AES-256-CTR + HMAC-SHA256);
 *    type=dynamic for the 2.6 dynamic tls-crypt keys of renegotiations.
 * Tokens are `name=value`, in any order; hex may be upper or lower case.
 *
 * The dissector tries every line whose endpoints and key-id fit a packet and
 * keeps the one that authenticates (so wildcards and several tunnels in one file
 * are fine); an unauthenticated packet is never shown as plaintext.
 */
import { parseAddress } from "../core/addr-text.js";
import { readFileSync } from "node:fs";
import {
  cipherKeyLength, hmacLength, isAead, parseAuth, parseCipher, type DataAuth, type DataCipher, type DataKey,
} from "./datachannel.js";
import type { TlsCryptKey } from "./tlscrypt.js";

export interface Endpoint {
  /** 4 or 16 bytes; null = any address. */
  addr: Uint8Array | null;
  /** -1 = any port. */
  port: number;
}

interface Base {
  /** 1-based line number in the key log (0 when built in memory). */
  line: number;
  src: Endpoint;
  dst: Endpoint;
}
export interface DataEntry extends Base {
  kind: "DATA";
  keyId: number;
  peerId?: number;
  session?: string;
  key: DataKey;
}
export interface StaticEntry extends Base {
  kind: "STATIC";
  key: DataKey;
}
export interface TlsCryptEntry extends Base {
  kind: "TLS-CRYPT";
  dynamic: boolean;
  key: TlsCryptKey;
}
export type KeyLogEntry = DataEntry | StaticEntry | TlsCryptEntry;

export class KeyLogError extends Error {}

export const ANY: Endpoint = Object.freeze({ addr: null, port: -1 }) as Endpoint;

// ---------------------------------------------------------------- endpoints

/** `10.0.0.1:1194`, `[fd00::1]:1194`, `10.0.0.1:*`, `*:1194`, `*`, `10.0.0.1` (any port). */
export function parseEndpoint(s: string): Endpoint | null {
  if (s === "*") return { addr: null, port: -1 };
  let host: string;
  let port: string;
  const v6 = /^\[([^\]]+)\](?::(\d+|\*))?$/.exec(s);
  if (v6 !== null) {
    host = v6[1];
    port = v6[2] ?? "*";
  } else {
    const i = s.lastIndexOf(":");
    if (i < 0 || s.indexOf(":") !== i) {
      host = s;
      port = "*";
    } else {
      host = s.slice(0, i);
      port = s.slice(i + 1);
    }
  }
  let addr: Uint8Array | null = null;
  if (host !== "*") {
    addr = parseAddress(host);
    if (addr === null) return null;
  }
  if (port === "*") return { addr, port: -1 };
  if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) return null;
  return { addr, port: Number(port) };
}

export function formatAddress(a: Uint8Array): string {
  if (a.length === 4) return `${a[0]}.${a[1]}.${a[2]}.${a[3]}`;
  const w: number[] = [];
  for (let i = 0; i < 16; i += 2) w.push((a[i] << 8) | a[i + 1]);
  // longest run of zeros (length >= 2) becomes ::
  let best = -1, bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (w[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { best = i; bestLen = j - i; }
    i = j;
  }
  const hx = (x: number[]): string => x.map((v) => v.toString(16)).join(":");
  return best < 0 ? hx(w) : `${hx(w.slice(0, best))}::${hx(w.slice(best + bestLen))}`;
}

export function formatEndpoint(e: Endpoint): string {
  if (e.addr === null && e.port < 0) return "*";
  const host = e.addr === null ? "*" : e.addr.length === 16 ? `[${formatAddress(e.addr)}]` : formatAddress(e.addr);
  return `${host}:${e.port < 0 ? "*" : e.port}`;
}

/** Does the concrete (addr, port) fit the pattern? */
export function endpointMatches(p: Endpoint, addr: Uint8Array | null, port: number): boolean {
  if (p.port >= 0 && p.port !== port) return false;
  if (p.addr === null) return true;
  if (addr === null || addr.length !== p.addr.length) return false;
  for (let i = 0; i < addr.length; i++) if (addr[i] !== p.addr[i]) return false;
  return true;
}

// ---------------------------------------------------------------- parse

function hexBytes(s: string, what: string, fail: (m: string) => never): Uint8Array {
  if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) fail(`${what} is not an even number of hex digits`);
  return Uint8Array.from(Buffer.from(s, "hex"));
}

function int(s: string, what: string, max: number, fail: (m: string) => never): number {
  if (!/^\d+$/.test(s) || Number(s) > max) fail(`${what} must be a number 0..${max}, not "${s}"`);
  return Number(s);
}

const KNOWN: Record<KeyLogEntry["kind"], ReadonlySet<string>> = {
  DATA: new Set(["src", "dst", "key-id", "peer-id", "session", "cipher", "auth", "key", "iv", "hmac"]),
  STATIC: new Set(["src", "dst", "cipher", "auth", "key", "hmac"]),
  "TLS-CRYPT": new Set(["src", "dst", "type", "cipher", "auth", "key", "hmac"]),
};

/** Parse one non-empty, non-comment line. */
function parseLine(text: string, line: number, name: string): KeyLogEntry {
  const fail = (m: string): never => {
    throw new KeyLogError(`${name}:${line}: ${m}`);
  };
  const toks = text.split(/\s+/).filter(Boolean);
  const kind = toks[0].toUpperCase();
  if (kind !== "DATA" && kind !== "STATIC" && kind !== "TLS-CRYPT") fail(`unknown line type "${toks[0]}" (expected DATA, STATIC or TLS-CRYPT)`);
  const k = kind as KeyLogEntry["kind"];
  const kv = new Map<string, string>();
  for (const t of toks.slice(1)) {
    const eq = t.indexOf("=");
    if (eq <= 0) fail(`"${t}" is not name=value`);
    const n = t.slice(0, eq).toLowerCase();
    if (!KNOWN[k].has(n)) fail(`unknown name "${n}" in a ${k} line`);
    if (kv.has(n)) fail(`"${n}" given twice`);
    kv.set(n, t.slice(eq + 1));
  }
  const need = (n: string): string => kv.get(n) ?? fail(`${k} line without ${n}=`);
  const ep = (n: string): Endpoint => {
    const v = kv.get(n);
    if (v === undefined) return { addr: null, port: -1 };
    return parseEndpoint(v) ?? fail(`${n}=${v} is not an endpoint (IP:PORT, [IPv6]:PORT, IP:*, *:PORT or *)`);
  };
  const src = ep("src");
  const dst = ep("dst");
  if (k === "TLS-CRYPT") {
    const type = kv.get("type") ?? "static";
    if (type !== "static" && type !== "dynamic") fail(`type must be static or dynamic, not "${type}"`);
    const c = kv.get("cipher");
    if (c !== undefined && c.toUpperCase() !== "AES-256-CTR") fail(`tls-crypt uses AES-256-CTR, not "${c}"`);
    const a = kv.get("auth");
    if (a !== undefined && parseAuth(a) !== "SHA256") fail(`tls-crypt uses SHA256, not "${a}"`);
    const key = hexBytes(need("key"), "key", fail);
    const hmac = hexBytes(need("hmac"), "hmac", fail);
    if (key.length < 32) fail(`key must be 32 bytes (AES-256-CTR), got ${key.length}`);
    if (hmac.length < 32) fail(`hmac must be 32 bytes (HMAC-SHA256), got ${hmac.length}`);
    return { kind: k, line, src, dst, dynamic: type === "dynamic", key: { cipherKey: key.slice(0, 32), hmacKey: hmac.slice(0, 32) } };
  }
  const cs = need("cipher");
  const cipher = parseCipher(cs) ?? fail(`unknown cipher "${cs}" (AES-128/192/256-GCM, CHACHA20-POLY1305, AES-128/192/256-CBC)`);
  const key = hexBytes(need("key"), "key", fail);
  const kl = cipherKeyLength(cipher);
  if (key.length < kl) fail(`key for ${cipher} must be ${kl} bytes, got ${key.length}`);
  let dk: DataKey;
  if (isAead(cipher)) {
    if (k === "STATIC") fail(`static-key mode needs a CBC cipher, not ${cipher}`);
    const iv = hexBytes(need("iv"), "iv", fail);
    if (iv.length !== 8) fail(`iv (the AEAD implicit IV) must be 8 bytes, got ${iv.length}`);
    dk = { cipher, cipherKey: key.slice(0, kl), implicitIv: iv };
  } else {
    const as = need("auth");
    const auth: DataAuth = parseAuth(as) ?? fail(`unknown auth "${as}" (SHA1, SHA256, SHA384, SHA512)`);
    const hmac = hexBytes(need("hmac"), "hmac", fail);
    const hl = hmacLength(auth);
    if (hmac.length < hl) fail(`hmac for ${auth} must be ${hl} bytes, got ${hmac.length}`);
    dk = { cipher, auth, cipherKey: key.slice(0, kl), hmacKey: hmac.slice(0, hl), staticMode: k === "STATIC" };
  }
  if (k === "STATIC") return { kind: k, line, src, dst, key: dk };
  const e: DataEntry = { kind: "DATA", line, src, dst, keyId: int(need("key-id"), "key-id", 7, fail), key: dk };
  const pid = kv.get("peer-id");
  if (pid !== undefined) e.peerId = int(pid, "peer-id", 0xffffff, fail);
  const sess = kv.get("session");
  if (sess !== undefined) {
    if (!/^[0-9a-fA-F]{16}$/.test(sess)) fail(`session must be 16 hex digits, not "${sess}"`);
    e.session = sess.toLowerCase();
  }
  return e;
}

/** An NSS key-log line (CLIENT_RANDOM, CLIENT_HANDSHAKE_TRAFFIC_SECRET, EXPORTER_SECRET…). */
const TLS_LABEL = /^(CLIENT_RANDOM|[A-Z_]*_SECRET(_\d+)?)\s+[0-9a-fA-F]{64}\s/;

/** Parse a whole key log. Throws KeyLogError("NAME:LINE: reason") on the first bad line. */
export function parseKeyLog(text: string, name = "keylog"): KeyLogEntry[] {
  const out: KeyLogEntry[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const h = lines[i].indexOf("#");
    const l = (h < 0 ? lines[i] : lines[i].slice(0, h)).trim();
    // TLS secrets in the SSLKEYLOGFILE format (nestcap tunnel writes its control channel's here
    // too): read by the TLS dissector, not here
    if (l === "" || TLS_LABEL.test(l)) continue;
    out.push(parseLine(l, i + 1, name));
  }
  return out;
}

export function readKeyLog(path: string): KeyLogEntry[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new KeyLogError(`${path}: cannot read the key log (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  return parseKeyLog(text, path);
}

// ---------------------------------------------------------------- format

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString("hex");

export function formatEntry(e: KeyLogEntry): string {
  const ends = `src=${formatEndpoint(e.src)} dst=${formatEndpoint(e.dst)}`;
  if (e.kind === "TLS-CRYPT") return `TLS-CRYPT ${ends} type=${e.dynamic ? "dynamic" : "static"} key=${hex(e.key.cipherKey)} hmac=${hex(e.key.hmacKey)}`;
  const k = e.key;
  const crypto = isAead(k.cipher)
    ? `cipher=${k.cipher} key=${hex(k.cipherKey)} iv=${hex(k.implicitIv!)}`
    : `cipher=${k.cipher} auth=${k.auth} key=${hex(k.cipherKey)} hmac=${hex(k.hmacKey!)}`;
  if (e.kind === "STATIC") return `STATIC ${ends} ${crypto}`;
  return `DATA ${ends} key-id=${e.keyId}${e.peerId !== undefined ? ` peer-id=${e.peerId}` : ""}${e.session !== undefined ? ` session=${e.session}` : ""} ${crypto}`;
}

export const KEYLOG_HEADER = "# nestcap OpenVPN key log (format: see docs/openvpn-decryption.md)";

export function formatKeyLog(entries: readonly KeyLogEntry[], comments: readonly string[] = []): string {
  return [KEYLOG_HEADER, ...comments.map((c) => `# ${c}`), ...entries.map(formatEntry)].join("\n") + "\n";
}

export type { DataCipher };
