/**
 * `-z conv,TYPE[,filter]` and `-z endpoints,TYPE[,filter]` for eth, ip, ipv6, tcp, udp,
 * counted as tshark 4.0 does:
 *  - one entry per protocol *layer* (an IP-in-IP packet counts in two IP conversations),
 *    each adding the whole frame length; layers inside an ICMP/ICMPv6 error are skipped
 *    (tshark does not tap "error packets");
 *  - a conversation's A side is the source of its first packet; frames from A count in
 *    "A → B" (tshark's "->"), the others in "B → A" ("<-"); TCP/UDP conversations are also
 *    keyed by the stream index (port reuse makes a new conversation);
 *  - relative start is from the first frame of the capture; duration = last − first;
 *  - rows are sorted by total frames, descending, ties in order of first appearance.
 */
import type { Dissection } from "../../core/dissect.js";
import type { Field, Value } from "../../core/field.js";
import { fieldText } from "../../core/format.js";
import type { CompiledFilter } from "../../filter/index.js";
import { Collector, need, StatsError, statFilter } from "./base.js";
import { relSeconds, type Report } from "./report.js";

export type ConvType = "eth" | "ip" | "ipv6" | "tcp" | "udp";
export const CONV_TYPES: readonly ConvType[] = ["eth", "ip", "ipv6", "tcp", "udp"];

const TITLES: Record<ConvType, string> = { eth: "Ethernet", ip: "IPv4", ipv6: "IPv6", tcp: "TCP", udp: "UDP" };

export interface Conversation {
  addrA: string;
  addrB: string;
  portA: number;
  portB: number;
  /** Frames/bytes from A to B (tshark "->"). */
  framesAB: number;
  bytesAB: number;
  /** Frames/bytes from B to A (tshark "<-"). */
  framesBA: number;
  bytesBA: number;
  /** Seconds since the first frame of the capture. */
  start: number;
  stop: number;
}

export interface Endpoint {
  addr: string;
  port: number;
  txFrames: number;
  txBytes: number;
  rxFrames: number;
  rxBytes: number;
}

interface ConvEntry extends Conversation {
  rawA: string;
  rawB: string;
}

/** Key text of an address value: ipv4 as its number, byte addresses as a latin-1 string of the bytes. */
function addrKey(v: Value): string {
  if (typeof v === "number") return String(v);
  if (v instanceof Uint8Array) {
    let s = "";
    for (let i = 0; i < v.length; i++) s += String.fromCharCode(v[i]);
    return s;
  }
  return String(v);
}

/** Reads the (src, dst, sport, dport, id) tuples of one frame, layer by layer. */
class TupleReader {
  readonly fields: Field[];
  private readonly eth?: [Field, Field];
  private readonly ip?: [Field, Field];
  private readonly ip6?: [Field, Field];
  private readonly ports?: [Field, Field, Field | undefined];
  private readonly layer: string;

  constructor(readonly type: ConvType, stat: string) {
    this.layer = type;
    const f: Field[] = [];
    const pair = (a: string, b: string): [Field, Field] => {
      const r: [Field, Field] = [need(a, stat), need(b, stat)];
      f.push(...r);
      return r;
    };
    if (type === "eth") this.eth = pair("eth.src", "eth.dst");
    if (type === "ip" || type === "tcp" || type === "udp") this.ip = pair("ip.src", "ip.dst");
    if (type === "ipv6" || type === "tcp" || type === "udp") this.ip6 = pair("ipv6.src", "ipv6.dst");
    if (type === "tcp" || type === "udp") {
      const [s, d] = pair(`${type}.srcport`, `${type}.dstport`);
      // the stream index keys the conversation too (tshark 4.0 conv_id); optional
      const id = need(`${type}.stream`, stat);
      f.push(id);
      this.ports = [s, d, id];
    }
    this.fields = f;
  }

  /** The address field (for display) of a tuple from a given network layer. */
  addrField(net: "eth" | "ip" | "ipv6"): Field {
    return (net === "eth" ? this.eth : net === "ip" ? this.ip : this.ip6)![0];
  }

