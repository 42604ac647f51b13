/**
 * Internet Protocol Version 6 (tshark 4.0 packet-ipv6.c): the fixed header, the
 * extension header chain (hop-by-hop and destination options, routing types
 * 0/2/3/4, fragment with reassembly through src/analysis/defrag.ts), and the
 * hand-off of the final next header through "ip.proto".
 *
 * As in tshark 4.0, every extension header is a protocol of its own
 * (ipv6.hopopts, ipv6.routing, ipv6.fraghdr, ipv6.dstopts) registered in
 * "ip.proto"; it shows inside the IPv6 tree and appears in frame.protocols.
 */
import { DefragTable, fragmentFieldSpecs, showReassembly, type FragmentFields } from "../src/analysis/defrag.js";
import { hex, ipv6ToString } from "../src/core/format.js";
import type { PacketInfo } from "../src/core/pinfo.js";
import { callData, callTable, defineProtocol, lookupTable, tryHeuristics } from "../src/core/proto.js";
import type { Item } from "../src/core/tree.js";
import type { Tvb } from "../src/core/tvb.js";
import { DSCP_NAMES, ECN_NAMES, ECN_SHORT, IPPROTO, dscpShort, ip, type IpHeaderInfo } from "./ip.js";

const IPV6_OPT_TYPES: Record<number, string> = {
  0: "Pad1", 1: "PadN", 4: "Tunnel Encapsulation Limit", 5: "Router Alert", 7: "CALIPSO", 8: "SMF_DPD",
  15: "Performance and Diagnostic Metrics", 30: "Experimental (0x1E)", 38: "Quick-Start",
  48: "Path MTU Option", 49: "IOAM Option", 62: "Experimental (0x3E)",
  65: "Tunnel Payload Forwarding (TPF) Information", 94: "Experimental (0x5E)", 99: "RPL Option",
  109: "MPL Option", 126: "Experimental (0x7E)", 138: "Endpoint Identification", 139: "ILNP Nonce",
  140: "Line-Identification Option", 158: "Experimental (0x9E)", 190: "Experimental (0xBE)",
  194: "Jumbo Payload", 201: "Home Address", 222: "Experimental (0xDE)", 238: "IP_DFF",
  254: "Experimental (0xFE)",
};
const ROUTING_TYPES: Record<number, string> = {
  0: "Source Route", 1: "Nimrod", 2: "Type 2 Routing", 3: "RPL Source Route", 4: "Segment Routing",
  5: "Compact Routing Header 16", 6: "Compact Routing Header 32", 253: "Experiment 1", 254: "Experiment 2",
};
const OPT_ACTION: Record<number, string> = {
  0: "Skip and continue", 1: "Discard", 2: "Discard and send ICMP Parameter Problem", 3: "Discard and send ICMP if not multicast",
};
const ROUTER_ALERT: Record<number, string> = { 0: "MLD", 1: "RSVP", 2: "Active Network" };

const B8 = { bits: 8 } as const;

