/**
 * Internet Control Message Protocol (tshark 4.0 packet-icmp.c): echo with
 * request/reply matching (one pass: the reply names its request), timestamps in
 * echo data, errors quoting the offending IP header (dissected by the ip
 * dissector as an "error packet"), router advertisements, timestamps, masks, extended
 * echo (RFC 8335); multi-part extensions (MPLS labels, interface information and
 * identification) are in icmp-ext.ts.
 */
import { addrKey, EchoMatcher, type EchoSpec } from "../src/analysis/echo.js";
import type { Time } from "../src/core/field.js";
import { hex } from "../src/core/format.js";
import type { PacketInfo } from "../src/core/pinfo.js";
import { callData, callTable, defineProtocol, tryHeuristics, CHECKSUM_STATUS } from "../src/core/proto.js";
import { timeDiff } from "../src/core/time.js";
import type { Item } from "../src/core/tree.js";
import type { Tvb } from "../src/core/tvb.js";
import { onesSum, cksumShouldBe, type IpHeaderInfo } from "./ip.js";
import { ICMP_EXT_FIELDS, bindIcmpExtFields, dissectIcmpExtension, extEchoWord } from "./icmp-ext.js";

export const ICMP_TYPES: Record<number, string> = {
  0: "Echo (ping) reply", 1: "Reserved", 2: "Reserved", 3: "Destination unreachable", 4: "Source quench (flow control)",
  5: "Redirect", 6: "Alternate host address", 8: "Echo (ping) request", 9: "Router advertisement",
  10: "Router solicitation", 11: "Time-to-live exceeded", 12: "Parameter problem", 13: "Timestamp request",
  14: "Timestamp reply", 15: "Information request", 16: "Information reply", 17: "Address mask request",
  18: "Address mask reply", 19: "Reserved (for security)", 20: "Reserved (for robustness experiment)",
  21: "Reserved (for robustness experiment)", 22: "Reserved (for robustness experiment)",
  23: "Reserved (for robustness experiment)", 24: "Reserved (for robustness experiment)",
  25: "Reserved (for robustness experiment)", 26: "Reserved (for robustness experiment)",
  27: "Reserved (for robustness experiment)", 28: "Reserved (for robustness experiment)",
  29: "Reserved (for robustness experiment)", 30: "Traceroute", 31: "Datagram Conversion Error",
  32: "Mobile Host Redirect", 33: "IPv6 Where-Are-You", 34: "IPv6 I-Am-Here", 35: "Mobile Registration Request",
  36: "Mobile Registration Reply", 37: "Domain Name Request", 38: "Domain Name Reply", 39: "SKIP", 40: "Photuris",
  41: "Experimental mobility protocols", 42: "Extended Echo request", 43: "Extended Echo reply",
  253: "RFC3692-style Experiment 1", 254: "RFC3692-style Experiment 2",
};

const CODES: Record<number, Record<number, string>> = {
  3: {
    0: "Network unreachable", 1: "Host unreachable", 2: "Protocol unreachable", 3: "Port unreachable",
    4: "Fragmentation needed", 5: "Source route failed", 6: "Destination network unknown",
    7: "Destination host unknown", 8: "Source host isolated", 9: "Network administratively prohibited",
    10: "Host administratively prohibited", 11: "Network unreachable for TOS", 12: "Host unreachable for TOS",
    13: "Communication administratively filtered", 14: "Host precedence violation", 15: "Precedence cutoff in effect",
  },
  5: { 0: "Redirect for network", 1: "Redirect for host", 2: "Redirect for TOS and network", 3: "Redirect for TOS and host" },
  6: { 0: "Alternate address for host" },
  9: { 0: "Normal router advertisement", 16: "Does not route common traffic" },
  11: { 0: "Time to live exceeded in transit", 1: "Fragment reassembly time exceeded" },
  12: { 0: "Pointer indicates the error", 1: "Required option missing", 2: "Bad length" },
  40: { 0: "Bad SPI", 1: "Authentication Failed", 2: "Decompression Failed", 3: "Decryption Failed", 4: "Need Authentication", 5: "Need Authorization" },
  42: { 0: "No error" },
  43: { 0: "No error", 1: "Malformed Query", 2: "No Such Interface", 3: "No Such Table Entry", 4: "Multiple Interfaces Satisfy Query" },
};


