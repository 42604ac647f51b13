/**
 * Domain Name System (RFC 1034/1035 and the many RR types since), over UDP 53,
 * TCP 53/5353 (2-byte length prefix) and, through mdns.ts / llmnr.ts, mDNS (UDP 5353)
 * and LLMNR (UDP 5355). Field names, labels, Info column and request/response
 * matching follow tshark 4.0 (packet-dns.c) — including its quirks, e.g. the
 * "<Name contains a pointer that loops>" and "<Name too long>" markers.
 *
 * RR type decoders, tables and name expansion live in dns-rr.ts and its family modules (dns-rr-*.ts); the
 * request/response state in src/analysis/dns.ts.
 */
import { addPduSize, type TcpSegment } from "../src/analysis/tcp.js";
import { DnsMatcher } from "../src/analysis/dns.js";
import { conversationDirection, conversationKey } from "../src/analysis/conversation.js";
import { timeToSeconds } from "../src/core/format.js";
import { DESEGMENT_ONE_MORE_SEGMENT } from "../src/analysis/reassembly.js";
import type { PacketInfo } from "../src/core/pinfo.js";
import { defineProtocol, markBoundsError, type Protocol } from "../src/core/proto.js";
import type { Item } from "../src/core/tree.js";
import { BoundsError, type Tvb } from "../src/core/tvb.js";
import {
  CLASSES, OPCODES, RCODES, RR_FIELDS, TYPE_DESC,
  dissectRdata, labelCount, readName, timeSecsToStr, typeShort, type DnsName, type RdataCtx,
} from "./dns-rr.js";

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
  },
  registers: [["udp.port", 53], ["tcp.port", 53], ["tcp.port", 5353]],
  heuristics: [["udp", dnsHeuristic]],
  dissect(tvb, pinfo, tree, data) {
    if (pinfo.ptype === "tcp") return dissectDnsTcp(tvb, pinfo, tree, data);
    pinfo.setProtocol("DNS");
    dissectDnsMessage(tvb, pinfo, tree, 0, MsgKind.DNS, dns);
    return tvb.length;
  },
});

export type DnsFields = typeof dns.f;

/** Which flavour of message: plain DNS, mDNS (QU/cache-flush bits) or LLMNR (C/TC/T flags). */
export const MsgKind = { DNS: 0, MDNS: 1, LLMNR: 2 } as const;
export type MsgKind = (typeof MsgKind)[keyof typeof MsgKind];

const TOP_NAME = ["Domain Name System", "Multicast Domain Name System", "Link-local Multicast Name Resolution"];


function matcher(pinfo: PacketInfo): DnsMatcher {
  return pinfo.session.get("dns", () => new DnsMatcher());
}

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
      markBoundsError(e, dns, pdu, pinfo, tree);
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

// ───────────────────────────────────────────────────────────── one message

/** Everything one message's walk needs (kept together to avoid long argument lists). */
class Msg implements RdataCtx {
  constructor(
    readonly tvb: Tvb,
    readonly pinfo: PacketInfo,
    readonly f: DnsFields,
    readonly dnsOff: number,
    readonly full: boolean,
    readonly cols: boolean,
    readonly isMdns: boolean,
  ) {}
}

/**
 * dissect_dns_common: one DNS message starting at `off` in `tvb` (2 over TCP, after
 * the length). `proto` is the protocol whose item tops the tree (dns, mdns or llmnr).
 * Used by mdns.ts and llmnr.ts too.
 */
