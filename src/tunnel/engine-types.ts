/**
 * Shared types and constants of the OpenVPN TLS-mode engine (engine.ts): the engine
 * configuration, its events and hooks, the stats counters and the IV_PROTO bits.
 */
import type { DataAuth, DataCipher, DataKey } from "../openvpn/datachannel.js";
import type { ControlWrapConfig } from "./ctlwrap.js";

export const EKM_LABEL = "EXPORTER-OpenVPN-datakeys";
/** IV_PROTO bits (ssl.h). */
export const IV_PROTO_DATA_V2 = 2;
export const IV_PROTO_REQUEST_PUSH = 4;
export const IV_PROTO_TLS_KEY_EXPORT = 8;
export const IV_PROTO_CC_EXIT_NOTIFY = 128;
export const OUR_IV_PROTO = IV_PROTO_DATA_V2 | IV_PROTO_REQUEST_PUSH | IV_PROTO_TLS_KEY_EXPORT | IV_PROTO_CC_EXIT_NOTIFY;
export const NESTCAP_IV_VER = "2.6.14";

export interface PushConfig {
  /** The client's address and netmask (topology subnet) — "ifconfig A MASK". */
  ifconfig: [string, string];
  /** The client's IPv6 address with prefix length and the server's — "ifconfig-ipv6 A/BITS GW" (--server-ipv6). */
  ifconfig6?: [string, string];
  routeGateway?: string;
  peerId: number;
  ping: number;
  pingRestart: number;
  extra?: string[];
}

export interface TlsEngineConfig {
  role: "client" | "server";
  proto: "udp" | "tcp";
  ca: string | Buffer;
  cert: string | Buffer;
  key: string | Buffer;
  wrap: ControlWrapConfig;
  /** --data-ciphers, in preference order. */
  dataCiphers: DataCipher[];
  /** --auth for CBC data ciphers (default SHA1). */
  auth: DataAuth;
  /** Server: what to push (set per client by the server shell). */
  push?: PushConfig;
  /** Client: check the server certificate's extended key usage (--remote-cert-tls server). */
  remoteCertTls?: boolean;
  /** Seconds to complete the TLS handshake and key exchange (--hand-window), default 60. */
  handWindow?: number;
  /** Client keepalive before PUSH_REPLY says otherwise; server: what it enforces. */
  ping?: number;
  pingRestart?: number;
  /** Renegotiate every N seconds (0: never; --reneg-sec). */
  renegSec?: number;
  /** Retransmission start timeout (ms). */
  initialRto?: number;
  now?: () => number;
}

export interface KeysEvent {
  keyId: number;
  cipher: DataCipher;
  auth?: DataAuth;
  send: DataKey;
  recv: DataKey;
  peerId: number;
  /** The client's and server's TLS session ids (hex, 16 chars). */
  localSession: string;
  remoteSession: string;
}

export type EngineEvent =
  | { type: "connected"; cipher: DataCipher; peerId: number; ifconfig?: [string, string]; routes: string[]; ifconfig6?: [string, string]; routes6: string[]; ping: number; pingRestart: number; pushReply?: string; peerInfo?: Record<string, string>; tlsVersion?: string; peerCert?: string }
  | { type: "keys"; keys: KeysEvent }
  /** A TLS secret of the control channel, as an SSLKEYLOGFILE line (node:tls's "keylog"). */
  | { type: "tls-secret"; line: string }
  | { type: "error"; message: string; fatal: boolean }
  | { type: "exit"; reason: string }
  | { type: "log"; message: string };

export interface EngineHooks {
  sendLink(pkt: Uint8Array): void;
  deliverTun(ip: Uint8Array): void;
  event(ev: EngineEvent): void;
}

export interface EngineStats {
  linkRx: number;
  linkTx: number;
  dataRx: number;
  dataTx: number;
  dataRxBytes: number;
  dataTxBytes: number;
  authFailures: number;
  replays: number;
  unknownKeyId: number;
  malformed: number;
  controlAuthFailures: number;
  retransmits: number;
  pings: number;
}

export function newStats(): EngineStats {
  return { linkRx: 0, linkTx: 0, dataRx: 0, dataTx: 0, dataRxBytes: 0, dataTxBytes: 0, authFailures: 0, replays: 0, unknownKeyId: 0, malformed: 0, controlAuthFailures: 0, retransmits: 0, pings: 0 };
}
