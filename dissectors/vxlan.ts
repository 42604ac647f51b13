/**
 * Virtual eXtensible Local Area Network (RFC 7348, with the Group Policy extension's flags
 * and ID), on UDP 4789, as tshark 4.0 shows it: an 8-byte header (flags, Group Policy ID,
 * the 24-bit VXLAN Network Identifier, a reserved byte), then a whole Ethernet frame. One
 * more doll in the nesting: Ethernet › IP › UDP › VXLAN › Ethernet › IP › …
 */
import { callDissector, defineProtocol } from "../src/core/proto.js";
import { ethWithoutFcs } from "./eth.js";

const TF = ["True", "False"] as const;
const TF_DEFINED = ["Defined", "Not defined"] as const;

export const vxlan = defineProtocol({
  name: "Virtual eXtensible Local Area Network",
  abbrev: "vxlan",
  short: "VXLAN",
  fields: {
    flags: { abbrev: "vxlan.flags", name: "Flags", type: "uint16", base: "hex" },
    flagG: { abbrev: "vxlan.flag_g", name: "GBP Extension", type: "bool", bits: 16, bitmask: 0x8000, tfs: TF_DEFINED },
    flagI: { abbrev: "vxlan.flag_i", name: "VXLAN Network ID (VNI)", type: "bool", bits: 16, bitmask: 0x0800, tfs: TF },
    flagD: { abbrev: "vxlan.flag_d", name: "Don't Learn", type: "bool", bits: 16, bitmask: 0x0040, tfs: TF },
    flagA: { abbrev: "vxlan.flag_a", name: "Policy Applied", type: "bool", bits: 16, bitmask: 0x0008, tfs: TF },
    flagsReserved: { abbrev: "vxlan.flags_reserved", name: "Reserved(R)", type: "uint16", base: "hex", bits: 16, bitmask: 0x77b7 },
    gbp: { abbrev: "vxlan.gbp", name: "Group Policy ID", type: "uint16" },
    vni: { abbrev: "vxlan.vni", name: "VXLAN Network Identifier (VNI)", type: "uint24" },
    reserved8: { abbrev: "vxlan.reserved8", name: "Reserved", type: "uint8" },
  },
  registers: [["udp.port", 4789]],
  carriesFrames: true,
  dissect(tvb, pinfo, tree) {
    const f = vxlan.f;
    pinfo.setProtocol("VxLAN"); // (tshark's column text; the protocol's short name is VXLAN)
    pinfo.setInfo("");
    const ti = tree.add(vxlan.hf, tvb, 0, 8, null);
    const flags = tvb.u16(0);
    ti.addBitmask(f.flags, tvb, 0, 2, flags, [f.flagG, f.flagI, f.flagD, f.flagA, f.flagsReserved]);
    ti.add(f.gbp, tvb, 2, 2, tvb.u16(2));
    ti.add(f.vni, tvb, 4, 3, tvb.u24(4));
    ti.add(f.reserved8, tvb, 7, 1, tvb.u8(7));
    callDissector(ethWithoutFcs, tvb.sub(8), pinfo, tree);
    return tvb.length;
  },
});