export function dissectDnsMessage(tvb: Tvb, pinfo: PacketInfo, tree: Item, off: number, kind: MsgKind, proto: Protocol): void {
  const f = dns.f;
  const full = tree.tree.full;
  const cols = pinfo.cols !== null;
  const isMdns = kind === MsgKind.MDNS, isLlmnr = kind === MsgKind.LLMNR;
  const m = new Msg(tvb, pinfo, f, off, full, cols, isMdns);

  pinfo.setInfo("");
  const id = tvb.u16(off);
  const flags = tvb.u16(off + 2);
  const opcode = (flags >> 11) & 0xf;
  const rcode = flags & 0xf;
  const isResponse = (flags & 0x8000) !== 0;
  if (cols) {
    let s = `${OPCODES[opcode] ?? `Unknown operation (${opcode})`}${isResponse ? " response" : ""} 0x${id.toString(16).padStart(4, "0")}`;
    if (isResponse && rcode !== 0) s += " " + (RCODES[rcode] ?? `Unknown error (${rcode})`);
    pinfo.setInfo(s);
  }
  const isUpdate = opcode === 5;

  const top = tree.add(proto.hf, tvb, 0, tvb.length, null);
  if (full) top.setText(`${TOP_NAME[kind]} (${isResponse ? "response" : "query"})`);

  // Request/response matching (one pass, as tshark without -2).
  const fr = pinfo.frame;
  let trans = null as ReturnType<DnsMatcher["match"]>;
  let retransmission = false;
  if (!pinfo.inErrorPkt) {
    const dir = conversationDirection(pinfo.netSrc, pinfo.netDst, pinfo.srcport, pinfo.dstport);
    const key = pinfo.ptype + ":" + conversationKey(pinfo.netSrc, pinfo.netDst, pinfo.srcport, pinfo.dstport, dir);
    const mt = matcher(pinfo);
    trans = mt.match(key, id, isResponse, fr.num, fr.tsSec, fr.tsNsec);
    retransmission = mt.retransmission;
  }

  if (off === 2) top.add(f.length, tvb, 0, 2, tvb.u16(0));
  const idItem = top.add(f.id, tvb, off, 2, id);

  const fl = top.add(f.flags, tvb, off + 2, 2, flags,
    full ? `0x${flags.toString(16).padStart(4, "0")} ${OPCODES[opcode] ?? "Unknown operation"}${isResponse ? ` response, ${RCODES[rcode] ?? "Unknown error"}` : ""}` : undefined);
  const fo = off + 2;
  fl.add(f.flResponse, tvb, fo, 2, isResponse);
  fl.add(f.flOpcode, tvb, fo, 2, opcode);
  if (isLlmnr) {
    fl.add(isResponse ? f.flConflictResponse : f.flConflictQuery, tvb, fo, 2, (flags & 0x400) !== 0);
    fl.add(f.flTruncated, tvb, fo, 2, (flags & 0x200) !== 0);
    fl.add(f.flTentative, tvb, fo, 2, (flags & 0x100) !== 0);
    if (isResponse) fl.add(f.flRcode, tvb, fo, 2, rcode);
  } else {
    if (isResponse) fl.add(f.flAuthoritative, tvb, fo, 2, (flags & 0x400) !== 0);
    fl.add(f.flTruncated, tvb, fo, 2, (flags & 0x200) !== 0);
    fl.add(f.flRecdesired, tvb, fo, 2, (flags & 0x100) !== 0);
    if (isResponse) fl.add(f.flRecavail, tvb, fo, 2, (flags & 0x80) !== 0);
    fl.add(f.flZ, tvb, fo, 2, (flags & 0x40) !== 0);
    if (isResponse) fl.add(f.flAuthenticated, tvb, fo, 2, (flags & 0x20) !== 0);
    else if (flags & 0x20) fl.add(f.flAd, tvb, fo, 2, true);
    fl.add(f.flCheckdisable, tvb, fo, 2, (flags & 0x10) !== 0);
    if (isResponse) fl.add(f.flRcode, tvb, fo, 2, rcode);
  }

  const quest = tvb.u16(off + 4);
  top.add(isUpdate ? f.countZones : f.countQueries, tvb, off + 4, 2, quest);
  const ans = tvb.u16(off + 6);
  top.add(isUpdate ? f.countPrerequisites : f.countAnswers, tvb, off + 6, 2, ans);
  const auth = tvb.u16(off + 8);
  top.add(isUpdate ? f.countUpdates : f.countAuth, tvb, off + 8, 2, auth);
  const add = tvb.u16(off + 10);
  top.add(f.countAdd, tvb, off + 10, 2, add);

  let cur = off + 12;
  if (opcode === 6 && quest === 0 && ans === 0 && auth === 0 && add === 0) cur += dissectDso(m, top, cur);

  if (quest > 0) {
    const start = cur;
    tvb.ensure(cur, 1); // (a subtree of length -1 needs at least one byte, as tshark)
    const qt = top.addText(tvb, cur, tvb.remaining(cur), isUpdate ? "Zone" : "Queries");
    let multiple = false;
    for (let i = 0; i < quest; i++) {
      const r = dissectQuery(m, qt, cur);
      cur += r.used;
      if (r.multiple) multiple = true;
    }
    qt.setLen(cur - start);
    if (trans !== null) trans.multipleResponds = multiple;
  }
  if (ans > 0) cur += dissectAnswers(m, top, cur, ans, isUpdate ? "Prerequisites" : "Answers");
  if (auth > 0) cur += dissectAnswers(m, top, cur, auth, isUpdate ? "Updates" : "Authoritative nameservers");
  if (add > 0) cur += dissectAnswers(m, top, cur, add, "Additional records");

  // State tracking in the tree.
  if (!isResponse) {
    if (retransmission && trans !== null && trans.reqFrame && !pinfo.inErrorPkt) {
      idItem.expert("warn", "protocol", `DNS query retransmission. Original request in frame ${trans.reqFrame}`, "dns");
      top.addGenerated(f.retransmitRequestIn, tvb, 0, 0, trans.reqFrame);
      top.addGenerated(f.retransmission, tvb, 0, 0, true);
    } else if (trans !== null && trans.repFrame) {
      top.addGenerated(f.responseIn, tvb, 0, 0, trans.repFrame);
    }
  } else if (trans !== null && trans.reqFrame) {
    if (retransmission && trans.repFrame && !pinfo.inErrorPkt) {
      idItem.expert("warn", "protocol", `DNS response retransmission. Original response in frame ${trans.repFrame}`, "dns");
      top.addGenerated(f.retransmitResponseIn, tvb, 0, 0, trans.repFrame);
      top.addGenerated(f.retransmission, tvb, 0, 0, true);
    } else {
      top.addGenerated(f.responseTo, tvb, 0, 0, trans.reqFrame);
      const d = timeDelta(fr.tsSec, fr.tsNsec, trans.reqS, trans.reqNs);
      const ti = top.addGenerated(f.time, tvb, 0, 0, d);
      if (full) ti.display = `${timeToSeconds(d)} seconds`;
    }
  } else if (!retransmission) {
    top.addGenerated(f.unsolicited, tvb, 0, 0, true);
  }

  const extra = tvb.reportedLength - cur;
  if (extra > 0) {
    const et = top.addText(tvb, cur, extra, `Extraneous Data (${extra} bytes)`);
    et.add(f.extraneousData, tvb, cur, extra, tvb.bytes(cur, extra));
    et.addGenerated(f.extraneousLength, tvb, 0, 0, extra);
    const ex = et.addText(tvb, cur, extra, "Extraneous data");
    ex.hidden = true;
    ex.expert("note", "undecoded", "Extraneous data", "dns");
  }
}

