/**
 * Multicast Source Notification of Interest Protocol (draft-ietf-idmr-igmp-msnip-00) as
 * tshark 4.0 shows it (packet-msnip.c): IGMP types 0x23-0x25 sent to 224.0.0.22 (the
 * IGMPv3 routers); to any other address IGMP shows them as an unknown type. As tshark, a
 * Group Map's Holdtime shows its group count.
 */
import { hex, ipv4ToString } from "../src/core/format.js";
import type { PacketInfo } from "../src/core/pinfo.js";
import { CHECKSUM_STATUS, defineProtocol } from "../src/core/proto.js";
import type { Item } from "../src/core/tree.js";
import type { Tvb } from "../src/core/tvb.js";
import { igmpChecksum, toAddress } from "./igmp.js";

const MSNIP_TYPES: Readonly<Record<number, string>> = {
  0x23: "Multicast Group Map", 0x24: "Multicast Interest Solicitation", 0x25: "Multicast Receiver Membership Report",
};
const REC_TYPES: Readonly<Record<number, string>> = {
  1: "Request to start transmitting group", 2: "Request to hold transmitting group",
};
const MC_ALL_IGMPV3_ROUTERS = 0xe0000016;

export const msnip = defineProtocol({
  name: "MSNIP: Multicast Source Notification of Interest Protocol",
  abbrev: "msnip",
  short: "MSNIP",
  fields: {
    type: { abbrev: "msnip.type", name: "Type", type: "uint8", base: "hex", strings: MSNIP_TYPES },
    checksum: { abbrev: "msnip.checksum", name: "Checksum", type: "uint16", base: "hex" },
    checksumStatus: { abbrev: "msnip.checksum.status", name: "Checksum Status", type: "uint8", base: "none", strings: CHECKSUM_STATUS },
    count: { abbrev: "msnip.count", name: "Count", type: "uint8" },
    holdtime: { abbrev: "msnip.holdtime", name: "Holdtime", type: "uint32" },
    groups: { abbrev: "msnip.groups", name: "Groups", type: "none" },
    maddr: { abbrev: "msnip.maddr", name: "Multicast group", type: "ipv4" },
    netmask: { abbrev: "msnip.netmask", name: "Netmask", type: "uint8" },
    holdtime16: { abbrev: "msnip.holdtime16", name: "Holdtime", type: "uint16" },
    genid: { abbrev: "msnip.genid", name: "Generation ID", type: "uint16" },
    recType: { abbrev: "msnip.rec_type", name: "Record Type", type: "uint8", strings: REC_TYPES },
    // expert info
    badChecksum: { abbrev: "msnip.bad_checksum", name: "Bad checksum", type: "none" },
  },
  registers: [["igmp.type", 0x23], ["igmp.type", 0x24], ["igmp.type", 0x25]],
  dissect: dissectMsnip,
});

const f = msnip.f;

function checksum(t: Item, tvb: Tvb, pinfo: PacketInfo): void {
  igmpChecksum(t, tvb, pinfo, f.checksum, f.checksumStatus, 0, "msnip", "msnip.bad_checksum");
}

function dissectMsnip(tvb: Tvb, pinfo: PacketInfo, tree: Item): number {
  if (!toAddress(pinfo, MC_ALL_IGMPV3_ROUTERS)) return 0;
  pinfo.setProtocol("MSNIP");
  pinfo.setInfo("");
  const top = tree.add(msnip.hf, tvb, 0, tvb.length, null);
  const type = tvb.u8(0);
  pinfo.setInfo(MSNIP_TYPES[type]);
  top.add(f.type, tvb, 0, 1, type);
  let o: number;
  if (type === 0x23) o = groupMap(tvb, pinfo, top);
  else if (type === 0x24) {
    checksum(top, tvb, pinfo);
    top.add(f.holdtime16, tvb, 4, 2, tvb.u16(4));
    top.add(f.genid, tvb, 6, 2, tvb.u16(6));
    o = 8;
  } else o = receiverReport(tvb, pinfo, top);
  top.setLen(o);
  return o;
}

function groupMap(tvb: Tvb, pinfo: PacketInfo, top: Item): number {
  const count = tvb.u8(1);
  top.add(f.count, tvb, 1, 1, count);
  checksum(top, tvb, pinfo);
  top.add(f.holdtime, tvb, 4, 4, count); // (sic)
  let o = 8;
  for (let i = 0; i < count; i++) {
    if (tvb.remaining(o) === 0) tvb.ensure(o, 1); // (an item to the end: at least a byte)
    const g = top.add(f.groups, tvb, o, tvb.remaining(o), null);
    const group = tvb.u32(o);
    g.add(f.maddr, tvb, o, 4, group);
    const mask = tvb.u8(o + 4);
    g.add(f.netmask, tvb, o + 4, 1, mask);
    o += 8;
    if (g !== g.tree.sink) g.setText(`Group: ${ipv4ToString(group)}/${mask}`).setLen(8);
  }
  return o;
}

function receiverReport(tvb: Tvb, pinfo: PacketInfo, top: Item): number {
  const count = tvb.u8(1);
  top.add(f.count, tvb, 1, 1, count);
  checksum(top, tvb, pinfo);
  let o = 4;
  for (let i = 0; i < count; i++) {
    if (tvb.remaining(o) === 0) tvb.ensure(o, 1); // (an item to the end: at least a byte)
    const g = top.add(f.groups, tvb, o, tvb.remaining(o), null);
    const rtype = tvb.u8(o);
    g.add(f.recType, tvb, o, 1, rtype);
    const group = tvb.u32(o + 4);
    g.add(f.maddr, tvb, o + 4, 4, group);
    o += 8;
    if (g !== g.tree.sink) g.setText(`Group: ${ipv4ToString(group)} ${REC_TYPES[rtype] ?? `Unknown Type:0x${hex(rtype, 2)}`}`).setLen(8);
  }
  return o;
}
