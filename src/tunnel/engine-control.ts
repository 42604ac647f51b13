/**
 * The link side and the control channel of the TLS-mode engine (the base of `TlsEngine`,
 * engine.ts): session ids, HARD_RESET/SOFT_RESET, the per-key-id reliability layer and
 * node:tls over it, the key-method-2 exchange, ACKs and control packets out. What
 * follows key method 2 (cipher choice, keys, PUSH_REQUEST/PUSH_REPLY) is in
 * engine-push.ts; the data channel and the timers are in engine.ts.
 */
import { randomBytes } from "node:crypto";
import { Duplex } from "node:stream";
import * as tls from "node:tls";
import type { DataCipher } from "../openvpn/datachannel.js";
import {
  P_ACK_V1, P_CONTROL_HARD_RESET_CLIENT_V2, P_CONTROL_HARD_RESET_SERVER_V2, P_CONTROL_SOFT_RESET_V1, P_CONTROL_V1, P_DATA_V1, P_DATA_V2, parsePacket,
} from "../openvpn/wire.js";
import { ControlWrap } from "./ctlwrap.js";
import { type EngineHooks, NESTCAP_IV_VER, OUR_IV_PROTO, type TlsEngineConfig, newStats } from "./engine-types.js";
import { KeyState, decodeKeyMethod2, describeTlsError, encodeKeyMethod2, optionsString } from "./keystate.js";

/** Largest TLS payload per P_CONTROL_V1 (OpenVPN's control channel is limited to --tls-mtu 1250). */
const MAX_CONTROL_PAYLOAD = 1100;

export abstract class TlsControl {
  readonly stats = newStats();
  readonly localSession: bigint;
  remoteSession = 0n;
  protected keys: (KeyState | null)[] = [null, null, null, null, null, null, null, null];
  /** Key-id used for sending data. */
  protected primary = -1;
  protected nextKeyId = 1;
  protected wrap: ControlWrap;
  protected now: () => number;
  protected cipher: DataCipher | null = null;
  peerId = 0;
  protected pushed = false;
  protected lastPushRequest = 0;
  protected lastSent = 0;
  protected lastRecv = 0;
  protected ping: number;
  protected pingRestart: number;
  protected ccExit = false;
  peerInfo: Record<string, string> = {};
  protected closed = false;
  private ackScheduled = false;
  /** A client's tun address after PUSH_REPLY, a server's client address. */
  ifconfig: [string, string] | null = null;

  constructor(protected readonly cfg: TlsEngineConfig, protected readonly hooks: EngineHooks) {
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
    sock.on("keylog", (line: Buffer) => this.hooks.event({ type: "tls-secret", line: line.toString("latin1").trim() }));
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

  protected sendKm2(ks: KeyState): void {
    const client = this.cfg.role === "client";
    const ciphers = this.cfg.dataCiphers.join(":");
    const peerInfo = client
      ? `IV_VER=${NESTCAP_IV_VER}\nIV_PLAT=linux\nIV_TCPNL=1\nIV_MTU=1600\nIV_NCP=2\nIV_CIPHERS=${ciphers}\nIV_PROTO=${OUR_IV_PROTO}\nIV_GUI_VER=nestcap\n`
      : "";
    const km = encodeKeyMethod2(client, { random: randomBytes(client ? 112 : 64), options: optionsString(this.cfg.role, this.cfg.proto), username: "", password: "", peerInfo });
    ks.km2Sent = true;
    ks.tls!.write(km);
  }

  protected sendControlString(ks: KeyState, s: string): void {
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

  protected flushKey(ks: KeyState): void {
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

  protected sendControl(plain: Uint8Array): void {
    this.stats.linkTx++;
    this.lastSent = this.now();
    this.hooks.sendLink(this.wrap.wrap(plain));
  }

  protected dropKey(ks: KeyState): void {
    ks.state = "dead";
    ks.fastSend?.free();
    ks.fastRecv?.free();
    ks.fastSend = ks.fastRecv = null;
    ks.tls?.destroy();
    ks.tls = null;
    ks.duplex = null;
    if (this.keys[ks.keyId] === ks) this.keys[ks.keyId] = null;
  }

  /** A P_DATA_V1/V2 packet (engine.ts). */
  protected abstract dataIn(pkt: Uint8Array, op: number): void;
  /** The peer's key-method-2 message has arrived (engine-push.ts). */
  protected abstract gotKm2(ks: KeyState): void;
  /** A control-channel string (PUSH_REQUEST, PUSH_REPLY, EXIT, ...) (engine-push.ts). */
  protected abstract controlString(ks: KeyState, msg: string): void;
}
