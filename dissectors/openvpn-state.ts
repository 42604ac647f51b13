/**
 * OpenVPN per-session state (conversations, control sessions, TLS reassembly buffers,
 * TCP split tracking) and the decryption keys loaded from the prefs or handed over in
 * memory (addSessionKeys); also the registered OpenVPN fields (`f`, `hf`), bound once by
 * dissectors/openvpn.ts right after defineProtocol, so the helper files need not import
 * openvpn.ts (no import cycle).
 */
import { conversationDirection, conversationKey } from "../src/analysis/conversation.js";
import type { Field } from "../src/core/field.js";
import type { PacketInfo } from "../src/core/pinfo.js";
import type { Session } from "../src/core/session.js";
import { dataKeyFromKeyMaterial } from "../src/openvpn/datachannel.js";
import { readKeyLog, type DataEntry, type Endpoint, type KeyLogEntry, type StaticEntry, type TlsCryptEntry } from "../src/openvpn/keylog.js";
import { keySlot, readStaticKeyFile, splitKeyArg } from "../src/openvpn/static.js";
import { tlsCryptKeyFromSlot } from "../src/openvpn/tlscrypt.js";
import type { WireOptions } from "../src/openvpn/wire.js";
import type { openvpn } from "./openvpn.js";

/** The registered OpenVPN fields (openvpn.f). */
export type OpenvpnFields = typeof openvpn.f;

/** The registered fields and the protocol's own field; set by bindOpenvpn() when openvpn.ts loads. */
export let f: OpenvpnFields;
export let hf: Field;

export function bindOpenvpn(fields: OpenvpnFields, protoField: Field): void {
  f = fields;
  hf = protoField;
}

/** One direction-specific control session (one session id). */
export class Sess {
  /** (keyId·2^32 + mpid) → first frame that carried it. */
  readonly mpidFrame = new Map<number, number>();
  /** TLS reassembly per key id. */
  readonly reasm = new Map<number, Reasm>();
}

export class Reasm {
  next = -1;
  readonly pending = new Map<number, Uint8Array>();
  buf: Uint8Array = new Uint8Array(0);
  /** Set when the stream stopped looking like TLS records (e.g. dynamic tls-crypt). */
  dead = false;
}

export class Conv {
  /** null until a control packet told us. */
  opts: WireOptions | null = null;
  /** Confirmed as TLS-mode OpenVPN. */
  confirmed = false;
  /** Looks like static-key (or unknown) traffic: no opcode byte. */
  unknown = false;
  /** A hard reset parsed in this conversation. */
  handshake = false;
  readonly sessions = new Map<bigint, Sess>();
  /** Decryption: the key that last worked, per (direction·8 + key-id); static mode under 16/17. */
  readonly keyHit = new Map<number, DataEntry | StaticEntry>();
  /** Static-key packets authenticated here (--openvpn-static / STATIC lines). */
  staticMode = false;
}

export class State {
  readonly convs = new Map<string, Conv>();
  /** TCP: per flow, the relative seq where the next OpenVPN packet starts (when a packet was split). */
  readonly tcpNext = new Map<unknown, number>();
  /** Decryption keys from the prefs (loaded on first use). */
  keys: Keys | null = null;
}

/**
 * Keys from the session prefs (set by --keylog, --openvpn-tls-crypt, --openvpn-static
 * or -o openvpn.keylog:FILE …), loaded once per session.
 */
export class Keys {
  readonly data: DataEntry[] = [];
  readonly statics: StaticEntry[] = [];
  readonly tlsCrypt: TlsCryptEntry[] = [];
  get any(): boolean {
    return this.data.length + this.statics.length + this.tlsCrypt.length > 0;
  }
}

const ANY_EP = { addr: null, port: -1 };
const NO_KEYS = new Keys();

