/**
 * Internet Protocol Version 4 (tshark 4.0 packet-ip.c): header, options, fragment
 * reassembly (src/analysis/defrag.ts), hand-off of the payload through "ip.proto".
 */
import { DefragTable, fragmentFieldSpecs, showReassembly, type FragmentFields } from "../src/analysis/defrag.js";
import { hex, ipv4ToString } from "../src/core/format.js";
import type { PacketInfo } from "../src/core/pinfo.js";
import { callData, callTable, defineProtocol, lookupTable, tryHeuristics, CHECKSUM_STATUS } from "../src/core/proto.js";
import type { Item } from "../src/core/tree.js";
import type { Tvb } from "../src/core/tvb.js";

/** IP protocol numbers as Wireshark names them (ipproto_val). */
export const IPPROTO: Record<number, string> = {
  0: "IPv6 Hop-by-Hop Option", 1: "ICMP", 2: "IGMP", 3: "GGP", 4: "IPIP", 5: "Stream", 6: "TCP", 7: "CBT",
  8: "EGP", 9: "IGRP", 10: "BBN RCC", 11: "Network Voice", 12: "PUP", 13: "ARGUS", 14: "EMCON", 15: "XNET",
  16: "CHAOS", 17: "UDP", 18: "Multiplex", 19: "DCN Measurement", 20: "Host Monitoring", 21: "Packet radio",
  22: "IDP", 23: "Trunk-1", 24: "Trunk-2", 25: "Leaf-1", 26: "Leaf-2", 27: "Reliable Data", 28: "IRT",
  29: "ISO TP4", 30: "Bulk Data", 31: "MFE NSP", 32: "Merit Internodal",
  33: "Datagram Congestion Control Protocol", 34: "3rd Party Connect",
  35: "Inter-Domain Policy Routing Protocol", 36: "XTP", 37: "Datagram delivery", 38: "Control Message",
  39: "TP++", 40: "IL", 41: "IPv6", 42: "Source demand routing", 43: "Routing Header for IPv6",
  44: "Fragment Header for IPv6", 45: "Inter-Domain Routing Protocol", 46: "Reservation Protocol",
  47: "Generic Routing Encapsulation", 48: "Dynamic source routing", 49: "BNA", 50: "Encap Security Payload",
  51: "Authentication Header", 52: "INSLP", 53: "SWIPE", 54: "NBMA ARP", 55: "IP Mobility",
  56: "TLSP Kryptonet", 57: "SKIP", 58: "ICMPv6", 59: "No Next Header for IPv6",
  60: "Destination Options for IPv6", 61: "any host internal protocol", 62: "Mobile IPv6 (old)",
  63: "any local network", 64: "SATNET EXPAK", 65: "Kryptolan", 66: "Remote Virtual Disk", 67: "IPPC",
  68: "any distributed file system", 69: "SATNET Monitoring", 70: "VISA", 71: "IPCV", 72: "CPNX", 73: "CPHB",
  74: "Wang Span", 75: "Packet Video", 76: "Backroom SATNET Mon", 77: "Sun ND Protocol", 78: "Wideband Mon",
  79: "Wideband Expak", 80: "ISO Internet Protocol", 81: "VMTP", 82: "Secure VMTP", 83: "VINES", 84: "TTP",
  85: "NSFNET IGP", 86: "Dissimilar Gateway", 87: "TCF", 88: "EIGRP", 89: "OSPF IGP", 90: "Sprite RPC",
  91: "Locus ARP", 92: "Multicast Transport", 93: "AX.25 Frames", 94: "IP in IP", 95: "MICP",
  96: "Semaphore", 97: "Ether in IP", 98: "ENCAP", 99: "any private encryption scheme", 100: "GMTP",
  101: "Ipsilon Flow", 102: "PNNI over IP", 103: "PIM", 104: "ARIS", 105: "SCPS", 106: "QNX",
  107: "Active Networks", 108: "IPComp", 109: "Sitara Networks", 110: "Compaq Peer", 111: "IPX IN IP",
  112: "VRRP", 113: "PGM", 114: "any 0-hop protocol", 115: "Layer 2 Tunneling", 116: "DDX", 117: "IATP",
  118: "STP", 119: "SpectraLink", 120: "UTI", 121: "SMP", 122: "SM", 123: "PTP", 124: "ISIS over IP",
  125: "FIRE", 126: "CRTP", 127: "CRUDP", 128: "SSCOPMCE", 129: "IPLT", 130: "Secure Packet", 131: "PIPE",
  132: "SCTP", 133: "Fibre Channel", 134: "RSVP E2EI", 135: "Mobile IPv6", 136: "UDPLite", 137: "MPLS in IP",
  138: "MANET", 139: "HIP", 140: "Shim6 header", 141: "WESP", 142: "ROHC", 143: "Ethernet",
  144: "Unassigned", 145: "Unassigned", 146: "Unassigned", 147: "Unassigned", 148: "Unassigned",
  149: "Unassigned", 150: "Unassigned", 151: "Unassigned", 152: "Unassigned", 153: "Unassigned",
  154: "Unassigned", 155: "Unassigned", 156: "Unassigned", 157: "Unassigned", 158: "Unassigned",
  159: "Unassigned", 160: "Unassigned", 161: "Unassigned", 162: "Unassigned", 163: "Unassigned",
  164: "Unassigned", 165: "Unassigned", 166: "Unassigned", 167: "Unassigned", 168: "Unassigned",
  169: "Unassigned", 170: "Unassigned", 171: "Unassigned", 172: "Unassigned", 173: "AX/4000 Testframe",
  174: "Unassigned", 175: "Unassigned", 176: "Unassigned", 177: "Unassigned", 178: "Unassigned",
  179: "Unassigned", 180: "Unassigned", 181: "Unassigned", 182: "Unassigned", 183: "Unassigned",
  184: "Unassigned", 185: "Unassigned", 186: "Unassigned", 187: "Unassigned", 188: "Unassigned",
  189: "Unassigned", 190: "Unassigned", 191: "Unassigned", 192: "Unassigned", 193: "Unassigned",
  194: "Unassigned", 195: "Unassigned", 196: "Unassigned", 197: "Unassigned", 198: "Unassigned",
  199: "Unassigned", 200: "Unassigned", 201: "Unassigned", 202: "Unassigned", 203: "Unassigned",
  204: "Unassigned", 205: "Unassigned", 206: "Unassigned", 207: "Unassigned", 208: "Unassigned",
  209: "Unassigned", 210: "Unassigned", 211: "Unassigned", 212: "Unassigned", 213: "Unassigned",
  214: "Unassigned", 215: "Unassigned", 216: "Unassigned", 217: "Unassigned", 218: "Unassigned",
  219: "Unassigned", 220: "Unassigned", 221: "Unassigned", 222: "Unassigned", 223: "Unassigned",
  224: "Novell NCS Heartbeat",
};

