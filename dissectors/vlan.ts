/**
 * IEEE 802.1Q VLAN tags (ethertype 0x8100, and 0x9100 "old QinQ") and the IEEE 802.1ad
 * provider tag (0x88a8), as tshark 4.0 shows them (packet-vlan.c, packet-ieee8021ah.c).
 * Q-in-Q is just nesting: each tag hands on by ethertype through dissectEthertype.
 */
import { defineProtocol } from "../src/core/proto.js";
import { dissect8023, dissectEthertype } from "./eth.js";
import { ETHERTYPES } from "./ethertype.js";

/** vlan.priority names: tshark 4.0's default table (IEEE 802.1Q-2014 Table I-2, 8 traffic classes). */
const PRIORITIES: Record<number, string> = {
  0: "Best Effort (default)",
  1: "Background",
  2: "Excellent Effort",
  3: "Critical Applications",
  4: "Video, < 100ms latency and jitter",
  5: "Voice, < 10ms latency and jitter",
  6: "Internetwork Control",
  7: "Network Control",
};

const TCI = { type: "uint16" as const, bits: 16 };

export const vlan = defineProtocol({
  name: "802.1Q Virtual LAN",
  abbrev: "vlan",
  short: "VLAN",
  fields: {
    priority: { ...TCI, abbrev: "vlan.priority", name: "Priority", bitmask: 0xe000, strings: PRIORITIES },
    dei: { abbrev: "vlan.dei", name: "DEI", type: "bool", bits: 16, bitmask: 0x1000, tfs: ["Eligible", "Ineligible"] },
    cfi: { abbrev: "vlan.cfi", name: "CFI", type: "bool", bits: 16, bitmask: 0x1000, tfs: ["Non-canonical", "Canonical"] },
    id: { ...TCI, abbrev: "vlan.id", name: "ID", bitmask: 0x0fff },
    idName: { abbrev: "vlan.id_name", name: "Name", type: "string" },
    etype: { abbrev: "vlan.etype", name: "Type", type: "uint16", base: "hex", strings: ETHERTYPES },
    len: { abbrev: "vlan.len", name: "Length", type: "uint16" },
    trailer: { abbrev: "vlan.trailer", name: "Trailer", type: "bytes" },
    lenPastEnd: { abbrev: "vlan.len.past_end", name: "Length field value goes past the end of the payload", type: "none" },
    tooManyTags: { abbrev: "vlan.too_many_tags", name: "Too many nested VLAN tags", type: "none" },
  },
  registers: [
    ["ethertype", 0x8100],
    ["ethertype", 0x9100],
  ],
  dissect(tvb, pinfo, tree) {
    const f = vlan.f;
    pinfo.setProtocol("VLAN");
    pinfo.setInfo("");
    const tci = tvb.u16(0);
    const pri = tci >>> 13;
    const dei = (tci >>> 12) & 1;
    const id = tci & 0x0fff;
    if (pinfo.cols !== null) pinfo.setInfo(`PRI: ${pri}  DEI: ${dei}  ID: ${id}`);
    const top = tree.add(vlan.hf, tvb, 0, 4, null);
    if (top.tree.full) top.appendText(`, PRI: ${pri}, DEI: ${dei}, ID: ${id}`);
    top.add(f.priority, tvb, 0, 2, pri);
    top.add(f.dei, tvb, 0, 2, dei === 1);
    top.add(f.id, tvb, 0, 2, id);
    const encap = tvb.u16(2);
    if (encap <= 1500) {
      // 802.3 length inside the tag: LLC, or raw IPX when the payload starts with 0xffff.
      const is8022 = !(tvb.has(4, 2) && tvb.u16(4) === 0xffff);
      dissect8023(encap, is8022, tvb, 4, pinfo, tree, top, f.len, f.trailer, 0);
    } else {
      top.add(f.etype, tvb, 2, 2, encap);
      dissectEthertype(encap, tvb, 4, pinfo, tree, top, f.trailer, 0);
    }
    return tvb.length;
  },
});

const AD = { type: "uint16" as const, bits: 16 };

/** IEEE 802.1ad (S-tag). An inner 0x88a8 tag is shown in the same item (S-VID / C-VID). */
export const ieee8021ad = defineProtocol({
  name: "IEEE 802.1ad",
  abbrev: "ieee8021ad",
  short: "IEEE 802.1AD",
  fields: {
    priority: { ...AD, abbrev: "ieee8021ad.priority", name: "Priority", bitmask: 0xe000 },
    dei: { ...AD, abbrev: "ieee8021ad.dei", name: "DEI", bitmask: 0x1000 },
    id: { ...AD, abbrev: "ieee8021ad.id", name: "ID", bitmask: 0x0fff },
    svid: { ...AD, abbrev: "ieee8021ad.svid", name: "ID", bitmask: 0x0fff },
    cvid: { ...AD, abbrev: "ieee8021ad.cvid", name: "ID", bitmask: 0x0fff },
    etype: { abbrev: "ieee8021ah.etype", name: "Type", type: "uint16", base: "hex", strings: ETHERTYPES, protocol: "ieee8021ah" },
    trailer: { abbrev: "ieee8021ah.trailer", name: "Trailer", type: "bytes", protocol: "ieee8021ah" },
  },
  registers: [["ethertype", 0x88a8]],
  dissect(tvb, pinfo, tree) {
    const f = ieee8021ad.f;
    pinfo.setProtocol("802.1ad");
    pinfo.setInfo("");
    const tci = tvb.u16(0);
    if (pinfo.cols !== null) pinfo.setInfo(`PRI: ${tci >>> 13}  DROP: ${(tci >>> 12) & 1} ID: ${tci & 0x0fff}`);
    const top = tree.add(ieee8021ad.hf, tvb, 0, 4, null);
    const encap = tvb.u16(2);
    if (encap === 0x88a8) {
      // Two provider tags: S-VID then C-VID, one ethertype after both.
      const ctci = tvb.u16(4);
      top.add(f.priority, tvb, 0, 1, tci >>> 13);
      top.add(f.dei, tvb, 0, 1, (tci >>> 12) & 1);
      top.add(f.svid, tvb, 0, 2, tci & 0x0fff);
      top.add(f.priority, tvb, 4, 1, ctci >>> 13);
      top.add(f.dei, tvb, 4, 1, (ctci >>> 12) & 1);
      top.add(f.cvid, tvb, 4, 2, ctci & 0x0fff);
      if (top.tree.full) top.setText(`IEEE 802.1ad, S-VID: ${tci & 0x0fff}, C-VID: ${ctci & 0x0fff}`).setLen(8);
      const inner = tvb.u16(6);
      top.add(f.etype, tvb, 6, 2, inner);
      dissectEthertype(inner, tvb, 8, pinfo, tree, top, f.trailer, 0);
      return tvb.length;
    }
    top.add(f.priority, tvb, 0, 1, tci >>> 13);
    top.add(f.dei, tvb, 0, 1, (tci >>> 12) & 1);
    top.add(f.id, tvb, 0, 2, tci & 0x0fff);
    if (top.tree.full) top.setText(`IEEE 802.1ad, ID: ${tci & 0x0fff}`);
    top.add(f.etype, tvb, 2, 2, encap);
    dissectEthertype(encap, tvb, 4, pinfo, tree, top, f.trailer, 0);
    return tvb.length;
  },
});