function loadKeys(s: Session): Keys {
  const kl = s.pref<string | boolean>("openvpn.keylog", "");
  const tc = s.pref<string | boolean>("openvpn.tls_crypt_key", "");
  const st = s.pref<string | boolean>("openvpn.static_key", "");
  if (typeof kl !== "string" || typeof tc !== "string" || typeof st !== "string" || kl + tc + st === "") return NO_KEYS;
  const k = new Keys();
  // errors here surface as exceptions: the CLI validates these files before dissecting
  if (kl !== "") {
    for (const e of readKeyLog(kl)) {
      if (e.kind === "DATA") k.data.push(e);
      else if (e.kind === "STATIC") k.statics.push(e);
      else k.tlsCrypt.push(e);
    }
  }
  if (tc !== "") {
    const raw = readStaticKeyFile(splitKeyArg(tc).path);
    // which slot a side sends with depends on its direction: try both, the tag decides
    for (const i of [0, 1] as const) k.tlsCrypt.push({ kind: "TLS-CRYPT", line: 0, src: ANY_EP, dst: ANY_EP, dynamic: false, key: tlsCryptKeyFromSlot(keySlot(raw, i)) });
  }
  if (st !== "") {
    const { path, direction } = splitKeyArg(st);
    const raw = readStaticKeyFile(path);
    // direction 0/1 (as --secret FILE DIR): the two slots are used one per direction; bidirectional: slot 0 both ways.
    // The capture does not say which side had which direction, so both slots are tried and the HMAC decides.
    const slots: (0 | 1)[] = direction === undefined ? [0, 1] : [direction, (1 - direction) as 0 | 1];
    for (const i of slots) k.statics.push({ kind: "STATIC", line: 0, src: ANY_EP, dst: ANY_EP, key: dataKeyFromKeyMaterial("AES-256-CBC", "SHA256", keySlot(raw, i), true) });
  }
  return k;
}

export function keysOf(pinfo: PacketInfo): Keys {
  const st = state(pinfo);
  return st.keys ?? (st.keys = loadKeys(pinfo.session));
}

function sameEndpoint(a: Endpoint, b: Endpoint): boolean {
  if (a.port !== b.port || (a.addr === null) !== (b.addr === null)) return false;
  return a.addr === null || (a.addr.length === b.addr!.length && a.addr.every((v, i) => v === b.addr![i]));
}

/**
 * Key-log entries from memory (`nestcap tunnel --inspect` hands over each key as it is
 * derived), added to the session's keys after those of the prefs. A DATA entry replaces
 * an earlier one with the same endpoints and key-id (a key-id reused after renegotiations,
 * a client reconnecting from the same address).
 */
export function addSessionKeys(session: Session, entries: readonly KeyLogEntry[]): void {
  const st = session.get("openvpn", newState);
  let k = st.keys ?? loadKeys(session);
  if (k === NO_KEYS) k = new Keys();
  st.keys = k;
  for (const e of entries) {
    if (e.kind === "DATA") {
      const i = k.data.findIndex((d) => d.keyId === e.keyId && sameEndpoint(d.src, e.src) && sameEndpoint(d.dst, e.dst));
      if (i >= 0) k.data[i] = e;
      else k.data.push(e);
    } else if (e.kind === "STATIC") k.statics.push(e);
    else k.tlsCrypt.push(e);
  }
}

const newState = (): State => new State();

export function state(pinfo: PacketInfo): State {
  return pinfo.session.get("openvpn", newState);
}

export function convOf(pinfo: PacketInfo, create: boolean): Conv | undefined {
  const st = state(pinfo);
  const dir = conversationDirection(pinfo.netSrc, pinfo.netDst, pinfo.srcport, pinfo.dstport);
  const key = pinfo.ptype + conversationKey(pinfo.netSrc, pinfo.netDst, pinfo.srcport, pinfo.dstport, dir);
  let c = st.convs.get(key);
  if (c === undefined && create) st.convs.set(key, (c = new Conv()));
  return c;
}