export const ipv6 = defineProtocol({
  name: "Internet Protocol Version 6",
  abbrev: "ipv6",
  short: "IPv6",
  fields: {
    version: { abbrev: "ipv6.version", name: "Version", type: "uint8", bitmask: 0xf0, ...B8 },
    tclass: { abbrev: "ipv6.tclass", name: "Traffic Class", type: "uint32", base: "hex", bitmask: 0x0ff00000, bits: 32 },
    dscp: { abbrev: "ipv6.tclass.dscp", name: "Differentiated Services Codepoint", type: "uint32", bitmask: 0x0fc00000, bits: 32, strings: DSCP_NAMES },
    ecn: { abbrev: "ipv6.tclass.ecn", name: "Explicit Congestion Notification", type: "uint32", bitmask: 0x00300000, bits: 32, strings: ECN_NAMES },
    flow: { abbrev: "ipv6.flow", name: "Flow Label", type: "uint24", base: "hex", bitmask: 0x0fffff, bits: 24 },
    plen: { abbrev: "ipv6.plen", name: "Payload Length", type: "uint16" },
    nxt: { abbrev: "ipv6.nxt", name: "Next Header", type: "uint8", strings: IPPROTO },
    hlim: { abbrev: "ipv6.hlim", name: "Hop Limit", type: "uint8" },
    src: { abbrev: "ipv6.src", name: "Source Address", type: "ipv6" },
    srcHost: { abbrev: "ipv6.src_host", name: "Source Host", type: "string" },
    dst: { abbrev: "ipv6.dst", name: "Destination Address", type: "ipv6" },
    dstHost: { abbrev: "ipv6.dst_host", name: "Destination Host", type: "string" },
    addr: { abbrev: "ipv6.addr", name: "Source or Destination Address", type: "ipv6" },
    host: { abbrev: "ipv6.host", name: "Source or Destination Host", type: "string" },
    srcSlaacMac: { abbrev: "ipv6.src_slaac_mac", name: "Source SLAAC MAC", type: "ether" },
    dstSlaacMac: { abbrev: "ipv6.dst_slaac_mac", name: "Destination SLAAC MAC", type: "ether" },
    slaacMac: { abbrev: "ipv6.slaac_mac", name: "SLAAC MAC", type: "ether" },
    src6to4Gw: { abbrev: "ipv6.src_6to4_gw_ipv4", name: "Source 6to4 Gateway IPv4", type: "ipv4" },
    dst6to4Gw: { abbrev: "ipv6.dst_6to4_gw_ipv4", name: "Destination 6to4 Gateway IPv4", type: "ipv4" },
    gw6to4: { abbrev: "ipv6.6to4_gw_ipv4", name: "6to4 Gateway IPv4", type: "ipv4" },
    src6to4Sla: { abbrev: "ipv6.src_6to4_sla_id", name: "Source 6to4 SLA ID", type: "uint16" },
    dst6to4Sla: { abbrev: "ipv6.dst_6to4_sla_id", name: "Destination 6to4 SLA ID", type: "uint16" },
    sla6to4: { abbrev: "ipv6.6to4_sla_id", name: "6to4 SLA ID", type: "uint16" },
    // options (hop-by-hop / destination)
    opt: { abbrev: "ipv6.opt", name: "IPv6 Option", type: "none" },
    optType: { abbrev: "ipv6.opt.type", name: "Type", type: "uint8", base: "hex", strings: IPV6_OPT_TYPES },
    optTypeAction: { abbrev: "ipv6.opt.type.action", name: "Action", type: "uint8", bitmask: 0xc0, ...B8, strings: OPT_ACTION },
    optTypeChange: { abbrev: "ipv6.opt.type.change", name: "May Change", type: "bool", bitmask: 0x20, ...B8, tfs: ["Yes", "No"] },
    optTypeRest: { abbrev: "ipv6.opt.type.rest", name: "Low-Order Bits", type: "uint8", base: "hex", bitmask: 0x1f, ...B8 },
    optLength: { abbrev: "ipv6.opt.length", name: "Length", type: "uint8" },
    optPad1: { abbrev: "ipv6.opt.pad1", name: "Pad1", type: "none" },
    optPadn: { abbrev: "ipv6.opt.padn", name: "PadN", type: "bytes" },
    optRouterAlert: { abbrev: "ipv6.opt.router_alert", name: "Router Alert", type: "uint16", strings: ROUTER_ALERT },
    optJumbo: { abbrev: "ipv6.opt.jumbo", name: "Payload Length", type: "uint32" },
    optTel: { abbrev: "ipv6.opt.tel", name: "Tunnel Encapsulation Limit", type: "uint8" },
    optExperimental: { abbrev: "ipv6.opt.experimental", name: "Experimental Option", type: "bytes" },
    optUnknown: { abbrev: "ipv6.opt.unknown", name: "Unknown Option Payload", type: "bytes" },
    pmtuMin: { abbrev: "ipv6.opt.pmtu.min", name: "Minimum Reported PMTU", type: "uint16" },
    pmtuRtn: { abbrev: "ipv6.opt.pmtu.rtn", name: "Return Minimum PMTU", type: "uint16" },
    pmtuRFlag: { abbrev: "ipv6.opt.pmtu.r_flag", name: "Return Flag", type: "bool", tfs: ["True", "False"] },
    calipsoDoi: { abbrev: "ipv6.opt.calipso.doi", name: "CALIPSO Domain of Interpretation", type: "uint32" },
    calipsoCmptLen: { abbrev: "ipv6.opt.calipso.cmpt.length", name: "Compartment Length", type: "uint8" },
    calipsoSensLevel: { abbrev: "ipv6.opt.calipso.sens_level", name: "Sensitivity Level", type: "uint8" },
    calipsoChecksum: { abbrev: "ipv6.opt.calipso.checksum", name: "Checksum", type: "uint16", base: "hex" },
    calipsoBitmap: { abbrev: "ipv6.opt.calipso.cmpt_bitmap", name: "Compartment Bitmap", type: "bytes" },
    // extension header common fields, per header protocol
    hopoptsNxt: { abbrev: "ipv6.hopopts.nxt", name: "Next Header", type: "uint8", strings: IPPROTO },
    hopoptsLen: { abbrev: "ipv6.hopopts.len", name: "Length", type: "uint8" },
    hopoptsLenOct: { abbrev: "ipv6.hopopts.len_oct", name: "Length", type: "uint16" },
    dstoptsNxt: { abbrev: "ipv6.dstopts.nxt", name: "Next Header", type: "uint8", strings: IPPROTO },
    dstoptsLen: { abbrev: "ipv6.dstopts.len", name: "Length", type: "uint8" },
    dstoptsLenOct: { abbrev: "ipv6.dstopts.len_oct", name: "Length", type: "uint16" },
    routingNxt: { abbrev: "ipv6.routing.nxt", name: "Next Header", type: "uint8", strings: IPPROTO },
    routingLen: { abbrev: "ipv6.routing.len", name: "Length", type: "uint8" },
    routingLenOct: { abbrev: "ipv6.routing.len_oct", name: "Length", type: "uint16" },
    routingType: { abbrev: "ipv6.routing.type", name: "Type", type: "uint8", strings: ROUTING_TYPES },
    routingSegleft: { abbrev: "ipv6.routing.segleft", name: "Segments Left", type: "uint8" },
    routingUnknown: { abbrev: "ipv6.routing.unknown_data", name: "Type-Specific Data", type: "bytes" },
    routingSrcReserved: { abbrev: "ipv6.routing.src.reserved", name: "Reserved", type: "bytes" },
    routingSrcAddr: { abbrev: "ipv6.routing.src.addr", name: "Address", type: "ipv6" },
    routingMipv6Reserved: { abbrev: "ipv6.routing.mipv6.reserved", name: "Reserved", type: "bytes" },
    routingMipv6Home: { abbrev: "ipv6.routing.mipv6.home_address", name: "Home Address", type: "ipv6" },
    srhLastEntry: { abbrev: "ipv6.routing.srh.last_entry", name: "Last Entry", type: "uint8" },
    srhFlags: { abbrev: "ipv6.routing.srh.flags", name: "Flags", type: "uint8", base: "hex" },
    srhTag: { abbrev: "ipv6.routing.srh.tag", name: "Tag", type: "bytes" },
    srhAddr: { abbrev: "ipv6.routing.srh.addr", name: "Address", type: "ipv6" },
    fraghdrNxt: { abbrev: "ipv6.fraghdr.nxt", name: "Next header", type: "uint8", strings: IPPROTO },
    fraghdrReservedOctet: { abbrev: "ipv6.fraghdr.reserved_octet", name: "Reserved octet", type: "uint8", base: "hex" },
    fraghdrOffset: { abbrev: "ipv6.fraghdr.offset", name: "Offset", type: "uint16", bitmask: 0xfff8, bits: 16 },
    fraghdrReservedBits: { abbrev: "ipv6.fraghdr.reserved_bits", name: "Reserved bits", type: "uint16", bitmask: 0x0006, bits: 16 },
    fraghdrMore: { abbrev: "ipv6.fraghdr.more", name: "More Fragments", type: "bool", bitmask: 0x0001, bits: 16, tfs: ["Yes", "No"] },
    fraghdrIdent: { abbrev: "ipv6.fraghdr.ident", name: "Identification", type: "uint32", base: "hex" },
    ...fragmentFieldSpecs("ipv6", "IPv6", "ipv6.reassembled.in"),
  },
  registers: [
    ["ethertype", 0x86dd],
    ["ip.proto", 41],
  ],
  dissect: dissectIpv6,
});

