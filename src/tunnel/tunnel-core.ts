/**
 * The peer side of the tunnel (the base of `Tunnel`, run.ts): the observer, peer and
 * logger types, and `TunnelCore` — its state (tun, sockets, peers by address and by
 * tun IPv4 / IPv6 address), making a peer's engine (TLS or static key, with what a server
 * pushes), the engines' events, tun packets to peers, the timer tick, stats and stop.
 * The transport (UDP/TCP, listen/connect, datagrams in) is in run.ts.
 */
import type * as dgram from "node:dgram";
import type * as net from "node:net";
import { StaticEngine } from "./engine-static.js";
import { type EngineEvent, type EngineHooks, type EngineStats, type KeysEvent, TlsEngine, newStats } from "./engine.js";
import type { TunnelOptions } from "./options.js";
import type { TunDevice } from "./tun.js";
import type { ControlWrapConfig } from "./ctlwrap.js";
import { addIp6, ip6Text, key6, parsePrefix6, same6, server6 } from "./ip6.js";
import { type UdpOut, ipToU32, maskToPrefix, u32ToIp } from "./udpio.js";

/** Something that watches the traffic (inspect, pcap-out) or the keys (keylog). */
export interface TunnelObserver {
  /** An OpenVPN packet on the wire (dir: "out" sent, "in" received). */
  outer?(dir: "in" | "out", pkt: Uint8Array, peer: PeerAddr): void;
  /** A cleartext IP packet: "out" read from the tun, "in" written to it. */
  inner?(dir: "in" | "out", ip: Uint8Array): void;
  keys?(k: KeysEvent, peer: PeerAddr): void;
  /** A TLS secret of the control channel (an SSLKEYLOGFILE line). */
  tlsSecret?(line: string): void;
  close?(): void | Promise<void>;
}

export interface PeerAddr {
  proto: "udp" | "tcp";
  localAddr: string;
  localPort: number;
  remoteAddr: string;
  remotePort: number;
}

export type Engine = TlsEngine | StaticEngine;

export interface Peer {
  engine: Engine;
  addr: PeerAddr;
  send: (pkt: Uint8Array) => void;
  ip?: number;
  /** Server with --server-ipv6: the client's IPv6 address. */
  ip6?: Uint8Array;
  tcp?: net.Socket;
  /** UDP server: the peer's sockaddr_in. */
  sa?: Uint8Array;
  connected: boolean;
  createdAt: number;
}

export interface TunnelLogger {
  (level: number, msg: string): void;
}

export abstract class TunnelCore {
  protected tun: TunDevice | null = null;
  protected peers = new Map<string, Peer>();
  private byIp = new Map<number, Peer>();
  /** Server with --server-ipv6: clients by IPv6 address (key6: the 16 bytes as a string). */
  private byIp6 = new Map<string, Peer>();
  protected udp: dgram.Socket | null = null;
  protected udpOut: UdpOut | null = null;
  protected tcpServer: net.Server | null = null;
  protected timer: NodeJS.Timeout | null = null;
  private nextPeerId = 0;
  private nextHost = 2;
  protected stopped = false;
  private doneResolve: (code: number) => void = () => {};
  readonly done: Promise<number>;
  /** Stats of peers that are gone. */
  private pastStats: EngineStats = newStats();
  protected tlsFiles: { ca: Buffer; cert: Buffer; key: Buffer } | null = null;
  protected staticKey: Uint8Array | null = null;
  protected wrap: ControlWrapConfig = { kind: "none" };
  protected observers: TunnelObserver[] = [];

  /** The last UDP sender's peer (most packets come from the same one): no key string per packet. */
  protected lastAddr = "";
  protected lastPort = -1;
  protected lastPeer: Peer | null = null;

  constructor(protected readonly o: TunnelOptions, protected readonly log: TunnelLogger) {
    this.done = new Promise((r) => (this.doneResolve = r));
  }

  addObserver(ob: TunnelObserver): void {
    this.observers.push(ob);
  }

