/**
 * ICMPv6 neighbour discovery options (tshark 4.0 packet-icmpv6.c, dissect_icmpv6_nd_opt):
 * the option type names, the option fields (registered by icmpv6, spread into its field
 * list at their place) and the option dissector for RS/RA/NS/NA/redirect. The registered
 * fields come from bindNdOptionFields(), so this file does not import icmpv6.ts.
 */
import type { Field, FieldSpec } from "../src/core/field.js";
import { etherToString, hex, ipv6ToString } from "../src/core/format.js";
import { readName } from "./dns-rr-names.js";
import type { PacketInfo } from "../src/core/pinfo.js";
import type { Item } from "../src/core/tree.js";
import type { Tvb } from "../src/core/tvb.js";

export const ICMPV6_OPT_TYPES: Record<number, string> = {
  1: "Source link-layer address", 2: "Target link-layer address", 3: "Prefix information", 4: "Redirected header",
  5: "MTU", 6: "NBMA Shortcut Limit Option", 7: "Advertisement Interval", 8: "Home Agent Information",
  9: "Source Address List", 10: "Target Address List", 11: "CGA", 12: "RSA Signature", 13: "Timestamp",
  14: "Nonce", 15: "Trust Anchor", 16: "Certificate", 17: "IP Address/Prefix Option",
  18: "New Router Prefix Information", 19: "Link-layer Address", 20: "Neighbor Advertisement Acknowledgment",
  21: "PvD ID Router Advertisement", 23: "MAP", 24: "Route Information", 25: "Recursive DNS Server",
  26: "RA Flags Extension", 27: "Handover Key Request", 28: "Handover Key Reply",
  29: "Handover Assist Information", 30: "Mobile Node Identifier Option", 31: "DNS Search List Option",
  32: "Proxy Signature (PS)", 33: "Address Registration Option", 34: "6LoWPAN Context Option",
  35: "Authoritative Border Router", 36: "6LoWPAN Capability Indication Option (6CIO)", 37: "DHCP Captive-Portal",
  38: "PREF64 Option", 138: "CARD Request option", 139: "CARD Reply option", 253: "RFC3692-style Experiment 1",
  254: "RFC3692-style Experiment 2",
};

/** Default router / route preference (RA flags and the route information option). */
export const PRF: Record<number, string> = { 0: "Medium", 1: "High", 2: "Reserved", 3: "Low" };

/** PREF64 prefix length codes (RFC 8781): code → prefix bytes, and the names tshark shows. */
const PREF64_BYTES = [12, 8, 7, 6, 5, 4];
const PREF64_PLC: Record<number, string> = Object.fromEntries(PREF64_BYTES.map((n, i) => [i, `${n * 8} bits prefix length`]));

