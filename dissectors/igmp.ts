/**
 * Internet Group Management Protocol as tshark 4.0 shows it (packet-igmp.c). The IP
 * protocol 2 handle reads the type and hands the message to the "igmp.type" table; there
 * tshark hangs IGMP's own version dissectors (v0 types 0-15, v1 report, v2 report and
 * leave, the query of every version, the v3 report, multicast traceroute), each a second
 * "igmp" layer (frame.protocols "…:ip:igmp:igmp"), and other protocols carried in IGMP
 * (MRDISC, MSNIP, RGMP: igmp-mrdisc.ts, igmp-msnip.ts, igmp-rgmp.ts, which register in
 * "igmp.type" and may refuse a message). A type nobody takes, or one refused, is shown by
 * the first handle as "Unknown Type" with its bytes as data. Types of protocols nestcap
 * does not dissect (DVMRP 0x13, PIM v1 0x14, IGAP 0x40-0x42) end up there too.
 *
 * The checksum is always verified (unless the datagram is a fragment or the bytes it
 * covers were not all captured): over 8 bytes for v1/v2, 20 for v0, the whole message
 * for v3, traceroute and the protocols above. The traceroute messages are in
 * igmp-mtrace.ts.
 */
import type { Field } from "../src/core/field.js";
import { hex, ipv4ToString } from "../src/core/format.js";
import type { PacketInfo } from "../src/core/pinfo.js";
import { callDissector, CHECKSUM_STATUS, defineProtocol, lookupTable } from "../src/core/proto.js";
import type { Item } from "../src/core/tree.js";
import { BoundsError, type Tvb } from "../src/core/tvb.js";
import { cksumShouldBe, onesSum } from "./ip.js";
import { bindMtrace, dissectMtrace, MTRACE_FIELDS } from "./igmp-mtrace.js";

/** packet-igmp.c's `commands`: the names of the types IGMP itself dissects. */
export const IGMP_COMMANDS: Readonly<Record<number, string>> = {
  0x01: "Create Group Request", 0x02: "Create Group Reply", 0x03: "Join Group Request", 0x04: "Join Group Reply",
  0x05: "Leave Group Request", 0x06: "Leave Group Reply", 0x07: "Confirm Group Request", 0x08: "Confirm Group Reply",
  0x11: "Membership Query", 0x12: "Membership Report", 0x13: "DVMRP Protocol", 0x14: "PIM Routing Message",
  0x16: "Membership Report", 0x17: "Leave Group", 0x1e: "Traceroute Response", 0x1f: "Traceroute Query or Request",
  0x22: "Membership Report",
};

const GROUP_TYPES: Readonly<Record<number, string>> = { 0: "Public Group", 1: "Private Group" };
const REPLY_CODES: Readonly<Record<number, string>> = {
  0: "Request Granted", 1: "Request Denied, No Resources", 2: "Request Denied, Invalid Code",
  3: "Request Denied, Invalid Group", 4: "Request Denied, Invalid Key",
};
const RECORD_TYPES: Readonly<Record<number, string>> = {
  1: "Mode Is Include", 2: "Mode Is Exclude", 3: "Change To Include Mode", 4: "Change To Exclude Mode",
  5: "Allow New Sources", 6: "Block Old Sources",
};

