/**
 * RDATA of the less common RR types (dissect_dns_answer's cases): WKS, RP, AFSDB/RT,
 * X25, ISDN, NSAP, PX, GPOS, LOC, KX, CERT, A6, APL, SSHFP, IPSECKEY, DHCID, TLSA, HIP,
 * OPENPGPKEY, CSYNC, ZONEMD, the ILNP types, EUI48/64, CAA and WINS/WINS-R.
 */
import { ipv4ToString, ipv6ToString } from "../src/core/format.js";
import type { Item } from "../src/core/tree.js";
import type { DnsFields } from "./dns.js";
import { asciiString, fmtG, formatBytesText, readName, type DnsName } from "./dns-rr-names.js";
import {
  addName, bytesItem, info, ipv4, ownerInfo, strItem, typeBitmap, u16, u32, u8, unknownRdata, type RdataCtx,
} from "./dns-rr-util.js";

/** The RDATA of one of the less common RR types (types listed in dns-rr.ts). */
export function dissectMiscRdata(c: RdataCtx, rt: Item, trr: Item, type: number, cur: number, dataLen: number, owner: DnsName): void {
  const tvb = c.tvb, f = c.f, full = c.full;
  switch (type) {
    case 11: { // WKS
      let rrLen = dataLen;
      const addr = tvb.u32(cur);
      if (c.cols || full) {
        const a = ipv4ToString(addr);
        info(c, " " + a);
        if (full) trr.appendText(", addr " + a);
      }
      rt.add(f.wksAddress, tvb, cur, 4, addr);
      cur += 4; rrLen -= 4;
      u8(c, rt, f.wksProtocol, cur);
      cur++; rrLen--;
      let port = 0;
      while (rrLen !== 0) {
        const bits = tvb.u8(cur);
        if (bits !== 0) {
          const names: number[] = [];
          for (let i = 0, mask = 0x80; i < 8; i++, mask >>= 1, port++) if (bits & mask) names.push(port);
          rt.add(f.wksBits, tvb, cur, 1, bits, full ? `0x${bits.toString(16).padStart(2, "0")} (${names.join(", ")})` : undefined);
        } else port += 8;
        cur++; rrLen--;
      }
      break;
    }
    case 17: { // RP
      ownerInfo(c, owner);
      const m = addName(c, rt, f.rpMailbox, cur);
      addName(c, rt, f.rpTxt, cur + m.used);
      break;
    }
    case 18: case 21: { // AFSDB, RT
      ownerInfo(c, owner);
      const n = readName(tvb, cur + 2, c.dnsOff);
      u16(c, rt, type === 18 ? f.afsdbSubtype : f.rtPref, cur);
      rt.add(type === 18 ? f.afsdbHost : f.rtHost, tvb, cur + 2, n.used, n.text);
      break;
    }
    case 19: { // X25
      ownerInfo(c, owner);
      const l = u8(c, rt, f.x25Len, cur);
      strItem(c, rt, f.x25Addr, cur + 1, l);
      break;
    }
    case 20: { // ISDN
      ownerInfo(c, owner);
      let rrLen = dataLen;
      const l = u8(c, rt, f.isdnLen, cur);
      cur++; rrLen--;
      strItem(c, rt, f.isdnAddr, cur, l);
      cur += l; rrLen -= l;
      if (rrLen > 1) {
        const sl = u8(c, rt, f.isdnSaLen, cur);
        strItem(c, rt, f.isdnSa, cur + 1, sl);
      }
      break;
    }
    case 22: // NSAP
      ownerInfo(c, owner);
      bytesItem(c, rt, f.nsap, cur, dataLen);
      break;
    case 23: // NSAP-PTR
      ownerInfo(c, owner);
      addName(c, rt, f.nsapPtr, cur);
      break;
    case 26: { // PX
      ownerInfo(c, owner);
      u16(c, rt, f.pxPref, cur);
      cur += 2;
      const m = addName(c, rt, f.px822, cur);
      addName(c, rt, f.px400, cur + m.used);
      break;
    }
    case 27: { // GPOS
      ownerInfo(c, owner);
      const a = u8(c, rt, f.gposLongLen, cur);
      strItem(c, rt, f.gposLong, cur + 1, a);
      cur += 1 + a;
      const b = u8(c, rt, f.gposLatLen, cur);
      strItem(c, rt, f.gposLat, cur + 1, b);
      cur += 1 + b;
      const d = u8(c, rt, f.gposAltLen, cur);
      strItem(c, rt, f.gposAlt, cur + 1, d);
      break;
    }
    case 29: { // LOC
      const version = u8(c, rt, f.locVersion, cur);
      if (version === 0) {
        cur++;
        const size = (o: number) => {
          const v = tvb.u8(o);
          let s = (v & 0xf0) >> 4;
          for (let e = v & 0x0f; e; e--) s *= 10;
          return s / 100;
        };
        const sizeItem = (fl: DnsFields[keyof DnsFields], o: number) => {
          const v = tvb.u8(o);
          rt.add(fl, tvb, o, 1, v, full ? `${v} (${fmtG(size(o))} m)` : undefined);
        };
        sizeItem(f.locSize, cur); cur++;
        sizeItem(f.locHp, cur); cur++;
        sizeItem(f.locVp, cur); cur++;
        const angle = (o: number, lon: boolean) => {
          let a = tvb.u32(o);
          let dir: string;
          if (a < 0x80000000) { a = 0x80000000 - a; dir = lon ? "W" : "S"; } else { a = a - 0x80000000; dir = lon ? "E" : "N"; }
          if (lon ? a > 648000000 : a > 324000000) return "Value out of range";
          const tsecs = a % 1000; a = Math.floor(a / 1000);
          const secs = a % 60; a = Math.floor(a / 60);
          const mins = a % 60; const deg = Math.floor(a / 60);
          return `${deg} deg ${mins} min ${secs}.${String(tsecs).padStart(3, "0")} sec ${dir}`;
        };
        const lat = tvb.u32(cur);
        rt.add(f.locLat, tvb, cur, 4, lat, full ? `${lat} (${angle(cur, false)})` : undefined);
        cur += 4;
        const lon = tvb.u32(cur);
        rt.add(f.locLong, tvb, cur, 4, lon, full ? `${lon} (${angle(cur, true)})` : undefined);
        cur += 4;
        const alt = tvb.u32(cur);
        rt.add(f.locAlt, tvb, cur, 4, alt, full ? `${alt} (${fmtG(((alt | 0) - 10000000) / 100)} m)` : undefined);
      } else bytesItem(c, rt, f.locUnknown, cur, dataLen);
      break;
    }
    case 36: { // KX
      const n = readName(tvb, cur + 2, c.dnsOff);
      const pref = tvb.u16(cur);
      info(c, ` ${pref} ${n.text}`);
      if (full) trr.appendText(`, preference ${pref}, kx ${n.text}`);
      rt.add(f.kxPref, tvb, cur, 2, pref);
      rt.add(f.kxExchange, tvb, cur + 2, n.used, n.text);
      break;
    }
    case 37: { // CERT
      let rrLen = dataLen;
      u16(c, rt, f.certType, cur); cur += 2; rrLen -= 2;
      u16(c, rt, f.certKeyTag, cur); cur += 2; rrLen -= 2;
      u8(c, rt, f.certAlgorithm, cur); cur++; rrLen--;
      if (rrLen !== 0) bytesItem(c, rt, f.certCert, cur, rrLen);
      break;
    }
    case 38: { // A6
      const a6 = cur;
      const pre = tvb.u8(cur);
      cur++;
      const sufLen = 128 - pre;
      const cnt = sufLen ? Math.floor((sufLen - 1) / 8) + 1 : 0;
      const suffix = new Uint8Array(16);
      for (let i = 16 - cnt; i < 16; i++) { suffix[i] = tvb.u8(cur); cur++; }
      let pn: DnsName | null = null;
      if (pre > 0) pn = readName(tvb, cur, c.dnsOff);
      const pname = pn ? pn.text : "";
      const s = `${pre} ${ipv6ToString(suffix)} ${pname}`;
      info(c, " " + s);
      rt.add(f.a6PrefixLen, tvb, a6, 1, pre);
      if (sufLen) rt.add(f.a6Suffix, tvb, a6 + 1, cnt, suffix);
      if (pn) rt.add(f.a6PrefixName, tvb, a6 + 1 + cnt, pn.used, pn.text);
      if (full) trr.appendText(", addr " + s);
      break;
    }
    case 42: { // APL
      ownerInfo(c, owner);
      let rrLen = dataLen;
      while (rrLen > 1) {
        const fam = u16(c, rt, f.aplFamily, cur); cur += 2; rrLen -= 2;
        u8(c, rt, f.aplPrefix, cur); cur++; rrLen--;
        const b = tvb.u8(cur);
        const afd = b & 0x7f;
        rt.add(f.aplNegation, tvb, cur, 1, (b & 0x80) !== 0);
        rt.add(f.aplAfdLen, tvb, cur, 1, afd);
        cur++; rrLen--;
        if (fam === 1 && afd <= 4) {
          const x = new Uint8Array(4); x.set(tvb.bytes(cur, afd));
          rt.add(f.aplAfd4, tvb, cur, afd, ((x[0] << 24) >>> 0) + ((x[1] << 16) | (x[2] << 8) | x[3]));
        } else if (fam === 2 && afd <= 16) {
          const x = new Uint8Array(16); x.set(tvb.bytes(cur, afd));
          rt.add(f.aplAfd6, tvb, cur, afd, x);
        } else bytesItem(c, rt, f.aplAfdData, cur, afd);
        cur += afd; rrLen -= afd;
      }
      break;
    }
    case 44: { // SSHFP
      u8(c, rt, f.sshfpAlgorithm, cur);
      u8(c, rt, f.sshfpType, cur + 1);
      if (dataLen - 2 !== 0) bytesItem(c, rt, f.sshfpFp, cur + 2, dataLen - 2);
      break;
    }
    case 45: { // IPSECKEY
      let rrLen = dataLen;
      u8(c, rt, f.ipseckeyPrec, cur); cur++; rrLen--;
      const gw = u8(c, rt, f.ipseckeyType, cur); cur++; rrLen--;
      u8(c, rt, f.ipseckeyAlgo, cur); cur++; rrLen--;
      if (gw === 1) { ipv4(c, rt, f.ipseckeyGw4, cur); cur += 4; rrLen -= 4; }
      else if (gw === 2) { rt.add(f.ipseckeyGw6, tvb, cur, 16, tvb.bytes(cur, 16)); cur += 16; rrLen -= 16; }
      else if (gw === 3) { const n = addName(c, rt, f.ipseckeyGwDns, cur); cur += n.used; rrLen -= n.used; }
      if (rrLen !== 0) bytesItem(c, rt, f.ipseckeyKey, cur, rrLen);
      break;
    }
    case 49: // DHCID
      ownerInfo(c, owner);
      bytesItem(c, rt, f.dhcid, cur, dataLen);
      break;
    case 52: { // TLSA
      ownerInfo(c, owner);
      u8(c, rt, f.tlsaUsage, cur);
      u8(c, rt, f.tlsaSelector, cur + 1);
      u8(c, rt, f.tlsaMatching, cur + 2);
      bytesItem(c, rt, f.tlsaData, cur + 3, dataLen - 3);
      break;
    }
    case 55: { // HIP
      ownerInfo(c, owner);
      let rrLen = dataLen;
      const hl = u8(c, rt, f.hipHitLen, cur); cur++; rrLen--;
      u8(c, rt, f.hipPkAlgo, cur); cur++; rrLen--;
      const pl = u16(c, rt, f.hipPkLen, cur); cur += 2; rrLen -= 2;
      bytesItem(c, rt, f.hipHit, cur, hl); cur += hl; rrLen -= hl;
      bytesItem(c, rt, f.hipPk, cur, pl); cur += pl; rrLen -= pl;
      while (rrLen > 1) {
        const n = addName(c, rt, f.hipRendezvous, cur);
        cur += n.used; rrLen -= n.used;
      }
      break;
    }
    case 61: // OPENPGPKEY
      strItem(c, rt, f.openpgpkey, cur, dataLen);
      break;
    case 62: { // CSYNC
      const start = cur;
      u32(c, rt, f.csyncSoa, cur); cur += 4;
      const fl = tvb.u16(cur);
      const ft = rt.add(f.csyncFlags, tvb, cur, 2, fl);
      ft.add(f.csyncImmediate, tvb, cur, 2, (fl & 1) !== 0);
      ft.add(f.csyncSoaMin, tvb, cur, 2, (fl & 2) !== 0);
      cur += 2;
      const rrLen = dataLen - (cur - start);
      bytesItem(c, rt, f.csyncBitmap, cur, rrLen);
      typeBitmap(c, rt, cur, rrLen);
      break;
    }
    case 63: // ZONEMD
      u32(c, rt, f.zonemdSerial, cur);
      u8(c, rt, f.zonemdScheme, cur + 4);
      u8(c, rt, f.zonemdHash, cur + 5);
      bytesItem(c, rt, f.zonemdDigest, cur + 6, dataLen - 6);
      break;
    case 104: u16(c, rt, f.nidPref, cur); bytesItem(c, rt, f.nid, cur + 2, 8); break;
    case 105: u16(c, rt, f.l32Pref, cur); ipv4(c, rt, f.l32, cur + 2); break;
    case 106: u16(c, rt, f.l64Pref, cur); bytesItem(c, rt, f.l64, cur + 2, 8); break;
    case 107: u16(c, rt, f.lpPref, cur); addName(c, rt, f.lp, cur + 2); break;
    case 108: rt.add(f.eui48, tvb, cur, 6, tvb.bytes(cur, 6)); break;
    case 109: rt.add(f.eui64, tvb, cur, 8, tvb.bytes(cur, 8)); break;
    case 257: { // CAA
      const fl = tvb.u8(cur);
      rt.add(f.caaFlags, tvb, cur, 1, fl).add(f.caaCritical, tvb, cur, 1, (fl & 0x80) !== 0);
      cur++;
      const tagLen = tvb.u8(cur);
      const tag = asciiString(tvb, cur + 1, tagLen);
      const valueLen = (dataLen - (tagLen + 2)) & 0xffff;
      const vb = tvb.bytes(cur + 1 + tagLen, valueLen);
      // tshark: format_text(tvb_get_string_enc(ENC_ASCII), value_len). The ASCII decoding turns
      // each byte >= 0x80 into U+FFFD (3 bytes of UTF-8), and format_text then reads only the
      // first value_len bytes of that: the value is cut short after a non-ASCII byte.
      let vraw = "";
      for (let i = 0; i < vb.length && vraw.length < valueLen; i++) vraw += vb[i] < 0x80 ? String.fromCharCode(vb[i]) : "\xef\xbf\xbd";
      const value = formatBytesText(vraw, Math.min(vraw.length, valueLen));
      const hf = caaTagIs(tag, tagLen, "issue") ? f.caaIssue : caaTagIs(tag, tagLen, "issuewild") ? f.caaIssuewild
        : caaTagIs(tag, tagLen, "iodef") ? f.caaIodef : f.caaUnknown;
      const ci = rt.add(hf, tvb, cur, 1 + tagLen + valueLen, value);
      ci.add(f.caaTagLen, tvb, cur, 1, tagLen);
      ci.add(f.caaTag, tvb, cur + 1, tagLen, tag);
      ci.add(f.caaValue, tvb, cur + 1 + tagLen, valueLen, value);
      break;
    }
    case 65281: { // WINS
      let rrLen = dataLen;
      rt.add(f.winsLocal, tvb, cur, 4, (tvb.u32(cur) & 1) !== 0); cur += 4; rrLen -= 4;
      u32(c, rt, f.winsLookup, cur); cur += 4; rrLen -= 4;
      u32(c, rt, f.winsCache, cur); cur += 4; rrLen -= 4;
      let ns = u32(c, rt, f.winsServers, cur); cur += 4; rrLen -= 4;
      while (rrLen !== 0 && ns !== 0) {
        ipv4(c, rt, f.winsServer, cur);
        cur += 4; rrLen -= 4; ns--;
      }
      break;
    }
    case 65282: { // WINS-R
      rt.add(f.winsrLocal, tvb, cur, 4, (tvb.u32(cur) & 1) !== 0); cur += 4;
      u32(c, rt, f.winsrLookup, cur); cur += 4;
      u32(c, rt, f.winsrCache, cur); cur += 4;
      const n = addName(c, rt, f.winsrDomain, cur);
      info(c, " " + n.text);
      if (full) trr.appendText(", name result domain " + n.text);
      break;
    }
    default: // (not reached: dns-rr.ts hands over only the types above)
      unknownRdata(c, rt, trr, type, cur, dataLen);
      break;
  }
}

/** CAA tag matching as tshark's strncmp(tag, keyword, tag_len) == 0 (the tag ends at a NUL). */
function caaTagIs(tag: string, tagLen: number, kw: string): boolean {
  return tag.length === tagLen ? kw.length >= tagLen && kw.startsWith(tag) : kw === tag;
}
