/**
 * The IO shell around the engines: UDP (dgram) or TCP (2-byte length framing) transport,
 * the tun device, timers, signals, stats, and the observers (--inspect, --keylog,
 * --pcap-out). One peer for a client; a server keeps one engine per client (by UDP
 * address or TCP connection) and routes tun packets to them by IPv4 destination.
 *
 * The data path is synchronous and batched per wakeup: a tun 'data' event drains the tun
 * (tun.ts) and the datagrams it produces leave together with one sendmmsg(2); a UDP
 * 'message' event drains the socket with recvmmsg(2) (one system call for up to 63 more
 * datagrams); all through koffi on the dgram socket's fd (UdpOut; send(2)/sendto(2)/
 * recvfrom(2) where there is no sendmmsg/recvmmsg or NESTCAP_NO_MMSG=1; node:dgram only
 * when the socket buffer is full, keeping the order). No promise, nextTick or timer per packet.
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
    this.tun = new TunDevice(o.dev, o.tunOffload);
    this.tun.onPacket = (p) => {
      // the datagrams of one tun drain leave together, with one sendmmsg(2) (onBurstEnd)
      const out = this.udpOut;
      if (out !== null) out.corked = true;
      this.fromTun(p);
    };
    this.tun.onBurstEnd = () => {
      const out = this.udpOut;
      if (out === null) return;
      out.corked = false;
      out.flush();
    };
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
        for (let got = 1; got < UDP_BURST && !this.stopped; ) {
          const n = out.recv(UDP_BURST - got);
          for (let i = 0; i < n && !this.stopped; i++) {
            const m = out.at(i);
            const a = 16 * i;
            const port = (f[a + 2] << 8) | f[a + 3];
            const lp = this.lastPeer;
            // the same sender as the last packet: no address string
            if (lp !== null && port === this.lastPort && f[a] === 2 && lp.sa !== undefined && f[a + 4] === lp.sa[4] && f[a + 5] === lp.sa[5] && f[a + 6] === lp.sa[6] && f[a + 7] === lp.sa[7]) this.linkIn(lp, m);
            else this.udpIn(m, `${f[a + 4]}.${f[a + 5]}.${f[a + 6]}.${f[a + 7]}`, port);
          }
          if (n < UDP_BURST - got) break;
          got += n;
        }
        out.flush();
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
        for (let got = 1; got < UDP_BURST && !this.stopped; ) {
          const n = out.recv(UDP_BURST - got);
          for (let i = 0; i < n && !this.stopped; i++) this.linkIn(peer, out.at(i));
          if (n < UDP_BURST - got) break;
          got += n;
        }
        out.flush();
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
    return `stats: link rx ${s.linkRx} tx ${s.linkTx} packets; tun rx ${s.dataRx} packets/${s.dataRxBytes} bytes, tx ${s.dataTx} packets/${s.dataTxBytes} bytes; dropped: auth-failed ${s.authFailures}, replayed ${s.replays}, unknown-key-id ${s.unknownKeyId}, control-auth-failed ${s.controlAuthFailures}, malformed ${s.malformed}; retransmits ${s.retransmits}, pings ${s.pings}${this.offloadStats()}`;
  }

  private offloadStats(): string {
    const t = this.tun;
    if (t === null || !t.vnet) return "";
    return `; tun offload: ${t.tso ? `TSO, ${t.coalesced} received packets joined into larger segments` : "checksums only"}`;
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
 * Datagram IO: send(2)/sendto(2) called directly through koffi, instead of node:dgram's
 * send (a SendWrap object, an array and an address lookup per packet); while `corked`
 * (a tun drain) the packets are copied into a batch and flush() sends the batch with one
 * sendmmsg(2). When the socket buffer is full (EAGAIN) or on any other error, the packet
 * (and the rest of a batch that sendmmsg did not take) goes through dgram instead (which
 * queues it, or reports the error on the socket's 'error' event), and so do the
 * following ones until dgram's queue has drained: the order of packets is kept.
 * Receiving: recv() drains with recvmmsg(2). NESTCAP_NO_MMSG=1: one send/recvfrom per
 * packet; NESTCAP_NO_RAW_SEND=1 (or no koffi): dgram only.
 */
