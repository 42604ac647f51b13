/**
 * Internet Protocol Version 6 (tshark 4.0 packet-ipv6.c): the fixed header, the
 * extension header chain (hop-by-hop and destination options, routing types
 * 0/2/3/4, fragment with reassembly through src/analysis/defrag.ts), and the
 * hand-off of the final next header through "ip.proto".
 *
 * As in tshark 4.0, every extension header is a protocol of its own
 * (ipv6.hopopts, ipv6.routing, ipv6.fraghdr, ipv6.dstopts) registered in
 * "ip.proto"; it shows inside the IPv6 tree and appears in frame.protocols.
 *
 * This file holds the fixed header and the hand-off between headers; the extension
 * headers themselves (options, routing, fragment) are in ipv6-ext.ts.
 */
import { fragmentFieldSpecs } from "../src/analysis/defrag.js";
import { inProtocol, type FieldSpec } from "../src/core/field.js";
import { hex, ipv6ToString } from "../src/core/format.js";
import type { PacketInfo } from "../src/core/pinfo.js";
import { callData, callDissector, callTable, defineProtocol, lookupTable, tryHeuristics } from "../src/core/proto.js";
import type { Item } from "../src/core/tree.js";
import type { Tvb } from "../src/core/tvb.js";
import { DSCP_NAMES, ECN_NAMES, ECN_SHORT, IPPROTO, dscpShort, type IpHeaderInfo } from "./ip.js";

export const IPV6_OPT_TYPES: Record<number, string> = {
  0: "Pad1", 1: "PadN", 4: "Tunnel Encapsulation Limit", 5: "Router Alert", 7: "CALIPSO", 8: "SMF_DPD",
  15: "Performance and Diagnostic Metrics", 30: "Experimental (0x1E)", 38: "Quick-Start",
  48: "Path MTU Option", 49: "IOAM Option", 62: "Experimental (0x3E)",
  65: "Tunnel Payload Forwarding (TPF) Information", 94: "Experimental (0x5E)", 99: "RPL Option",
  109: "MPL Option", 126: "Experimental (0x7E)", 138: "Endpoint Identification", 139: "ILNP Nonce",
  140: "Line-Identification Option", 158: "Experimental (0x9E)", 190: "Experimental (0xBE)",
  194: "Jumbo Payload", 201: "Home Address", 222: "Experimental (0xDE)", 238: "IP_DFF",
  254: "Experimental (0xFE)",
};
export const ROUTING_TYPES: Record<number, string> = {
  0: "Source Route", 1: "Nimrod", 2: "Type 2 Routing", 3: "RPL Source Route", 4: "Segment Routing",
  5: "Compact Routing Header 16", 6: "Compact Routing Header 32", 253: "Experiment 1", 254: "Experiment 2",
};
const OPT_ACTION: Record<number, string> = {
  0: "Skip and continue", 1: "Discard", 2: "Discard and send ICMP Parameter Problem", 3: "Discard and send ICMP if not multicast",
};
const ROUTER_ALERT: Record<number, string> = { 0: "MLD", 1: "RSVP", 2: "Active Network" };

const B8 = { bits: 8 } as const;

/** The next-header and length fields every options/routing header has, each registered by its header's protocol (as tshark). */
function extCommon<P extends "hopopts" | "dstopts" | "routing">(p: P): Record<`${P}Nxt` | `${P}Len` | `${P}LenOct`, FieldSpec> {
  const protocol = `ipv6.${p}`;
  return inProtocol(protocol, {
    [`${p}Nxt`]: { abbrev: `${protocol}.nxt`, name: "Next Header", type: "uint8", strings: IPPROTO },
    [`${p}Len`]: { abbrev: `${protocol}.len`, name: "Length", type: "uint8" },
    [`${p}LenOct`]: { abbrev: `${protocol}.len_oct`, name: "Length", type: "uint16" },
  } as Record<`${P}Nxt` | `${P}Len` | `${P}LenOct`, FieldSpec>);
}