const f = ipv6.f;
const IPV6_FRAGMENT_FIELDS: FragmentFields = {
  fragments: f.fragments, fragment: f.fragment, overlap: f.fragmentOverlap, overlapConflict: f.fragmentOverlapConflict,
  multipleTails: f.fragmentMultipleTails, tooLong: f.fragmentTooLong, error: f.fragmentError, count: f.fragmentCount,
  reassembledIn: f.reassembledIn, reassembledLength: f.reassembledLength, reassembledData: f.reassembledData,
};

/** What ipv6 hands to its extension headers (and, as IpHeaderInfo, to the payload protocol). */
export interface Ipv6Info extends IpHeaderInfo {
  /** Tree the next non-extension protocol goes under. */
  root: Item;
  /** The IPv6 header's own tree (extension headers show inside it). */
  ipTree: Item;
  src: Uint8Array;
  dst: Uint8Array;
  /** Payload length was 0 and a hop-by-hop header follows (jumbogram). */
  jumbo: boolean;
  /** Final destination for upper-layer checksums when a routing header names one (else null). */
  pseudoDst: Uint8Array | null;
}

class Ipv6State {
  readonly defrag = new DefragTable();
}

/** Next headers that are IPv6 extension headers (shown inside the IPv6 tree). */
const EXT_HEADERS = new Set([0, 43, 44, 60]);

