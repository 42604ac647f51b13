/**
 * IEEE 802.2 Logical-Link Control, as tshark 4.0 shows it (packet-llc.c, xdlc.c): the
 * payload of IEEE 802.3 frames (Ethernet with a length instead of a type).
 *
 *  - DSAP and SSAP, each with its SAP (top 7 bits) and its I/G or C/R bit;
 *  - the control field: one byte for U(nnumbered) frames, two (little-endian, "extended")
 *    for I(nformation) and S(upervisory) frames, summarised as "U, func=UI",
 *    "I, N(R)=3, N(S)=5", "S F, func=RR, N(R)=3";
 *  - SNAP (DSAP = SSAP = 0xAA): an OUI and a protocol ID. OUI 00:00:00 (and Cisco's and
 *    Apple's old encapsulation OUIs) carry an Ethertype; Cisco's own PIDs go on to STP for
 *    PVST+; others are shown and their payload kept as data;
 *  - a non-SNAP I or UI frame goes on by DSAP (llc.dsap table: STP at 0x42, IPv4 at 0x06);
 *    a basic-format XID is decoded; anything else is data.
 *
 * OUI names come from Wireshark's vendor database in tshark; only the OUIs met in SNAP
 * headers are named here (others show their number alone, "(Unknown)" in Info).
 */
import { bytesToHex, hex } from "../src/core/format.js";
import { callData, callDissector, defineProtocol, lookupTable } from "../src/core/proto.js";
import type { PacketInfo } from "../src/core/pinfo.js";
import type { Item } from "../src/core/tree.js";
import type { Tvb } from "../src/core/tvb.js";
import { ETHERTYPES } from "./ethertype.js";

/** sap_vals (SAP numbers with the low bit clear). */
const SAPS: Record<number, string> = {
  0x00: "NULL LSAP", 0x02: "LLC Sub-Layer Management", 0x04: "SNA Path Control", 0x06: "TCP/IP",
  0x08: "SNA", 0x0c: "SNA", 0x0e: "PROWAY (IEC955) Network Management and Initialization",
  0x10: "NetWare (unofficial?)", 0x14: "ISO Network Layer (OSLAN 1)", 0x18: "Texas Instruments",
  0x20: "ISO Network Layer (unofficial?)", 0x34: "ISO Network Layer (unofficial?)", 0x42: "Spanning Tree BPDU",
  0x4e: "EIA RS-511 Manufacturing Message Service", 0x54: "ISO Network Layer (OSLAN 2)",
  0x7e: "ISO 8208 (X.25 over 802.2)", 0x7f: "ISO 802.2", 0x80: "XNS", 0x82: "BACnet", 0x86: "Nestar",
  0x8e: "PROWAY (IEC955) Active Station List Maintenance", 0x98: "ARP", 0xbc: "HP JetDirect Printer",
  0xaa: "SNAP", 0xba: "Banyan Vines", 0xbd: "Banyan Vines", 0xe0: "NetWare", 0xf0: "NetBIOS",
  0xf4: "IBM Net Management", 0xf8: "HP Extended LLC", 0xfa: "Ungermann-Bass", 0xfc: "Remote Program Load",
  0xfe: "ISO Network Layer", 0xff: "Global LSAP",
};