  protected newPeer(key: string, addr: PeerAddr, rawSend: (pkt: Uint8Array) => void): Peer {
    const o = this.o;
    const peer: Peer = { engine: null as unknown as Engine, addr, send: rawSend, connected: false, createdAt: Date.now() };
    const hooks: EngineHooks = {
      sendLink: (pkt) => {
        for (const ob of this.observers) ob.outer?.("out", pkt, peer.addr);
        peer.send(pkt);
      },
      deliverTun: (ip) => {
        if (this.o.role === "server" && this.o.secret === undefined && !sourceOk(peer, ip)) return;
        for (const ob of this.observers) ob.inner?.("in", ip);
        this.tun?.write(ip);
      },
      event: (ev) => this.onEvent(key, peer, ev),
    };
    if (o.secret !== undefined) {
      peer.engine = new StaticEngine({
        key2: this.staticKey!, direction: o.secretDir, cipher: o.cipher ?? "AES-256-CBC", auth: o.auth,
        proto: o.proto, ifconfig: o.ifconfig, tunIpv6: o.ifconfig6 !== undefined, ping: o.ping ?? o.keepalive?.[0], pingRestart: o.pingRestart ?? o.keepalive?.[1],
      }, hooks);
      peer.connected = true;
    } else {
      let push;
      if (o.role === "server") {
        const [netw, mask] = o.server ?? ["10.8.0.0", "255.255.255.0"];
        const index = this.nextHost++ - 2;
        const ip = ipToU32(netw) + 2 + index;
        peer.ip = ip;
        const [ping, restart] = o.keepalive ?? [10, 60];
        push = { ifconfig: [u32ToIp(ip), mask] as [string, string], ifconfig6: this.pool6(peer, index), routeGateway: u32ToIp(ipToU32(netw) + 1), peerId: this.nextPeerId++, ping, pingRestart: restart, extra: o.push };
      }
      peer.engine = new TlsEngine({
        role: o.role, proto: o.proto, ca: this.tlsFiles!.ca, cert: this.tlsFiles!.cert, key: this.tlsFiles!.key, wrap: this.wrap,
        dataCiphers: o.dataCiphers, auth: o.auth, push, remoteCertTls: o.remoteCertTls, handWindow: o.handWindow,
        ping: o.ping, pingRestart: o.pingRestart ?? (o.role === "client" ? 120 : undefined), renegSec: o.renegSec,
      }, hooks);
    }
    this.peers.set(key, peer);
    return peer;
  }

  /** --server-ipv6: the client's address (pool base + its IPv4 pool index, as OpenVPN) for "ifconfig-ipv6 A/BITS SERVER". */
  private pool6(peer: Peer, index: number): [string, string] | undefined {
    const net = this.o.server6 !== undefined ? parsePrefix6(this.o.server6) : null;
    if (net === null) return undefined;
    const { local, poolBase } = server6(net);
    peer.ip6 = addIp6(poolBase, index);
    return [`${ip6Text(peer.ip6)}/${net.bits}`, ip6Text(local)];
  }

  private onEvent(key: string, peer: Peer, ev: EngineEvent): void {
    switch (ev.type) {
      case "log":
        this.log(2, ev.message);
        break;
      case "tls-secret":
        for (const ob of this.observers) ob.tlsSecret?.(ev.line);
        break;
      case "keys":
        for (const ob of this.observers) ob.keys?.(ev.keys, peer.addr);
        this.log(2, `data channel keys installed: key-id ${ev.keys.keyId}, ${ev.keys.cipher}`);
        break;
      case "connected": {
        peer.connected = true;
        const who = `${peer.addr.remoteAddr}:${peer.addr.remotePort}`;
        if (this.o.role === "client") {
          if ((ev.ifconfig !== undefined || ev.ifconfig6 !== undefined) && this.tun !== null) {
            try {
              this.tun.configure({ address: ev.ifconfig !== undefined ? `${ev.ifconfig[0]}/${maskToPrefix(ev.ifconfig[1])}` : undefined, mtu: this.o.mtu, routes: ev.routes.map((r) => {
                const w = r.split(" ");
                return w.length >= 2 && w[1].includes(".") ? `${w[0]}/${maskToPrefix(w[1])}` : w[0];
              }), address6: pushed6(ev.ifconfig6?.[0], "ifconfig-ipv6", 64), routes6: [...ev.routes6.map((r) => pushed6(r, "route-ipv6", 128)!), ...this.o.routes6] });
            } catch (e) {
              this.fatal(`cannot configure ${this.tun.name}: ${(e as Error).message}`);
              return;
            }
          }
          this.log(1, `connected to ${who} (${ev.tlsVersion ?? "TLS"}, ${ev.peerCert ?? "?"}): ${this.tun?.name} ${ev.ifconfig?.join(" ") ?? ""}${ev.ifconfig6 !== undefined ? ` ${ev.ifconfig6.join(" ")}` : ""}, cipher ${ev.cipher}, peer-id ${ev.peerId}`);
        } else {
          if (peer.ip !== undefined) this.byIp.set(peer.ip, peer);
          if (peer.ip6 !== undefined) this.byIp6.set(key6(peer.ip6, 0), peer);
          this.log(1, `client ${who} connected (${ev.tlsVersion ?? "TLS"}, ${ev.peerCert ?? "?"}): ${ev.ifconfig?.[0] ?? ""}${ev.ifconfig6 !== undefined ? ` ${ev.ifconfig6[0]}` : ""}, cipher ${ev.cipher}, peer-id ${ev.peerId}, ${ev.peerInfo?.IV_VER !== undefined ? `IV_VER ${ev.peerInfo.IV_VER}` : ""}`);
        }
        break;
      }
      case "error":
        if (this.o.role === "server" && this.o.secret === undefined) {
          this.log(0, `client ${peer.addr.remoteAddr}:${peer.addr.remotePort}: ${ev.message}`);
          if (ev.fatal) this.removePeer(key, ev.message);
        } else if (ev.fatal) {
          this.fatal(ev.message);
        } else {
          this.log(0, ev.message);
        }
        break;
      case "exit":
        if (this.o.role === "server") {
          this.log(1, `client ${peer.addr.remoteAddr}:${peer.addr.remotePort} left: ${ev.reason}`);
          if (this.o.secret === undefined) this.removePeer(key, ev.reason);
        } else {
          this.log(1, `the server ended the session: ${ev.reason}`);
          void this.stop(0);
        }
        break;
    }
  }

