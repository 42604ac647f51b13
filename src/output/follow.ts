/**
 * `-z follow,tcp|udp|tls|http,ascii|hex|raw,N`: the bytes of one stream, as tshark 4.0's
 * ui/cli/tap-follow.c prints them after the packets.
 *
 * tcp/udp: each TCP segment (or UDP datagram) that brings new bytes is one chunk; data the
 * server (Node 1) sent is indented with a tab. TCP data is put in sequence order per
 * direction: retransmitted/overlapping bytes are trimmed, out-of-order segments wait
 * until the gap before them is filled; a gap that never fills is never invented.
 *
 * tls: each decrypted application-data record of TCP stream N is one chunk (a key log is
 * needed). As tshark 4.0, "Node 0" is the sender of the first packet with any decrypted
 * record (in TLS 1.3 the server, whose handshake is encrypted) and the other side's data is
 * indented; Node 1 is never filled in (":0").
 *
 * http: each HTTP message of TCP stream N gives its start line and headers, then its body as
 * HTTP decoded it (de-chunked, decompressed), as two chunks (the dissector's "http_follow" tap).
 */
import { fieldByAbbrev, type Field } from "../core/field.js";
import type { Dissection } from "../core/dissect.js";
import { addrToString } from "../core/format.js";
import { compareAddresses } from "../analysis/conversation.js";
import { parseAddress } from "../core/addr-text.js";

const SEPARATOR = "===================================================================\n";

type Mode = "ascii" | "hex" | "raw";

interface Chunk {
  server: boolean;
  data: Uint8Array;
}

interface Pending {
  seq: number;
  data: Uint8Array;
}

/** Per-direction TCP sequence tracking (follow_tcp_tap_listener). */
class Dir {
  started = false;
  /** Next expected absolute sequence number. */
  next = 0;
  pending: Pending[] = [];
}

const seqLt = (a: number, b: number): boolean => ((a - b) | 0) < 0;

export interface Follow {
  /** Fields whose values the follow needs recorded (add them to the Dissector's wanted list). */
  fields: Field[];
  /** Taps it listens to (Session taps), by name. */
  taps: Record<string, (record: unknown) => void>;
  add(d: Dissection): void;
  render(): string;
}

/** What the "tls_follow" and "http_follow" taps hand over: bytes of a frame, in order. */
export interface FollowRecord {
  frame: number;
  /** tls: the record's (inner) content type; http: 0. */
  type: number;
  data: Uint8Array;
}

function field(abbrev: string): Field {
  const f = fieldByAbbrev(abbrev);
  if (f === undefined) throw new Error(`follow: field ${abbrev} is not registered`);
  return f;
}

interface Endpoint {
  addr: Uint8Array;
  port: number;
}

/** "10.0.0.1:80" or "[fd00::1]:80" (tshark's follow endpoints); throws tshark's message for anything else. */
function parseEndpoint(s: string): Endpoint {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|(\d+\.\d+\.\d+\.\d+)):(\d+)$/.exec(s);
  if (m === null) throw new Error("follow - Invalid address.");
  if (Number(m[3]) > 65535) throw new Error("follow - Invalid port.");
  const addr = parseAddress(m[1] ?? m[2]);
  if (addr === null) throw new Error("follow - Invalid address.");
  return { addr, port: Number(m[3]) };
}

/**
 * Parse the -z argument and make the follower: "follow,tcp,ascii,N" follows stream N,
 * "follow,tcp,ascii,A:p,B:q" the frames between those two endpoints (either way), as tshark.
 */
