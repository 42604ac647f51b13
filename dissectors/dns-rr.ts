/**
 * DNS RDATA decoding shared by dns.ts, mdns.ts and llmnr.ts: dissectRdata() decodes the
 * common RR types itself and hands the others to their family's module. No protocol is
 * defined here; dns.ts registers the fields (RR_FIELDS) and calls dissectRdata().
 *
 *   dns-rr-tables.ts  value tables (types, classes, opcodes, rcodes, algorithms …)
 *   dns-rr-names.ts   name expansion (pointer loops, length limits) and text formatting
 *   dns-rr-fields.ts  RR_FIELDS: every RDATA field (tshark 4.0 names)
 *   dns-rr-util.ts    RdataCtx, item helpers, type bit maps, key ids
 *   dns-rr-dnssec.ts  DS, RRSIG, NSEC, DNSKEY, NSEC3, NSEC3PARAM, KEY, NXT, TKEY, TSIG
 *   dns-rr-svcb.ts    SVCB and HTTPS
 *   dns-rr-opt.ts     OPT (EDNS0 options)
 *   dns-rr-misc.ts    the less common types (LOC, CAA, TLSA, SSHFP, WKS, HIP, WINS …)
 */
import { ipv4ToString, ipv6ToString } from "../src/core/format.js";
import type { Item } from "../src/core/tree.js";
import { dissectDnssecRdata } from "./dns-rr-dnssec.js";
import { dissectMiscRdata } from "./dns-rr-misc.js";
import { asciiString, readName, type DnsName } from "./dns-rr-names.js";
import { dissectOptions } from "./dns-rr-opt.js";
import { dissectSvcb } from "./dns-rr-svcb.js";
import { addName, bytesItem, info, ownerInfo, strItem, u16, u32, u8, unknownRdata, type RdataCtx } from "./dns-rr-util.js";

export { CLASSES, OPCODES, OPT_CODES, RCODES, SVCB_KEYS, TYPE_DESC, TYPE_SHORT, typeShort } from "./dns-rr-tables.js";
export { asciiString, fmtG, formatBytesText, labelCount, readName, timeSecsToStr, utf8String, type DnsName } from "./dns-rr-names.js";
export { RR_FIELDS } from "./dns-rr-fields.js";
export type { RdataCtx } from "./dns-rr-util.js";

/**
 * The RDATA of one RR (dissect_dns_answer's switch). `cur` is the RDATA offset,
 * `trr` the RR's subtree item (its label gets ", addr …" etc.), `owner` the owner name.
 */
