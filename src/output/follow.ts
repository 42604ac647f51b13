/**
 * `-z follow,tcp|udp,ascii|hex|raw,N`: the bytes of one stream, as tshark 4.0's
 * ui/cli/tap-follow.c prints them after the packets.
 *
 * Each TCP segment (or UDP datagram) that brings new bytes is one chunk; data the
 * server (Node 1) sent is indented with a tab. TCP data is put in sequence order per
 * direction: retransmitted/overlapping bytes are trimmed, out-of-order segments wait
 * until the gap before them is filled; a gap that never fills is never invented.
 */
import { fieldByAbbrev, type Field } from "../core/field.js";
import type { Dissection } from "../core/dissect.js";
import { addrToString } from "../core/format.js";

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
  add(d: Dissection): void;
  render(): string;
}

function field(abbrev: string): Field {
  const f = fieldByAbbrev(abbrev);
  if (f === undefined) throw new Error(`follow: field ${abbrev} is not registered`);
  return f;
}

/** Parse "follow,tcp,ascii,0" (the -z argument) and make the follower. */
export function makeFollow(spec: string): Follow {
  const parts = spec.split(",");
  if (parts[0] === "follow") parts.shift();
  const proto = parts[0];
  const mode = parts[1] as Mode;
  const index = Number(parts[2] ?? "0");
  if ((proto !== "tcp" && proto !== "udp") || !["ascii", "hex", "raw"].includes(mode) || !Number.isInteger(index) || index < 0) {
    throw new Error(`Invalid -z follow argument: "${spec}"`);
  }
  const isTcp = proto === "tcp";
  const fStream = field(`${proto}.stream`);
  const fPayload = field(`${proto}.payload`);
  const fSeq = isTcp ? field("tcp.seq_raw") : null;
  const fFlags = isTcp ? field("tcp.flags") : null;
  const fLen = isTcp ? field("tcp.len") : null;
  const fields = [fStream, fPayload];
  if (isTcp) fields.push(fSeq!, fFlags!, fLen!);

  const chunks: Chunk[] = [];
  let client: { addr: Uint8Array; port: number } | null = null;
  let server: { addr: Uint8Array; port: number } | null = null;
  const dirs = [new Dir(), new Dir()];

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

  return {
    fields,
    add(d: Dissection): void {
      const t = d.tree;
      const streams = t.get(fStream);
      if (streams.length === 0 || streams[0] !== index) return;
      const pinfo = d.pinfo;
      const src = pinfo.netSrc;
      const dst = pinfo.netDst;
      if (src === null || dst === null) return;
      if (client === null) {
        client = { addr: src.slice(), port: pinfo.srcport };
        server = { addr: dst.slice(), port: pinfo.dstport };
      }
      const isServer = !(sameAddr(src, client.addr) && pinfo.srcport === client.port);
      const pl = t.get(fPayload);
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
      s += `Filter: ${proto}.stream eq ${index}\n`;
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

function sameAddr(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
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
    // tshark's line ends without trailing blanks
    s += line.trimEnd() + "\n";
  }
  return s;
}
