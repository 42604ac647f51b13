/**
 * Router-port Group Management Protocol (RFC 3488) as tshark 4.0 shows it (packet-rgmp.c):
 * IGMP types 0xfc-0xff sent to 224.0.0.25; to any other address IGMP shows them as an
 * unknown type.
 */
import type { PacketInfo } from "../src/core/pinfo.js";
import { CHECKSUM_STATUS, defineProtocol } from "../src/core/proto.js";
import type { Item } from "../src/core/tree.js";
import type { Tvb } from "../src/core/tvb.js";
import { igmpChecksum, toAddress } from "./igmp.js";

const RGMP_TYPES: Readonly<Record<number, string>> = { 0xfc: "Leave", 0xfd: "Join", 0xfe: "Bye", 0xff: "Hello" };
const MC_RGMP = 0xe0000019;

export const rgmp = defineProtocol({
  name: "Router-port Group Management Protocol",
  abbrev: "rgmp",
  short: "RGMP",
  fields: {
    type: { abbrev: "rgmp.type", name: "Type", type: "uint8", base: "hex", strings: RGMP_TYPES },
    reserved: { abbrev: "rgmp.reserved", name: "Reserved", type: "uint8", base: "hex" },
    checksum: { abbrev: "rgmp.checksum", name: "Checksum", type: "uint16", base: "hex" },
    checksumStatus: { abbrev: "rgmp.checksum.status", name: "Checksum Status", type: "uint8", base: "none", strings: CHECKSUM_STATUS },
    maddr: { abbrev: "rgmp.maddr", name: "Multicast group address", type: "ipv4" },
    // expert info
    badChecksum: { abbrev: "rgmp.bad_checksum", name: "Bad checksum", type: "none" },
  },
  registers: [["igmp.type", 0xfc], ["igmp.type", 0xfd], ["igmp.type", 0xfe], ["igmp.type", 0xff]],
  dissect: dissectRgmp,
});

function dissectRgmp(tvb: Tvb, pinfo: PacketInfo, tree: Item): number {
  if (!toAddress(pinfo, MC_RGMP)) return 0;
  const f = rgmp.f;
  pinfo.setProtocol("RGMP");
  pinfo.setInfo("");
  const top = tree.add(rgmp.hf, tvb, 0, tvb.length, null);
  const type = tvb.u8(0);
  pinfo.setInfo(RGMP_TYPES[type]);
  top.add(f.type, tvb, 0, 1, type);
  top.add(f.reserved, tvb, 1, 1, tvb.u8(1));
  igmpChecksum(top, tvb, pinfo, f.checksum, f.checksumStatus, 0, "rgmp", "rgmp.bad_checksum");
  top.add(f.maddr, tvb, 4, 4, tvb.u32(4));
  return 8;
}
