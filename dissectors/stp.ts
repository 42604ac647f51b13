/**
 * Spanning Tree Protocol BPDUs (IEEE 802.1D/w/s/aq), as tshark 4.0 shows them
 * (packet-stp.c): configuration and topology-change BPDUs, rapid (RST, version 2),
 * multiple (MST, version 3, in the 802.1s or the older alternative MSTI layout) and
 * shortest-path (SPT, version 4) BPDUs, and Cisco's (Rapid) PVST+ TLVs. Reached through
 * LLC (DSAP 0x42) and Cisco's SNAP PIDs.
 *
 * GARP applications use the same SAP and are told apart by their group address
 * (01:80:c2:00:00:2x): named, their payload (GVRP, GMRP) kept as data.
 */
import { etherToString, hex } from "../src/core/format.js";
import { asciiString } from "../src/core/strings.js";
import { callData, defineProtocol } from "../src/core/proto.js";
import type { PacketInfo } from "../src/core/pinfo.js";
import type { Field } from "../src/core/field.js";
import type { Item } from "../src/core/tree.js";
import type { Tvb } from "../src/core/tvb.js";

const YES_NO = ["Yes", "No"] as const;
const FLAG = { type: "bool" as const, bits: 8, tfs: YES_NO };
const ROLES: Record<number, string> = { 1: "Alternate or Backup", 2: "Root", 3: "Designated" };
const VERSIONS: Record<number, string> = { 0: "Spanning Tree", 2: "Rapid Spanning Tree", 3: "Multiple Spanning Tree", 4: "Shortest Path Tree" };
const TYPES: Record<number, string> = { 0x00: "Configuration", 0x02: "Rapid/Multiple Spanning Tree", 0x80: "Topology Change Notification" };

