/**
 * The OpenVPN 2.6 TLS-mode protocol engine for one peer (client or server side).
 *
 * Bytes in → bytes out + events: `linkIn(packet)` takes one OpenVPN packet from the
 * transport (without the TCP length prefix), `tunIn(ip)` one IP packet from the tun;
 * packets to send and decrypted IP packets leave through the `EngineHooks`; `tick(now)`
 * drives the timers (retransmission, keepalive, push-request, handshake timeout). There
 * are no sockets here. The one asynchronous part is node:tls, which runs over a Duplex
 * fed by the reliability layer (its output comes back a tick later).
 *
 * Per key-id (a TLS session; 0 first, then 1..7 on renegotiation) there is a `KeyState`:
 * its own reliability layer, TLS socket, key-method-2 exchange and data-channel keys
 * (TLS-EKM "EXPORTER-OpenVPN-datakeys", 256 bytes = OpenVPN's struct key2; the client
 * sends with keys[0] and receives with keys[1], the server the reverse).
 */
import { randomBytes } from "node:crypto";
import { Duplex } from "node:stream";
import * as tls from "node:tls";
import {
  type DataAuth, type DataCipher, type DataKey, OCC_MAGIC, PING_MAGIC, dataKeyFromKeyMaterial, decryptData, encryptData, isAead, parseCipher, startsWith,
} from "../openvpn/datachannel.js";
import {
  P_ACK_V1, P_CONTROL_HARD_RESET_CLIENT_V2, P_CONTROL_HARD_RESET_SERVER_V2, P_CONTROL_SOFT_RESET_V1, P_CONTROL_V1, P_DATA_V1, P_DATA_V2, parsePacket,
} from "../openvpn/wire.js";
import { ControlWrap, type ControlWrapConfig } from "./ctlwrap.js";
import { type FastPath, fastPath } from "./fastcrypto.js";
import { Reliable } from "./reliable.js";
import { ReplayWindow } from "./replay.js";

export const EKM_LABEL = "EXPORTER-OpenVPN-datakeys";
/** IV_PROTO bits (ssl.h). */
export const IV_PROTO_DATA_V2 = 2;
export const IV_PROTO_REQUEST_PUSH = 4;
export const IV_PROTO_TLS_KEY_EXPORT = 8;
export const IV_PROTO_CC_EXIT_NOTIFY = 128;
export const OUR_IV_PROTO = IV_PROTO_DATA_V2 | IV_PROTO_REQUEST_PUSH | IV_PROTO_TLS_KEY_EXPORT | IV_PROTO_CC_EXIT_NOTIFY;
export const NESTCAP_IV_VER = "2.6.14";

/** Largest TLS payload per P_CONTROL_V1 (OpenVPN's control channel is limited to --tls-mtu 1250). */
const MAX_CONTROL_PAYLOAD = 1100;
const OCC_EXIT = 6;

export interface PushConfig {
  /** The client's address and netmask (topology subnet) — "ifconfig A MASK". */
  ifconfig: [string, string];
  routeGateway?: string;
  peerId: number;
  ping: number;
  pingRestart: number;
  extra?: string[];
}

export interface TlsEngineConfig {
  role: "client" | "server";
  proto: "udp" | "tcp";
  ca: string | Buffer;
  cert: string | Buffer;
  key: string | Buffer;
  wrap: ControlWrapConfig;
  /** --data-ciphers, in preference order. */
  dataCiphers: DataCipher[];
  /** --auth for CBC data ciphers (default SHA1). */
  auth: DataAuth;
  /** Server: what to push (set per client by the server shell). */
  push?: PushConfig;
  /** Client: check the server certificate's extended key usage (--remote-cert-tls server). */
  remoteCertTls?: boolean;
  /** Seconds to complete the TLS handshake and key exchange (--hand-window), default 60. */
  handWindow?: number;
  /** Client keepalive before PUSH_REPLY says otherwise; server: what it enforces. */
  ping?: number;
  pingRestart?: number;
  /** Renegotiate every N seconds (0: never; --reneg-sec). */
  renegSec?: number;
  /** Retransmission start timeout (ms). */
  initialRto?: number;
  now?: () => number;
}

export interface KeysEvent {
  keyId: number;
  cipher: DataCipher;
  auth?: DataAuth;
  send: DataKey;
  recv: DataKey;
  peerId: number;
  /** The client's and server's TLS session ids (hex, 16 chars). */
  localSession: string;
  remoteSession: string;
}

export type EngineEvent =
  | { type: "connected"; cipher: DataCipher; peerId: number; ifconfig?: [string, string]; routes: string[]; ping: number; pingRestart: number; pushReply?: string; peerInfo?: Record<string, string>; tlsVersion?: string; peerCert?: string }
  | { type: "keys"; keys: KeysEvent }
  | { type: "error"; message: string; fatal: boolean }
  | { type: "exit"; reason: string }
  | { type: "log"; message: string };

