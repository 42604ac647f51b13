/**
 * ICMP multi-part extensions (RFC 4884) as tshark 4.0 shows them (packet-icmp.c,
 * dissect_icmp_extension): after the quoted datagram of an error, or after the header of
 * an extended echo request (RFC 8335). A common header (version, checksum), then objects:
 * MPLS label stack (RFC 4950), interface information (RFC 5837), interface
 * identification (RFC 8335); others are shown as "Unknown object". The fields are
 * registered by icmp (spread into its field list) and bound here by bindIcmpExtFields(),
 * so this file does not import icmp.ts.
 */
import type { Field, FieldSpec } from "../src/core/field.js";
import { hex } from "../src/core/format.js";
import { CHECKSUM_STATUS } from "../src/core/proto.js";
import { asciiString } from "../src/core/strings.js";
import type { Item } from "../src/core/tree.js";
import type { Tvb } from "../src/core/tvb.js";
import { cksumShouldBe, onesSum } from "./ip.js";

const EXT_CLASSES: Record<number, string> = {
  1: "MPLS Label Stack Class", 2: "Interface Information Object", 3: "Interface Identification Object",
};
const INT_ROLES: Record<number, string> = {
  0: "IP interface upon which datagram arrived", 1: "sub-IP component of an IP interface upon which datagram arrived",
  2: "IP interface through which datagram would be forwarded", 3: "IP next-hop to which datagram would be forwarded",
};
const IDENT_CTYPES: Record<number, string> = {
  1: "Identifies Interface By Name", 2: "Identifies Interface By Index", 3: "Identifies Interface By Address",
};
/** Address family numbers (the first ones of IANA's list, as tshark names them). */
const AFN: Record<number, string> = {
  0: "Reserved", 1: "IPv4", 2: "IPv6", 3: "NSAP", 4: "HDLC (8-bit multidrop)", 5: "BBN 1822",
  6: "802 (includes all 802 media plus Ethernet)", 7: "E.163", 8: "E.164 (SMDS, Frame Relay, ATM)",
  9: "F.69 (Telex)", 10: "X.121 (X.25, Frame Relay)", 11: "IPX", 12: "Appletalk", 13: "Decnet IV",
};
const ECHO_STATES: Record<number, string> = {
  0: "Reserved", 1: "Incomplete", 2: "Reachable", 3: "Stale", 4: "Delay", 5: "Probe", 6: "Failed",
};
const PRESENT: readonly [string, string] = ["Present", "Not Present"];

