/**
 * Observers of a running tunnel:
 *  --keylog FILE   the data-channel keys in the nestcap OpenVPN key-log format
 *                  (src/openvpn/keylog.ts), file mode 0600, one line per key and direction,
 *                  and the control channel's TLS secrets (SSLKEYLOGFILE lines);
 *  --pcap-out FILE a pcapng with two raw-IP interfaces: "outer" (the OpenVPN packets in a
 *                  synthesized IPv4/UDP or IPv4/TCP header with the real addresses and ports)
 *                  and "inner" (the cleartext IP packets of the tun);
 *  --inspect       each OpenVPN packet on the wire, as one frame (a synthesized IPv4 +
 *                  UDP/TCP header with the real addresses and ports, then the packet as
 *                  sent or received), through nestcap's dissectors and printers with the
 *                  `-r` options (-V, -Y, -T fields -e …, --layers). The Dissector's session
 *                  holds the tunnel's keys (the entries --keylog writes, handed over in
 *                  memory as each key is derived; static and tls-crypt keys from the
 *                  start), so the OpenVPN dissector decrypts each data packet and nests the
 *                  inner IP › TCP › HTTP … under it: the nesting doll, live.
 * Nothing here is loaded unless one of these options is given.
 */
import { closeSync, fchmodSync, openSync, writeSync } from "node:fs";
import type { Frame, InterfaceInfo } from "../capture/frame.js";
import { keySlots, readStaticKey } from "./keyfile.js";
import type { TunnelOptions } from "./options.js";
import type { PeerAddr, Tunnel, TunnelLogger, TunnelObserver } from "./run.js";
import type { KeysEvent } from "./engine.js";
import type { DataEntry, KeyLogEntry } from "../openvpn/keylog.js";
import type { Emitter } from "../cli/emit.js";

const LINKTYPE_RAW = 101;

/** IPv4 + UDP/TCP header around an OpenVPN packet (for pcap-out and inspect). */
export class OuterFramer {
  private seq = new Map<string, number>();

  frame(dir: "in" | "out", pkt: Uint8Array, a: PeerAddr): Uint8Array {
    const [src, sport, dst, dport] = dir === "out" ? [a.localAddr, a.localPort, a.remoteAddr, a.remotePort] : [a.remoteAddr, a.remotePort, a.localAddr, a.localPort];
    const tcp = a.proto === "tcp";
    const l4 = tcp ? 20 : 8;
    const body = tcp ? pkt.length + 2 : pkt.length;
    const out = Buffer.alloc(20 + l4 + body);
    out[0] = 0x45;
    out.writeUInt16BE(out.length, 2);
    out[6] = 0x40; // DF
    out[8] = 64;
    out[9] = tcp ? 6 : 17;
    putIp(out, 12, src);
    putIp(out, 16, dst);
    out.writeUInt16BE(ipChecksum(out, 0, 20), 10);
    out.writeUInt16BE(sport, 20);
    out.writeUInt16BE(dport, 22);
    if (tcp) {
      // one sequence space per connection and direction (a server has one connection per client)
      const conn = `${a.remoteAddr}:${a.remotePort}`;
      const k = `${dir} ${conn}`;
      const s = this.seq.get(k) ?? 1;
      this.seq.set(k, (s + body) >>> 0);
      out.writeUInt32BE(s, 24);
      out.writeUInt32BE(this.seq.get(`${dir === "out" ? "in" : "out"} ${conn}`) ?? 1, 28);
      out[32] = 0x50;
      out[33] = 0x18; // PSH, ACK
      out.writeUInt16BE(65535, 34);
      out.writeUInt16BE(pkt.length, 40);
      out.set(pkt, 42);
    } else {
      out.writeUInt16BE(8 + pkt.length, 24);
      out.set(pkt, 28);
    }
    return out;
  }
}

function putIp(b: Buffer, o: number, s: string): void {
  const p = s.split(".").map(Number);
  for (let i = 0; i < 4; i++) b[o + i] = Number.isFinite(p[i]) ? p[i] : 0;
}

function ipChecksum(b: Uint8Array, o: number, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i += 2) s += (b[o + i] << 8) | b[o + i + 1];
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

function nowFrame(num: number, data: Uint8Array, iface: number, info?: InterfaceInfo): Frame {
  // wall clock with microseconds (Date.now() has only milliseconds)
  const us = Math.round((performance.timeOrigin + performance.now()) * 1000);
  const tsSec = Math.floor(us / 1e6);
  return { num, tsSec, tsNsec: (us - tsSec * 1e6) * 1000, caplen: data.length, len: data.length, data, linkType: LINKTYPE_RAW, interfaceId: iface, iface: info };
}

