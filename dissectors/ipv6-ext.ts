/**
 * The IPv6 extension headers (tshark 4.0 packet-ipv6.c): hop-by-hop and destination
 * options (with the option dissectors), routing types 0/2/3/4 and the fragment header
 * with reassembly through src/analysis/defrag.ts. Each is a protocol of its own
 * (ipv6.hopopts, ipv6.dstopts, ipv6.routing, ipv6.fraghdr) registered in "ip.proto";
 * their fields are registered by ipv6 (dissectors/ipv6.ts), whose tree they show in.
 */
import { DefragTable, noteReassembled, reassembledInAhead, showReassembly, type FragmentFields } from "../src/analysis/defrag.js";
import { hex, ipv6ToString } from "../src/core/format.js";
import type { PacketInfo } from "../src/core/pinfo.js";
import { callData, defineProtocol } from "../src/core/proto.js";
import type { Item } from "../src/core/tree.js";
import type { Tvb } from "../src/core/tvb.js";
import { IPV6_OPT_TYPES, ROUTING_TYPES, ctxOf, dissectNext, extInfo, growIpv6Item, ipv6, type Ipv6Info } from "./ipv6.js";

const f = ipv6.f;
const IPV6_FRAGMENT_FIELDS: FragmentFields = {
  fragments: f.fragments, fragment: f.fragment, overlap: f.fragmentOverlap, overlapConflict: f.fragmentOverlapConflict,
  multipleTails: f.fragmentMultipleTails, tooLong: f.fragmentTooLong, error: f.fragmentError, count: f.fragmentCount,
  reassembledIn: f.reassembledIn, reassembledLength: f.reassembledLength, reassembledData: f.reassembledData,
};

class Ipv6State {
  readonly defrag = new DefragTable();
}

// ------------------------------------------------------------- options --

/**
 * The options of a hop-by-hop or destination options header, as tshark 4.0's dissect_opts:
 * an option's dissector may read less than its length (the rest is "Unknown Data") or
 * more (the next option starts where it stopped); the length byte is read before the
 * Pad1 check, so a Pad1 in the last byte runs off the end.
 */
