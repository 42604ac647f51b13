/**
 * One DNS message (dissect_dns_common), for dns.ts, mdns.ts and llmnr.ts: the Info
 * column, the header (id, flags, counts), request/response matching (one pass), the
 * sections in order (dns-sections.ts) and any extraneous bytes after them.
 */
import { DnsMatcher } from "../src/analysis/dns.js";
import { conversationDirection, conversationKey } from "../src/analysis/conversation.js";
import { timeToSeconds } from "../src/core/format.js";
import type { PacketInfo } from "../src/core/pinfo.js";
import type { Protocol } from "../src/core/proto.js";
import type { Item } from "../src/core/tree.js";
import type { Tvb } from "../src/core/tvb.js";
import type { DnsFields } from "./dns.js";
import { OPCODES, RCODES, type RdataCtx } from "./dns-rr.js";
import { dissectAnswers, dissectDso, dissectQuery } from "./dns-sections.js";

/** The registered DNS fields (dns.f); set by bindDnsFields() when dns.ts loads. */
let fields: DnsFields;

export function bindDnsFields(f: DnsFields): void {
  fields = f;
}

/** Which flavour of message: plain DNS, mDNS (QU/cache-flush bits) or LLMNR (C/TC/T flags). */
export const MsgKind = { DNS: 0, MDNS: 1, LLMNR: 2 } as const;
export type MsgKind = (typeof MsgKind)[keyof typeof MsgKind];

const TOP_NAME = ["Domain Name System", "Multicast Domain Name System", "Link-local Multicast Name Resolution"];


function matcher(pinfo: PacketInfo): DnsMatcher {
  return pinfo.session.get("dns", () => new DnsMatcher());
}

// ───────────────────────────────────────────────────────────── one message

/** Everything one message's walk needs (kept together to avoid long argument lists). */
export class Msg implements RdataCtx {
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
  const f = fields;
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
    // -2: the first response to a request, noted for the second pass's "[Response In: N]"
    if (isResponse && trans !== null && trans.repFrame === fr.num) pinfo.session.noteAheadFirst("dns.response_in", answerKey(trans.reqFrame, id), fr.num);
  }
  // -2, second pass: a request's response, known from the first pass
  const repFrame = trans === null ? 0 : trans.repFrame !== 0 || isResponse ? trans.repFrame : pinfo.session.ahead<number>("dns.response_in", answerKey(trans.reqFrame, id)) ?? 0;

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
      idItem.expert("warn", "protocol", `DNS query retransmission. Original request in frame ${trans.reqFrame}`, "dns", "dns.retransmit_request");
      top.addGenerated(f.retransmitRequestIn, tvb, 0, 0, trans.reqFrame);
      top.addGenerated(f.retransmission, tvb, 0, 0, true);
    } else if (trans !== null && repFrame) {
      top.addGenerated(f.responseIn, tvb, 0, 0, repFrame);
    }
  } else if (trans !== null && trans.reqFrame) {
    if (retransmission && trans.repFrame && !pinfo.inErrorPkt) {
      idItem.expert("warn", "protocol", `DNS response retransmission. Original response in frame ${trans.repFrame}`, "dns", "dns.retransmit_response");
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
    ex.expert("note", "undecoded", "Extraneous data", "dns", "dns.extraneous");
  }
}

/** -2's note key for a request: its frame and transaction ID (one frame may carry many queries, over TCP). */
const answerKey = (frame: number, id: number): number => frame * 65536 + id;

function timeDelta(s: number, ns: number, s0: number, ns0: number): { s: number; ns: number } {
  let ds = s - s0, dns_ = ns - ns0;
  if (ds > 0 && dns_ < 0) { ds--; dns_ += 1e9; } else if (ds < 0 && dns_ > 0) { ds++; dns_ -= 1e9; }
  return { s: ds, ns: dns_ };
}
