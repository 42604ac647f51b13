/**
 * ARP / RARP / Inverse ARP (RFC 826, 903, 2390) as tshark 4.0 shows them (packet-arp.c):
 * all header fields, gratuitous / probe / announcement flags, Info wording, and the
 * duplicate-IP-address detection that remembers IP→MAC bindings across frames.
 */
import { compareAddresses } from "../src/analysis/conversation.js";
import { etherToString, bytesToHex, ipv4ToString } from "../src/core/format.js";
import { callData, defineProtocol } from "../src/core/proto.js";
import type { PacketInfo } from "../src/core/pinfo.js";
import type { Item } from "../src/core/tree.js";
import { BoundsError, type Tvb } from "../src/core/tvb.js";
import { ETHERTYPES } from "./ethertype.js";

/** Hardware types (arp_hrd_vals); also used by sll.hatype. */
export const ARP_HRD: Record<number, string> = {
  0: "NET/ROM pseudo",
  1: "Ethernet",
  2: "Experimental Ethernet",
  3: "AX.25",
  4: "ProNET",
  5: "Chaos",
  6: "IEEE 802",
  7: "ARCNET",
  8: "Hyperchannel",
  9: "Lanstar",
  10: "Autonet Short Address",
  11: "Localtalk",
  12: "LocalNet",
  13: "Ultra link",
  14: "SMDS",
  15: "Frame Relay DLCI",
  16: "ATM",
  17: "HDLC",
  18: "Fibre Channel",
  19: "ATM (RFC 2225)",
  20: "Serial Line",
  21: "ATM",
  22: "MIL-STD-188-220",
  23: "Metricom STRIP",
  24: "IEEE 1394.1995",
  25: "MAPOS",
  26: "Twinaxial",
  27: "EUI-64",
  28: "HIPARP",
  29: "IP and ARP over ISO 7816-3",
  30: "ARPSec",
  31: "IPsec tunnel",
  32: "InfiniBand",
  33: "TIA-102 Project 25 CAI",
  34: "Wiegand Interface",
  35: "Pure IP",
  36: "Experimental 1",
  37: "HFI",
  256: "Experimental 2",
  257: "AEthernet",
  260: "Notional KISS type",
  264: "ADAPT",
  270: "ROSE",
  271: "CCITT X.25",
  272: "Boards with X.25 in firmware",
  280: "Controller Area Network",
  512: "PPP",
  513: "Cisco HDLC",
  516: "LAPB",
  517: "Digital's DDCMP protocol",
  518: "Raw HDLC",
  519: "Raw IP",
  768: "IPIP tunnel",
  769: "IP6IP6 tunnel",
  770: "Frame Relay Access Device",
  771: "SKIP vif",
  772: "Loopback",
  774: "Fiber Distributed Data Interface",
  775: "AP1000 BIF",
  776: "sit0 device - IPv6-in-IPv4",
  777: "IP over DDP tunneller",
  778: "GRE over IP",
  779: "PIMSM register interface",
  780: "High Performance Parallel Interface",
  781: "Nexus 64Mbps Ash",
  782: "Acorn Econet",
  783: "Linux-IrDA",
  784: "Point to point fibrechannel",
  785: "Fibrechannel arbitrated loop",
  786: "Fibrechannel public loop",
  787: "Fibrechannel fabric",
  800: "Magic type ident for TR",
  801: "IEEE 802.11",
  802: "IEEE 802.11 + Prism2 header",
  803: "IEEE 802.11 + radiotap header",
  804: "IEEE 802.15.4",
  805: "IEEE 802.15.4 network monitor",
  820: "PhoNet media type",
  821: "PhoNet pipe header",
  822: "CAIF media type",
  823: "GRE over IPv6",
  824: "Netlink",
  825: "IPv6 over LoWPAN",
  826: "Vsock monitor header",
  65534: "zero header length",
  65535: "Void type, nothing is known",
};

const OPCODES: Record<number, string> = {
  0: "reserved", 1: "request", 2: "reply", 3: "reverse request", 4: "reverse reply",
  5: "drarp request", 6: "drarp reply", 7: "drarp error", 8: "inverse request", 9: "inverse reply",
  10: "arp nak", 11: "mars request", 12: "mars multi", 13: "mars mserv", 14: "mars join",
  15: "mars leave", 16: "mars nak", 17: "mars unserv", 18: "mars sjoin", 19: "mars sleave",
  20: "mars grouplist request", 21: "mars grouplist reply", 22: "mars redirect map",
  23: "mapos unarp", 24: "experimental 1", 25: "experimental 2", 65535: "reserved",
};

const DRARP_STATUS: Record<number, string> = { 1: "restricted", 2: "no address", 3: "serverdown", 4: "moved", 5: "failure" };

