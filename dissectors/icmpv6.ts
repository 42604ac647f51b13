/**
 * Internet Control Message Protocol v6 (tshark 4.0 packet-icmpv6.c): errors
 * quoting the offending IPv6 packet, echo (with request/reply matching), neighbour
 * discovery (RS/RA/NS/NA/redirect) with their options, MLD and MLDv2.
 * The neighbour discovery options are in icmpv6-nd.ts.
 */
import { addrKey, EchoMatcher, type EchoSpec } from "../src/analysis/echo.js";
import { hex, ipv6ToString } from "../src/core/format.js";
import type { PacketInfo } from "../src/core/pinfo.js";
import { callData, defineProtocol, CHECKSUM_STATUS } from "../src/core/proto.js";
import type { Item } from "../src/core/tree.js";
import type { Tvb } from "../src/core/tvb.js";
import { dissectQuoted } from "./icmp.js";
import { cksumShouldBe, onesSum, type IpHeaderInfo } from "./ip.js";
import type { Ipv6Info } from "./ipv6.js";
import { ND_OPTION_FIELDS, PRF, bindNdOptionFields, dissectNdOptions } from "./icmpv6-nd.js";
import { NI_FIELDS, NI_QUERY_CODES, NI_REPLY_CODES, bindNiFields, dissectNodeInfo } from "./icmpv6-ni.js";
import { RPL_FIELDS, bindRplFields, dissectRpl, rplBodyKnown } from "./icmpv6-rpl.js";

export { ICMPV6_OPT_TYPES } from "./icmpv6-nd.js";

export const ICMPV6_TYPES: Record<number, string> = {
  1: "Destination Unreachable", 2: "Packet Too Big", 3: "Time Exceeded", 4: "Parameter Problem",
  100: "Private experimentation", 101: "Private experimentation", 127: "Reserved for expansion of ICMPv6 error messages",
  128: "Echo (ping) request", 129: "Echo (ping) reply", 130: "Multicast Listener Query", 131: "Multicast Listener Report",
  132: "Multicast Listener Done", 133: "Router Solicitation", 134: "Router Advertisement", 135: "Neighbor Solicitation",
  136: "Neighbor Advertisement", 137: "Redirect", 138: "Router Renumbering", 139: "Node Information Query",
  140: "Node Information Reply", 141: "Inverse Neighbor Discovery Solicitation",
  142: "Inverse Neighbor Discovery Advertisement", 143: "Multicast Listener Report Message v2",
  144: "Home Agent Address Discovery Request", 145: "Home Agent Address Discovery Reply",
  146: "Mobile Prefix Solicitation", 147: "Mobile Prefix Advertisement", 148: "Certification Path Solicitation",
  149: "Certification Path Advertisement", 150: "Experimental Mobility", 151: "Multicast Router Advertisement",
  152: "Multicast Router Solicitation", 153: "Multicast Router Termination", 154: "FMIPv6", 155: "RPL Control",
  156: "Locator Update", 157: "Duplicate Address Request", 158: "Duplicate Address Confirmation",
  159: "MPL Control Message", 160: "Extended Echo request", 161: "Extended Echo reply",
  200: "Private experimentation", 201: "Private experimentation",
  255: "Reserved for expansion of ICMPv6 informational messages",
};

const CODES: Record<number, Record<number, string>> = {
  1: {
    0: "no route to destination", 1: "Administratively prohibited", 2: "Beyond scope of source address",
    3: "Address unreachable", 4: "Port unreachable", 5: "Source address failed ingress/egress policy",
    6: "Reject route to destination", 7: "Error in Source Routing Header",
  },
  3: { 0: "hop limit exceeded in transit", 1: "fragment reassembly time exceeded" },
  139: NI_QUERY_CODES,
  140: NI_REPLY_CODES,
  // RPL (RFC 6550, 6997): the message is named in Code and Info; icmpv6-rpl.ts dissects the body of some
  155: {
    0x00: "DODAG Information Solicitation", 0x01: "DODAG Information Object", 0x02: "Destination Advertisement Object",
    0x03: "Destination Advertisement Object Acknowledgment", 0x04: "P2P Discovery Reply Object",
    0x05: "P2P Discovery Reply Object Acknowledgement", 0x80: "Secure DODAG Information Solicitation",
    0x81: "Secure DODAG Information Object", 0x82: "Secure Destination Advertisement Object",
    0x83: "Secure Destination Advertisement Object Acknowledgment", 0x8a: "Consistency Check",
  },
  4: {
    0: "erroneous header field encountered", 1: "unrecognized Next Header type encountered",
    2: "unrecognized IPv6 option encountered", 3: "IPv6 First Fragment has incomplete IPv6 Header Chain",
  },
};