export const stp = defineProtocol({
  name: "Spanning Tree Protocol",
  abbrev: "stp",
  short: "STP",
  fields: {
    protocol: { abbrev: "stp.protocol", name: "Protocol Identifier", type: "uint16", base: "hex", strings: { 0: "Spanning Tree Protocol" } },
    version: { abbrev: "stp.version", name: "Protocol Version Identifier", type: "uint8", strings: VERSIONS },
    type: { abbrev: "stp.type", name: "BPDU Type", type: "uint8", base: "hex", strings: TYPES },
    flags: { abbrev: "stp.flags", name: "BPDU flags", type: "uint8", base: "hex" },
    tcack: { ...FLAG, abbrev: "stp.flags.tcack", name: "Topology Change Acknowledgment", bitmask: 0x80 },
    agreement: { ...FLAG, abbrev: "stp.flags.agreement", name: "Agreement", bitmask: 0x40 },
    forwarding: { ...FLAG, abbrev: "stp.flags.forwarding", name: "Forwarding", bitmask: 0x20 },
    learning: { ...FLAG, abbrev: "stp.flags.learning", name: "Learning", bitmask: 0x10 },
    portRole: { abbrev: "stp.flags.port_role", name: "Port Role", type: "uint8", bits: 8, bitmask: 0x0c, strings: ROLES },
    proposal: { ...FLAG, abbrev: "stp.flags.proposal", name: "Proposal", bitmask: 0x02 },
    tc: { ...FLAG, abbrev: "stp.flags.tc", name: "Topology Change", bitmask: 0x01 },
    rootPrio: { abbrev: "stp.root.prio", name: "Root Bridge Priority", type: "uint16" },
    rootExt: { abbrev: "stp.root.ext", name: "Root Bridge System ID Extension", type: "uint16" },
    rootHw: { abbrev: "stp.root.hw", name: "Root Bridge System ID", type: "ether" },
    rootCost: { abbrev: "stp.root.cost", name: "Root Path Cost", type: "uint32" },
    bridgePrio: { abbrev: "stp.bridge.prio", name: "Bridge Priority", type: "uint16" },
    bridgeExt: { abbrev: "stp.bridge.ext", name: "Bridge System ID Extension", type: "uint16" },
    bridgeHw: { abbrev: "stp.bridge.hw", name: "Bridge System ID", type: "ether" },
    port: { abbrev: "stp.port", name: "Port identifier", type: "uint16", base: "hex" },
    msgAge: { abbrev: "stp.msg_age", name: "Message Age", type: "double" },
    maxAge: { abbrev: "stp.max_age", name: "Max Age", type: "double" },
    hello: { abbrev: "stp.hello", name: "Hello Time", type: "double" },
    forward: { abbrev: "stp.forward", name: "Forward Delay", type: "double" },
    v1Len: { abbrev: "stp.version_1_length", name: "Version 1 Length", type: "uint8" },
    v3Len: { abbrev: "mstp.version_3_length", name: "Version 3 Length", type: "uint16" },
    cfgFormat: { abbrev: "mstp.config_format_selector", name: "MST Config ID format selector", type: "uint8" },
    cfgName: { abbrev: "mstp.config_name", name: "MST Config name", type: "string", ftName: "FT_STRINGZPAD" },
    cfgRevision: { abbrev: "mstp.config_revision_level", name: "MST Config revision", type: "uint16" },
    cfgDigest: { abbrev: "mstp.config_digest", name: "MST Config digest", type: "bytes" },
    cistCost: { abbrev: "mstp.cist_internal_root_path_cost", name: "CIST Internal Root Path Cost", type: "uint32" },
    cistPrio: { abbrev: "mstp.cist_bridge.prio", name: "CIST Bridge Priority", type: "uint16" },
    cistExt: { abbrev: "mstp.cist_bridge.ext", name: "CIST Bridge Identifier System ID Extension", type: "uint16" },
    cistHw: { abbrev: "mstp.cist_bridge.hw", name: "CIST Bridge Identifier System ID", type: "ether" },
    cistHops: { abbrev: "mstp.cist_remaining_hops", name: "CIST Remaining hops", type: "uint8" },
    mstiFlags: { abbrev: "mstp.msti.flags", name: "MSTI flags", type: "uint8", base: "hex" },
    mstiPriority: { abbrev: "mstp.msti.priority", name: "Priority", type: "uint8", base: "hex", bits: 8, bitmask: 0xf0 },
    mstiId: { abbrev: "mstp.msti.msti_id", name: "MSTID", type: "uint16", bits: 16, bitmask: 0x0fff },
    mstiRootHw: { abbrev: "mstp.msti.root.hw", name: "Regional Root", type: "ether" },
    mstiCost: { abbrev: "mstp.msti.root_cost", name: "Internal root path cost", type: "uint32" },
    mstiBridgePrio: { abbrev: "mstp.msti.bridge_priority", name: "Bridge Identifier Priority", type: "uint8" },
    mstiPortPrio: { abbrev: "mstp.msti.port_priority", name: "Port identifier priority", type: "uint8" },
    mstiHops: { abbrev: "mstp.msti.remaining_hops", name: "Remaining hops", type: "uint8" },
    mstiIdPlain: { abbrev: "mstp.msti.msti_id", name: "MSTID", type: "uint16" },
    mstiRegionalRootId: { abbrev: "mstp.msti.regional_root_id", name: "MSTI Regional Root Identifier", type: "uint16" },
    mstiBridgeId: { abbrev: "mstp.msti.bridge_id", name: "MSTI Bridge Identifier", type: "uint16", bits: 16, bitmask: 0x0fff },
    mstiBridgeIdPrio: { abbrev: "mstp.msti.bridge_id_priority", name: "MSTI Bridge Priority", type: "uint16", bits: 16, bitmask: 0xf000 },
    mstiBridgeIdMac: { abbrev: "mstp.msti.bridge_id_mac", name: "MSTI Bridge MAC", type: "ether" },
    mstiPort: { abbrev: "mstp.msti.port", name: "Port identifier", type: "uint16", base: "hex" },
    v4Len: { abbrev: "mstp.version_4_length", name: "Version 4 Length", type: "uint16" },
    sptFormat: { abbrev: "mstp.config_format_selector", name: "SPT Config ID format selector", type: "uint8" },
    sptName: { abbrev: "mstp.config_name", name: "SPT Config name", type: "string", ftName: "FT_STRINGZPAD" },
    sptRevision: { abbrev: "mstp.config_revision_level", name: "SPT Config revision", type: "uint16" },
    sptDigest: { abbrev: "mstp.config_digest", name: "SPT Config digest", type: "bytes" },
    agreeNum: { abbrev: "mstp.agree_flags.agreement_num", name: "Agreement Number", type: "uint8", bits: 8, bitmask: 0x03 },
    dagreeNum: { abbrev: "mstp.agree_flags.dagreement_num", name: "Disagreement Number", type: "uint8", bits: 8, bitmask: 0x0c },
    agreeValid: { ...FLAG, abbrev: "mstp.agree_flags.agreement_valid", name: "Agreement Valid Flag", bitmask: 0x10 },
    restRole: { ...FLAG, abbrev: "mstp.agree_flags.rest_role", name: "Restricted Role", bitmask: 0x20 },
    agreeDigest: { abbrev: "mstp.agreement_digest", name: "Agreement Digest", type: "bytes" },
    digestFormatId: { abbrev: "bpdu.agreement_digest_format_id", name: "Agreement Digest Format Id", type: "uint8", bits: 8, bitmask: 0xf0 },
    digestFormatCaps: { abbrev: "bpdu.agreement_digest_format_capabilities", name: "Agreement Digest Format Capabilities", type: "uint8", bits: 8, bitmask: 0x0f },
    digestConventionId: { abbrev: "bpdu.agreement_digest_convention_id", name: "Agreement Digest Convention Id", type: "uint8", bits: 8, bitmask: 0xf0 },
    digestConventionCaps: { abbrev: "bpdu.agreement_digest_convention_capabilities", name: "Agreement Digest Convention Capabilities", type: "uint8", bits: 8, bitmask: 0x0f },
    edgeCount: { abbrev: "bpdu.agreement_digest_edge_count", name: "Agreement Digest Edge Count", type: "uint16" },
    pvstType: { abbrev: "stp.pvst.tlvtype", name: "Type", type: "uint16", base: "hex", strings: { 0: "Originating VLAN" } },
    pvstLen: { abbrev: "stp.pvst.tlvlen", name: "Length", type: "uint16" },
    pvstOrigVlan: { abbrev: "stp.pvst.origvlan", name: "Originating VLAN", type: "uint16" },
    pvstValue: { abbrev: "stp.pvst.tlvval", name: "Value", type: "bytes" },
    versionSupport: { abbrev: "bpdu.version_support", name: "This version of Wireshark only knows about versions 0, 2, 3 & 4", type: "none" },
    typeUnknown: { abbrev: "stp.type.unknown", name: "Unknown BPDU type data", type: "none" },
    pvstTlvlenInvalid: { abbrev: "stp.pvst.tlvlen.invalid", name: "Indicated length is not valid for this record type", type: "none" },
    pvstOrigvlanMissing: { abbrev: "stp.pvst.origvlan.missing", name: "Originating (PVID) VLAN TLV is missing or corrupt", type: "none" },
    pvstTlvTruncated: { abbrev: "stp.pvst.tlv.truncated", name: "TLV record is truncated prematurely", type: "none" },
    pvstTlvUnknown: { abbrev: "stp.pvst.tlv.unknown", name: "TLV type is unknown", type: "none" },
  },
  registers: [
    ["llc.dsap", 0x42],
    ["ethertype", 0x8181],
  ],
  dissect: dissectStp,
});