export function makeFollow(spec: string): Follow {
  const parts = spec.split(",");
  if (parts[0] === "follow") parts.shift();
  const proto = parts[0];
  const mode = parts[1] as Mode;
  // tshark's checks, in its order and words
  if (!["tcp", "udp", "tls", "http"].includes(proto)) throw new Error(`Invalid -z follow argument: "${spec}"`);
  if (!["ascii", "hex", "raw"].includes(mode)) throw new Error("follow - Invalid display mode.");
  let index = -1;
  let ends: [Endpoint, Endpoint] | null = null;
  if (parts.length >= 4 && parts[2].includes(":")) {
    ends = [parseEndpoint(parts[2]), parseEndpoint(parts[3])];
  } else {
    if (parts[2] === undefined || !/^-?\d+$/.test(parts[2])) throw new Error("follow - Invalid address.");
    index = Number(parts[2]);
    if (index < 0) throw new Error("follow - Error registering tap listener.");
  }
  const isTcp = proto === "tcp";
  const tapped = proto === "tls" || proto === "http";
  const fStream = field(`${proto === "udp" ? "udp" : "tcp"}.stream`);
  const fPayload = tapped ? null : field(`${proto}.payload`);
  const fSeq = isTcp ? field("tcp.seq_raw") : null;
  const fFlags = isTcp ? field("tcp.flags") : null;
  const fLen = isTcp ? field("tcp.len") : null;
  const fields = [fStream];
  if (fPayload !== null) fields.push(fPayload);
  if (isTcp) fields.push(fSeq!, fFlags!, fLen!);

  const chunks: Chunk[] = [];
  let client: { addr: Uint8Array; port: number } | null = null;
  let server: { addr: Uint8Array; port: number } | null = null;
  const dirs = [new Dir(), new Dir()];
  // tls/http: the records the dissectors tapped while the current frame was dissected
  let tappedRecords: FollowRecord[] = [];
  const taps: Record<string, (record: unknown) => void> = {};
  if (tapped) {
    taps[`${proto}_follow`] = (r) => {
      const rec = r as FollowRecord;
      if (tappedRecords.length > 0 && tappedRecords[0].frame !== rec.frame) tappedRecords = [];
      tappedRecords.push(rec);
    };
  }

  const emit = (isServer: boolean, data: Uint8Array): void => {
    if (data.length > 0) chunks.push({ server: isServer, data });
  };

  function addTcp(dirIdx: number, seq: number, flags: number, payload: Uint8Array): void {
    const dir = dirs[dirIdx];
    const isServer = dirIdx === 1;
    if (!dir.started) {
      dir.started = true;
      dir.next = flags & 0x02 ? (seq + 1) >>> 0 : seq;
    } else if (flags & 0x02 && payload.length === 0) {
      return;
    }
    if (flags & 0x02) seq = (seq + 1) >>> 0;
    if (payload.length === 0) return;
    if (seqLt(dir.next, seq)) {
      // a gap before it: wait for the missing bytes
      if (dir.pending.length < 10000) dir.pending.push({ seq, data: payload.slice() });
      return;
    }
    const end = (seq + payload.length) >>> 0;
    if (!seqLt(dir.next, end)) return; // nothing new
    const skip = (dir.next - seq) >>> 0;
    emit(isServer, skip > 0 ? payload.slice(skip) : payload.slice());
    dir.next = end;
    // segments that were waiting for this
    let progress = true;
    while (progress && dir.pending.length > 0) {
      progress = false;
      for (let i = 0; i < dir.pending.length; i++) {
        const p = dir.pending[i];
        if (seqLt(dir.next, p.seq)) continue;
        dir.pending.splice(i, 1);
        const pend = (p.seq + p.data.length) >>> 0;
        if (seqLt(dir.next, pend)) {
          emit(isServer, p.data.subarray((dir.next - p.seq) >>> 0));
          dir.next = pend;
        }
        progress = true;
        break;
      }
    }
  }

  function addTapped(d: Dissection): void {
    const recs = tappedRecords.filter((r) => r.frame === d.pinfo.num);
    tappedRecords = [];
    if (recs.length === 0) return;
    const isServer = sideOf(d);
    if (isServer === null) return;
    for (const r of recs) if (proto === "http" || r.type === 23) chunks.push({ server: isServer, data: r.data });
  }

  /**
   * Whether the frame (of stream N) came from the server: the first frame's sender is the
   * client (tshark's follow taps); null for a frame of another stream or without addresses.
   */
  function sideOf(d: Dissection): boolean | null {
    const pinfo = d.pinfo;
    const src = pinfo.netSrc;
    const dst = pinfo.netDst;
    if (ends === null) {
      const streams = d.tree.get(fStream);
      if (streams.length === 0 || streams[0] !== index) return null;
    } else {
      if (src === null || dst === null || pinfo.ptype !== (proto === "udp" ? "udp" : "tcp")) return null;
      const [a, b] = ends;
      const is = (e: Endpoint, addr: Uint8Array, port: number): boolean => port === e.port && compareAddresses(addr, e.addr) === 0;
      if (!((is(a, src, pinfo.srcport) && is(b, dst, pinfo.dstport)) || (is(b, src, pinfo.srcport) && is(a, dst, pinfo.dstport)))) return null;
    }
    if (src === null || dst === null) return null;
    if (client === null) {
      client = { addr: src.slice(), port: pinfo.srcport };
      // (tshark 4.0's TLS follow tap never fills in the server)
      if (proto !== "tls") server = { addr: dst.slice(), port: pinfo.dstport };
    }
    return !(compareAddresses(src, client.addr) === 0 && pinfo.srcport === client.port);
  }

  /** The Filter: line: the stream, or tshark's address/port expression for endpoints. */
  function filterText(): string {
    const t = proto === "udp" ? "udp" : "tcp";
    if (ends === null) return `${t}.stream eq ${index}`;
    const one = (x: Endpoint, y: Endpoint): string => {
      const ip = x.addr.length === 16 ? "ipv6" : "ip";
      return `((${ip}.src eq ${addrToString(x.addr)} and ${t}.srcport eq ${x.port}) and (${ip}.dst eq ${addrToString(y.addr)} and ${t}.dstport eq ${y.port}))`;
    };
    return `${one(ends[0], ends[1])} or ${one(ends[1], ends[0])}`;
  }

  return {
    fields,
    taps,
    add(d: Dissection): void {
      if (tapped) {
        addTapped(d);
        return;
      }
      const isServer = sideOf(d);
      if (isServer === null) return;
      const t = d.tree;
      const pl = t.get(fPayload!);
      const payload = pl.length > 0 && pl[0] instanceof Uint8Array ? (pl[0] as Uint8Array) : new Uint8Array(0);
      if (!isTcp) {
        emit(isServer, payload.slice());
        return;
      }
      const seqs = t.get(fSeq!);
      const fl = t.get(fFlags!);
      if (seqs.length === 0) return;
      addTcp(isServer ? 1 : 0, seqs[0] as number, (fl[0] as number) ?? 0, payload);
    },
    render(): string {
      let s = "\n" + SEPARATOR;
      s += `Follow: ${proto},${mode}\n`;
      s += `Filter: ${filterText()}\n`;
      s += `Node 0: ${node(client)}\n`;
      s += `Node 1: ${node(server)}\n`;
      const pos = [0, 0];
      for (const c of chunks) {
        const tab = c.server ? "\t" : "";
        if (mode === "ascii") {
          s += `${tab}${c.data.length}\n${asciiText(c.data)}\n`;
        } else if (mode === "raw") {
          s += tab + hexString(c.data) + "\n";
        } else {
          const di = c.server ? 1 : 0;
          s += hexDump(c.data, pos[di], tab);
          pos[di] += c.data.length;
        }
      }
      s += SEPARATOR;
      return s;
    },
  };
}