export const ipv6 = defineProtocol({
  name: "Internet Protocol Version 6",
  abbrev: "ipv6",
  short: "IPv6",
  fields: {
    version: { abbrev: "ipv6.version", name: "Version", type: "uint8", bitmask: 0xf0, ...B8, labelMask: true },
    // tshark's IPv6 dissector registers its own "ip.version", with a real bitmask (-T pdml)
    ipVersion: { abbrev: "ip.version", name: "Version", type: "uint8", bitmask: 0xf0, ...B8, protocol: "ipv6" },
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
    // RFC 6553 RPL option
    optRplFlag: { abbrev: "ipv6.opt.rpl.flag", name: "Flag", type: "uint8", base: "hex" },
    optRplFlagO: { abbrev: "ipv6.opt.rpl.flag.o", name: "Down", type: "bool", bitmask: 0x80, bits: 8, tfs: ["True", "False"] },
    optRplFlagR: { abbrev: "ipv6.opt.rpl.flag.r", name: "Rank Error", type: "bool", bitmask: 0x40, bits: 8, tfs: ["True", "False"] },
    optRplFlagF: { abbrev: "ipv6.opt.rpl.flag.f", name: "Forwarding Error", type: "bool", bitmask: 0x20, bits: 8, tfs: ["True", "False"] },
    optRplFlagRsv: { abbrev: "ipv6.opt.rpl.flag.rsv", name: "Reserved", type: "uint8", base: "hex", bitmask: 0x1f, bits: 8 },
    optRplInstance: { abbrev: "ipv6.opt.rpl.instance_id", name: "RPLInstanceID", type: "uint8", base: "hex" },
    optRplRank: { abbrev: "ipv6.opt.rpl.sender_rank", name: "Sender Rank", type: "uint16", base: "hex" },
    optExperimental: { abbrev: "ipv6.opt.experimental", name: "Experimental Option", type: "bytes" },
    optUnknown: { abbrev: "ipv6.opt.unknown", name: "Unknown Option Payload", type: "bytes" },
    // what an option's dissector left of its length
    optUnknownData: { abbrev: "ipv6.opt_unknown_data", name: "Unknown Data", type: "bytes" },
    pmtuMin: { abbrev: "ipv6.opt.pmtu.min", name: "Minimum Reported PMTU", type: "uint16" },
    pmtuRtn: { abbrev: "ipv6.opt.pmtu.rtn", name: "Return Minimum PMTU", type: "uint16" },
    pmtuRFlag: { abbrev: "ipv6.opt.pmtu.r_flag", name: "Return Flag", type: "bool", tfs: ["True", "False"] },
    calipsoDoi: { abbrev: "ipv6.opt.calipso.doi", name: "CALIPSO Domain of Interpretation", type: "uint32" },
    calipsoCmptLen: { abbrev: "ipv6.opt.calipso.cmpt.length", name: "Compartment Length", type: "uint8" },
    calipsoSensLevel: { abbrev: "ipv6.opt.calipso.sens_level", name: "Sensitivity Level", type: "uint8" },
    calipsoChecksum: { abbrev: "ipv6.opt.calipso.checksum", name: "Checksum", type: "uint16", base: "hex" },
    calipsoBitmap: { abbrev: "ipv6.opt.calipso.cmpt_bitmap", name: "Compartment Bitmap", type: "bytes" },
    // extension header common fields, per header protocol
    ...extCommon("hopopts"),
    ...extCommon("dstopts"),
    ...extCommon("routing"),
    ...inProtocol("ipv6.routing", {
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
    }),
    ...inProtocol("ipv6.fraghdr", {
      fraghdrNxt: { abbrev: "ipv6.fraghdr.nxt", name: "Next header", type: "uint8", strings: IPPROTO },
      fraghdrReservedOctet: { abbrev: "ipv6.fraghdr.reserved_octet", name: "Reserved octet", type: "uint8", base: "hex" },
      fraghdrOffset: { abbrev: "ipv6.fraghdr.offset", name: "Offset", type: "uint16", bitmask: 0xfff8, bits: 16 },
      fraghdrReservedBits: { abbrev: "ipv6.fraghdr.reserved_bits", name: "Reserved bits", type: "uint16", bitmask: 0x0006, bits: 16 },
      fraghdrMore: { abbrev: "ipv6.fraghdr.more", name: "More Fragments", type: "bool", bitmask: 0x0001, bits: 16, tfs: ["Yes", "No"] },
      fraghdrIdent: { abbrev: "ipv6.fraghdr.ident", name: "Identification", type: "uint32", base: "hex" },
    }),
    ...fragmentFieldSpecs("ipv6", "IPv6", "ipv6.reassembled.in", "none"),
    // expert infos (the routing header's are registered by ipv6.routing, dissectors/ipv6-ext.ts)
    eOptJumboMissing: { abbrev: "ipv6.opt.jumbo.missing", name: "IPv6 payload length equals 0 and Hop-By-Hop present and Jumbo Payload option missing", type: "none" },
    eOptJumboProhibited: { abbrev: "ipv6.opt.jumbo.prohibited", name: "When IPv6 payload length does not equal 0 a Jumbo Payload option must not be present", type: "none" },
    eOptJumboTruncated: { abbrev: "ipv6.opt.jumbo.truncated", name: "Jumbo Payload option present and jumbo length < 65536", type: "none" },
    eOptInvalidLen: { abbrev: "ipv6.opt.invalid_len", name: "Invalid IPv6 option length", type: "none" },
    eOptUnknownData: { abbrev: "ipv6.opt.unknown_data.expert", name: "Unknown Data (not interpreted)", type: "none" },
    ePlenExceedsFraming: { abbrev: "ipv6.plen_exceeds_framing", name: "IPv6 payload length does not match expected framing length", type: "none" },
    ePlenZero: { abbrev: "ipv6.plen_zero", name: "IPv6 payload length equals 0 (maybe because of \"TCP segmentation offload\" (TSO))", type: "none" },
    eBogusIpv6Version: { abbrev: "ipv6.bogus_ipv6_version", name: "Bogus IP version", type: "none" },
    eInvalidHeader: { abbrev: "ipv6.invalid_header", name: "Invalid IPv6 header", type: "none" },
    eOptHeaderMismatch: { abbrev: "ipv6.opt.header_mismatch", name: "Wrong options extension header for type", type: "none" },
  },
  registers: [
    ["ethertype", 0x86dd],
    ["ip.proto", 41],
  ],
  dissect: dissectIpv6,
});

