/**
 * Domain Name System (RFC 1034/1035 and the many RR types since), over UDP 53,
 * TCP 53/5353 (2-byte length prefix) and, through mdns.ts / llmnr.ts, mDNS (UDP 5353)
 * and LLMNR (UDP 5355). Field names, labels, Info column and request/response
 * matching follow tshark 4.0 (packet-dns.c) — including its quirks, e.g. the
 * "<Name contains a pointer that loops>" and "<Name too long>" markers.
 *
 * RR type decoders, tables and name expansion live in dns-rr.ts and its family modules (dns-rr-*.ts); the
 * request/response state in src/analysis/dns.ts.
 *
 * This file: the fields, the heuristic and the TCP framing; dns-message.ts: one message
 * (header, flags, request/response matching); dns-sections.ts: questions, RRs and DSO.
 */
import { addPduSize, type TcpSegment } from "../src/analysis/tcp.js";
import { DESEGMENT_ONE_MORE_SEGMENT } from "../src/analysis/reassembly.js";
import type { PacketInfo } from "../src/core/pinfo.js";
import { defineProtocol, markBoundsError } from "../src/core/proto.js";
import type { Item } from "../src/core/tree.js";
import { BoundsError, type Tvb } from "../src/core/tvb.js";
import { bindDnsFields, dissectDnsMessage, MsgKind } from "./dns-message.js";
import { CLASSES, OPCODES, RCODES, RR_FIELDS, TYPE_DESC } from "./dns-rr.js";

export { dissectDnsMessage, MsgKind } from "./dns-message.js";

const FLAG = { type: "bool" as const, bits: 16 };
const TF = ["True", "False"] as const;

