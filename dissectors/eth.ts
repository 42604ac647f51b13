/**
 * Ethernet II and IEEE 802.3 (tshark 4.0 packet-eth.c / packet-ethertype.c / packet-ieee8023.c):
 * type vs length, invalid length/type, the "ethertype" step shown in frame.protocols,
 * and the padding / trailer / FCS split after the payload (add_ethernet_trailer).
 */
import { etherToString, hex } from "../src/core/format.js";
import { callData, callDissector, defineProtocol, lookupTable, markBoundsError, protocolByAbbrev, CHECKSUM_STATUS } from "../src/core/proto.js";
import type { Field } from "../src/core/field.js";
import type { PacketInfo } from "../src/core/pinfo.js";
import type { Item } from "../src/core/tree.js";
import { BoundsError, type Tvb } from "../src/core/tvb.js";
import { LinkType } from "../src/capture/frame.js";
import { ETHERTYPES } from "./ethertype.js";
import { manufName } from "../src/core/manuf.js";
import { cutUtf8 } from "../src/core/label.js";

const IG = { abbrev: "", name: "", type: "bool" as const, bits: 24 };
const LG_TFS = ["Locally administered address (this is NOT the factory default)", "Globally unique address (factory default)"] as const;
const IG_TFS = ["Group address (multicast/broadcast)", "Individual address (unicast)"] as const;


export const eth = defineProtocol({
  name: "Ethernet II",
  abbrev: "eth",
  short: "Ethernet",
  fields: {
    dst: { abbrev: "eth.dst", name: "Destination", type: "ether" },
    dstResolved: { abbrev: "eth.dst_resolved", name: "Destination (resolved)", type: "string" },
    dstOui: { abbrev: "eth.dst.oui", name: "Destination OUI", type: "uint24" },
    dstOuiResolved: { abbrev: "eth.dst.oui_resolved", name: "Destination OUI (resolved)", type: "string" },
    src: { abbrev: "eth.src", name: "Source", type: "ether" },
    srcResolved: { abbrev: "eth.src_resolved", name: "Source (resolved)", type: "string" },
    srcOui: { abbrev: "eth.src.oui", name: "Source OUI", type: "uint24" },
    srcOuiResolved: { abbrev: "eth.src.oui_resolved", name: "Source OUI (resolved)", type: "string" },
    addr: { abbrev: "eth.addr", name: "Address", type: "ether" },
    addrResolved: { abbrev: "eth.addr_resolved", name: "Address (resolved)", type: "string" },
    addrOui: { abbrev: "eth.addr.oui", name: "Address OUI", type: "uint24" },
    addrOuiResolved: { abbrev: "eth.addr.oui_resolved", name: "Address OUI (resolved)", type: "string" },
    dstLg: { ...IG, abbrev: "eth.dst.lg", name: "LG bit", bitmask: 0x020000, tfs: LG_TFS },
    dstIg: { ...IG, abbrev: "eth.dst.ig", name: "IG bit", bitmask: 0x010000, tfs: IG_TFS },
    srcLg: { ...IG, abbrev: "eth.src.lg", name: "LG bit", bitmask: 0x020000, tfs: LG_TFS },
    srcIg: { ...IG, abbrev: "eth.src.ig", name: "IG bit", bitmask: 0x010000, tfs: IG_TFS },
    lg: { ...IG, abbrev: "eth.lg", name: "LG bit", bitmask: 0x020000, tfs: LG_TFS },
    ig: { ...IG, abbrev: "eth.ig", name: "IG bit", bitmask: 0x010000, tfs: IG_TFS },
    type: { abbrev: "eth.type", name: "Type", type: "uint16", base: "hex", strings: ETHERTYPES },
    len: { abbrev: "eth.len", name: "Length", type: "uint16" },
    invalidLentype: { abbrev: "eth.invalid_lentype", name: "Invalid length/type", type: "uint16", base: "hex_dec" },
    padding: { abbrev: "eth.padding", name: "Padding", type: "bytes" },
    trailer: { abbrev: "eth.trailer", name: "Trailer", type: "bytes" },
    fcs: { abbrev: "eth.fcs", name: "Frame check sequence", type: "uint32", base: "hex" },
    fcsStatus: { abbrev: "eth.fcs.status", name: "FCS Status", type: "uint8", base: "none", strings: CHECKSUM_STATUS },
    invalidLentypeExpert: { abbrev: "eth.invalid_lentype.expert", name: "Invalid length/type", type: "none" },
    srcNotGroup: { abbrev: "eth.src_not_group", name: "Source MAC must not be a group address: IEEE 802.3-2002, Section 3.2.3(b)", type: "none" },
    lenPastEnd: { abbrev: "eth.len.past_end", name: "Length field value goes past the end of the payload", type: "none" },
    paddingBad: { abbrev: "eth.padding_bad", name: "Padding identification may be inaccurate and impact trailer dissector", type: "none" },
  },
  registers: [["wtap_encap", LinkType.ETHERNET]],
  dissect(tvb, pinfo, tree) {
    return dissectEth(tvb, pinfo, tree, -1);
  },
});