const f = stp.f;
const CONF_FLAGS = [f.tcack, f.tc];
const RST_FLAGS = [f.tcack, f.agreement, f.forwarding, f.learning, f.portRole, f.proposal, f.tc];

/** A bridge identifier: "Root Identifier: 32768 / 1 / 00:19:06:ea:b8:80" and its priority, extension and MAC. */
function bridgeId(parent: Item, tvb: Tvb, o: number, label: string, prio: Field, ext: Field, hw: Field): string {
  const v = tvb.u16(o);
  const mac = tvb.bytes(o + 2, 6);
  const macStr = etherToString(mac);
  const it = parent.addText(tvb, o, 8, `${label}: ${v & 0xf000} / ${v & 0x0fff} / ${macStr}`);
  it.add(prio, tvb, o, 1, v & 0xf000);
  it.add(ext, tvb, o, 2, v & 0x0fff);
  it.add(hw, tvb, o + 2, 6, mac);
  return `${v & 0xf000}/${v & 0x0fff}/${macStr}`;
}

/** `data` "pvst": reached through Cisco's PVST+ SNAP PID, TLVs follow the BPDU. */
function dissectStp(tvb: Tvb, pinfo: PacketInfo, tree: Item, data?: unknown): number {
  // GARP applications use the BPDU SAP too, told apart by their group address
  const dst = pinfo.dlDst;
  if (dst !== null && dst.length === 6 && dst[0] === 0x01 && dst[1] === 0x80 && dst[2] === 0xc2 && dst[3] === 0 && dst[4] === 0 &&
    (dst[5] === 0x0d || (dst[5] & 0xf0) === 0x20)) {
    pinfo.setProtocol("GARP");
    if (dst[5] !== 0x20 && dst[5] !== 0x21 && dst[5] !== 0x0d) {
      pinfo.setInfo(`Unknown GARP application (0x${hex(dst[5], 2).toUpperCase()})`);
      // tshark shows neither an STP layer nor data for these (frame.protocols ends in llc)
      pinfo.layers.pop();
      return tvb.length;
    }
    callData(tvb, pinfo, tree);
    return tvb.length;
  }
  pinfo.setProtocol("STP");
  pinfo.setInfo("");
  const type = tvb.u8(3);
  const version = tvb.u8(2);
  // the Info column's values are read first: a BPDU cut short gets no STP item (as in tshark)
  if (type === 0x00 || type === 0x02) {
    const flags = tvb.u8(4);
    const root = tvb.u16(5);
    const cost = tvb.u32(13);
    const port = tvb.u16(25);
    if (pinfo.cols !== null) {
      const head = type === 0 ? "Conf. " : `${version === 3 ? "MS" : version === 4 ? "SP" : "RS"}T. `;
      pinfo.setInfo(`${head}${flags & 1 ? "TC + " : ""}Root = ${root & 0xf000}/${root & 0x0fff}/${etherToString(tvb.bytes(7, 6))}  Cost = ${cost}  Port = 0x${hex(port, 4)}`);
    }
  } else if (type === 0x80) pinfo.setInfo("Topology Change Notification");
  else pinfo.setInfo(`Unknown BPDU type (${type})`);
  const top = tree.add(stp.hf, tvb, 0, tvb.length, null);

  top.add(f.protocol, tvb, 0, 2, tvb.u16(0));
  const vItem = top.add(f.version, tvb, 2, 1, version);
  if (version !== 0 && version !== 2 && version !== 3 && version !== 4) {
    vItem.expert("warn", "protocol", "This version of Wireshark only knows about versions 0, 2, 3 & 4", "stp", "bpdu.version_support");
  }
  const tItem = top.add(f.type, tvb, 3, 1, type);
  // tshark adds the STP item over the whole BPDU (what the 802.3 length left) and only then
  // shortens the data with set_actual_length: the item keeps its length in every branch below
  if (type === 0x80) {
    return 4;
  }
  if (type !== 0x00 && type !== 0x02) {
    tItem.expert("warn", "protocol", "Unknown BPDU type data", "stp", "stp.type.unknown");
    return tvb.length;
  }
  top.addBitmask(f.flags, tvb, 4, 1, tvb.u8(4), type === 0x02 ? RST_FLAGS : CONF_FLAGS);
  bridgeId(top, tvb, 5, "Root Identifier", f.rootPrio, f.rootExt, f.rootHw);
  top.add(f.rootCost, tvb, 13, 4, tvb.u32(13));
  bridgeId(top, tvb, 17, "Bridge Identifier", f.bridgePrio, f.bridgeExt, f.bridgeHw);
  top.add(f.port, tvb, 25, 2, tvb.u16(25));
  top.add(f.msgAge, tvb, 27, 2, tvb.u16(27) / 256);
  top.add(f.maxAge, tvb, 29, 2, tvb.u16(29) / 256);
  top.add(f.hello, tvb, 31, 2, tvb.u16(31) / 256);
  top.add(f.forward, tvb, 33, 2, tvb.u16(33) / 256);
  const pvst = data === "pvst";
  if (type === 0x00) {
    if (pvst) return pvstTlvs(tvb, top);
    return 35;
  }
  const v1Len = tvb.u8(35);
  top.add(f.v1Len, tvb, 35, 1, v1Len);
  if (!(version >= 3 && v1Len === 0 && tvb.reportedLength >= 102)) {
    if (pvst) return pvstTlvs(tvb, top);
    return 36;
  }
  return dissectMst(tvb, top, version);
}