function timeDelta(s: number, ns: number, s0: number, ns0: number): { s: number; ns: number } {
  let ds = s - s0, dns_ = ns - ns0;
  if (ds > 0 && dns_ < 0) { ds--; dns_ += 1e9; } else if (ds < 0 && dns_ > 0) { ds++; dns_ -= 1e9; }
  return { s: ds, ns: dns_ };
}

/** dissect_dns_query: one question. */
function dissectQuery(m: Msg, qt: Item, off: number): { used: number; multiple: boolean } {
  const tvb = m.tvb, f = m.f;
  const n = readName(tvb, off, m.dnsOff);
  const type = tvb.u16(off + n.used);
  let cls = tvb.u16(off + n.used + 2);
  const used = n.used + 4;
  let qu = 0;
  if (m.isMdns) { qu = cls & 0x8000; cls &= 0x7fff; }
  const tname = typeShort(type);
  if (m.cols) {
    m.pinfo.appendInfo(` ${tname} ${n.text}`);
    if (m.isMdns) m.pinfo.appendInfo(qu ? ', "QU" question' : ', "QM" question');
  }
  const t = qt.addText(tvb, off, used, m.full ? `${n.text}: type ${tname}, class ${CLASSES[cls] ?? "Unknown"}${m.isMdns ? (qu ? ', "QU" question' : ', "QM" question') : ""}` : "");
  t.add(f.qryName, tvb, off, n.used, n.text);
  t.addGenerated(f.qryNameLen, tvb, off, n.used, n.len > 1 ? n.len & 0xffff : 0);
  t.addGenerated(f.countLabels, tvb, off, n.used, labelCount(n) & 0xffff);
  t.add(f.qryType, tvb, off + n.used, 2, type);
  if (m.isMdns) {
    t.add(f.qryClassMdns, tvb, off + n.used + 2, 2, cls);
    t.add(f.qryQu, tvb, off + n.used + 2, 2, qu !== 0);
  } else t.add(f.qryClass, tvb, off + n.used + 2, 2, cls);
  return { used, multiple: type === 251 || type === 252 };
}