/** The ND option fields, in registration order (spread into the icmpv6 field list). */
export const ND_OPTION_FIELDS = {
  opt: { abbrev: "icmpv6.opt", name: "ICMPv6 Option", type: "none" },
  optType: { abbrev: "icmpv6.opt.type", name: "Type", type: "uint8", strings: ICMPV6_OPT_TYPES },
  optLength: { abbrev: "icmpv6.opt.length", name: "Length", type: "uint8" },
  optLinkaddr: { abbrev: "icmpv6.opt.linkaddr", name: "Link-layer address", type: "bytes", sep: ":" },
  optSrcLinkaddr: { abbrev: "icmpv6.opt.src_linkaddr", name: "Source Link-layer address", type: "bytes", sep: ":" },
  optTargetLinkaddr: { abbrev: "icmpv6.opt.target_linkaddr", name: "Target Link-layer address", type: "bytes", sep: ":" },
  // (a 6-byte address: Wireshark registers the same names again as FT_ETHER fields)
  optLinkaddrMac: { abbrev: "icmpv6.opt.linkaddr", name: "Link-layer address", type: "bytes", sep: ":", ftName: "FT_ETHER" },
  optSrcLinkaddrMac: { abbrev: "icmpv6.opt.src_linkaddr", name: "Source Link-layer address", type: "bytes", sep: ":", ftName: "FT_ETHER" },
  optTargetLinkaddrMac: { abbrev: "icmpv6.opt.target_linkaddr", name: "Target Link-layer address", type: "bytes", sep: ":", ftName: "FT_ETHER" },
  optPrefixLength: { abbrev: "icmpv6.opt.prefix.length", name: "Prefix Length", type: "uint8" },
  optPrefixFlag: { abbrev: "icmpv6.opt.prefix.flag", name: "Flag", type: "uint8", base: "hex" },
  optPrefixFlagL: { abbrev: "icmpv6.opt.prefix.flag.l", name: "On-link flag(L)", type: "bool", bitmask: 0x80, bits: 8 },
  optPrefixFlagA: { abbrev: "icmpv6.opt.prefix.flag.a", name: "Autonomous address-configuration flag(A)", type: "bool", bitmask: 0x40, bits: 8 },
  optPrefixFlagR: { abbrev: "icmpv6.opt.prefix.flag.r", name: "Router address flag(R)", type: "bool", bitmask: 0x20, bits: 8 },
  optPrefixFlagRsv: { abbrev: "icmpv6.opt.prefix.flag.reserved", name: "Reserved", type: "uint8", bitmask: 0x1f, bits: 8 },
  optPrefixValid: { abbrev: "icmpv6.opt.prefix.valid_lifetime", name: "Valid Lifetime", type: "uint32" },
  optPrefixPreferred: { abbrev: "icmpv6.opt.prefix.preferred_lifetime", name: "Preferred Lifetime", type: "uint32" },
  optPrefix: { abbrev: "icmpv6.opt.prefix", name: "Prefix", type: "ipv6" },
  optRouteInfoFlag: { abbrev: "icmpv6.opt.route_info.flag", name: "Flag", type: "uint8", base: "hex" },
  optRouteInfoPref: { abbrev: "icmpv6.opt.route_info.flag.route_preference", name: "Route Preference", type: "uint8", bitmask: 0x18, bits: 8, strings: PRF },
  optRouteInfoRsv: { abbrev: "icmpv6.opt.route_info.flag.reserved", name: "Reserved", type: "uint8", bitmask: 0xe7, bits: 8 },
  optRouteLifetime: { abbrev: "icmpv6.opt.route_lifetime", name: "Route Lifetime", type: "uint32" },
  optMtu: { abbrev: "icmpv6.opt.mtu", name: "MTU", type: "uint32" },
  optNonce: { abbrev: "icmpv6.opt.nonce", name: "Nonce", type: "bytes" },
  optRdnssLifetime: { abbrev: "icmpv6.opt.rdnss.lifetime", name: "Lifetime", type: "uint32" },
  optRdnss: { abbrev: "icmpv6.opt.rdnss", name: "Recursive DNS Servers", type: "ipv6" },
  optReserved: { abbrev: "icmpv6.opt.reserved", name: "Reserved", type: "none" },
  optPadding: { abbrev: "icmpv6.opt.padding", name: "Padding", type: "none" },
  optAdvInterval: { abbrev: "icmpv6.opt.advertisement_interval", name: "Advertisement Interval", type: "uint32" },
  optHaPreference: { abbrev: "icmpv6.opt.home_agent_preference", name: "Home Agent Preference", type: "uint16" },
  // (tshark 4.0 names the lifetime "Home Agent Preference" too)
  optHaLifetime: { abbrev: "icmpv6.opt.home_agent_lifetime", name: "Home Agent Preference", type: "uint16" },
  optDnsslLifetime: { abbrev: "icmpv6.opt.dnssl.lifetime", name: "Lifetime", type: "uint32" },
  optDnssl: { abbrev: "icmpv6.opt.dnssl", name: "Domain Names", type: "string" },
  optPref64Lifetime: { abbrev: "icmpv6.opt.pref64.scaled_lifetime", name: "Scaled Lifetime", type: "uint16", bitmask: 0xfff8, bits: 16 },
  optPref64Plc: { abbrev: "icmpv6.opt.pref64.plc", name: "PLC (Prefix Length Code)", type: "uint16", base: "hex", bitmask: 0x0007, bits: 16, strings: PREF64_PLC },
  optPref64Prefix: { abbrev: "icmpv6.opt.pref64.prefix", name: "Prefix", type: "ipv6" },
} satisfies Record<string, FieldSpec>;