export const igmp = defineProtocol({
  name: "Internet Group Management Protocol",
  abbrev: "igmp",
  short: "IGMP",
  fields: {
    type: { abbrev: "igmp.type", name: "Type", type: "uint8", base: "hex", strings: IGMP_COMMANDS },
    reserved: { abbrev: "igmp.reserved", name: "Reserved", type: "bytes" },
    version: { abbrev: "igmp.version", name: "IGMP Version", type: "uint8" },
    groupType: { abbrev: "igmp.group_type", name: "Type Of Group", type: "uint8", strings: GROUP_TYPES },
    reply: { abbrev: "igmp.reply", name: "Reply", type: "uint8", strings: REPLY_CODES },
    replyPending: { abbrev: "igmp.reply.pending", name: "Reply Pending", type: "uint8" },
    checksum: { abbrev: "igmp.checksum", name: "Checksum", type: "uint16", base: "hex" },
    checksumStatus: { abbrev: "igmp.checksum.status", name: "Checksum Status", type: "uint8", base: "none", strings: CHECKSUM_STATUS },
    identifier: { abbrev: "igmp.identifier", name: "Identifier", type: "uint32" },
    accessKey: { abbrev: "igmp.access_key", name: "Access Key", type: "bytes" },
    maxResp: { abbrev: "igmp.max_resp", name: "Max Resp Time", type: "uint8" },
    s: { abbrev: "igmp.s", name: "S", type: "bool", bitmask: 0x08, bits: 8, tfs: ["SUPPRESS router side processing", "Do not suppress router side processing"] },
    qrv: { abbrev: "igmp.qrv", name: "QRV", type: "uint8", bitmask: 0x07, bits: 8 },
    qqic: { abbrev: "igmp.qqic", name: "QQIC", type: "uint8" },
    numSrc: { abbrev: "igmp.num_src", name: "Num Src", type: "uint16" },
    saddr: { abbrev: "igmp.saddr", name: "Source Address", type: "ipv4" },
    numGrpRecs: { abbrev: "igmp.num_grp_recs", name: "Num Group Records", type: "uint16" },
    recordType: { abbrev: "igmp.record_type", name: "Record Type", type: "uint8", strings: RECORD_TYPES },
    auxDataLen: { abbrev: "igmp.aux_data_len", name: "Aux Data Len", type: "uint8" },
    maddr: { abbrev: "igmp.maddr", name: "Multicast Address", type: "ipv4" },
    auxData: { abbrev: "igmp.aux_data", name: "Aux Data", type: "bytes" },
    data: { abbrev: "igmp.data", name: "Data", type: "bytes" },
    maxRespExp: { abbrev: "igmp.max_resp.exp", name: "Exponent", type: "uint8", base: "hex", bitmask: 0x70, bits: 8 },
    maxRespMant: { abbrev: "igmp.max_resp.mant", name: "Mantissa", type: "uint8", base: "hex", bitmask: 0x0f, bits: 8 },
    ...MTRACE_FIELDS,
    // expert info
    badChecksum: { abbrev: "igmp.bad_checksum", name: "Bad checksum", type: "none" },
  },
  registers: [["ip.proto", 2]],
  dissect: dissectIgmp,
});

const f = igmp.f;
bindMtrace(f, { type: f.type, maddr: f.maddr, checksum: f.checksum, checksumStatus: f.checksumStatus });

/**
 * packet-igmp.c's igmp_checksum, shared by the protocols IGMP carries: verified over `len`
 * bytes (0: the whole message as reported) when the datagram is not a fragment and they
 * were all captured; a bad one gets an error note (`expertAbbrev`), "Bad checksum".
 */
export function igmpChecksum(t: Item, tvb: Tvb, pinfo: PacketInfo, hf: Field, hfStatus: Field, len: number, proto: string, expertAbbrev: string): void {
  if (len === 0) len = tvb.reportedLength;
  const sum = tvb.u16(2);
  const full = t.tree.full;
  if (!pinfo.fragmented && tvb.length >= len) {
    const computed = ~onesSum(tvb, 0, len) & 0xffff;
    if (computed === 0) {
      t.add(hf, tvb, 2, 2, sum, full ? `0x${hex(sum, 4)} [correct]` : undefined);
      t.addGenerated(hfStatus, tvb, 2, 0, 1);
    } else {
      const should = cksumShouldBe(sum, computed);
      const ci = t.add(hf, tvb, 2, 2, sum, full ? `0x${hex(sum, 4)} incorrect, should be 0x${hex(should, 4)}` : undefined);
      ci.expert("error", "checksum", `Bad checksum [should be 0x${hex(should, 4)}]`, proto, expertAbbrev);
      t.addGenerated(hfStatus, tvb, 2, 0, 0);
    }
  } else {
    t.add(hf, tvb, 2, 2, sum, full ? `0x${hex(sum, 4)} [unverified]` : undefined);
    t.addGenerated(hfStatus, tvb, 2, 0, 2);
  }
}