/** The extension fields, in registration order (spread into the icmp field list). */
export const ICMP_EXT_FIELDS = {
  ext: { abbrev: "icmp.ext", name: "ICMP Extensions", type: "none" },
  extVersion: { abbrev: "icmp.ext.version", name: "Version", type: "uint8" },
  extRes: { abbrev: "icmp.ext.res", name: "Reserved", type: "uint16", base: "hex", bitmask: 0x0fff, bits: 16 },
  extChecksum: { abbrev: "icmp.ext.checksum", name: "Checksum", type: "uint16", base: "hex" },
  extChecksumStatus: { abbrev: "icmp.ext.checksum.status", name: "Checksum Status", type: "uint8", base: "none", strings: CHECKSUM_STATUS },
  extChecksumBad: { abbrev: "icmp.ext.checksum_bad", name: "Bad checksum", type: "none" },
  extLength: { abbrev: "icmp.ext.length", name: "Length", type: "uint16" },
  extClass: { abbrev: "icmp.ext.class", name: "Class", type: "uint8", strings: EXT_CLASSES },
  extCtype: { abbrev: "icmp.ext.ctype", name: "C-Type", type: "uint8" },
  extData: { abbrev: "icmp.ext.data", name: "Data", type: "bytes" },
  mplsLabel: { abbrev: "icmp.mpls.label", name: "Label", type: "uint24", bitmask: 0xfffff0, bits: 24 },
  mplsExp: { abbrev: "icmp.mpls.exp", name: "Experimental", type: "uint24", bitmask: 0x0e, bits: 24 },
  mplsS: { abbrev: "icmp.mpls.s", name: "Stack bit", type: "bool", bitmask: 0x01, bits: 24, tfs: ["Set", "Not set"] },
  mplsTtl: { abbrev: "icmp.mpls.ttl", name: "Time to live", type: "uint8" },
  mplsData: { abbrev: "icmp.mpls.data", name: "Data", type: "bytes" },
  intInfoRole: { abbrev: "icmp.int_info.role", name: "Interface Role", type: "uint8", bitmask: 0xc0, bits: 8, strings: INT_ROLES },
  intInfoReserved: { abbrev: "icmp.int_info.reserved", name: "Reserved", type: "uint8", bitmask: 0x30, bits: 8 },
  intInfoIfindex: { abbrev: "icmp.int_info.ifindex", name: "ifIndex", type: "bool", bitmask: 0x08, bits: 8, tfs: ["True", "False"] },
  intInfoIpaddr: { abbrev: "icmp.int_info.ipaddr", name: "IP Address", type: "bool", bitmask: 0x04, bits: 8, tfs: PRESENT },
  intInfoNamePresent: { abbrev: "icmp.int_info.name_present", name: "Interface Name", type: "bool", bitmask: 0x02, bits: 8, tfs: PRESENT },
  intInfoMtuPresent: { abbrev: "icmp.int_info.mtu_present", name: "MTU", type: "bool", bitmask: 0x01, bits: 8, tfs: PRESENT },
  intInfoIndex: { abbrev: "icmp.int_info.index", name: "Interface Index", type: "uint32" },
  intInfoAfi: { abbrev: "icmp.int_info.afi", name: "Address Family Identifier", type: "uint16" },
  intInfoIpv4: { abbrev: "icmp.int_info.ipv4", name: "Source", type: "ipv4" },
  intInfoIpv6: { abbrev: "icmp.int_info.ipv6", name: "Source", type: "ipv6" },
  intInfoIpunknown: { abbrev: "icmp.int_info.ipunknown", name: "Source", type: "bytes" },
  intInfoNameLength: { abbrev: "icmp.int_info.name_length", name: "Name Length", type: "uint8" },
  intInfoName: { abbrev: "icmp.int_info.name", name: "Name", type: "string" },
  intInfoMtu: { abbrev: "icmp.int_info.mtu", name: "Maximum Transmission Unit", type: "uint32" },
  intIdentName: { abbrev: "icmp.int_ident.name", name: "Name", type: "string" },
  intIdentIndex: { abbrev: "icmp.int_ident.index", name: "Interface Index", type: "uint32" },
  intIdentAfi: { abbrev: "icmp.int_ident.afi", name: "Address Family Identifier", type: "uint16", strings: AFN },
  intIdentAddrLength: { abbrev: "icmp.int_ident.addr_length", name: "Address Length", type: "uint8" },
  intIdentReserved: { abbrev: "icmp.int_ident.reserved", name: "Reserved", type: "bytes" },
  intIdentIpv4: { abbrev: "icmp.int_ident.ipv4", name: "Address", type: "ipv4" },
  intIdentIpv6: { abbrev: "icmp.int_ident.ipv6", name: "Address", type: "ipv6" },
  intIdentAddress: { abbrev: "icmp.int_ident.address", name: "Address", type: "bytes" },
  // the second word of extended echo request / reply (RFC 8335)
  extEchoReqRes: { abbrev: "icmp.ext.echo.req.res", name: "Reserved", type: "uint8", base: "hex", bitmask: 0xfe, bits: 8 },
  extEchoReqLocal: { abbrev: "icmp.ext.echo.req.local", name: "Local bit", type: "bool", bitmask: 0x01, bits: 8, tfs: ["Set", "Not set"] },
  extEchoRspState: { abbrev: "icmp.ext.echo.rsp.state", name: "State", type: "uint8", bitmask: 0xe0, bits: 8, strings: ECHO_STATES },
  extEchoRspRes: { abbrev: "icmp.ext.echo.rsp.res", name: "Reserved", type: "uint8", base: "hex", bitmask: 0x18, bits: 8 },
  extEchoRspActive: { abbrev: "icmp.ext.echo.rsp.active", name: "Active bit", type: "bool", bitmask: 0x04, bits: 8, tfs: ["Set", "Not set"] },
  extEchoRspIpv4: { abbrev: "icmp.ext.echo.rsp.ipv4", name: "IPv4 bit", type: "bool", bitmask: 0x02, bits: 8, tfs: ["Set", "Not set"] },
  extEchoRspIpv6: { abbrev: "icmp.ext.echo.rsp.ipv6", name: "IPv6 bit", type: "bool", bitmask: 0x01, bits: 8, tfs: ["Set", "Not set"] },
} satisfies Record<string, FieldSpec>;