function dissectOpts(tvb: Tvb, o: number, end: number, t: Item, pinfo: PacketInfo, info: Ipv6Info, hop: boolean): void {
  const full = t.tree.full;
  while (o < end) {
    const type = tvb.u8(o);
    const name = IPV6_OPT_TYPES[type] ?? `Unknown IPv6 Option (${type})`;
    if (type === 0) {
      // tshark reads a length byte after Pad1 too (past the packet's end: malformed), and its
      // item is as long as that says, up to the bytes there are (only -T pdml and -T json -x
      // show the length)
      const it = t.add(f.opt, tvb, o, Math.min(tvb.u8(o + 1) + 2, tvb.length - o), null);
      if (full) it.setText("Pad1");
      it.add(f.optType, tvb, o, 1, type);
      it.add(f.optPad1, tvb, o, 1, null);
      o += 1;
      continue;
    }
    const len = tvb.u8(o + 1);
    const it = t.add(f.opt, tvb, o, len + 2, null);
    if (full) it.setText(name);
    optType(it, tvb, o, type, hop);
    const li = it.add(f.optLength, tvb, o + 1, 1, len);
    const d = o + 2;
    if (type === 1) {
      it.add(f.optPadn, tvb, d, len, tvb.bytes(d, len), len === 0 ? "<none>" : undefined);
      o = d + len;
      continue;
    }
    let at = d; // where this option's dissector stopped
    switch (type) {
      case 5:
        if (len !== 2) li.expert("error", "malformed", `Router alert: Invalid Length (${len} bytes)`, "ipv6", "ipv6.opt.invalid_len");
        it.add(f.optRouterAlert, tvb, d, 2, tvb.u16(d));
        at = d + 2;
        break;
      case 0xc2: {
        if (len !== 4) li.expert("error", "malformed", `Jumbo Payload: Invalid length (${len} bytes)`, "ipv6", "ipv6.opt.invalid_len");
        const j = tvb.u32(d);
        const ji = it.add(f.optJumbo, tvb, d, 4, j);
        at = d + 4;
        if (info.plen !== 0) it.expert("warn", "protocol", "When IPv6 payload length does not equal 0 a Jumbo Payload option must not be present", "ipv6", "ipv6.opt.jumbo.prohibited");
        if (j < 65536) ji.expert("warn", "protocol", "Jumbo Payload option present and jumbo length < 65536", "ipv6", "ipv6.opt.jumbo.truncated");
        break;
      }
      case 4:
        if (len !== 1) li.expert("error", "malformed", `Tunnel Encapsulation Limit: Invalid length (${len} bytes)`, "ipv6", "ipv6.opt.invalid_len");
        it.add(f.optTel, tvb, d, 1, tvb.u8(d));
        at = d + 1;
        break;
      case 0x63: {
        if (len < 4) li.expert("error", "malformed", `RPL Option: Invalid length (${len} bytes)`, "ipv6", "ipv6.opt.invalid_len");
        it.addBitmask(f.optRplFlag, tvb, d, 1, tvb.u8(d), [f.optRplFlagO, f.optRplFlagR, f.optRplFlagF, f.optRplFlagRsv]);
        it.add(f.optRplInstance, tvb, d + 1, 1, tvb.u8(d + 1));
        it.add(f.optRplRank, tvb, d + 2, 2, tvb.u16(d + 2));
        at = d + 4;
        break;
      }
      case 0x1e: case 0x3e: case 0x5e: case 0x7e: case 0x9e: case 0xbe: case 0xde: case 0xfe:
        it.add(f.optExperimental, tvb, d, len, tvb.bytes(d, len));
        at = d + len;
        break;
      case 0x30: {
        if (len !== 4) li.expert("error", "malformed", `PMTU Option: Invalid Length (${len} bytes)`, "ipv6", "ipv6.opt.invalid_len");
        it.add(f.pmtuMin, tvb, d, 2, tvb.u16(d));
        const r = tvb.u16(d + 2);
        it.add(f.pmtuRtn, tvb, d + 2, 2, r & 0xfffe);
        // (over the second byte alone, as tshark places it)
        it.add(f.pmtuRFlag, tvb, d + 3, 1, (r & 1) !== 0);
        at = d + 4;
        break;
      }
      case 7: {
        if (len < 8) li.expert("error", "malformed", `CALIPSO: Invalid Length (${len} bytes)`, "ipv6", "ipv6.opt.invalid_len");
        it.add(f.calipsoDoi, tvb, d, 4, tvb.u32(d));
        const cl = tvb.u8(d + 4);
        it.add(f.calipsoCmptLen, tvb, d + 4, 1, cl);
        it.add(f.calipsoSensLevel, tvb, d + 5, 1, tvb.u8(d + 5));
        it.add(f.calipsoChecksum, tvb, d + 6, 2, tvb.u16(d + 6));
        it.add(f.calipsoBitmap, tvb, d + 8, cl * 4, tvb.bytes(d + 8, cl * 4));
        at = d + 8 + cl * 4;
        break;
      }
      default:
        // an empty payload is shown too ("<MISSING>", as any empty bytes value)
        it.add(f.optUnknown, tvb, d, len, tvb.bytes(d, len))
          .expert("note", "undecoded", "Unknown Data (not interpreted)", "ipv6", "ipv6.opt.unknown_data.expert");
        at = d + len;
    }
    if (at < d + len) {
      // (tshark's item ends where the option's fields did until the rest is read: past the
      // captured bytes, it stays there)
      it.setLen(at - o);
      it.add(f.optUnknownData, tvb, at, d + len - at, tvb.bytes(at, d + len - at))
        .expert("note", "undecoded", "Unknown Data (not interpreted)", "ipv6", "ipv6.opt.unknown_data.expert");
      at = d + len;
      it.setLen(at - o);
    }
    o = at;
  }
  void pinfo;
}

/** The option's type item and its bit fields (an option in the wrong kind of header is noted first). */
function optType(t: Item, tvb: Tvb, o: number, type: number, hop: boolean): void {
  const ti = t.add(f.optType, tvb, o, 1, type, IPV6_OPT_TYPES[type] === undefined && t.tree.full ? `Unknown (0x${hex(type, 2)})` : undefined);
  // options in the wrong kind of header are noted on their type
  if (type === 4 && hop) ti.expert("warn", "protocol", "Tunnel Encapsulation Limit must use a destination options header", "ipv6", "ipv6.opt.header_mismatch");
  if (type === 0xc2 && !hop) ti.expert("warn", "protocol", "Jumbo Payload must use a hop-by-hop options header", "ipv6", "ipv6.opt.header_mismatch");
  ti.add(f.optTypeAction, tvb, o, 1, type >> 6);
  ti.add(f.optTypeChange, tvb, o, 1, (type & 0x20) !== 0);
  ti.add(f.optTypeRest, tvb, o, 1, type & 0x1f);
}

