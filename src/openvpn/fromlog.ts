/**
 * OpenVPN 2.x log (--verb 7 or more) → nestcap key-log entries.
 *
 * What is read (see fixtures/README.md, "Key lines in the logs"):
 *  - `Outgoing|Incoming <what>: Cipher 'NAME' initialized …`, `… CIPHER KEY: hex`,
 *    `… Using N bit message hash 'NAME' …`, `… HMAC KEY: hex` where <what> is
 *    `Data Channel` (TLS mode: DATA lines), `Static Key Encryption` (STATIC),
 *    `Control Channel Encryption` (tls-crypt: TLS-CRYPT type=static) or
 *    `dynamic tls-crypt` (TLS-CRYPT type=dynamic).
 *  - key-id of a data key set: the kid= of the last control packet the log showed
 *    (`UDPv4 WRITE … P_CONTROL_V1 kid=1 …`), else the order of key sets (0, 1, … 7, 1 …).
 *  - AEAD implicit IV (verb 9 only): `TLS: tls_pre_encrypt: key_id=N` then
 *    `ENCRYPT IV: <packet-id> <implicit IV 8 bytes>` (outgoing key of key-id N),
 *    `tls_pre_decrypt, key_id=N` then `DECRYPT IV: …` (incoming).
 *  - endpoints: `link local (bound): [AF_INET]IP:PORT`, `link remote: [AF_INET]IP:PORT`,
 *    `Peer Connection Initiated with [AF_INET]IP:PORT`, `TCP connection established
 *    with …`; in --server mode each client's lines carry a `name/IP:PORT ` or
 *    `IP:PORT ` prefix, which gives that client's endpoint. An unknown side
 *    (e.g. a client's unbound port) becomes `*`.
 *  - peer-id: `Data Channel: cipher '…', peer-id: N`, `PUSH_REPLY,…peer-id N,…`,
 *    `P2P mode NCP negotiation result: … peer-id N`; session ids from `sid=` in the
 *    packet lines.
 * Keys from several logs (both ends of a tunnel) are merged: the same key seen
 * from both sides becomes one line with the better-known endpoints and IV.
 */
import { hmacLength, isAead, parseAuth, parseCipher, type DataAuth, type DataCipher, type DataKey } from "./datachannel.js";
import { parseAddress } from "../core/addr-text.js";
import { ANY, formatEndpoint, type DataEntry, type Endpoint, type KeyLogEntry, type StaticEntry, type TlsCryptEntry } from "./keylog.js";

const TS = /^(?:\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?: us=\d+)? |[A-Z][a-z]{2} [A-Z][a-z]{2} +\d+ \d\d:\d\d:\d\d \d{4} )/;
const PREFIX = /^(?:[^\s/]+\/)?(\[[0-9a-fA-F:.]+\]|[0-9a-fA-F:.]+):(\d+) (.*)$/;
const KEYLINE = /^(Outgoing|Incoming) (Data Channel|Static Key Encryption|Control Channel Encryption|dynamic tls-crypt): (.*)$/;
const ADDR = /\[AF_INET6?\]([0-9a-fA-F:.]+?)(?::(\d+))?$/;

interface Pending {
  what: string;
  dir: "out" | "in";
  cipher?: string;
  auth?: string;
  key?: Uint8Array;
  hmac?: Uint8Array;
}

interface DataSet {
  entry: DataEntry;
  ctx: Ctx;
  dir: "out" | "in";
}

class Ctx {
  remote: Endpoint = ANY;
  lastKid = -1;
  outSets = 0;
  inSets = 0;
  peerId: number | undefined;
  mySid: string | undefined;
  peerSid: string | undefined;
  encKid = -1;
  decKid = -1;
  readonly data: DataSet[] = [];
  pending = new Map<string, Pending>();
}

function hexOf(s: string): Uint8Array | null {
  const h = s.replace(/\s+/g, "");
  if (h.length === 0 || h.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(h)) return null;
  return Uint8Array.from(Buffer.from(h, "hex"));
}

function endpointFrom(s: string): Endpoint | null {
  const m = ADDR.exec(s.trim());
  if (m === null) return null;
  const a = parseAddress(m[1]);
  if (a === null) return null;
  return { addr: a, port: m[2] === undefined ? -1 : Number(m[2]) };
}

export interface LogResult {
  entries: KeyLogEntry[];
  notes: string[];
}

