/**
 * `nestcap tunnel client|server` options, named like OpenVPN's where the concept is the
 * same. A `--config FILE` holds the same options one per line without the dashes
 * (`remote 10.0.0.1 1194`), as in an OpenVPN config file.
 */
import { readFileSync } from "node:fs";
import { type DataAuth, type DataCipher, parseAuth, parseCipher } from "../openvpn/datachannel.js";
import { ip6Text, parsePrefix6 } from "./ip6.js";

export class TunnelUsageError extends Error {}

export interface TunnelOptions {
  role: "client" | "server";
  remote?: string;
  port: number;
  local?: string;
  proto: "udp" | "tcp";
  dev: string;
  ca?: string;
  cert?: string;
  key?: string;
  tlsAuth?: string;
  tlsAuthDir?: 0 | 1;
  tlsCrypt?: string;
  secret?: string;
  secretDir?: 0 | 1;
  cipher?: DataCipher;
  dataCiphers: DataCipher[];
  auth: DataAuth;
  /** --auth was given (static-key mode defaults to SHA256 otherwise). */
  authGiven: boolean;
  /** static mode / p2p: local and remote tunnel address. */
  ifconfig?: [string, string];
  /** server: the tunnel network (--server NET MASK). */
  server?: [string, string];
  /** static mode: local IPv6 address with prefix length and the peer's (--ifconfig-ipv6 LOCAL/BITS REMOTE). */
  ifconfig6?: [string, string];
  /** server: the IPv6 tunnel network, "NET/BITS" (--server-ipv6). */
  server6?: string;
  /** IPv6 routes through the tun, "NET/BITS" (--route-ipv6). */
  routes6: string[];
  /** server: more options pushed to every client (--push "OPTION ARGS"). */
  push: string[];
  ping?: number;
  pingRestart?: number;
  keepalive?: [number, number];
  handWindow: number;
  renegSec: number;
  remoteCertTls: boolean;
  inspect: boolean;
  inspectArgs: string[];
  keylog?: string;
  pcapOut?: string;
  verb: number;
  mtu: number;
  /** TCP segmentation/coalescing offload on the tun (offload.ts); --no-tun-offload turns it off. */
  tunOffload: boolean;
  help: boolean;
}

export const TUNNEL_HELP = `Usage: nestcap tunnel client|server [options]
A tun-backed VPN speaking OpenVPN 2.6 (TLS mode or static-key mode). Needs root.

Connection:
  --remote HOST [PORT]     server to connect to (client)
  --port N                 port (default 1194); --local ADDR: address to bind (server)
  --proto udp|tcp          transport (default udp; tcp-client/tcp-server accepted)
  --dev NAME               tun device name (default tun0)
  --config FILE            read options from FILE (OpenVPN syntax: one option per line)
TLS mode:
  --ca FILE --cert FILE --key FILE    PEM CA, certificate and private key
  --tls-auth FILE [0|1]    HMAC-authenticate the control channel (--auth digest)
  --tls-crypt FILE         encrypt and authenticate the control channel
  --data-ciphers A:B:...   data ciphers (default AES-256-GCM:AES-128-GCM:CHACHA20-POLY1305)
  --cipher C               fallback cipher; added to --data-ciphers
  --auth DIGEST            HMAC for CBC ciphers and tls-auth (default SHA1)
  --server NET MASK        server: tunnel network (default 10.8.0.0 255.255.255.0)
  --server-ipv6 NET/BITS   server: IPv6 tunnel network (/64../124); the server takes
                           NET::1, clients get NET::1000, ::1001... (pushed ifconfig-ipv6)
  --push "OPTION ARGS"     server: push one more option to clients (e.g. "route-ipv6 fd00:9::/64")
  --keepalive PING RESTART pushed to clients (server, default 10 60)
  --hand-window N          seconds for the TLS handshake (default 60)
  --reneg-sec N            renegotiate data keys every N seconds (default 0: never)
  --remote-cert-tls server check the server certificate's key usage (default on)
Static-key mode:
  --secret FILE [0|1]      pre-shared key (AES-256-CBC + HMAC-SHA256 by default)
  --ifconfig LOCAL REMOTE  tunnel addresses (static mode, point to point)
  --ifconfig-ipv6 LOCAL/BITS REMOTE   IPv6 tunnel addresses (static mode)
IPv6 routes:
  --route-ipv6 NET/BITS [GW]   route NET/BITS through the tun (a client also applies
                           pushed route-ipv6 and ifconfig-ipv6 options)
  --ping N --ping-restart N   keepalive
Inspection:
  --inspect [-V|-Y FILTER|-T fields -e F|--layers ...]  print each tunnelled packet
                           (outer and decrypted inner) with nestcap's dissectors
  --keylog FILE            write the data-channel keys (mode 0600) for nestcap -r --keylog
  --pcap-out FILE          write outer and inner packets to a pcapng (two interfaces)
  --verb N                 log level (0 quiet, 1 default, 3 verbose)
  --no-tun-offload         no TCP segmentation offload on the tun: tcpdump on the tun
                           then sees MTU-sized packets, one per tunnel packet (slower)
`;

