/**
 * The IO shell around the engines: UDP (dgram) or TCP (2-byte length framing) transport,
 * the tun device, timers, signals, stats, and the observers (--inspect, --keylog,
 * --pcap-out). One peer for a client; a server keeps one engine per client (by UDP
 * address or TCP connection) and routes tun packets to them by IPv4 or IPv6 destination.
 *
 * The data path is synchronous and batched per wakeup: a tun 'data' event drains the tun
 * (tun.ts) and the datagrams it produces leave together with one sendmmsg(2); a UDP
 * 'message' event drains the socket with recvmmsg(2) (one system call for up to 63 more
 * datagrams); all through koffi on the dgram socket's fd (UdpOut; send(2)/sendto(2)/
 * recvfrom(2) where there is no sendmmsg/recvmmsg or NESTCAP_NO_MMSG=1; node:dgram only
 * when the socket buffer is full, keeping the order). No promise, nextTick or timer per packet.
 *
 * Split: tunnel-core.ts (TunnelCore, the base class: peers, engine events, tun routing,
 * stats, stop; and the observer/peer types), udpio.ts (UdpOut and the datagram helpers),
 * and this file (`Tunnel`: start, the UDP/TCP transport).
 */
import * as dgram from "node:dgram";
import { readFileSync } from "node:fs";
import * as net from "node:net";
import type { StaticEngine } from "./engine-static.js";
import { ip6Text, parsePrefix6, server6 } from "./ip6.js";
import { readStaticKey } from "./keyfile.js";
import { TunDevice } from "./tun.js";
import { type Peer, type PeerAddr, TunnelCore } from "./tunnel-core.js";
import { UDP_BURST, UdpOut, ipToU32, literalLookup, maskToPrefix, sockaddrIn, u32ToIp } from "./udpio.js";

export type { PeerAddr, TunnelLogger, TunnelObserver } from "./tunnel-core.js";
export { UdpOut } from "./udpio.js";

export class Tunnel extends TunnelCore {
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
      this.tun.configure({ address: l, peer: r, mtu: o.mtu, address6: o.ifconfig6?.[0], routes6: o.routes6 });
    } else if (o.role === "server") {
      const [netw, mask] = o.server ?? ["10.8.0.0", "255.255.255.0"];
      const local = u32ToIp(ipToU32(netw) + 1);
      const net6 = o.server6 !== undefined ? parsePrefix6(o.server6) : null;
      const address6 = net6 !== null ? `${ip6Text(server6(net6).local)}/${net6.bits}` : undefined;
      this.tun.configure({ address: `${local}/${maskToPrefix(mask)}`, mtu: o.mtu, address6, routes6: o.routes6 });
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
}