function dissectOptHeader(hop: boolean) {
  return (tvb: Tvb, pinfo: PacketInfo, tree: Item, data?: unknown): number => {
    const info = ctxOf(data, tree, pinfo);
    const p = hop ? hopopts : dstopts;
    extInfo(pinfo, hop ? "IPv6 hop-by-hop options" : "IPv6 destination options");
    const nxt = tvb.u8(0);
    const t = tree.add(p.hf, tvb, 0, tvb.length, null);
    t.add(hop ? f.hopoptsNxt : f.dstoptsNxt, tvb, 0, 1, nxt);
    const len = tvb.u8(1);
    const total = (len + 1) * 8;
    t.setLen(total);
    t.add(hop ? f.hopoptsLen : f.dstoptsLen, tvb, 1, 1, len);
    t.addGenerated(hop ? f.hopoptsLenOct : f.dstoptsLenOct, tvb, 1, 1, total, `${total} bytes`);
    dissectOpts(tvb, 2, total, t, pinfo, info, hop);
    // (once the header is read whole: a header that throws leaves the IPv6 item as it was)
    growIpv6Item(info, total);
    dissectNext(nxt, tvb.sub(total), pinfo, info);
    return tvb.length;
  };
}

export const hopopts = defineProtocol({
  name: "IPv6 Hop-by-Hop Option",
  abbrev: "ipv6.hopopts",
  short: "IPv6 Hop-by-Hop",
  fields: {},
  registers: [["ip.proto", 0]],
  dissect: dissectOptHeader(true),
});

export const dstopts = defineProtocol({
  name: "Destination Options for IPv6",
  abbrev: "ipv6.dstopts",
  short: "IPv6 Destination",
  fields: {},
  registers: [["ip.proto", 60]],
  dissect: dissectOptHeader(false),
});

// ------------------------------------------------------------- routing --

export const routing = defineProtocol({
  name: "Routing Header for IPv6",
  abbrev: "ipv6.routing",
  short: "IPv6 Routing",
  fields: {
    // expert infos (tshark registers them with ipv6.routing)
    eInvalidLength: { abbrev: "ipv6.routing.invalid_length", name: "Invalid IPv6 Routing header length", type: "none" },
    eInvalidSegleft: { abbrev: "ipv6.routing.invalid_segleft", name: "IPv6 Routing Header segments left field must not exceed address count", type: "none" },
    eDeprecated: { abbrev: "ipv6.routing.deprecated", name: "Routing header type is deprecated", type: "none" },
  },
  registers: [["ip.proto", 43]],
  dissect(tvb, pinfo, tree, data) {
    const info = ctxOf(data, tree, pinfo);
    extInfo(pinfo, "IPv6 routing");
    const nxt = tvb.u8(0);
    const t = tree.add(routing.hf, tvb, 0, tvb.length, null);
    t.add(f.routingNxt, tvb, 0, 1, nxt);
    const len = tvb.u8(1);
    const total = (len + 1) * 8;
    t.setLen(total);
    const lenItem = t.add(f.routingLen, tvb, 1, 1, len);
    const type = tvb.u8(2);
    const segleft = tvb.u8(3);
    if (t.tree.full) t.appendText(` (${ROUTING_TYPES[type] ?? "Unknown"})`);
    t.addGenerated(f.routingLenOct, tvb, 1, 1, total, `${total} bytes`);
    const ti = t.add(f.routingType, tvb, 2, 1, type);
    const segItem = t.add(f.routingSegleft, tvb, 3, 1, segleft);
    const full = t.tree.full;
    if (type === 0) {
      t.add(f.routingSrcReserved, tvb, 4, 4, tvb.bytes(4, 4));
      const n = len >> 1;
      for (let i = 0; i < n; i++) {
        const a = tvb.bytes(8 + i * 16, 16);
        const it = t.add(f.routingSrcAddr, tvb, 8 + i * 16, 16, a);
        if (full) it.setText(`Address[${i + 1}]: ${ipv6ToString(a)}`);
        if (i === n - 1 && segleft > 0) info.pseudoDst = a;
      }
      // noted once the header was read to its end (a cut-short header gets none of these)
      if (len % 2 !== 0) lenItem.expert("error", "malformed", "IPv6 Routing Header extension header length must not be odd", "ipv6", "ipv6.routing.invalid_length");
      if (segleft > n) segItem.expert("warn", "protocol", `IPv6 Type 0 Routing Header segments left field must not exceed address count (${n})`, "ipv6", "ipv6.routing.invalid_segleft");
      ti.expert("note", "deprecated", "Routing header type is deprecated", "ipv6", "ipv6.routing.deprecated");
    } else if (type === 2) {
      t.add(f.routingMipv6Reserved, tvb, 4, 4, tvb.bytes(4, 4));
      const home = tvb.bytes(8, 16);
      t.add(f.routingMipv6Home, tvb, 8, 16, home);
      if (segleft > 0) info.pseudoDst = home;
    } else if (type === 4) {
      const last = tvb.u8(4);
      t.add(f.srhLastEntry, tvb, 4, 1, last);
      t.add(f.srhFlags, tvb, 5, 1, tvb.u8(5));
      t.add(f.srhTag, tvb, 6, 2, tvb.bytes(6, 2));
      let o = 8;
      for (let i = 0; i <= last && o + 16 <= total; i++, o += 16) {
        const a = tvb.bytes(o, 16);
        const it = t.add(f.srhAddr, tvb, o, 16, a);
        if (full) it.setText(`Address[${i}]: ${ipv6ToString(a)}`);
        if (i === 0 && segleft > 0) info.pseudoDst = a;
      }
      // (the TLVs after the segments are not shown, but tshark reads them: a header cut short
      // there ends its dissection, and the IPv6 item does not grow over it)
      tvb.ensure(o, total - o);
    } else if (total > 4) {
      t.add(f.routingUnknown, tvb, 4, total - 4, tvb.bytes(4, total - 4));
    }
    // with segments left, the packet is on its way to the routing header's final address: tshark
    // shows that as the destination and keys conversations (tcp.stream, udp.stream) on it
    if (info.pseudoDst !== null && segleft > 0) {
      pinfo.netDst = info.pseudoDst;
      if (pinfo.cols !== null) pinfo.cols.dst = ipv6ToString(info.pseudoDst);
    }
    growIpv6Item(info, total);
    dissectNext(nxt, tvb.sub(total), pinfo, info);
    return tvb.length;
  },
});