function addAddrDetail(t: Item, tvb: Tvb, o: number, a: Uint8Array, isSrc: boolean): void {
  if (a[0] === 0x20 && a[1] === 0x02) {
    const gw = ((a[2] << 24) >>> 0) + ((a[3] << 16) | (a[4] << 8) | a[5]);
    t.addGenerated(isSrc ? f.src6to4Gw : f.dst6to4Gw, tvb, o + 2, 4, gw);
    t.addGenerated(f.gw6to4, tvb, o + 2, 4, gw).hidden = true;
    const sla = (a[6] << 8) | a[7];
    t.addGenerated(isSrc ? f.src6to4Sla : f.dst6to4Sla, tvb, o + 6, 2, sla);
    t.addGenerated(f.sla6to4, tvb, o + 6, 2, sla).hidden = true;
  } else if (a[11] === 0xff && a[12] === 0xfe && (a[8] & 0x02) !== 0) {
    const mac = new Uint8Array([a[8] ^ 2, a[9], a[10], a[13], a[14], a[15]]);
    t.addGenerated(isSrc ? f.srcSlaacMac : f.dstSlaacMac, tvb, o + 8, 8, mac);
    t.addGenerated(f.slaacMac, tvb, o + 8, 8, mac).hidden = true;
  }
}

