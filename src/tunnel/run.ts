/**
 * The IO shell around the engines: UDP (dgram) or TCP (2-byte length framing) transport,
 * the tun device, timers, signals, stats, and the observers (--inspect, --keylog,
 * --pcap-out). One peer for a client; a server keeps one engine per client (by UDP
 * address or TCP connection) and routes tun packets to them by IPv4 destination.
 *
 * The data path is synchronous and batched per wakeup: a tun 'data' event drains the tun
 * (tun.ts), a UDP 'message' event drains the socket with recvfrom(2), and datagrams go out
 * with send(2)/sendto(2) through koffi (UdpOut; node:dgram only when the socket buffer is
 * full, keeping the order). No promise, nextTick or timer per packet.
 */
import * as dgram from "node:dgram";
import { readFileSync } from "node:fs";
import { lookup as dnsLookup } from "node:dns";
import * as net from "node:net";
import { StaticEngine } from "./engine-static.js";
import { type EngineEvent, type EngineHooks, type EngineStats, type KeysEvent, TlsEngine, newStats } from "./engine.js";
import { readStaticKey } from "./keyfile.js";
import type { TunnelOptions } from "./options.js";
import { type RawSend, TunDevice, rawSend } from "./tun.js";
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
  /** UDP server: the peer's sockaddr_in. */
  sa?: Uint8Array;
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
  private udpOut: UdpOut | null = null;
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
      // `lookup`: send(pkt, port, address) resolves the address each time; the addresses
      // here are always literals (from rinfo), and node's dns.lookup would defer every
      // send to process.nextTick (plus a closure per packet)
      const s = dgram.createSocket({ type: "udp4", recvBufferSize: 1 << 21, sendBufferSize: 1 << 21, lookup: literalLookup as unknown as dgram.SocketOptions["lookup"] });
      this.udp = s;
      s.on("message", (msg, rinfo) => {
        this.udpIn(msg, rinfo.address, rinfo.port);
        const out = this.udpOut;
        if (out === null) return;
        const f = out.from;
        for (let i = 1; i < UDP_BURST && !this.stopped; i++) {
          const m = out.recv();
          if (m === null) break;
          const port = (f[2] << 8) | f[3];
          const lp = this.lastPeer;
          // the same sender as the last packet: no address string
          if (lp !== null && port === this.lastPort && f[0] === 2 && lp.sa !== undefined && f[4] === lp.sa[4] && f[5] === lp.sa[5] && f[6] === lp.sa[6] && f[7] === lp.sa[7]) this.linkIn(lp, m);
          else this.udpIn(m, `${f[4]}.${f[5]}.${f[6]}.${f[7]}`, port);
        }
      });
      s.on("error", (e) => this.udpError(e));
      await new Promise<void>((res, rej) => {
        s.once("error", rej);
        s.bind(o.port, host, () => {
          s.off("error", rej);
          res();
        });
      });
      this.udpOut = new UdpOut(s);
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
      const out = new UdpOut(s);
      this.udpOut = out;
      const peer = this.newPeer(`${ra.address}:${ra.port}`, addr, (pkt) => out.send(pkt));
      s.on("message", (msg) => {
        this.linkIn(peer, msg);
        for (let i = 1; i < UDP_BURST && !this.stopped; i++) {
          const m = out.recv();
          if (m === null) break;
          this.linkIn(peer, m);
        }
      });
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
      // one buffer, one write (cork + two writes + uncork cost a writev and more stream work)
      const f = Buffer.allocUnsafe(2 + pkt.length);
      f[0] = pkt.length >> 8;
      f[1] = pkt.length & 0xff;
      f.set(pkt, 2);
      c.write(f);
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

  /** The last UDP sender's peer (most packets come from the same one): no key string per packet. */
  private lastAddr = "";
  private lastPort = -1;
  private lastPeer: Peer | null = null;

  private udpIn(msg: Buffer, address: string, port: number): void {
    if (this.lastPeer !== null && port === this.lastPort && address === this.lastAddr) {
      this.linkIn(this.lastPeer, msg);
      return;
    }
    const key = `${address}:${port}`;
    let peer = this.peers.get(key);
    if (peer !== undefined) {
      this.lastAddr = address;
      this.lastPort = port;
      this.lastPeer = peer;
    }
    if (peer === undefined) {
      if (this.o.secret !== undefined) {
        // static key: the peer may move to a new address (float), but only with a packet
        // that authenticates
        if (this.peers.size > 0) {
          const [k, p] = [...this.peers][0];
          for (const ob of this.observers) ob.outer?.("in", msg, { ...p.addr, remoteAddr: address, remotePort: port });
          if ((p.engine as StaticEngine).linkIn(msg)) {
            this.lastPeer = null;
            this.peers.delete(k);
            p.addr.remoteAddr = address;
            p.addr.remotePort = port;
            const sa = sockaddrIn(address, port);
            p.sa = sa;
            p.send = (pkt) => this.udpOut!.send(pkt, port, address, sa);
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
        const sa = sockaddrIn(address, port);
        peer = this.newPeer(key, addr, (pkt) => this.udpOut!.send(pkt, port, address, sa));
        peer.sa = sa;
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
    if (this.lastPeer === p) this.lastPeer = null;
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

const EAGAIN = 11;
const MSG_DONTWAIT = 0x40;

/**
 * Datagram output: send(2)/sendto(2) called directly through koffi, instead of node:dgram's
 * send (a SendWrap object, an array and an address lookup per packet). When the socket
 * buffer is full (EAGAIN) or on any other error, the packet goes through dgram instead
 * (which queues it, or reports the error on the socket's 'error' event), and so do the
 * following ones until dgram's queue has drained: the order of packets is kept.
 * NESTCAP_NO_RAW_SEND=1 (or no koffi) uses dgram only.
 */
class UdpOut {
  readonly raw: RawSend | null;
  readonly fd: number;
  private queued = false;
  /** drain(): the receive buffer, the source address (sockaddr_in) and its length. */
  private rbuf: Buffer | null = null;
  readonly from = new Uint8Array(16);
  private readonly fromLen = new Uint32Array(1);
  constructor(private readonly s: dgram.Socket) {
    const raw = process.env.NESTCAP_NO_RAW_SEND === "1" ? null : rawSend();
    const fd = raw === null ? -1 : udpFd(s);
    this.raw = fd >= 0 ? raw : null;
    this.fd = fd;
  }

  /** `sa`: the peer's sockaddr_in (unconnected socket); without it the socket is connected. */
  send(pkt: Uint8Array, port?: number, address?: string, sa?: Uint8Array): void {
    const raw = this.raw;
    if (raw !== null && !(this.queued && this.s.getSendQueueCount() > 0)) {
      this.queued = false;
      const r = sa === undefined ? raw.send(this.fd, pkt, pkt.length, MSG_DONTWAIT) : raw.sendto(this.fd, pkt, pkt.length, MSG_DONTWAIT, sa, 16);
      if (r >= 0) return;
      if (raw.errno() === EAGAIN) this.queued = true;
    }
    if (port === undefined) this.s.send(pkt);
    else this.s.send(pkt, port, address);
  }

  /**
   * One more datagram already queued on the socket (recvfrom(2), MSG_DONTWAIT), copied out,
   * with its source in `from`; null when there is none (EAGAIN) or on an error (an ICMP
   * error on a connected socket: ignored, as dgram's 'error' handler does). node:dgram
   * calls into JavaScript once per datagram, with an rinfo object and an address string;
   * draining the socket from the first 'message' handler of a wakeup costs one call each.
   */
  recv(): Buffer | null {
    const raw = this.raw;
    if (raw === null) return null;
    const b = (this.rbuf ??= Buffer.allocUnsafe(65536));
    this.fromLen[0] = 16;
    const n = raw.recvfrom(this.fd, b, b.length, MSG_DONTWAIT, this.from, this.fromLen);
    if (n < 0) return null;
    return Buffer.from(b.subarray(0, n));
  }
}

/** Datagrams drained per 'message' event (then dgram's own reads go on). */
const UDP_BURST = 64;

/** The fd of a bound dgram socket (its internal state's libuv handle), or -1. */
function udpFd(s: dgram.Socket): number {
  for (const sym of Object.getOwnPropertySymbols(s)) {
    const st = (s as unknown as Record<symbol, { handle?: { fd?: unknown } } | undefined>)[sym];
    const fd = st?.handle?.fd;
    if (typeof fd === "number" && fd >= 0) return fd;
  }
  return -1;
}

/** struct sockaddr_in for an IPv4 literal (AF_INET in host order, then port and address in network order). */
function sockaddrIn(address: string, port: number): Uint8Array {
  const b = new Uint8Array(16);
  const v = new DataView(b.buffer);
  v.setUint16(0, 2, true);
  v.setUint16(2, port, false);
  v.setUint32(4, ipToU32(address), false);
  return b;
}

/** dgram's lookup for literal IPv4 addresses: answers synchronously (else dns.lookup). */
function literalLookup(address: string, family: unknown, cb: (err: Error | null, address: string, family: number) => void): void {
  if (net.isIPv4(address)) cb(null, address, 4);
  else dnsLookup(address, family as number, cb as (err: Error | null, address: string, family: number) => void);
}

function addStats(a: EngineStats, b: EngineStats): void {
  for (const k of Object.keys(a) as (keyof EngineStats)[]) a[k] += b[k];
}
