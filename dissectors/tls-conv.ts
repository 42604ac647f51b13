/**
 * TLS conversation state: what one connection has negotiated (version, suite, key
 * exchange, ALPN), per direction the record decoders and the application data's
 * reassembly, and where the keys come from (the key log of `-o tls.keylog_file`, or
 * secrets handed over in memory by `nestcap tunnel --inspect`).
 */
import { conversationDirection, conversationKey } from "../src/analysis/conversation.js";
import type { PacketInfo } from "../src/core/pinfo.js";
import type { Session } from "../src/core/session.js";
import { KeyLogFile, RecordDecoder, suiteParams } from "../src/tls/decrypt.js";
import { CIPHER_SUITES } from "../src/tls/names.js";
import type { TlsAppFlow } from "./tls-app.js";

export class TlsConv {
  /** Negotiated version (from ServerHello / supported_versions), 0 = unknown. */
  version = 0;
  /**
   * -2, second pass: the version the first pass ended with (display only: record labels, the
   * Protocol column, the ClientHello's random), as tshark's second pass shows it; 0 otherwise.
   */
  finalVersion = 0;
  /** Per direction (1 / -1 → index 0 / 1): ChangeCipherSpec seen, so handshake records are encrypted. */
  readonly ccs = [false, false];
  /** Key exchange of the negotiated cipher suite (ServerHello): how Server/ClientKeyExchange are laid out. */
  kex: Kex = "";
  /** Found by the TCP heuristic: the conversation's later payloads are TLS too. */
  heur = false;
  // ── decryption (with a key log) ──
  /** Direction index of the record being dissected (set before the handshake messages are read). */
  curDir = 0;
  /** Direction index of the ClientHello's sender (-1: not seen). */
  clientDir = -1;
  clientRandom: Uint8Array | null = null;
  serverRandom: Uint8Array | null = null;
  /** The cipher suite the ServerHello chose (-1: none yet). */
  suite = -1;
  /** The ServerHello agreed to encrypt_then_mac (RFC 7366). */
  etm = false;
  /** Per direction: the keys records are decrypted with (after ChangeCipherSpec in TLS 1.2; after the ServerHello in 1.3). */
  readonly dec: (RecordDecoder | null)[] = [null, null];
  /** TLS 1.3 per direction: the application traffic secret, taken on after that side's Finished. */
  readonly app13: (Uint8Array | null)[] = [null, null];
  /** The application protocol the server chose by ALPN ("http/1.1"), null before. */
  alpn: string | null = null;
  /** Decrypted data was found to be HTTP by its first line (tshark's HTTP-over-TLS heuristic). */
  httpByHeuristic = false;
  /** Per direction: the decrypted application data stream (its reassembly). */
  readonly app: (TlsAppFlow | null)[] = [null, null];
}

/**
 * The key log of `-o tls.keylog_file:FILE`, else of `--keylog FILE` (nestcap tunnel writes
 * its control channel's TLS secrets there beside the data-channel keys); without either, an
 * empty one that secrets can be added to in memory.
 */
export function keyLog(ses: Session): KeyLogFile {
  return ses.get("tls.keylog", () => {
    const p = ses.pref("tls.keylog_file", "") || ses.pref("openvpn.keylog", "");
    return new KeyLogFile(typeof p === "string" && p !== "" ? p : null);
  });
}

/** A TLS secret handed over in memory (nestcap tunnel --inspect). */
export function addTlsSecret(session: Session, line: string): void {
  keyLog(session).add(line);
}

/** TLS 1.3, once the ServerHello chose the suite: the handshake keys of both sides. */
export function keys13(c: TlsConv, pinfo: PacketInfo): void {
  if (c.clientRandom === null || c.clientDir < 0) return;
  const p = suiteParams(c.suite);
  const s = p !== null ? keyLog(pinfo.session).get(c.clientRandom) : undefined;
  if (p === null || s === undefined) return;
  const cd = c.clientDir, sd = 1 - cd;
  c.dec[cd] = s.clientHs !== undefined ? RecordDecoder.tls13(p, s.clientHs) : null;
  c.dec[sd] = s.serverHs !== undefined ? RecordDecoder.tls13(p, s.serverHs) : null;
  c.app13[cd] = s.client0 ?? null;
  c.app13[sd] = s.server0 ?? null;
}

/** TLS 1.2, at a ChangeCipherSpec: the keys of that side from the master secret. */
export function keys12(c: TlsConv, pinfo: PacketInfo, dir: number): void {
  if (c.version !== 0x0303 || c.clientRandom === null || c.serverRandom === null || c.clientDir < 0) return;
  const p = suiteParams(c.suite);
  const s = p !== null ? keyLog(pinfo.session).get(c.clientRandom) : undefined;
  if (p === null || s?.master === undefined) return;
  c.dec[dir] = RecordDecoder.tls12(p, s.master, c.clientRandom, c.serverRandom, dir === c.clientDir, c.etm);
}

export type Kex = "" | "rsa" | "dh" | "ecdh";

/** The key exchange a cipher suite names ("" for PSK, SRP, TLS 1.3 and unknown suites). */
export function kexOf(suite: number): Kex {
  const n = CIPHER_SUITES[suite] ?? "";
  if (n.includes("PSK") || n.includes("SRP")) return "";
  if (n.startsWith("TLS_ECDH")) return "ecdh";
  if (n.startsWith("TLS_DH")) return "dh";
  if (n.startsWith("TLS_RSA_")) return "rsa";
  return "";
}

export function convOf(pinfo: PacketInfo, create = true): { c: TlsConv; dir: number } | null {
  const m = pinfo.session.get("tls", () => new Map<string, TlsConv>());
  const dir = conversationDirection(pinfo.netSrc, pinfo.netDst, pinfo.srcport, pinfo.dstport);
  const key = conversationKey(pinfo.netSrc, pinfo.netDst, pinfo.srcport, pinfo.dstport, dir);
  let c = m.get(key);
  if (c === undefined) {
    if (!create) return null;
    m.set(key, (c = new TlsConv()));
  }
  return { c, dir: dir > 0 ? 0 : 1 };
}