function dissectIpv6(tvb: Tvb, pinfo: PacketInfo, tree: Item): number {
  const top = tree.add(ipv6.hf, tvb, 0, 40, null);
  const full = top.tree.full;
  const version = tvb.u8(0) >> 4;
  const vItem = top.add(f.version, tvb, 0, 1, version);
  // hidden ip.version so that "ip.version == 6" matches, as tshark does
  const iv = top.add(ip.f.version, tvb, 0, 1, version);
  iv.hidden = true;
  if (top.tree.full) iv.appendText(` [This field makes the filter match on "ip.version == ${version}" possible]`);
  if (version !== 6) {
    pinfo.setProtocol("IPv6");
    pinfo.setInfo(`Bogus IPv6 version (${version}, must be 6)`);
    vItem.expert("error", "malformed", "Bogus IPv6 version", "ipv6");
    return 0;
  }
  pinfo.setProtocol("IPv6");
  pinfo.setInfo("");
  if (tvb.length < 40) {
    pinfo.setInfo(`Invalid IPv6 header (${tvb.length} bytes, need exactly 40)`);
    top.expert("error", "malformed", "IPv6 header must be exactly 40 bytes", "ipv6");
  }
  const w0 = tvb.u32(0);
  const tc = (w0 >>> 20) & 0xff;
  const tci = top.add(f.tclass, tvb, 0, 4, tc, full ? `0x${hex(tc, 2)} (DSCP: ${dscpShort(tc >> 2)}, ECN: ${ECN_SHORT[tc & 3]})` : undefined);
  tci.add(f.dscp, tvb, 0, 4, tc >> 2);
  tci.add(f.ecn, tvb, 0, 4, tc & 3);
  const flow = w0 & 0xfffff;
  top.add(f.flow, tvb, 1, 3, flow, full ? `0x${hex(flow, 5)}` : undefined);
  const plen = tvb.u16(4);
  const nxt = tvb.u8(6);
  const plItem = top.add(f.plen, tvb, 4, 2, plen, plen === 0 && nxt === 0 && full ? "0 (Jumbogram)" : undefined);
  const framing = tvb.reportedLength - 40;
  if (plen > framing) {
    plItem.expert("warn", "protocol", `IPv6 payload length exceeds framing length (${framing} bytes)`, "ipv6");
  } else if (plen === 0 && nxt !== 0) {
    plItem.expert("warn", "protocol", `IPv6 payload length equals 0 (maybe because of "TCP segmentation offload" (TSO))`, "ipv6");
  }
  top.add(f.nxt, tvb, 6, 1, nxt);
  const hlim = tvb.u8(7);
  top.add(f.hlim, tvb, 7, 1, hlim);
  const src = tvb.bytes(8, 16);
  pinfo.netSrc = src;
  // address strings only when a column, the tree or a wanted *_host field shows them
  const tr = top.tree;
  const strs = full || pinfo.cols !== null || tr.wants(f.host) || tr.wants(f.srcHost) || tr.wants(f.dstHost);
  const srcStr = strs ? ipv6ToString(src) : "";
  top.add(f.src, tvb, 8, 16, src);
  top.add(f.addr, tvb, 8, 16, src).hidden = true;
  top.addGenerated(f.srcHost, tvb, 8, 16, srcStr).hidden = true;
  top.addGenerated(f.host, tvb, 8, 16, srcStr).hidden = true;
  const dst = tvb.bytes(24, 16);
  pinfo.netDst = dst;
  const dstStr = strs ? ipv6ToString(dst) : "";
  top.add(f.dst, tvb, 24, 16, dst);
  top.add(f.addr, tvb, 24, 16, dst).hidden = true;
  top.addGenerated(f.dstHost, tvb, 24, 16, dstStr).hidden = true;
  top.addGenerated(f.host, tvb, 24, 16, dstStr).hidden = true;
  if (pinfo.cols !== null) pinfo.setSrcDst(srcStr, dstStr);
  if (full) top.appendText(`, Src: ${srcStr}, Dst: ${dstStr}`);
  addAddrDetail(top, tvb, 8, src, true);
  addAddrDetail(top, tvb, 24, dst, false);

  let jumbo = plen === 0 && nxt === 0;
  let limited = !jumbo && plen <= framing;
  if (jumbo && !hasJumboOption(tvb)) {
    // payload length 0 without a Jumbo Payload option: nothing follows the header
    plItem.expert("error", "malformed", "IPv6 payload length equals 0 and Hop-By-Hop present and Jumbo Payload option missing", "ipv6");
    jumbo = false;
    limited = true;
  }
  const payload = tvb.sub(40, limited ? plen : -1);
  const info: Ipv6Info = { version: 6, ttl: hlim, nxt, payloadLen: payload.reportedLength, root: tree, ipTree: top, src, dst, jumbo, pseudoDst: null };
  const save = pinfo.fragmented;
  pinfo.ipDepth++;
  dissectNext(nxt, payload, pinfo, info);
  pinfo.ipDepth--;
  pinfo.fragmented = save;
  return limited ? Math.min(40 + plen, tvb.length) : tvb.length;
}

/** Whether the hop-by-hop header right after the fixed header holds a Jumbo Payload option. */
function hasJumboOption(tvb: Tvb): boolean {
  if (!tvb.has(40, 2)) return true; // can't tell: let the header dissector run into the end
  const end = 40 + (tvb.u8(41) + 1) * 8;
  let o = 42;
  while (o < end && tvb.has(o, 1)) {
    const t = tvb.u8(o);
    if (t === 0) { o++; continue; }
    if (t === 0xc2) return true;
    if (!tvb.has(o + 1, 1)) return true;
    o += 2 + tvb.u8(o + 1);
  }
  return false;
}