function ifaceInfo(name: string, description: string): InterfaceInfo {
  return { linkType: LINKTYPE_RAW, snaplen: 262144, name, description, tsresol: 1e9, tsoffset: 0 };
}

function endpoint(addr: string, port: number): string {
  return addr === "" || addr === "0.0.0.0" || addr === "::" ? `*:${port}` : addr.includes(":") ? `[${addr}]:${port}` : `${addr}:${port}`;
}

/**
 * The key-log entries of one key-id's data keys: ours (we send with it, local → peer) and
 * the peer's (peer → local). The same for --keylog (as text) and --inspect (in memory).
 */
export function dataEntries(k: KeysEvent, a: PeerAddr, fmt: typeof import("../openvpn/keylog.js")): [DataEntry, DataEntry] {
  const me = fmt.parseEndpoint(endpoint(a.localAddr, a.localPort)) ?? fmt.ANY;
  const peer = fmt.parseEndpoint(endpoint(a.remoteAddr, a.remotePort)) ?? fmt.ANY;
  const mk = (src: typeof me, dst: typeof me, key: KeysEvent["send"], session: string): DataEntry => ({ kind: "DATA", line: 0, src, dst, keyId: k.keyId, peerId: k.peerId, session, key });
  return [mk(me, peer, k.send, k.localSession), mk(peer, me, k.recv, k.remoteSession)];
}

/** --keylog: created 0600 before anything is written (also when the file existed). */
export class KeyLogWriter implements TunnelObserver {
  private fd: number;
  constructor(path: string, private readonly fmt: typeof import("../openvpn/keylog.js")) {
    this.fd = openSync(path, "w", 0o600);
    fchmodSync(this.fd, 0o600);
    writeSync(this.fd, `${fmt.KEYLOG_HEADER}\n# written by nestcap tunnel\n`);
  }

  line(s: string): void {
    writeSync(this.fd, s + "\n");
  }

  keys(k: KeysEvent, a: PeerAddr): void {
    for (const e of dataEntries(k, a, this.fmt)) this.line(this.fmt.formatEntry(e));
  }

  /** The control channel's TLS secrets, in the same file (nestcap -r --keylog decrypts the TLS too). */
  tlsSecret(line: string): void {
    this.line(line);
  }

  close(): void {
    closeSync(this.fd);
  }
}

export async function attach(t: Tunnel, o: TunnelOptions, log: TunnelLogger): Promise<void> {
  if (o.keylog !== undefined) {
    const fmt = await import("../openvpn/keylog.js");
    const w = new KeyLogWriter(o.keylog, fmt);
    const { datachannelStatic, tlsCryptSlots } = await staticEntries(o);
    const ANY = fmt.ANY;
    for (const [key, mine] of datachannelStatic) {
      // static key: the peer's address is not known in advance, so wildcard endpoints
      w.line(fmt.formatEntry({ kind: "STATIC", line: 0, src: ANY, dst: ANY, key }) + (mine ? "  # ours (sent)" : "  # the peer's"));
    }
    for (const [key, mine] of tlsCryptSlots) {
      w.line(fmt.formatEntry({ kind: "TLS-CRYPT", line: 0, src: ANY, dst: ANY, dynamic: false, key }) + (mine ? "  # ours (sent)" : "  # the peer's"));
    }
    t.addObserver(w);
    log(1, `writing data-channel keys to ${o.keylog} (mode 0600)`);
  }
  if (o.pcapOut !== undefined) {
    const { PcapngWriter } = await import("../capture/writer.js");
    const w = new PcapngWriter(o.pcapOut, { comments: [`nestcap tunnel ${o.role}: interface 0 = outer OpenVPN packets, interface 1 = inner (tun) packets`] });
    w.addInterface(ifaceInfo("outer", `OpenVPN packets over ${o.proto} (IPv4 header synthesized)`));
    w.addInterface(ifaceInfo(o.dev, "inner: the tun device's cleartext IP packets"));
    const fr = new OuterFramer();
    let n = 0;
    t.addObserver({
      outer: (dir, pkt, a) => w.write(nowFrame(++n, fr.frame(dir, pkt, a), 0)),
      inner: (_dir, ip) => w.write(nowFrame(++n, ip, 1)),
      close: () => w.close(),
    });
  }
  if (o.inspect) t.addObserver(await inspector(o));
}