const MLDR_RECORD: Record<number, string> = {
  1: "Include", 2: "Exclude", 3: "Changed to include", 4: "Changed to exclude", 5: "Allow new sources", 6: "Block old sources",
};

export const icmpv6 = defineProtocol({
  name: "Internet Control Message Protocol v6",
  abbrev: "icmpv6",
  short: "ICMPv6",
  fields: {
    type: { abbrev: "icmpv6.type", name: "Type", type: "uint8", strings: ICMPV6_TYPES },
    code: { abbrev: "icmpv6.code", name: "Code", type: "uint8" },
    checksum: { abbrev: "icmpv6.checksum", name: "Checksum", type: "uint16", base: "hex" },
    checksumStatus: { abbrev: "icmpv6.checksum.status", name: "Checksum Status", type: "uint8", base: "none", strings: CHECKSUM_STATUS },
    reserved: { abbrev: "icmpv6.reserved", name: "Reserved", type: "bytes" },
    data: { abbrev: "icmpv6.data", name: "Data", type: "bytes" },
    mtu: { abbrev: "icmpv6.mtu", name: "MTU", type: "uint32" },
    pointer: { abbrev: "icmpv6.pointer", name: "Pointer", type: "uint32" },
    echoId: { abbrev: "icmpv6.echo.identifier", name: "Identifier", type: "uint16", base: "hex" },
    // RFC 6275 Mobile IPv6: home agent discovery (144/145), mobile prefix solicitation/advertisement (146/147)
    mip6Identifier: { abbrev: "icmpv6.mip6.identifier", name: "Identifier", type: "uint16", base: "dec_hex" },
    mip6HomeAgentAddress: { abbrev: "icmpv6.mip6.home_agent_address", name: "Home Agent Address", type: "ipv6" },
    mip6Flag: { abbrev: "icmpv6.mip6.flag", name: "Flags", type: "uint16", base: "hex" },
    mip6FlagM: { abbrev: "icmpv6.mip6.flag.m", name: "Managed address configuration", type: "bool", bitmask: 0x8000, bits: 16 },
    mip6FlagO: { abbrev: "icmpv6.mip6.flag.o", name: "Other configuration", type: "bool", bitmask: 0x4000, bits: 16 },
    mip6FlagRsv: { abbrev: "icmpv6.mip6.flag.rsv", name: "Reserved", type: "uint16", bitmask: 0x3fff, bits: 16 },
    echoSeq: { abbrev: "icmpv6.echo.sequence_number", name: "Sequence", type: "uint16" },
    respIn: { abbrev: "icmpv6.resp_in", name: "Response In", type: "framenum" },
    noResp: { abbrev: "icmpv6.no_resp", name: "No response seen", type: "none" },
    respTo: { abbrev: "icmpv6.resp_to", name: "Response To", type: "framenum" },
    respTime: { abbrev: "icmpv6.resptime", name: "Response Time", type: "double" },
    raCurHopLimit: { abbrev: "icmpv6.nd.ra.cur_hop_limit", name: "Cur hop limit", type: "uint8" },
    raFlag: { abbrev: "icmpv6.nd.ra.flag", name: "Flags", type: "uint8", base: "hex" },
    raFlagM: { abbrev: "icmpv6.nd.ra.flag.m", name: "Managed address configuration", type: "bool", bitmask: 0x80, bits: 8 },
    raFlagO: { abbrev: "icmpv6.nd.ra.flag.o", name: "Other configuration", type: "bool", bitmask: 0x40, bits: 8 },
    raFlagH: { abbrev: "icmpv6.nd.ra.flag.h", name: "Home Agent", type: "bool", bitmask: 0x20, bits: 8 },
    raFlagPrf: { abbrev: "icmpv6.nd.ra.flag.prf", name: "Prf (Default Router Preference)", type: "uint8", bitmask: 0x18, bits: 8, strings: PRF },
    raFlagP: { abbrev: "icmpv6.nd.ra.flag.p", name: "Proxy", type: "bool", bitmask: 0x04, bits: 8 },
    raFlagRsv: { abbrev: "icmpv6.nd.ra.flag.rsv", name: "Reserved", type: "uint8", bitmask: 0x03, bits: 8 },
    raRouterLifetime: { abbrev: "icmpv6.nd.ra.router_lifetime", name: "Router lifetime (s)", type: "uint16" },
    raReachableTime: { abbrev: "icmpv6.nd.ra.reachable_time", name: "Reachable time (ms)", type: "uint32" },
    raRetransTimer: { abbrev: "icmpv6.nd.ra.retrans_timer", name: "Retrans timer (ms)", type: "uint32" },
    nsTarget: { abbrev: "icmpv6.nd.ns.target_address", name: "Target Address", type: "ipv6" },
    naFlag: { abbrev: "icmpv6.nd.na.flag", name: "Flags", type: "uint32", base: "hex" },
    naFlagR: { abbrev: "icmpv6.nd.na.flag.r", name: "Router", type: "bool", bitmask: 0x80000000, bits: 32 },
    naFlagS: { abbrev: "icmpv6.nd.na.flag.s", name: "Solicited", type: "bool", bitmask: 0x40000000, bits: 32 },
    naFlagO: { abbrev: "icmpv6.nd.na.flag.o", name: "Override", type: "bool", bitmask: 0x20000000, bits: 32 },
    naFlagRsv: { abbrev: "icmpv6.nd.na.flag.rsv", name: "Reserved", type: "uint32", bitmask: 0x1fffffff, bits: 32 },
    naTarget: { abbrev: "icmpv6.nd.na.target_address", name: "Target Address", type: "ipv6" },
    rdTarget: { abbrev: "icmpv6.nd.rd.target_address", name: "Target Address", type: "ipv6" },
    rdDest: { abbrev: "icmpv6.rd.na.destination_address", name: "Destination Address", type: "ipv6" },
    ...ND_OPTION_FIELDS,
    ...NI_FIELDS,
    ...RPL_FIELDS,
    mldMaxRespDelay: { abbrev: "icmpv6.mld.maximum_response_delay", name: "Maximum Response Delay [ms]", type: "uint16" },
    mldMaxRespCode: { abbrev: "icmpv6.mld.maximum_response_code", name: "Maximum Response Code", type: "uint16" },
    mldMulticastAddress: { abbrev: "icmpv6.mld.multicast_address", name: "Multicast Address", type: "ipv6" },
    mldFlag: { abbrev: "icmpv6.mld.flag", name: "Flags", type: "uint8", base: "hex" },
    mldFlagS: { abbrev: "icmpv6.mld.flag.s", name: "Suppress Router-Side Processing", type: "bool", bitmask: 0x08, bits: 8, tfs: ["True", "False"] },
    mldFlagQrv: { abbrev: "icmpv6.mld.flag.qrv", name: "QRV (Querier's Robustness Variable)", type: "uint8", bitmask: 0x07, bits: 8 },
    mldFlagRsv: { abbrev: "icmpv6.mld.flag.reserved", name: "Reserved", type: "uint8", bitmask: 0xf0, bits: 8 },
    mldQqi: { abbrev: "icmpv6.mld.qqi", name: "QQIC (Querier's Query Interval Code)", type: "uint8" },
    mldNbSources: { abbrev: "icmpv6.mld.nb_sources", name: "Number of Sources", type: "uint16" },
    mldSource: { abbrev: "icmpv6.mld.source_address", name: "Source Address", type: "ipv6" },
    mldrNbRecords: { abbrev: "icmpv6.mldr.nb_mcast_records", name: "Number of Multicast Address Records", type: "uint16" },
    mldrMar: { abbrev: "icmpv6.mldr.mar", name: "Multicast Address Record", type: "none" },
    mldrRecordType: { abbrev: "icmpv6.mldr.mar.record_type", name: "Record Type", type: "uint8", strings: MLDR_RECORD },
    mldrAuxLen: { abbrev: "icmpv6.mldr.mar.aux_data_len", name: "Aux Data Len", type: "uint8" },
    mldrNbSources: { abbrev: "icmpv6.mldr.mar.nb_sources", name: "Number of Sources", type: "uint16" },
    mldrMulticastAddress: { abbrev: "icmpv6.mldr.mar.multicast_address", name: "Multicast Address", type: "ipv6" },
    mldrSource: { abbrev: "icmpv6.mldr.mar.source_address", name: "Source Address", type: "ipv6" },
    mldrAux: { abbrev: "icmpv6.mldr.mar.auxiliary_data", name: "Auxiliary Data", type: "bytes" },
    // expert infos
    eInvalidOptionLength: { abbrev: "icmpv6.invalid_option_length", name: "Invalid Option Length", type: "none" },
    eChecksumBad: { abbrev: "icmpv6.checksum_bad.expert", name: "Bad checksum", type: "none" },
  },
  registers: [["ip.proto", 58]],
  dissect: dissectIcmpv6,
});

