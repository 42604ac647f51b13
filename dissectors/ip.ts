/**
 * Internet Protocol Version 4 (tshark 4.0 packet-ip.c): header, options, fragment
 * reassembly (src/analysis/defrag.ts), hand-off of the payload through "ip.proto".
 * The field list and value tables are in ip-fields.ts, the options in ip-options.ts.
 */
import { DefragTable, noteReassembled, reassembledInAhead, showReassembly, type FragmentFields } from "../src/analysis/defrag.js";
import { hex, ipv4ToString } from "../src/core/format.js";
import type { PacketInfo } from "../src/core/pinfo.js";
import { callData, callTable, defineProtocol, lookupTable, tryHeuristics } from "../src/core/proto.js";
import type { Item } from "../src/core/tree.js";
import type { Tvb } from "../src/core/tvb.js";
import { ECN_SHORT, IPPROTO, IP_FIELDS, dscpShort } from "./ip-fields.js";
import { addDst, bindIpOptionFields, dissectOptions, routeDstOffset } from "./ip-options.js";

export { DSCP_NAMES, ECN_NAMES, ECN_SHORT, IPPROTO, dscpShort } from "./ip-fields.js";

export const ip = defineProtocol({
  name: "Internet Protocol Version 4",
  abbrev: "ip",
  short: "IPv4",
  fields: IP_FIELDS,
  registers: [
    ["ethertype", 0x0800],
    ["ip.proto", 4],
    ["llc.dsap", 0x06],
  ],
  dissect: dissectIp,
});

const f = ip.f;
bindIpOptionFields(f);
export const IP_FRAGMENT_FIELDS: FragmentFields = {
  fragments: f.fragments, fragment: f.fragment, overlap: f.fragmentOverlap, overlapConflict: f.fragmentOverlapConflict,
  multipleTails: f.fragmentMultipleTails, tooLong: f.fragmentTooLong, error: f.fragmentError, count: f.fragmentCount,
  reassembledIn: f.reassembledIn, reassembledLength: f.reassembledLength, reassembledData: f.reassembledData,
};

/** What ip/ipv6 hand to the protocol in their payload (the `data` argument), like Wireshark's ws_ip4/ws_ip6. */
export interface IpHeaderInfo {
  version: 4 | 6;
  /** TTL / hop limit. */
  ttl: number;
  /** Protocol / final next header. */
  nxt: number;
  /** Length of the payload handed on (total length minus headers). */
  payloadLen: number;
}


/** "0101" for a nibble. */
function bits4(n: number): string {
  return ((n & 15) | 16).toString(2).slice(1);
}

