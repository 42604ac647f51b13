/**
 * Multicast Router Discovery (draft-ietf-idmr-igmp-mrdisc) as tshark 4.0 shows it
 * (packet-mrdisc.c): IGMP messages sent to 224.0.0.2. tshark 4.0's "igmp.type" table gives
 * 0x24 and 0x25 to MSNIP (registered after MRDISC), so only the Termination (0x26) reaches
 * MRDISC; the advertisement's fields are registered (tshark has them) but never filled.
 * To any other address IGMP shows the message as an unknown type.
 */
import { hex } from "../src/core/format.js";
import type { PacketInfo } from "../src/core/pinfo.js";
import { CHECKSUM_STATUS, defineProtocol } from "../src/core/proto.js";
import type { Item } from "../src/core/tree.js";
import type { Tvb } from "../src/core/tvb.js";
import { igmpChecksum, toAddress } from "./igmp.js";

const MRDISC_TYPES: Readonly<Record<number, string>> = {
  0x24: "Multicast Router Advertisement", 0x25: "Multicast Router Solicitation", 0x26: "Multicast Router Termination",
};
const MRDISC_OPTIONS: Readonly<Record<number, string>> = { 1: "Query Interval", 2: "Robustness Variable" };
const MC_ALL_ROUTERS = 0xe0000002;

export const mrdisc = defineProtocol({
  name: "Multicast Router DISCovery protocol",
  abbrev: "mrdisc",
  short: "MRDISC",
  fields: {
    type: { abbrev: "mrdisc.type", name: "Type", type: "uint8", base: "hex", strings: MRDISC_TYPES },
    checksum: { abbrev: "mrdisc.checksum", name: "Checksum", type: "uint16", base: "hex" },
    checksumStatus: { abbrev: "mrdisc.checksum.status", name: "Checksum Status", type: "uint8", base: "none", strings: CHECKSUM_STATUS },
    advInt: { abbrev: "mrdisc.adv_int", name: "Advertising Interval", type: "uint8" },
    numOpts: { abbrev: "mrdisc.num_opts", name: "Number Of Options", type: "uint16" },
    options: { abbrev: "mrdisc.options", name: "Options", type: "none" },
    option: { abbrev: "mrdisc.option", name: "Option", type: "uint8", strings: MRDISC_OPTIONS },
    optLen: { abbrev: "mrdisc.opt_len", name: "Length", type: "uint8" },
    queryInt: { abbrev: "mrdisc.query_int", name: "Query Interval", type: "uint16" },
    robVar: { abbrev: "mrdisc.rob_var", name: "Robustness Variable", type: "uint16" },
    optionData: { abbrev: "mrdisc.option_data", name: "Data", type: "bytes" },
    // expert info
    badChecksum: { abbrev: "mrdisc.bad_checksum", name: "Bad checksum", type: "none" },
  },
  registers: [["igmp.type", 0x26]],
  dissect: dissectMrdisc,
});

function dissectMrdisc(tvb: Tvb, pinfo: PacketInfo, tree: Item): number {
  if (!toAddress(pinfo, MC_ALL_ROUTERS)) return 0;
  const f = mrdisc.f;
  pinfo.setProtocol("MRDISC");
  pinfo.setInfo("");
  const top = tree.add(mrdisc.hf, tvb, 0, 0, null);
  const type = tvb.u8(0);
  pinfo.setInfo(MRDISC_TYPES[type] ?? `Unknown Type:0x${hex(type, 2)}`);
  top.add(f.type, tvb, 0, 1, type);
  // Solicitation and Termination: a reserved byte, the checksum
  igmpChecksum(top, tvb, pinfo, f.checksum, f.checksumStatus, 0, "mrdisc", "mrdisc.bad_checksum");
  return 4;
}
