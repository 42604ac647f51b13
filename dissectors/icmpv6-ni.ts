/**
 * ICMPv6 Node Information Query and Reply (RFC 4620; tshark 4.0 packet-icmpv6.c,
 * dissect_nodeinfo): Qtype, flags, nonce, then the query's subject (by code) or the
 * reply's data (by Qtype). The fields are registered by icmpv6.ts (spread from
 * NI_FIELDS) and handed back through bindNiFields(), as icmpv6-nd.ts does.
 */
import type { Field, FieldSpec } from "../src/core/field.js";
import type { Item } from "../src/core/tree.js";
import type { Tvb } from "../src/core/tvb.js";
import { readName } from "./dns-rr-names.js";

export const NI_QUERY_CODES: Record<number, string> = {
  0: "Query subject = IPv6 addresses", 1: "Query subject = DNS name", 2: "Query subject = IPv4 addresses",
};
export const NI_REPLY_CODES: Record<number, string> = { 0: "Successful", 1: "Refused", 2: "Unknown query type" };

const QTYPES: Record<number, string> = {
  0: "NOOP", 1: "Supported query types (Obsolete)", 2: "Node Name", 3: "Node addresses", 4: "IPv4 node addresses",
};
const B16 = { type: "bool", bits: 16 } as const;

export const NI_FIELDS = {
  niQtype: { abbrev: "icmpv6.ni.qtype", name: "Qtype", type: "uint16", strings: QTYPES },
  niFlag: { abbrev: "icmpv6.ni.flag", name: "Flags", type: "uint16", base: "hex" },
  niFlagG: { abbrev: "icmpv6.ni.flag.g", name: "Global-scope addresses", bitmask: 0x20, ...B16 },
  niFlagS: { abbrev: "icmpv6.ni.flag.s", name: "Site-local addresses", bitmask: 0x10, ...B16 },
  niFlagL: { abbrev: "icmpv6.ni.flag.l", name: "Link-local addresses", bitmask: 0x08, ...B16 },
  niFlagC: { abbrev: "icmpv6.ni.flag.c", name: "Compression", bitmask: 0x04, ...B16 },
  niFlagA: {
    abbrev: "icmpv6.ni.flag.a", name: "Unicast Addresses", bitmask: 0x02, ...B16,
    tfs: ["All unicast address", "Unicast addresses on the queried interface"],
  },
  niFlagT: { abbrev: "icmpv6.ni.flag.t", name: "Truncated", bitmask: 0x01, ...B16 },
  niFlagRsv: { abbrev: "icmpv6.ni.flag.rsv", name: "Reserved", type: "uint16", base: "hex", bitmask: 0xffc0, bits: 16 },
  niNonce: { abbrev: "icmpv6.ni.nonce", name: "Nonce", type: "uint64", base: "hex" },
  niSubjectIpv6: { abbrev: "icmpv6.ni.query.subject_ipv6", name: "IPv6 subject address", type: "ipv6" },
  niSubjectFqdn: { abbrev: "icmpv6.ni.query.subject_fqdn", name: "FQDN subject", type: "string" },
  niSubjectIpv4: { abbrev: "icmpv6.ni.query.subject_ipv4", name: "IPv4 subject address", type: "ipv4" },
  niNodeTtl: { abbrev: "icmpv6.ni.reply.node_ttl", name: "TTL", type: "uint32" },
  niNodeName: { abbrev: "icmpv6.ni.reply.node_name", name: "Name Node", type: "string" },
  niNodeAddress: { abbrev: "icmpv6.ni.reply.node_address", name: "IPv6 Node address", type: "ipv6" },
  niIpv4Address: { abbrev: "icmpv6.ni.reply.ipv4_address", name: "IPv4 Node address", type: "ipv4" },
} satisfies Record<string, FieldSpec>;

export type NiFields = { [K in keyof typeof NI_FIELDS]: Field };
let f: NiFields;
/** The one-bit flags, in tree order. */
let FLAGS: Field[] = [];

/** Called once by dissectors/icmpv6.ts right after defineProtocol. */
export function bindNiFields(fields: NiFields): void {
  f = fields;
  FLAGS = [f.niFlagG, f.niFlagS, f.niFlagL, f.niFlagC, f.niFlagA, f.niFlagT];
}

/** Names of the set flags after the value, as proto_tree_add_bitmask shows them ("0x0002, Unicast Addresses"). */
function flagsText(v: number): string {
  let s = "0x" + v.toString(16).padStart(4, "0");
  for (const x of FLAGS) if (v & (x.bitmask as number)) s += ", " + x.name;
  return s;
}

/** Type 139 (query) or 140 (reply), from byte 4 of the ICMPv6 message. */
export function dissectNodeInfo(tvb: Tvb, top: Item, type: number, code: number): void {
  const qtype = tvb.u16(4);
  top.add(f.niQtype, tvb, 4, 2, qtype);
  const fl = tvb.u16(6);
  const fi = top.add(f.niFlag, tvb, 6, 2, fl, top.tree.full ? flagsText(fl) : undefined);
  for (const x of FLAGS) fi.add(x, tvb, 6, 2, (fl & (x.bitmask as number)) !== 0);
  fi.add(f.niFlagRsv, tvb, 6, 2, (fl & 0xffc0) >> 6);
  top.add(f.niNonce, tvb, 8, 8, tvb.u64(8));
  let o = 16;
  const end = tvb.reportedLength;
  if (o >= end) return;
  if (type === 139) {
    if (code === 0) top.add(f.niSubjectIpv6, tvb, o, 16, tvb.bytes(o, 16));
    else if (code === 1) {
      const n = readName(tvb, o, o);
      top.add(f.niSubjectFqdn, tvb, o, n.used, n.text);
    } else if (code === 2) top.add(f.niSubjectIpv4, tvb, o, 4, tvb.u32(o));
    return;
  }
  if (qtype === 2) {
    top.add(f.niNodeTtl, tvb, o, 4, tvb.u32(o));
    o += 4;
    while (o < end && tvb.u8(o) !== 0) {
      const n = readName(tvb, o, o);
      top.add(f.niNodeName, tvb, o, n.used, n.text);
      o += n.used;
    }
  } else if (qtype === 3 || qtype === 4) {
    const alen = qtype === 3 ? 16 : 4;
    while (o < end) {
      top.add(f.niNodeTtl, tvb, o, 4, tvb.u32(o));
      o += 4;
      if (qtype === 3) top.add(f.niNodeAddress, tvb, o, 16, tvb.bytes(o, 16));
      else top.add(f.niIpv4Address, tvb, o, 4, tvb.u32(o));
      o += alen;
    }
  }
}