/** U-frame modifiers (control & 0xEC): [short name as command, as response, long name as command, as response]. */
const U_MODIFIERS: Record<number, [string, string, string, string]> = {
  0x00: ["UI", "UI", "Unnumbered Information", "Unnumbered Information"],
  0x20: ["UP", "UP", "Unnumbered Poll", "Unnumbered Poll"],
  0x40: ["DISC", "RD", "Disconnect", "Request Disconnect"],
  0x60: ["UA", "UA", "Unnumbered Acknowledge", "Unnumbered Acknowledge"],
  0x80: ["SNRM", "SNRM", "Set Normal Response Mode", "Set Normal Response Mode"],
  0xe0: ["TEST", "TEST", "Test", "Test"],
  0x04: ["SIM", "RIM", "Set Initialization Mode", "Request Initialization Mode"],
  0x84: ["FRMR", "FRMR", "Frame reject", "Frame reject"],
  0xc4: ["CFGR", "CFGR", "Configure", "Configure"],
  0x0c: ["SARM", "DM", "Set Asynchronous Response Mode", "Disconnected mode"],
  0x2c: ["SABM", "SABM", "Set Asynchronous Balanced Mode", "Set Asynchronous Balanced Mode"],
  0x4c: ["SARME", "SARME", "Set Asynchronous Response Mode Extended", "Set Asynchronous Response Mode Extended"],
  0x6c: ["SABME", "SABME", "Set Asynchronous Balanced Mode Extended", "Set Asynchronous Balanced Mode Extended"],
  0x8c: ["RESET", "RESET", "Reset", "Reset"],
  0xac: ["XID", "XID", "Exchange identification", "Exchange identification"],
  0xcc: ["SNRME", "SNRME", "Set Normal Response Mode Extended", "Set Normal Response Mode Extended"],
  0xec: ["BCN", "BCN", "Beacon", "Beacon"],
};
const MOD_CMD: Record<number, string> = {};
const MOD_RESP: Record<number, string> = {};
for (const [k, v] of Object.entries(U_MODIFIERS)) {
  MOD_CMD[Number(k) >> 2] = v[2];
  MOD_RESP[Number(k) >> 2] = v[3];
}
const S_TYPES = ["RR", "RNR", "REJ", "SREJ"];
const S_TYPE_NAMES = { 0: "Receiver ready", 1: "Receiver not ready", 2: "Reject", 3: "Selective reject" };
const FTYPES = { 0: "Information frame", 1: "Supervisory frame", 3: "Unnumbered frame" };
const SET_NOTSET = ["Set", "Not set"] as const;

/** OUI names: [as the Organization Code item shows it (vendor name cut at 21 characters), as Info shows it]. */
const OUIS: Record<number, string> = {
  0x000000: "Officially Xerox, but 0:0:0:0:0:0 is more common",
  0x00000c: "Cisco Systems, Inc",
  0x0000f8: "Digital Equipment Corporation",
  0x000081: "Bay Networks",
  0x0080c2: "IEEE",
  0x080007: "Apple, Inc.",
  0x00e02b: "Extreme Networks Headquarters",
};
/** OUIs whose protocol ID is an Ethertype (OUI_ENCAP_ETHER, OUI_CISCO_90, and Apple's AppleTalk ARP). */
const ETHERTYPE_OUIS = new Set([0x000000, 0x0000f8]);
/** PID names by OUI (llc.cisco_pid, llc.apple_atalk_pid, llc.extreme_pid, llc.nortel_pid). */
const CISCO_PIDS: Record<number, string> = {
  0x0102: "DRIP", 0x0104: "PAgP", 0x0105: "MLS Hello", 0x010b: "PVSTP+", 0x010c: "VLAN Bridge", 0x0111: "UDLD",
  0x2000: "CDP", 0x2001: "CGMP", 0x2003: "VTP", 0x2004: "DTP", 0x200a: "STP Uplink Fast",
};
const APPLE_PIDS: Record<number, string> = { 0x809b: "AppleTalk" };

const BASIC_XID_TYPES: Record<number, string> = {
  1: "Type 1 LLC (Class I LLC)", 2: "Type 2 LLC", 3: "Type 1 and Type 2 LLCs (Class II LLC)", 4: "Type 3 LLC",
  5: "Type 1 and Type 3 LLCs (Class III LLC)", 6: "Type 2 and Type 3 LLCs", 7: "Type 1 and Type 2 and Type 3 LLCs (Class IV LLC)",
};

const U8 = { type: "uint8" as const, bits: 8 };
const U16 = { type: "uint16" as const, bits: 16 };