export class UdpOut {
  readonly raw: RawSend | null;
  readonly fd: number;
  private queued = false;
  /** recv(): the source address (sockaddr_in) of the datagram `at(i)`, at offset 16 * i. */
  readonly from: Uint8Array;
  /** recvmmsg(2) batch: slots of RSLOT bytes, their mmsghdr array, and the count received. */
  private rvec: MmsgVec | null = null;
  private rbuf: Buffer | null = null;
  private readonly fromLen = new Uint32Array(1);
  /** sendmmsg(2) batch (while `corked`): copies of the packets, and their dgram fallback addresses. */
  private svec: MmsgVec | null = null;
  private sn = 0;
  private readonly sPort: (number | undefined)[] = [];
  private readonly sAddr: (string | undefined)[] = [];
  /** Set while a tun drain runs: send() collects, flush() sends them with one sendmmsg(2). */
  corked = false;
  constructor(private readonly s: dgram.Socket) {
    const raw = process.env.NESTCAP_NO_RAW_SEND === "1" ? null : rawSend();
    const fd = raw === null ? -1 : udpFd(s);
    this.raw = fd >= 0 ? raw : null;
    this.fd = fd;
    if (this.raw?.recvmmsg != null) this.rvec = new MmsgVec(this.raw, UDP_BURST, RSLOT);
    if (this.raw?.sendmmsg != null) this.svec = new MmsgVec(this.raw, UDP_BURST, SSLOT);
    this.from = this.rvec !== null ? this.rvec.names : new Uint8Array(16);
  }

  /** `sa`: the peer's sockaddr_in (unconnected socket); without it the socket is connected. */
  send(pkt: Uint8Array, port?: number, address?: string, sa?: Uint8Array): void {
    const v = this.svec;
    if (this.corked && v !== null && pkt.length <= SSLOT) {
      const i = this.sn;
      v.put(i, pkt, sa);
      this.sPort[i] = port;
      this.sAddr[i] = address;
      if (++this.sn === UDP_BURST) this.flush();
      return;
    }
    this.sendOne(pkt, port, address, sa);
  }