const IPOPT_NUMBERS: Record<number, string> = {
  0: "End of Option List (EOL)", 1: "No-Operation (NOP)", 2: "Security", 3: "Loose source route",
  4: "Time stamp", 5: "Extended security", 6: "Commercial IP security option", 7: "Record route",
  8: "Stream identifier", 9: "Strict source route", 10: "Experimental Measurement", 11: "MTU probe",
  12: "MTU Reply", 13: "Experimental Flow Control", 14: "Experimental Access Control", 15: "Ask Estrin",
  16: "IMI Traffic Descriptor", 17: "Extended Internet Protocol", 18: "Traceroute", 19: "Address Extension",
  20: "Router Alert", 21: "Selective Directed Broadcast", 22: "Unassigned", 23: "Dynamic Packet State",
  24: "Upstream Multicast Packet", 25: "Quick-Start", 30: "RFC 3692-style experiment",
};

const DSCP_SHORT: Record<number, string> = {
  0: "CS0", 1: "LE", 8: "CS1", 10: "AF11", 12: "AF12", 14: "AF13", 16: "CS2", 18: "AF21", 20: "AF22", 22: "AF23",
  24: "CS3", 26: "AF31", 28: "AF32", 30: "AF33", 32: "CS4", 34: "AF41", 36: "AF42", 38: "AF43", 40: "CS5", 44: "VA",
  46: "EF PHB", 48: "CS6", 56: "CS7",
};
export const DSCP_NAMES: Record<number, string> = {
  0: "Default", 1: "Lower Effort", 8: "Class Selector 1", 10: "Assured Forwarding 11", 12: "Assured Forwarding 12",
  14: "Assured Forwarding 13", 16: "Class Selector 2", 18: "Assured Forwarding 21", 20: "Assured Forwarding 22",
  22: "Assured Forwarding 23", 24: "Class Selector 3", 26: "Assured Forwarding 31", 28: "Assured Forwarding 32",
  30: "Assured Forwarding 33", 32: "Class Selector 4", 34: "Assured Forwarding 41", 36: "Assured Forwarding 42",
  38: "Assured Forwarding 43", 40: "Class Selector 5", 44: "Voice Admit", 46: "Expedited Forwarding",
  48: "Class Selector 6", 56: "Class Selector 7",
};
export const ECN_SHORT: Record<number, string> = { 0: "Not-ECT", 1: "ECT(1)", 2: "ECT(0)", 3: "CE" };
export const ECN_NAMES: Record<number, string> = {
  0: "Not ECN-Capable Transport", 1: "ECN-Capable Transport codepoint '01'",
  2: "ECN-Capable Transport codepoint '10'", 3: "Congestion Experienced",
};
/** "CS0" style short DSCP name for the DS field summary. */
export function dscpShort(dscp: number): string {
  return DSCP_SHORT[dscp] ?? "Unknown";
}

const OPT_CLASS: Record<number, string> = { 0: "Control", 1: "Reserved for future use", 2: "Debugging and measurement", 3: "Reserved for future use" };
const TS_FLAGS: Record<number, string> = { 0: "Time stamps only", 1: "Time stamp and address", 3: "Time stamps for prespecified addresses" };
const SEC_RFC791: Record<number, string> = {
  0x0000: "Unclassified", 0xf135: "Confidential", 0x789a: "EFTO", 0xbc4d: "MMMM", 0x5e26: "PROG", 0xaf13: "Restricted",
  0xd788: "Secret", 0x6bc5: "Top secret", 0x35e2: "Reserved", 0x9af1: "Reserved", 0x4d78: "Reserved", 0x24bd: "Reserved",
  0x135e: "Reserved", 0x89af: "Reserved", 0xc4d6: "Reserved", 0xe26b: "Reserved",
};
const SEC_CL: Record<number, string> = {
  0x3d: "Reserved 4", 0x5a: "Top secret", 0x96: "Secret", 0x66: "Confidential", 0x01: "Reserved 1", 0xab: "Unclassified",
  0xcc: "Reserved 2", 0xf1: "Reserved 3",
};
const QS_FUNC: Record<number, string> = { 0: "Rate request", 8: "Rate report" };

const B8 = { bits: 8 } as const;