export const llc = defineProtocol({
  name: "Logical-Link Control",
  abbrev: "llc",
  short: "LLC",
  fields: {
    dsap: { abbrev: "llc.dsap", name: "DSAP", type: "uint8", base: "hex", strings: SAPS },
    dsapSap: { ...U8, abbrev: "llc.dsap.sap", name: "SAP", bitmask: 0xfe },
    dsapIg: { abbrev: "llc.dsap.ig", name: "IG Bit", type: "bool", bits: 8, bitmask: 0x01, tfs: ["Group", "Individual"] },
    ssap: { abbrev: "llc.ssap", name: "SSAP", type: "uint8", base: "hex", strings: SAPS },
    ssapSap: { ...U8, abbrev: "llc.ssap.sap", name: "SAP", bitmask: 0xfe },
    ssapCr: { abbrev: "llc.ssap.cr", name: "CR Bit", type: "bool", bits: 8, bitmask: 0x01, tfs: ["Response", "Command"] },
    control: { abbrev: "llc.control", name: "Control", type: "uint16", base: "hex" },
    // U and S/I frames have their own widths of the same fields (xdlc_cf_items / _ext)
    ftypeU: { ...U8, abbrev: "llc.control.ftype", name: "Frame type", base: "hex", bitmask: 0x03, strings: FTYPES },
    ftypeI: { ...U16, abbrev: "llc.control.ftype", name: "Frame type", base: "hex", bitmask: 0x0001, strings: FTYPES },
    ftypeS: { ...U16, abbrev: "llc.control.ftype", name: "Frame type", base: "hex", bitmask: 0x0003, strings: FTYPES },
    nR: { ...U16, abbrev: "llc.control.n_r", name: "N(R)", bitmask: 0xfe00 },
    nS: { ...U16, abbrev: "llc.control.n_s", name: "N(S)", bitmask: 0x00fe },
    p: { abbrev: "llc.control.p", name: "Poll", type: "bool", bits: 8, bitmask: 0x10, tfs: SET_NOTSET },
    pExt: { abbrev: "llc.control.p", name: "Poll", type: "bool", bits: 16, bitmask: 0x0100, tfs: SET_NOTSET },
    f: { abbrev: "llc.control.f", name: "Final", type: "bool", bits: 8, bitmask: 0x10, tfs: SET_NOTSET },
    fExt: { abbrev: "llc.control.f", name: "Final", type: "bool", bits: 16, bitmask: 0x0100, tfs: SET_NOTSET },
    sFtype: { ...U16, abbrev: "llc.control.s_ftype", name: "Supervisory frame type", base: "hex", bitmask: 0x000c, strings: S_TYPE_NAMES },
    uCmd: { ...U8, abbrev: "llc.control.u_modifier_cmd", name: "Command", base: "hex", bitmask: 0xec, strings: MOD_CMD },
    uResp: { ...U8, abbrev: "llc.control.u_modifier_resp", name: "Response", base: "hex", bitmask: 0xec, strings: MOD_RESP },
    type: { abbrev: "llc.type", name: "Type", type: "uint16", base: "hex", strings: ETHERTYPES },
    oui: { abbrev: "llc.oui", name: "Organization Code", type: "uint24" },
    pid: { abbrev: "llc.pid", name: "Protocol ID", type: "uint16", base: "hex" },
    ciscoPid: { abbrev: "llc.cisco_pid", name: "PID", type: "uint16", base: "hex", strings: CISCO_PIDS },
    applePid: { abbrev: "llc.apple_atalk_pid", name: "PID", type: "uint16", base: "hex", strings: APPLE_PIDS },
    extremePid: { abbrev: "llc.extreme_pid", name: "PID", type: "uint16", base: "hex", strings: {} },
    nortelPid: { abbrev: "llc.nortel_pid", name: "PID", type: "uint16", base: "hex", strings: {} },
  },
  dissect(tvb, pinfo, tree) {
    return dissectLlc(tvb, pinfo, tree);
  },
});

/** The basic-format XID payload ("Logical-Link Control Basic Format XID"), not a layer of its own. */
export const basicxid = defineProtocol({
  name: "Logical-Link Control Basic Format XID",
  abbrev: "basicxid",
  short: "XID",
  fields: {
    format: { abbrev: "basicxid.llc.xid.format", name: "XID Format", type: "uint8", base: "hex", strings: { 0x81: "LLC basic format" } },
    types: { abbrev: "basicxid.llc.xid.types", name: "LLC Types/Classes", type: "uint8", base: "hex", strings: BASIC_XID_TYPES },
    wsize: { abbrev: "basicxid.llc.xid.wsize", name: "Receive Window Size", type: "uint8" },
  },
  dissect() {
    return 0;
  },
});