function node(n: { addr: Uint8Array; port: number } | null): string {
  if (n === null) return ":0";
  const a = addrToString(n.addr);
  return n.addr.length === 16 ? `[${a}]:${n.port}` : `${a}:${n.port}`;
}

/** Printable ASCII, CR and LF as they are; everything else '.'. */
function asciiText(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    s += (c >= 0x20 && c < 0x7f) || c === 0x0a || c === 0x0d ? String.fromCharCode(c) : ".";
  }
  return s;
}

const HEX = "0123456789abcdef";
function hexString(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i++) s += HEX[b[i] >> 4] + HEX[b[i] & 15];
  return s;
}

/** "00000000  47 45 54 20 ...  GET / HT TP/1.1.." lines, offsets counted per direction. */
function hexDump(b: Uint8Array, base: number, tab: string): string {
  let s = "";
  for (let o = 0; o < b.length; o += 16) {
    const n = Math.min(16, b.length - o);
    let line = tab + (base + o).toString(16).toUpperCase().padStart(8, "0") + "  ";
    let hx = "";
    let as = "";
    for (let i = 0; i < n; i++) {
      const c = b[o + i];
      hx += HEX[c >> 4] + HEX[c & 15] + " ";
      if (i === 7) hx += " ";
      as += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : ".";
      if (i === 7) as += " ";
    }
    line += hx.padEnd(49, " ") + " " + as;
    // tshark drops one trailing space (meant for the gap after 8 bytes, it takes a data space too)
    s += (line.endsWith(" ") ? line.slice(0, -1) : line) + "\n";
  }
  return s;
}