/** dissect_answer_records: one section of RRs. Returns the bytes used. */
function dissectAnswers(m: Msg, top: Item, off: number, count: number, title: string): number {
  const start = off;
  m.tvb.ensure(off, 1); // (a subtree of length -1 needs at least one byte, as tshark)
  const st = top.addText(m.tvb, off, m.tvb.remaining(off), title);
  for (let i = 0; i < count; i++) off += dissectAnswer(m, st, off);
  st.setLen(off - start);
  return off - start;
}

/** dissect_dns_answer: one RR. Returns its length. */
function dissectAnswer(m: Msg, st: Item, start: number): number {
  const tvb = m.tvb, f = m.f, full = m.full;
  const n: DnsName = readName(tvb, start, m.dnsOff);
  const type = tvb.u16(start + n.used);
  let cls = tvb.u16(start + n.used + 2);
  let flush = 0;
  if (m.isMdns) { flush = cls & 0x8000; cls &= 0x7fff; }
  const tname = typeShort(type);
  const cname = CLASSES[cls] ?? "Unknown";
  const dataOff = start + n.used + 8;
  const dataLen = tvb.u16(dataOff);
  const cur = dataOff + 2;
  if (m.cols) {
    m.pinfo.appendInfo(" " + tname);
    if (m.isMdns && flush) m.pinfo.appendInfo(", cache flush");
  }
  // The RR's subtree covers header + RDATA: bounds-checked like proto_tree_add_subtree.
  const rrLen = cur - start + dataLen;
  tvb.ensure(start, rrLen);
  const rt = st.addText(tvb, start, rrLen, full ? (type !== 41 ? `${n.text}: type ${tname}, class ${cname}` : `${n.text}: type ${tname}`) : "");
  let o = start;
  if (type !== 41) {
    if (type === 33 && n.raw.length > 0 && n.raw.charCodeAt(0) !== 0) {
      // add_rr_to_tree splits an SRV owner "_service._proto.name" (wmem_strsplit(name, ".", 3))
      const s = n.text;
      const a = s.indexOf(".");
      rt.add(f.srvService, tvb, o, n.used, a < 0 ? s : s.slice(0, a));
      if (a >= 0) {
        const b = s.indexOf(".", a + 1);
        rt.add(f.srvProto, tvb, o, n.used, b < 0 ? s.slice(a + 1) : s.slice(a + 1, b));
        if (b >= 0) rt.add(f.srvName, tvb, o, n.used, s.slice(b + 1));
      }
    } else rt.add(f.respName, tvb, o, n.used, n.text);
    o += n.used;
    rt.add(f.respType, tvb, o, 2, type);
    o += 2;
    if (m.isMdns) {
      rt.add(f.respClassMdns, tvb, o, 2, cls);
      rt.add(f.cacheFlush, tvb, o, 2, flush !== 0);
    } else rt.add(f.respClass, tvb, o, 2, cls);
    o += 2;
    const ttl = tvb.u32(o);
    const ti = rt.add(f.respTtl, tvb, o, 4, ttl, full ? `${ttl} (${timeSecsToStr(ttl)})` : undefined);
    if (ttl >= 0x80000000) ti.expert("warn", "protocol", "The uppermost bit of the TTL is set (RFC 2181, section 8)", "dns");
    o += 4;
    rt.add(f.respLen, tvb, o, 2, dataLen);
  } else {
    rt.add(f.respName, tvb, o, n.used, n.text);
    o += n.used;
    rt.add(f.respType, tvb, o, 2, type);
    o += 2;
    const ups = tvb.u16(o);
    if (m.isMdns) {
      rt.add(f.udpPayloadSizeMdns, tvb, o, 2, ups & 0x7fff);
      rt.add(f.cacheFlush, tvb, o, 2, (ups & 0x8000) !== 0);
    } else rt.add(f.udpPayloadSize, tvb, o, 2, ups);
    o += 2;
    rt.add(f.extRcode, tvb, o, 1, tvb.u8(o));
    o++;
    rt.add(f.edns0Version, tvb, o, 1, tvb.u8(o));
    o++;
    const z = tvb.u16(o);
    const zt = rt.add(f.z, tvb, o, 2, z);
    zt.add(f.zDo, tvb, o, 2, (z & 0x8000) !== 0);
    zt.add(f.zReserved, tvb, o, 2, z & 0x7fff);
    o += 2;
    rt.add(f.respLen, tvb, o, 2, dataLen);
  }
  if (m.isMdns && flush && full) rt.appendText(", cache flush");
  if (dataLen === 0) return cur - start;
  dissectRdata(m, rt, rt, type, cur, dataLen, n);
  return cur - start + dataLen;
}