function addrFields(addr: Field, resolved: Field, oui: Field, ouiResolved: Field, lg: Field, ig: Field): AddrFields {
  const f = eth.f;
  const sub = [resolved, oui, ouiResolved, lg, ig, f.addr, f.addrResolved, f.addrOui, f.addrOuiResolved, f.lg, f.ig];
  return { addr, resolved, oui, ouiResolved, lg, ig, sub };
}
const DST = addrFields(eth.f.dst, eth.f.dstResolved, eth.f.dstOui, eth.f.dstOuiResolved, eth.f.dstLg, eth.f.dstIg);
const SRC = addrFields(eth.f.src, eth.f.srcResolved, eth.f.srcOui, eth.f.srcOuiResolved, eth.f.srcLg, eth.f.srcIg);

/**
 * Ethernet without FCS, as other dissectors hand it on (Wireshark's "eth_withoutfcs":
 * SLL protocol 3, GRE transparent bridging, VXLAN…). Same fields and layer name.
 */
export const ethWithoutFcs = { ...eth, dissect: (tvb: Tvb, pinfo: PacketInfo, tree: Item) => dissectEth(tvb, pinfo, tree, 0) };

function dissectEth(tvb: Tvb, pinfo: PacketInfo, tree: Item, fcsLen: number): number {
  const f = eth.f;
  pinfo.setProtocol("Ethernet");
  // Destination first: a frame cut inside the source address still shows it.
  const dst = tvb.bytes(0, 6);
  pinfo.dlDst = dst;
  if (pinfo.cols !== null) pinfo.cols.setMacDst(dst);
  const src = tvb.bytes(6, 6);
  pinfo.dlSrc = src;
  if (pinfo.cols !== null) pinfo.cols.setMacSrc(src);
  const type = tvb.u16(12);

  if (type > 1500 && type < 1536) {
    // Neither a length nor a type (packet-eth.c: "Ethernet Unknown").
    if (pinfo.cols !== null) pinfo.setInfo(`Ethernet Unknown: Invalid length/type: 0x${hex(type, 4)} (${type})`);
    const top = tree.add(eth.hf, tvb, 0, 14, null);
    if (top.tree.full) top.setText(`Ethernet Unknown, Src: ${etherToString(src)}, Dst: ${etherToString(dst)}`);
    addAddr(top, tvb, 0, dst, DST);
    addAddr(top, tvb, 6, src, SRC);
    top
      .add(f.invalidLentype, tvb, 12, 2, type)
      .expert("warn", "protocol", `Invalid length/type: 0x${hex(type, 4)} (${type})`, "eth", "eth.invalid_lentype.expert");
    callData(tvb.sub(14), pinfo, tree);
    return tvb.length;
  }

  if (type <= 1500 && type !== 0) {
    // IEEE 802.3: a length, then LLC (or raw IPX when the payload starts with 0xffff).
    const is8022 = !(tvb.has(14, 2) && tvb.u16(14) === 0xffff);
    if (pinfo.cols !== null) pinfo.setInfo(`IEEE 802.3 Ethernet ${is8022 ? "" : "Raw "}`);
    const top = tree.add(eth.hf, tvb, 0, 14, null);
    if (top.tree.full) top.setText(`IEEE 802.3 Ethernet ${is8022 ? "" : "Raw "}`);
    addAddr(top, tvb, 0, dst, DST);
    addAddr(top, tvb, 6, src, SRC);
    dissect8023(type, is8022, tvb, 14, pinfo, tree, top, f.len, f.trailer, fcsLen);
    return tvb.length;
  }

  // Ethernet II (type 0 is Cisco MDS "Vegas", handled as a type too).
  if (pinfo.cols !== null) pinfo.setInfo("Ethernet II");
  const top = tree.add(eth.hf, tvb, 0, 14, null);
  if (top.tree.full) top.appendText(`, Src: ${etherToString(src)}, Dst: ${etherToString(dst)}`);
  addAddr(top, tvb, 0, dst, DST);
  addAddr(top, tvb, 6, src, SRC, true);
  top.add(f.type, tvb, 12, 2, type);
  dissectEthertype(type, tvb, 14, pinfo, tree, top, f.trailer, fcsLen);
  return tvb.length;
}