function num(s: string | undefined, what: string): number {
  const n = Number(s);
  if (s === undefined || !Number.isFinite(n) || n < 0) throw new TunnelUsageError(`${what} needs a number`);
  return n;
}

function dirArg(args: string[], i: number): 0 | 1 | undefined {
  const a = args[i];
  return a === "0" ? 0 : a === "1" ? 1 : undefined;
}

/** "ADDR[/BITS]" normalized to "ADDR/BITS" (RFC 5952 text), or a usage error. */
function prefix6(s: string, what: string, defBits: number): string {
  const p = parsePrefix6(s, defBits);
  if (p === null) throw new TunnelUsageError(`${what} ${s}: not an IPv6 address[/bits]`);
  return `${ip6Text(p.addr)}/${p.bits}`;
}

function addr6(s: string, what: string): string {
  const p = parsePrefix6(s);
  if (p === null || s.includes("/")) throw new TunnelUsageError(`${what} ${s}: not an IPv6 address`);
  return ip6Text(p.addr);
}

/** Expand --config FILE into argv form. */
export function configToArgs(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const words = line.match(/"[^"]*"|\S+/g) ?? [];
    out.push(`--${words[0]}`, ...words.slice(1).map((w) => w.replace(/^"|"$/g, "")));
  }
  return out;
}

const INSPECT_FLAGS_WITH_ARG = new Set(["-Y", "-T", "-e", "-o", "-E"]);
const INSPECT_FLAGS = new Set(["-V", "-x", "-n", "-P", "--layers"]);