/** The registered extension fields, and icmp's own Reserved (the IP address sub-object's). */
export type IcmpExtFields = { [K in keyof typeof ICMP_EXT_FIELDS]: Field } & { reserved: Field };

let f: IcmpExtFields;

/** Called once by dissectors/icmp.ts right after defineProtocol. */
export function bindIcmpExtFields(fields: IcmpExtFields): void {
  f = fields;
}

/** The second word of an extended echo request (42) or reply (43), after identifier and sequence. */
export function extEchoWord(tvb: Tvb, top: Item, reply: boolean): void {
  const b = tvb.u8(7);
  if (!reply) {
    top.add(f.extEchoReqRes, tvb, 7, 1, b >> 1);
    top.add(f.extEchoReqLocal, tvb, 7, 1, (b & 1) !== 0);
    return;
  }
  top.add(f.extEchoRspState, tvb, 7, 1, b >> 5);
  top.add(f.extEchoRspRes, tvb, 7, 1, (b >> 3) & 3);
  top.add(f.extEchoRspActive, tvb, 7, 1, (b & 4) !== 0);
  top.add(f.extEchoRspIpv4, tvb, 7, 1, (b & 2) !== 0);
  top.add(f.extEchoRspIpv6, tvb, 7, 1, (b & 1) !== 0);
}

