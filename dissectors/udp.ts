/**
 * User Datagram Protocol (RFC 768), as tshark 4.0 shows it. The payload goes to the
 * "udp.port" table (low port first, then high port — the same dissector for both
 * directions, and well-known ports win), then the "udp" heuristics, then data.
 */
import { ConversationKeyer, ConversationTable } from "../src/analysis/conversation.js";
import type { Field } from "../src/core/field.js";
import { timeDelta } from "../src/core/time.js";
import { hex } from "../src/core/format.js";
import type { PacketInfo } from "../src/core/pinfo.js";
import { callData, callDissector, defineProtocol, lookupTable, tryHeuristics, CHECKSUM_STATUS } from "../src/core/proto.js";
import type { Item, Tree } from "../src/core/tree.js";
import type { Tvb } from "../src/core/tvb.js";



export const udp = defineProtocol({
  name: "User Datagram Protocol",
  abbrev: "udp",
  short: "UDP",
  fields: {
    srcport: { abbrev: "udp.srcport", name: "Source Port", type: "uint16" },
    dstport: { abbrev: "udp.dstport", name: "Destination Port", type: "uint16" },
    port: { abbrev: "udp.port", name: "Source or Destination Port", type: "uint16" },
    length: { abbrev: "udp.length", name: "Length", type: "uint16" },
    checksum: { abbrev: "udp.checksum", name: "Checksum", type: "uint16", base: "hex" },
    checksumStatus: { abbrev: "udp.checksum.status", name: "Checksum Status", type: "uint8", base: "none", strings: CHECKSUM_STATUS },
    stream: { abbrev: "udp.stream", name: "Stream index", type: "uint32" },
    timeRelative: { abbrev: "udp.time_relative", name: "Time since first frame", type: "rel_time" },
    timeDelta: { abbrev: "udp.time_delta", name: "Time since previous frame", type: "rel_time" },
    payload: { abbrev: "udp.payload", name: "Payload", type: "bytes" },
    // expert infos
    possibleTraceroute: { abbrev: "udp.possible_traceroute", name: "Possible traceroute", type: "none" },
    lengthBad: { abbrev: "udp.length.bad", name: "Bad length value", type: "none" },
    lengthBadZero: { abbrev: "udp.length.bad_zero", name: "Length is zero but payload < 65536", type: "none" },
    checksumZero: { abbrev: "udp.checksum.zero", name: "Illegal checksum value (0)", type: "none" },
  },
  registers: [["ip.proto", 17]],
  dissect: dissectUdp,
});

const f = udp.f;

/** One UDP conversation: its stream index and timestamps. */
class UdpStream {
  prevS: number;
  prevNs: number;
  constructor(readonly stream: number, readonly firstS: number, readonly firstNs: number) {
    this.prevS = firstS;
    this.prevNs = firstNs;
  }
}

interface UdpState {
  table: ConversationTable<UdpStream>;
  keyer: ConversationKeyer;
}
const makeTable = (): UdpState => ({ table: new ConversationTable<UdpStream>(), keyer: new ConversationKeyer() });
const NO_BYTES = new Uint8Array(0);

/** Is the value of this field needed (full tree, or asked for by -e / a filter)? */
function want(t: Tree, fld: Field): boolean {
  return t.full || (t.wanted !== null && fld.id < t.wanted.length && t.wanted[fld.id] === 1);
}

function state(pinfo: PacketInfo): UdpState {
  return pinfo.session.get("udp", makeTable);
}


function expert(it: Item, fld: typeof f.lengthBad, sev: "chat" | "warn" | "error", group: "sequence" | "malformed" | "protocol" | "checksum", msg: string): void {
  // its own FT_NONE field: recorded for -e / filters by Item.expert, its key in -T json
  it.expert(sev, group, msg, "udp", fld.abbrev);
}