export const icmp = defineProtocol({
  name: "Internet Control Message Protocol",
  abbrev: "icmp",
  short: "ICMP",
  fields: {
    type: { abbrev: "icmp.type", name: "Type", type: "uint8" },
    code: { abbrev: "icmp.code", name: "Code", type: "uint8" },
    checksum: { abbrev: "icmp.checksum", name: "Checksum", type: "uint16", base: "hex" },
    checksumStatus: { abbrev: "icmp.checksum.status", name: "Checksum Status", type: "uint8", base: "none", strings: CHECKSUM_STATUS },
    unused: { abbrev: "icmp.unused", name: "Unused", type: "bytes" },
    reserved: { abbrev: "icmp.reserved", name: "Reserved", type: "bytes" },
    ident: { abbrev: "icmp.ident", name: "Identifier (BE)", type: "uint16", base: "dec_hex" },
    identLe: { abbrev: "icmp.ident_le", name: "Identifier (LE)", type: "uint16", base: "dec_hex" },
    seq: { abbrev: "icmp.seq", name: "Sequence Number (BE)", type: "uint16", base: "dec_hex" },
    seqLe: { abbrev: "icmp.seq_le", name: "Sequence Number (LE)", type: "uint16", base: "dec_hex" },
    mtu: { abbrev: "icmp.mtu", name: "MTU of next hop", type: "uint16" },
    length: { abbrev: "icmp.length", name: "Length", type: "uint8" },
    lengthOrig: { abbrev: "icmp.length.original_datagram", name: "Length of original datagram", type: "uint8" },
    numAddrs: { abbrev: "icmp.num_addrs", name: "Number of addresses", type: "uint8" },
    addrEntrySize: { abbrev: "icmp.addr_entry_size", name: "Address entry size", type: "uint8" },
    lifetime: { abbrev: "icmp.lifetime", name: "Lifetime", type: "uint16" },
    pointer: { abbrev: "icmp.pointer", name: "Pointer", type: "uint32" },
    routerAddress: { abbrev: "icmp.router_address", name: "Router address", type: "ipv4" },
    prefLevel: { abbrev: "icmp.pref_level", name: "Preference level", type: "int32" },
    originateTs: { abbrev: "icmp.originate_timestamp", name: "Originate Timestamp", type: "uint32" },
    receiveTs: { abbrev: "icmp.receive_timestamp", name: "Receive Timestamp", type: "uint32" },
    transmitTs: { abbrev: "icmp.transmit_timestamp", name: "Transmit Timestamp", type: "uint32" },
    addressMask: { abbrev: "icmp.address_mask", name: "Address Mask", type: "ipv4" },
    redirGw: { abbrev: "icmp.redir_gw", name: "Gateway Address", type: "ipv4" },
    respIn: { abbrev: "icmp.resp_in", name: "Response frame", type: "framenum" },
    noResp: { abbrev: "icmp.no_resp", name: "No response seen", type: "none" },
    respTo: { abbrev: "icmp.resp_to", name: "Request frame", type: "framenum" },
    respTime: { abbrev: "icmp.resptime", name: "Response time", type: "double" },
    dataTime: { abbrev: "icmp.data_time", name: "Timestamp from icmp data", type: "abs_time" },
    dataTimeRel: { abbrev: "icmp.data_time_relative", name: "Timestamp from icmp data (relative)", type: "rel_time" },
    extEchoSeq: { abbrev: "icmp.ext.echo.seq", name: "Sequence Number", type: "uint8", base: "dec_hex" },
    ...ICMP_EXT_FIELDS,
    // expert infos
    checksumBad: { abbrev: "icmp.checksum_bad", name: "Bad checksum", type: "none" },
  },
  registers: [["ip.proto", 1]],
  dissect: dissectIcmp,
});

const f = icmp.f;
bindIcmpExtFields(f);