/** MARS / MAPOS Info prefixes, by opcode ("… from <hw> at <proto>"). */
const MARS_INFO: Record<number, string> = {
  11: "MARS request", 12: "MARS MULTI request", 13: "MARS MSERV request", 14: "MARS JOIN request",
  15: "MARS LEAVE", 16: "MARS NAK", 17: "MARS UNSERV request", 18: "MARS SJOIN request",
  19: "MARS SLEAVE", 20: "MARS grouplist request", 21: "MARS grouplist reply",
  22: "MARS redirect map", 23: "MAPOS UNARP request",
};

/** FT_BOOLEAN without a bitmask shows True/False. */
const TRUE_FALSE = ["True", "False"] as const;

const REQUEST = 1;
const REPLY = 2;
const DRARP_ERROR = 7;

export const arp = defineProtocol({
  name: "Address Resolution Protocol",
  abbrev: "arp",
  short: "ARP/RARP",
  fields: {
    hwType: { abbrev: "arp.hw.type", name: "Hardware type", type: "uint16", strings: ARP_HRD },
    protoType: { abbrev: "arp.proto.type", name: "Protocol type", type: "uint16", base: "hex", strings: ETHERTYPES },
    hwSize: { abbrev: "arp.hw.size", name: "Hardware size", type: "uint8" },
    protoSize: { abbrev: "arp.proto.size", name: "Protocol size", type: "uint8" },
    opcode: { abbrev: "arp.opcode", name: "Opcode", type: "uint16", strings: OPCODES },
    isGratuitous: { abbrev: "arp.isgratuitous", name: "Is gratuitous", type: "bool", tfs: TRUE_FALSE },
    isProbe: { abbrev: "arp.isprobe", name: "Is probe", type: "bool", tfs: TRUE_FALSE },
    isAnnouncement: { abbrev: "arp.isannouncement", name: "Is announcement", type: "bool", tfs: TRUE_FALSE },
    srcHw: { abbrev: "arp.src.hw", name: "Sender hardware address", type: "bytes" },
    srcHwMac: { abbrev: "arp.src.hw_mac", name: "Sender MAC address", type: "ether" },
    srcProto: { abbrev: "arp.src.proto", name: "Sender protocol address", type: "bytes" },
    srcProtoIpv4: { abbrev: "arp.src.proto_ipv4", name: "Sender IP address", type: "ipv4" },
    dstHw: { abbrev: "arp.dst.hw", name: "Target hardware address", type: "bytes" },
    dstHwMac: { abbrev: "arp.dst.hw_mac", name: "Target MAC address", type: "ether" },
    dstProto: { abbrev: "arp.dst.proto", name: "Target protocol address", type: "bytes" },
    dstProtoIpv4: { abbrev: "arp.dst.proto_ipv4", name: "Target IP address", type: "ipv4" },
    drarpErrorStatus: { abbrev: "arp.dst.drarp_error_status", name: "DRARP error status", type: "uint16", strings: DRARP_STATUS },
    dupFrame: { abbrev: "arp.duplicate-address-frame", name: "Frame showing earlier use of IP address", type: "framenum" },
    dupSeconds: { abbrev: "arp.seconds-since-duplicate-address-frame", name: "Seconds since earlier frame seen", type: "uint32" },
    dupDetected: { abbrev: "arp.duplicate-address-detected", name: "Duplicate IP address configured", type: "none" },
    stormDetected: { abbrev: "arp.packet-storm-detected", name: "ARP packet storm detected", type: "none" },
  },
  registers: [
    ["ethertype", 0x0806],
    ["ethertype", 0x8035],
  ],
  dissect(tvb, pinfo, tree) {
    const f = arp.f;
    pinfo.setProtocol("ARP");
    pinfo.setInfo("");
    const hrd = tvb.u16(0);
    if (hrd === 19) {
      // ATM ARP (RFC 2225) has its own layout and protocol ("atmarp"): not dissected here.
      callData(tvb, pinfo, tree);
      return tvb.length;
    }
    // AX.25 hardware: tshark hands it to its "ax25_arp" dissector, which is ARP again.
    if (hrd === 3) pinfo.layers.push("arp");
    const top = tree.add(arp.hf, tvb, 0, tvb.length, null);
    top.add(f.hwType, tvb, 0, 2, hrd);
    const pro = tvb.u16(2);
    top.add(f.protoType, tvb, 2, 2, pro);
    const hln = tvb.u8(4);
    top.add(f.hwSize, tvb, 4, 1, hln);
    const pln = tvb.u8(5);
    top.add(f.protoSize, tvb, 5, 1, pln);
    const op = tvb.u16(6);
    top.add(f.opcode, tvb, 6, 2, op);

    const totLen = 8 + 2 * hln + 2 * pln;
    top.setLen(totLen);
    // tvb_set_reported_length: the ARP datagram is all we own; the rest is the caller's trailer.
    if (totLen > tvb.reportedLength) throw new BoundsError(true);
    const t = tvb.sub(0, totLen);

    switch (op) {
      case 3: case 4: pinfo.setProtocol("RARP"); break;
      case 5: case 6: case 7: pinfo.setProtocol("DRARP"); break;
      case 8: case 9: pinfo.setProtocol("Inverse ARP"); break;
      case 23: pinfo.setProtocol("MAPOS"); break;
      default:
        if (op >= 11 && op <= 22) pinfo.setProtocol("MARS");
    }

    const sha = 8;
    const spa = sha + hln;
    const tha = spa + pln;
    const tpa = tha + hln;
    const hwEther = (hrd === 1 || hrd === 6) && hln === 6;
    const proIpv4 = (pro === 0x0800 || pro === 0xcc) && pln === 4;

    let duplicate = false;
    let duplicateIp = -1;
    if ((op === REPLY || op === REQUEST) && hwEther && proIpv4) {
      const st = pinfo.session.get("arp", () => new ArpState());
      let ip = t.u32(spa);
      let mac = t.bytes(sha, 6);
      if ((mac[0] & 1) === 0 && !allZero(mac) && ip !== 0) {
        const r = checkDuplicate(st, pinfo, tree, t, mac, ip);
        duplicate = r;
        if (r) duplicateIp = ip;
      }
      ip = t.u32(tpa);
      mac = t.bytes(tha, 6);
      if ((mac[0] & 1) === 0 && !allZero(mac) && ip !== 0 && op !== REQUEST && duplicateIp !== ip) {
        const r = checkDuplicate(st, pinfo, tree, t, mac, ip);
        duplicate = r;
        if (r) duplicateIp = ip;
      }
      if (pinfo.num > st.lastFrame) st.lastFrame = pinfo.num;
    }

    let isGratuitous = false;
    let isProbe = false;
    let isAnnouncement = false;
    if ((op === REQUEST || op === REPLY) && pln > 0 && compareAddresses(t.bytes(spa, pln), t.bytes(tpa, pln)) === 0) {
      isGratuitous = true;
      if (op === REQUEST && zero6(t, tha)) isAnnouncement = true;
    } else if (op === REQUEST && zero6(t, tha) && t.u32(spa) === 0) {
      isProbe = true;
    }

    if (pinfo.cols !== null) pinfo.setInfo(infoText(t, op, hrd, pro, hln, pln, sha, spa, tha, tpa, isGratuitous, isProbe, isAnnouncement));

    if (top.tree.full) {
      let opStr = OPCODES[op];
      if (opStr !== undefined) {
        if (isGratuitous && op === REQUEST) opStr = "request/gratuitous ARP";
        if (isGratuitous && op === REPLY) opStr = "reply/gratuitous ARP";
        if (isProbe) opStr = "ARP Probe";
        if (isAnnouncement) opStr = "ARP Announcement";
        top.appendText(` (${opStr})`);
      } else {
        top.appendText(` (opcode 0x${op.toString(16).padStart(4, "0")})`);
      }
    }
    if (isGratuitous) top.addGenerated(f.isGratuitous, t, 0, 0, true);
    if (isProbe) top.addGenerated(f.isProbe, t, 0, 0, true);
    if (isAnnouncement) top.addGenerated(f.isAnnouncement, t, 0, 0, true);
    if (hln !== 0) {
      if (hwEther) top.add(f.srcHwMac, t, sha, hln, t.bytes(sha, hln));
      else top.add(f.srcHw, t, sha, hln, t.bytes(sha, hln));
    }
    if (pln !== 0) {
      if (proIpv4) top.add(f.srcProtoIpv4, t, spa, pln, t.u32(spa));
      else top.add(f.srcProto, t, spa, pln, t.bytes(spa, pln));
    }
    if (hln !== 0) {
      if (hwEther) top.add(f.dstHwMac, t, tha, hln, t.bytes(tha, hln));
      else top.add(f.dstHw, t, tha, hln, t.bytes(tha, hln));
    }
    if (pln !== 0 && op !== DRARP_ERROR) {
      if (proIpv4) top.add(f.dstProtoIpv4, t, tpa, pln, t.u32(tpa));
      else top.add(f.dstProto, t, tpa, pln, t.bytes(tpa, pln));
    } else if (pln !== 0) {
      // FT_UINT16 read from a 1-byte item: the value is that byte.
      top.add(f.drarpErrorStatus, t, tpa, 1, t.u8(tpa));
    }

    if (duplicate && pinfo.cols !== null) pinfo.appendInfo(` (duplicate use of ${ipv4ToString(duplicateIp)} detected!)`);
    return totLen;
  },
});