/** Cisco (R)PVST+ TLVs after the BPDU (dissect_bpdu_pvst_tlv). */
function pvstTlvs(tvb: Tvb, top: Item): number {
  let o = 36;
  let origVlan = false;
  if (tvb.reportedLength - o < 4) top.expert("error", "malformed", "TLV record is truncated prematurely", "stp", "stp.pvst.tlv.truncated");
  while (tvb.reportedLength - o >= 4) {
    const type = tvb.u16(o);
    const len = tvb.u16(o + 2);
    const t = top.addText(tvb, o, 4 + len, type === 0 ? "Originating VLAN" : `Unknown TLV type: 0x${hex(type, 4)}`);
    t.add(f.pvstType, tvb, o, 2, type);
    const lenItem = t.add(f.pvstLen, tvb, o + 2, 2, len);
    if (tvb.reportedLength - (o + 4) < len) {
      lenItem.expert("error", "malformed", "TLV record is truncated prematurely", "stp", "stp.pvst.tlv.truncated");
      break;
    }
    o += 4;
    if (type === 0) {
      if (len === 2) {
        const vlan = tvb.u16(o);
        t.appendText(` (PVID): ${vlan}`);
        t.add(f.pvstOrigVlan, tvb, o, 2, vlan);
        origVlan = true;
      } else lenItem.expert("error", "malformed", "Indicated length is not valid for this record type", "stp", "stp.pvst.tlvlen.invalid");
    } else {
      t.add(f.pvstValue, tvb, o, len, tvb.bytes(o, len));
      t.expert("comment", "undecoded", "TLV type is unknown", "stp", "stp.pvst.tlv.unknown");
    }
    o += len;
  }
  if (!origVlan) top.expert("error", "malformed", "Originating (PVID) VLAN TLV is missing or corrupt", "stp", "stp.pvst.origvlan.missing");
  return tvb.length;
}