/** Hand a (possibly extension) header's payload on: extension headers go in the IPv6 tree, the rest at the root. */
function dissectNext(nxt: number, tvb: Tvb, pinfo: PacketInfo, info: Ipv6Info): void {
  info.nxt = nxt;
  if (EXT_HEADERS.has(nxt) && lookupTable("ip.proto", nxt) !== undefined) {
    callTable("ip.proto", nxt, tvb, pinfo, info.ipTree, info);
    return;
  }
  if (nxt === 59) return; // No Next Header
  if (tvb.reportedLength === 0 && tvb.length === 0) return;
  info.payloadLen = tvb.reportedLength;
  if (callTable("ip.proto", nxt, tvb, pinfo, info.root, info) === 0 && !tryHeuristics("ip", tvb, pinfo, info.root, info)) {
    callData(tvb, pinfo, info.root);
  }
}

/** The context an extension header gets; when called from somewhere else than ipv6, a minimal one. */
function ctxOf(data: unknown, tree: Item, pinfo: PacketInfo): Ipv6Info {
  if (data !== null && typeof data === "object" && "ipTree" in (data as object)) return data as Ipv6Info;
  const z = new Uint8Array(16);
  return {
    version: 6, ttl: 0, nxt: 0, payloadLen: 0, root: tree, ipTree: tree,
    src: pinfo.netSrc ?? z, dst: pinfo.netDst ?? z, jumbo: false, pseudoDst: null,
  };
}

// ------------------------------------------------------------- options --

function dissectOpts(tvb: Tvb, o: number, end: number, t: Item, pinfo: PacketInfo, info: Ipv6Info): void {
  const full = t.tree.full;
  while (o < end) {
    const type = tvb.u8(o);
    const name = IPV6_OPT_TYPES[type] ?? `Unknown IPv6 Option (${type})`;
    if (type === 0) {
      const it = t.add(f.opt, tvb, o, 1, null);
      if (full) it.setText("Pad1");
      it.add(f.optType, tvb, o, 1, type);
      it.add(f.optPad1, tvb, o, 1, null);
      o += 1;
      continue;
    }
    const len = tvb.u8(o + 1);
    const it = t.add(f.opt, tvb, o, len + 2, null);
    if (full) it.setText(name);
    optType(it, tvb, o, type);
    const li = it.add(f.optLength, tvb, o + 1, 1, len);
    const d = o + 2;
    switch (type) {
      case 1:
        it.add(f.optPadn, tvb, d, len, tvb.bytes(d, len), len === 0 ? "<none>" : undefined);
        break;
      case 5:
        if (len !== 2) {
          li.expert("error", "protocol", `Invalid IPv6 option length`, "ipv6");
          break;
        }
        it.add(f.optRouterAlert, tvb, d, 2, tvb.u16(d));
        break;
      case 0xc2: {
        if (len !== 4) {
          li.expert("error", "protocol", `Invalid IPv6 option length`, "ipv6");
          break;
        }
        const j = tvb.u32(d);
        const ji = it.add(f.optJumbo, tvb, d, 4, j);
        if (!info.jumbo) ji.expert("warn", "protocol", "When IPv6 payload length does not equal 0 a Jumbo Payload option must not be present", "ipv6");
        else if (j < 65536) ji.expert("warn", "protocol", "Jumbo Payload option present and jumbo length < 65536", "ipv6");
        break;
      }
      case 4:
        it.add(f.optTel, tvb, d, 1, tvb.u8(d));
        break;
      case 0x1e: case 0x3e: case 0x5e: case 0x7e: case 0x9e: case 0xbe: case 0xde: case 0xfe:
        it.add(f.optExperimental, tvb, d, len, tvb.bytes(d, len));
        break;
      case 0x30: {
        if (len !== 4) li.expert("error", "malformed", `PMTU Option: Invalid Length (${len} bytes)`, "ipv6");
        it.add(f.pmtuMin, tvb, d, 2, tvb.u16(d));
        const r = tvb.u16(d + 2);
        it.add(f.pmtuRtn, tvb, d + 2, 2, r & 0xfffe);
        it.add(f.pmtuRFlag, tvb, d + 2, 2, (r & 1) !== 0);
        break;
      }
      case 7: {
        if (len < 8) li.expert("error", "malformed", `CALIPSO: Invalid Length (${len} bytes)`, "ipv6");
        it.add(f.calipsoDoi, tvb, d, 4, tvb.u32(d));
        const cl = tvb.u8(d + 4);
        it.add(f.calipsoCmptLen, tvb, d + 4, 1, cl);
        it.add(f.calipsoSensLevel, tvb, d + 5, 1, tvb.u8(d + 5));
        it.add(f.calipsoChecksum, tvb, d + 6, 2, tvb.u16(d + 6));
        it.add(f.calipsoBitmap, tvb, d + 8, cl * 4, tvb.bytes(d + 8, cl * 4));
        break;
      }
      default:
        if (len > 0) it.add(f.optUnknown, tvb, d, len, tvb.bytes(d, len)).expert("note", "undecoded", "Unknown Data (not interpreted)", "ipv6");
    }
    o = d + len;
  }
  void pinfo;
}