export function parseTunnelArgs(argv: string[]): TunnelOptions {
  const o: TunnelOptions = {
    role: "client", port: 1194, proto: "udp", dev: "tun0", dataCiphers: [], auth: "SHA1", authGiven: false, handWindow: 60, renegSec: 0,
    remoteCertTls: true, inspect: false, inspectArgs: [], routes6: [], push: [], verb: 1, mtu: 1500, tunOffload: true, help: false,
  };
  const args = [...argv];
  if (args[0] === "client" || args[0] === "server") o.role = args.shift() as "client" | "server";
  else if (args.length > 0 && !args[0].startsWith("-")) throw new TunnelUsageError(`unknown tunnel role "${args[0]}" (client or server)`);
  let dataCiphersGiven = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const next = (): string => {
      const v = args[++i];
      if (v === undefined) throw new TunnelUsageError(`${a} needs an argument`);
      return v;
    };
    if (INSPECT_FLAGS.has(a)) {
      o.inspectArgs.push(a);
      continue;
    }
    if (INSPECT_FLAGS_WITH_ARG.has(a)) {
      o.inspectArgs.push(a, next());
      continue;
    }
    switch (a) {
      case "-h":
      case "--help":
        o.help = true;
        break;
      case "--config": {
        const f = next();
        let text: string;
        try {
          text = readFileSync(f, "utf8");
        } catch {
          throw new TunnelUsageError(`cannot read --config ${f}`);
        }
        args.splice(i + 1, 0, ...configToArgs(text));
        break;
      }
      case "--client":
        o.role = "client";
        break;
      case "--remote":
        o.remote = next();
        if (args[i + 1] !== undefined && /^\d+$/.test(args[i + 1])) o.port = num(args[++i], "--remote PORT");
        break;
      case "--port":
      case "--lport":
      case "--rport":
        o.port = num(next(), a);
        break;
      case "--local":
        o.local = next();
        break;
      case "--proto": {
        const p = next();
        if (p.startsWith("udp")) o.proto = "udp";
        else if (p.startsWith("tcp")) o.proto = "tcp";
        else throw new TunnelUsageError(`--proto ${p}: udp or tcp`);
        break;
      }
      case "--dev":
        o.dev = next();
        break;
      case "--dev-type":
        if (next() !== "tun") throw new TunnelUsageError("only --dev-type tun is supported");
        break;
      case "--ca":
        o.ca = next();
        break;
      case "--cert":
        o.cert = next();
        break;
      case "--key":
        o.key = next();
        break;
      case "--tls-auth":
        o.tlsAuth = next();
        o.tlsAuthDir = dirArg(args, i + 1);
        if (o.tlsAuthDir !== undefined) i++;
        break;
      case "--key-direction": {
        const d = dirArg(args, i + 1);
        i++;
        if (d === undefined) throw new TunnelUsageError("--key-direction 0|1");
        o.tlsAuthDir ??= d;
        o.secretDir ??= d;
        break;
      }
      case "--tls-crypt":
        o.tlsCrypt = next();
        break;
      case "--secret":
        o.secret = next();
        o.secretDir = dirArg(args, i + 1);
        if (o.secretDir !== undefined) i++;
        break;
      case "--cipher": {
        const c = parseCipher(next());
        if (c === null) throw new TunnelUsageError(`unsupported --cipher ${args[i]}`);
        o.cipher = c;
        break;
      }
      case "--data-ciphers": {
        dataCiphersGiven = true;
        o.dataCiphers = next().split(":").map((s) => {
          const c = parseCipher(s);
          if (c === null) throw new TunnelUsageError(`unsupported data cipher ${s}`);
          return c;
        });
        break;
      }
      case "--auth": {
        const d = parseAuth(next());
        if (d === null) throw new TunnelUsageError(`unsupported --auth ${args[i]}`);
        o.auth = d;
        o.authGiven = true;
        break;
      }
      case "--ifconfig":
        o.ifconfig = [next(), next()];
        break;
      case "--server":
        o.role = "server";
        o.server = [next(), next()];
        break;
      case "--ifconfig-ipv6":
        o.ifconfig6 = [prefix6(next(), a, 64), addr6(next(), a)];
        break;
      case "--server-ipv6": {
        o.role = "server";
        o.server6 = prefix6(next(), a, 64);
        const bits = Number(o.server6.slice(o.server6.indexOf("/") + 1));
        if (bits < 64 || bits > 124) throw new TunnelUsageError(`--server-ipv6 ${o.server6}: the network must be between /64 and /124`);
        break;
      }
      case "--route-ipv6":
        o.routes6.push(prefix6(next(), a, 128));
        // [GATEWAY [METRIC]]: on a tun, routes go to the device
        while (args[i + 1] !== undefined && !args[i + 1].startsWith("-")) i++;
        break;
      case "--push":
        o.push.push(next());
        break;
      case "--keepalive":
        o.keepalive = [num(next(), a), num(next(), a)];
        break;
      case "--ping":
        o.ping = num(next(), a);
        break;
      case "--ping-restart":
        o.pingRestart = num(next(), a);
        break;
      case "--hand-window":
        o.handWindow = num(next(), a);
        break;
      case "--reneg-sec":
        o.renegSec = num(next(), a);
        break;
      case "--remote-cert-tls":
        o.remoteCertTls = next() === "server";
        break;
      case "--inspect":
        o.inspect = true;
        break;
      case "--keylog":
        o.keylog = next();
        break;
      case "--pcap-out":
        o.pcapOut = next();
        break;
      case "--verb":
        o.verb = num(next(), a);
        break;
      case "--tun-mtu":
        o.mtu = num(next(), a);
        break;
      case "--no-tun-offload":
        o.tunOffload = false;
        break;
      case "--topology":
        if (next() !== "subnet") throw new TunnelUsageError("only --topology subnet is supported");
        break;
      // accepted for OpenVPN compatibility, no effect here
      case "--nobind":
      case "--persist-key":
      case "--persist-tun":
      case "--disable-dco":
      case "--tls-client":
      case "--tls-server":
      case "--pull":
        break;
      case "--dh":
        next();
        break;
      default:
        throw new TunnelUsageError(`unknown tunnel option ${a}`);
    }
  }
  if (o.help) return o;
  if (o.secret !== undefined && !o.authGiven) o.auth = "SHA256";
  if (!dataCiphersGiven) o.dataCiphers = ["AES-256-GCM", "AES-128-GCM", "CHACHA20-POLY1305"];
  if (o.cipher !== undefined && !o.dataCiphers.includes(o.cipher)) o.dataCiphers.push(o.cipher);
  if (o.role === "client" && o.remote === undefined) throw new TunnelUsageError("a client needs --remote HOST");
  if (o.secret !== undefined) {
    if (o.ifconfig === undefined) throw new TunnelUsageError("static-key mode needs --ifconfig LOCAL REMOTE");
    if (o.server6 !== undefined) throw new TunnelUsageError("--server-ipv6 is for TLS mode (static-key mode: --ifconfig-ipv6 LOCAL/BITS REMOTE)");
  } else {
    for (const f of ["ca", "cert", "key"] as const) if (o[f] === undefined) throw new TunnelUsageError(`TLS mode needs --${f} (or --secret for static-key mode)`);
    if (o.tlsAuth !== undefined && o.tlsCrypt !== undefined) throw new TunnelUsageError("--tls-auth and --tls-crypt exclude each other");
    if (o.ifconfig6 !== undefined) throw new TunnelUsageError("--ifconfig-ipv6 is for static-key mode (a TLS server: --server-ipv6 NET/BITS; a TLS client gets its address pushed)");
  }
  return o;
}