  /** Calls fn for each tuple of the frame. */
  each(d: Dissection, fn: (net: "eth" | "ip" | "ipv6", src: Value, dst: Value, sp: number, dp: number, id: number) => void): void {
    const layers = d.pinfo.layers;
    const t = d.tree;
    let nEth = 0, nIp = 0, nIp6 = 0, nL4 = 0;
    let lastNet: "ip" | "ipv6" | null = null;
    let lastIdx = -1;
    for (let i = 0; i < layers.length; i++) {
      const l = layers[i];
      if (l === "icmp" || l === "icmpv6") break; // what follows is an error packet's quoted header
      if (l === "eth") {
        const k = nEth++;
        if (this.eth) {
          const s = t.get(this.eth[0]), ds = t.get(this.eth[1]);
          if (k < s.length && k < ds.length) fn("eth", s[k], ds[k], 0, 0, -1);
        }
      } else if (l === "ip") {
        lastNet = "ip";
        lastIdx = nIp++;
        if (this.layer === "ip") {
          const s = t.get(this.ip![0]), ds = t.get(this.ip![1]);
          if (lastIdx < s.length && lastIdx < ds.length) fn("ip", s[lastIdx], ds[lastIdx], 0, 0, -1);
        }
      } else if (l === "ipv6") {
        lastNet = "ipv6";
        lastIdx = nIp6++;
        if (this.layer === "ipv6" && !unreassembledFragment(layers, i)) {
          const s = t.get(this.ip6![0]), ds = t.get(this.ip6![1]);
          if (lastIdx < s.length && lastIdx < ds.length) fn("ipv6", s[lastIdx], ds[lastIdx], 0, 0, -1);
        }
      } else if (l === this.layer && this.ports && lastNet !== null) {
        const k = nL4++;
        const af = lastNet === "ip" ? this.ip! : this.ip6!;
        const s = t.get(af[0]), ds = t.get(af[1]);
        const sp = t.get(this.ports[0]), dp = t.get(this.ports[1]);
        const id = this.ports[2] ? t.get(this.ports[2]) : [];
        if (lastIdx < s.length && lastIdx < ds.length && k < sp.length && k < dp.length)
          fn(lastNet, s[lastIdx], ds[lastIdx], sp[k] as number, dp[k] as number, k < id.length ? (id[k] as number) : -1);
      }
    }
  }
}

/**
 * tshark taps an IPv6 header only when its payload is dissected: a fragment that is not
 * (yet) reassembled ("ipv6:ipv6.fraghdr:data") is not counted. IPv4 fragments are.
 */
function unreassembledFragment(layers: readonly string[], i: number): boolean {
  let frag = false;
  let j = i + 1;
  for (; j < layers.length && layers[j].startsWith("ipv6."); j++) if (layers[j] === "ipv6.fraghdr") frag = true;
  return frag && (j >= layers.length || layers[j] === "data");
}

function parseType(spec: string, kind: string): { type: ConvType; filter: string | undefined } {
  const rest = spec.slice(kind.length + 1);
  const comma = rest.indexOf(",");
  const type = (comma < 0 ? rest : rest.slice(0, comma)) as ConvType;
  if (!CONV_TYPES.includes(type))
    throw new StatsError(`invalid -z argument "${spec}": ${kind} type "${type}" is not one of ${CONV_TYPES.join(", ")}`);
  return { type, filter: comma < 0 ? undefined : rest.slice(comma + 1) };
}

/** Sort by total frames descending, stable for ties (tshark's draw loop). */
function byFrames<T>(list: T[], frames: (x: T) => number): T[] {
  return list
    .map((x, i) => ({ x, i, n: frames(x) }))
    .filter((e) => e.n > 0)
    .sort((a, b) => b.n - a.n || a.i - b.i)
    .map((e) => e.x);
}

export class ConvCollector extends Collector {
  readonly type: ConvType;
  private readonly r: TupleReader;
  private readonly filter: CompiledFilter | null;
  private readonly filterText: string | undefined;
  private readonly map = new Map<string, ConvEntry>();
  private readonly list: ConvEntry[] = [];

  constructor(spec: string) {
    super();
    const { type, filter } = parseType(spec, "conv");
    this.type = type;
    this.r = new TupleReader(type, spec);
    this.filter = statFilter(filter, spec);
    this.filterText = filter;
    this.fields = [...this.r.fields, ...(this.filter?.fields ?? [])];
  }

  add(d: Dissection): void {
    if (this.filter !== null && !this.filter.test(d)) return;
    const fr = d.frame;
    this.curLen = fr.len;
    this.curT = relSeconds(fr.tsSec, fr.tsNsec, d.pinfo.session.firstTs);
    this.r.each(d, this.onTuple);
  }