/** RFC 1071 one's-complement sum over [o, o+n) of a tvb (n even or odd). */
export function onesSum(tvb: Tvb, o: number, n: number, init = 0): number {
  const b = tvb.bytes(o, n);
  let s = init;
  const even = n & ~1;
  for (let i = 0; i < even; i += 2) s += (b[i] << 8) | b[i + 1];
  if (n & 1) s += b[n - 1] << 8;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

/** Wireshark's in_cksum_shouldbe: the checksum the field should have held. */
export function cksumShouldBe(sum: number, computed: number): number {
  let s = sum + computed;
  s = (s & 0xffff) + (s >>> 16);
  s = (s & 0xffff) + (s >>> 16);
  return s & 0xffff;
}

class IpState {
  readonly defrag = new DefragTable();
}

function ipProtoName(p: number): string {
  return IPPROTO[p] ?? "Unknown";
}

function flagsText(v: number): string {
  let s = "0x" + v.toString(16);
  if (v & 4) s += ", Reserved bit";
  if (v & 2) s += ", Don't fragment";
  if (v & 1) s += ", More fragments";
  return s;
}

/**
 * Pass as `data` when calling the IPv4 dissector the way Wireshark's version-dispatching
 * "ip" handle is called (raw IPv4 link types): a version-6 packet then goes to ipv6 directly.
 */
export const IP_ANY_VERSION = "ip.any_version";

function dissectIp(tvb: Tvb, pinfo: PacketInfo, tree: Item, data?: unknown): number {
  pinfo.setProtocol("IPv4");
  pinfo.setInfo("");
  const vhl = tvb.u8(0);
  const version = vhl >> 4;
  const hlen = (vhl & 15) * 4;
  // Called as Wireshark's "ip" handle (LINKTYPE_IPV4 and the like: data === IP_ANY_VERSION),
  // an IPv6 packet goes straight to ipv6; through the ethertype it is a bogus IPv4 header first.
  if (version === 6 && data === IP_ANY_VERSION && lookupTable("ethertype", 0x86dd) !== undefined) {
    callTable("ethertype", 0x86dd, tvb, pinfo, tree);
    return tvb.length;
  }
  const top = tree.add(ip.hf, tvb, 0, hlen, null);
  const full = top.tree.full;
  const vItem = top.add(f.version, tvb, 0, 1, version);
  if (version !== 4) {
    pinfo.setInfo(`Bogus IPv4 version (${version}, must be 4)`);
    vItem.expert("error", "protocol", "Bogus IPv4 version", "ip", "ip.bogus_ip_version");
    // seen in cooked captures: an IPv6 packet under the IPv4 ethertype
    if (version === 6) callTable("ethertype", 0x86dd, tvb, pinfo, tree);
    return tvb.length;
  }
  const hlItem = top.add(f.hdrLen, tvb, 0, 1, hlen);
  if (full) hlItem.setText(`.... ${bits4(vhl)} = Header Length: ${hlen} bytes (${hlen >> 2})`);
  if (hlen < 20) {
    const msg = `Bogus IP header length (${hlen}, must be at least 20)`;
    pinfo.setInfo(msg);
    hlItem.expert("error", "protocol", msg, "ip", "ip.bogus_header_length");
    return tvb.length;
  }
  const tos = tvb.u8(1);
  const ds = top.add(f.dsfield, tvb, 1, 1, tos);
  if (full) ds.appendText(` (DSCP: ${dscpShort(tos >> 2)}, ECN: ${ECN_SHORT[tos & 3]})`);
  ds.add(f.dscp, tvb, 1, 1, tos >> 2);
  ds.add(f.ecn, tvb, 1, 1, tos & 3);

  let ipLen = tvb.u16(2);
  const inError = pinfo.inErrorPkt;
  let li: Item;
  if (ipLen === 0 && pinfo.session.pref("ip.tso_support", true)) {
    // TSO: a zero length is taken to be the frame's (reported) length
    ipLen = tvb.reportedLength;
    li = top.addGenerated(f.len, tvb, 2, 2, ipLen,
      `${ipLen} bytes (reported as 0, presumed to be because of "TCP segmentation offload" (TSO))`);
  } else if (ipLen < hlen) {
    pinfo.setInfo(`Bogus IP length (${ipLen}, less than header length ${hlen})`);
    const li = top.add(f.len, tvb, 2, 2, ipLen, `${ipLen} bytes (bogus, less than header length ${hlen})`);
    li.expert("error", "protocol", "Bogus IP length", "ip", "ip.bogus_ip_length");
    return tvb.length;
  } else {
    li = top.add(f.len, tvb, 2, 2, ipLen);
  }
  let limited = false;
  if (ipLen > tvb.reportedLength) {
    if (!inError) li.expert("error", "protocol", `IPv4 total length exceeds packet length (${tvb.reportedLength} bytes)`, "ip", "ip.bogus_ip_length");
  } else {
    limited = true;
  }
  const id = tvb.u16(4);
  top.add(f.id, tvb, 4, 2, id);
  const off = tvb.u16(6);
  const flags = off >> 13;
  const fl = top.add(f.flags, tvb, 6, 1, flags, full ? flagsText(flags) : undefined);
  fl.add(f.flagsRb, tvb, 6, 1, (flags & 4) !== 0);
  fl.add(f.flagsDf, tvb, 6, 1, (flags & 2) !== 0);
  fl.add(f.flagsMf, tvb, 6, 1, (flags & 1) !== 0);
  const fragOff = off & 0x1fff;
  top.add(f.fragOffset, tvb, 6, 2, fragOff, full ? String(fragOff * 8) : undefined);
  const ttl = tvb.u8(8);
  const ttlItem = top.add(f.ttl, tvb, 8, 1, ttl);
  const nxt = tvb.u8(9);
  top.add(f.proto, tvb, 9, 1, nxt);
  const sum = tvb.u16(10);

  const s = pinfo.session;
  const check = s.pref("ip.check_checksum", s.options.checkChecksums ?? false);
  let ipsumBad = false;
  if (check && tvb.has(0, hlen) && !inError) {
    const computed = ~onesSum(tvb, 0, hlen) & 0xffff;
    if (computed === 0) {
      top.add(f.checksum, tvb, 10, 2, sum, full ? `0x${hex(sum, 4)} [correct]` : undefined);
      top.addGenerated(f.checksumStatus, tvb, 10, 2, 1);
      top.addGenerated(f.checksumCalc, tvb, 10, 2, sum);
    } else {
      ipsumBad = true;
      const should = cksumShouldBe(sum, computed);
      const ci = top.add(f.checksum, tvb, 10, 2, sum,
        full ? `0x${hex(sum, 4)} incorrect, should be 0x${hex(should, 4)}(may be caused by "IP checksum offload"?)` : undefined);
      ci.expert("error", "checksum", `Bad checksum [should be 0x${hex(should, 4)}]`, "ip", "ip.checksum_bad.expert");
      top.addGenerated(f.checksumStatus, tvb, 10, 2, 0);
      top.addGenerated(f.checksumCalc, tvb, 10, 2, should);
    }
  } else {
    const why = check ? (inError ? "in ICMP error packet" : "not all data available") : "validation disabled";
    top.add(f.checksum, tvb, 10, 2, sum, full ? `0x${hex(sum, 4)} [${why}]` : undefined);
    top.addGenerated(f.checksumStatus, tvb, 10, 0, 2);
  }

  const srcB = tvb.bytes(12, 4);
  const src = tvb.u32(12);
  pinfo.netSrc = srcB;
  // address strings only when a column, the tree or a wanted *_host field shows them
  const tr = top.tree;
  const strs = full || pinfo.cols !== null || tr.wants(f.host) || tr.wants(f.srcHost) || tr.wants(f.dstHost);
  const srcStr = strs ? ipv4ToString(src) : "";
  top.add(f.src, tvb, 12, 4, src);
  top.add(f.addr, tvb, 12, 4, src).hidden = true;
  // the Source column as soon as the address is read: a header cut before the destination still shows it (tshark)
  if (pinfo.cols !== null) pinfo.cols.src = srcStr;
  if (full) top.appendText(`, Src: ${srcStr}`);
  const sh = top.addGenerated(f.srcHost, tvb, 12, 4, srcStr);
  sh.hidden = true;
  const hh = top.addGenerated(f.host, tvb, 12, 4, srcStr);
  hh.hidden = true;

  // a loose/strict source route moves the final destination into the options
  const dstOff = hlen > 20 ? routeDstOffset(tvb, 20, hlen - 20) : 0;
  const dst = tvb.u32(16 + dstOff);
  pinfo.netDst = tvb.bytes(16 + dstOff, 4);
  const dstStr = strs ? ipv4ToString(dst) : "";
  if (pinfo.cols !== null) pinfo.cols.dst = dstStr; // (the source is in since it was read)
  if (full) top.appendText(`, Dst: ${dstStr}`);

  // TTL sanity (RFC 3171 local network control block, low TTL)
  if ((dst & 0xffffff00) >>> 0 === 0xe0000000) {
    const want = nxt === 2 ? 1 : lncbTtl(dst); // IGMP: always 1
    if (want !== ttl && want !== 0x1000)
      ttlItem.expert("note", "sequence", `"Time To Live" != ${want} for a packet sent to the Local Network Control Block (see RFC 3171)`, "ip", "ip.ttl.lncb");
  } else if ((dst & 0xf0000000) >>> 0 !== 0xe0000000 && ttl < 5 && nxt !== 103 && nxt !== 89) {
    ttlItem.expert("note", "sequence", `"Time To Live" only ${ttl}`, "ip", "ip.ttl.too_small");
  }

  if (dstOff !== 0) {
    const cur = tvb.u32(16);
    if (full) top.appendText(`, Via: ${ipv4ToString(cur)}`);
    top.add(f.curRt, tvb, 16, 4, cur);
    top.addGenerated(f.curRtHost, tvb, 16, 4, ipv4ToString(cur)).hidden = true;
  } else {
    addDst(top, tvb, 16, dst, dstStr);
  }

  if (hlen > 20) {
    const optlen = hlen - 20;
    tvb.ensure(20, optlen); // as Wireshark: the options item must be captured
    const ot = top.addText(tvb, 20, optlen, `Options: (${optlen} bytes)`);
    dissectOptions(tvb, 20, optlen, pinfo, ot, ttl);
  }

  // payload: limited to the total length when it fits in what the packet reports
  const payLen = limited ? ipLen - hlen : -1;
  const consumed = limited ? Math.min(ipLen, tvb.length) : tvb.length;
  if (!limited) ipLen = tvb.reportedLength;
  const mf = (flags & 1) !== 0;
  const saveFrag = pinfo.fragmented;
  let next: Tvb | null = null;
  let reassembledIn: number | undefined;
  // (a fragment whose total length runs past the packet is not reassembled: its first piece is dissected as it is, as tshark)
  if (s.pref("ip.defragment", true) && (mf || fragOff !== 0) && limited && ipLen > hlen && tvb.has(hlen, ipLen - hlen) && !ipsumBad) {
    const st = s.get("ip", () => new IpState());
    const key = `${src}|${dst}|${id}|${nxt}`;
    const r = st.defrag.add(key, pinfo.num, fragOff * 8, tvb.bytes(hlen, ipLen - hlen), mf);
    if (r !== null) {
      noteReassembled(pinfo, "ip.reassembled_in", r);
      next = showReassembly(r, "IPv4", IP_FRAGMENT_FIELDS, pinfo, top).tvb;
    } else if (s.secondPass) reassembledIn = reassembledInAhead(pinfo, "ip.reassembled_in", f.reassembledIn, top, tvb);
  } else if (fragOff === 0) {
    next = tvb.sub(hlen, payLen);
    pinfo.fragmented = mf;
  }

  if (next === null) {
    if (pinfo.cols !== null)
      pinfo.setInfo(`Fragmented IP protocol (proto=${ipProtoName(nxt)} ${nxt}, off=${fragOff * 8}, ID=${hex(id, 4)})${reassembledIn !== undefined ? ` [Reassembled in #${reassembledIn}]` : ""}`);
    callData(tvb.sub(hlen, payLen), pinfo, tree);
    pinfo.fragmented = saveFrag;
    return consumed;
  }
  if (next.reportedLength > 0) {
    pinfo.ipDepth++;
    const info: IpHeaderInfo = { version: 4, ttl, nxt, payloadLen: next.reportedLength };
    if (callTable("ip.proto", nxt, next, pinfo, tree, info) === 0 && !tryHeuristics("ip", next, pinfo, tree, info)) {
      if (pinfo.cols !== null) pinfo.setInfo(`${ipProtoName(nxt)} (${nxt})`);
      callData(next, pinfo, tree);
    }
    pinfo.ipDepth--;
  }
  pinfo.fragmented = saveFrag;
  return consumed;
}

function lncbTtl(a: number): number {
  if (a === 0xe0000012) return 255; // VRRP
  if (a === 0xe0000066) return 255; // GLBP
  if (a === 0xe00000fb) return 255; // mDNS
  if (a === 0xe00000fc) return 0x1000; // LLMNR: any
  return 1;
}