export const ip = defineProtocol({
  name: "Internet Protocol Version 4",
  abbrev: "ip",
  short: "IPv4",
  fields: {
    version: { abbrev: "ip.version", name: "Version", type: "uint8", bitmask: 0xf0, ...B8 },
    hdrLen: { abbrev: "ip.hdr_len", name: "Header Length", type: "uint8" },
    dsfield: { abbrev: "ip.dsfield", name: "Differentiated Services Field", type: "uint8", base: "hex" },
    dscp: { abbrev: "ip.dsfield.dscp", name: "Differentiated Services Codepoint", type: "uint8", bitmask: 0xfc, ...B8, strings: DSCP_NAMES },
    ecn: { abbrev: "ip.dsfield.ecn", name: "Explicit Congestion Notification", type: "uint8", bitmask: 0x03, ...B8, strings: ECN_NAMES },
    len: { abbrev: "ip.len", name: "Total Length", type: "uint16" },
    id: { abbrev: "ip.id", name: "Identification", type: "uint16", base: "hex_dec" },
    flags: { abbrev: "ip.flags", name: "Flags", type: "uint8", base: "hex", bitmask: 0xe0, ...B8 },
    flagsSf: { abbrev: "ip.flags.sf", name: "Security flag", type: "bool", bitmask: 0x80, ...B8, tfs: ["Evil", "Not evil"] },
    flagsRb: { abbrev: "ip.flags.rb", name: "Reserved bit", type: "bool", bitmask: 0x80, ...B8 },
    flagsDf: { abbrev: "ip.flags.df", name: "Don't fragment", type: "bool", bitmask: 0x40, ...B8 },
    flagsMf: { abbrev: "ip.flags.mf", name: "More fragments", type: "bool", bitmask: 0x20, ...B8 },
    fragOffset: { abbrev: "ip.frag_offset", name: "Fragment Offset", type: "uint16", bitmask: 0x1fff, bits: 16 },
    ttl: { abbrev: "ip.ttl", name: "Time to Live", type: "uint8" },
    proto: { abbrev: "ip.proto", name: "Protocol", type: "uint8", strings: IPPROTO },
    checksum: { abbrev: "ip.checksum", name: "Header Checksum", type: "uint16", base: "hex" },
    checksumCalc: { abbrev: "ip.checksum_calculated", name: "Calculated Checksum", type: "uint16", base: "hex" },
    checksumStatus: { abbrev: "ip.checksum.status", name: "Header checksum status", type: "uint8", base: "none", strings: CHECKSUM_STATUS },
    src: { abbrev: "ip.src", name: "Source Address", type: "ipv4" },
    dst: { abbrev: "ip.dst", name: "Destination Address", type: "ipv4" },
    addr: { abbrev: "ip.addr", name: "Source or Destination Address", type: "ipv4" },
    srcHost: { abbrev: "ip.src_host", name: "Source Host", type: "string" },
    dstHost: { abbrev: "ip.dst_host", name: "Destination Host", type: "string" },
    host: { abbrev: "ip.host", name: "Source or Destination Host", type: "string" },
    curRt: { abbrev: "ip.cur_rt", name: "Current Route", type: "ipv4" },
    curRtHost: { abbrev: "ip.cur_rt_host", name: "Current Route Host", type: "string" },
    recRt: { abbrev: "ip.rec_rt", name: "Recorded Route", type: "ipv4" },
    recRtHost: { abbrev: "ip.rec_rt_host", name: "Recorded Route Host", type: "string" },
    srcRt: { abbrev: "ip.src_rt", name: "Source Route", type: "ipv4" },
    srcRtHost: { abbrev: "ip.src_rt_host", name: "Source Route Host", type: "string" },
    emptyRt: { abbrev: "ip.empty_rt", name: "Empty Route", type: "ipv4" },
    emptyRtHost: { abbrev: "ip.empty_rt_host", name: "Empty Route Host", type: "string" },
    // options
    optType: { abbrev: "ip.opt.type", name: "Type", type: "uint8" },
    optTypeCopy: { abbrev: "ip.opt.type.copy", name: "Copy on fragmentation", type: "bool", bitmask: 0x80, ...B8, tfs: ["Yes", "No"] },
    optTypeClass: { abbrev: "ip.opt.type.class", name: "Class", type: "uint8", bitmask: 0x60, ...B8, strings: OPT_CLASS },
    optTypeNumber: { abbrev: "ip.opt.type.number", name: "Number", type: "uint8", bitmask: 0x1f, ...B8, strings: IPOPT_NUMBERS },
    optLen: { abbrev: "ip.opt.len", name: "Length", type: "uint8" },
    optPtr: { abbrev: "ip.opt.ptr", name: "Pointer", type: "uint8" },
    optSid: { abbrev: "ip.opt.sid", name: "Stream Identifier", type: "uint16" },
    optMtu: { abbrev: "ip.opt.mtu", name: "MTU", type: "uint16" },
    optIdNumber: { abbrev: "ip.opt.id_number", name: "ID Number", type: "uint16" },
    optOhc: { abbrev: "ip.opt.ohc", name: "Outbound Hop Count", type: "uint16" },
    optRhc: { abbrev: "ip.opt.rhc", name: "Return Hop Count", type: "uint16" },
    optOriginator: { abbrev: "ip.opt.originator", name: "Originator IP Address", type: "ipv4" },
    optRa: { abbrev: "ip.opt.ra", name: "Router Alert", type: "uint16" },
    optAddr: { abbrev: "ip.opt.addr", name: "IP Address", type: "ipv4" },
    optPadding: { abbrev: "ip.opt.padding", name: "Padding", type: "bytes" },
    optQsFunc: { abbrev: "ip.opt.qs_func", name: "Function", type: "uint8", bitmask: 0xf0, ...B8, strings: QS_FUNC },
    optQsRate: { abbrev: "ip.opt.qs_rate", name: "Rate", type: "uint8", bitmask: 0x0f, ...B8 },
    optQsTtl: { abbrev: "ip.opt.qs_ttl", name: "QS TTL", type: "uint8" },
    optQsNonce: { abbrev: "ip.opt.qs_nonce", name: "QS Nonce", type: "uint32", base: "hex", bitmask: 0xfffffffc, bits: 32 },
    optSecRfc791Sec: { abbrev: "ip.opt.sec_rfc791_sec", name: "Security", type: "uint16", base: "hex", strings: SEC_RFC791 },
    optSecRfc791Comp: { abbrev: "ip.opt.sec_rfc791_comp", name: "Compartments", type: "uint16" },
    optSecRfc791Hr: { abbrev: "ip.opt.sec_rfc791_hr", name: "Handling Restrictions", type: "string" },
    optSecRfc791Tcc: { abbrev: "ip.opt.sec_rfc791_tcc", name: "Transmission Control Code", type: "string" },
    optSecCl: { abbrev: "ip.opt.sec_cl", name: "Classification Level", type: "uint8", base: "hex", strings: SEC_CL },
    optSecProtAuthFlags: { abbrev: "ip.opt.sec_prot_auth_flags", name: "Protection Authority Flags", type: "uint8", base: "hex" },
    optExtSecFormat: { abbrev: "ip.opt.ext_sec_add_sec_info_format_code", name: "Additional Security Info Format Code", type: "uint8", base: "hex" },
    optExtSecInfo: { abbrev: "ip.opt.ext_sec_add_sec_info", name: "Additional Security Info", type: "bytes" },
    cipsoDoi: { abbrev: "ip.cipso.doi", name: "DOI", type: "uint32" },
    optOverflow: { abbrev: "ip.opt.overflow", name: "Overflow", type: "uint8", bitmask: 0xf0, ...B8 },
    optFlag: { abbrev: "ip.opt.flag", name: "Flag", type: "uint8", base: "hex", bitmask: 0x0f, ...B8, strings: TS_FLAGS },
    optTimeStamp: { abbrev: "ip.opt.time_stamp", name: "Time stamp", type: "uint32" },
    optTimeStampAddr: { abbrev: "ip.opt.time_stamp_addr", name: "Address", type: "ipv4" },
    // one protocol item per option kind, as tshark 4.0 registers them
    optEol: { abbrev: "ip.options.eol", name: "IP Option - End of Options List (EOL)", type: "protocol" },
    optNop: { abbrev: "ip.options.nop", name: "IP Option - No-Operation (NOP)", type: "protocol" },
    optSecurity: { abbrev: "ip.options.security", name: "IP Option - Security", type: "protocol" },
    optRoute: { abbrev: "ip.options.route", name: "IP Option - Loose Source Route", type: "protocol" },
    optTimestamp: { abbrev: "ip.options.timestamp", name: "IP Option - Time Stamp", type: "protocol" },
    optExtSecurity: { abbrev: "ip.options.ext_security", name: "IP Option - Extended Security", type: "protocol" },
    optCipso: { abbrev: "ip.options.cipso", name: "IP Option - Commercial Security", type: "protocol" },
    optRecordRoute: { abbrev: "ip.options.record_route", name: "IP Option - Record Route", type: "protocol" },
    optStreamId: { abbrev: "ip.options.sid", name: "IP Option - Stream ID", type: "protocol" },
    optSourceRoute: { abbrev: "ip.options.source_route", name: "IP Option - Strict Source Route", type: "protocol" },
    optMtuProbe: { abbrev: "ip.options.mtu_probe", name: "IP Option - MTU Probe", type: "protocol" },
    optMtuReply: { abbrev: "ip.options.mtu_reply", name: "IP Option - MTU Reply", type: "protocol" },
    optTraceroute: { abbrev: "ip.options.traceroute", name: "IP Option - Traceroute", type: "protocol" },
    optRouterAlert: { abbrev: "ip.options.routeralert", name: "IP Option - Router Alert", type: "protocol" },
    optSdb: { abbrev: "ip.options.sdb", name: "IP Option - Selective Directed Broadcast", type: "protocol" },
    optQs: { abbrev: "ip.options.qs", name: "IP Option - Quick-Start", type: "protocol" },
    // reassembly
    ...fragmentFieldSpecs("ip", "IPv4", "ip.reassembled_in"),
  },
  registers: [
    ["ethertype", 0x0800],
    ["ip.proto", 4],
  ],
  dissect: dissectIp,
});

