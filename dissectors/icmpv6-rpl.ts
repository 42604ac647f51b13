/**
 * RPL control messages (ICMPv6 type 155, RFC 6550) as tshark 4.0's packet-icmpv6.c shows
 * them: the DIS, DIO, DAO and DAO-ACK bodies and their options (padding, routing
 * information, DODAG configuration, DAG metric container, target, transit, solicited and
 * prefix information, target descriptor; others as "not implemented" data, as tshark does
 * for types it lacks). Not dissected here (the message body stays data): the secure
 * variants, the consistency check, P2P-RPL's DRO/DRO-ACK; and P2P route discovery options
 * (10), which tshark decodes, are shown by type and length only.
 * The DAG metric container's metrics: icmpv6-rpl-metric.ts.
 * The fields are registered by icmpv6.ts (RPL_FIELDS spread into its list) and bound here.
 */
import type { Field, FieldSpec } from "../src/core/field.js";
import { ipv6ToString } from "../src/core/format.js";
import type { Item } from "../src/core/tree.js";
import type { Tvb } from "../src/core/tvb.js";
import { METRIC_FIELDS, bindMetricFields, metrics } from "./icmpv6-rpl-metric.js";

const MOP: Record<number, string> = {
  0: "No Downward routes maintained by RPL", 1: "Non-Storing Mode of Operation",
  2: "Storing Mode of Operation with no multicast support", 3: "Storing Mode of Operation with multicast support",
  4: "P2P Route Discovery Mode of Operation",
};
const OPTIONS: Record<number, string> = {
  0: "1-byte padding", 1: "n-byte padding", 2: "DAG Metric container", 3: "Routing Information", 4: "DODAG configuration",
  5: "RPL Target", 6: "Transit Information", 7: "Solicited Information", 8: "Prefix Information", 9: "RPL Target Descriptor",
  10: "P2P Route Discovery",
};
const PREFERENCE: Record<number, string> = { 0: "Medium", 1: "High", 2: "Reserved", 3: "Low" };