/** What --inspect returns: a TunnelObserver with the Emitter it prints through. */
export interface Inspector {
  outer(dir: "in" | "out", pkt: Uint8Array, peer: PeerAddr): void;
  keys(k: KeysEvent, peer: PeerAddr): void;
  tlsSecret(line: string): void;
  close(): Promise<void>;
  readonly emitter: Emitter;
}

/**
 * --inspect: one frame per OpenVPN packet on the wire, dissected by a Dissector whose
 * session holds the tunnel's keys, so data packets show decrypted with the inner packet
 * nested under the OpenVPN layer. The tun side is not printed separately: each inner
 * packet is inside the outer one that carried it. Options (inspectArgs) as for `-r`.
 */
export async function inspector(o: Pick<TunnelOptions, "inspectArgs" | "proto" | "secret" | "secretDir" | "cipher" | "auth" | "tlsCrypt" | "role">): Promise<Inspector> {
  const { parseArgs } = await import("../cli/args.js");
  const { Emitter } = await import("../cli/emit.js");
  const fmt = await import("../openvpn/keylog.js");
  const { addSessionKeys } = await import("../../dissectors/openvpn.js");
  const { addTlsSecret } = await import("../../dissectors/tls.js");
  const em = new Emitter(parseArgs(o.inspectArgs));
  const session = em.dissector.session;
  // keys known before any packet: static key (--secret), tls-crypt (control packets decrypted too)
  const { datachannelStatic, tlsCryptSlots } = await staticEntries(o);
  const known: KeyLogEntry[] = [
    ...datachannelStatic.map(([key]): KeyLogEntry => ({ kind: "STATIC", line: 0, src: fmt.ANY, dst: fmt.ANY, key })),
    ...tlsCryptSlots.map(([key]): KeyLogEntry => ({ kind: "TLS-CRYPT", line: 0, src: fmt.ANY, dst: fmt.ANY, dynamic: false, key })),
  ];
  if (known.length > 0) addSessionKeys(session, known);
  em.start();
  const fr = new OuterFramer();
  const outerIf = ifaceInfo("outer", `OpenVPN packets over ${o.proto} (IPv4 header synthesized)`);
  let n = 0;
  let pending = false;
  const later = (): void => {
    if (pending) return;
    pending = true;
    setImmediate(() => {
      pending = false;
      void em.out.flush();
    });
  };
  return {
    emitter: em,
    outer(dir, pkt, a) {
      em.emit(nowFrame(++n, fr.frame(dir, pkt, a), 0, outerIf));
      if (em.out.full) void em.out.flush();
      later();
    },
    keys(k, a) {
      addSessionKeys(session, dataEntries(k, a, fmt));
    },
    // (a secret arrives as the TLS stack derives it: records it protects that were already
    // printed, e.g. a flight that came in one packet with the ServerHello, stay encrypted)
    tlsSecret(line) {
      addTlsSecret(session, line);
    },
    close: () => em.finish(),
  };
}

/** Static-key and tls-crypt keys for the key log (known before any packet). */
async function staticEntries(o: Pick<TunnelOptions, "secret" | "secretDir" | "cipher" | "auth" | "tlsCrypt" | "role">) {
  const dc = await import("../openvpn/datachannel.js");
  const datachannelStatic: [ReturnType<typeof dc.dataKeyFromKeyMaterial>, boolean][] = [];
  const tlsCryptSlots: [{ cipherKey: Uint8Array; hmacKey: Uint8Array }, boolean][] = [];
  if (o.secret !== undefined) {
    const { send, recv } = keySlots(readStaticKey(o.secret), o.secretDir);
    const cipher = o.cipher ?? "AES-256-CBC";
    const auth = o.auth;
    datachannelStatic.push([dc.dataKeyFromKeyMaterial(cipher, auth, send, true), true], [dc.dataKeyFromKeyMaterial(cipher, auth, recv, true), false]);
  }
  if (o.tlsCrypt !== undefined) {
    const { send, recv } = keySlots(readStaticKey(o.tlsCrypt), o.role === "server" ? 0 : 1);
    for (const [s, mine] of [[send, true], [recv, false]] as const) tlsCryptSlots.push([{ cipherKey: s.slice(0, 32), hmacKey: s.slice(64, 96) }, mine]);
  }
  return { datachannelStatic, tlsCryptSlots };
}