const f = ipv6.f;

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
  /** The header's Payload Length field as it is (0 for a jumbogram). */
  plen: number;
  /** Final destination for upper-layer checksums when a routing header names one (else null). */
  pseudoDst: Uint8Array | null;
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
  const iv = top.add(f.ipVersion, tvb, 0, 1, version);
  iv.hidden = true;
  // (tshark's text names version 6 whatever the nibble holds)
  if (top.tree.full) iv.appendText(` [This field makes the filter match on "ip.version == 6" possible]`);
  if (version !== 6) {
    pinfo.setProtocol("IPv6");
    pinfo.setInfo(`Bogus IPv6 version (${version}, must be 6)`);
    vItem.expert("error", "malformed", "Bogus IPv6 version", "ipv6", "ipv6.bogus_ipv6_version");
    return 0;
  }
  pinfo.setProtocol("IPv6");
  pinfo.setInfo("");
  // tshark tests the reported length: a header cut by the snaplen is "[Packet size
  // limited during capture]" (below), not an invalid header
  if (tvb.reportedLength < 40) {
    pinfo.setInfo(`Invalid IPv6 header (${tvb.reportedLength} bytes, need exactly 40)`);
    top.expert("error", "malformed", "IPv6 header must be exactly 40 bytes", "ipv6", "ipv6.invalid_header");
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
  const plItem = top.add(f.plen, tvb, 4, 2, plen);
  const framing = tvb.reportedLength - 40;
  if (plen === 0 && nxt !== 0) {
    plItem.expert("chat", "protocol", `IPv6 payload length equals 0 (maybe because of "TCP segmentation offload" (TSO))`, "ipv6", "ipv6.plen_zero");
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
  // the Source column as soon as the address is read: a header cut before the destination still shows it (tshark)
  if (pinfo.cols !== null) pinfo.cols.src = srcStr;
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
  if (pinfo.cols !== null) pinfo.cols.dst = dstStr; // (the source is in since it was read)
  // (unlike IPv4's, the label gets both addresses once both are read: a header cut in the destination shows neither)
  if (full) top.appendText(`, Src: ${srcStr}, Dst: ${dstStr}`);
  addAddrDetail(top, tvb, 8, src, true);
  addAddrDetail(top, tvb, 24, dst, false);

  // payload length 0 before a hop-by-hop header: the length comes from its Jumbo Payload option
  let jumbo = plen === 0 && nxt === 0;
  const jplen = jumbo ? jumboPayloadLength(tvb) : 0;
  if (jplen !== 0) {
    if (full) plItem.display = "0 (Jumbogram)";
  } else if (jumbo) {
    // no usable Jumbo Payload option: nothing follows the header
    plItem.expert("error", "malformed", "IPv6 payload length equals 0 and Hop-By-Hop present and Jumbo Payload option missing", "ipv6", "ipv6.opt.jumbo.missing");
    pinfo.setInfo("Invalid IPv6 payload length");
    jumbo = false;
  }
  if (!pinfo.inErrorPkt && (jumbo ? jplen : plen) > framing) {
    plItem.expert("warn", "protocol", `IPv6 payload length exceeds framing length (${framing} bytes)`, "ipv6", "ipv6.plen_exceeds_framing");
  }
  const limited = !jumbo && plen <= framing;
  const payload = tvb.sub(40, limited ? plen : -1);
  const info: Ipv6Info = { version: 6, ttl: hlim, nxt, payloadLen: payload.reportedLength, root: tree, ipTree: top, src, dst, jumbo, plen, pseudoDst: null };
  const save = pinfo.fragmented;
  pinfo.ipDepth++;
  dissectNext(nxt, payload, pinfo, info);
  pinfo.ipDepth--;
  pinfo.fragmented = save;
  return limited ? Math.min(40 + plen, tvb.length) : tvb.length;
}

/**
 * tshark's ipv6_check_jumbo_plen: the value of the first 4-byte Jumbo Payload option in
 * the hop-by-hop header at offset 40, when above 65535; 0 when that option is smaller,
 * absent, or past the last option with 6 captured bytes. Reading the header's length
 * byte may throw (the IPv6 layer is then cut short, as in tshark).
 */
function jumboPayloadLength(tvb: Tvb): number {
  const end = 40 + (tvb.u8(41) + 1) * 8;
  let o = 42;
  while (o < end && tvb.has(o, 6)) {
    const t = tvb.u8(o++);
    if (t === 0) continue;
    const l = tvb.u8(o++);
    if (t === 0xc2 && l === 4) {
      const v = tvb.u32(o);
      return v > 0xffff ? v : 0;
    }
    o += l;
  }
  return 0;
}

/** Hand a (possibly extension) header's payload on: extension headers go in the IPv6 tree, the rest at the root. */
export function dissectNext(nxt: number, tvb: Tvb, pinfo: PacketInfo, info: Ipv6Info): void {
  info.nxt = nxt;
  const ext = EXT_HEADERS.has(nxt) ? lookupTable("ip.proto", nxt) : undefined;
  if (ext !== undefined) {
    // an exception in an extension header is shown beside IPv6, not inside it (tshark)
    callDissector(ext, tvb, pinfo, info.ipTree, info, info.root);
    return;
  }
  // No Next Header: whatever still follows is shown as data (tshark)
  if (nxt === 59) {
    pinfo.setInfo("IPv6 no next header");
    if (tvb.reportedLength !== 0 || tvb.length !== 0) callData(tvb, pinfo, info.root);
    return;
  }
  // any other next header is called even with nothing left (payload length 0 without a
  // jumbo option): it then runs out of bytes and is marked, as in tshark
  info.payloadLen = tvb.reportedLength;
  if (callTable("ip.proto", nxt, tvb, pinfo, info.root, info) === 0 && !tryHeuristics("ip", tvb, pinfo, info.root, info)) {
    // (what tshark shows for a protocol it has no dissector for; IPv4 writes "NAME (N)")
    if (pinfo.cols !== null) pinfo.setInfo(`Unknown IP Protocol: ${IPPROTO[nxt] ?? "Unknown"} (${nxt})`);
    callData(tvb, pinfo, info.root);
  }
}

/**
 * An extension header in the IPv6 tree lengthens the IPv6 item by its own length (a
 * fragment header only when its datagram is dissected on), as in tshark (only the item's byte range shows it: -T pdml, the hex highlight). Called from
 * elsewhere (ctxOf's minimal context) there is no IPv6 item to lengthen.
 */
export function growIpv6Item(info: Ipv6Info, n: number): void {
  if (info.ipTree !== info.root) info.ipTree.setLen(info.ipTree.len + n);
}

/**
 * An extension header's name goes in Info as it is read (after anything there, with tshark's
 * " , "): it stays only when nothing after it sets Info, e.g. when the header is cut short.
 */
export function extInfo(pinfo: PacketInfo, name: string): void {
  if (pinfo.cols !== null) pinfo.appendInfoSep(" , ", name);
}

/** The context an extension header gets; when called from somewhere else than ipv6, a minimal one. */
export function ctxOf(data: unknown, tree: Item, pinfo: PacketInfo): Ipv6Info {
  if (data !== null && typeof data === "object" && "ipTree" in (data as object)) return data as Ipv6Info;
  const z = new Uint8Array(16);
  return {
    version: 6, ttl: 0, nxt: 0, payloadLen: 0, root: tree, ipTree: tree,
    src: pinfo.netSrc ?? z, dst: pinfo.netDst ?? z, jumbo: false, plen: 0, pseudoDst: null,
  };
}