/** The multi-part extension structure that fills `tvb` (from its start to its end). */
export function dissectIcmpExtension(tvb: Tvb, tree: Item): void {
  const full = tree.tree.full;
  const reported = tvb.reportedLength;
  const ti = tree.add(f.ext, tvb, 0, reported, null);
  if (full) ti.setText("ICMP Multi-Part Extensions");
  if (reported < 4) return;
  const version = tvb.u8(0) >> 4;
  ti.add(f.extVersion, tvb, 0, 1, version);
  ti.add(f.extRes, tvb, 0, 2, tvb.u16(0) & 0x0fff);
  const sum = tvb.u16(2);
  if (sum === 0) {
    // PROTO_CHECKSUM_NOT_PRESENT: a generated item
    ti.addGenerated(f.extChecksum, tvb, 2, 2, 0, full ? "[missing]" : undefined);
    ti.addGenerated(f.extChecksumStatus, tvb, 2, 0, 3);
  } else {
    const computed = ~onesSum(tvb, 0, reported) & 0xffff;
    if (computed === 0) {
      ti.add(f.extChecksum, tvb, 2, 2, sum, full ? `0x${hex(sum, 4)} [correct]` : undefined);
      ti.addGenerated(f.extChecksumStatus, tvb, 2, 0, 1);
    } else {
      const should = cksumShouldBe(sum, computed);
      ti.add(f.extChecksum, tvb, 2, 2, sum, full ? `0x${hex(sum, 4)} incorrect, should be 0x${hex(should, 4)}` : undefined)
        .expert("warn", "checksum", `Bad checksum [should be 0x${hex(should, 4)}]`, "icmp", "icmp.ext.checksum_bad");
      ti.addGenerated(f.extChecksumStatus, tvb, 2, 0, 0);
    }
  }
  if (version !== 1 && version !== 2) {
    ti.appendText(" (unsupported version)");
    return;
  }
  let o = 4;
  let infoObjects = 0;
  while (tvb.reportedRemainingFrom(o) >= 4) {
    const objLen = tvb.u16(o);
    const trunc = Math.min(objLen, tvb.reportedRemainingFrom(o));
    const end = o + trunc;
    // a text-only subtree (no field), its text set once the object is read
    let text = "Unknown object";
    const obj = ti.addText(tvb, o, Math.max(trunc, 4), text);
    obj.add(f.extLength, tvb, o, 2, objLen);
    const cls = tvb.u8(o + 2);
    obj.add(f.extClass, tvb, o + 2, 1, cls);
    const ctype = tvb.u8(o + 3);
    if (objLen < 4) {
      if (full) obj.setText("Object with bad length");
      break;
    }
    let known = true;
    if (cls === 1) {
      obj.add(f.extCtype, tvb, o + 3, 1, ctype);
      if (ctype === 1) {
        text = "MPLS Stack Entry";
        mplsEntries(tvb, o + 4, end, obj);
      } else known = false;
    } else if (cls === 2) {
      text = "Interface Information Object";
      interfaceInformation(tvb, o, end, ctype, obj);
      if (++infoObjects > 4) text = "More than 4 Interface Information Objects";
    } else if (cls === 3) {
      text = "Interface Identification Object";
      if (tvb.reportedRemainingFrom(o) < 5) known = false;
      else interfaceIdentification(tvb, o, objLen, ctype, obj);
    } else if (cls === 0) {
      obj.add(f.extCtype, tvb, o + 3, 1, ctype);
      if (ctype === 1) {
        // the part of the original datagram that did not fit in the 128 bytes
        text = "Extended Payload";
        if (trunc > 4) obj.add(f.extData, tvb, o + 4, trunc - 4, tvb.bytes(o + 4, trunc - 4));
      } else known = false;
    } else known = false;
    if (!known) {
      obj.add(f.extCtype, tvb, o + 3, 1, ctype);
      text = `Unknown object (${cls}/${ctype})`;
      if (trunc > 4) obj.add(f.extData, tvb, o + 4, trunc - 4, tvb.bytes(o + 4, trunc - 4));
    }
    if (trunc < objLen) text += " (truncated)";
    if (full) obj.setText(text);
    o = end;
  }
}

/** MPLS label stack entries (4 bytes each) from o to end, then what is left as data. */
function mplsEntries(tvb: Tvb, o: number, end: number, obj: Item): void {
  const full = obj.tree.full;
  while (o + 4 <= end && tvb.reportedRemainingFrom(o) >= 4) {
    const e = obj.addText(tvb, o, 4, " ");
    const w = tvb.u24(o);
    const label = w >>> 4;
    const tmp = tvb.u8(o + 2);
    const ttl = tvb.u8(o + 3);
    if (full) e.setText(`Label: ${label}, Exp: ${(tmp >> 1) & 7}, S: ${tmp & 1}, TTL: ${ttl}`);
    e.add(f.mplsLabel, tvb, o, 3, label);
    e.add(f.mplsExp, tvb, o + 2, 1, (tmp >> 1) & 7);
    e.add(f.mplsS, tvb, o + 2, 1, (tmp & 1) !== 0);
    e.add(f.mplsTtl, tvb, o + 3, 1, ttl);
    o += 4;
  }
  if (o < end) obj.add(f.mplsData, tvb, o, end - o, tvb.bytes(o, end - o));
}