export interface EngineHooks {
  sendLink(pkt: Uint8Array): void;
  deliverTun(ip: Uint8Array): void;
  event(ev: EngineEvent): void;
}

export interface EngineStats {
  linkRx: number;
  linkTx: number;
  dataRx: number;
  dataTx: number;
  dataRxBytes: number;
  dataTxBytes: number;
  authFailures: number;
  replays: number;
  unknownKeyId: number;
  malformed: number;
  controlAuthFailures: number;
  retransmits: number;
  pings: number;
}

export function newStats(): EngineStats {
  return { linkRx: 0, linkTx: 0, dataRx: 0, dataTx: 0, dataRxBytes: 0, dataTxBytes: 0, authFailures: 0, replays: 0, unknownKeyId: 0, malformed: 0, controlAuthFailures: 0, retransmits: 0, pings: 0 };
}

/** Key-method-2 message (ssl.c key_method_2_write/read). */
export interface KeyMethod2 {
  random: Uint8Array;
  options: string;
  username: string;
  password: string;
  peerInfo: string;
}

function writeString(parts: Buffer[], s: string): void {
  if (s.length === 0) {
    parts.push(Buffer.from([0, 0]));
    return;
  }
  const b = Buffer.from(s + "\0", "utf8");
  const l = Buffer.alloc(2);
  l.writeUInt16BE(b.length);
  parts.push(l, b);
}

export function encodeKeyMethod2(client: boolean, m: KeyMethod2): Buffer {
  const parts: Buffer[] = [Buffer.from([0, 0, 0, 0, 2]), Buffer.from(m.random)];
  if (m.random.length !== (client ? 112 : 64)) throw new RangeError("key-method-2 random has the wrong length");
  writeString(parts, m.options);
  writeString(parts, m.username);
  writeString(parts, m.password);
  writeString(parts, m.peerInfo);
  return Buffer.concat(parts);
}

/** Parse a key-method-2 message; returns it and the bytes used, or null if incomplete/bad. */
export function decodeKeyMethod2(fromClient: boolean, b: Uint8Array): { km: KeyMethod2; used: number } | null {
  const rl = fromClient ? 112 : 64;
  if (b.length < 5 + rl + 2) return null;
  if (b[0] !== 0 || b[1] !== 0 || b[2] !== 0 || b[3] !== 0 || (b[4] & 0x0f) !== 2) throw new Error("peer did not send a key-method 2 message");
  let o = 5 + rl;
  const strs: string[] = [];
  for (let i = 0; i < 4; i++) {
    if (o + 2 > b.length) {
      if (i >= 1) break; // username/password/peer-info are optional
      return null;
    }
    const l = (b[o] << 8) | b[o + 1];
    if (o + 2 + l > b.length) return null;
    let s = Buffer.from(b.subarray(o + 2, o + 2 + l)).toString("utf8");
    if (s.endsWith("\0")) s = s.slice(0, -1);
    strs.push(s);
    o += 2 + l;
  }
  return { km: { random: b.slice(5, 5 + rl), options: strs[0] ?? "", username: strs[1] ?? "", password: strs[2] ?? "", peerInfo: strs[3] ?? "" }, used: o };
}