/**
 * The MST extension (version 3 and up): configuration identifier, CIST values and MSTI
 * messages, in 802.1s layout or the older alternative one (told apart by the lengths);
 * version 4 (SPB) adds the SPT extension after them.
 */
function dissectMst(tvb: Tvb, top: Item, version: number): number {
  const v3Len = tvb.u16(36);
  top.add(f.v3Len, tvb, 36, 2, v3Len);
  const cfs = tvb.u8(38);
  let alt = false;
  let mstiBytes: number;
  if (v3Len !== 0) mstiBytes = v3Len >= 64 ? v3Len - 64 : v3Len * 16; // under 64: a count of messages (some Cisco switches)
  else if (tvb.reportedLength === cfs + 38 + 1) {
    alt = true;
    mstiBytes = cfs - 64;
  } else mstiBytes = 0;
  let end = 102 + mstiBytes;
  const ext = top.addText(tvb, 36, (version === 3 ? end : tvb.length) - 36, "MST Extension");
  ext.add(f.cfgFormat, tvb, 38, 1, cfs);
  ext.add(f.cfgName, tvb, 39, 32, asciiString(tvb, 39, 32));
  ext.add(f.cfgRevision, tvb, 71, 2, tvb.u16(71));
  ext.add(f.cfgDigest, tvb, 73, 16, tvb.bytes(73, 16));
  if (!alt) {
    ext.add(f.cistCost, tvb, 89, 4, tvb.u32(89));
    bridgeId(ext, tvb, 93, "CIST Bridge Identifier", f.cistPrio, f.cistExt, f.cistHw);
  } else {
    bridgeId(ext, tvb, 89, "CIST Bridge Identifier", f.cistPrio, f.cistExt, f.cistHw);
    ext.add(f.cistCost, tvb, 97, 4, tvb.u32(97));
  }
  ext.add(f.cistHops, tvb, 101, 1, tvb.u8(101));
  let o = 102;
  for (let left = mstiBytes; left > 0; ) {
    const r = o + (alt ? 3 : 1); // the regional root identifier
    const b = tvb.u8(r);
    const mstid = ((b & 0x0f) << 8) + tvb.u8(r + 1);
    const mac = tvb.bytes(r + 2, 6);
    const m = ext.addText(tvb, o, 16, `MSTID ${mstid}, Regional Root Identifier ${(b & 0xf0) << 8} / ${etherToString(mac)}`);
    if (alt) m.add(f.mstiIdPlain, tvb, o, 2, tvb.u16(o));
    m.addBitmask(f.mstiFlags, tvb, alt ? o + 2 : o, 1, tvb.u8(alt ? o + 2 : o), RST_FLAGS);
    m.add(f.mstiPriority, tvb, r, 1, b >> 4);
    if (alt) m.add(f.mstiRegionalRootId, tvb, r, 2, tvb.u16(r));
    else m.add(f.mstiId, tvb, r, 2, tvb.u16(r) & 0x0fff);
    m.add(f.mstiRootHw, tvb, r + 2, 6, mac);
    if (alt) {
      m.add(f.mstiCost, tvb, o + 11, 4, tvb.u32(o + 11));
      const bid = tvb.u16(o + 15);
      m.add(f.mstiBridgeId, tvb, o + 15, 2, bid & 0x0fff);
      m.add(f.mstiBridgeIdPrio, tvb, o + 15, 2, bid >> 12);
      m.add(f.mstiBridgeIdMac, tvb, o + 17, 6, tvb.bytes(o + 17, 6));
      m.add(f.mstiPort, tvb, o + 23, 2, tvb.u16(o + 23));
      m.add(f.mstiHops, tvb, o + 25, 1, tvb.u8(o + 25));
      o += 26;
      left -= 26;
    } else {
      m.add(f.mstiCost, tvb, o + 9, 4, tvb.u32(o + 9));
      m.add(f.mstiBridgePrio, tvb, o + 13, 1, tvb.u8(o + 13) >> 4);
      m.add(f.mstiPortPrio, tvb, o + 14, 1, tvb.u8(o + 14) >> 4);
      m.add(f.mstiHops, tvb, o + 15, 1, tvb.u8(o + 15));
      o += 16;
      left -= 16;
    }
  }
  if (version >= 4 && tvb.reportedLength >= 106) end = dissectSpt(tvb, top, 102 + mstiBytes, version);
  return version === 3 || version === 4 ? end : tvb.length;
}