/** LBL traceroute probes start at port 33434, three per hop. */
function traceroute(it: Item, port: number): void {
  if (port > 32768 + 666 && port <= 32768 + 666 + 30) {
    const n = port - 32768 - 666 - 1;
    expert(it, f.possibleTraceroute, "chat", "sequence", `Possible traceroute: hop #${Math.floor(n / 3) + 1}, attempt #${(n % 3) + 1}`);
  }
}

function dissectUdp(tvb: Tvb, pinfo: PacketInfo, tree: Item): number {
  const full = tree.tree.full;
  const cols = pinfo.cols !== null;
  const sport = tvb.u16(0);
  const dport = tvb.u16(2);
  pinfo.setProtocol("UDP");
  if (cols) pinfo.setInfo(`${sport} \u2192 ${dport}`);
  const reportedLen = tvb.reportedLength;

  const ti = tree.add(udp.hf, tvb, 0, 8, null);
  if (full) ti.appendText(`, Src Port: ${sport}, Dst Port: ${dport}`);
  traceroute(ti.add(f.srcport, tvb, 0, 2, sport), sport);
  traceroute(ti.add(f.dstport, tvb, 2, 2, dport), dport);
  ti.add(f.port, tvb, 0, 2, sport).hidden = true;
  ti.add(f.port, tvb, 2, 2, dport).hidden = true;

  const isV6 = pinfo.netSrc !== null && pinfo.netSrc.length === 16;
  let ulen = tvb.u16(4);
  const lenItem = ti.add(f.length, tvb, 4, 2, ulen);
  let jumbo = false;
  if (ulen === 0 && isV6) {
    // RFC 2675 jumbogram: the length comes from IPv6
    ulen = reportedLen;
    jumbo = true;
  }
  if (ulen < 8) {
    lenItem.appendText(" (bogus, must be >= 8)");
    expert(lenItem, f.lengthBad, "error", "malformed", `Bad length value ${ulen} < 8`);
    if (cols) pinfo.appendInfo(` [BAD UDP LENGTH ${ulen} < 8]`);
    return tvb.length;
  }
  if (ulen > reportedLen && !pinfo.fragmented && !pinfo.inErrorPkt) {
    lenItem.appendText(` (bogus, payload length ${reportedLen})`);
    expert(lenItem, f.lengthBad, "error", "malformed", `Bad length value ${ulen} > IP payload length`);
    if (cols) pinfo.appendInfo(` [BAD UDP LENGTH ${ulen} > IP PAYLOAD LENGTH]`);
  }
  if (jumbo && ulen < 65536) expert(lenItem, f.lengthBadZero, "warn", "protocol", "Length is zero but payload < 65536");
  if (cols) {
    pinfo.appendInfo(` Len=${ulen - 8}`);
    if (jumbo) pinfo.appendInfo(" [Jumbogram]");
  }

  const sum = tvb.u16(6);
  if (sum === 0) {
    // Zero means "no checksum" over IPv4; over IPv6 it is illegal (tshark's default).
    const ignore = !isV6 || pinfo.inErrorPkt;
    const ci = ti.add(f.checksum, tvb, 6, 2, 0, full ? (ignore ? "0x0000 [zero-value ignored]" : "0x0000 [zero-value illegal]") : undefined);
    if (!ignore) {
      expert(ci, f.checksumZero, "error", "checksum", "Illegal checksum value (0)");
      if (cols) pinfo.appendInfo(" [ILLEGAL CHECKSUM (0)]");
    }
    const status = ignore ? 3 : 4;
    ci.addGenerated(f.checksumStatus, tvb, 6, 2, status, CHECKSUM_STATUS[status]);
  } else {
    ti.add(f.checksum, tvb, 6, 2, sum, full ? `0x${hex(sum, 4)} [unverified]` : undefined);
    ti.addGenerated(f.checksumStatus, tvb, 6, 0, 2, "Unverified");
  }

  pinfo.ptype = "udp";
  pinfo.srcport = sport;
  pinfo.dstport = dport;

  // Conversation → stream index.
  const fr = pinfo.frame;
  const st = state(pinfo);
  const table = st.table;
  st.keyer.compute(pinfo.netSrc, pinfo.netDst, sport, dport);
  const key = st.keyer.key;
  let conv = table.get(key);
  if (conv === undefined) {
    conv = new UdpStream(table.count++, fr.tsSec, fr.tsNsec);
    table.set(key, conv);
  }
  ti.addGenerated(f.stream, tvb, 8, 0, conv.stream);

  if (ulen === 8) return tvb.length; // empty payload: nothing more

  if (!pinfo.inErrorPkt) {
    const t = tree.tree;
    const d = want(t, f.timeDelta) ? timeDelta(fr.tsSec, fr.tsNsec, conv.prevS, conv.prevNs) : null;
    conv.prevS = fr.tsSec;
    conv.prevNs = fr.tsNsec;
    const tsg = full ? ti.addText(null, 0, 0, "Timestamps") : ti;
    if (full) tsg.generated = true;
    if (want(t, f.timeRelative)) tsg.addGenerated(f.timeRelative, tvb, 0, 0, timeDelta(fr.tsSec, fr.tsNsec, conv.firstS, conv.firstNs));
    if (d !== null) tsg.addGenerated(f.timeDelta, tvb, 0, 0, d);
  }

  // (a tunnel carrying whole frames is read even when the output stops at UDP: its inner IP and TCP are fields it asked for)
  const stop = pinfo.session.transportOnly && !carriesFrames(sport, pinfo) && !carriesFrames(dport, pinfo);
  if ((!pinfo.inErrorPkt || tvb.remaining(8) > 0) && !stop) decodePorts(tvb, pinfo, tree, ti, sport, dport, ulen);
  return tvb.length;
}