// ------------------------------------------------------------ fragment --

export const fraghdr = defineProtocol({
  name: "Fragment Header for IPv6",
  abbrev: "ipv6.fraghdr",
  short: "IPv6 Fragment",
  fields: {},
  registers: [["ip.proto", 44]],
  dissect(tvb, pinfo, tree, data) {
    const info = ctxOf(data, tree, pinfo);
    tvb.ensure(0, 8);
    const nxt = tvb.u8(0);
    const t = tree.add(fraghdr.hf, tvb, 0, 8, null);
    const full = t.tree.full;
    t.add(f.fraghdrNxt, tvb, 0, 1, nxt);
    t.add(f.fraghdrReservedOctet, tvb, 1, 1, tvb.u8(1));
    const w = tvb.u16(2);
    const off = w >> 3;
    const more = (w & 1) !== 0;
    t.add(f.fraghdrOffset, tvb, 2, 2, off, full ? `${off} (${off * 8} bytes)` : undefined);
    t.add(f.fraghdrReservedBits, tvb, 2, 2, (w >> 1) & 3);
    t.add(f.fraghdrMore, tvb, 2, 2, more);
    const ident = tvb.u32(4);
    t.add(f.fraghdrIdent, tvb, 4, 4, ident);

    const payload = tvb.sub(8);
    const s = pinfo.session;
    let next: Tvb | null = null;
    if (off !== 0 || more) {
      const n = payload.reportedLength;
      if (s.pref("ipv6.defragment", true) && payload.has(0, n)) {
        const st = s.get("ipv6", () => new Ipv6State());
        const key = `${ipv6ToString(info.src)}|${ipv6ToString(info.dst)}|${ident}`;
        const r = st.defrag.add(key, pinfo.num, off * 8, payload.bytes(0, n), more);
        if (r !== null) {
          noteReassembled(pinfo, "ipv6.reassembled_in", r);
          next = showReassembly(r, "IPv6", IPV6_FRAGMENT_FIELDS, pinfo, info.ipTree).tvb;
        } else if (s.secondPass) reassembledInAhead(pinfo, "ipv6.reassembled_in", IPV6_FRAGMENT_FIELDS.reassembledIn, info.ipTree, tvb);
      } else if (off === 0) {
        next = payload;
        pinfo.fragmented = true;
      }
    } else {
      next = payload; // atomic fragment
    }
    if (next === null) {
      if (pinfo.cols !== null)
        pinfo.setInfo(`IPv6 fragment (off=${off * 8} more=${more ? "y" : "n"} ident=0x${hex(ident, 8)} nxt=${nxt})`);
      if (payload.length > 0) callData(payload, pinfo, info.root);
      return tvb.length;
    }
    // (only a fragment header whose datagram goes on lengthens the IPv6 item, as in tshark)
    growIpv6Item(info, 8);
    dissectNext(nxt, next, pinfo, info);
    return tvb.length;
  },
});