function sapName(sap: number): string {
  return SAPS[sap & 0xfe] ?? "0x" + hex(sap & 0xfe, 2);
}

function addSap(parent: Item, tvb: Tvb, o: number, v: number, isDst: boolean): void {
  const f = llc.f;
  const it = parent.add(isDst ? f.dsap : f.ssap, tvb, o, 1, v);
  // the SAP item names the whole byte's SAP (Wireshark's custom format: not shifted)
  it.add(isDst ? f.dsapSap : f.ssapSap, tvb, o, 1, v >> 1, SAPS[v & 0xfe] ?? "Unknown");
  it.add(isDst ? f.dsapIg : f.ssapCr, tvb, o, 1, (v & 1) === 1);
}

function dissectLlc(tvb: Tvb, pinfo: PacketInfo, tree: Item): number {
  pinfo.setProtocol("LLC");
  pinfo.setInfo("");
  const top = tree.add(llc.hf, tvb, 0, tvb.length, null);
  const dsap = tvb.u8(0);
  addSap(top, tvb, 0, dsap, true);
  const ssap = tvb.u8(1);
  addSap(top, tvb, 1, ssap, false);
  const isResponse = (ssap & 1) === 1;
  const isSnap = dsap === 0xaa && ssap === 0xaa;
  const control = dissectControl(tvb, 2, pinfo, top, isResponse);
  const isU = (control & 3) === 3;
  let hdrLen = 2 + (isU ? 1 : 2);
  if (isSnap) hdrLen += 5;
  top.setLen(Math.min(hdrLen, tvb.reportedLength));
  // I and UI frames carry data for the DSAP's protocol (XDLC_IS_INFORMATION)
  const isInformation = (control & 1) === 0 || (control & 0xef) === 0x03;
  if (isSnap) {
    dissectSnap(tvb, 2 + (isU ? 1 : 2), pinfo, tree, top, isInformation);
    return tvb.length;
  }
  pinfo.appendInfo(`; DSAP ${sapName(dsap)} ${dsap & 1 ? "Group" : "Individual"}, SSAP ${sapName(ssap)} ${isResponse ? "Response" : "Command"}`);
  if (tvb.reportedLength <= hdrLen) return tvb.length;
  const next = tvb.sub(hdrLen);
  if (isInformation) {
    const p = lookupTable("llc.dsap", dsap);
    if (p === undefined || callDissector(p, next, pinfo, tree) === 0) callData(next, pinfo, tree);
  } else if ((control & 0xef) === 0xaf && next.u8(0) === 0x81) dissectBasicXid(next, pinfo, tree);
  else callData(next, pinfo, tree);
  return tvb.length;
}