export const dns = defineProtocol({
  name: "Domain Name System",
  abbrev: "dns",
  short: "DNS",
  fields: {
    length: { abbrev: "dns.length", name: "Length", type: "uint16" },
    id: { abbrev: "dns.id", name: "Transaction ID", type: "uint16", base: "hex" },
    flags: { abbrev: "dns.flags", name: "Flags", type: "uint16", base: "hex" },
    flResponse: { ...FLAG, abbrev: "dns.flags.response", name: "Response", bitmask: 0x8000, tfs: ["Message is a response", "Message is a query"] },
    flOpcode: { abbrev: "dns.flags.opcode", name: "Opcode", type: "uint16", bits: 16, bitmask: 0x7800, strings: OPCODES },
    flAuthoritative: { ...FLAG, abbrev: "dns.flags.authoritative", name: "Authoritative", bitmask: 0x400, tfs: ["Server is an authority for domain", "Server is not an authority for domain"] },
    flConflictQuery: { ...FLAG, abbrev: "dns.flags.conflict", name: "Conflict", bitmask: 0x400, tfs: ["The sender received multiple responses", "None"] },
    flConflictResponse: { ...FLAG, abbrev: "dns.flags.conflict", name: "Conflict", bitmask: 0x400, tfs: ["The name is not considered unique", "The name is considered unique"] },
    flTruncated: { ...FLAG, abbrev: "dns.flags.truncated", name: "Truncated", bitmask: 0x200, tfs: ["Message is truncated", "Message is not truncated"] },
    flRecdesired: { ...FLAG, abbrev: "dns.flags.recdesired", name: "Recursion desired", bitmask: 0x100, tfs: ["Do query recursively", "Don't do query recursively"] },
    flTentative: { ...FLAG, abbrev: "dns.flags.tentative", name: "Tentative", bitmask: 0x100, tfs: ["Tentative", "Not tentative"] },
    flRecavail: { ...FLAG, abbrev: "dns.flags.recavail", name: "Recursion available", bitmask: 0x80, tfs: ["Server can do recursive queries", "Server can't do recursive queries"] },
    flZ: { ...FLAG, abbrev: "dns.flags.z", name: "Z", bitmask: 0x40, tfs: ["reserved - incorrect!", "reserved (0)"] },
    flAuthenticated: { ...FLAG, abbrev: "dns.flags.authenticated", name: "Answer authenticated", bitmask: 0x20, tfs: ["Answer/authority portion was authenticated by the server", "Answer/authority portion was not authenticated by the server"] },
    flAd: { ...FLAG, abbrev: "dns.flags.authenticated", name: "AD bit", bitmask: 0x20, tfs: ["Set", "Not set"] },
    flCheckdisable: { ...FLAG, abbrev: "dns.flags.checkdisable", name: "Non-authenticated data", bitmask: 0x10, tfs: ["Acceptable", "Unacceptable"] },
    flRcode: { abbrev: "dns.flags.rcode", name: "Reply code", type: "uint16", bits: 16, bitmask: 0xf, strings: RCODES },
    countQueries: { abbrev: "dns.count.queries", name: "Questions", type: "uint16" },
    countZones: { abbrev: "dns.count.zones", name: "Zones", type: "uint16" },
    countAnswers: { abbrev: "dns.count.answers", name: "Answer RRs", type: "uint16" },
    countPrerequisites: { abbrev: "dns.count.prerequisites", name: "Prerequisites", type: "uint16" },
    countAuth: { abbrev: "dns.count.auth_rr", name: "Authority RRs", type: "uint16" },
    countUpdates: { abbrev: "dns.count.updates", name: "Updates", type: "uint16" },
    countAdd: { abbrev: "dns.count.add_rr", name: "Additional RRs", type: "uint16" },
    qryName: { abbrev: "dns.qry.name", name: "Name", type: "string" },
    qryNameLen: { abbrev: "dns.qry.name.len", name: "Name Length", type: "uint16" },
    countLabels: { abbrev: "dns.count.labels", name: "Label Count", type: "uint16" },
    qryType: { abbrev: "dns.qry.type", name: "Type", type: "uint16", strings: TYPE_DESC },
    qryClass: { abbrev: "dns.qry.class", name: "Class", type: "uint16", base: "hex", strings: CLASSES },
    qryClassMdns: { abbrev: "dns.qry.class", name: "Class", type: "uint16", base: "hex", strings: CLASSES, bits: 16, bitmask: 0x7fff },
    qryQu: { ...FLAG, abbrev: "dns.qry.qu", name: '"QU" question', bitmask: 0x8000, tfs: TF },
    srvService: { abbrev: "dns.srv.service", name: "Service", type: "string" },
    srvProto: { abbrev: "dns.srv.proto", name: "Protocol", type: "string" },
    srvName: { abbrev: "dns.srv.name", name: "Name", type: "string" },
    respName: { abbrev: "dns.resp.name", name: "Name", type: "string" },
    respType: { abbrev: "dns.resp.type", name: "Type", type: "uint16", strings: TYPE_DESC },
    respClass: { abbrev: "dns.resp.class", name: "Class", type: "uint16", base: "hex", strings: CLASSES },
    respClassMdns: { abbrev: "dns.resp.class", name: "Class", type: "uint16", base: "hex", strings: CLASSES, bits: 16, bitmask: 0x7fff },
    cacheFlush: { ...FLAG, abbrev: "dns.resp.cache_flush", name: "Cache flush", bitmask: 0x8000, tfs: TF },
    respTtl: { abbrev: "dns.resp.ttl", name: "Time to live", type: "uint32" },
    respLen: { abbrev: "dns.resp.len", name: "Data length", type: "uint16" },
    udpPayloadSize: { abbrev: "dns.rr.udp_payload_size", name: "UDP payload size", type: "uint16" },
    udpPayloadSizeMdns: { abbrev: "dns.rr.udp_payload_size", name: "UDP payload size", type: "uint16", base: "hex", bits: 16, bitmask: 0x7fff },
    extRcode: { abbrev: "dns.resp.ext_rcode", name: "Higher bits in extended RCODE", type: "uint8", base: "hex" },
    edns0Version: { abbrev: "dns.resp.edns0_version", name: "EDNS0 version", type: "uint8" },
    z: { abbrev: "dns.resp.z", name: "Z", type: "uint16", base: "hex" },
    zDo: { ...FLAG, abbrev: "dns.resp.z.do", name: "DO bit", bitmask: 0x8000, tfs: ["Accepts DNSSEC security RRs", "Cannot handle DNSSEC security RRs"] },
    zReserved: { abbrev: "dns.resp.z.reserved", name: "Reserved", type: "uint16", base: "hex", bits: 16, bitmask: 0x7fff },
    responseIn: { abbrev: "dns.response_in", name: "Response In", type: "framenum" },
    responseTo: { abbrev: "dns.response_to", name: "Request In", type: "framenum" },
    time: { abbrev: "dns.time", name: "Time", type: "rel_time" },
    retransmission: { abbrev: "dns.retransmission", name: "Retransmission", type: "bool", tfs: TF },
    retransmitRequestIn: { abbrev: "dns.retransmit_request_in", name: "Retransmitted request. Original request in", type: "framenum" },
    retransmitResponseIn: { abbrev: "dns.retransmit_response_in", name: "Retransmitted response. Original response in", type: "framenum" },
    unsolicited: { abbrev: "dns.unsolicited", name: "Unsolicited", type: "bool", tfs: TF },
    extraneousData: { abbrev: "dns.extraneous.data", name: "Extraneous Data Bytes", type: "bytes" },
    extraneousLength: { abbrev: "dns.extraneous.length", name: "Extraneous Data Length", type: "int32" },
    dso: { abbrev: "dns.dso", name: "DNS Stateful Operation", type: "none" },
    dsoTlv: { abbrev: "dns.dso.tlv", name: "DSO TLV", type: "none" },
    dsoTlvType: { abbrev: "dns.dso.tlv.type", name: "Type", type: "uint16" },
    dsoTlvLength: { abbrev: "dns.dso.tlv.length", name: "Length", type: "uint16" },
    dsoTlvData: { abbrev: "dns.dso.tlv.data", name: "Data", type: "bytes" },
    dsoInactivity: { abbrev: "dns.dso.tlv.keepalive.inactivity", name: "Inactivity Timeout", type: "uint32" },
    dsoInterval: { abbrev: "dns.dso.tlv.keepalive.interval", name: "Keepalive Interval", type: "uint32" },
    dsoRetryDelay: { abbrev: "dns.dso.tlv.retrydelay.retrydelay", name: "Retry Delay", type: "uint32" },
    dsoPadding: { abbrev: "dns.dso.tlv.encpad.padding", name: "Padding", type: "bytes" },
    ...RR_FIELDS,
    // expert infos
    rrOptBadLength: { abbrev: "dns.rr.opt.bad_length", name: "Length too long for any type of IP address.", type: "none" },
    undecodedType: { abbrev: "dns.undecoded.type", name: "Undecoded option", type: "none" },
    deprOpc: { abbrev: "dns.depr.opc", name: "Deprecated opcode", type: "none" },
    ttlHighBitSet: { abbrev: "dns.ttl.high_bit_set", name: "The uppermost bit of the TTL is set (RFC 2181, section 8)", type: "none" },
    tsigNoalg: { abbrev: "dns.tsig.noalg", name: "No dissector for algorithm", type: "none" },
    keyIdBufferTooShort: { abbrev: "dns.key_id_buffer_too_short", name: "Buffer too short to compute a key id", type: "none" },
    retransmitRequest: { abbrev: "dns.retransmit_request", name: "DNS query retransmission", type: "none" },
    retransmitResponse: { abbrev: "dns.retransmit_response", name: "DNS response retransmission", type: "none" },
    extraneous: { abbrev: "dns.extraneous", name: "Extraneous data", type: "none" },
  },
  registers: [["udp.port", 53], ["tcp.port", 53], ["tcp.port", 5353]],
  heuristics: [["udp", dnsHeuristic]],
  dissect(tvb, pinfo, tree, data) {
    if (data === DOH) {
      // DNS over HTTPS (RFC 8484): a body of type application/dns-message, one message
      pinfo.setProtocol("DoH");
      dissectDnsMessage(tvb, pinfo, tree, 0, MsgKind.DNS, dns);
      return tvb.length;
    }
    if (pinfo.ptype === "tcp") return dissectDnsTcp(tvb, pinfo, tree, data);
    pinfo.setProtocol("DNS");
    dissectDnsMessage(tvb, pinfo, tree, 0, MsgKind.DNS, dns);
    return tvb.length;
  },
});