/** ping's request/reply matching (src/analysis/echo.ts), one per session. */
const ECHO: EchoSpec = {
  fields: f, note: "icmp.resp_in", proto: "icmp", noRespExpert: "icmp.resp_not_found",
  noRespMessage: () => "No response seen to ICMP request",
};

/** Conversation part of the matching key: the address pair, either direction. */
function convKey(pinfo: PacketInfo): string {
  const a = addrKey(pinfo.netSrc), b = addrKey(pinfo.netDst);
  return a < b ? a + "|" + b : b + "|" + a;
}

function checksumItem(t: Item, tvb: Tvb, pinfo: PacketInfo, full: boolean, verify: boolean, why: string, proto: string): void {
  const sum = tvb.u16(2);
  if (verify) {
    const computed = ~onesSum(tvb, 0, tvb.reportedLength) & 0xffff;
    if (computed === 0) {
      t.add(f.checksum, tvb, 2, 2, sum, full ? `0x${hex(sum, 4)} [correct]` : undefined);
      t.addGenerated(f.checksumStatus, tvb, 2, 0, 1);
    } else {
      const should = cksumShouldBe(sum, computed);
      const ci = t.add(f.checksum, tvb, 2, 2, sum, full ? `0x${hex(sum, 4)} incorrect, should be 0x${hex(should, 4)}` : undefined);
      ci.expert("warn", "checksum", `Bad checksum [should be 0x${hex(should, 4)}]`, proto, "icmp.checksum_bad");
      t.addGenerated(f.checksumStatus, tvb, 2, 0, 0);
    }
  } else {
    t.add(f.checksum, tvb, 2, 2, sum, full ? `0x${hex(sum, 4)} [unverified] [${why}]` : undefined);
    t.addGenerated(f.checksumStatus, tvb, 2, 0, 2);
  }
}

/** Echo data timestamp (a struct timeval in either byte order), as tshark 4.0 guesses it. */
function dataTimestamp(tvb: Tvb, pinfo: PacketInfo): Time | null {
  const now = pinfo.frame.tsSec;
  let secs = tvb.u32(8), usecs = tvb.u32(12);
  if (Math.abs((secs - now) | 0) >= 86400 || usecs >= 1000000) {
    secs = tvb.u32le(8);
    usecs = tvb.u32le(12);
  }
  if (Math.abs((secs - now) | 0) < 86400 && usecs < 1000000) return { s: secs, ns: usecs * 1000 };
  return null;
}

