/**
 * Static-key mode (--secret): no control channel, no opcode byte. Every datagram is
 * HMAC ‖ IV ‖ CBC(packet-id ‖ net-time ‖ payload) with the keys of the static key file
 * (direction 0: send with keys[0], receive with keys[1]; 1: the reverse). Payloads are IP
 * packets, the keepalive ping string, or OCC messages (OCC_REQUEST is answered with
 * OCC_REPLY and our options string; OCC_EXIT ends the session).
 */
import {
  type DataAuth, type DataCipher, type DataKey, OCC_MAGIC, PING_MAGIC, dataKeyFromKeyMaterial, decryptData, encryptData, startsWith,
} from "../openvpn/datachannel.js";
import type { EngineHooks, EngineStats } from "./engine.js";
import { newStats } from "./engine.js";
import { type FastPath, fastPath } from "./fastcrypto.js";
import { keySlots } from "./keyfile.js";
import { ReplayWindow } from "./replay.js";

const OCC_REQUEST = 0;
const OCC_REPLY = 1;
const OCC_EXIT = 6;

export interface StaticEngineConfig {
  key2: Uint8Array;
  direction: 0 | 1 | undefined;
  cipher: DataCipher;
  auth: DataAuth;
  proto: "udp" | "tcp";
  /** Local and remote tunnel address (for the OCC options string). */
  ifconfig?: [string, string];
  /** --ifconfig-ipv6 given: "tun-ipv6" in the OCC options string, as OpenVPN's p2p mode. */
  tunIpv6?: boolean;
  ping?: number;
  pingRestart?: number;
  now?: () => number;
}

export class StaticEngine {
  readonly stats: EngineStats = newStats();
  readonly send: DataKey;
  readonly recv: DataKey;
  private pid = 0;
  private readonly netTime: number;
  private replay = new ReplayWindow(64);
  private replayTime = 0;
  private now: () => number;
  private lastSent = 0;
  private lastRecv = 0;
  private closed = false;
  private peerSeen = false;
  private readonly fastSend: FastPath | null;
  private readonly fastRecv: FastPath | null;
  private static readonly NO_HEADER = new Uint8Array(0);

  constructor(private readonly cfg: StaticEngineConfig, private readonly hooks: EngineHooks) {
    const { send, recv } = keySlots(cfg.key2, cfg.direction);
    this.send = dataKeyFromKeyMaterial(cfg.cipher, cfg.auth, send, true);
    this.recv = dataKeyFromKeyMaterial(cfg.cipher, cfg.auth, recv, true);
    this.now = cfg.now ?? Date.now;
    this.fastSend = fastPath(this.send, true);
    this.fastRecv = fastPath(this.recv, false);
    this.netTime = Math.floor(this.now() / 1000);
  }

  get connected(): boolean {
    return this.peerSeen;
  }

  optionsString(): string {
    const ifc = this.cfg.ifconfig !== undefined ? `ifconfig ${this.cfg.ifconfig[1]} ${this.cfg.ifconfig[0]},` : "";
    const kd = this.cfg.direction === undefined ? "" : `keydir ${this.cfg.direction},`;
    const keysize = this.send.cipherKey.length * 8;
    return `V4,dev-type tun,link-mtu 1572,tun-mtu 1500,proto ${this.cfg.proto === "udp" ? "UDPv4" : "TCPv4"},${this.cfg.tunIpv6 === true ? "tun-ipv6," : ""}${ifc}${kd}cipher ${this.cfg.cipher},auth ${this.cfg.auth},keysize ${keysize},secret`;
  }

  /** Announce ourselves (an OCC_REQUEST), so that a waiting peer learns our address. */
  start(): void {
    this.lastRecv = this.now();
    this.sendOcc(OCC_REQUEST);
  }

  private sendOcc(type: number, extra?: Uint8Array): void {
    const m = new Uint8Array(17 + (extra?.length ?? 0));
    m.set(OCC_MAGIC, 0);
    m[16] = type;
    if (extra !== undefined) m.set(extra, 17);
    this.sendPlain(m);
  }

  private sendPlain(pt: Uint8Array): void {
    const out = this.fastSend !== null
      ? this.fastSend.seal(StaticEngine.NO_HEADER, ++this.pid, pt, this.netTime)
      : encryptData(this.send, StaticEngine.NO_HEADER, ++this.pid, pt, { netTime: this.netTime });
    this.lastSent = this.now();
    this.stats.linkTx++;
    this.hooks.sendLink(out);
  }

  tunIn(ip: Uint8Array): void {
    if (this.closed) return;
    this.stats.dataTx++;
    this.stats.dataTxBytes += ip.length;
    this.sendPlain(ip);
  }

  /** Returns true when the packet authenticated (and was not a replay). */
  linkIn(pkt: Uint8Array): boolean {
    if (this.closed) return false;
    this.stats.linkRx++;
    let r: { packetId: number; netTime?: number; plaintext: Uint8Array } | null;
    if (this.fastRecv !== null) {
      r = this.fastRecv.open(StaticEngine.NO_HEADER, pkt);
    } else {
      const d = decryptData(this.recv, StaticEngine.NO_HEADER, pkt);
      r = d.ok ? d : null;
    }
    if (r === null) {
      this.stats.authFailures++;
      return false;
    }
    const t = r.netTime ?? 0;
    if (t !== this.replayTime) {
      if (t < this.replayTime) {
        this.stats.replays++;
        return false;
      }
      this.replayTime = t;
      this.replay.reset();
    }
    if (!this.replay.check(r.packetId)) {
      this.stats.replays++;
      return false;
    }
    this.replay.accept(r.packetId);
    this.lastRecv = this.now();
    if (!this.peerSeen) {
      this.peerSeen = true;
      this.hooks.event({ type: "log", message: "static key: first authenticated packet from the peer" });
    }
    const pt = r.plaintext;
    if (pt.length === 16 && startsWith(pt, PING_MAGIC)) return true;
    if (pt.length >= 17 && startsWith(pt, OCC_MAGIC)) {
      const type = pt[16];
      if (type === OCC_REQUEST) {
        const s = Buffer.from(this.optionsString() + "\0", "utf8");
        this.sendOcc(OCC_REPLY, s);
      } else if (type === OCC_EXIT) {
        this.hooks.event({ type: "exit", reason: "the peer sent OCC_EXIT" });
      }
      return true;
    }
    if (pt.length === 0) return true;
    this.stats.dataRx++;
    this.stats.dataRxBytes += pt.length;
    this.hooks.deliverTun(pt);
    return true;
  }

  tick(): void {
    if (this.closed) return;
    const now = this.now();
    const ping = this.cfg.ping ?? 0;
    if (ping > 0 && now - this.lastSent >= ping * 1000) {
      this.stats.pings++;
      this.sendPlain(PING_MAGIC);
    }
    const pr = this.cfg.pingRestart ?? 0;
    if (pr > 0 && now - this.lastRecv >= pr * 1000) {
      this.lastRecv = now;
      this.hooks.event({ type: "error", message: `the peer stopped answering: nothing received for ${pr} s (ping-restart)`, fatal: true });
    }
  }

  close(): void {
    if (this.closed) return;
    this.sendOcc(OCC_EXIT);
    this.closed = true;
    setTimeout(() => {
      this.fastSend?.free();
      this.fastRecv?.free();
    }, 50).unref();
  }
}