/** The media type HTTP and HTTP/2 hand DoH bodies to DNS with (src/http/names.ts). */
const DOH = "application/dns-message";

export type DnsFields = typeof dns.f;

bindDnsFields(dns.f);

/**
 * dissect_dns_heur: DNS on a port nobody claimed. Standard-query opcode, one
 * question in a query (no answers), small counts in a response.
 */
function dnsHeuristic(tvb: Tvb, pinfo: PacketInfo, tree: Item): boolean {
  if (tvb.reportedLength <= 12 || !tvb.has(0, 12)) return false;
  // NetBIOS name service (UDP 137) has the DNS layout; tshark's NBNS dissector claims
  // it by port before heuristics run, so never take it for DNS.
  if (pinfo.srcport === 137 || pinfo.dstport === 137) return false;
  const flags = tvb.u16(2);
  if ((flags & 0x7800) !== 0) return false;
  const quest = tvb.u16(4), ans = tvb.u16(6), auth = tvb.u16(8);
  if (!(flags & 0x8000)) {
    if (quest !== 1 || ans !== 0 || auth !== 0) return false;
  } else if (quest > 1 || ans > 100 || auth > 10) return false;
  if (tvb.u16(10) > 10) return false;
  pinfo.setProtocol("DNS");
  dissectDnsMessage(tvb, pinfo, tree, 0, MsgKind.DNS, dns);
  return true;
}

