/**
 * Linux "cooked" captures (LINKTYPE_LINUX_SLL 113; v2 276 lives in sll2.ts), as
 * tshark 4.0 shows them (packet-sll.c): packet type, link-layer address type and
 * address, then the protocol — an ethertype (handed on through the "ethertype" step,
 * so frame.protocols reads "sll:ethertype:ip:…"), a Linux-internal type (≤ 1536), or
 * a GRE protocol type for GRE tunnels.
 */
import { etherToString, ipv4ToString } from "../src/core/format.js";
import { addToTable, callData, callDissector, callTable, defineProtocol, lookupTable, protocolByAbbrev } from "../src/core/proto.js";
import type { PacketInfo } from "../src/core/pinfo.js";
import type { Item } from "../src/core/tree.js";
import type { Tvb } from "../src/core/tvb.js";
import { LinkType } from "../src/capture/frame.js";
import { ARP_HRD } from "./arp.js";
import { dissectEthertype, ethWithoutFcs } from "./eth.js";
import { ETHERTYPES } from "./ethertype.js";

const PKTTYPES: Record<number, string> = {
  0: "Unicast to us",
  1: "Broadcast",
  2: "Multicast",
  3: "Unicast to another host",
  4: "Sent by us",
};

/** Linux-internal protocol numbers (sll.ltype). */
const LTYPES: Record<number, string> = {
  0x1: "Raw 802.3",
  0x3: "Ethernet",
  0x4: "802.2 LLC",
  0x7: "PPP (HDLC)",
  0xc: "CAN",
  0xd: "CAN FD",
  0x17: "IrDA LAP",
  0xf5: "ISI",
  0xf6: "IEEE 802.15.4",
};

/** GRE protocol types (gre_typevals), for sll.gretype. */
const GRE_TYPES: Record<number, string> = {
  0x0000: "Possible GRE keepalive packet",
  0x00fe: "OSI",
  0x0800: "IP",
  0x0806: "ARP",
  0x2000: "CDP (Cisco)",
  0x2001: "NHRP",
  0x22eb: "ERSPAN III",
  0x6400: "MIKROTIK EoIP",
  0x6558: "Transparent Ethernet bridging",
  0x6559: "Frame Relay",
  0x8137: "IPX",
  0x8200: "ARUBA WLAN",
  0x8210: "ARUBA WLAN",
  0x8220: "ARUBA WLAN",
  0x8230: "ARUBA WLAN",
  0x8240: "ARUBA WLAN",
  0x8250: "ARUBA WLAN",
  0x8260: "ARUBA WLAN",
  0x8270: "ARUBA WLAN",
  0x8280: "ARUBA WLAN",
  0x8290: "ARUBA WLAN",
  0x82a0: "ARUBA WLAN",
  0x82b0: "ARUBA WLAN",
  0x82c0: "ARUBA WLAN",
  0x82d0: "ARUBA WLAN",
  0x82e0: "ARUBA WLAN",
  0x82f0: "ARUBA WLAN",
  0x8300: "ARUBA WLAN",
  0x8310: "ARUBA WLAN",
  0x8320: "ARUBA WLAN",
  0x8330: "ARUBA WLAN",
  0x8340: "ARUBA WLAN",
  0x8350: "ARUBA WLAN",
  0x8360: "ARUBA WLAN",
  0x8370: "ARUBA WLAN",
  0x86dd: "IPv6",
  0x880b: "PPP",
  0x883e: "WCCP",
  0x8847: "MPLS label switched packet",
  0x8881: "CDMA2000 A10 Unstructured byte stream",
  0x88be: "ERSPAN",
  0x88d2: "CDMA2000 A10 3GPP2 Packet",
  0x8909: "CiscoMetaData",
  0x894f: "Network Service Header",
  0x9000: "ARUBA WLAN",
  0xb7ea: "Huawei GRE bonding",
  0xfeae: "AIROHIVE AP AP",
};

const ARPHRD_IPGRE = 778;

export const sll = defineProtocol({
  name: "Linux cooked capture",
  abbrev: "sll",
  short: "SLL",
  fields: {
    pkttype: { abbrev: "sll.pkttype", name: "Packet type", type: "uint16", strings: PKTTYPES },
    hatype: { abbrev: "sll.hatype", name: "Link-layer address type", type: "uint16", strings: ARP_HRD },
    halen: { abbrev: "sll.halen", name: "Link-layer address length", type: "uint16" },
    srcEth: { abbrev: "sll.src.eth", name: "Source", type: "ether" },
    srcIpv4: { abbrev: "sll.src.ipv4", name: "Source", type: "ipv4" },
    srcOther: { abbrev: "sll.src.other", name: "Source", type: "bytes" },
    unused: { abbrev: "sll.unused", name: "Unused", type: "bytes" },
    ltype: { abbrev: "sll.ltype", name: "Protocol", type: "uint16", base: "hex", strings: LTYPES },
    gretype: { abbrev: "sll.gretype", name: "Protocol", type: "uint16", base: "hex", strings: GRE_TYPES },
    etype: { abbrev: "sll.etype", name: "Protocol", type: "uint16", base: "hex", strings: ETHERTYPES },
    trailer: { abbrev: "sll.trailer", name: "Trailer", type: "bytes" },
    ifindex: { abbrev: "sll.ifindex", name: "Interface index", type: "uint32" },
  },
  registers: [["wtap_encap", LinkType.LINUX_SLL]],
  dissect(tvb, pinfo, tree) {
    return dissectSll(tvb, pinfo, tree, 1);
  },
});