function optType(t: Item, tvb: Tvb, o: number, type: number): void {
  const ti = t.add(f.optType, tvb, o, 1, type, IPV6_OPT_TYPES[type] === undefined && t.tree.full ? `Unknown (0x${hex(type, 2)})` : undefined);
  ti.add(f.optTypeAction, tvb, o, 1, type >> 6);
  ti.add(f.optTypeChange, tvb, o, 1, (type & 0x20) !== 0);
  ti.add(f.optTypeRest, tvb, o, 1, type & 0x1f);
}

function dissectOptHeader(hop: boolean) {
  return (tvb: Tvb, pinfo: PacketInfo, tree: Item, data?: unknown): number => {
    const info = ctxOf(data, tree, pinfo);
    const p = hop ? hopopts : dstopts;
    const nxt = tvb.u8(0);
    const t = tree.add(p.hf, tvb, 0, tvb.length, null);
    t.add(hop ? f.hopoptsNxt : f.dstoptsNxt, tvb, 0, 1, nxt);
    const len = tvb.u8(1);
    const total = (len + 1) * 8;
    t.setLen(total);
    t.add(hop ? f.hopoptsLen : f.dstoptsLen, tvb, 1, 1, len);
    t.addGenerated(hop ? f.hopoptsLenOct : f.dstoptsLenOct, tvb, 1, 1, total, `${total} bytes`);
    dissectOpts(tvb, 2, total, t, pinfo, info);
    dissectNext(nxt, tvb.sub(total), pinfo, info);
    return tvb.length;
  };
}

export const hopopts = defineProtocol({
  name: "IPv6 Hop-by-Hop Option",
  abbrev: "ipv6.hopopts",
  short: "IPv6 Hop-by-Hop",
  fields: {},
  registers: [["ip.proto", 0]],
  dissect: dissectOptHeader(true),
});

export const dstopts = defineProtocol({
  name: "Destination Options for IPv6",
  abbrev: "ipv6.dstopts",
  short: "IPv6 Destination",
  fields: {},
  registers: [["ip.proto", 60]],
  dissect: dissectOptHeader(false),
});

// ------------------------------------------------------------- routing --

