/**
 * Multicast traceroute (draft-ietf-idmr-traceroute-ipm-07) as tshark 4.0's IGMP dissector
 * shows it (packet-igmp.c, dissect_igmp_mtrace): type 0x1e is a Response, 0x1f a Query
 * (just the 24-byte header) or a Request (with response blocks). The fields are IGMP's:
 * registered by igmp.ts (spread into its field list) and bound here by bindMtrace(), so
 * this file does not import igmp.ts.
 */
import type { Field, FieldSpec } from "../src/core/field.js";
import { hex, ipv4ToString } from "../src/core/format.js";
import type { PacketInfo } from "../src/core/pinfo.js";
import type { Item } from "../src/core/tree.js";
import type { Tvb } from "../src/core/tvb.js";

const RTG_PROTOS: Readonly<Record<number, string>> = {
  1: "DVMRP", 2: "MOSPF", 3: "PIM", 4: "CBT", 5: "PIM using special routing table", 6: "PIM using a static route",
  7: "DVMRP using a static route", 8: "PIM using MBGP (aka BGP4+) route", 9: "CBT using special routing table",
  10: "CBT using a static route", 11: "PIM using state created by Assert processing",
};
const FWD_CODES: Readonly<Record<number, string>> = {
  0x00: "NO_ERROR", 0x01: "WRONG_IF", 0x02: "PRUNE_SENT", 0x03: "PRUNE_RCVD", 0x04: "SCOPED", 0x05: "NO_ROUTE",
  0x06: "WRONG_LAST_HOP", 0x07: "NOT_FORWARDING", 0x08: "REACHED_RP", 0x09: "RPF_IF", 0x0a: "NO_MULTICAST",
  0x0b: "INFO_HIDDEN", 0x81: "NO_SPACE", 0x82: "OLD_ROUTER", 0x83: "ADMIN_PROHIB",
};

/** The traceroute fields, in tshark's registration order (spread into igmp's field list). */
export const MTRACE_FIELDS = {
  maxHops: { abbrev: "igmp.mtrace.max_hops", name: "# hops", type: "uint8" },
  mSaddr: { abbrev: "igmp.mtrace.saddr", name: "Source Address", type: "ipv4" },
  mRaddr: { abbrev: "igmp.mtrace.raddr", name: "Receiver Address", type: "ipv4" },
  mRspaddr: { abbrev: "igmp.mtrace.rspaddr", name: "Response Address", type: "ipv4" },
  respTtl: { abbrev: "igmp.mtrace.resp_ttl", name: "Response TTL", type: "uint8" },
  qId: { abbrev: "igmp.mtrace.q_id", name: "Query ID", type: "uint24" },
  qArrival: { abbrev: "igmp.mtrace.q_arrival", name: "Query Arrival", type: "uint32" },
  qInaddr: { abbrev: "igmp.mtrace.q_inaddr", name: "In itf addr", type: "ipv4" },
  qOutaddr: { abbrev: "igmp.mtrace.q_outaddr", name: "Out itf addr", type: "ipv4" },
  qPrevrtr: { abbrev: "igmp.mtrace.q_prevrtr", name: "Previous rtr addr", type: "ipv4" },
  qInpkt: { abbrev: "igmp.mtrace.q_inpkt", name: "In pkts", type: "uint32" },
  qOutpkt: { abbrev: "igmp.mtrace.q_outpkt", name: "Out pkts", type: "uint32" },
  qTotal: { abbrev: "igmp.mtrace.q_total", name: "S,G pkt count", type: "uint32" },
  qRtgProto: { abbrev: "igmp.mtrace.q_rtg_proto", name: "Rtg Protocol", type: "uint8", strings: RTG_PROTOS },
  qFwdTtl: { abbrev: "igmp.mtrace.q_fwd_ttl", name: "FwdTTL", type: "uint8" },
  qMbz: { abbrev: "igmp.mtrace.q_mbz", name: "MBZ", type: "uint8", base: "hex", bitmask: 0x80, bits: 8 },
  qS: { abbrev: "igmp.mtrace.q_s", name: "S", type: "uint8", base: "hex", bitmask: 0x40, bits: 8 },
  qSrcMask: { abbrev: "igmp.mtrace.q_src_mask", name: "Src Mask", type: "uint8", base: "hex", bitmask: 0x3f, bits: 8 },
  qFwdCode: { abbrev: "igmp.mtrace.q_fwd_code", name: "Forwarding Code", type: "uint8", base: "hex", strings: FWD_CODES },
} satisfies Record<string, FieldSpec>;