  private curLen = 0;
  private curT = 0;
  /** Made once (no closure per packet). */
  private readonly onTuple = (net: "eth" | "ip" | "ipv6", src: Value, dst: Value, sp: number, dp: number, id: number): void => {
    const len = this.curLen, t = this.curT;
    const ks = addrKey(src), kd = addrKey(dst);
    let c = this.map.get(`${ks}|${sp}|${kd}|${dp}|${id}`) ?? this.map.get(`${kd}|${dp}|${ks}|${sp}|${id}`);
    if (c === undefined) {
      const af = this.r.addrField(net);
      c = {
        addrA: fieldText(af, src), addrB: fieldText(af, dst), portA: sp, portB: dp,
        framesAB: 0, bytesAB: 0, framesBA: 0, bytesBA: 0, start: t, stop: t, rawA: ks, rawB: kd,
      };
      this.map.set(`${ks}|${sp}|${kd}|${dp}|${id}`, c);
      this.list.push(c);
    }
    if (ks === c.rawA && kd === c.rawB && sp === c.portA && dp === c.portB) {
      c.framesAB++;
      c.bytesAB += len;
    } else {
      c.framesBA++;
      c.bytesBA += len;
    }
    if (t > c.stop) c.stop = t;
    else if (t < c.start) c.start = t;
  };

  /** The conversations in tshark's order. */
  conversations(): Conversation[] {
    return byFrames(this.list, (c) => c.framesAB + c.framesBA).map(({ rawA: _a, rawB: _b, ...c }) => c);
  }

  report(): Report {
    const ports = this.type === "tcp" || this.type === "udp";
    const cols = ["Address A", ...(ports ? ["Port A"] : []), "Address B", ...(ports ? ["Port B"] : []),
      "Frames A→B", "Bytes A→B", "Frames B→A", "Bytes B→A", "Frames", "Bytes", "Rel Start", "Duration"];
    const rows = this.conversations().map((c) => [
      c.addrA, ...(ports ? [c.portA] : []), c.addrB, ...(ports ? [c.portB] : []),
      c.framesAB, c.bytesAB, c.framesBA, c.bytesBA, c.framesAB + c.framesBA, c.bytesAB + c.bytesBA,
      c.start.toFixed(9), (c.stop - c.start).toFixed(4),
    ]);
    return {
      stat: `conv,${this.type}`, title: `${TITLES[this.type]} Conversations`, filter: this.filterText,
      sections: [{ title: "", columns: cols, rows }],
    };
  }
}

export class EndpointsCollector extends Collector {
  readonly type: ConvType;
  private readonly r: TupleReader;
  private readonly filter: CompiledFilter | null;
  private readonly filterText: string | undefined;
  private readonly map = new Map<string, Endpoint>();
  private readonly list: Endpoint[] = [];

  constructor(spec: string) {
    super();
    const { type, filter } = parseType(spec, "endpoints");
    this.type = type;
    this.r = new TupleReader(type, spec);
    this.filter = statFilter(filter, spec);
    this.filterText = filter;
    this.fields = [...this.r.fields, ...(this.filter?.fields ?? [])];
  }

  private get(net: "eth" | "ip" | "ipv6", v: Value, port: number): Endpoint {
    const k = `${addrKey(v)}|${port}`;
    let e = this.map.get(k);
    if (e === undefined) {
      e = { addr: fieldText(this.r.addrField(net), v), port, txFrames: 0, txBytes: 0, rxFrames: 0, rxBytes: 0 };
      this.map.set(k, e);
      this.list.push(e);
    }
    return e;
  }

  add(d: Dissection): void {
    if (this.filter !== null && !this.filter.test(d)) return;
    this.curLen = d.frame.len;
    this.r.each(d, this.onTuple);
  }

  private curLen = 0;
  private readonly onTuple = (net: "eth" | "ip" | "ipv6", src: Value, dst: Value, sp: number, dp: number): void => {
    const len = this.curLen;
    const a = this.get(net, src, sp);
    a.txFrames++;
    a.txBytes += len;
    const b = this.get(net, dst, dp);
    b.rxFrames++;
    b.rxBytes += len;
  };

  endpoints(): Endpoint[] {
    return byFrames(this.list, (e) => e.txFrames + e.rxFrames);
  }

  report(): Report {
    const ports = this.type === "tcp" || this.type === "udp";
    const cols = ["Address", ...(ports ? ["Port"] : []), "Packets", "Bytes", "Tx Packets", "Tx Bytes", "Rx Packets", "Rx Bytes"];
    const rows = this.endpoints().map((e) => [
      e.addr, ...(ports ? [e.port] : []), e.txFrames + e.rxFrames, e.txBytes + e.rxBytes, e.txFrames, e.txBytes, e.rxFrames, e.rxBytes,
    ]);
    return {
      stat: `endpoints,${this.type}`, title: `${TITLES[this.type]} Endpoints`, filter: this.filterText,
      sections: [{ title: "", columns: cols, rows }],
    };
  }
}