/** The RPL fields, in registration order (spread into the icmpv6 field list). */
export const RPL_FIELDS = {
  disFlags: { abbrev: "icmpv6.rpl.dis.flags", name: "Flags", type: "uint8" },
  dioInstance: { abbrev: "icmpv6.rpl.dio.instance", name: "RPLInstanceID", type: "uint8" },
  dioVersion: { abbrev: "icmpv6.rpl.dio.version", name: "Version", type: "uint8" },
  dioRank: { abbrev: "icmpv6.rpl.dio.rank", name: "Rank", type: "uint16" },
  dioFlag: { abbrev: "icmpv6.rpl.dio.flag", name: "Flags", type: "uint8", base: "hex" },
  dioFlagG: { abbrev: "icmpv6.rpl.dio.flag.g", name: "Grounded (G)", type: "bool", bits: 8, bitmask: 0x80, tfs: ["True", "False"] },
  dioFlag0: { abbrev: "icmpv6.rpl.dio.flag.0", name: "Zero", type: "bool", bits: 8, bitmask: 0x40, tfs: ["True", "False"] },
  dioFlagMop: { abbrev: "icmpv6.rpl.dio.flag.mop", name: "Mode of Operation (MOP)", type: "uint8", base: "hex", bits: 8, bitmask: 0x38, strings: MOP },
  dioFlagPrf: { abbrev: "icmpv6.rpl.dio.flag.preference", name: "DODAG Preference", type: "uint8", bits: 8, bitmask: 0x07 },
  dioDtsn: { abbrev: "icmpv6.rpl.dio.dtsn", name: "Destination Advertisement Trigger Sequence Number (DTSN)", type: "uint8" },
  dioDagid: { abbrev: "icmpv6.rpl.dio.dagid", name: "DODAGID", type: "ipv6" },
  daoInstance: { abbrev: "icmpv6.rpl.dao.instance", name: "RPLInstanceID", type: "uint8" },
  daoFlag: { abbrev: "icmpv6.rpl.dao.flag", name: "Flags", type: "uint8", base: "hex" },
  daoFlagK: { abbrev: "icmpv6.rpl.dao.flag.k", name: "DAO-ACK Request (K)", type: "bool", bits: 8, bitmask: 0x80, tfs: ["True", "False"] },
  daoFlagD: { abbrev: "icmpv6.rpl.dao.flag.d", name: "DODAGID Present (D)", type: "bool", bits: 8, bitmask: 0x40, tfs: ["True", "False"] },
  daoFlagRsv: { abbrev: "icmpv6.rpl.dao.flag.rsv", name: "Reserved", type: "uint8", bits: 8, bitmask: 0x3f },
  daoSequence: { abbrev: "icmpv6.rpl.dao.sequence", name: "DAO Sequence", type: "uint8" },
  daoDodagid: { abbrev: "icmpv6.rpl.dao.dodagid", name: "DODAGID", type: "ipv6" },
  daoackInstance: { abbrev: "icmpv6.rpl.daoack.instance", name: "RPLInstanceID", type: "uint8" },
  daoackFlag: { abbrev: "icmpv6.rpl.daoack.flag", name: "Flag", type: "uint8", base: "hex" },
  daoackFlagD: { abbrev: "icmpv6.rpl.daoack.flag.d", name: "DODAGID Present (D)", type: "bool", bits: 8, bitmask: 0x80, tfs: ["True", "False"] },
  daoackFlagRsv: { abbrev: "icmpv6.rpl.daoack.flag.rsv", name: "Reserved", type: "uint8", bits: 8, bitmask: 0x7f },
  daoackSequence: { abbrev: "icmpv6.rpl.daoack.sequence", name: "DAO-ACK Sequence", type: "uint8" },
  daoackStatus: { abbrev: "icmpv6.rpl.daoack.status", name: "Status", type: "uint8" },
  daoackDodagid: { abbrev: "icmpv6.rpl.daoack.dodagid", name: "DODAGID", type: "ipv6" },
  rplOptType: { abbrev: "icmpv6.rpl.opt.type", name: "Type", type: "uint8", strings: OPTIONS },
  rplOptLength: { abbrev: "icmpv6.rpl.opt.length", name: "Length", type: "uint8" },
  rplOptReserved: { abbrev: "icmpv6.rpl.opt.reserved", name: "Reserved", type: "none" },
  rplOptPadn: { abbrev: "icmpv6.rpl.opt.padn", name: "Paddn", type: "none" },
  ...METRIC_FIELDS,
  routePrefixLength: { abbrev: "icmpv6.rpl.opt.route.prefix_length", name: "Prefix Length", type: "uint8" },
  routeFlag: { abbrev: "icmpv6.rpl.opt.route.flag", name: "Flag", type: "uint8", base: "hex" },
  routePref: { abbrev: "icmpv6.rpl.opt.route.pref", name: "Preference", type: "uint8", bits: 8, bitmask: 0x18, strings: PREFERENCE },
  routeReserved: { abbrev: "icmpv6.rpl.opt.route.reserved", name: "Reserved", type: "uint8", bits: 8, bitmask: 0xe7 },
  routeLifetime: { abbrev: "icmpv6.rpl.opt.route.lifetime", name: "Route Lifetime", type: "uint32" },
  routePrefix: { abbrev: "icmpv6.rpl.opt.route.prefix", name: "Prefix", type: "ipv6" },
  configFlag: { abbrev: "icmpv6.rpl.opt.config.flag", name: "Flag", type: "uint8", base: "hex" },
  configReserved: { abbrev: "icmpv6.rpl.opt.config.reserved", name: "Reserved", type: "uint8", bits: 8, bitmask: 0xf0 },
  configAuth: { abbrev: "icmpv6.rpl.opt.config.auth", name: "Authentication Enabled", type: "bool", bits: 8, bitmask: 0x08 },
  configPcs: { abbrev: "icmpv6.rpl.opt.config.pcs", name: "Path Control Size", type: "uint8", bits: 8, bitmask: 0x07 },
  configIntervalDouble: { abbrev: "icmpv6.rpl.opt.config.interval_double", name: "DIOIntervalDoublings", type: "uint8" },
  configIntervalMin: { abbrev: "icmpv6.rpl.opt.config.interval_min", name: "DIOIntervalMin", type: "uint16" },
  configRedundancy: { abbrev: "icmpv6.rpl.opt.config.redundancy", name: "DIORedundancyConstant", type: "uint8" },
  configMaxRankInc: { abbrev: "icmpv6.rpl.opt.config.max_rank_inc", name: "MaxRankInc", type: "uint16" },
  configMinHopRankInc: { abbrev: "icmpv6.rpl.opt.config.min_hop_rank_inc", name: "MinHopRankInc", type: "uint16" },
  configOcp: { abbrev: "icmpv6.rpl.opt.config.ocp", name: "OCP (Objective Code Point)", type: "uint16" },
  configRsv: { abbrev: "icmpv6.rpl.opt.config.rsv", name: "Reserved", type: "uint8" },
  configDefLifetime: { abbrev: "icmpv6.rpl.opt.config.def_lifetime", name: "Default Lifetime", type: "uint8" },
  configLifetimeUnit: { abbrev: "icmpv6.rpl.opt.config.lifetime_unit", name: "Lifetime Unit", type: "uint16" },
  targetFlag: { abbrev: "icmpv6.rpl.opt.target.flag", name: "Reserved", type: "none" },
  targetPrefixLength: { abbrev: "icmpv6.rpl.opt.target.prefix_length", name: "Target Length", type: "uint8" },
  targetPrefix: { abbrev: "icmpv6.rpl.opt.target.prefix", name: "Target", type: "ipv6" },
  transitFlag: { abbrev: "icmpv6.rpl.opt.transit.flag", name: "Flags", type: "uint8", base: "hex" },
  transitFlagE: { abbrev: "icmpv6.rpl.opt.transit.flag.e", name: "External", type: "bool", bits: 8, bitmask: 0x80 },
  transitFlagRsv: { abbrev: "icmpv6.rpl.opt.transit.flag.rsv", name: "Reserved", type: "uint8", bits: 8, bitmask: 0x7f },
  transitPathCtl: { abbrev: "icmpv6.rpl.opt.transit.pathctl", name: "Path Control", type: "uint8" },
  transitPathSeq: { abbrev: "icmpv6.rpl.opt.transit.pathseq", name: "Path Sequence", type: "uint8" },
  transitPathLifetime: { abbrev: "icmpv6.rpl.opt.transit.pathlifetime", name: "Path Lifetime", type: "uint8" },
  transitParent: { abbrev: "icmpv6.rpl.opt.transit.parent", name: "Parent Address", type: "ipv6" },
  solicitedInstance: { abbrev: "icmpv6.rpl.opt.solicited.instance", name: "Instance", type: "uint8" },
  solicitedFlag: { abbrev: "icmpv6.rpl.opt.solicited.flag", name: "Flag", type: "uint8", base: "hex" },
  solicitedFlagV: { abbrev: "icmpv6.rpl.opt.solicited.flag.v", name: "Version predicate", type: "bool", bits: 8, bitmask: 0x80, tfs: ["True", "False"] },
  solicitedFlagI: { abbrev: "icmpv6.rpl.opt.solicited.flag.i", name: "InstanceID predicate", type: "bool", bits: 8, bitmask: 0x40, tfs: ["True", "False"] },
  solicitedFlagD: { abbrev: "icmpv6.rpl.opt.solicited.flag.d", name: "DODAGID predicate", type: "bool", bits: 8, bitmask: 0x20, tfs: ["True", "False"] },
  solicitedFlagRsv: { abbrev: "icmpv6.rpl.opt.solicited.flag.rsv", name: "Reserved", type: "uint8", bits: 8, bitmask: 0x1f },
  solicitedDodagid: { abbrev: "icmpv6.rpl.opt.solicited.dodagid", name: "DODAGID", type: "ipv6" },
  solicitedVersion: { abbrev: "icmpv6.rpl.opt.solicited.version", name: "Version", type: "uint8" },
  prefixLength: { abbrev: "icmpv6.rpl.opt.prefix.length", name: "Prefix Length", type: "uint8" },
  prefixFlag: { abbrev: "icmpv6.rpl.opt.prefix.flag", name: "Flag", type: "uint8", base: "hex" },
  prefixFlagL: { abbrev: "icmpv6.rpl.opt.prefix.flag.l", name: "On Link", type: "bool", bits: 8, bitmask: 0x80 },
  // (tshark 4.0 registers the A and R bits under opt.config)
  prefixFlagA: { abbrev: "icmpv6.rpl.opt.config.flag.a", name: "Auto Address Config", type: "bool", bits: 8, bitmask: 0x40 },
  prefixFlagR: { abbrev: "icmpv6.rpl.opt.config.flag.r", name: "Router Address", type: "bool", bits: 8, bitmask: 0x20 },
  prefixFlagRsv: { abbrev: "icmpv6.rpl.opt.config.flag.rsv", name: "Reserved", type: "uint8", bits: 8, bitmask: 0x1f },
  prefixValid: { abbrev: "icmpv6.rpl.opt.prefix.valid_lifetime", name: "Valid Lifetime", type: "uint32" },
  prefixPreferred: { abbrev: "icmpv6.rpl.opt.prefix.preferred_lifetime", name: "Preferred Lifetime", type: "uint32" },
  prefix: { abbrev: "icmpv6.rpl.opt.prefix", name: "Destination Prefix", type: "ipv6" },
  targetDescriptor: { abbrev: "icmpv6.rpl.opt.targetdesc.descriptor", name: "Descriptor", type: "uint32", base: "hex" },
  unknownData: { abbrev: "icmpv6.unknown_data", name: "Unknown Data", type: "bytes" },
  eUnknownData: { abbrev: "icmpv6.unknown_data.expert", name: "Unknown Data (not interpreted)", type: "none" },
  eUnknownMetric: { abbrev: "icmpv6.rpl.unknown.metric", name: "Unknown RPL metric/constraint type", type: "none" },
  eRplOptionNotImplemented: { abbrev: "icmpv6.undecoded.rpl_option", name: "Undecoded RPL Option", type: "none" },
} satisfies Record<string, FieldSpec>;