/** Whether the packet goes to the IPv4 address `a` (how MRDISC, MSNIP and RGMP accept a message). */
export function toAddress(pinfo: PacketInfo, a: number): boolean {
  const d = pinfo.netDst;
  return d !== null && d.length === 4 && ((d[0] << 24) >>> 0) + ((d[1] << 16) | (d[2] << 8) | d[3]) === a;
}

function checksum(t: Item, tvb: Tvb, pinfo: PacketInfo, len: number): void {
  igmpChecksum(t, tvb, pinfo, f.checksum, f.checksumStatus, len, "igmp", "igmp.bad_checksum");
}

function typeName(type: number): string {
  return IGMP_COMMANDS[type] ?? `Unknown Type:0x${hex(type, 2)}`;
}

/**
 * The IP protocol 2 handle. Inside an ICMP error, a message cut short (the error quotes
 * only its first 8 bytes) is no error: ICMP catches the ReportedBoundsError and shows
 * nothing, keeping what was dissected (a capture cut short is still marked).
 */
function dissectIgmp(tvb: Tvb, pinfo: PacketInfo, tree: Item): number {
  if (!pinfo.inErrorPkt) return dispatch(tvb, pinfo, tree);
  try {
    return dispatch(tvb, pinfo, tree);
  } catch (e) {
    if (!(e instanceof BoundsError) || !e.reported) throw e;
    return tvb.length;
  }
}

/** The "igmp.type" table, IGMP's own version dissectors, else "unknown". */
function dispatch(tvb: Tvb, pinfo: PacketInfo, tree: Item): number {
  const type = tvb.u8(0);
  const other = lookupTable("igmp.type", type, pinfo.session);
  if (other !== undefined && other !== igmp && callDissector(other, tvb, pinfo, tree) !== 0) return tvb.length;
  const version = versionOf(type);
  if (version === null) {
    dissectUnknown(tvb, pinfo, tree, type);
    return tvb.length;
  }
  pinfo.layers.push("igmp"); // the version dissector's handle: a layer of its own
  if (version === "mtrace") {
    dissectMtrace(tvb, pinfo, tree, igmp.hf, (t, len) => checksum(t, tvb, pinfo, len));
  } else if (version === "query") {
    // v3 by its length, else v1 and v2 by the second byte (v1's is unused, 0)
    if (tvb.reportedLength >= 12) dissectV3Query(tvb, pinfo, tree);
    else if (tvb.u8(1) !== 0) dissectV2(tvb, pinfo, tree, type);
    else dissectV1(tvb, pinfo, tree);
  } else if (version === 0) dissectV0(tvb, pinfo, tree, type);
  else if (version === 1) dissectV1(tvb, pinfo, tree);
  else if (version === 2) dissectV2(tvb, pinfo, tree, type);
  else dissectV3Report(tvb, pinfo, tree);
  return tvb.length;
}

/** Which of IGMP's own dissectors tshark 4.0 hangs at `type` in "igmp.type" (null: none). */
function versionOf(type: number): 0 | 1 | 2 | 3 | "query" | "mtrace" | null {
  if (type <= 15) return 0;
  switch (type) {
    case 0x11: return "query";
    case 0x12: return 1;
    case 0x16: case 0x17: return 2;
    case 0x22: return 3;
    case 0x1e: case 0x1f: return "mtrace";
  }
  return null;
}

/** dissect_igmp_common: columns, the protocol item, the version and the type. */
function common(tvb: Tvb, pinfo: PacketInfo, tree: Item, type: number, version: number): Item {
  pinfo.setProtocol(`IGMPv${version}`);
  pinfo.setInfo("");
  const top = tree.add(igmp.hf, tvb, 0, tvb.length, null);
  if (pinfo.cols !== null) pinfo.setInfo(typeName(type));
  top.addGenerated(f.version, tvb, 0, 0, version);
  top.add(f.type, tvb, 0, 1, type);
  return top;
}