const DSO_TYPES: Readonly<Record<number, string>> = {
  0: "Reserved", 1: "Keep Alive", 2: "Retry Delay", 3: "Encryption Padding", 0x40: "Subscribe", 0x41: "Push",
  0x42: "Unsubscribe", 0x43: "Reconfirm",
};
function dsoTypeName(t: number): string {
  const s = DSO_TYPES[t];
  if (s) return s;
  if (t >= 4 && t <= 0x3f) return "Unassigned, reserved for DSO session-management TLVs";
  if (t >= 0x44 && t <= 0xf7ff) return "Unassigned";
  if (t >= 0xf800 && t <= 0xfbff) return "Reserved for Experimental/Local Use";
  return "Reserved for future expansion";
}

/** dissect_dso_data: DNS Stateful Operations TLVs (opcode 6, all counts zero). */
function dissectDso(m: Msg, top: Item, off: number): number {
  const tvb = m.tvb, f = m.f;
  const start = off;
  tvb.ensure(off, 1); // (an item of length -1 needs at least one byte: no TLVs is malformed, as tshark)
  const dt = top.add(f.dso, tvb, off, tvb.remaining(off), null);
  while (tvb.reportedLength - off >= 4) {
    const len = tvb.u16(off + 2);
    tvb.ensure(off, len + 4);
    const tt = dt.add(f.dsoTlv, tvb, off, len + 4, null);
    const type = tvb.u16(off);
    const ty = tt.add(f.dsoTlvType, tvb, off, 2, type);
    if (m.full) { tt.appendText(": " + dsoTypeName(type)); ty.display = `${dsoTypeName(type)} (${type})`; }
    off += 2;
    tt.add(f.dsoTlvLength, tvb, off, 2, len);
    off += 2;
    if (type === 1) {
      tt.add(f.dsoInactivity, tvb, off, 4, tvb.u32(off));
      tt.add(f.dsoInterval, tvb, off + 4, 4, tvb.u32(off + 4));
      off += 8;
    } else if (type === 2) {
      tt.add(f.dsoRetryDelay, tvb, off, 4, tvb.u32(off));
      off += 4;
    } else if (len > 0) {
      tt.add(type === 3 ? f.dsoPadding : f.dsoTlvData, tvb, off, len, tvb.bytes(off, len));
      off += len;
    }
  }
  dt.setLen(off - start);
  return off - start;
}
