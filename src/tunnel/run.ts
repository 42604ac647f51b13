/**
 * The IO shell around the engines: UDP (dgram) or TCP (2-byte length framing) transport,
 * the tun device, timers, signals, stats, and the observers (--inspect, --keylog,
 * --pcap-out). One peer for a client; a server keeps one engine per client (by UDP
 * address or TCP connection) and routes tun packets to them by IPv4 destination.
 */
import * as dgram from "node:dgram";
import { readFileSync } from "node:fs";
import * as net from "node:net";
import { StaticEngine } from "./engine-static.js";
import { type EngineEvent, type EngineHooks, type EngineStats, type KeysEvent, TlsEngine, newStats } from "./engine.js";
import { readStaticKey } from "./keyfile.js";
import type { TunnelOptions } from "./options.js";
import { TunDevice } from "./tun.js";
import type { ControlWrapConfig } from "./ctlwrap.js";

/** Something that watches the traffic (inspect, pcap-out) or the keys (keylog). */
export interface TunnelObserver {
  /** An OpenVPN packet on the wire (dir: "out" sent, "in" received). */
  outer?(dir: "in" | "out", pkt: Uint8Array, peer: PeerAddr): void;
  /** A cleartext IP packet: "out" read from the tun, "in" written to it. */
  inner?(dir: "in" | "out", ip: Uint8Array): void;
  keys?(k: KeysEvent, peer: PeerAddr): void;
  close?(): void | Promise<void>;
}

export interface PeerAddr {
  proto: "udp" | "tcp";
  localAddr: string;
  localPort: number;
  remoteAddr: string;
  remotePort: number;
}

type Engine = TlsEngine | StaticEngine;

interface Peer {
  engine: Engine;
  addr: PeerAddr;
  send: (pkt: Uint8Array) => void;
  ip?: number;
  tcp?: net.Socket;
  connected: boolean;
  createdAt: number;
}

export interface TunnelLogger {
  (level: number, msg: string): void;
}

function ipToU32(s: string): number {
  const p = s.split(".").map(Number);
  return ((p[0] << 24) >>> 0) + (p[1] << 16) + (p[2] << 8) + p[3];
}
function u32ToIp(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}
function maskToPrefix(mask: string): number {
  let n = ipToU32(mask);
  let p = 0;
  while (n & 0x80000000) {
    p++;
    n = (n << 1) >>> 0;
  }
  return p;
}

export class Tunnel {
  private tun: TunDevice | null = null;
  private peers = new Map<string, Peer>();
  private byIp = new Map<number, Peer>();
  private udp: dgram.Socket | null = null;
  private tcpServer: net.Server | null = null;
  private timer: NodeJS.Timeout | null = null;
  private nextPeerId = 0;
  private nextHost = 2;
  private stopped = false;
  private doneResolve: (code: number) => void = () => {};
  readonly done: Promise<number>;
  /** Stats of peers that are gone. */
  private pastStats: EngineStats = newStats();
  private tlsFiles: { ca: Buffer; cert: Buffer; key: Buffer } | null = null;
  private staticKey: Uint8Array | null = null;
  private wrap: ControlWrapConfig = { kind: "none" };
  private observers: TunnelObserver[] = [];

  constructor(private readonly o: TunnelOptions, private readonly log: TunnelLogger) {
    this.done = new Promise((r) => (this.doneResolve = r));
  }

  addObserver(ob: TunnelObserver): void {
    this.observers.push(ob);
  }