/** RFC 5837: the C-Type says which sub-objects follow (ifIndex, IP address, name, MTU). */
function interfaceInformation(tvb: Tvb, o: number, end: number, ctype: number, obj: Item): void {
  const bits = [f.intInfoRole, f.intInfoReserved, f.intInfoIfindex, f.intInfoIpaddr, f.intInfoNamePresent, f.intInfoMtuPresent];
  obj.addBitmask(f.extCtype, tvb, o + 3, 1, ctype, bits);
  o += 4;
  if (ctype & 8) {
    obj.add(f.intInfoIndex, tvb, o, 4, tvb.u32(o));
    o += 4;
  }
  if (ctype & 4 && end >= o + 2) {
    const afi = tvb.u16(o);
    const sub = obj.addText(tvb, o, afi === 1 ? 8 : 20, "IP Address Sub-Object");
    sub.add(f.intInfoAfi, tvb, o, 2, afi);
    sub.add(f.reserved, tvb, o + 2, 2, tvb.bytes(o + 2, 2));
    o += 4;
    if (afi === 1) {
      sub.add(f.intInfoIpv4, tvb, o, 4, tvb.u32(o));
      o += 4;
    } else if (afi === 2) {
      sub.add(f.intInfoIpv6, tvb, o, 16, tvb.bytes(o, 16));
      o += 16;
    } else {
      const n = Math.max(0, end - o);
      sub.add(f.intInfoIpunknown, tvb, o, n, tvb.bytes(o, n));
      return;
    }
  }
  if (ctype & 2) {
    let nameLen = 0;
    let sub: Item | null = null;
    if (end >= o + 1) {
      nameLen = tvb.u8(o);
      sub = obj.addText(tvb, o, nameLen, "Interface Name Sub-Object");
      sub.add(f.intInfoNameLength, tvb, o, 1, nameLen);
      o += 1;
    }
    if (sub !== null && end >= o + nameLen) {
      // the name is Length - 1 bytes; a zero length reads to the end of the packet (tshark)
      const n = nameLen === 0 ? tvb.length - o : nameLen - 1;
      sub.add(f.intInfoName, tvb, o, n, asciiString(tvb, o, n));
      o += nameLen - 1;
    }
  }
  if (ctype & 1) obj.add(f.intInfoMtu, tvb, o, 4, tvb.u32(o));
}

/** RFC 8335: the interface an extended echo asks about, by name, index or address. */
function interfaceIdentification(tvb: Tvb, o: number, objLen: number, ctype: number, obj: Item): void {
  const full = obj.tree.full;
  obj.add(f.extCtype, tvb, o + 3, 1, ctype, full ? `${ctype} (${IDENT_CTYPES[ctype] ?? `Unknown C-Type ${ctype}`})` : undefined);
  o += 4;
  if (ctype === 1) {
    obj.add(f.intIdentName, tvb, o, objLen - 4, asciiString(tvb, o, objLen - 4));
  } else if (ctype === 2) {
    obj.add(f.intIdentIndex, tvb, o, 4, tvb.u32(o));
  } else if (ctype === 3) {
    const afi = tvb.u16(o);
    obj.add(f.intIdentAfi, tvb, o, 2, afi);
    let len = tvb.u8(o + 2);
    obj.add(f.intIdentAddrLength, tvb, o + 2, 1, len);
    obj.add(f.intIdentReserved, tvb, o + 3, 1, tvb.bytes(o + 3, 1));
    o += 4;
    if (afi === 1) {
      for (; len >= 4 && tvb.reportedRemainingFrom(o) >= 4; len -= 4, o += 4) obj.add(f.intIdentIpv4, tvb, o, 4, tvb.u32(o));
    } else if (afi === 2) {
      for (; len >= 16 && tvb.reportedRemainingFrom(o) >= 16; len -= 16, o += 16) obj.add(f.intIdentIpv6, tvb, o, 16, tvb.bytes(o, 16));
    } else {
      const n = tvb.reportedRemainingFrom(o);
      obj.add(f.intIdentAddress, tvb, o, n, tvb.bytes(o, n));
    }
  }
}