/** The registered ND option fields (a part of icmpv6.f). */
export type NdOptionFields = { [K in keyof typeof ND_OPTION_FIELDS]: Field };

/** The registered ND option fields; set by bindNdOptionFields() when icmpv6.ts loads. */
let f: NdOptionFields;

/** Called once by dissectors/icmpv6.ts right after defineProtocol. */
export function bindNdOptionFields(fields: NdOptionFields): void {
  f = fields;
}

/** An FT_NONE "Reserved" item (bounds-checked as tshark's proto_tree_add_item is). */
function reserved(it: Item, tvb: Tvb, o: number, n: number): void {
  tvb.ensure(o, n);
  it.add(f.optReserved, tvb, o, n, null);
}

/** An IPv6 prefix of `n` bytes at `o`, zero-filled to 16 (proto_tree_add_ipv6 over a short prefix). */
function shortPrefix(tvb: Tvb, o: number, n: number): Uint8Array {
  const p = new Uint8Array(16);
  p.set(tvb.bytes(o, n));
  return p;
}

/** Neighbour discovery options from `o` to the end. */
export function dissectNdOptions(tvb: Tvb, o: number, pinfo: PacketInfo, t: Item): void {
  const full = t.tree.full;
  while (tvb.reportedRemainingFrom(o) > 0) {
    const type = tvb.u8(o);
    const l8 = tvb.u8(o + 1);
    const olen = l8 * 8;
    const it = t.add(f.opt, tvb, o, Math.max(olen, 2), null);
    const name = ICMPV6_OPT_TYPES[type] ?? "Unknown";
    it.add(f.optType, tvb, o, 1, type);
    const li = it.add(f.optLength, tvb, o + 1, 1, l8, `${l8} (${olen} bytes)`);
    if (olen === 0) {
      li.expert("error", "malformed", "Invalid option length (Zero)", "icmpv6", "icmpv6.invalid_option_length");
      if (full) it.setText(`ICMPv6 Option (${name})`);
      return;
    }
    const d = o + 2;
    let label = name;
    switch (type) {
      case 1: case 2: {
        const n = olen - 2;
        const a = tvb.bytes(d, n);
        const mac = n === 6;
        it.add(mac ? f.optLinkaddrMac : f.optLinkaddr, tvb, d, n, a);
        it.add(type === 1 ? (mac ? f.optSrcLinkaddrMac : f.optSrcLinkaddr) : mac ? f.optTargetLinkaddrMac : f.optTargetLinkaddr, tvb, d, n, a).hidden = true;
        const s = n === 6 ? etherToString(a) : Array.from(a, (b) => hex(b, 2)).join(":");
        label += ` : ${s}`;
        if (pinfo.cols !== null && n === 6) {
          const ty = tvb.u8(0);
          if (type === 1 && (ty === 133 || ty === 134 || ty === 135)) pinfo.appendInfo(` from ${s}`);
          if (type === 2 && ty === 136) pinfo.appendInfo(` is at ${s}`);
        }
        break;
      }
      case 3: {
        const pl = tvb.u8(d);
        it.add(f.optPrefixLength, tvb, d, 1, pl);
        it.addBitmask(f.optPrefixFlag, tvb, d + 1, 1, tvb.u8(d + 1), [f.optPrefixFlagL, f.optPrefixFlagA, f.optPrefixFlagR, f.optPrefixFlagRsv]);
        it.add(f.optPrefixValid, tvb, d + 2, 4, tvb.u32(d + 2));
        it.add(f.optPrefixPreferred, tvb, d + 6, 4, tvb.u32(d + 6));
        reserved(it, tvb, d + 10, 4);
        const p = tvb.bytes(d + 14, 16);
        it.add(f.optPrefix, tvb, d + 14, 16, p);
        label += ` : ${ipv6ToString(p)}/${pl}`;
        break;
      }
      case 5: case 7: { // MTU, advertisement interval: reserved, then a 32-bit value
        reserved(it, tvb, d, 2);
        const v = tvb.u32(d + 2);
        it.add(type === 5 ? f.optMtu : f.optAdvInterval, tvb, d + 2, 4, v);
        label += ` : ${v}`;
        break;
      }
      case 24: {
        const pl = tvb.u8(d);
        it.add(f.optPrefixLength, tvb, d, 1, pl);
        const fl = tvb.u8(d + 1);
        it.addBitmask(f.optRouteInfoFlag, tvb, d + 1, 1, fl, [f.optRouteInfoPref, f.optRouteInfoRsv]);
        label += ` : ${PRF[(fl >> 3) & 3]}`;
        it.add(f.optRouteLifetime, tvb, d + 2, 4, tvb.u32(d + 2));
        // the prefix: none, 8 or 16 bytes as the option's length says; any other length is invalid
        if (olen === 8) label += ` ::/${pl}`;
        else if (olen === 16 || olen === 24) {
          const n = olen === 16 ? 8 : 16;
          const p = shortPrefix(tvb, d + 6, n);
          it.add(f.optPrefix, tvb, d + 6, n, p);
          label += ` ${ipv6ToString(p)}/${pl}`;
        } else li.expert("error", "malformed", "Invalid Option Length", "icmpv6", "icmpv6.invalid_option_length");
        break;
      }
      case 8:
        reserved(it, tvb, d, 2);
        it.add(f.optHaPreference, tvb, d + 2, 2, tvb.u16(d + 2));
        it.add(f.optHaLifetime, tvb, d + 4, 2, tvb.u16(d + 4));
        break;
      case 31: {
        reserved(it, tvb, d, 2);
        it.add(f.optDnsslLifetime, tvb, d + 2, 4, tvb.u32(d + 2));
        // names up to the option's end; a zero byte starts the padding
        for (let a = d + 6; a < o + olen; ) {
          if (tvb.u8(a) === 0) {
            const pad = o + olen - a;
            tvb.ensure(a, pad);
            it.add(f.optPadding, tvb, a, pad, null);
            break;
          }
          const n = readName(tvb, a, a);
          it.add(f.optDnssl, tvb, a, n.used, n.text);
          label += ` ${n.raw.slice(0, n.len)}`;
          a += n.used;
        }
        break;
      }
      case 38: {
        const v = tvb.u16(d);
        it.add(f.optPref64Lifetime, tvb, d, 2, v >> 3);
        const plc = v & 7;
        it.add(f.optPref64Plc, tvb, d, 2, plc);
        if (plc < PREF64_BYTES.length) {
          const n = PREF64_BYTES[plc];
          it.add(f.optPref64Prefix, tvb, d + 2, n, shortPrefix(tvb, d + 2, n));
        } else li.expert("error", "malformed", "Invalid Option Length", "icmpv6", "icmpv6.invalid_option_length");
        break;
      }
      case 14:
        it.add(f.optNonce, tvb, d, olen - 2, tvb.bytes(d, olen - 2));
        break;
      case 25: {
        reserved(it, tvb, d, 2);
        it.add(f.optRdnssLifetime, tvb, d + 2, 4, tvb.u32(d + 2));
        for (let a = d + 6; a + 16 <= o + olen; a += 16) {
          const s = tvb.bytes(a, 16);
          it.add(f.optRdnss, tvb, a, 16, s);
          label += ` ${ipv6ToString(s)}`;
        }
        break;
      }
    }
    if (full) it.setText(`ICMPv6 Option (${label})`);
    o += olen;
  }
}