export function dissectRdata(c: RdataCtx, rt: Item, trr: Item, type: number, cur: number, dataLen: number, owner: DnsName): void {
  const tvb = c.tvb, f = c.f, full = c.full;
  switch (type) {
    case 1: { // A
      const v = tvb.u32(cur);
      if (c.cols || full) {
        const a = ipv4ToString(v);
        info(c, " " + a);
        if (full) trr.appendText(", addr " + a);
      }
      rt.add(f.a, tvb, cur, 4, v);
      break;
    }
    case 2: { // NS
      const n = readName(tvb, cur, c.dnsOff);
      info(c, " " + n.text);
      if (full) trr.appendText(", ns " + n.text);
      rt.add(f.ns, tvb, cur, n.used, n.text);
      break;
    }
    case 3: case 4: case 7: case 8: case 9: { // MD MF MB MG MR
      ownerInfo(c, owner);
      const fl = type === 3 ? f.md : type === 4 ? f.mf : type === 7 ? f.mb : type === 8 ? f.mg : f.mr;
      addName(c, rt, fl, cur);
      break;
    }
    case 5: { // CNAME
      const n = readName(tvb, cur, c.dnsOff);
      info(c, " " + n.text);
      if (full) trr.appendText(", cname " + n.text);
      rt.add(f.cname, tvb, cur, n.used, n.text);
      break;
    }
    case 6: { // SOA
      const m = readName(tvb, cur, c.dnsOff);
      info(c, " " + m.text);
      if (full) trr.appendText(", mname " + m.text);
      rt.add(f.soaMname, tvb, cur, m.used, m.text);
      cur += m.used;
      const r = addName(c, rt, f.soaRname, cur);
      cur += r.used;
      u32(c, rt, f.soaSerial, cur);
      u32(c, rt, f.soaRefresh, cur + 4, true);
      u32(c, rt, f.soaRetry, cur + 8, true);
      u32(c, rt, f.soaExpire, cur + 12, true);
      u32(c, rt, f.soaMinimum, cur + 16, true);
      break;
    }
    case 10: // NULL
      ownerInfo(c, owner);
      bytesItem(c, rt, f.null, cur, dataLen);
      break;
    case 12: { // PTR
      const n = readName(tvb, cur, c.dnsOff);
      info(c, " " + n.text);
      if (full) trr.appendText(", " + n.text);
      rt.add(f.ptr, tvb, cur, n.used, n.text);
      break;
    }
    case 13: { // HINFO
      const cpuLen = tvb.u8(cur);
      const cpu = asciiString(tvb, cur + 1, cpuLen);
      const osOff = cur + 1 + cpuLen;
      const osLen = tvb.u8(osOff);
      const os = asciiString(tvb, osOff + 1, osLen);
      info(c, ` ${cpu} ${os}`);
      if (full) trr.appendText(`, CPU ${cpu}, OS ${os}`);
      u8(c, rt, f.hinfoCpuLen, cur);
      strItem(c, rt, f.hinfoCpu, cur + 1, cpuLen);
      u8(c, rt, f.hinfoOsLen, osOff);
      strItem(c, rt, f.hinfoOs, osOff + 1, osLen);
      break;
    }
    case 14: { // MINFO
      ownerInfo(c, owner);
      const r = addName(c, rt, f.minfoR, cur);
      addName(c, rt, f.minfoE, cur + r.used);
      break;
    }
    case 15: { // MX
      const pref = tvb.u16(cur);
      const n = readName(tvb, cur + 2, c.dnsOff);
      info(c, ` ${pref} ${n.text}`);
      if (full) trr.appendText(`, preference ${pref}, mx ${n.text}`);
      rt.add(f.mxPref, tvb, cur, 2, pref);
      rt.add(f.mxExchange, tvb, cur + 2, n.used, n.text);
      break;
    }
    case 16: case 99: { // TXT, SPF
      let rrLen = dataLen, o = cur;
      const lf = type === 16 ? f.txtLen : f.spfLen, sf = type === 16 ? f.txt : f.spf;
      while (rrLen !== 0) {
        const l = u8(c, rt, lf, o);
        o++; rrLen--;
        strItem(c, rt, sf, o, l, type === 16 && c.isMdns);
        o += l; rrLen -= l;
      }
      break;
    }
    case 28: { // AAAA
      const v = tvb.bytes(cur, 16);
      if (c.cols || full) {
        const a = ipv6ToString(v);
        info(c, " " + a);
        if (full) trr.appendText(", addr " + a);
      }
      rt.add(f.aaaa, tvb, cur, 16, v);
      break;
    }
    case 33: { // SRV
      const pri = u16(c, rt, f.srvPriority, cur);
      const w = u16(c, rt, f.srvWeight, cur + 2);
      const port = u16(c, rt, f.srvPort, cur + 4);
      const n = addName(c, rt, f.srvTarget, cur + 6);
      info(c, ` ${pri} ${w} ${port} ${n.text}`);
      if (full) trr.appendText(`, priority ${pri}, weight ${w}, port ${port}, target ${n.text}`);
      break;
    }
    case 35: { // NAPTR
      let o = cur;
      const order = u16(c, rt, f.naptrOrder, o); o += 2;
      const pref = u16(c, rt, f.naptrPref, o); o += 2;
      const fl = u8(c, rt, f.naptrFlagsLen, o); o++;
      const flags = strItem(c, rt, f.naptrFlags, o, fl); o += fl;
      const sl = u8(c, rt, f.naptrServiceLen, o); o++;
      strItem(c, rt, f.naptrService, o, sl); o += sl;
      const rl = u8(c, rt, f.naptrRegexLen, o); o++;
      strItem(c, rt, f.naptrRegex, o, rl); o += rl;
      const n = readName(tvb, o, c.dnsOff);
      rt.addGenerated(f.naptrReplLen, tvb, o, 0, n.len & 0xff);
      rt.add(f.naptrRepl, tvb, o, n.used, n.text);
      info(c, ` ${order} ${pref} ${flags}`);
      if (full) trr.appendText(`, order ${order}, preference ${pref}, flags ${flags}`);
      break;
    }
    case 39: { // DNAME
      const n = readName(tvb, cur, c.dnsOff);
      info(c, " " + n.text);
      if (full) trr.appendText(", dname " + n.text);
      rt.add(f.dname, tvb, cur, n.used, n.text);
      break;
    }
    case 41: // OPT
      dissectOptions(c, rt, cur, dataLen);
      break;
    case 64: case 65: // SVCB, HTTPS
      dissectSvcb(c, rt, cur, dataLen);
      break;
    case 24: case 25: case 30: case 43: case 46: case 47: case 48: case 50: case 51: case 59: case 60:
    case 249: case 250: case 32769:
      dissectDnssecRdata(c, rt, trr, type, cur, dataLen, owner);
      break;
    case 11: case 17: case 18: case 19: case 20: case 21: case 22: case 23: case 26: case 27: case 29:
    case 36: case 37: case 38: case 42: case 44: case 45: case 49: case 52: case 55: case 61: case 62:
    case 63: case 104: case 105: case 106: case 107: case 108: case 109: case 257: case 65281: case 65282:
      dissectMiscRdata(c, rt, trr, type, cur, dataLen, owner);
      break;
    default:
      unknownRdata(c, rt, trr, type, cur, dataLen);
      break;
  }
}