type RplFields = { [K in keyof typeof RPL_FIELDS]: Field } & { opt: Field; reserved: Field; data: Field; eInvalidOptionLength: Field };
let f: RplFields;

/** Called once by dissectors/icmpv6.ts right after defineProtocol (icmpv6's f holds RPL_FIELDS). */
export function bindRplFields(fields: RplFields): void {
  f = fields;
  bindMetricFields(fields);
}

/** Does nestcap dissect this RPL message's body (code)? The others stay data. */
export function rplBodyKnown(code: number): boolean {
  return code <= 3;
}

/** The body of an RPL control message from offset 4 of the ICMPv6 message. */
export function dissectRpl(tvb: Tvb, code: number, top: Item): void {
  let o = 4;
  switch (code) {
    case 0: // DIS
      top.add(f.disFlags, tvb, o, 1, tvb.u8(o));
      top.add(f.reserved, tvb, o + 1, 1, tvb.bytes(o + 1, 1));
      o += 2;
      break;
    case 1: { // DIO
      top.add(f.dioInstance, tvb, o, 1, tvb.u8(o));
      top.add(f.dioVersion, tvb, o + 1, 1, tvb.u8(o + 1));
      top.add(f.dioRank, tvb, o + 2, 2, tvb.u16(o + 2));
      top.addBitmask(f.dioFlag, tvb, o + 4, 1, tvb.u8(o + 4), [f.dioFlagG, f.dioFlag0, f.dioFlagMop, f.dioFlagPrf]);
      top.add(f.dioDtsn, tvb, o + 5, 1, tvb.u8(o + 5));
      top.add(f.dioFlag, tvb, o + 6, 1, tvb.u8(o + 6));
      top.add(f.reserved, tvb, o + 7, 1, tvb.bytes(o + 7, 1));
      top.add(f.dioDagid, tvb, o + 8, 16, tvb.bytes(o + 8, 16));
      o += 24;
      break;
    }
    case 2: { // DAO
      top.add(f.daoInstance, tvb, o, 1, tvb.u8(o));
      const fl = tvb.u8(o + 1);
      top.addBitmask(f.daoFlag, tvb, o + 1, 1, fl, [f.daoFlagK, f.daoFlagD, f.daoFlagRsv]);
      top.add(f.reserved, tvb, o + 2, 1, tvb.bytes(o + 2, 1));
      top.add(f.daoSequence, tvb, o + 3, 1, tvb.u8(o + 3));
      o += 4;
      if (fl & 0x40) {
        top.add(f.daoDodagid, tvb, o, 16, tvb.bytes(o, 16));
        o += 16;
      }
      break;
    }
    default: { // 3: DAO-ACK
      top.add(f.daoackInstance, tvb, o, 1, tvb.u8(o));
      const fl = tvb.u8(o + 1);
      top.addBitmask(f.daoackFlag, tvb, o + 1, 1, fl, [f.daoackFlagD, f.daoackFlagRsv]);
      top.add(f.daoackSequence, tvb, o + 2, 1, tvb.u8(o + 2));
      top.add(f.daoackStatus, tvb, o + 3, 1, tvb.u8(o + 3));
      o += 4;
      if (fl & 0x80) {
        top.add(f.daoackDodagid, tvb, o, 16, tvb.bytes(o, 16));
        o += 16;
      }
    }
  }
  rplOptions(tvb, o, top);
}

