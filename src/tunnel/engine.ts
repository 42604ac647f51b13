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
 *
 * The engine is split over several files: engine-types.ts (configuration, events, stats),
 * keystate.ts (KeyState, key-method-2 codec), engine-control.ts (link side, control
 * channel, TLS), engine-push.ts (keys, PUSH_REQUEST/PUSH_REPLY) and this file (the data
 * channel and the timers); `TlsEngine` extends `TlsPush` extends `TlsControl`.
 */
import { OCC_MAGIC, PING_MAGIC, decryptData, encryptData, startsWith } from "../openvpn/datachannel.js";
import { P_DATA_V2 } from "../openvpn/wire.js";
import { TlsPush } from "./engine-push.js";

export {
  EKM_LABEL, IV_PROTO_CC_EXIT_NOTIFY, IV_PROTO_DATA_V2, IV_PROTO_REQUEST_PUSH, IV_PROTO_TLS_KEY_EXPORT, NESTCAP_IV_VER, OUR_IV_PROTO, newStats,
} from "./engine-types.js";
export type { EngineEvent, EngineHooks, EngineStats, KeysEvent, PushConfig, TlsEngineConfig } from "./engine-types.js";
export { type KeyMethod2, decodeKeyMethod2, describeTlsError, encodeKeyMethod2, optionsString, parsePeerInfo } from "./keystate.js";

const OCC_EXIT = 6;

export class TlsEngine extends TlsPush {
  // ------------------------------------------------------------------ data channel

  protected override dataIn(pkt: Uint8Array, op: number): void {
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