  protected removePeer(key: string, _why: string): void {
    const p = this.peers.get(key);
    if (p === undefined) return;
    this.peers.delete(key);
    if (this.lastPeer === p) this.lastPeer = null;
    if (p.ip !== undefined && this.byIp.get(p.ip) === p) this.byIp.delete(p.ip);
    if (p.ip6 !== undefined && this.byIp6.get(key6(p.ip6, 0)) === p) this.byIp6.delete(key6(p.ip6, 0));
    addStats(this.pastStats, p.engine.stats);
    p.engine.close();
    p.tcp?.destroy();
  }

  protected fromTun(ip: Buffer): void {
    for (const ob of this.observers) ob.inner?.("out", ip);
    if (this.o.role === "client" || this.o.secret !== undefined) {
      for (const p of this.peers.values()) p.engine.tunIn(ip);
      return;
    }
    const v = ip[0] >> 4;
    if (v === 4 && ip.length >= 20) {
      const dst = ((ip[16] << 24) >>> 0) + ((ip[17] << 16) | (ip[18] << 8) | ip[19]);
      this.byIp.get(dst)?.engine.tunIn(ip);
    } else if (v === 6 && ip.length >= 40 && this.byIp6.size > 0) {
      this.byIp6.get(key6(ip, 24))?.engine.tunIn(ip);
    }
  }

  protected tick(): void {
    const now = Date.now();
    for (const [k, p] of this.peers) {
      p.engine.tick();
      // a server forgets would-be clients that never got a session (wrong key, scans)
      if (this.o.role === "server" && this.o.secret === undefined && !p.connected && now - p.createdAt > this.o.handWindow * 1000) {
        this.log(2, `client ${p.addr.remoteAddr}:${p.addr.remotePort}: no session within ${this.o.handWindow} s, forgotten`);
        this.removePeer(k, "hand-window");
      }
    }
  }

  stats(): EngineStats {
    const s = newStats();
    addStats(s, this.pastStats);
    for (const p of this.peers.values()) addStats(s, p.engine.stats);
    return s;
  }

  statsLine(): string {
    const s = this.stats();
    return `stats: link rx ${s.linkRx} tx ${s.linkTx} packets; tun rx ${s.dataRx} packets/${s.dataRxBytes} bytes, tx ${s.dataTx} packets/${s.dataTxBytes} bytes; dropped: auth-failed ${s.authFailures}, replayed ${s.replays}, unknown-key-id ${s.unknownKeyId}, control-auth-failed ${s.controlAuthFailures}, malformed ${s.malformed}; retransmits ${s.retransmits}, pings ${s.pings}${this.offloadStats()}`;
  }

  private offloadStats(): string {
    const t = this.tun;
    if (t === null || !t.vnet) return "";
    return `; tun offload: ${t.tso ? `TSO, ${t.coalesced} received packets joined into larger segments` : "checksums only"}`;
  }

  protected fatal(msg: string): void {
    if (this.stopped) return;
    this.log(0, `error: ${msg}`);
    void this.stop(1);
  }

  /** Exit notification to peers, then close everything (tun removed). */
  async stop(code: number): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const p of this.peers.values()) p.engine.close();
    if (this.timer !== null) clearInterval(this.timer);
    await new Promise((r) => setTimeout(r, 60));
    this.log(1, this.statsLine());
    for (const p of this.peers.values()) p.tcp?.destroy();
    this.udp?.close();
    this.tcpServer?.close();
    this.tun?.close();
    for (const ob of this.observers) await ob.close?.();
    this.doneResolve(code);
  }
}

/**
 * A client may only send from its own address: IPv4 from its pooled address, IPv6 only
 * from its --server-ipv6 address (none without one: link-local and the like are dropped,
 * as OpenVPN drops them).
 */
function sourceOk(peer: Peer, ip: Uint8Array): boolean {
  const v = ip[0] >> 4;
  if (v === 4) {
    if (ip.length < 20 || peer.ip === undefined) return true;
    return ((ip[12] << 24) >>> 0) + ((ip[13] << 16) | (ip[14] << 8) | ip[15]) === peer.ip;
  }
  if (v === 6) return peer.ip6 !== undefined && ip.length >= 40 && same6(ip, 8, peer.ip6);
  return true;
}

/** A pushed "ADDR/BITS" checked and normalized before it goes to `ip` (undefined stays undefined). */
function pushed6(s: string | undefined, what: string, defBits: number): string | undefined {
  if (s === undefined) return undefined;
  const p = parsePrefix6(s, defBits);
  if (p === null) throw new Error(`the server pushed ${what} ${s}: not an IPv6 address[/bits]`);
  return `${ip6Text(p.addr)}/${p.bits}`;
}

function addStats(a: EngineStats, b: EngineStats): void {
  for (const k of Object.keys(a) as (keyof EngineStats)[]) a[k] += b[k];
}
