/**
 * The IPv4 field list (tshark 4.0 packet-ip.c names, labels, types) and its value
 * tables: IP protocol numbers, DSCP/ECN names, option numbers and option values.
 * Pure data: dissectors/ip.ts passes IP_FIELDS to defineProtocol; ip-options.ts gets
 * the registered fields through bindIpOptionFields, so it does not import ip.ts.
 */
import { fragmentFieldSpecs } from "../src/analysis/defrag.js";
import type { Field, FieldSpec } from "../src/core/field.js";
import { CHECKSUM_STATUS } from "../src/core/proto.js";

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
export const SEC_RFC791: Record<number, string> = {
  0x0000: "Unclassified", 0xf135: "Confidential", 0x789a: "EFTO", 0xbc4d: "MMMM", 0x5e26: "PROG", 0xaf13: "Restricted",
  0xd788: "Secret", 0x6bc5: "Top secret", 0x35e2: "Reserved", 0x9af1: "Reserved", 0x4d78: "Reserved", 0x24bd: "Reserved",
  0x135e: "Reserved", 0x89af: "Reserved", 0xc4d6: "Reserved", 0xe26b: "Reserved",
};
const SEC_CL: Record<number, string> = {
  0x3d: "Reserved 4", 0x5a: "Top secret", 0x96: "Secret", 0x66: "Confidential", 0x01: "Reserved 1", 0xab: "Unclassified",
  0xcc: "Reserved 2", 0xf1: "Reserved 3",
};
export const QS_FUNC: Record<number, string> = { 0: "Rate request", 8: "Rate report" };

const B8 = { bits: 8 } as const;

/** The IPv4 fields in registration order (ip.f once registered). */
export const IP_FIELDS = {
  version: { abbrev: "ip.version", name: "Version", type: "uint8", bitmask: 0xf0, ...B8, labelMask: true },
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
  // tshark registers each option as a protocol "in name only" whose items are FT_BYTES (the
  // option's bytes: -T fields prints them, -T json gives them as the value beside "_tree")
  optEol: { abbrev: "ip.options.eol", name: "IP Option - End of Options List (EOL)", type: "bytes" , nameOnlyProtocol: true },
  optNop: { abbrev: "ip.options.nop", name: "IP Option - No-Operation (NOP)", type: "bytes" , nameOnlyProtocol: true },
  optSecurity: { abbrev: "ip.options.security", name: "IP Option - Security", type: "bytes" , nameOnlyProtocol: true },
  optRoute: { abbrev: "ip.options.route", name: "IP Option - Loose Source Route", type: "bytes" , nameOnlyProtocol: true },
  optTimestamp: { abbrev: "ip.options.timestamp", name: "IP Option - Time Stamp", type: "bytes" , nameOnlyProtocol: true },
  optExtSecurity: { abbrev: "ip.options.ext_security", name: "IP Option - Extended Security", type: "bytes" , nameOnlyProtocol: true },
  optCipso: { abbrev: "ip.options.cipso", name: "IP Option - Commercial Security", type: "bytes" , nameOnlyProtocol: true },
  optRecordRoute: { abbrev: "ip.options.record_route", name: "IP Option - Record Route", type: "bytes" , nameOnlyProtocol: true },
  optStreamId: { abbrev: "ip.options.sid", name: "IP Option - Stream ID", type: "bytes" , nameOnlyProtocol: true },
  optSourceRoute: { abbrev: "ip.options.source_route", name: "IP Option - Strict Source Route", type: "bytes" , nameOnlyProtocol: true },
  optMtuProbe: { abbrev: "ip.options.mtu_probe", name: "IP Option - MTU Probe", type: "bytes" , nameOnlyProtocol: true },
  optMtuReply: { abbrev: "ip.options.mtu_reply", name: "IP Option - MTU Reply", type: "bytes" , nameOnlyProtocol: true },
  optTraceroute: { abbrev: "ip.options.traceroute", name: "IP Option - Traceroute", type: "bytes" , nameOnlyProtocol: true },
  optRouterAlert: { abbrev: "ip.options.routeralert", name: "IP Option - Router Alert", type: "bytes" , nameOnlyProtocol: true },
  optSdb: { abbrev: "ip.options.sdb", name: "IP Option - Selective Directed Broadcast", type: "bytes" , nameOnlyProtocol: true },
  optQs: { abbrev: "ip.options.qs", name: "IP Option - Quick-Start", type: "bytes" , nameOnlyProtocol: true },
  // reassembly
  ...fragmentFieldSpecs("ip", "IPv4", "ip.reassembled_in", "bytes"),
  // expert infos
  eOptLenInvalid: { abbrev: "ip.opt.len.invalid", name: "Invalid length for option", type: "none" },
  eOptPtrBeforeAddress: { abbrev: "ip.opt.ptr.before_address", name: "Pointer points before first address", type: "none" },
  eOptPtrMiddleAddress: { abbrev: "ip.opt.ptr.middle_address", name: "Pointer points to middle of address", type: "none" },
  eSuboptTooLong: { abbrev: "ip.subopt_too_long", name: "Suboption would go past end of option", type: "none" },
  eNop: { abbrev: "ip.nop", name: "4 NOP in a row - a router may have removed some options", type: "none" },
  eBogusIpLength: { abbrev: "ip.bogus_ip_length", name: "Bogus IP length", type: "none" },
  eChecksumBad: { abbrev: "ip.checksum_bad.expert", name: "Bad checksum", type: "none" },
  eTtlLncb: { abbrev: "ip.ttl.lncb", name: "Time To Live", type: "none" },
  eTtlTooSmall: { abbrev: "ip.ttl.too_small", name: "Time To Live", type: "none" },
  eBogusIpVersion: { abbrev: "ip.bogus_ip_version", name: "Bogus IP version", type: "none" },
  eBogusHeaderLength: { abbrev: "ip.bogus_header_length", name: "Bogus IP header length", type: "none" },
} satisfies Record<string, FieldSpec>;

/** The registered IPv4 fields (ip.f). */
export type IpFields = { [K in keyof typeof IP_FIELDS]: Field };