/** RPL options from `o` to the end of the message. */
function rplOptions(tvb: Tvb, o: number, top: Item): void {
  const full = top.tree.full;
  while (tvb.reportedRemainingFrom(o) > 0) {
    const type = tvb.u8(o);
    const name = OPTIONS[type] ?? `Unknown ${type}`;
    if (type === 0) {
      const it = top.add(f.opt, tvb, o, 1, null);
      if (full) it.setText(`ICMPv6 RPL Option (${name})`);
      it.add(f.rplOptType, tvb, o, 1, type);
      o += 1;
      continue;
    }
    const len = tvb.u8(o + 1);
    const end = o + 2 + len;
    const it = top.add(f.opt, tvb, o, Math.min(len + 2, tvb.remaining(o)), null);
    // (the name first; what an option adds to it and the closing parenthesis once it is read)
    if (full) it.setText(`ICMPv6 RPL Option (${name}`);
    it.add(f.rplOptType, tvb, o, 1, type);
    const li = it.add(f.rplOptLength, tvb, o + 1, 1, len);
    let d = o + 2;
    switch (type) {
      case 1: // PadN
        tvb.ensure(d, len);
        if (full) it.add(f.rplOptPadn, tvb, d, len, null).setText(`Paddn (Length : ${len} bytes)`);
        else it.add(f.rplOptPadn, tvb, d, len, null);
        d += len;
        break;
      case 2:
        d = metrics(tvb, d, end, it, li);
        break;
      case 10: // not dissected by nestcap (tshark decodes it)
        d = end;
        break;
      case 3: { // routing information
        const plen = tvb.u8(d);
        it.add(f.routePrefixLength, tvb, d, 1, plen);
        const fl = tvb.u8(d + 1);
        it.addBitmask(f.routeFlag, tvb, d + 1, 1, fl, [f.routePref, f.routeReserved]);
        const life = tvb.u32(d + 2);
        it.add(f.routeLifetime, tvb, d + 2, 4, life, full && life === 0xffffffff ? "Infinity (4294967295)" : undefined);
        d += 6;
        const want = plen === 0 ? 6 : plen <= 64 ? 14 : plen <= 128 ? 22 : -1;
        if (len !== want) invalidLength(li);
        else {
          const n = len - 6;
          const p = new Uint8Array(16);
          if (n > 0) {
            p.set(tvb.bytes(d, n));
            it.add(f.routePrefix, tvb, d, n, p);
          }
          if (full) it.appendText(` ${ipv6ToString(p)}/${plen}`);
          d += n;
        }
        break;
      }
      case 4: { // DODAG configuration
        it.addBitmask(f.configFlag, tvb, d, 1, tvb.u8(d), [f.configReserved, f.configAuth, f.configPcs]);
        it.add(f.configIntervalDouble, tvb, d + 1, 1, tvb.u8(d + 1));
        it.add(f.configIntervalMin, tvb, d + 2, 1, tvb.u8(d + 2));
        it.add(f.configRedundancy, tvb, d + 3, 1, tvb.u8(d + 3));
        it.add(f.configMaxRankInc, tvb, d + 4, 2, tvb.u16(d + 4));
        it.add(f.configMinHopRankInc, tvb, d + 6, 2, tvb.u16(d + 6));
        it.add(f.configOcp, tvb, d + 8, 2, tvb.u16(d + 8));
        it.add(f.configRsv, tvb, d + 10, 1, tvb.u8(d + 10));
        it.add(f.configDefLifetime, tvb, d + 11, 1, tvb.u8(d + 11));
        it.add(f.configLifetimeUnit, tvb, d + 12, 2, tvb.u16(d + 12));
        d += 14;
        break;
      }
      case 5: { // RPL target
        tvb.ensure(d, 1);
        it.add(f.targetFlag, tvb, d, 1, null);
        const plen = tvb.u8(d + 1);
        it.add(f.targetPrefixLength, tvb, d + 1, 1, plen);
        d += 2;
        const n = len - 2;
        if (plen > 128 || n !== Math.ceil(plen / 8)) invalidLength(li);
        const p = new Uint8Array(16);
        p.set(tvb.bytes(d, Math.min(n, 16)));
        it.add(f.targetPrefix, tvb, d, n, p);
        if (full) it.appendText(` ${ipv6ToString(p)}/${plen}`);
        d += n;
        break;
      }
      case 6: { // transit information
        it.addBitmask(f.transitFlag, tvb, d, 1, tvb.u8(d), [f.transitFlagE, f.transitFlagRsv]);
        it.add(f.transitPathCtl, tvb, d + 1, 1, tvb.u8(d + 1));
        it.add(f.transitPathSeq, tvb, d + 2, 1, tvb.u8(d + 2));
        it.add(f.transitPathLifetime, tvb, d + 3, 1, tvb.u8(d + 3));
        d += 4;
        if (len === 20) {
          const a = tvb.bytes(d, 16);
          it.add(f.transitParent, tvb, d, 16, a);
          if (full) it.appendText(` ${ipv6ToString(a)}`);
          d += 16;
        }
        break;
      }
      case 7: { // solicited information
        it.add(f.solicitedInstance, tvb, d, 1, tvb.u8(d));
        it.addBitmask(f.solicitedFlag, tvb, d + 1, 1, tvb.u8(d + 1), [f.solicitedFlagV, f.solicitedFlagI, f.solicitedFlagD, f.solicitedFlagRsv]);
        it.add(f.solicitedDodagid, tvb, d + 2, 16, tvb.bytes(d + 2, 16));
        it.add(f.solicitedVersion, tvb, d + 18, 1, tvb.u8(d + 18));
        d += 19;
        break;
      }
      case 8: { // prefix information
        const plen = tvb.u8(d);
        it.add(f.prefixLength, tvb, d, 1, plen);
        it.addBitmask(f.prefixFlag, tvb, d + 1, 1, tvb.u8(d + 1), [f.prefixFlagL, f.prefixFlagA, f.prefixFlagR, f.prefixFlagRsv]);
        it.add(f.prefixValid, tvb, d + 2, 4, tvb.u32(d + 2));
        it.add(f.prefixPreferred, tvb, d + 6, 4, tvb.u32(d + 6));
        tvb.ensure(d + 10, 4);
        it.add(f.rplOptReserved, tvb, d + 10, 4, null);
        const p = tvb.bytes(d + 14, 16);
        it.add(f.prefix, tvb, d + 14, 16, p);
        if (full) it.appendText(` ${ipv6ToString(p)}/${plen}`);
        d += 30;
        break;
      }
      case 9: // target descriptor
        it.add(f.targetDescriptor, tvb, d, 4, tvb.u32(d));
        d += 4;
        break;
      default:
        it.expert("note", "undecoded", `Dissector for ICMPv6 RPL Option (${type}) code not implemented, Contact Wireshark developers if you want this supported`,
          "icmpv6", "icmpv6.undecoded.rpl_option");
        it.add(f.data, tvb, d, len, tvb.bytes(d, len));
        d += len;
    }
    if (d < end) {
      it.add(f.unknownData, tvb, d, end - d, tvb.bytes(d, end - d))
        .expert("error", "malformed", "Unknown Data (not interpreted)", "icmpv6", "icmpv6.unknown_data.expert");
    }
    if (full) it.appendText(")");
    o = end;
  }
}

/** The "Invalid Option Length" note on an option's Length item. */
function invalidLength(lenItem: Item): void {
  lenItem.expert("error", "malformed", "Invalid Option Length", "icmpv6", "icmpv6.invalid_option_length");
}