/** The per-direction fields of one address (eth.dst.* or eth.src.*). */
interface AddrFields {
  addr: Field;
  resolved: Field;
  oui: Field;
  ouiResolved: Field;
  lg: Field;
  ig: Field;
  /** Every field under the address (this direction's and eth.addr's): nothing to do unless one is wanted. */
  sub: readonly Field[];
}

/**
 * An address and its subtree as tshark 4.0 builds it (dissect_address_data): hidden
 * "resolved" name and OUI (and the OUI's manufacturer, when the manuf file names it),
 * then the same for eth.addr, then the LG and IG bits, each followed by its hidden
 * direction-less twin. Names are never resolved here, so "resolved" is the address.
 * `srcCheck`: a group (multicast) source gets its note first, as in tshark.
 */
function addAddr(top: Item, tvb: Tvb, o: number, a: Uint8Array, d: AddrFields, srcCheck = false): Item {
  const b0 = a[0];
  const it = top.add(d.addr, tvb, o, 6, a);
  if (srcCheck && (b0 & 1) !== 0)
    it.expert("warn", "protocol", "Source MAC must not be a group address: IEEE 802.3-2002, Section 3.2.3(b)", "eth", "eth.src_not_group");
  const t = top.tree;
  if (!t.wantsAny(d.sub)) return it;
  const f = eth.f;
  const name = t.wants(d.resolved) || t.wants(f.addrResolved) ? etherToString(a) : "";
  const oui = (b0 << 16) | (a[1] << 8) | a[2];
  const maker = t.wants(d.ouiResolved) || t.wants(f.addrOuiResolved) ? manufName(oui) : null;
  addNames(it, tvb, o, d.resolved, name, d.oui, oui, d.ouiResolved, maker);
  it.add(f.addr, tvb, o, 6, a);
  addNames(it, tvb, o, f.addrResolved, name, f.addrOui, oui, f.addrOuiResolved, maker);
  const lg = (b0 & 2) !== 0;
  const ig = (b0 & 1) !== 0;
  it.add(d.lg, tvb, o, 3, lg);
  it.add(f.lg, tvb, o, 3, lg).hide();
  it.add(d.ig, tvb, o, 3, ig);
  it.add(f.ig, tvb, o, 3, ig).hide();
  return it;
}

/**
 * An OUI as Wireshark's BASE_OUI shows it: "00:15:17 (Intel Corporate)", the maker's name
 * when the manuf file has it, all cut to the 31 bytes of tshark's value buffer (which can
 * leave the name unclosed: "d8:cb:8a (Micro-Star INTL CO., ").
 */