  private sendOne(pkt: Uint8Array, port?: number, address?: string, sa?: Uint8Array): void {
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
   * Send what send() collected while corked: one sendmmsg(2); what it did not take (the
   * buffer full, an error, dgram's queue not empty) goes one by one through sendOne, in order.
   */
  flush(): void {
    const n = this.sn;
    if (n === 0) return;
    this.sn = 0;
    const v = this.svec!;
    let done = 0;
    if (!(this.queued && this.s.getSendQueueCount() > 0)) {
      this.queued = false;
      const r = this.raw!.sendmmsg!(this.fd, v.hdrs, n, MSG_DONTWAIT);
      if (r > 0) done = r;
    }
    for (let i = done; i < n; i++) {
      // a copy: the slot is reused, and dgram may queue the packet
      this.sendOne(Buffer.from(v.slot(i)), this.sPort[i], this.sAddr[i], v.hasName ? v.name(i) : undefined);
    }
  }

  /**
   * More datagrams already queued on the socket, with one recvmmsg(2) (MSG_DONTWAIT) when
   * available (else one recvfrom(2)): returns how many (0 when none, EAGAIN, or on an
   * error: an ICMP error on a connected socket is ignored, as dgram's 'error' handler
   * does); `at(i)` copies datagram i out, its source address is at `from[16 * i]`.
   * node:dgram calls into JavaScript once per datagram, with an rinfo object and an
   * address string; draining the socket from the first 'message' handler of a wakeup
   * costs one call for the whole batch.
   */
  recv(max: number): number {
    const raw = this.raw;
    if (raw === null) return 0;
    const v = this.rvec;
    if (v !== null) {
      v.resetNames(max);
      const r = raw.recvmmsg!(this.fd, v.hdrs, max, MSG_DONTWAIT, null);
      return r > 0 ? r : 0;
    }
    const b = (this.rbuf ??= Buffer.allocUnsafe(65536));
    this.fromLen[0] = 16;
    const n = raw.recvfrom(this.fd, b, b.length, MSG_DONTWAIT, this.from, this.fromLen);
    if (n < 0) return 0;
    this.rlen = n;
    return 1;
  }
  private rlen = 0;

  /** Datagram i of the last recv(), copied out (datagrams longer than a slot: truncated to nothing, i.e. dropped by the engine as malformed). */
  at(i: number): Buffer {
    const v = this.rvec;
    if (v === null) return Buffer.from(this.rbuf!.subarray(0, this.rlen));
    if ((v.flags(i) & MSG_TRUNC) !== 0) return Buffer.alloc(0);
    return Buffer.from(v.slot(i).subarray(0, v.len(i)));
  }
}

const MSG_TRUNC = 0x20;
/** Receive slot: any UDP datagram. Send slot: OpenVPN packets (larger ones are sent one by one). */
const RSLOT = 65536;
const SSLOT = 4096;

/**
 * An array of struct mmsghdr (LP64 Linux: msghdr 56 bytes + msg_len, 64 bytes), each with
 * one iovec on its own slot of a buffer and a 16-byte msg_name (sockaddr_in), all in
 * buffers allocated once, whose addresses are written into the headers once.
 */
class MmsgVec {
  readonly hdrs: Buffer;
  readonly data: Buffer;
  readonly names: Buffer;
  private readonly iov: Buffer;
  private readonly h32: Uint32Array;
  private readonly iov32: Uint32Array;
  hasName = false;
  constructor(raw: RawSend, readonly n: number, readonly slotSize: number) {
    this.hdrs = Buffer.alloc(64 * n);
    this.data = Buffer.allocUnsafeSlow(slotSize * n);
    this.names = Buffer.alloc(16 * n);
    this.iov = Buffer.alloc(16 * n);
    const dataA = raw.address(this.data);
    const namesA = raw.address(this.names);
    const iovA = raw.address(this.iov);
    for (let i = 0; i < n; i++) {
      this.iov.writeBigUInt64LE(dataA + BigInt(i * slotSize), 16 * i);
      this.iov.writeBigUInt64LE(BigInt(slotSize), 16 * i + 8);
      const h = 64 * i;
      this.hdrs.writeBigUInt64LE(namesA + BigInt(16 * i), h); // msg_name
      this.hdrs.writeUInt32LE(16, h + 8); // msg_namelen
      this.hdrs.writeBigUInt64LE(iovA + BigInt(16 * i), h + 16); // msg_iov
      this.hdrs.writeBigUInt64LE(1n, h + 24); // msg_iovlen
    }
    this.h32 = new Uint32Array(this.hdrs.buffer, this.hdrs.byteOffset, this.hdrs.length >> 2);
    this.iov32 = new Uint32Array(this.iov.buffer, this.iov.byteOffset, this.iov.length >> 2);
  }
  /** recvmmsg: msg_namelen back to 16 (the kernel writes the source's length). */
  resetNames(max: number): void {
    const h = this.h32;
    for (let i = 0; i < max; i++) h[16 * i + 2] = 16;
  }
  len(i: number): number {
    return this.h32[16 * i + 14];
  }
  flags(i: number): number {
    return this.h32[16 * i + 12];
  }
  slot(i: number): Buffer {
    const o = i * this.slotSize;
    return this.data.subarray(o, o + this.iov32[4 * i + 2]);
  }
  name(i: number): Uint8Array {
    return this.names.subarray(16 * i, 16 * i + 16);
  }
  /** sendmmsg: packet i (copied into its slot), to `sa` (or no msg_name: a connected socket). */
  put(i: number, pkt: Uint8Array, sa: Uint8Array | undefined): void {
    this.data.set(pkt, i * this.slotSize);
    this.iov32[4 * i + 2] = pkt.length;
    if (sa !== undefined) {
      this.names.set(sa, 16 * i);
      this.h32[16 * i + 2] = 16;
      this.hasName = true;
    } else {
      this.h32[16 * i + 2] = 0;
      this.hasName = false;
    }
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