/** The SPT extension of version 4 (SPB) BPDUs: the auxiliary MCID and the agreement data. */
function dissectSpt(tvb: Tvb, top: Item, at: number, version: number): number {
  const v4Len = tvb.u16(at);
  top.add(f.v4Len, tvb, at, 2, v4Len);
  if (v4Len < 53) return tvb.length;
  // a version 4 BPDU ends with this extension; a later version's may go on
  const end = version === 4 ? at + 2 + v4Len : tvb.length;
  const spt = top.addText(tvb, at, end - at, "SPT Extension");
  let o = at + 2;
  const mcid = spt.addText(tvb, o, 51, "MCID Data");
  mcid.add(f.sptFormat, tvb, o, 1, tvb.u8(o));
  mcid.add(f.sptName, tvb, o + 1, 32, asciiString(tvb, o + 1, 32));
  mcid.add(f.sptRevision, tvb, o + 33, 2, tvb.u16(o + 33));
  mcid.add(f.sptDigest, tvb, o + 35, 16, tvb.bytes(o + 35, 16));
  o += 51;
  const agree = tvb.u8(o);
  const a = spt.addText(tvb, o, end - o, `Agreement Data (AN: ${agree & 0x03}, DAN: ${(agree & 0x0c) >> 2})`);
  a.add(f.agreeNum, tvb, o, 1, agree & 0x03);
  a.add(f.dagreeNum, tvb, o, 1, (agree & 0x0c) >> 2);
  a.add(f.agreeValid, tvb, o, 1, (agree & 0x10) !== 0);
  a.add(f.restRole, tvb, o, 1, (agree & 0x20) !== 0);
  o += 2;
  const fmt = tvb.u8(o);
  a.add(f.digestFormatId, tvb, o, 1, fmt >> 4);
  a.add(f.digestFormatCaps, tvb, o, 1, fmt & 0x0f);
  o += 1;
  const conv = tvb.u8(o);
  a.add(f.digestConventionId, tvb, o, 1, conv >> 4);
  a.add(f.digestConventionCaps, tvb, o, 1, conv & 0x0f);
  o += 1;
  a.add(f.edgeCount, tvb, o, 2, tvb.u16(o));
  o += 10;
  a.add(f.agreeDigest, tvb, o, 20, tvb.bytes(o, 20));
  return end;
}