/** Convert one log's text. `name` is used in notes. */
export function keysFromOpenvpnLog(text: string, name = "log"): LogResult {
  const notes: string[] = [];
  const ctxs = new Map<string, Ctx>();
  const global = new Ctx();
  let local: Endpoint = ANY;
  const out: { e: KeyLogEntry; ctx: Ctx; dir: "out" | "in" }[] = [];
  let lastPre: Ctx = global;

  const ctxOf = (prefix: string | null): Ctx => {
    if (prefix === null) return global;
    let c = ctxs.get(prefix);
    if (c === undefined) {
      c = new Ctx();
      const m = /^\[?([0-9a-fA-F:.]+?)\]?:(\d+)$/.exec(prefix);
      const a = m === null ? null : parseAddress(m[1]);
      if (a !== null) c.remote = { addr: a, port: Number(m![2]) };
      // inherit what the unprefixed lines learnt before the client was identified
      c.lastKid = global.lastKid;
      ctxs.set(prefix, c);
    }
    return c;
  };

  const finish = (ctx: Ctx, p: Pending): void => {
    if (p.key === undefined) return;
    const dir = p.dir;
    if (p.what === "Control Channel Encryption" || p.what === "dynamic tls-crypt") {
      if (p.hmac === undefined) return;
      const e: TlsCryptEntry = { kind: "TLS-CRYPT", line: 0, src: ANY, dst: ANY, dynamic: p.what === "dynamic tls-crypt", key: { cipherKey: p.key.slice(0, 32), hmacKey: p.hmac.slice(0, 32) } };
      out.push({ e, ctx, dir });
      return;
    }
    const cipher: DataCipher | null = p.cipher !== undefined ? parseCipher(p.cipher) : null;
    if (cipher === null) {
      notes.push(`${name}: skipped a ${p.what} key with unsupported cipher ${p.cipher ?? "(unknown)"}`);
      return;
    }
    let key: DataKey;
    if (isAead(cipher)) {
      key = { cipher, cipherKey: p.key, implicitIv: undefined };
    } else {
      const auth: DataAuth | null = p.auth !== undefined ? parseAuth(p.auth) : null;
      if (auth === null || p.hmac === undefined) {
        notes.push(`${name}: skipped a ${p.what} ${cipher} key without a usable HMAC (${p.auth ?? "none"})`);
        return;
      }
      key = { cipher, auth, cipherKey: p.key, hmacKey: p.hmac.slice(0, hmacLength(auth)) };
    }
    if (p.what === "Static Key Encryption") {
      key.staticMode = true;
      const e: StaticEntry = { kind: "STATIC", line: 0, src: ANY, dst: ANY, key };
      out.push({ e, ctx, dir });
      return;
    }
    // data channel: key-id from the last control packet, else from the order of key sets
    const n = dir === "out" ? ctx.outSets++ : ctx.inSets++;
    const kid = ctx.lastKid >= 0 ? ctx.lastKid : n === 0 ? 0 : ((n - 1) % 7) + 1;
    const e: DataEntry = { kind: "DATA", line: 0, src: ANY, dst: ANY, keyId: kid, key };
    ctx.data.push({ entry: e, ctx, dir });
    out.push({ e, ctx, dir });
  };

  const lines = text.split(/\r?\n/);
  for (let raw of lines) {
    const ts = TS.exec(raw);
    if (ts !== null) raw = raw.slice(ts[0].length);
    let prefix: string | null = null;
    let l = raw;
    const pm = PREFIX.exec(raw);
    if (pm !== null && parseAddress(pm[1].replace(/^\[|\]$/g, "")) !== null) {
      prefix = `${pm[1]}:${pm[2]}`;
      l = pm[3];
    }
    const ctx = ctxOf(prefix);

    const km = KEYLINE.exec(l);
    if (km !== null) {
      const dir = km[1] === "Outgoing" ? "out" : "in";
      const what = km[2];
      const rest = km[3];
      const pk = `${what}|${dir}`;
      let p = ctx.pending.get(pk);
      let m: RegExpExecArray | null;
      if ((m = /^Cipher '([^']+)' initialized/.exec(rest)) !== null) {
        if (p !== undefined) finish(ctx, p);
        p = { what, dir, cipher: m[1] };
        ctx.pending.set(pk, p);
      } else if (p === undefined) {
        p = { what, dir };
        ctx.pending.set(pk, p);
      }
      if ((m = /^CIPHER KEY: ([0-9a-fA-F ]+)$/.exec(rest)) !== null) p.key = hexOf(m[1]) ?? undefined;
      else if ((m = /^Using \d+ bit message hash '([^']+)'/.exec(rest)) !== null) p.auth = m[1];
      else if ((m = /^HMAC KEY: ([0-9a-fA-F ]+)$/.exec(rest)) !== null) {
        p.hmac = hexOf(m[1]) ?? undefined;
        finish(ctx, p);
        ctx.pending.delete(pk);
      } else if (/^CIPHER block_size/.test(rest) && p.cipher !== undefined && isAead(parseCipher(p.cipher) ?? "AES-128-CBC")) {
        // AEAD keys have no HMAC KEY line
        finish(ctx, p);
        ctx.pending.delete(pk);
      }
      continue;
    }
    let m: RegExpExecArray | null;
    if ((m = /link local \(bound\): (.*)$/.exec(l)) !== null) {
      local = endpointFrom(m[1]) ?? local;
    } else if ((m = /(?:link remote|Peer Connection Initiated with|TCP connection established with): ?(.*)$/.exec(l)) !== null || (m = /(?:Peer Connection Initiated with|TCP connection established with) (.*)$/.exec(l)) !== null) {
      const ep = endpointFrom(m[1]);
      if (ep !== null && prefix === null && ctxs.size === 0) global.remote = ep;
    } else if ((m = /\b(P_CONTROL_\w+|P_ACK_V1) kid=(\d)/.exec(l)) !== null) {
      ctx.lastKid = Number(m[2]);
      if (ctx !== global) global.lastKid = Number(m[2]);
      const sid = /kid=\d sid=([0-9a-f]{8}) ([0-9a-f]{8})/.exec(l);
      if (sid !== null) {
        if (/ WRITE /.test(l)) ctx.mySid = sid[1] + sid[2];
        else if (/ READ /.test(l)) ctx.peerSid = sid[1] + sid[2];
      }
    } else if ((m = /tls_pre_encrypt: key_id=(\d)/.exec(l)) !== null) {
      ctx.encKid = Number(m[1]);
      lastPre = ctx;
    } else if ((m = /tls_pre_decrypt, key_id=(\d)/.exec(l)) !== null) {
      ctx.decKid = Number(m[1]);
      lastPre = ctx;
    } else if ((m = /^(ENCRYPT|DECRYPT) IV: ([0-9a-fA-F]{8}) ([0-9a-fA-F]{8}) ([0-9a-fA-F]{8})\s*$/.exec(l)) !== null) {
      const c = prefix === null && ctx === global ? lastPre : ctx;
      const dir = m[1] === "ENCRYPT" ? "out" : "in";
      const kid = dir === "out" ? c.encKid : c.decKid;
      const iv = hexOf(m[3] + m[4])!;
      for (let i = c.data.length - 1; i >= 0; i--) {
        const d = c.data[i];
        if (d.dir === dir && d.entry.keyId === kid && isAead(d.entry.key.cipher)) {
          if (d.entry.key.implicitIv === undefined) d.entry.key.implicitIv = iv;
          break;
        }
      }
    } else if ((m = /Data Channel: cipher '[^']+'.*peer-id: (\d+)/.exec(l)) !== null || (m = /PUSH_REPLY,.*\bpeer-id (\d+)/.exec(l)) !== null || (m = /P2P mode NCP negotiation result:.*peer-id (\d+)/.exec(l)) !== null) {
      ctx.peerId = Number(m[1]);
    }
  }
  for (const c of [global, ...ctxs.values()]) for (const p of c.pending.values()) finish(c, p);

  const entries: KeyLogEntry[] = [];
  for (const { e, ctx, dir } of out) {
    const remote = ctx.remote.addr !== null ? ctx.remote : global.remote;
    e.src = dir === "out" ? local : remote;
    e.dst = dir === "out" ? remote : local;
    if (e.kind === "DATA") {
      if (ctx.peerId !== undefined) e.peerId = ctx.peerId;
      const sid = dir === "out" ? ctx.mySid : ctx.peerSid;
      if (sid !== undefined) e.session = sid;
    }
    entries.push(e);
  }
  return { entries, notes };
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return Buffer.compare(a, b) === 0;
}