/**
 * DNS over TCP: a 2-byte length before each message, possibly several in one
 * segment (tcp_dissect_pdus). Each complete message is dissected (a malformed one
 * is marked and the next still tried); the Info column shows the last one, as tshark.
 *
 * A message that continues in a later segment is shown as "dns.length" plus a note;
 * REASSEMBLY HOOK: this is where, once TCP reassembly exists, the dissector asks for
 * more bytes instead — set `seg.desegmentOffset = off` and `seg.desegmentLen = need`
 * on the TcpSegment handed over as `data` (Wireshark's pinfo->desegment_offset/len),
 * and return; the TCP layer then calls us again with the reassembled PDU.
 */
function dissectDnsTcp(tvb: Tvb, pinfo: PacketInfo, tree: Item, data: unknown): number {
  pinfo.setProtocol("DNS");
  const total = tvb.reportedLength;
  let off = 0;
  let complete = 0;
  while (off < total) {
    const avail = tvb.remaining(off);
    if (total - off < 2 || avail < 2) {
      partial(tvb, pinfo, tree, off, -1, total - off, complete, data);
      break;
    }
    const plen = tvb.u16(off);
    if (off + 2 + plen > total) {
      partial(tvb, pinfo, tree, off, plen, total - off - 2, complete, data);
      break;
    }
    const pdu = tvb.sub(off, 2 + plen);
    addPduSize(data as TcpSegment | undefined, tvb, off, 2 + plen);
    try {
      dissectDnsMessage(pdu, pinfo, tree, 2, MsgKind.DNS, dns);
    } catch (e) {
      if (!(e instanceof BoundsError)) throw e;
      markBoundsError(e, dns, pdu, pinfo, tree, pdu);
    }
    complete++;
    off += 2 + plen;
  }
  return tvb.length;
}

/** An incomplete message at the end of a segment: its length field and an honest note. */
function partial(tvb: Tvb, pinfo: PacketInfo, tree: Item, off: number, plen: number, have: number, complete: number, data: unknown): void {
  const seg = data as { desegmentOffset: number; desegmentLen: number; canDesegment?: boolean } | undefined;
  if (seg !== undefined && seg !== null && seg.canDesegment === true) {
    // ask TCP for the rest (tcp_dissect_pdus): the exact count, or "one more segment" for a cut length field
    seg.desegmentOffset = off;
    seg.desegmentLen = plen >= 0 ? plen - have : DESEGMENT_ONE_MORE_SEGMENT;
    return;
  }
  const top = tree.add(dns.hf, tvb, off, tvb.remaining(off), null);
  const full = tree.tree.full;
  let note: string;
  if (plen >= 0) {
    top.add(dns.f.length, tvb, off, 2, plen);
    note = `Incomplete DNS message: ${have} of ${plen} bytes; TCP reassembly needed`;
  } else note = `Incomplete DNS length field: ${have} of 2 bytes; TCP reassembly needed`;
  if (full) {
    top.setText(`Domain Name System (incomplete)`);
    top.addText(tvb, off, tvb.remaining(off), `[${note}]`);
  }
  if (complete === 0) pinfo.setInfo(`[${note}]`);
}
