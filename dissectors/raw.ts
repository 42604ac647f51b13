/**
 * Raw IP link types, as tshark 4.0 shows them:
 *  - LINKTYPE_RAW (101, and the old 12/14): the "raw" protocol ("Raw packet data"), then
 *    IPv4 or IPv6 by the version nibble (packet-raw.c, with its PPP/ISDN quirks):
 *    frame.protocols "raw:ip:…" / "raw:ipv6:…".
 *  - LINKTYPE_IPV4 (228) / LINKTYPE_IPV6 (229): straight to the IP dissector, no link
 *    layer at all: frame.protocols "ip:…" / "ipv6:…".
 */
import { addToTable, callData, callTable, defineProtocol } from "../src/core/proto.js";
import type { PacketInfo } from "../src/core/pinfo.js";
import type { Item } from "../src/core/tree.js";
import type { Tvb } from "../src/core/tvb.js";
import { LinkType } from "../src/capture/frame.js";
import { IP_ANY_VERSION } from "./ip.js";

export const raw = defineProtocol({
  name: "Raw packet data",
  abbrev: "raw",
  short: "Raw",
  fields: {},
  registers: [
    ["wtap_encap", LinkType.RAW],
    ["wtap_encap", LinkType.RAW_OLD12],
    ["wtap_encap", LinkType.RAW_OLD14],
  ],
  dissect(tvb, pinfo, tree) {
    if (pinfo.cols !== null) {
      pinfo.setSrcDst("N/A", "N/A");
      pinfo.setProtocol("N/A");
      pinfo.setInfo("Raw packet data");
    }
    tree.add(raw.hf, tvb, 0, tvb.length, null);
    if (tvb.u16(0) === 0xff03) {
      // PPP in HDLC-like framing (old Linux PPP driver).
      ppp(tvb, pinfo, tree);
    } else if (tvb.u16(6) === 0xff03) {
      // Linux ISDN: a fake MAC address before the PPP header.
      ppp(tvb.sub(6), pinfo, tree);
    } else if (tenZeros(tvb)) {
      // Linux ISDN with the link down: 10 bytes of zeros, then IP.
      ip(0x0800, tvb.sub(10), pinfo, tree);
    } else {
      const v = tvb.u8(0) & 0xf0;
      if (v === 0x40) ip(0x0800, tvb, pinfo, tree);
      else if (v === 0x60) ip(0x86dd, tvb, pinfo, tree);
      else callData(tvb, pinfo, tree);
    }
    return tvb.length;
  },
});

function ip(type: number, tvb: Tvb, pinfo: PacketInfo, tree: Item): void {
  if (callTable("ethertype", type, tvb, pinfo, tree) === 0) callData(tvb, pinfo, tree);
}

function ppp(tvb: Tvb, pinfo: PacketInfo, tree: Item): void {
  // LINKTYPE_PPP_HDLC (50) when a PPP dissector exists; data otherwise.
  if (callTable("wtap_encap", 50, tvb, pinfo, tree) === 0) callData(tvb, pinfo, tree);
}

function tenZeros(tvb: Tvb): boolean {
  if (!tvb.has(0, 10)) return false;
  for (let i = 0; i < 10; i++) if (tvb.u8(i) !== 0) return false;
  return true;
}

/**
 * LINKTYPE_IPV4 / IPV6: Wireshark hangs the IP dissector itself on these encapsulations,
 * so no layer of ours may show. This stand-in drops the layer name the dispatcher pushed
 * for it and calls the IP dissector (found through the ethertype table at call time).
 */
function direct(type: number) {
  return {
    ...raw,
    dissect(tvb: Tvb, pinfo: PacketInfo, tree: Item): number {
      pinfo.layers.pop();
      // Wireshark's "ip" handle takes either version (an IPv6 packet goes on to ipv6)
      callTable("ethertype", type, tvb, pinfo, tree, type === 0x0800 ? IP_ANY_VERSION : undefined);
      // Never "rejected": the frame dissector must not add data after a refusing IP dissector.
      return Math.max(1, tvb.length);
    },
  };
}
addToTable("wtap_encap", LinkType.IPV4, direct(0x0800));
addToTable("wtap_encap", LinkType.IPV6, direct(0x86dd));