function ouiText(oui: number): string {
  const bytes = `${hex(oui >>> 16, 2)}:${hex((oui >>> 8) & 0xff, 2)}:${hex(oui & 0xff, 2)}`;
  const maker = manufName(oui);
  return maker === null ? bytes : cutUtf8(`${bytes} (${maker})`, 31);
}

/** The hidden, generated name / OUI / manufacturer items under an address. */
function addNames(it: Item, tvb: Tvb, o: number, rf: Field, name: string, of: Field, oui: number, mf: Field, maker: string | null): void {
  it.addGenerated(rf, tvb, o, 6, name).hide();
  // (BASE_OUI: the label shows the three bytes, -T fields and JSON the number)
  const full = it.tree.full;
  it.addGenerated(of, tvb, o, 3, oui, full ? ouiText(oui) : undefined).hide();
  if (maker !== null) it.addGenerated(mf, tvb, o, 6, maker).hide();
}

/**
 * Wireshark's "ethertype" dissector (what shows as "ethertype" in frame.protocols:
 * "eth:ethertype:ip"): hand the payload at `o` on by type; when nobody takes it, show
 * it as data and put "0x%04x" in the Protocol column; then split what the payload
 * didn't use into padding / trailer / FCS under `parent`.
 *
 * Used by Ethernet, VLAN, 802.1ad and SLL. `trailerField` is the caller's trailer
 * field (eth.trailer, vlan.trailer, sll.trailer…); `fcsLen` 0 = no FCS, 4 = FCS,
 * -1 = guess (Ethernet from a capture file).
 * Sub-dissectors tell how much they used by their return value (Wireshark's
 * set_actual_length): IPv4 its total length, ARP its fixed size.
 */
export function dissectEthertype(
  type: number, tvb: Tvb, o: number, pinfo: PacketInfo, tree: Item, parent: Item,
  trailerField: Field = eth.f.trailer, fcsLen = 0,
): void {
  pinfo.layers.push("ethertype");
  const payload = tvb.sub(o);
  const p = lookupTable("ethertype", type, pinfo.session);
  // the trailer's items go in this layer's subtree, before the payload's (tree order)
  const mark = tree.tree.mark();
  // (tshark's ethertype dissector catches what its payload's dissectors throw)
  const caught = pinfo.catchTvb;
  pinfo.catchTvb = payload;
  let used = p ? callDissector(p, payload, pinfo, tree) : 0;
  pinfo.catchTvb = caught;
  // 0 from a found dissector on an empty payload means "ran and failed", not "not mine".
  if (used === 0 && (p === undefined || payload.length > 0)) {
    callData(payload, pinfo, tree);
    used = payload.reportedLength;
    if (pinfo.cols !== null) {
      pinfo.setProtocol("0x" + hex(type, 4));
      const d = ETHERTYPES[type];
      if (d !== undefined) pinfo.setInfo(d);
    }
  }
  // What the payload didn't claim is a trailer, when any of it was captured.
  if (used < payload.reportedLength && used < payload.length) {
    try {
      tree.tree.insertAt(mark);
      try {
        addEthernetTrailer(pinfo, parent, trailerField, tvb, payload.sub(used), fcsLen);
      } finally {
        tree.tree.insertAt(null);
      }
    } catch (e) {
      // A trailer/FCS cut by the snapshot length: tshark blames the "Ethertype" step.
      if (!(e instanceof BoundsError)) throw e;
      markBoundsError(e, ETHERTYPE_STEP, tvb, pinfo, tree);
    }
  }
}

/** Stands for Wireshark's "ethertype" dissector in exception marks. */
const ETHERTYPE_STEP = { ...eth, name: "Ethertype", abbrev: "ethertype", short: "Ethertype" };

/**
 * Wireshark's add_ethernet_trailer: zero padding up to the 60-byte minimum frame,
 * then the trailer, then (when known or guessed) a 4-byte FCS.
 * `whole` is the tvb of the layer that owns the trailer (its reported length is
 * what the FCS guess looks at).
 */