  /** Read keys and certificates (errors name the file), open the tun, start the transport. */
  async start(): Promise<void> {
    const o = this.o;
    if (o.secret !== undefined) {
      this.staticKey = readStaticKey(o.secret);
    } else {
      const rd = (what: string, f: string): Buffer => {
        try {
          return readFileSync(f);
        } catch (e) {
          throw new Error(`cannot read --${what} ${f}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
        }
      };
      this.tlsFiles = { ca: rd("ca", o.ca!), cert: rd("cert", o.cert!), key: rd("key", o.key!) };
      if (o.tlsCrypt !== undefined) this.wrap = { kind: "tls-crypt", key2: readStaticKey(o.tlsCrypt), direction: o.role === "server" ? 0 : 1 };
      else if (o.tlsAuth !== undefined) this.wrap = { kind: "tls-auth", key2: readStaticKey(o.tlsAuth), direction: o.tlsAuthDir, auth: o.auth };
    }
    this.tun = new TunDevice(o.dev);
    this.tun.onPacket = (p) => this.fromTun(p);
    this.tun.onError = (e) => this.fatal(`tun read: ${e.message}`);
    if (o.secret !== undefined) {
      const [l, r] = o.ifconfig!;
      this.tun.configure({ address: l, peer: r, mtu: o.mtu });
    } else if (o.role === "server") {
      const [netw, mask] = o.server ?? ["10.8.0.0", "255.255.255.0"];
      const local = u32ToIp(ipToU32(netw) + 1);
      this.tun.configure({ address: `${local}/${maskToPrefix(mask)}`, mtu: o.mtu });
    }
    this.tun.start();
    this.log(1, `tun device ${this.tun.name} opened`);
    if (o.role === "server") await this.listen();
    else await this.connect();
    this.timer = setInterval(() => this.tick(), 200);
  }

  // ---------------------------------------------------------------- transport

  private async listen(): Promise<void> {
    const o = this.o;
    const host = o.local ?? "0.0.0.0";
    if (o.proto === "udp") {
      const s = dgram.createSocket({ type: "udp4", recvBufferSize: 1 << 21, sendBufferSize: 1 << 21 });
      this.udp = s;
      s.on("message", (msg, rinfo) => this.udpIn(msg, rinfo.address, rinfo.port));
      s.on("error", (e) => this.udpError(e));
      await new Promise<void>((res, rej) => {
        s.once("error", rej);
        s.bind(o.port, host, () => {
          s.off("error", rej);
          res();
        });
      });
      this.log(1, `listening on udp ${host}:${o.port}`);
    } else {
      const srv = net.createServer((c) => this.tcpAccept(c));
      this.tcpServer = srv;
      await new Promise<void>((res, rej) => {
        srv.once("error", rej);
        srv.listen(o.port, host, () => {
          srv.off("error", rej);
          res();
        });
      });
      this.log(1, `listening on tcp ${host}:${o.port}`);
    }
  }

  private async connect(): Promise<void> {
    const o = this.o;
    if (o.proto === "udp") {
      const s = dgram.createSocket({ type: "udp4", recvBufferSize: 1 << 21, sendBufferSize: 1 << 21 });
      this.udp = s;
      s.on("error", (e) => this.udpError(e));
      await new Promise<void>((res, rej) => {
        s.once("error", rej);
        s.connect(o.port, o.remote!, () => {
          s.off("error", rej);
          res();
        });
      });
      const la = s.address();
      const ra = s.remoteAddress();
      const addr: PeerAddr = { proto: "udp", localAddr: la.address, localPort: la.port, remoteAddr: ra.address, remotePort: ra.port };
      const peer = this.newPeer(`${ra.address}:${ra.port}`, addr, (pkt) => s.send(pkt));
      s.on("message", (msg) => this.linkIn(peer, msg));
      peer.engine.start();
    } else {
      const c = net.connect({ host: o.remote!, port: o.port, noDelay: true });
      await new Promise<void>((res, rej) => {
        c.once("error", (e) => rej(new Error(`cannot connect to ${o.remote}:${o.port}: ${e.message}`)));
        c.once("connect", () => res());
      });
      c.removeAllListeners("error");
      this.tcpAccept(c);
    }
  }

  /** ICMP errors (port unreachable while the peer is down) are not fatal on UDP, as in OpenVPN. */
  private udpError(e: Error): void {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ECONNREFUSED" || code === "EHOSTUNREACH" || code === "ENETUNREACH" || code === "EMSGSIZE") {
      this.log(2, `UDP: ${e.message}`);
      return;
    }
    this.fatal(`UDP socket: ${e.message}`);
  }

  private tcpAccept(c: net.Socket): void {
    c.setNoDelay(true);
    const addr: PeerAddr = { proto: "tcp", localAddr: c.localAddress ?? "", localPort: c.localPort ?? 0, remoteAddr: c.remoteAddress ?? "", remotePort: c.remotePort ?? 0 };
    const key = `tcp:${addr.remoteAddr}:${addr.remotePort}`;
    const peer = this.newPeer(key, addr, (pkt) => {
      const h = Buffer.allocUnsafe(2);
      h.writeUInt16BE(pkt.length);
      c.cork();
      c.write(h);
      c.write(pkt);
      c.uncork();
    });
    peer.tcp = c;
    let buf: Buffer = Buffer.alloc(0);
    c.on("data", (d: Buffer) => {
      buf = buf.length === 0 ? d : Buffer.concat([buf, d]);
      let o = 0;
      while (buf.length - o >= 2) {
        const l = buf.readUInt16BE(o);
        if (buf.length - o - 2 < l) break;
        this.linkIn(peer, buf.subarray(o + 2, o + 2 + l));
        o += 2 + l;
      }
      buf = o === buf.length ? Buffer.alloc(0) : buf.subarray(o);
    });
    c.on("error", () => {});
    c.on("close", () => {
      if (this.stopped) return;
      if (this.o.role === "client") this.fatal("the server closed the TCP connection");
      else this.removePeer(key, "TCP connection closed");
    });
    peer.engine.start();
  }

  private udpIn(msg: Buffer, address: string, port: number): void {
    const key = `${address}:${port}`;
    let peer = this.peers.get(key);
    if (peer === undefined) {
      if (this.o.secret !== undefined) {
        // static key: the peer may move to a new address (float), but only with a packet
        // that authenticates
        if (this.peers.size > 0) {
          const [k, p] = [...this.peers][0];
          for (const ob of this.observers) ob.outer?.("in", msg, { ...p.addr, remoteAddr: address, remotePort: port });
          if ((p.engine as StaticEngine).linkIn(msg)) {
            this.peers.delete(k);
            p.addr.remoteAddr = address;
            p.addr.remotePort = port;
            p.send = (pkt) => this.udp!.send(pkt, port, address);
            this.peers.set(key, p);
            this.log(1, `peer now at ${address}:${port}`);
          }
          return;
        }
      } else if (msg.length > 0 && msg[0] >> 3 !== 7) {
        return; // only a HARD_RESET_CLIENT_V2 opens a session
      }
      if (peer === undefined) {
        const la = this.udp!.address();
        const addr: PeerAddr = { proto: "udp", localAddr: la.address, localPort: la.port, remoteAddr: address, remotePort: port };
        peer = this.newPeer(key, addr, (pkt) => this.udp!.send(pkt, port, address));
        peer.engine.start();
      }
    }
    this.linkIn(peer, msg);
  }

  private linkIn(peer: Peer, pkt: Uint8Array): void {
    for (const ob of this.observers) ob.outer?.("in", pkt, peer.addr);
    peer.engine.linkIn(pkt);
  }

  private newPeer(key: string, addr: PeerAddr, rawSend: (pkt: Uint8Array) => void): Peer {
    const o = this.o;
    const peer: Peer = { engine: null as unknown as Engine, addr, send: rawSend, connected: false, createdAt: Date.now() };
    const hooks: EngineHooks = {
      sendLink: (pkt) => {
        for (const ob of this.observers) ob.outer?.("out", pkt, peer.addr);
        peer.send(pkt);
      },
      deliverTun: (ip) => {
        if (this.o.role === "server" && this.o.secret === undefined && ip.length >= 20 && peer.ip !== undefined) {
          // a client may only send from its own address
          const src = ((ip[12] << 24) >>> 0) + ((ip[13] << 16) | (ip[14] << 8) | ip[15]);
          if (src !== peer.ip && (ip[0] >> 4) === 4) return;
        }
        for (const ob of this.observers) ob.inner?.("in", ip);
        this.tun?.write(ip);
      },
      event: (ev) => this.onEvent(key, peer, ev),
    };
    if (o.secret !== undefined) {
      peer.engine = new StaticEngine({
        key2: this.staticKey!, direction: o.secretDir, cipher: o.cipher ?? "AES-256-CBC", auth: o.auth,
        proto: o.proto, ifconfig: o.ifconfig, ping: o.ping ?? o.keepalive?.[0], pingRestart: o.pingRestart ?? o.keepalive?.[1],
      }, hooks);
      peer.connected = true;
    } else {
      let push;
      if (o.role === "server") {
        const [netw, mask] = o.server ?? ["10.8.0.0", "255.255.255.0"];
        const ip = ipToU32(netw) + this.nextHost++;
        peer.ip = ip;
        const [ping, restart] = o.keepalive ?? [10, 60];
        push = { ifconfig: [u32ToIp(ip), mask] as [string, string], routeGateway: u32ToIp(ipToU32(netw) + 1), peerId: this.nextPeerId++, ping, pingRestart: restart };
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

  private onEvent(key: string, peer: Peer, ev: EngineEvent): void {
    switch (ev.type) {
      case "log":
        this.log(2, ev.message);
        break;
      case "keys":
        for (const ob of this.observers) ob.keys?.(ev.keys, peer.addr);
        this.log(2, `data channel keys installed: key-id ${ev.keys.keyId}, ${ev.keys.cipher}`);
        break;
      case "connected": {
        peer.connected = true;
        const who = `${peer.addr.remoteAddr}:${peer.addr.remotePort}`;
        if (this.o.role === "client") {
          if (ev.ifconfig !== undefined && this.tun !== null) {
            try {
              this.tun.configure({ address: `${ev.ifconfig[0]}/${maskToPrefix(ev.ifconfig[1])}`, mtu: this.o.mtu, routes: ev.routes.map((r) => {
                const w = r.split(" ");
                return w.length >= 2 && w[1].includes(".") ? `${w[0]}/${maskToPrefix(w[1])}` : w[0];
              }) });
            } catch (e) {
              this.fatal(`cannot configure ${this.tun.name}: ${(e as Error).message}`);
              return;
            }
          }
          this.log(1, `connected to ${who} (${ev.tlsVersion ?? "TLS"}, ${ev.peerCert ?? "?"}): ${this.tun?.name} ${ev.ifconfig?.join(" ") ?? ""}, cipher ${ev.cipher}, peer-id ${ev.peerId}`);
        } else {
          if (peer.ip !== undefined) this.byIp.set(peer.ip, peer);
          this.log(1, `client ${who} connected (${ev.tlsVersion ?? "TLS"}, ${ev.peerCert ?? "?"}): ${ev.ifconfig?.[0] ?? ""}, cipher ${ev.cipher}, peer-id ${ev.peerId}, ${ev.peerInfo?.IV_VER !== undefined ? `IV_VER ${ev.peerInfo.IV_VER}` : ""}`);
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

  private removePeer(key: string, _why: string): void {
    const p = this.peers.get(key);
    if (p === undefined) return;
    this.peers.delete(key);
    if (p.ip !== undefined && this.byIp.get(p.ip) === p) this.byIp.delete(p.ip);
    addStats(this.pastStats, p.engine.stats);
    p.engine.close();
    p.tcp?.destroy();
  }

  private fromTun(ip: Buffer): void {
    for (const ob of this.observers) ob.inner?.("out", ip);
    if (this.o.role === "client" || this.o.secret !== undefined) {
      for (const p of this.peers.values()) p.engine.tunIn(ip);
      return;
    }
    if (ip.length < 20 || ip[0] >> 4 !== 4) return;
    const dst = ((ip[16] << 24) >>> 0) + ((ip[17] << 16) | (ip[18] << 8) | ip[19]);
    this.byIp.get(dst)?.engine.tunIn(ip);
  }

  private tick(): void {
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
    return `stats: link rx ${s.linkRx} tx ${s.linkTx} packets; tun rx ${s.dataRx} packets/${s.dataRxBytes} bytes, tx ${s.dataTx} packets/${s.dataTxBytes} bytes; dropped: auth-failed ${s.authFailures}, replayed ${s.replays}, unknown-key-id ${s.unknownKeyId}, control-auth-failed ${s.controlAuthFailures}, malformed ${s.malformed}; retransmits ${s.retransmits}, pings ${s.pings}`;
  }

  private fatal(msg: string): void {
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

function addStats(a: EngineStats, b: EngineStats): void {
  for (const k of Object.keys(a) as (keyof EngineStats)[]) a[k] += b[k];
}
