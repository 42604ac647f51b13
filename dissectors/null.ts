/**
 * BSD loopback encapsulations, as tshark 4.0 shows them (packet-null.c), both under the
 * "null" protocol:
 *  - LINKTYPE_NULL (0): a 4-byte AF_ value in the *capturing host's* byte order. Like
 *    Wireshark, read it little-endian and byte-swap when the upper 16 bits are set
 *    (or take the upper half for IRIX/UNICOS 2+2-byte headers); values > 1500 are
 *    ethertypes (old Linux DLT_NULL), the rest BSD address families.
 *  - LINKTYPE_LOOP (108, OpenBSD): the AF_ value in network byte order, always a family.
 * AF_INET is 2 everywhere; AF_INET6 is 24 (NetBSD/OpenBSD/BSD/OS), 28 (FreeBSD/DragonFly)
 * or 30 (Darwin).
 */
import { addToTable, callData, callTable, defineProtocol } from "../src/core/proto.js";
import type { PacketInfo } from "../src/core/pinfo.js";
import type { Item } from "../src/core/tree.js";
import type { Tvb } from "../src/core/tvb.js";
import { LinkType } from "../src/capture/frame.js";
import { ETHERTYPES } from "./ethertype.js";

const FAMILIES: Record<number, string> = {
  2: "IP",
  7: "OSI",
  16: "Appletalk",
  23: "Netware IPX/SPX",
  24: "IPv6",
  28: "IPv6",
  30: "IPv6",
};

/** BSD address family → the ethertype whose dissector handles it. */
const FAMILY_ETHERTYPE: Record<number, number> = { 2: 0x0800, 24: 0x86dd, 28: 0x86dd, 30: 0x86dd };

export const nullProto = defineProtocol({
  name: "Null/Loopback",
  abbrev: "null",
  short: "Null",
  fields: {
    type: { abbrev: "null.type", name: "Type", type: "uint16", base: "hex", strings: ETHERTYPES },
    family: { abbrev: "null.family", name: "Family", type: "uint32", strings: FAMILIES },
  },
  registers: [["wtap_encap", LinkType.NULL]],
  dissect(tvb, pinfo, tree) {
    if (tvb.u16(0) === 0xff03) {
      // PPP in HDLC-like framing (a FreeBSD ISDN quirk).
      if (callTable("wtap_encap", 50, tvb, pinfo, tree) === 0) callData(tvb, pinfo, tree);
      return tvb.length;
    }
    columns(pinfo);
    let hdr = tvb.u32le(0);
    if (hdr > 0xffff) {
      if (hdr <= 0x00ffffff && (hdr & 0x00ff0000) < 0x00060000) hdr = hdr >>> 16;
      else hdr = swap32(hdr);
    } else if ((hdr & 0xff) === 0 && (hdr & 0xff00) < 0x0600) {
      hdr = ((hdr >>> 8) | ((hdr & 0xff) << 8)) & 0xffff;
    }
    const top = tree.add(nullProto.hf, tvb, 0, 4, null);
    const next = tvb.sub(4);
    if (hdr > 1500) {
      const type = hdr & 0xffff;
      top.add(nullProto.f.type, tvb, 0, 4, type);
      if (callTable("ethertype", type, next, pinfo, tree) === 0) callData(next, pinfo, tree);
    } else {
      top.add(nullProto.f.family, tvb, 0, 4, hdr);
      byFamily(hdr, next, pinfo, tree);
    }
    return tvb.length;
  },
});

/** LINKTYPE_LOOP: same protocol, family in network byte order. */
export const loopProto = {
  ...nullProto,
  dissect(tvb: Tvb, pinfo: PacketInfo, tree: Item): number {
    columns(pinfo);
    const family = tvb.u32(0);
    const top = tree.add(nullProto.hf, tvb, 0, 4, null);
    top.add(nullProto.f.family, tvb, 0, 4, family);
    byFamily(family, tvb.sub(4), pinfo, tree);
    return tvb.length;
  },
};
addToTable("wtap_encap", LinkType.LOOP, loopProto);

function columns(pinfo: PacketInfo): void {
  if (pinfo.cols === null) return;
  pinfo.setSrcDst("N/A", "N/A");
  pinfo.setProtocol("N/A");
  pinfo.setInfo("Null/Loopback");
}

function byFamily(family: number, next: Tvb, pinfo: PacketInfo, tree: Item): void {
  if (callTable("null.type", family, next, pinfo, tree) !== 0) return;
  const et = FAMILY_ETHERTYPE[family];
  if (et !== undefined && callTable("ethertype", et, next, pinfo, tree) !== 0) return;
  callData(next, pinfo, tree);
}

function swap32(v: number): number {
  return (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;
}