/** decode_udp_ports: the payload (cut at the UDP length) to the port table, heuristics, data. */
function decodePorts(tvb: Tvb, pinfo: PacketInfo, tree: Item, ti: Item, sport: number, dport: number, ulen: number): void {
  let len = tvb.remaining(8);
  let reported = tvb.reportedRemainingFrom(8);
  if (ulen - 8 < reported) reported = ulen - 8;
  if (len > reported) len = reported;
  // the item runs to the end of the datagram's bytes even when the UDP length is shorter
  const rest = tvb.remaining(8);
  // no payload byte at all: nothing captured of a payload that exists ("[Packet size limited
  // during capture]"), or none in the packet though the UDP length claims some (a bad length:
  // UDP is "[Malformed Packet]" and nothing is handed on, as tshark)
  if (rest === 0) tvb.ensure(8, 1);
  const pl = ti.add(f.payload, tvb, 8, rest, want(ti.tree, f.payload) ? tvb.bytes(8, rest) : NO_BYTES);
  if (ti.tree.full) pl.setText(`UDP payload (${len} byte${len === 1 ? "" : "s"})`);
  const next = tvb.sub(8, reported);

  const low = sport > dport ? dport : sport;
  const high = sport > dport ? sport : dport;
  if (low !== 0 && tryPort(low, next, pinfo, tree)) return;
  if (high !== 0 && tryPort(high, next, pinfo, tree)) return;
  if (tryHeuristics("udp", next, pinfo, tree)) return;
  // tshark shows the unclaimed payload of a UDP datagram quoted in an ICMP error at the top level
  callData(next, pinfo, pinfo.inErrorPkt ? tree.tree.root : tree);
}

/** Does this port's dissector carry whole frames (VXLAN), i.e. more IP, UDP and TCP layers? */
function carriesFrames(port: number, pinfo: PacketInfo): boolean {
  return lookupTable("udp.port", port, pinfo.session)?.carriesFrames === true;
}

function tryPort(port: number, tvb: Tvb, pinfo: PacketInfo, tree: Item): boolean {
  const p = lookupTable("udp.port", port, pinfo.session);
  return p !== undefined && callDissector(p, tvb, pinfo, tree) !== 0;
}