/** xdlc.c's dissect_xdlc_control for LLC (extended I/S frames); sets Info. Returns the control value. */
function dissectControl(tvb: Tvb, o: number, pinfo: PacketInfo, top: Item, isResponse: boolean): number {
  const f = llc.f;
  const first = tvb.u8(o);
  if ((first & 3) === 3) {
    const control = first;
    const m = U_MODIFIERS[control & 0xec];
    const pf = (control & 0x10) !== 0;
    const info = `U${pf ? (isResponse ? " F" : " P") : ""}, func=${m === undefined ? "Unknown" : m[isResponse ? 1 : 0]}`;
    pinfo.setInfo(info);
    const it = top.add(f.control, tvb, o, 1, control).setText(`Control field: ${info} (0x${hex(control, 2).toUpperCase()})`);
    if (pf) it.add(isResponse ? f.f : f.p, tvb, o, 1, true);
    it.add(isResponse ? f.uResp : f.uCmd, tvb, o, 1, (control & 0xec) >> 2);
    it.add(f.ftypeU, tvb, o, 1, 3);
    return control;
  }
  const control = tvb.u16le(o);
  const nr = control >> 9;
  const pf = (control & 0x0100) !== 0;
  let info: string;
  if ((control & 1) === 0) {
    info = `I${pf ? " P" : ""}, N(R)=${nr}, N(S)=${(control & 0xfe) >> 1}`;
  } else {
    info = `S${pf ? (isResponse ? " F" : " P") : ""}, func=${S_TYPES[(control & 0x0c) >> 2]}, N(R)=${nr}`;
  }
  pinfo.setInfo(info);
  const it = top.add(f.control, tvb, o, 2, control).setText(`Control field: ${info} (0x${hex(control, 4).toUpperCase()})`);
  it.add(f.nR, tvb, o, 2, nr);
  if ((control & 1) === 0) {
    it.add(f.nS, tvb, o, 2, (control & 0xfe) >> 1);
    if (pf) it.add(f.pExt, tvb, o, 2, true);
    it.add(f.ftypeI, tvb, o, 2, 0);
  } else {
    if (pf) it.add(isResponse ? f.fExt : f.pExt, tvb, o, 2, true);
    it.add(f.sFtype, tvb, o, 2, (control & 0x0c) >> 2);
    it.add(f.ftypeS, tvb, o, 2, 1);
  }
  return control;
}

/** packet-llc.c's dissect_snap: OUI, protocol ID, and the payload by OUI. */
function dissectSnap(tvb: Tvb, o: number, pinfo: PacketInfo, tree: Item, top: Item, isInformation: boolean): void {
  const f = llc.f;
  const oui = tvb.u24(o);
  const pid = tvb.u16(o + 3);
  const name = OUIS[oui];
  pinfo.appendInfo(`; SNAP, OUI 0x${hex(oui, 6).toUpperCase()} (${name ?? "Unknown"}), PID 0x${hex(pid, 4).toUpperCase()}`);
  const ouiText = bytesToHex(tvb.bytes(o, 3), ":");
  top.add(f.oui, tvb, o, 3, oui, name === undefined ? ouiText : `${ouiText} (${name})`.slice(0, 31));
  if (!isInformation) return;
  const next = tvb.sub(o + 5);
  if (ETHERTYPE_OUIS.has(oui)) {
    top.add(f.type, tvb, o + 3, 2, pid);
    const p = lookupTable("ethertype", pid);
    if (p === undefined || callDissector(p, next, pinfo, tree) === 0) callData(next, pinfo, tree);
    return;
  }
  let p;
  let data: unknown;
  switch (oui) {
    case 0x00000c:
      top.add(f.ciscoPid, tvb, o + 3, 2, pid);
      // PVST+ and VLAN bridge BPDUs (packet-stp.c registers them on llc.cisco_pid)
      if (pid === 0x010b || pid === 0x010c) p = lookupTable("llc.dsap", 0x42);
      if (pid === 0x010b) data = "pvst";
      break;
    case 0x080007:
      top.add(f.applePid, tvb, o + 3, 2, pid);
      break;
    case 0x00e02b:
      top.add(f.extremePid, tvb, o + 3, 2, pid);
      break;
    case 0x000081:
      top.add(f.nortelPid, tvb, o + 3, 2, pid);
      break;
    default:
      top.add(f.pid, tvb, o + 3, 2, pid);
  }
  if (p === undefined || callDissector(p, next, pinfo, tree, data) === 0) callData(next, pinfo, tree);
}

function dissectBasicXid(tvb: Tvb, pinfo: PacketInfo, tree: Item): void {
  const f = basicxid.f;
  pinfo.setProtocol("XID");
  const it = tree.add(basicxid.hf, tvb, 0, tvb.length, null);
  it.add(f.format, tvb, 0, 1, tvb.u8(0));
  const types = tvb.u8(1) & 0x1f;
  it.add(f.types, tvb, 1, 1, types);
  const wsize = (tvb.u8(2) & 0xfe) >> 1;
  it.add(f.wsize, tvb, 2, 1, wsize);
  pinfo.setInfo(`Basic Format; ${BASIC_XID_TYPES[types] ?? "0x" + hex(types, 2)}; Window Size ${wsize}`);
}