function dissectIcmp(tvb: Tvb, pinfo: PacketInfo, tree: Item, data?: unknown): number {
  pinfo.setProtocol("ICMP");
  pinfo.setInfo("");
  const type = tvb.u8(0);
  const code = tvb.u8(1);
  const origLen = type === 6 ? 0 : tvb.u8(5);
  let typeStr = ICMP_TYPES[type] ?? "Unknown ICMP (obsolete or malformed?)";
  if (type === 9 && (code === 0 || code === 16)) typeStr = "Mobile IP Advertisement";
  const codes = CODES[type];
  const codeStr = codes === undefined ? null : codes[code] ?? `Unknown code: ${code}`;
  if (pinfo.cols !== null) {
    pinfo.setInfo(typeStr.padEnd(20) + (codeStr !== null ? ` (${codeStr})` : ""));
  }
  const top = tree.add(icmp.hf, tvb, 0, tvb.length, null);
  const full = top.tree.full;
  top.add(f.type, tvb, 0, 1, type, full ? `${type} (${typeStr})` : undefined);
  top.add(f.code, tvb, 1, 1, code, full && codeStr !== null ? `${code} (${codeStr})` : undefined);
  const inError = pinfo.inErrorPkt;
  const verify = !pinfo.fragmented && tvb.length >= tvb.reportedLength && !inError;
  checksumItem(top, tvb, pinfo, full, verify, inError ? "in ICMP error packet" : "fragmented datagram", "icmp");

  switch (type) {
    case 0: case 8: case 13: case 14: case 15: case 16: case 17: case 18: {
      const id = tvb.u16(4), seq = tvb.u16(6);
      top.add(f.ident, tvb, 4, 2, id);
      top.add(f.identLe, tvb, 4, 2, tvb.u16le(4));
      top.add(f.seq, tvb, 6, 2, seq);
      top.add(f.seqLe, tvb, 6, 2, tvb.u16le(6));
      if (pinfo.cols !== null) {
        pinfo.appendInfo(` id=0x${hex(id, 4)}, seq=${seq}/${tvb.u16le(6)}`);
        const iph = data as IpHeaderInfo | undefined;
        if (iph !== undefined && iph !== null && iph.version === 4) pinfo.appendInfo(`, ttl=${iph.ttl}`);
      }
      break;
    }
    case 3:
      if (origLen > 0) {
        top.add(f.unused, tvb, 4, 1, tvb.bytes(4, 1));
        top.add(f.length, tvb, 5, 1, origLen);
        top.addGenerated(f.lengthOrig, tvb, 5, 1, origLen * 4);
        if (code === 4) top.add(f.mtu, tvb, 6, 2, tvb.u16(6));
        else top.add(f.unused, tvb, 6, 2, tvb.bytes(6, 2));
      } else if (code === 4) {
        top.add(f.unused, tvb, 4, 2, tvb.bytes(4, 2));
        top.add(f.mtu, tvb, 6, 2, tvb.u16(6));
      } else {
        top.add(f.unused, tvb, 4, 4, tvb.bytes(4, 4));
      }
      break;
    case 9: {
      top.add(f.numAddrs, tvb, 4, 1, tvb.u8(4));
      top.add(f.addrEntrySize, tvb, 5, 1, tvb.u8(5));
      top.add(f.lifetime, tvb, 6, 2, tvb.u16(6));
      break;
    }
    case 12:
      top.add(f.pointer, tvb, 4, 1, tvb.u8(4));
      if (origLen > 0) {
        top.add(f.length, tvb, 5, 1, origLen);
        top.addGenerated(f.lengthOrig, tvb, 5, 1, origLen * 4);
        top.add(f.unused, tvb, 6, 2, tvb.bytes(6, 2));
      } else {
        top.add(f.unused, tvb, 5, 3, tvb.bytes(5, 3));
      }
      break;
    case 5:
      top.add(f.redirGw, tvb, 4, 4, tvb.u32(4));
      break;
    case 11:
      if (origLen > 0) {
        top.add(f.unused, tvb, 4, 1, tvb.bytes(4, 1));
        top.add(f.length, tvb, 5, 1, origLen);
        top.addGenerated(f.lengthOrig, tvb, 5, 1, origLen * 4);
        top.add(f.unused, tvb, 6, 2, tvb.bytes(6, 2));
      } else {
        top.add(f.unused, tvb, 4, 4, tvb.bytes(4, 4));
      }
      break;
    case 42: case 43:
      top.add(f.ident, tvb, 4, 2, tvb.u16(4));
      top.add(f.identLe, tvb, 4, 2, tvb.u16le(4));
      top.add(f.extEchoSeq, tvb, 6, 1, tvb.u8(6));
      extEchoWord(tvb, top, type === 43);
      break;
  }

  switch (type) {
    case 3: case 11: case 12: case 4: case 5: {
      let inner = tvb.sub(8);
      if (type === 5) {
        inner = tvb.sub(8, Math.min(inner.reportedLength, (tvb.u8(8) & 15) * 4 + 8));
      } else if (origLen > 0 && tvb.reportedLength > 8 + origLen * 4 && tvb.u16(10) > origLen * 4) {
        inner = tvb.sub(8, Math.min(inner.reportedLength, ((tvb.u8(8) & 15) + origLen) * 4));
      }
      dissectQuoted(inner, pinfo, top);
      // RFC 4884 extensions: after the original datagram's stated length, or after 128
      // bytes of it when the quoted packet fits in 128 bytes (tshark's default)
      if (tvb.reportedLength > 8 + 128 && tvb.u16(10) <= 128) {
        dissectIcmpExtension(tvb.sub((origLen > 0 ? origLen * 4 : 128) + 8), top);
      }
      break;
    }
    case 42:
      if (tvb.reportedLength > 8) dissectIcmpExtension(tvb.sub(8), top);
      break;
    case 0: case 8: {
      if (!inError) matchEcho(type, tvb, pinfo, top);
      const rest = tvb.remaining(8);
      if (rest < 8) {
        if (rest > 0) callData(tvb.sub(8), pinfo, top);
        break;
      }
      const ts = dataTimestamp(tvb, pinfo);
      if (ts !== null) {
        top.add(f.dataTime, tvb, 8, 8, ts);
        const now: Time = { s: pinfo.frame.tsSec, ns: pinfo.frame.tsNsec };
        top.addGenerated(f.dataTimeRel, tvb, 8, 8, timeDiff(now, ts));
        if (tvb.remaining(16) > 0) callData(tvb.sub(16), pinfo, top);
      } else {
        const next = tvb.sub(8);
        if (!tryHeuristics("icmp", next, pinfo, tree)) callData(next, pinfo, top);
      }
      break;
    }
    case 9: {
      const n = tvb.u8(4), size = tvb.u8(5);
      if (size === 2) {
        for (let i = 0; i < n; i++) {
          top.add(f.routerAddress, tvb, 8 + i * 8, 4, tvb.u32(8 + i * 8));
          top.add(f.prefLevel, tvb, 12 + i * 8, 4, tvb.u32(12 + i * 8) | 0);
        }
      } else if (tvb.remaining(8) > 0) {
        callData(tvb.sub(8), pinfo, top);
      }
      break;
    }
    case 13: case 14:
      top.add(f.originateTs, tvb, 8, 4, tvb.u32(8));
      top.add(f.receiveTs, tvb, 12, 4, tvb.u32(12));
      top.add(f.transmitTs, tvb, 16, 4, tvb.u32(16));
      break;
    case 17: case 18:
      top.add(f.addressMask, tvb, 8, 4, tvb.u32(8));
      break;
  }
  return tvb.reportedLength;
}