const f = icmpv6.f;
bindNdOptionFields(f);
const RA_FLAGS = [f.raFlagM, f.raFlagO, f.raFlagH, f.raFlagPrf, f.raFlagP, f.raFlagRsv];
bindNiFields(f);
bindRplFields(f);

/** ping6's request/reply matching (src/analysis/echo.ts), one per session. */
const ECHO: EchoSpec = {
  fields: f, note: "icmpv6.resp_in", proto: "icmpv6", noRespExpert: "icmpv6.resp_not_found",
  noRespMessage: (num) => `No response seen to ICMPv6 request in frame ${num}`,
};

function dissectIcmpv6(tvb: Tvb, pinfo: PacketInfo, tree: Item, data?: unknown): number {
  pinfo.setProtocol("ICMPv6");
  pinfo.setInfo("");
  // the protocol item first: a message with no bytes at all still shows it, then its mark
  const top = tree.add(icmpv6.hf, tvb, 0, tvb.length, null);
  const type = tvb.u8(0);
  const code = tvb.u8(1);
  const full = top.tree.full;
  const typeStr = ICMPV6_TYPES[type] ?? "Unknown";
  top.add(f.type, tvb, 0, 1, type);
  const codes = CODES[type];
  const codeStr = codes === undefined ? undefined : codes[code] ?? (type === 155 ? `Unknown (${code})` : "Unknown");
  top.add(f.code, tvb, 1, 1, code, full && codeStr !== undefined ? `${code} (${codeStr})` : undefined);
  if (pinfo.cols !== null) pinfo.setInfo(codeStr !== undefined ? `${typeStr} (${codeStr})` : typeStr);

  const inError = pinfo.inErrorPkt;
  const sum = tvb.u16(2);
  const len = tvb.reportedLength;
  const ip6 = data !== null && typeof data === "object" && "ipTree" in (data as object) ? (data as Ipv6Info) : null;
  const src = ip6 !== null ? ip6.src : pinfo.netSrc;
  const dst = ip6 !== null ? ip6.pseudoDst ?? ip6.dst : pinfo.netDst;
  if (!inError && !pinfo.fragmented && tvb.length >= len && src !== null && dst !== null && src.length === 16) {
    let s = 0;
    for (let i = 0; i < 16; i += 2) s += ((src[i] << 8) | src[i + 1]) + ((dst[i] << 8) | dst[i + 1]);
    s += (len >>> 16) + (len & 0xffff) + 58;
    const computed = ~onesSum(tvb, 0, len, s) & 0xffff;
    if (computed === 0) {
      top.add(f.checksum, tvb, 2, 2, sum, full ? `0x${hex(sum, 4)} [correct]` : undefined);
      top.addGenerated(f.checksumStatus, tvb, 2, 0, 1);
    } else {
      const should = cksumShouldBe(sum, computed);
      top.add(f.checksum, tvb, 2, 2, sum, full ? `0x${hex(sum, 4)} incorrect, should be 0x${hex(should, 4)}` : undefined)
        .expert("warn", "checksum", `Bad checksum [should be 0x${hex(should, 4)}]`, "icmpv6", "icmpv6.checksum_bad.expert");
      top.addGenerated(f.checksumStatus, tvb, 2, 0, 0);
    }
  } else {
    // not checked: tshark says why (a cut-short message is "fragmented datagram" to it too)
    const why = inError ? "in ICMP error packet" : "fragmented datagram";
    top.add(f.checksum, tvb, 2, 2, sum, full ? `0x${hex(sum, 4)} [unverified] [${why}]` : undefined);
    top.addGenerated(f.checksumStatus, tvb, 2, 0, 2);
  }

  switch (type) {
    case 1: case 3:
      top.add(f.reserved, tvb, 4, 4, tvb.bytes(4, 4));
      dissectQuoted(tvb.sub(8), pinfo, top, 0x86dd);
      break;
    case 2:
      top.add(f.mtu, tvb, 4, 4, tvb.u32(4));
      dissectQuoted(tvb.sub(8), pinfo, top, 0x86dd);
      break;
    case 4:
      top.add(f.pointer, tvb, 4, 4, tvb.u32(4));
      dissectQuoted(tvb.sub(8), pinfo, top, 0x86dd);
      break;
    case 128: case 129: {
      const id = tvb.u16(4), seq = tvb.u16(6);
      top.add(f.echoId, tvb, 4, 2, id);
      top.add(f.echoSeq, tvb, 6, 2, seq);
      if (pinfo.cols !== null) {
        pinfo.appendInfo(` id=0x${hex(id, 4)}, seq=${seq}`);
        const iph = data as IpHeaderInfo | undefined;
        if (iph && iph.version === 6) pinfo.appendInfo(`, hop limit=${iph.ttl}`);
      }
      if (!inError) matchEcho(type, tvb, pinfo, top);
      if (tvb.remaining(8) > 0) callData(tvb.sub(8), pinfo, top);
      break;
    }
    case 130: case 131: case 132: {
      if (type === 130 && len >= 28) {
        top.add(f.mldMaxRespCode, tvb, 4, 2, tvb.u16(4));
        top.add(f.reserved, tvb, 6, 2, tvb.bytes(6, 2));
        top.add(f.mldMulticastAddress, tvb, 8, 16, tvb.bytes(8, 16));
        top.addBitmask(f.mldFlag, tvb, 24, 1, tvb.u8(24), [f.mldFlagS, f.mldFlagQrv, f.mldFlagRsv]);
        top.add(f.mldQqi, tvb, 25, 1, tvb.u8(25));
        const n = tvb.u16(26);
        top.add(f.mldNbSources, tvb, 26, 2, n);
        for (let i = 0; i < n; i++) top.add(f.mldSource, tvb, 28 + i * 16, 16, tvb.bytes(28 + i * 16, 16));
      } else {
        top.add(f.mldMaxRespDelay, tvb, 4, 2, tvb.u16(4));
        top.add(f.reserved, tvb, 6, 2, tvb.bytes(6, 2));
        const a = tvb.bytes(8, 16);
        top.add(f.mldMulticastAddress, tvb, 8, 16, a);
        if (pinfo.cols !== null && type !== 130) pinfo.appendInfo(` ${ipv6ToString(a)}`);
      }
      break;
    }
    case 139: case 140:
      dissectNodeInfo(tvb, top, type, code);
      break;
    case 143: {
      top.add(f.reserved, tvb, 4, 2, tvb.bytes(4, 2));
      const n = tvb.u16(6);
      top.add(f.mldrNbRecords, tvb, 6, 2, n);
      let o = 8;
      for (let i = 0; i < n; i++) {
        const rt = tvb.u8(o), aux = tvb.u8(o + 1), ns = tvb.u16(o + 2);
        const recLen = 20 + ns * 16 + aux * 4;
        const ma = tvb.bytes(o + 4, 16);
        const r = top.add(f.mldrMar, tvb, o, recLen, null);
        if (full) r.setText(`Multicast Address Record ${MLDR_RECORD[rt] ?? "Unknown"}: ${ipv6ToString(ma)}`);
        r.add(f.mldrRecordType, tvb, o, 1, rt);
        r.add(f.mldrAuxLen, tvb, o + 1, 1, aux);
        r.add(f.mldrNbSources, tvb, o + 2, 2, ns);
        r.add(f.mldrMulticastAddress, tvb, o + 4, 16, ma);
        for (let j = 0; j < ns; j++) r.add(f.mldrSource, tvb, o + 20 + j * 16, 16, tvb.bytes(o + 20 + j * 16, 16));
        if (aux > 0) r.add(f.mldrAux, tvb, o + 20 + ns * 16, aux * 4, tvb.bytes(o + 20 + ns * 16, aux * 4));
        o += recLen;
      }
      break;
    }
    case 133:
      top.add(f.reserved, tvb, 4, 4, tvb.bytes(4, 4));
      dissectNdOptions(tvb, 8, pinfo, top);
      break;
    case 134: {
      top.add(f.raCurHopLimit, tvb, 4, 1, tvb.u8(4));
      top.addBitmask(f.raFlag, tvb, 5, 1, tvb.u8(5), RA_FLAGS);
      top.add(f.raRouterLifetime, tvb, 6, 2, tvb.u16(6));
      top.add(f.raReachableTime, tvb, 8, 4, tvb.u32(8));
      top.add(f.raRetransTimer, tvb, 12, 4, tvb.u32(12));
      dissectNdOptions(tvb, 16, pinfo, top);
      break;
    }
    case 135: {
      top.add(f.reserved, tvb, 4, 4, tvb.bytes(4, 4));
      const t = tvb.bytes(8, 16);
      top.add(f.nsTarget, tvb, 8, 16, t);
      if (pinfo.cols !== null) pinfo.appendInfo(` for ${ipv6ToString(t)}`);
      dissectNdOptions(tvb, 24, pinfo, top);
      break;
    }
    case 136: {
      const fl = tvb.u32(4);
      top.addBitmask(f.naFlag, tvb, 4, 4, fl, [f.naFlagR, f.naFlagS, f.naFlagO, f.naFlagRsv]);
      const t = tvb.bytes(8, 16);
      top.add(f.naTarget, tvb, 8, 16, t);
      if (pinfo.cols !== null) {
        pinfo.appendInfo(` ${ipv6ToString(t)}`);
        const fs: string[] = [];
        if (fl & 0x80000000) fs.push("rtr");
        if (fl & 0x40000000) fs.push("sol");
        if (fl & 0x20000000) fs.push("ovr");
        if (fs.length > 0) pinfo.appendInfo(` (${fs.join(", ")})`);
      }
      dissectNdOptions(tvb, 24, pinfo, top);
      break;
    }
    case 144: case 145: case 146: {
      top.add(f.mip6Identifier, tvb, 4, 2, tvb.u16(4));
      top.add(f.reserved, tvb, 6, 2, tvb.bytes(6, 2));
      // a reply lists home agents up to the end of what was captured
      if (type === 145) for (let o = 8; o < tvb.length; o += 16) top.add(f.mip6HomeAgentAddress, tvb, o, 16, tvb.bytes(o, 16));
      break;
    }
    case 147: {
      top.add(f.mip6Identifier, tvb, 4, 2, tvb.u16(4));
      top.addBitmask(f.mip6Flag, tvb, 6, 2, tvb.u16(6), [f.mip6FlagM, f.mip6FlagO, f.mip6FlagRsv]);
      dissectNdOptions(tvb, 8, pinfo, top);
      break;
    }
    case 155:
      if (rplBodyKnown(code)) dissectRpl(tvb, code, top);
      else if (tvb.remaining(4) > 0) top.add(f.data, tvb, 4, tvb.remaining(4), tvb.bytes(4));
      break;
    case 137:
      top.add(f.reserved, tvb, 4, 4, tvb.bytes(4, 4));
      top.add(f.rdTarget, tvb, 8, 16, tvb.bytes(8, 16));
      top.add(f.rdDest, tvb, 24, 16, tvb.bytes(24, 16));
      dissectNdOptions(tvb, 40, pinfo, top);
      break;
    default:
      if (tvb.remaining(4) > 0) top.add(f.data, tvb, 4, tvb.remaining(4), tvb.bytes(4));
  }
  return tvb.reportedLength;
}

function matchEcho(type: number, tvb: Tvb, pinfo: PacketInfo, top: Item): void {
  const echo = pinfo.session.get("icmpv6", () => new EchoMatcher(ECHO));
  const a = addrKey(pinfo.netSrc), b = addrKey(pinfo.netDst);
  const key = `${type === 128 ? a : b}|${type === 128 ? b : a}|${tvb.u32(4)}`;
  if (type === 128) echo.request(key, tvb, pinfo, top);
  else echo.reply(key, tvb, pinfo, top);
}