function dissectUnknown(tvb: Tvb, pinfo: PacketInfo, tree: Item, type: number): void {
  pinfo.setProtocol("IGMP");
  pinfo.setInfo("");
  const top = tree.add(igmp.hf, tvb, 0, tvb.length, null);
  if (pinfo.cols !== null) pinfo.setInfo(typeName(type));
  top.add(f.type, tvb, 0, 1, type);
  // the rest as data: at least one byte must be there (a one-byte message is malformed)
  if (tvb.remaining(1) === 0) tvb.ensure(1, 1);
  top.add(f.data, tvb, 1, tvb.length - 1, tvb.bytes(1));
}

/** RFC 988. */
function dissectV0(tvb: Tvb, pinfo: PacketInfo, tree: Item, type: number): void {
  const top = common(tvb, pinfo, tree, type, 0);
  const code = tvb.u8(1);
  if (type === 1) top.add(f.groupType, tvb, 1, 1, code);
  else if ((type & 1) === 0) {
    if (code < 5) top.add(f.reply, tvb, 1, 1, code);
    else top.add(f.replyPending, tvb, 1, 1, code);
  }
  checksum(top, tvb, pinfo, 20);
  top.add(f.identifier, tvb, 4, 4, tvb.u32(4));
  top.add(f.maddr, tvb, 8, 4, tvb.u32(8));
  top.add(f.accessKey, tvb, 12, 8, tvb.bytes(12, 8));
}

/** RFC 1112. */
function dissectV1(tvb: Tvb, pinfo: PacketInfo, tree: Item): void {
  const top = common(tvb, pinfo, tree, tvb.u8(0), 1);
  top.add(f.reserved, tvb, 1, 1, tvb.bytes(1, 1));
  checksum(top, tvb, pinfo, 8);
  top.add(f.maddr, tvb, 4, 4, tvb.u32(4));
}

const tenths = (t: number): string => `${Math.floor(t / 10)}.${t % 10}`;

/** RFC 2236: query, report, leave. */
function dissectV2(tvb: Tvb, pinfo: PacketInfo, tree: Item, type: number): void {
  const top = common(tvb, pinfo, tree, type, 2);
  const tsecs = tvb.u8(1);
  top.add(f.maxResp, tvb, 1, 1, tsecs, top.tree.full ? `${tenths(tsecs)} sec (0x${hex(tsecs, 2)})` : undefined);
  checksum(top, tvb, pinfo, 8);
  const group = tvb.u32(4);
  top.add(f.maddr, tvb, 4, 4, group);
  if (pinfo.cols !== null) {
    if (group === 0) pinfo.appendInfo(", general");
    else if (type === 0x17) pinfo.appendInfo(` ${ipv4ToString(group)}`);
    else if (type === 0x11) pinfo.appendInfo(`, specific for group ${ipv4ToString(group)}`);
    else pinfo.appendInfo(` group ${ipv4ToString(group)}`);
  }
}

/** The v3 Max Resp Code: below 128 tenths of a second, else a floating-point value (its exponent and mantissa under it). */
function maxRespCode(tvb: Tvb, t: Item, o: number): void {
  const bits = tvb.u8(o);
  const tsecs = bits & 0x80 ? ((bits & 0x0f) | 0x10) << (((bits & 0x70) >> 4) + 3) : bits;
  const it = t.add(f.maxResp, tvb, o, 1, tsecs, t.tree.full ? `${tenths(tsecs)} sec (0x${hex(bits, 2)})` : undefined);
  if (bits & 0x80) {
    it.add(f.maxRespExp, tvb, o, 1, (bits & 0x70) >> 4);
    it.add(f.maxRespMant, tvb, o, 1, bits & 0x0f);
  }
}

/** "sources {a, b}" as the Info column lists them (after each source is read, as tshark). */
function sourceList(tvb: Tvb, pinfo: PacketInfo, t: Item, o: number, num: number): number {
  for (let left = num; left > 0; left--) {
    const a = tvb.u32(o);
    if (pinfo.cols !== null) pinfo.appendInfo(ipv4ToString(a) + (left > 1 ? ", " : "}"));
    t.add(f.saddr, tvb, o, 4, a);
    o += 4;
  }
  return o;
}