export function parsePeerInfo(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of s.split("\n")) {
    const eq = line.indexOf("=");
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

export function optionsString(role: "client" | "server", proto: "udp" | "tcp"): string {
  const p = proto === "udp" ? "UDPv4" : role === "client" ? "TCPv4_CLIENT" : "TCPv4_SERVER";
  return `V4,dev-type tun,link-mtu ${proto === "udp" ? 1541 : 1543},tun-mtu 1500,proto ${p},auth SHA1,keysize 128,key-method 2,tls-${role}`;
}

function hex64(v: bigint): string {
  return v.toString(16).padStart(16, "0");
}

type KsState = "reset" | "tls" | "km2" | "active" | "dead";

/** One TLS session / key-id. */
class KeyState {
  state: KsState = "reset";
  rel: Reliable;
  tls: tls.TLSSocket | null = null;
  duplex: Duplex | null = null;
  plainBuf: Buffer = Buffer.alloc(0);
  km2Sent = false;
  peerKm2: KeyMethod2 | null = null;
  send: DataKey | null = null;
  recv: DataKey | null = null;
  /** OpenSSL-through-koffi contexts for AEAD ciphers (null: use datachannel.ts). */
  fastSend: FastPath | null = null;
  fastRecv: FastPath | null = null;
  sendPid = 0;
  replay = new ReplayWindow(64);
  startedAt: number;
  activeAt = 0;
  /** Retire (drop) this key after this time (lame duck). */
  expiresAt = Infinity;

  constructor(readonly keyId: number, localSession: bigint, now: number, rto: number) {
    this.rel = new Reliable(keyId, localSession, rto);
    this.startedAt = now;
  }
}

export class TlsEngine {
  readonly stats = newStats();
  readonly localSession: bigint;
  remoteSession = 0n;
  private keys: (KeyState | null)[] = [null, null, null, null, null, null, null, null];
  /** Key-id used for sending data. */
  private primary = -1;
  private nextKeyId = 1;
  private wrap: ControlWrap;
  private now: () => number;
  private cipher: DataCipher | null = null;
  peerId = 0;
  private pushed = false;
  private lastPushRequest = 0;
  private lastSent = 0;
  private lastRecv = 0;
  private ping: number;
  private pingRestart: number;
  private ccExit = false;
  peerInfo: Record<string, string> = {};
  private closed = false;
  private ackScheduled = false;
  /** A client's tun address after PUSH_REPLY, a server's client address. */
  ifconfig: [string, string] | null = null;

  constructor(private readonly cfg: TlsEngineConfig, private readonly hooks: EngineHooks) {
    this.now = cfg.now ?? Date.now;
    this.localSession = randomBytes(8).readBigUInt64BE();
    this.wrap = new ControlWrap(cfg.wrap);
    this.ping = cfg.ping ?? 0;
    this.pingRestart = cfg.pingRestart ?? 0;
    if (cfg.role === "server" && cfg.push !== undefined) {
      this.ping = cfg.push.ping;
      this.pingRestart = cfg.push.pingRestart;
      this.peerId = cfg.push.peerId;
    }
  }

  get connected(): boolean {
    return this.primary >= 0 && this.pushed;
  }

  get negotiatedCipher(): DataCipher | null {
    return this.cipher;
  }

  /** Client: send the first HARD_RESET_CLIENT_V2. */
  start(): void {
    const now = this.now();
    this.lastRecv = now;
    if (this.cfg.role !== "client") return;
    const ks = new KeyState(0, this.localSession, now, this.cfg.initialRto ?? 1000);
    this.keys[0] = ks;
    ks.rel.enqueue(P_CONTROL_HARD_RESET_CLIENT_V2, new Uint8Array(0));
    this.flushKey(ks);
  }

  // ------------------------------------------------------------------ link side

  linkIn(pkt: Uint8Array): void {
    if (this.closed || pkt.length === 0) return;
    this.stats.linkRx++;
    const op = pkt[0] >> 3;
    if (op === P_DATA_V2 || op === P_DATA_V1) {
      this.dataIn(pkt, op);
      return;
    }
    const plain = this.wrap.unwrap(pkt);
    if (plain === null) {
      this.stats.controlAuthFailures = this.wrap.authFailures;
      this.stats.replays = this.stats.replays; // control replays are counted in the wrap
      return;
    }
    const p = parsePacket(plain, 0, plain.length, { mode: "none", hmacSize: 0 });
    if (p === null) {
      this.stats.malformed++;
      return;
    }
    const now = this.now();
    const keyId = p.keyId;
    // a packet for our session must carry the peer's known session id (after the first one)
    if (this.remoteSession !== 0n && p.sessionId !== this.remoteSession) {
      if (op === P_CONTROL_HARD_RESET_CLIENT_V2 && this.cfg.role === "server") {
        // the client restarted: the server shell makes a new engine for it
        this.hooks.event({ type: "exit", reason: "client restarted (new HARD_RESET)" });
      } else {
        this.stats.malformed++;
      }
      return;
    }
    if (p.acks.length > 0 && p.remoteSessionId !== this.localSession) {
      this.stats.malformed++;
      return;
    }
    this.lastRecv = now;
    let ks = this.keys[keyId];
    if (op === P_CONTROL_HARD_RESET_CLIENT_V2) {
      if (this.cfg.role !== "server" || keyId !== 0) return;
      if (ks === null) {
        this.remoteSession = p.sessionId;
        ks = new KeyState(0, this.localSession, now, this.cfg.initialRto ?? 1000);
        ks.rel.remoteSession = p.sessionId;
        this.keys[0] = ks;
        ks.rel.enqueue(P_CONTROL_HARD_RESET_SERVER_V2, new Uint8Array(0));
      }
    } else if (op === P_CONTROL_HARD_RESET_SERVER_V2) {
      if (this.cfg.role !== "client" || ks === null || keyId !== 0) return;
      if (this.remoteSession === 0n) {
        this.remoteSession = p.sessionId;
        ks.rel.remoteSession = p.sessionId;
      }
    } else if (op === P_CONTROL_SOFT_RESET_V1) {
      if (ks === null || ks.state === "dead") {
        if (this.remoteSession === 0n) return;
        ks = this.newKey(keyId, now, false);
      }
    }
    if (ks === null) {
      this.stats.unknownKeyId++;
      return;
    }
    ks.rel.acked(p.acks);
    if (op !== P_ACK_V1) {
      const payload = plain.subarray(p.payloadOff, p.payloadOff + p.payloadLen);
      for (const m of ks.rel.receive(p.mpid, op, payload)) this.controlMessage(ks, m.opcode, m.payload);
    }
    this.flushKey(ks);
    this.scheduleAck(ks);
  }

  private newKey(keyId: number, now: number, initiate: boolean): KeyState {
    const ks = new KeyState(keyId, this.localSession, now, this.cfg.initialRto ?? 1000);
    ks.rel.remoteSession = this.remoteSession;
    const old = this.keys[keyId];
    if (old !== null) this.dropKey(old);
    this.keys[keyId] = ks;
    if (initiate) ks.rel.enqueue(P_CONTROL_SOFT_RESET_V1, new Uint8Array(0));
    this.nextKeyId = keyId === 7 ? 1 : keyId + 1;
    return ks;
  }

  /** Start a renegotiation (new key-id). */
  renegotiate(): void {
    if (this.primary < 0) return;
    const ks = this.newKey(this.nextKeyId, this.now(), true);
    this.hooks.event({ type: "log", message: `renegotiating: key-id ${ks.keyId}` });
    this.startTls(ks);
    this.flushKey(ks);
  }

  private controlMessage(ks: KeyState, opcode: number, payload: Uint8Array): void {
    switch (opcode) {
      case P_CONTROL_HARD_RESET_SERVER_V2:
        if (this.cfg.role === "client" && ks.state === "reset") this.startTls(ks);
        return;
      case P_CONTROL_HARD_RESET_CLIENT_V2:
        if (this.cfg.role === "server" && ks.state === "reset") this.startTls(ks);
        return;
      case P_CONTROL_SOFT_RESET_V1:
        if (ks.state === "reset") {
          // the peer started a renegotiation: answer with our own SOFT_RESET
          ks.rel.enqueue(P_CONTROL_SOFT_RESET_V1, new Uint8Array(0));
          this.startTls(ks);
        }
        return;
      case P_CONTROL_V1:
        if (ks.duplex !== null && payload.length > 0) ks.duplex.push(Buffer.from(payload));
        return;
      default:
        return;
    }
  }

  private startTls(ks: KeyState): void {
    ks.state = "tls";
    const self = this;
    const duplex = new Duplex({
      read() {},
      write(chunk: Buffer, _enc, cb) {
        self.tlsOut(ks, chunk);
        cb();
      },
    });
    ks.duplex = duplex;
    const common = { ca: this.cfg.ca, cert: this.cfg.cert, key: this.cfg.key, minVersion: "TLSv1.2" as const };
    let sock: tls.TLSSocket;
    if (this.cfg.role === "client") {
      sock = tls.connect({ ...common, socket: duplex, rejectUnauthorized: true, checkServerIdentity: () => undefined });
      sock.once("secureConnect", () => this.tlsUp(ks));
    } else {
      sock = new tls.TLSSocket(duplex, { ...common, isServer: true, requestCert: true, rejectUnauthorized: true });
      sock.once("secure", () => this.tlsUp(ks));
    }
    ks.tls = sock;
    sock.on("data", (d: Buffer) => this.tlsPlain(ks, d));
    sock.on("error", (e: Error) => this.tlsError(ks, e));
  }

  private tlsError(ks: KeyState, e: Error): void {
    if (this.closed || ks.state === "dead") return;
    const msg = describeTlsError(e);
    ks.state = "dead";
    const fatal = ks.keyId === 0 || this.primary < 0;
    this.hooks.event({ type: "error", message: `TLS error (key-id ${ks.keyId}): ${msg}`, fatal });
    // let the TLS alert (if any) leave before tearing down
    setImmediate(() => this.flushKey(ks));
  }

  private tlsOut(ks: KeyState, chunk: Buffer): void {
    if (this.closed) return;
    for (let o = 0; o < chunk.length; o += MAX_CONTROL_PAYLOAD) {
      ks.rel.enqueue(P_CONTROL_V1, chunk.subarray(o, Math.min(chunk.length, o + MAX_CONTROL_PAYLOAD)));
    }
    this.flushKey(ks);
  }

  private tlsUp(ks: KeyState): void {
    if (this.closed || ks.state === "dead") return;
    const sock = ks.tls!;
    if (this.cfg.role === "client" && this.cfg.remoteCertTls !== false) {
      const cert = sock.getPeerCertificate();
      const eku = (cert as { ext_key_usage?: string[] }).ext_key_usage;
      if (eku !== undefined && !eku.includes("1.3.6.1.5.5.7.3.1")) {
        this.tlsError(ks, new Error("the server certificate is not for TLS server authentication (remote-cert-tls server)"));
        return;
      }
    }
    ks.state = "km2";
    this.hooks.event({ type: "log", message: `Control Channel: ${sock.getProtocol()}, cipher ${sock.getCipher().standardName}, key-id ${ks.keyId}` });
    if (this.cfg.role === "client") this.sendKm2(ks);
  }

  private sendKm2(ks: KeyState): void {
    const client = this.cfg.role === "client";
    const ciphers = this.cfg.dataCiphers.join(":");
    const peerInfo = client
      ? `IV_VER=${NESTCAP_IV_VER}\nIV_PLAT=linux\nIV_TCPNL=1\nIV_MTU=1600\nIV_NCP=2\nIV_CIPHERS=${ciphers}\nIV_PROTO=${OUR_IV_PROTO}\nIV_GUI_VER=nestcap\n`
      : "";
    const km = encodeKeyMethod2(client, { random: randomBytes(client ? 112 : 64), options: optionsString(this.cfg.role, this.cfg.proto), username: "", password: "", peerInfo });
    ks.km2Sent = true;
    ks.tls!.write(km);
  }

  private sendControlString(ks: KeyState, s: string): void {
    if (ks.tls === null || ks.state === "dead") return;
    ks.tls.write(Buffer.from(s + "\0", "utf8"));
  }

  private tlsPlain(ks: KeyState, d: Buffer): void {
    if (this.closed) return;
    ks.plainBuf = ks.plainBuf.length === 0 ? d : Buffer.concat([ks.plainBuf, d]);
    if (ks.peerKm2 === null) {
      let r;
      try {
        r = decodeKeyMethod2(this.cfg.role === "server", ks.plainBuf);
      } catch (e) {
        this.hooks.event({ type: "error", message: (e as Error).message, fatal: true });
        return;
      }
      if (r === null) return;
      ks.peerKm2 = r.km;
      ks.plainBuf = ks.plainBuf.subarray(r.used);
      this.gotKm2(ks);
    }
    for (;;) {
      const z = ks.plainBuf.indexOf(0);
      if (z < 0) break;
      const msg = ks.plainBuf.toString("utf8", 0, z);
      ks.plainBuf = ks.plainBuf.subarray(z + 1);
      if (msg.length > 0) this.controlString(ks, msg);
    }
  }

  private gotKm2(ks: KeyState): void {
    const now = this.now();
    if (this.cfg.role === "server") {
      this.peerInfo = parsePeerInfo(ks.peerKm2!.peerInfo);
      const proto = Number(this.peerInfo.IV_PROTO ?? "0");
      if ((proto & IV_PROTO_TLS_KEY_EXPORT) === 0) {
        this.hooks.event({ type: "error", message: "the client does not support TLS-EKM key derivation (IV_PROTO lacks TLS_KEY_EXPORT); nestcap needs an OpenVPN 2.6 peer", fatal: true });
        return;
      }
      this.ccExit = (proto & IV_PROTO_CC_EXIT_NOTIFY) !== 0;
      if (this.cipher === null) {
        const theirs = (this.peerInfo.IV_CIPHERS ?? "").split(":").map((c) => parseCipher(c)).filter((c): c is DataCipher => c !== null);
        const pick = this.cfg.dataCiphers.find((c) => theirs.includes(c));
        if (pick === undefined) {
          this.hooks.event({ type: "error", message: `no common data cipher (ours: ${this.cfg.dataCiphers.join(":")}; the client's: ${this.peerInfo.IV_CIPHERS ?? "none"})`, fatal: true });
          return;
        }
        this.cipher = pick;
      }
      this.sendKm2(ks);
      this.installKeys(ks, now);
      if (ks.keyId !== 0) this.activate(ks, now);
    } else {
      if (ks.keyId === 0) {
        this.sendControlString(ks, "PUSH_REQUEST");
        this.lastPushRequest = now;
      } else {
        this.installKeys(ks, now);
        this.activate(ks, now);
      }
    }
  }

  private installKeys(ks: KeyState, _now: number): void {
    const cipher = this.cipher!;
    // no context (OpenVPN passes use_context = 0; node's types insist on one, node does not)
    const km = (ks.tls as unknown as { exportKeyingMaterial(l: number, label: string): Buffer }).exportKeyingMaterial(256, EKM_LABEL);
    const k0 = km.subarray(0, 128);
    const k1 = km.subarray(128, 256);
    const client = this.cfg.role === "client";
    const auth = isAead(cipher) ? undefined : this.cfg.auth;
    ks.send = dataKeyFromKeyMaterial(cipher, auth, client ? k0 : k1);
    ks.recv = dataKeyFromKeyMaterial(cipher, auth, client ? k1 : k0);
    ks.fastSend?.free();
    ks.fastRecv?.free();
    ks.fastSend = fastPath(ks.send, true);
    ks.fastRecv = fastPath(ks.recv, false);
    const [cs, ss] = client ? [this.localSession, this.remoteSession] : [this.remoteSession, this.localSession];
    this.hooks.event({
      type: "keys",
      keys: { keyId: ks.keyId, cipher, auth, send: ks.send, recv: ks.recv, peerId: this.peerId, localSession: hex64(client ? cs : ss), remoteSession: hex64(client ? ss : cs) },
    });
  }

  /** Make `ks` the key for sending; the previous one stays for receiving a while. */
  private activate(ks: KeyState, now: number): void {
    ks.state = "active";
    ks.activeAt = now;
    const prev = this.primary >= 0 ? this.keys[this.primary] : null;
    if (prev !== null && prev !== ks) prev.expiresAt = now + 60_000;
    this.primary = ks.keyId;
  }

  private controlString(ks: KeyState, msg: string): void {
    const now = this.now();
    if (this.cfg.role === "server") {
      if (msg === "PUSH_REQUEST") {
        if (ks.send === null) return;
        const p = this.cfg.push!;
        const opts = [
          "PUSH_REPLY",
          ...(p.routeGateway !== undefined ? [`route-gateway ${p.routeGateway}`] : []),
          "topology subnet",
          `ping ${p.ping}`,
          `ping-restart ${p.pingRestart}`,
          `ifconfig ${p.ifconfig[0]} ${p.ifconfig[1]}`,
          `peer-id ${p.peerId}`,
          `cipher ${this.cipher}`,
          `protocol-flags ${this.ccExit ? "cc-exit " : ""}tls-ekm`,
          ...(p.extra ?? []),
          "tun-mtu 1500",
        ];
        this.sendControlString(ks, opts.join(","));
        if (!this.pushed) {
          this.pushed = true;
          this.ifconfig = p.ifconfig;
          this.activate(ks, now);
          this.hooks.event({ type: "connected", cipher: this.cipher!, peerId: this.peerId, ifconfig: p.ifconfig, routes: [], ping: this.ping, pingRestart: this.pingRestart, peerInfo: this.peerInfo, tlsVersion: ks.tls?.getProtocol() ?? undefined, peerCert: subjectOf(ks.tls) });
        }
        return;
      }
      if (msg === "EXIT") {
        this.hooks.event({ type: "exit", reason: "the client sent EXIT" });
        return;
      }
      this.hooks.event({ type: "log", message: `control message from client: ${msg}` });
      return;
    }
    // client
    if (msg.startsWith("PUSH_REPLY")) {
      if (this.pushed) return;
      this.applyPush(ks, msg, now);
      return;
    }
    if (msg.startsWith("AUTH_FAILED")) {
      this.hooks.event({ type: "error", message: `the server refused us: ${msg}`, fatal: true });
      return;
    }
    if (msg === "RESTART" || msg.startsWith("RESTART,") || msg === "HALT" || msg.startsWith("HALT,") || msg === "EXIT") {
      this.hooks.event({ type: "exit", reason: `the server sent ${msg}` });
      return;
    }
    this.hooks.event({ type: "log", message: `control message from server: ${msg}` });
  }

  private applyPush(ks: KeyState, msg: string, now: number): void {
    const routes: string[] = [];
    let ifconfig: [string, string] | undefined;
    let cipher: DataCipher | null = null;
    let ekm = false;
    for (const opt of msg.split(",").slice(1)) {
      const w = opt.trim().split(/\s+/);
      switch (w[0]) {
        case "ifconfig":
          ifconfig = [w[1], w[2]];
          break;
        case "route":
          routes.push(w.slice(1).join(" "));
          break;
        case "peer-id":
          this.peerId = Number(w[1]) & 0xffffff;
          break;
        case "cipher":
          cipher = parseCipher(w[1] ?? "");
          if (cipher === null) {
            this.hooks.event({ type: "error", message: `the server pushed an unsupported cipher ${w[1]}`, fatal: true });
            return;
          }
          break;
        case "ping":
          this.ping = Number(w[1]);
          break;
        case "ping-restart":
          this.pingRestart = Number(w[1]);
          break;
        case "protocol-flags":
          for (const f of w.slice(1)) {
            if (f === "tls-ekm") ekm = true;
            if (f === "cc-exit") this.ccExit = true;
          }
          break;
        case "key-derivation":
          if (w[1] === "tls-ekm") ekm = true;
          break;
        default:
          break;
      }
    }
    if (!ekm) {
      this.hooks.event({ type: "error", message: "the server did not agree to TLS-EKM key derivation (protocol-flags tls-ekm); nestcap needs an OpenVPN 2.6 server", fatal: true });
      return;
    }
    this.cipher = cipher ?? this.cfg.dataCiphers[0];
    this.pushed = true;
    this.ifconfig = ifconfig ?? null;
    this.installKeys(ks, now);
    this.activate(ks, now);
    this.hooks.event({ type: "connected", cipher: this.cipher, peerId: this.peerId, ifconfig, routes, ping: this.ping, pingRestart: this.pingRestart, pushReply: msg, tlsVersion: ks.tls?.getProtocol() ?? undefined, peerCert: subjectOf(ks.tls) });
  }

  private flushKey(ks: KeyState): void {
    const now = this.now();
    for (const p of ks.rel.flush(now)) this.sendControl(p);
  }

  private scheduleAck(ks: KeyState): void {
    if (this.ackScheduled) return;
    this.ackScheduled = true;
    // a tick later: the TLS reply (if any) can carry the ACKs
    setImmediate(() => {
      this.ackScheduled = false;
      if (this.closed) return;
      for (const k of this.keys) {
        if (k === null) continue;
        this.flushKey(k);
        const a = k.rel.ackPacket();
        if (a !== null) this.sendControl(a);
      }
      void ks;
    });
  }

  private sendControl(plain: Uint8Array): void {
    this.stats.linkTx++;
    this.lastSent = this.now();
    this.hooks.sendLink(this.wrap.wrap(plain));
  }

  // ------------------------------------------------------------------ data channel

  private dataIn(pkt: Uint8Array, op: number): void {
    const ks = this.keys[pkt[0] & 7];
    if (ks === null || ks.recv === null) {
      this.stats.unknownKeyId++;
      return;
    }
    const hl = op === P_DATA_V2 ? 4 : 1;
    if (pkt.length < hl) {
      this.stats.malformed++;
      return;
    }
    const header = op === P_DATA_V2 ? pkt.subarray(0, 4) : pkt.subarray(0, 0);
    let r: { packetId: number; plaintext: Uint8Array } | null;
    if (ks.fastRecv !== null) {
      r = ks.fastRecv.open(header, pkt.subarray(hl));
    } else {
      const d = decryptData(ks.recv, header, pkt.subarray(hl));
      r = d.ok ? d : null;
    }
    if (r === null) {
      this.stats.authFailures++;
      return;
    }
    if (!ks.replay.check(r.packetId)) {
      this.stats.replays++;
      return;
    }
    ks.replay.accept(r.packetId);
    this.lastRecv = this.now();
    const pt = r.plaintext;
    if (pt.length === 16 && startsWith(pt, PING_MAGIC)) return;
    if (pt.length === 17 && startsWith(pt, OCC_MAGIC)) {
      if (pt[16] === OCC_EXIT) this.hooks.event({ type: "exit", reason: "the peer sent OCC_EXIT" });
      return;
    }
    if (pt.length === 0) return;
    this.stats.dataRx++;
    this.stats.dataRxBytes += pt.length;
    this.hooks.deliverTun(pt);
  }

  /** Encrypt and send one IP packet (dropped while no key is active). */
  tunIn(ip: Uint8Array): void {
    if (this.primary < 0 || this.closed) return;
    this.stats.dataTx++;
    this.stats.dataTxBytes += ip.length;
    this.sendData(ip);
  }

  private readonly dataHeader = Buffer.alloc(4);

  private sendData(pt: Uint8Array): void {
    const ks = this.keys[this.primary]!;
    const key = ks.send!;
    const header = this.dataHeader; // reused: seal/encryptData copy it into the packet
    header[0] = (P_DATA_V2 << 3) | ks.keyId;
    header[1] = (this.peerId >> 16) & 0xff;
    header[2] = (this.peerId >> 8) & 0xff;
    header[3] = this.peerId & 0xff;
    let out: Uint8Array;
    if (ks.fastSend !== null) {
      out = ks.fastSend.seal(header, ++ks.sendPid, pt);
    } else {
      const body = encryptData(key, header, ++ks.sendPid, pt);
      out = Buffer.allocUnsafe(4 + body.length);
      out.set(header, 0);
      out.set(body, 4);
    }
    this.lastSent = this.now();
    this.stats.linkTx++;
    this.hooks.sendLink(out);
  }

  // ------------------------------------------------------------------ timers

  tick(): void {
    if (this.closed) return;
    const now = this.now();
    for (const ks of this.keys) {
      if (ks === null) continue;
      if (ks.expiresAt <= now && ks.keyId !== this.primary) {
        this.dropKey(ks);
        continue;
      }
      for (const p of ks.rel.retransmit(now)) this.sendControl(p);
      this.stats.retransmits += 0;
      if (ks.state !== "active" && ks.state !== "dead" && now - ks.startedAt > (this.cfg.handWindow ?? 60) * 1000) {
        ks.state = "dead";
        const what = this.remoteSession === 0n ? "no answer from the peer" : "the TLS handshake / key exchange did not complete";
        this.hooks.event({ type: "error", message: `${what} within ${this.cfg.handWindow ?? 60} s (key-id ${ks.keyId})`, fatal: ks.keyId === 0 || this.primary < 0 });
      }
    }
    let rt = 0;
    for (const ks of this.keys) if (ks !== null) rt += ks.rel.retransmits;
    this.stats.retransmits = rt;
    this.stats.controlAuthFailures = this.wrap.authFailures;
    // client: repeat PUSH_REQUEST until answered
    if (this.cfg.role === "client" && !this.pushed && this.keys[0]?.peerKm2 != null && now - this.lastPushRequest >= 1000) {
      this.lastPushRequest = now;
      this.sendControlString(this.keys[0]!, "PUSH_REQUEST");
    }
    if (this.connected) {
      if (this.ping > 0 && now - this.lastSent >= this.ping * 1000) {
        this.stats.pings++;
        this.sendData(PING_MAGIC);
      }
      if (this.pingRestart > 0 && now - this.lastRecv >= this.pingRestart * 1000) {
        this.hooks.event({ type: "error", message: `the peer stopped answering: nothing received for ${this.pingRestart} s (ping-restart)`, fatal: true });
        this.lastRecv = now;
      }
      const reneg = this.cfg.renegSec ?? 0;
      const pk = this.keys[this.primary];
      if (reneg > 0 && pk !== null && pk.activeAt > 0 && now - pk.activeAt >= reneg * 1000 && this.keys[this.nextKeyId]?.state !== "tls" && this.keys[this.nextKeyId]?.state !== "km2") {
        this.renegotiate();
      }
    }
  }

  private dropKey(ks: KeyState): void {
    ks.state = "dead";
    ks.fastSend?.free();
    ks.fastRecv?.free();
    ks.fastSend = ks.fastRecv = null;
    ks.tls?.destroy();
    ks.tls = null;
    ks.duplex = null;
    if (this.keys[ks.keyId] === ks) this.keys[ks.keyId] = null;
  }

  /** Tell the peer we leave (control EXIT when agreed, and OCC_EXIT on the data channel), then stop. */
  close(): void {
    if (this.closed) return;
    if (this.primary >= 0) {
      const ks = this.keys[this.primary]!;
      const occ = new Uint8Array(17);
      occ.set(OCC_MAGIC, 0);
      occ[16] = OCC_EXIT;
      if (this.ccExit && this.cfg.role === "client") this.sendControlString(ks, "EXIT");
      this.sendData(occ);
    }
    this.closed = true;
    setTimeout(() => {
      for (const ks of this.keys) if (ks !== null) this.dropKey(ks);
    }, 50).unref();
  }

  /** Flush control output right now (used before exit). */
  flushAll(): void {
    for (const ks of this.keys) if (ks !== null) this.flushKey(ks);
  }
}

function subjectOf(s: tls.TLSSocket | null): string | undefined {
  if (s === null) return undefined;
  const c = s.getPeerCertificate();
  if (c === null || c.subject === undefined) return undefined;
  return c.subject.CN !== undefined ? `CN=${c.subject.CN}` : undefined;
}

export function describeTlsError(e: Error): string {
  const code = (e as NodeJS.ErrnoException).code ?? "";
  switch (code) {
    case "UNABLE_TO_VERIFY_LEAF_SIGNATURE":
    case "UNABLE_TO_GET_ISSUER_CERT":
    case "UNABLE_TO_GET_ISSUER_CERT_LOCALLY":
    case "SELF_SIGNED_CERT_IN_CHAIN":
    case "DEPTH_ZERO_SELF_SIGNED_CERT":
      return `the peer's certificate is not signed by our CA (${code}): check --ca`;
    case "CERT_HAS_EXPIRED":
      return "the peer's certificate has expired";
    case "ERR_SSL_TLSV1_ALERT_UNKNOWN_CA":
    case "ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE":
    case "ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED":
    case "ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN":
      return `the peer rejected our certificate (${code}): check --cert/--key and the peer's CA`;
    default:
      return `${e.message}${code !== "" ? ` (${code})` : ""}`;
  }
}