const f = ip.f;
export const IP_FRAGMENT_FIELDS: FragmentFields = {
  fragments: f.fragments, fragment: f.fragment, overlap: f.fragmentOverlap, overlapConflict: f.fragmentOverlapConflict,
  multipleTails: f.fragmentMultipleTails, tooLong: f.fragmentTooLong, error: f.fragmentError, count: f.fragmentCount,
  reassembledIn: f.reassembledIn, reassembledLength: f.reassembledLength, reassembledData: f.reassembledData,
};

/** What ip/ipv6 hand to the protocol in their payload (the `data` argument), like Wireshark's ws_ip4/ws_ip6. */
export interface IpHeaderInfo {
  version: 4 | 6;
  /** TTL / hop limit. */
  ttl: number;
  /** Protocol / final next header. */
  nxt: number;
  /** Length of the payload handed on (total length minus headers). */
  payloadLen: number;
}


/** "0101" for a nibble. */
function bits4(n: number): string {
  return ((n & 15) | 16).toString(2).slice(1);
}

/** RFC 1071 one's-complement sum over [o, o+n) of a tvb (n even or odd). */
export function onesSum(tvb: Tvb, o: number, n: number, init = 0): number {
  const b = tvb.bytes(o, n);
  let s = init;
  const even = n & ~1;
  for (let i = 0; i < even; i += 2) s += (b[i] << 8) | b[i + 1];
  if (n & 1) s += b[n - 1] << 8;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

/** Wireshark's in_cksum_shouldbe: the checksum the field should have held. */
export function cksumShouldBe(sum: number, computed: number): number {
  let s = sum + computed;
  s = (s & 0xffff) + (s >>> 16);
  s = (s & 0xffff) + (s >>> 16);
  return s & 0xffff;
}

class IpState {
  readonly defrag = new DefragTable();
}

function ipProtoName(p: number): string {
  return IPPROTO[p] ?? "Unknown";
}

function flagsText(v: number): string {
  let s = "0x" + v.toString(16);
  if (v & 4) s += ", Reserved bit";
  if (v & 2) s += ", Don't fragment";
  if (v & 1) s += ", More fragments";
  return s;
}

/**
 * Pass as `data` when calling the IPv4 dissector the way Wireshark's version-dispatching
 * "ip" handle is called (raw IPv4 link types): a version-6 packet then goes to ipv6 directly.
 */
export const IP_ANY_VERSION = "ip.any_version";

function dissectIp(tvb: Tvb, pinfo: PacketInfo, tree: Item, data?: unknown): number {
  pinfo.setProtocol("IPv4");
  pinfo.setInfo("");
  const vhl = tvb.u8(0);
  const version = vhl >> 4;
  const hlen = (vhl & 15) * 4;
  // Called as Wireshark's "ip" handle (LINKTYPE_IPV4 and the like: data === IP_ANY_VERSION),
  // an IPv6 packet goes straight to ipv6; through the ethertype it is a bogus IPv4 header first.
  if (version === 6 && data === IP_ANY_VERSION && lookupTable("ethertype", 0x86dd) !== undefined) {
    callTable("ethertype", 0x86dd, tvb, pinfo, tree);
    return tvb.length;
  }
  const top = tree.add(ip.hf, tvb, 0, hlen, null);
  const full = top.tree.full;
  const vItem = top.add(f.version, tvb, 0, 1, version);
  if (version !== 4) {
    pinfo.setInfo(`Bogus IPv4 version (${version}, must be 4)`);
    vItem.expert("error", "protocol", "Bogus IPv4 version", "ip");
    // seen in cooked captures: an IPv6 packet under the IPv4 ethertype
    if (version === 6) callTable("ethertype", 0x86dd, tvb, pinfo, tree);
    return tvb.length;
  }
  const hlItem = top.add(f.hdrLen, tvb, 0, 1, hlen);
  if (full) hlItem.setText(`.... ${bits4(vhl)} = Header Length: ${hlen} bytes (${hlen >> 2})`);
  if (hlen < 20) {
    const msg = `Bogus IP header length (${hlen}, must be at least 20)`;
    pinfo.setInfo(msg);
    hlItem.expert("error", "protocol", msg, "ip");
    return tvb.length;
  }
  const tos = tvb.u8(1);
  const ds = top.add(f.dsfield, tvb, 1, 1, tos);
  if (full) ds.appendText(` (DSCP: ${dscpShort(tos >> 2)}, ECN: ${ECN_SHORT[tos & 3]})`);
  ds.add(f.dscp, tvb, 1, 1, tos >> 2);
  ds.add(f.ecn, tvb, 1, 1, tos & 3);

  let ipLen = tvb.u16(2);
  const inError = pinfo.inErrorPkt;
  let li: Item;
  if (ipLen === 0 && pinfo.session.pref("ip.tso_support", true)) {
    // TSO: a zero length is taken to be the frame's (reported) length
    ipLen = tvb.reportedLength;
    li = top.addGenerated(f.len, tvb, 2, 2, ipLen,
      `${ipLen} bytes (reported as 0, presumed to be because of "TCP segmentation offload" (TSO))`);
  } else if (ipLen < hlen) {
    pinfo.setInfo(`Bogus IP length (${ipLen}, less than header length ${hlen})`);
    const li = top.add(f.len, tvb, 2, 2, ipLen, `${ipLen} bytes (bogus, less than header length ${hlen})`);
    li.expert("error", "protocol", "Bogus IP length", "ip");
    return tvb.length;
  } else {
    li = top.add(f.len, tvb, 2, 2, ipLen);
  }
  let limited = false;
  if (ipLen > tvb.reportedLength) {
    if (!inError) li.expert("error", "protocol", `IPv4 total length exceeds packet length (${tvb.reportedLength} bytes)`, "ip");
  } else {
    limited = true;
  }
  const id = tvb.u16(4);
  top.add(f.id, tvb, 4, 2, id);
  const off = tvb.u16(6);
  const flags = off >> 13;
  const fl = top.add(f.flags, tvb, 6, 1, flags, full ? flagsText(flags) : undefined);
  fl.add(f.flagsRb, tvb, 6, 1, (flags & 4) !== 0);
  fl.add(f.flagsDf, tvb, 6, 1, (flags & 2) !== 0);
  fl.add(f.flagsMf, tvb, 6, 1, (flags & 1) !== 0);
  const fragOff = off & 0x1fff;
  top.add(f.fragOffset, tvb, 6, 2, fragOff, full ? String(fragOff * 8) : undefined);
  const ttl = tvb.u8(8);
  const ttlItem = top.add(f.ttl, tvb, 8, 1, ttl);
  const nxt = tvb.u8(9);
  top.add(f.proto, tvb, 9, 1, nxt);
  const sum = tvb.u16(10);

  const s = pinfo.session;
  const check = s.pref("ip.check_checksum", s.options.checkChecksums ?? false);
  let ipsumBad = false;
  if (check && tvb.has(0, hlen) && !inError) {
    const computed = ~onesSum(tvb, 0, hlen) & 0xffff;
    if (computed === 0) {
      top.add(f.checksum, tvb, 10, 2, sum, full ? `0x${hex(sum, 4)} [correct]` : undefined);
      top.addGenerated(f.checksumStatus, tvb, 10, 2, 1);
      top.addGenerated(f.checksumCalc, tvb, 10, 2, sum);
    } else {
      ipsumBad = true;
      const should = cksumShouldBe(sum, computed);
      const ci = top.add(f.checksum, tvb, 10, 2, sum,
        full ? `0x${hex(sum, 4)} incorrect, should be 0x${hex(should, 4)}(may be caused by "IP checksum offload"?)` : undefined);
      ci.expert("error", "checksum", `Bad checksum [should be 0x${hex(should, 4)}]`, "ip");
      top.addGenerated(f.checksumStatus, tvb, 10, 2, 0);
      top.addGenerated(f.checksumCalc, tvb, 10, 2, should);
    }
  } else {
    const why = check ? (inError ? "in ICMP error packet" : "not all data available") : "validation disabled";
    top.add(f.checksum, tvb, 10, 2, sum, full ? `0x${hex(sum, 4)} [${why}]` : undefined);
    top.addGenerated(f.checksumStatus, tvb, 10, 0, 2);
  }

  const srcB = tvb.bytes(12, 4);
  const src = tvb.u32(12);
  pinfo.netSrc = srcB;
  // address strings only when a column, the tree or a wanted *_host field shows them
  const tr = top.tree;
  const strs = full || pinfo.cols !== null || tr.wants(f.host) || tr.wants(f.srcHost) || tr.wants(f.dstHost);
  const srcStr = strs ? ipv4ToString(src) : "";
  top.add(f.src, tvb, 12, 4, src);
  top.add(f.addr, tvb, 12, 4, src).hidden = true;
  const sh = top.addGenerated(f.srcHost, tvb, 12, 4, srcStr);
  sh.hidden = true;
  const hh = top.addGenerated(f.host, tvb, 12, 4, srcStr);
  hh.hidden = true;

  // a loose/strict source route moves the final destination into the options
  const dstOff = hlen > 20 ? routeDstOffset(tvb, 20, hlen - 20) : 0;
  const dst = tvb.u32(16 + dstOff);
  pinfo.netDst = tvb.bytes(16 + dstOff, 4);
  const dstStr = strs ? ipv4ToString(dst) : "";
  if (pinfo.cols !== null) pinfo.setSrcDst(srcStr, dstStr);
  if (full) top.appendText(`, Src: ${srcStr}, Dst: ${dstStr}`);

  // TTL sanity (RFC 3171 local network control block, low TTL)
  if ((dst & 0xffffff00) >>> 0 === 0xe0000000) {
    const want = lncbTtl(dst);
    if (want !== ttl && want !== 0x1000)
      ttlItem.expert("note", "sequence", `"Time To Live" != ${want} for a packet sent to the Local Network Control Block (see RFC 3171)`, "ip");
  } else if ((dst & 0xf0000000) >>> 0 !== 0xe0000000 && ttl < 5 && nxt !== 103 && nxt !== 89) {
    ttlItem.expert("note", "sequence", `"Time To Live" only ${ttl}`, "ip");
  }

  if (dstOff !== 0) {
    const cur = tvb.u32(16);
    if (full) top.appendText(`, Via: ${ipv4ToString(cur)}`);
    top.add(f.curRt, tvb, 16, 4, cur);
    top.addGenerated(f.curRtHost, tvb, 16, 4, ipv4ToString(cur)).hidden = true;
  } else {
    addDst(top, tvb, 16, dst, dstStr);
  }

  if (hlen > 20) {
    const optlen = hlen - 20;
    tvb.ensure(20, optlen); // as Wireshark: the options item must be captured
    const ot = top.addText(tvb, 20, optlen, `Options: (${optlen} bytes)`);
    dissectOptions(tvb, 20, optlen, pinfo, ot, ttl);
  }

  // payload: limited to the total length when it fits in what the packet reports
  const payLen = limited ? ipLen - hlen : -1;
  const consumed = limited ? Math.min(ipLen, tvb.length) : tvb.length;
  if (!limited) ipLen = tvb.reportedLength;
  const mf = (flags & 1) !== 0;
  const saveFrag = pinfo.fragmented;
  let next: Tvb | null = null;
  if (s.pref("ip.defragment", true) && (mf || fragOff !== 0) && ipLen > hlen && tvb.has(hlen, ipLen - hlen) && !ipsumBad) {
    const st = s.get("ip", () => new IpState());
    const key = `${src}|${dst}|${id}|${nxt}`;
    const r = st.defrag.add(key, pinfo.num, fragOff * 8, tvb.bytes(hlen, ipLen - hlen), mf);
    if (r !== null) next = showReassembly(r, "IPv4", IP_FRAGMENT_FIELDS, pinfo, top).tvb;
  } else if (fragOff === 0) {
    next = tvb.sub(hlen, payLen);
    pinfo.fragmented = mf;
  }

  if (next === null) {
    if (pinfo.cols !== null)
      pinfo.setInfo(`Fragmented IP protocol (proto=${ipProtoName(nxt)} ${nxt}, off=${fragOff * 8}, ID=${hex(id, 4)})`);
    callData(tvb.sub(hlen, payLen), pinfo, tree);
    pinfo.fragmented = saveFrag;
    return consumed;
  }
  if (next.reportedLength > 0) {
    pinfo.ipDepth++;
    const info: IpHeaderInfo = { version: 4, ttl, nxt, payloadLen: next.reportedLength };
    if (callTable("ip.proto", nxt, next, pinfo, tree, info) === 0 && !tryHeuristics("ip", next, pinfo, tree, info)) {
      if (pinfo.cols !== null) pinfo.setInfo(`${ipProtoName(nxt)} (${nxt})`);
      callData(next, pinfo, tree);
    }
    pinfo.ipDepth--;
  }
  pinfo.fragmented = saveFrag;
  return consumed;
}

function addDst(t: Item, tvb: Tvb, o: number, dst: number, dstStr: string): void {
  t.add(f.dst, tvb, o, 4, dst);
  t.add(f.addr, tvb, o, 4, dst).hidden = true;
  t.addGenerated(f.dstHost, tvb, o, 4, dstStr).hidden = true;
  t.addGenerated(f.host, tvb, o, 4, dstStr).hidden = true;
}

function lncbTtl(a: number): number {
  if (a === 0xe0000012) return 255; // VRRP
  if (a === 0xe0000066) return 255; // GLBP
  if (a === 0xe00000fb) return 255; // mDNS
  if (a === 0xe00000fc) return 0x1000; // LLMNR: any
  return 1;
}

// ---------------------------------------------------------------- options --

const NO_LEN = 0, FIXED = 1, VARIABLE = 2;
type OptFn = (o: number, len: number, c: OptCtx) => void;
interface OptDef {
  name: string;
  lenType: number;
  optlen: number;
  fn: OptFn;
}
interface OptCtx {
  tvb: Tvb;
  pinfo: PacketInfo;
  tree: Item;
  full: boolean;
  ttl: number;
}

function optType(t: Item, tvb: Tvb, o: number): void {
  const v = tvb.u8(o);
  const it = t.add(f.optType, tvb, o, 1, v);
  it.add(f.optTypeCopy, tvb, o, 1, (v & 0x80) !== 0);
  it.add(f.optTypeClass, tvb, o, 1, (v >> 5) & 3);
  it.add(f.optTypeNumber, tvb, o, 1, v & 0x1f);
}

/** The option's own item, type and length. Returns [subtree, length item]. */
function optHead(c: OptCtx, hf: typeof f.optEol, o: number, len: number, label: string | null, invalidLen: boolean): [Item, Item] {
  const t = c.tree.add(hf, c.tvb, o, len, null);
  if (c.full && label !== null) t.setText(label);
  optType(t, c.tvb, o);
  const l = t.add(f.optLen, c.tvb, o + 1, 1, c.tvb.u8(o + 1));
  if (invalidLen) l.expert("warn", "protocol", "Invalid length for option", "ip");
  return [t, l];
}

const IPOLEN_MAX = 40;

function optSimple(hf: typeof f.optEol): OptFn {
  return (o, _len, c) => {
    const t = c.tree.add(hf, c.tvb, o, 1, null);
    optType(t, c.tvb, o);
  };
}

function optRouteAddr(t: Item, tvb: Tvb, o: number, hf: typeof f.recRt, hfHost: typeof f.recRtHost, next: boolean, full: boolean): void {
  const a = tvb.u32(o);
  t.add(hf, tvb, o, 4, a, full && next ? `${ipv4ToString(a)} <- (next)` : undefined);
  t.addGenerated(hfHost, tvb, o, 4, ipv4ToString(a)).hidden = true;
}

function optRoute(hf: typeof f.optEol, name: string, record: boolean): OptFn {
  return (o, len, c) => {
    const { tvb } = c;
    const [t] = optHead(c, hf, o, len, `IP Option - ${name} (${len} bytes)`, len > IPOLEN_MAX);
    const ptr = tvb.u8(o + 2);
    const pi = t.add(f.optPtr, tvb, o + 2, 1, ptr);
    if (ptr < 4 || (ptr & 3) !== 0) {
      if (ptr < 4) pi.expert("warn", "protocol", "Pointer points before first address", "ip");
      else pi.expert("warn", "protocol", "Pointer points to middle of address", "ip");
      return;
    }
    let optoff = 3;
    for (let left = len - 3; left > 0; left -= 4, optoff += 4) {
      if (left < 4) {
        pi.expert("warn", "protocol", "Suboption would go past end of option", "ip");
        break;
      }
      if (ptr > len) optRouteAddr(t, tvb, o + optoff, f.recRt, f.recRtHost, false, c.full);
      else if (!record && optoff === len - 4) {
        const a = tvb.u32(o + optoff);
        addDst(t, tvb, o + optoff, a, ipv4ToString(a));
      } else if (optoff + 1 < ptr) optRouteAddr(t, tvb, o + optoff, f.recRt, f.recRtHost, false, c.full);
      else if (optoff + 1 === ptr)
        optRouteAddr(t, tvb, o + optoff, record ? f.emptyRt : f.srcRt, record ? f.emptyRtHost : f.srcRtHost, true, c.full);
      else optRouteAddr(t, tvb, o + optoff, record ? f.emptyRt : f.srcRt, record ? f.emptyRtHost : f.srcRtHost, false, c.full);
    }
  };
}

const optTimestamp: OptFn = (o, len, c) => {
  const { tvb } = c;
  const [t] = optHead(c, f.optTimestamp, o, len, `IP Option - Time Stamp (${len} bytes)`, len > IPOLEN_MAX);
  let off = o + 2;
  let left = len - 2;
  const ptr = tvb.u8(off);
  const sfx = ptr === 1 ? " (header is full)" : ptr < 5 ? " (points before first address)" : ((ptr - 1) & 3) !== 0 ? " (points to middle of field)" : "";
  t.add(f.optPtr, tvb, off, 1, ptr, c.full ? `${ptr}${sfx}` : undefined);
  off++;
  left--;
  const fl = tvb.u8(off);
  t.add(f.optOverflow, tvb, off, 1, fl >> 4);
  t.add(f.optFlag, tvb, off, 1, fl & 15);
  const flg = fl & 15;
  off++;
  left--;
  while (left > 0) {
    if (flg === 1 || flg === 3) {
      if (left < 8) {
        t.addText(tvb, off, left, "Suboption would go past end of option").expert("warn", "protocol", "Suboption would go past end of option", "ip");
        break;
      }
      const a = tvb.u32(off);
      t.add(f.optTimeStampAddr, tvb, off, 4, a, a === 0 ? "-" : undefined);
      off += 4;
      left -= 4;
      t.add(f.optTimeStamp, tvb, off, 4, tvb.u32(off));
      off += 4;
      left -= 4;
    } else {
      if (left < 4) {
        t.addText(tvb, off, left, "Suboption would go past end of option").expert("warn", "protocol", "Suboption would go past end of option", "ip");
        break;
      }
      t.add(f.optTimeStamp, tvb, off, 4, tvb.u32(off));
      off += 4;
      left -= 4;
    }
  }
};

function optU16(hf: typeof f.optEol, name: string, vf: typeof f.optSid): OptFn {
  return (o, len, c) => {
    const v = c.tvb.u16(o + 2);
    const [t, l] = optHead(c, hf, o, len, `IP Option - ${name} (${len} bytes): ${v}`, false);
    if (len !== 4) l.expert("warn", "protocol", "Invalid length for option", "ip");
    t.add(vf, c.tvb, o + 2, 2, v);
  };
}

const optRouterAlert: OptFn = (o, len, c) => {
  const v = c.tvb.u16(o + 2);
  const txt = v === 0 ? "Router shall examine packet" : "Reserved";
  const [t, l] = optHead(c, f.optRouterAlert, o, len, `IP Option - Router Alert (${len} bytes): ${txt} (${v})`, false);
  if (len !== 4) l.expert("warn", "protocol", "Invalid length for option", "ip");
  t.add(f.optRa, c.tvb, o + 2, 2, v, c.full ? `${txt} (${v})` : undefined);
};

const optTraceroute: OptFn = (o, len, c) => {
  const { tvb } = c;
  const [t, l] = optHead(c, f.optTraceroute, o, len, `IP Option - Traceroute (${len} bytes)`, false);
  if (len !== 12) l.expert("warn", "protocol", "Invalid length for option", "ip");
  t.add(f.optIdNumber, tvb, o + 2, 2, tvb.u16(o + 2));
  t.add(f.optOhc, tvb, o + 4, 2, tvb.u16(o + 4));
  t.add(f.optRhc, tvb, o + 6, 2, tvb.u16(o + 6));
  t.add(f.optOriginator, tvb, o + 8, 4, tvb.u32(o + 8));
};

const optSdb: OptFn = (o, len, c) => {
  const { tvb } = c;
  const [t] = optHead(c, f.optSdb, o, len, `IP Option - Selective Directed Broadcast (${len} bytes)`, len > IPOLEN_MAX);
  let off = o + 2;
  let left = len - 2;
  for (; left >= 4; off += 4, left -= 4) t.add(f.optAddr, tvb, off, 4, tvb.u32(off));
  if (left > 0) t.add(f.optPadding, tvb, off, left, tvb.bytes(off, left));
};

const optSecurity: OptFn = (o, len, c) => {
  const { tvb } = c;
  const [t] = optHead(c, f.optSecurity, o, len, `IP Option - Security (${len} bytes)`, len > IPOLEN_MAX);
  const off = o + 2;
  if (len === 11) {
    const v = tvb.u16(off);
    if (SEC_RFC791[v] !== undefined) {
      t.add(f.optSecRfc791Sec, tvb, off, 2, v);
      t.add(f.optSecRfc791Comp, tvb, off + 2, 2, tvb.u16(off + 2));
      t.add(f.optSecRfc791Hr, tvb, off + 4, 2, tvb.ascii(off + 4, 2));
      t.add(f.optSecRfc791Tcc, tvb, off + 6, 3, tvb.ascii(off + 6, 3));
      return;
    }
  }
  t.add(f.optSecCl, tvb, off, 1, tvb.u8(off));
  if (len > 3) t.add(f.optSecProtAuthFlags, tvb, off + 1, 1, tvb.u8(off + 1));
};

const optExtSecurity: OptFn = (o, len, c) => {
  const { tvb } = c;
  const [t] = optHead(c, f.optExtSecurity, o, len, `IP Option - Extended Security (${len} bytes)`, len > IPOLEN_MAX);
  t.add(f.optExtSecFormat, tvb, o + 2, 1, tvb.u8(o + 2));
  if (len > 3) t.add(f.optExtSecInfo, tvb, o + 3, len - 3, tvb.bytes(o + 3, len - 3));
};

const optCipso: OptFn = (o, len, c) => {
  const { tvb } = c;
  const [t] = optHead(c, f.optCipso, o, len, `IP Option - Commercial Security (${len} bytes)`, len > IPOLEN_MAX);
  t.add(f.cipsoDoi, tvb, o + 2, 4, tvb.u32(o + 2));
};

const optQs: OptFn = (o, len, c) => {
  const { tvb } = c;
  const cmd = tvb.u8(o + 2);
  const fn = cmd >> 4;
  const [t, l] = optHead(c, f.optQs, o, len, `IP Option - Quick-Start (${len} bytes): ${QS_FUNC[fn] ?? `Unknown (${fn})`} (${fn})`, false);
  if (len !== 8) l.expert("warn", "protocol", "Invalid length for option", "ip");
  t.add(f.optQsFunc, tvb, o + 2, 1, fn);
  if (fn === 0 || fn === 8) {
    t.add(f.optQsRate, tvb, o + 2, 1, cmd & 15);
    if (fn === 0) t.add(f.optQsTtl, tvb, o + 3, 1, tvb.u8(o + 3));
    t.add(f.optQsNonce, tvb, o + 4, 4, (tvb.u32(o + 4) & 0xfffffffc) >>> 2);
  }
};

const OPTS: (OptDef | undefined)[] = [];
function defOpt(code: number, name: string, lenType: number, optlen: number, fn: OptFn): void {
  OPTS[code] = { name, lenType, optlen, fn };
}
defOpt(0x00, "End of Options List (EOL)", NO_LEN, 0, optSimple(f.optEol));
defOpt(0x01, "No-Operation (NOP)", NO_LEN, 0, optSimple(f.optNop));
defOpt(0x82, "Security", VARIABLE, 3, optSecurity);
defOpt(0x83, "Loose Source Route", VARIABLE, 3, optRoute(f.optRoute, "Loose Source Route", false));
defOpt(0x44, "Time Stamp", VARIABLE, 4, optTimestamp);
defOpt(0x85, "Extended Security", VARIABLE, 3, optExtSecurity);
defOpt(0x86, "Commercial Security", VARIABLE, 10, optCipso);
defOpt(0x07, "Record Route", VARIABLE, 3, optRoute(f.optRecordRoute, "Record Route", true));
defOpt(0x88, "Stream ID", FIXED, 4, optU16(f.optStreamId, "Stream ID", f.optSid));
defOpt(0x89, "Strict Source Route", VARIABLE, 3, optRoute(f.optSourceRoute, "Strict Source Route", false));
defOpt(0x0b, "MTU Probe", FIXED, 4, optU16(f.optMtuProbe, "MTU Probe", f.optMtu));
defOpt(0x0c, "MTU Reply", FIXED, 4, optU16(f.optMtuReply, "MTU Reply", f.optMtu));
defOpt(0x52, "Traceroute", FIXED, 12, optTraceroute);
defOpt(0x94, "Router Alert", FIXED, 4, optRouterAlert);
defOpt(0x95, "Selective Directed Broadcast", VARIABLE, 6, optSdb);
defOpt(0x19, "Quick-Start", FIXED, 8, optQs);

function badOpt(c: OptCtx, o: number, n: number, msg: string): void {
  c.tree.addText(c.tvb, o, n, msg).expert("warn", "protocol", msg, "ip");
}

/** Wireshark's dissect_ip_tcp_options over the IPv4 option bytes [o, o+length). */
function dissectOptions(tvb: Tvb, o: number, length: number, pinfo: PacketInfo, optItem: Item, ttl: number): void {
  const c: OptCtx = { tvb, pinfo, tree: optItem, full: optItem.tree.full, ttl };
  let nops = 0;
  while (length > 0) {
    const opt = tvb.u8(o);
    const def = OPTS[opt];
    let name: string, lenType: number, optlen: number;
    if (def === undefined) {
      name = `Unknown (0x${hex(opt, 2)})`;
      lenType = VARIABLE;
      optlen = 2;
      nops = 0;
    } else {
      name = def.name;
      lenType = def.lenType;
      optlen = def.optlen;
      if (opt === 1 && (nops === 0 || o % 4 !== 0)) nops++;
      else nops = 0;
    }
    length--;
    if (lenType !== NO_LEN) {
      if (length === 0) {
        badOpt(c, o, 1, `${name} (length byte past end of options)`);
        return;
      }
      const len = tvb.u8(o + 1);
      length--;
      const s = len === 1 ? "" : "s";
      if (len < 2) {
        badOpt(c, o, 2, `${name} (with too-short option length = ${len} byte${s})`);
        return;
      } else if (len - 2 > length) {
        badOpt(c, o, length, `${name} (option length = ${len} byte${s} says option goes past end of options)`);
        return;
      } else if (lenType === FIXED && len !== optlen) {
        badOpt(c, o, len, `${name} (with option length = ${len} byte${s}; should be ${optlen})`);
        return;
      } else if (lenType === VARIABLE && len < optlen) {
        badOpt(c, o, len, `${name} (with option length = ${len} byte${s}; should be >= ${optlen})`);
        return;
      }
      if (def === undefined) {
        c.tree.addText(tvb, o, len, `${name} (${len} byte${s})`);
      } else {
        if (c.full) optItem.appendText(`, ${def.name}`);
        def.fn(o, len, c);
      }
      o += len;
      length -= len - 2;
    } else {
      def!.fn(o, 1, c);
      o += 1;
      if (nops === 4 && opt === 1)
        optItem.expert("warn", "protocol", "4 NOP in a row - a router may have removed some options", "ip");
    }
    if (opt === 0) break;
  }
}

/**
 * Offset (from the fixed header's destination) of the final destination when a
 * loose/strict source route option with a valid pointer is present, else 0.
 */
function routeDstOffset(tvb: Tvb, o: number, length: number): number {
  const orig = o;
  while (length > 0) {
    if (!tvb.has(o, 1)) return 0;
    const opt = tvb.u8(o);
    const def = OPTS[opt];
    const lenType = def === undefined ? VARIABLE : def.lenType;
    const optlen = def === undefined ? 2 : def.optlen;
    length--;
    if (lenType !== NO_LEN) {
      if (length === 0 || !tvb.has(o + 1, 1)) return 0;
      const len = tvb.u8(o + 1);
      length--;
      if (len < 2 || len - 2 > length) return 0;
      if (lenType === FIXED && len !== optlen) return 0;
      if (lenType === VARIABLE && len < optlen) return 0;
      if (opt === 0x83 || opt === 0x89) {
        if (!tvb.has(o + 2, 1)) return 0;
        const ptr = tvb.u8(o + 2);
        if (ptr < 4 || (ptr & 3) !== 0 || ptr > len) return 0;
        return o - orig + 4 + (len - 4);
      }
      o += len;
      length -= len - 2;
    } else {
      o += 1;
    }
    if (opt === 0) return 0;
  }
  return 0;
}