/** IP → (MAC, last frame, time) bindings, and the duplicates found per (frame, IP). */
class ArpState {
  readonly bindings = new Map<number, Binding>();
  readonly results = new Map<number, Binding>();
  lastFrame = 0;
}

interface Binding {
  mac: Uint8Array;
  frame: number;
  time: number;
}

/** Wireshark's check_for_duplicate_addresses: true when another MAC already claimed `ip`. */
function checkDuplicate(st: ArpState, pinfo: PacketInfo, tree: Item, tvb: Tvb, mac: Uint8Array, ip: number): boolean {
  const num = pinfo.num;
  const key = num * 4294967296 + ip;
  let result: Binding | undefined;
  if (num <= st.lastFrame) {
    // Seen before (a second pass): replay what the first pass found.
    result = st.results.get(key);
  } else {
    const v = st.bindings.get(ip);
    if (v !== undefined) {
      if (num > v.frame) {
        if (compareAddresses(v.mac, mac) === 0) {
          v.frame = num;
          v.time = pinfo.frame.tsSec;
        } else {
          result = { mac: v.mac, frame: v.frame, time: v.time };
          st.results.set(key, result);
        }
      }
    } else {
      st.bindings.set(ip, { mac: mac.slice(), frame: num, time: pinfo.frame.tsSec });
    }
  }
  if (result === undefined) return false;
  const ipStr = ipv4ToString(ip);
  const sub = tree.addText(tvb, 0, 0, `Duplicate IP address detected for ${ipStr} (${etherToString(mac)}) - also in use by ${etherToString(result.mac)} (frame ${result.frame})`);
  if (sub !== sub.tree.sink) sub.generated = true;
  sub
    .addGenerated(arp.f.dupFrame, tvb, 0, 0, result.frame)
    .expert("warn", "sequence", `Duplicate IP address configured (${ipStr})`, "arp", "arp.duplicate-address-detected");
  sub.addGenerated(arp.f.dupSeconds, tvb, 0, 0, (pinfo.frame.tsSec - result.time) >>> 0);
  return true;
}