export const routing = defineProtocol({
  name: "Routing Header for IPv6",
  abbrev: "ipv6.routing",
  short: "IPv6 Routing",
  fields: {},
  registers: [["ip.proto", 43]],
  dissect(tvb, pinfo, tree, data) {
    const info = ctxOf(data, tree, pinfo);
    const nxt = tvb.u8(0);
    const t = tree.add(routing.hf, tvb, 0, tvb.length, null);
    t.add(f.routingNxt, tvb, 0, 1, nxt);
    const len = tvb.u8(1);
    const total = (len + 1) * 8;
    t.setLen(total);
    t.add(f.routingLen, tvb, 1, 1, len);
    const type = tvb.u8(2);
    const segleft = tvb.u8(3);
    if (t.tree.full) t.appendText(` (${ROUTING_TYPES[type] ?? "Unknown"})`);
    t.addGenerated(f.routingLenOct, tvb, 1, 1, total, `${total} bytes`);
    const ti = t.add(f.routingType, tvb, 2, 1, type);
    if (type === 0) ti.expert("note", "deprecated", "Routing header type is deprecated", "ipv6");
    t.add(f.routingSegleft, tvb, 3, 1, segleft);
    const full = t.tree.full;
    if (type === 0) {
      t.add(f.routingSrcReserved, tvb, 4, 4, tvb.bytes(4, 4));
      const n = len >> 1;
      for (let i = 0; i < n; i++) {
        const a = tvb.bytes(8 + i * 16, 16);
        const it = t.add(f.routingSrcAddr, tvb, 8 + i * 16, 16, a);
        if (full) it.setText(`Address[${i + 1}]: ${ipv6ToString(a)}`);
        if (i === n - 1 && segleft > 0) info.pseudoDst = a;
      }
    } else if (type === 2) {
      t.add(f.routingMipv6Reserved, tvb, 4, 4, tvb.bytes(4, 4));
      const home = tvb.bytes(8, 16);
      t.add(f.routingMipv6Home, tvb, 8, 16, home);
      if (segleft > 0) info.pseudoDst = home;
    } else if (type === 4) {
      const last = tvb.u8(4);
      t.add(f.srhLastEntry, tvb, 4, 1, last);
      t.add(f.srhFlags, tvb, 5, 1, tvb.u8(5));
      t.add(f.srhTag, tvb, 6, 2, tvb.bytes(6, 2));
      let o = 8;
      for (let i = 0; i <= last && o + 16 <= total; i++, o += 16) {
        const a = tvb.bytes(o, 16);
        const it = t.add(f.srhAddr, tvb, o, 16, a);
        if (full) it.setText(`Address[${i}]: ${ipv6ToString(a)}${i === segleft ? " [next segment]" : ""}`);
        if (i === 0 && segleft > 0) info.pseudoDst = a;
      }
    } else if (total > 4) {
      t.add(f.routingUnknown, tvb, 4, total - 4, tvb.bytes(4, total - 4));
    }
    dissectNext(nxt, tvb.sub(total), pinfo, info);
    return tvb.length;
  },
});

// ------------------------------------------------------------ fragment --

export const fraghdr = defineProtocol({
  name: "Fragment Header for IPv6",
  abbrev: "ipv6.fraghdr",
  short: "IPv6 Fragment",
  fields: {},
  registers: [["ip.proto", 44]],
  dissect(tvb, pinfo, tree, data) {
    const info = ctxOf(data, tree, pinfo);
    tvb.ensure(0, 8);
    const nxt = tvb.u8(0);
    const t = tree.add(fraghdr.hf, tvb, 0, 8, null);
    const full = t.tree.full;
    t.add(f.fraghdrNxt, tvb, 0, 1, nxt);
    t.add(f.fraghdrReservedOctet, tvb, 1, 1, tvb.u8(1));
    const w = tvb.u16(2);
    const off = w >> 3;
    const more = (w & 1) !== 0;
    t.add(f.fraghdrOffset, tvb, 2, 2, off, full ? `${off} (${off * 8} bytes)` : undefined);
    t.add(f.fraghdrReservedBits, tvb, 2, 2, (w >> 1) & 3);
    t.add(f.fraghdrMore, tvb, 2, 2, more);
    const ident = tvb.u32(4);
    t.add(f.fraghdrIdent, tvb, 4, 4, ident);

    const payload = tvb.sub(8);
    const s = pinfo.session;
    let next: Tvb | null = null;
    if (off !== 0 || more) {
      const n = payload.reportedLength;
      if (s.pref("ipv6.defragment", true) && payload.has(0, n)) {
        const st = s.get("ipv6", () => new Ipv6State());
        const key = `${ipv6ToString(info.src)}|${ipv6ToString(info.dst)}|${ident}`;
        const r = st.defrag.add(key, pinfo.num, off * 8, payload.bytes(0, n), more);
        if (r !== null) next = showReassembly(r, "IPv6", IPV6_FRAGMENT_FIELDS, pinfo, info.ipTree).tvb;
      } else if (off === 0) {
        next = payload;
        pinfo.fragmented = true;
      }
    } else {
      next = payload; // atomic fragment
    }
    if (next === null) {
      if (pinfo.cols !== null)
        pinfo.setInfo(`IPv6 fragment (off=${off * 8} more=${more ? "y" : "n"} ident=0x${hex(ident, 8)} nxt=${nxt})`);
      if (payload.length > 0) callData(payload, pinfo, info.root);
      return tvb.length;
    }
    dissectNext(nxt, next, pinfo, info);
    return tvb.length;
  },
});

