/** Ethernet II (and 802.3 length frames, whose LLC payload is shown as data). */
import { etherToString } from "../src/core/format.js";
import { callData, callTable, defineProtocol } from "../src/core/proto.js";
import type { PacketInfo } from "../src/core/pinfo.js";
import type { Item } from "../src/core/tree.js";
import type { Tvb } from "../src/core/tvb.js";
import { LinkType } from "../src/capture/frame.js";
import { ETHERTYPES } from "./ethertype.js";

const IG = { abbrev: "", name: "", type: "bool" as const, bits: 24 };

export const eth = defineProtocol({
  name: "Ethernet II",
  abbrev: "eth",
  short: "Ethernet",
  fields: {
    dst: { abbrev: "eth.dst", name: "Destination", type: "ether" },
    src: { abbrev: "eth.src", name: "Source", type: "ether" },
    addr: { abbrev: "eth.addr", name: "Address", type: "ether" },
    dstLg: { ...IG, abbrev: "eth.dst.lg", name: "LG bit", bitmask: 0x020000, tfs: ["Locally administered address (this is NOT the factory default)", "Globally unique address (factory default)"] },
    dstIg: { ...IG, abbrev: "eth.dst.ig", name: "IG bit", bitmask: 0x010000, tfs: ["Group address (multicast/broadcast)", "Individual address (unicast)"] },
    srcLg: { ...IG, abbrev: "eth.src.lg", name: "LG bit", bitmask: 0x020000, tfs: ["Locally administered address (this is NOT the factory default)", "Globally unique address (factory default)"] },
    srcIg: { ...IG, abbrev: "eth.src.ig", name: "IG bit", bitmask: 0x010000, tfs: ["Group address (multicast/broadcast)", "Individual address (unicast)"] },
    lg: { ...IG, abbrev: "eth.lg", name: "LG bit", bitmask: 0x020000, tfs: ["Locally administered address (this is NOT the factory default)", "Globally unique address (factory default)"] },
    ig: { ...IG, abbrev: "eth.ig", name: "IG bit", bitmask: 0x010000, tfs: ["Group address (multicast/broadcast)", "Individual address (unicast)"] },
    type: { abbrev: "eth.type", name: "Type", type: "uint16", base: "hex", strings: ETHERTYPES },
    len: { abbrev: "eth.len", name: "Length", type: "uint16" },
    padding: { abbrev: "eth.padding", name: "Padding", type: "bytes" },
    trailer: { abbrev: "eth.trailer", name: "Trailer", type: "bytes" },
  },
  registers: [["wtap_encap", LinkType.ETHERNET]],
  dissect(tvb, pinfo, tree) {
    const f = eth.f;
    const dst = tvb.bytes(0, 6);
    const src = tvb.bytes(6, 6);
    const type = tvb.u16(12);
    pinfo.dlSrc = src;
    pinfo.dlDst = dst;
    if (pinfo.cols !== null) pinfo.setSrcDst(etherToString(src), etherToString(dst));
    pinfo.setProtocol("Ethernet");

    const isII = type >= 0x0600;
    const top = tree.add(eth.hf, tvb, 0, 14, null);
    if (!isII) top.setText("IEEE 802.3 Ethernet");
    top.appendText(`, Src: ${etherToString(src)}, Dst: ${etherToString(dst)}`);
    addAddr(top, tvb, 0, f.dst, f.dstLg, f.dstIg, "Destination");
    addAddr(top, tvb, 6, f.src, f.srcLg, f.srcIg, "Source");

    if (!isII) {
      top.add(f.len, tvb, 12, 2, type);
      const payload = tvb.sub(14, Math.min(type, Math.max(0, tvb.reportedLength - 14)));
      callData(payload, pinfo, tree);
      return tvb.length;
    }
    top.add(f.type, tvb, 12, 2, type);
    dissectEthertype(type, tvb, 14, pinfo, tree, top);
    return tvb.length;
  },
});

function addAddr(
  top: Item, tvb: Tvb, o: number,
  af: typeof eth.f.dst, lgf: typeof eth.f.dstLg, igf: typeof eth.f.dstIg, _label: string,
): void {
  const a = tvb.bytes(o, 6);
  const b0 = a[0];
  const it = top.add(af, tvb, o, 6, a);
  const addr = it.add(eth.f.addr, tvb, o, 6, a);
  addr.hidden = true;
  const raw24 = (b0 << 16) | (a[1] << 8) | a[2];
  it.add(eth.f.lg, tvb, o, 3, (b0 & 2) !== 0);
  it.add(eth.f.ig, tvb, o, 3, (b0 & 1) !== 0);
  // per-direction variants exist as hidden fields in Wireshark
  const lg = it.add(lgf, tvb, o, 3, (raw24 & 0x020000) !== 0);
  lg.hidden = true;
  const ig = it.add(igf, tvb, o, 3, (raw24 & 0x010000) !== 0);
  ig.hidden = true;
}

/**
 * The "ethertype" step Wireshark shows in frame.protocols ("eth:ethertype:ip"):
 * hand the payload on by type, then show what the payload didn't use as padding/trailer.
 * Used by Ethernet, VLAN and SLL.
 */
export function dissectEthertype(type: number, tvb: Tvb, o: number, pinfo: PacketInfo, tree: Item, parent: Item): void {
  pinfo.layers.push("ethertype");
  const payload = tvb.sub(o);
  let used = callTable("ethertype", type, payload, pinfo, tree);
  if (used === 0) used = callData(payload, pinfo, tree);
  const left = payload.length - used;
  if (left > 0 && used > 0) {
    const pf = pinfo.frame.len <= 60 ? eth.f.padding : eth.f.trailer;
    parent.add(pf, payload, used, left, payload.bytes(used, left));
  }
}