type MtraceFields = { [K in keyof typeof MTRACE_FIELDS]: Field };
/** IGMP's own fields the traceroute uses too. */
interface Common {
  type: Field;
  maddr: Field;
  checksum: Field;
  checksumStatus: Field;
}

let m: MtraceFields;
let c: Common;

export function bindMtrace(fields: MtraceFields, common: Common): void {
  m = fields;
  c = common;
}

const HDR_LEN = 24;
const RSP_LEN = 32;

/** dissect_igmp_mtrace: `checksum(t, 0)` verifies IGMP's checksum over the whole message. */
export function dissectMtrace(tvb: Tvb, pinfo: PacketInfo, tree: Item, proto: Field, checksum: (t: Item, len: number) => void): void {
  const top = tree.add(proto, tvb, 0, tvb.length, null);
  pinfo.setProtocol("IGMP");
  pinfo.setInfo("");
  const type = tvb.u8(0);
  let typestr: string;
  let blocks = "";
  if (type === 0x1e) {
    const n = Math.trunc((tvb.reportedLength - HDR_LEN) / RSP_LEN);
    blocks = `, ${n} block${n === 1 ? "" : "s"}`;
    typestr = "Traceroute Response";
  } else typestr = tvb.reportedLength === HDR_LEN ? "Traceroute Query" : "Traceroute Request";
  pinfo.setInfo(typestr + blocks);
  top.add(c.type, tvb, 0, 1, type, top.tree.full ? `${typestr} (0x${hex(type, 2)})` : undefined);
  top.add(m.maxHops, tvb, 1, 1, tvb.u8(1));
  checksum(top, 0);
  top.add(c.maddr, tvb, 4, 4, tvb.u32(4));
  top.add(m.mSaddr, tvb, 8, 4, tvb.u32(8));
  top.add(m.mRaddr, tvb, 12, 4, tvb.u32(12));
  top.add(m.mRspaddr, tvb, 16, 4, tvb.u32(16));
  top.add(m.respTtl, tvb, 20, 1, tvb.u8(20));
  top.add(m.qId, tvb, 21, 3, tvb.u24(21));
  // a Query is only the header; then as many whole response blocks as the message reports
  let o = HDR_LEN;
  while (tvb.reportedLength - o >= RSP_LEN) {
    const inaddr = tvb.u32(o + 4), outaddr = tvb.u32(o + 8);
    const rtg = tvb.u8(o + 28), code = tvb.u8(o + 31);
    const b = top.addText(tvb, o, RSP_LEN, `Response data block: ${ipv4ToString(inaddr)} -> ${ipv4ToString(outaddr)},  Proto: ${RTG_PROTOS[rtg] ?? "Unknown"},  Forwarding Code: ${FWD_CODES[code] ?? "Unknown"}`);
    b.add(m.qArrival, tvb, o, 4, tvb.u32(o));
    b.add(m.qInaddr, tvb, o + 4, 4, inaddr);
    b.add(m.qOutaddr, tvb, o + 8, 4, outaddr);
    b.add(m.qPrevrtr, tvb, o + 12, 4, tvb.u32(o + 12));
    b.add(m.qInpkt, tvb, o + 16, 4, tvb.u32(o + 16));
    b.add(m.qOutpkt, tvb, o + 20, 4, tvb.u32(o + 20));
    b.add(m.qTotal, tvb, o + 24, 4, tvb.u32(o + 24));
    b.add(m.qRtgProto, tvb, o + 28, 1, rtg);
    b.add(m.qFwdTtl, tvb, o + 29, 1, tvb.u8(o + 29));
    const bits = tvb.u8(o + 30);
    b.add(m.qMbz, tvb, o + 30, 1, (bits & 0x80) >> 7);
    b.add(m.qS, tvb, o + 30, 1, (bits & 0x40) >> 6);
    b.add(m.qSrcMask, tvb, o + 30, 1, bits & 0x3f);
    b.add(m.qFwdCode, tvb, o + 31, 1, code);
    o += RSP_LEN;
  }
}