function moreSpecific(a: Endpoint, b: Endpoint): Endpoint {
  return {
    addr: a.addr ?? b.addr,
    port: a.port >= 0 ? a.port : b.port,
  };
}

/**
 * Several logs (e.g. both ends of one tunnel) → one key log's entries: merged, and
 * AEAD keys without an implicit IV left out (with a note).
 */
export function keylogFromLogs(logs: readonly { name: string; text: string }[]): LogResult {
  const notes: string[] = [];
  const lists = logs.map((l) => {
    const r = keysFromOpenvpnLog(l.text, l.name);
    notes.push(...r.notes);
    return r.entries;
  });
  const entries: KeyLogEntry[] = [];
  for (const e of mergeEntries(lists)) {
    if (e.kind !== "TLS-CRYPT" && isAead(e.key.cipher) && e.key.implicitIv === undefined) {
      notes.push(`no ENCRYPT/DECRYPT IV line for the ${e.key.cipher} key of key-id ${(e as DataEntry).keyId} from ${formatEndpointPair(e)} (the implicit IV is only logged at --verb 9, with at least one data packet); left out`);
      continue;
    }
    entries.push(e);
  }
  return { entries, notes };
}

function formatEndpointPair(e: KeyLogEntry): string {
  return `${formatEndpoint(e.src)} to ${formatEndpoint(e.dst)}`;
}

/** Merge entries from several logs: the same key (both ends' view) once, with the best endpoints. */
export function mergeEntries(lists: readonly KeyLogEntry[][]): KeyLogEntry[] {
  const out: KeyLogEntry[] = [];
  for (const list of lists) {
    for (const e of list) {
      const twin = out.find((o) => o.kind === e.kind && sameBytes(o.key.cipherKey, e.key.cipherKey) && sameBytes(o.key.hmacKey, e.key.hmacKey));
      if (twin === undefined) {
        out.push(e);
        continue;
      }
      twin.src = moreSpecific(twin.src, e.src);
      twin.dst = moreSpecific(twin.dst, e.dst);
      if (twin.kind === "DATA" && e.kind === "DATA") {
        if (twin.key.implicitIv === undefined) twin.key.implicitIv = e.key.implicitIv;
        if (twin.peerId === undefined) twin.peerId = e.peerId;
        if (twin.session === undefined) twin.session = e.session;
      }
    }
  }
  return out;
}