function infoText(
  t: Tvb, op: number, hrd: number, pro: number, hln: number, pln: number,
  sha: number, spa: number, tha: number, tpa: number,
  isGratuitous: boolean, isProbe: boolean, isAnnouncement: boolean,
): string {
  const P = (o: number) => proAddr(t, o, pln, pro);
  const H = (o: number) => hwAddr(t, o, hln, hrd);
  switch (op) {
    case REQUEST:
      if (isGratuitous) return isAnnouncement ? `ARP Announcement for ${P(tpa)}` : `Gratuitous ARP for ${P(tpa)} (Request)`;
      if (isProbe) return `Who has ${P(tpa)}? (ARP Probe)`;
      return `Who has ${P(tpa)}? Tell ${P(spa)}`;
    case REPLY:
      return isGratuitous ? `Gratuitous ARP for ${P(spa)} (Reply)` : `${P(spa)} is at ${H(sha)}`;
    case 3: case 8: case 5:
      return `Who is ${H(tha)}? Tell ${H(sha)}`;
    case 4: case 6:
      return `${H(tha)} is at ${P(tpa)}`;
    case DRARP_ERROR:
      return "DRARP Error";
    case 9:
      return `${H(sha)} is at ${P(spa)}`;
    case 10:
      return "ARP NAK";
    case 24:
      return `Experimental 1 ( opcode ${op} )`;
    case 25:
      return `Experimental 2 ( opcode ${op} )`;
    case 0: case 65535:
      return `Reserved opcode ${op}`;
  }
  const m = MARS_INFO[op];
  if (m !== undefined) return `${m} from ${H(sha)} at ${P(spa)}`;
  return `Unknown ARP opcode 0x${op.toString(16).padStart(4, "0")}`;
}

function hwAddr(t: Tvb, o: number, len: number, hrd: number): string {
  if (len === 0) return "<No address>";
  const b = t.bytes(o, len);
  return (hrd === 1 || hrd === 6) && len === 6 ? etherToString(b) : bytesToHex(b);
}

function proAddr(t: Tvb, o: number, len: number, pro: number): string {
  if (len === 0) return "<No address>";
  const b = t.bytes(o, len);
  if ((pro === 0x0800 || pro === 0xcc) && len === 4) return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
  return bytesToHex(b);
}

function allZero(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}

function zero6(t: Tvb, o: number): boolean {
  // tvb_memeql: false (no exception) when the 6 bytes are not all there.
  return t.has(o, 6) && allZero(t.bytes(o, 6));
}
