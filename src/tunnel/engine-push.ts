/**
 * What follows key method 2 in the TLS-mode engine (between engine-control.ts and
 * engine.ts): the server's cipher choice from IV_CIPHERS, the data-channel keys from
 * TLS-EKM, key activation, and PUSH_REQUEST / PUSH_REPLY and the other control strings.
 */
import { type DataCipher, dataKeyFromKeyMaterial, isAead, parseCipher } from "../openvpn/datachannel.js";
import { TlsControl } from "./engine-control.js";
import { EKM_LABEL, IV_PROTO_CC_EXIT_NOTIFY, IV_PROTO_TLS_KEY_EXPORT } from "./engine-types.js";
import { fastPath } from "./fastcrypto.js";
import { type KeyState, hex64, parsePeerInfo, subjectOf } from "./keystate.js";

export abstract class TlsPush extends TlsControl {
  protected override gotKm2(ks: KeyState): void {
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

  protected override controlString(ks: KeyState, msg: string): void {
    const now = this.now();
    if (this.cfg.role === "server") {
      if (msg === "PUSH_REQUEST") {
        if (ks.send === null) return;
        const p = this.cfg.push!;
        const opts = [
          "PUSH_REPLY",
          ...(p.ifconfig6 !== undefined ? ["tun-ipv6"] : []),
          ...(p.routeGateway !== undefined ? [`route-gateway ${p.routeGateway}`] : []),
          "topology subnet",
          `ping ${p.ping}`,
          `ping-restart ${p.pingRestart}`,
          ...(p.ifconfig6 !== undefined ? [`ifconfig-ipv6 ${p.ifconfig6[0]} ${p.ifconfig6[1]}`] : []),
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
          this.hooks.event({ type: "connected", cipher: this.cipher!, peerId: this.peerId, ifconfig: p.ifconfig, routes: [], ifconfig6: p.ifconfig6, routes6: [], ping: this.ping, pingRestart: this.pingRestart, peerInfo: this.peerInfo, tlsVersion: ks.tls?.getProtocol() ?? undefined, peerCert: subjectOf(ks.tls) });
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
    const routes6: string[] = [];
    let ifconfig: [string, string] | undefined;
    let ifconfig6: [string, string] | undefined;
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
        case "ifconfig-ipv6":
          ifconfig6 = [w[1], w[2]];
          break;
        case "route-ipv6":
          routes6.push(w[1]);
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
    this.hooks.event({ type: "connected", cipher: this.cipher, peerId: this.peerId, ifconfig, routes, ifconfig6, routes6, ping: this.ping, pingRestart: this.pingRestart, pushReply: msg, tlsVersion: ks.tls?.getProtocol() ?? undefined, peerCert: subjectOf(ks.tls) });
  }
}