/** RFC 3376 query: a query of 12 bytes or more. */
function dissectV3Query(tvb: Tvb, pinfo: PacketInfo, tree: Item): void {
  const top = common(tvb, pinfo, tree, 0x11, 3);
  const num = tvb.u16(10);
  maxRespCode(tvb, top, 1);
  checksum(top, tvb, pinfo, 0);
  const group = tvb.u32(4);
  top.add(f.maddr, tvb, 4, 4, group);
  if (pinfo.cols !== null) pinfo.appendInfo(group === 0 ? ", general" : `, specific for group ${ipv4ToString(group)}`);
  const sqrv = tvb.u8(8);
  top.add(f.s, tvb, 8, 1, (sqrv & 0x08) !== 0);
  top.add(f.qrv, tvb, 8, 1, sqrv & 0x07);
  top.add(f.qqic, tvb, 9, 1, tvb.u8(9));
  top.add(f.numSrc, tvb, 10, 2, num);
  if (num !== 0 && pinfo.cols !== null) pinfo.appendInfo(`, source${num > 1 ? "s" : ""} {`);
  sourceList(tvb, pinfo, top, 12, num);
}

/** RFC 3376 report: group records. */
function dissectV3Report(tvb: Tvb, pinfo: PacketInfo, tree: Item): void {
  const top = common(tvb, pinfo, tree, 0x22, 3);
  top.add(f.reserved, tvb, 1, 1, tvb.bytes(1, 1));
  checksum(top, tvb, pinfo, 0);
  top.add(f.reserved, tvb, 4, 2, tvb.bytes(4, 2));
  const num = tvb.u16(6);
  if (num === 0) pinfo.appendInfo(" - General query");
  top.add(f.numGrpRecs, tvb, 6, 2, num);
  let o = 8;
  for (let i = 0; i < num; i++) o = groupRecord(tvb, pinfo, top, o);
}

function groupRecord(tvb: Tvb, pinfo: PacketInfo, parent: Item, start: number): number {
  const group = tvb.u32(start + 4);
  const rtype = tvb.u8(start);
  const t = parent.addText(tvb, start, tvb.remaining(start), `Group Record : ${ipv4ToString(group)}  ${RECORD_TYPES[rtype] ?? ""}`);
  t.add(f.recordType, tvb, start, 1, rtype);
  const adl = tvb.u8(start + 1);
  t.add(f.auxDataLen, tvb, start + 1, 1, adl);
  const num = tvb.u16(start + 2);
  t.add(f.numSrc, tvb, start + 2, 2, num);
  t.add(f.maddr, tvb, start + 4, 4, group);
  if (pinfo.cols !== null) pinfo.appendInfo(recordInfo(rtype, ipv4ToString(group), num));
  let o = sourceList(tvb, pinfo, t, start + 8, num);
  if (adl !== 0) {
    t.add(f.auxData, tvb, o, adl * 4, tvb.bytes(o, adl * 4));
    o += adl * 4;
  }
  t.setLen(o - start);
  return o;
}

/** What a group record adds to Info (the sources follow, for a record that has some). */
function recordInfo(rtype: number, g: string, num: number): string {
  if (num === 0) {
    switch (rtype) {
      case 1: case 3: return ` / Leave group ${g}`;
      case 2: case 4: return ` / Join group ${g} for any sources`;
      case 5: return ` / Group ${g}, ALLOW_NEW_SOURCES but no source specified (?)`;
      case 6: return ` / Group ${g}, BLOCK_OLD_SOURCES but no source specified (?)`;
      default: return ` / Group ${g}, unknown record type (?)`;
    }
  }
  switch (rtype) {
    case 1: case 3: return ` / Join group ${g} for source${num > 1 ? "s in" : ""} {`;
    case 2: case 4: return ` / Join group ${g}, for source${num > 1 ? "s not in" : " not"} {`;
    case 5: return ` / Group ${g}, new source${num > 1 ? "s" : ""} {`;
    case 6: return ` / Group ${g}, block source${num > 1 ? "s" : ""} {`;
    default: return ` / Group ${g}, unknown record type (?), sources {`;
  }
}