export function addEthernetTrailer(
  pinfo: PacketInfo, parent: Item, trailerField: Field, whole: Tvb, trailer: Tvb, fcsLen: number,
): void {
  const f = eth.f;
  let capLen = trailer.length;
  let repLen = trailer.reportedLength;
  const pktLen = pinfo.frame.len;
  const maybePadded = pktLen >= 60 && pktLen - repLen < 60;
  let padLen = 0;
  if (maybePadded) {
    padLen = 60 - (pktLen - repLen);
    // tshark 4.0's default ("Zeros"): padding only if it is all zeros.
    for (let i = 0; i < padLen; i++) {
      if (trailer.u8(i) !== 0) {
        padLen = 0;
        break;
      }
    }
    if (padLen > 0) {
      parent.add(f.padding, trailer, 0, padLen, trailer.bytes(0, padLen));
      capLen -= padLen;
      repLen -= padLen;
    }
  }
  let hasFcs = false;
  if (fcsLen !== 0 && (fcsLen === 4 || (whole.reportedLength >= 64 && repLen >= 4))) {
    if (capLen < repLen) {
      repLen -= 4;
      if (capLen > repLen) capLen = repLen;
    } else {
      capLen -= 4;
      repLen -= 4;
    }
    hasFcs = true;
  }
  const realRep = fcsLen === 4 ? repLen : trailer.reportedLength - padLen;
  if (realRep !== 0 && capLen > 0) {
    const it = parent.add(trailerField, trailer, padLen, capLen, trailer.bytes(padLen, capLen));
    if (maybePadded && padLen === 0)
      it.expert("note", "protocol", "Didn't find padding of zeros, and an undecoded trailer exists. There may be padding of non-zeros.", "eth", "eth.padding_bad");
  }
  if (hasFcs) {
    const fcs = trailer.u32(padLen + capLen);
    // eth.check_fcs is off by default in tshark 4.0: shown, not verified.
    const disp = parent.tree.full ? `0x${hex(fcs, 8)} [unverified]` : undefined;
    parent.add(f.fcs, trailer, padLen + capLen, 4, fcs, disp);
    parent.addGenerated(f.fcsStatus, trailer, padLen + capLen, 0, 2, "Unverified");
  }
}

/**
 * Wireshark's dissect_802_3: `length` bytes after the length field go to LLC (or IPX
 * for raw 802.3); the rest is trailer. Used by Ethernet and VLAN.
 */
export function dissect8023(
  length: number, is8022: boolean, tvb: Tvb, o: number, pinfo: PacketInfo, tree: Item, parent: Item,
  lengthField: Field, trailerField: Field, fcsLen: number,
): void {
  const lenItem = parent.add(lengthField, tvb, o - 2, 2, length);
  let reported = tvb.reportedRemainingFrom(o);
  if (fcsLen > 0 && reported >= fcsLen) reported -= fcsLen;
  if (length > reported) {
    length = reported;
    // the caller's own expert: eth.len.past_end or vlan.len.past_end
    const proto = lengthField.abbrev.split(".")[0];
    lenItem.expert("error", "malformed", "Length field value goes past the end of the payload", proto, `${proto}.len.past_end`);
  }
  const payload = tvb.sub(o, length);
  const next = protocolByAbbrev(is8022 ? "llc" : "ipx");
  // (tshark's dissect_802_3 catches what the payload's dissectors throw: a malformed mark sits there)
  const caught = pinfo.catchTvb;
  pinfo.catchTvb = payload;
  if (next) callDissector(next, payload, pinfo, tree);
  else callData(payload, pinfo, tree);
  pinfo.catchTvb = caught;
  // a payload cut by the snapshot length ends the frame there (tshark's BoundsError is not caught here)
  if (pinfo.truncated) return;
  // The trailer starts after `length` bytes; past the captured end this throws (cut short).
  const trailer = tvb.sub(o + length);
  if (trailer.reportedLength > 0) addEthernetTrailer(pinfo, parent, trailerField, tvb, trailer, fcsLen);
}