// Linux protocol 3 is a whole Ethernet frame without FCS ("sll:eth:ethertype:…").
addToTable("sll.ltype", 0x3, ethWithoutFcs);

/** Both versions: v1 (16-byte header, fields in wire order) and v2 (20 bytes, protocol first). */
export function dissectSll(tvb: Tvb, pinfo: PacketInfo, tree: Item, version: 1 | 2): number {
  const f = sll.f;
  const v2 = version === 2;
  const hdrLen = v2 ? 20 : 16;
  const protoOff = v2 ? 0 : 14;
  const hatypeOff = v2 ? 8 : 2;
  const pkttypeOff = v2 ? 10 : 0;
  const halenOff = v2 ? 11 : 4;
  const srcOff = v2 ? 12 : 6;

  let protocol = 0;
  let hatype: number;
  let pkttype: number;
  let halen: number;
  let top: Item;
  if (v2) {
    // v2 reads the whole fixed header before touching the columns.
    protocol = tvb.u16(0);
    const ifindex = tvb.u32(4);
    hatype = tvb.u16(hatypeOff);
    // tshark 4.0 reads the 1-byte packet type as 16 bits (with halen) for the Info column.
    const pkttypeInfo = tvb.u16(pkttypeOff);
    pkttype = tvb.u8(pkttypeOff);
    halen = tvb.u8(halenOff);
    pinfo.setProtocol("SLL");
    if (pinfo.cols !== null) pinfo.setInfo(PKTTYPES[pkttypeInfo] ?? `Unknown (${pkttypeInfo})`);
    top = tree.add(sll.hf, tvb, 0, hdrLen, null);
    if (top.tree.full) top.setText("Linux cooked capture v2");
    addProtocolField(top, tvb, protoOff, protocol, hatype);
    top.add(f.ifindex, tvb, 4, 4, ifindex);
    top.add(f.hatype, tvb, hatypeOff, 2, hatype);
    top.add(f.pkttype, tvb, pkttypeOff, 1, pkttype);
    top.add(f.halen, tvb, halenOff, 1, halen);
  } else {
    pinfo.setProtocol("SLL");
    pinfo.setInfo("");
    pkttype = tvb.u16(pkttypeOff);
    if (pinfo.cols !== null) pinfo.setInfo(PKTTYPES[pkttype] ?? `Unknown (${pkttype})`);
    top = tree.add(sll.hf, tvb, 0, hdrLen, null);
    if (top.tree.full) top.setText("Linux cooked capture v1");
    top.add(f.pkttype, tvb, 0, 2, pkttype);
    hatype = tvb.u16(hatypeOff);
    top.add(f.hatype, tvb, hatypeOff, 2, hatype);
    halen = tvb.u16(halenOff);
    top.add(f.halen, tvb, halenOff, 2, halen);
  }

  switch (halen) {
    case 0:
      break;
    case 4: {
      const a = tvb.u32(srcOff);
      top.add(f.srcIpv4, tvb, srcOff, 4, a);
      if (pinfo.cols !== null) pinfo.setSrcDst(ipv4ToString(a), "");
      break;
    }
    case 6: {
      const a = tvb.bytes(srcOff, 6);
      top.add(f.srcEth, tvb, srcOff, 6, a);
      pinfo.dlSrc = a;
      if (pinfo.cols !== null) pinfo.setSrcDst(etherToString(a), "");
      break;
    }
    default: {
      const n = halen > 8 ? 8 : halen;
      top.add(f.srcOther, tvb, srcOff, n, tvb.bytes(srcOff, n));
    }
  }
  if (halen < 8) top.add(f.unused, tvb, srcOff + halen, 8 - halen, tvb.bytes(srcOff + halen, 8 - halen));

  if (!v2) {
    protocol = tvb.u16(protoOff);
    addProtocolField(top, tvb, protoOff, protocol, hatype);
  }

  if (protocol <= 1536) {
    // A Linux-internal protocol, not a length: nothing tells how much is trailer.
    const next = tvb.sub(hdrLen);
    let used = callTable("sll.ltype", protocol, next, pinfo, tree);
    if (used === 0) {
      const p = protocol === 0x4 ? protocolByAbbrev("llc") : protocol === 0x1 ? protocolByAbbrev("ipx") : undefined;
      if (p) used = callDissector(p, next, pinfo, tree);
    }
    if (used === 0) callData(next, pinfo, tree);
  } else if (hatype === ARPHRD_IPGRE) {
    const next = tvb.sub(hdrLen);
    const p = lookupTable("gre.proto", protocol) ?? lookupTable("ethertype", protocol);
    if (!p || callDissector(p, next, pinfo, tree) === 0) callData(next, pinfo, tree);
  } else {
    dissectEthertype(protocol, tvb, hdrLen, pinfo, tree, top, f.trailer, 0);
  }
  return tvb.length;
}

function addProtocolField(top: Item, tvb: Tvb, o: number, protocol: number, hatype: number): void {
  const f = sll.f;
  const field = protocol <= 1536 ? f.ltype : hatype === ARPHRD_IPGRE ? f.gretype : f.etype;
  top.add(field, tvb, o, 2, protocol);
}