/**
 * Dissect the IP header (+ 8 bytes) an ICMP error quotes, with the summary columns
 * frozen (tshark keeps showing the ICMP packet) and the "in error packet" flag set.
 */
export function dissectQuoted(inner: Tvb, pinfo: PacketInfo, parent: Item, ethertype = 0x0800): void {
  const cols = pinfo.cols;
  const save = cols === null ? null : { ...cols };
  const netSrc = pinfo.netSrc, netDst = pinfo.netDst;
  const prevErr = pinfo.inErrorPkt;
  const ptype = pinfo.ptype, sp = pinfo.srcport, dp = pinfo.dstport;
  pinfo.inErrorPkt = true;
  try {
    callTable("ethertype", ethertype, inner, pinfo, parent);
  } finally {
    pinfo.inErrorPkt = prevErr;
    if (cols !== null && save !== null) {
      // the columns stay the error's; only a malformed mark of the quoted packet shows (as in tshark)
      const mark = MALFORMED_MARK.exec(cols.info);
      Object.assign(cols, save);
      if (mark !== null && !MALFORMED_MARK.test(cols.info)) cols.info += mark[0];
    }
    pinfo.netSrc = netSrc;
    pinfo.netDst = netDst;
    pinfo.ptype = ptype;
    pinfo.srcport = sp;
    pinfo.dstport = dp;
  }
}

const MALFORMED_MARK = /\s?\[Malformed Packet\]$/;

function matchEcho(type: number, tvb: Tvb, pinfo: PacketInfo, top: Item): void {
  const echo = pinfo.session.get("icmp", () => new EchoMatcher(ECHO));
  const idseq = tvb.u32(4);
  let k0: number;
  if (type === 0) {
    k0 = tvb.u16(2);
    if (k0 === 0xffff) k0 = 0;
  } else {
    // the checksum the reply will carry: the request's, adjusted for type 8 → 0
    let s = (~tvb.u16(2) & 0xffff) + (~0x0800 & 0xffff);
    s = (s & 0xffff) + (s >>> 16);
    s = (s & 0xffff) + (s >>> 16);
    k0 = ~s & 0xffff;
  }
  const key = `${convKey(pinfo)}|${k0}|${idseq}`;
  if (type === 8) echo.request(key, tvb, pinfo, top);
  else echo.reply(key, tvb, pinfo, top);
}
