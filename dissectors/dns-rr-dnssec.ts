/**
 * RDATA of the DNSSEC family (dissect_dns_answer's cases): DS/CDS/DLV, RRSIG/SIG,
 * NSEC, DNSKEY/CDNSKEY, NSEC3, NSEC3PARAM, KEY, NXT, and the transaction security
 * records TKEY and TSIG.
 */
import type { Item } from "../src/core/tree.js";
import { readName, type DnsName } from "./dns-rr-names.js";
import {
  addName, bits5, bytesItem, info, keyId, ownerInfo, typeBitmap, typeBitmapNxt, u16, u32, u8, unknownRdata, type RdataCtx,
} from "./dns-rr-util.js";

/** The RDATA of a DNSSEC-family RR (types listed in dns-rr.ts). */
export function dissectDnssecRdata(c: RdataCtx, rt: Item, trr: Item, type: number, cur: number, dataLen: number, owner: DnsName): void {
  const tvb = c.tvb, f = c.f, full = c.full;
  switch (type) {
    case 25: { // KEY
      let rrLen = dataLen;
      const flags = tvb.u16(cur);
      const ft = rt.add(f.keyFlags, tvb, cur, 2, flags);
      ft.add(f.keyAuth, tvb, cur, 2, (flags & 0x8000) !== 0);
      ft.add(f.keyConf, tvb, cur, 2, (flags & 0x4000) !== 0);
      if ((flags & 0xc000) !== 0xc000) {
        ft.add(f.keyReq, tvb, cur, 2, (flags & 0x2000) !== 0);
        ft.add(f.keyUser, tvb, cur, 2, (flags & 0x400) !== 0);
        ft.add(f.keyEntity, tvb, cur, 2, (flags & 0x200) !== 0);
        ft.add(f.keyIpsec, tvb, cur, 2, (flags & 0x80) !== 0);
        ft.add(f.keyMime, tvb, cur, 2, (flags & 0x40) !== 0);
        ft.add(f.keySignatory, tvb, cur, 2, flags & 0xf);
      }
      cur += 2; rrLen -= 2;
      u8(c, rt, f.keyProtocol, cur);
      cur++; rrLen--;
      const algo = u8(c, rt, f.keyAlgorithm, cur);
      cur++; rrLen--;
      const id = keyId(c, rt, cur - 4, rrLen + 4, algo);
      if (id !== null) rt.addGenerated(f.keyId, tvb, 0, 0, id);
      if (rrLen !== 0) bytesItem(c, rt, f.keyPublic, cur, rrLen);
      break;
    }
    case 30: { // NXT
      const n = readName(tvb, cur, c.dnsOff);
      info(c, " " + n.text);
      if (full) trr.appendText(", next domain name " + n.text);
      rt.add(f.nxtNext, tvb, cur, n.used, n.text);
      typeBitmapNxt(c, rt, cur + n.used, dataLen - n.used);
      break;
    }
    case 43: case 59: case 32769: { // DS, CDS, DLV
      u16(c, rt, f.dsKeyId, cur);
      u8(c, rt, f.dsAlgorithm, cur + 2);
      u8(c, rt, f.dsDigestType, cur + 3);
      bytesItem(c, rt, f.dsDigest, cur + 4, dataLen - 4);
      break;
    }
    case 46: case 24: { // RRSIG, SIG
      let rrLen = dataLen;
      u16(c, rt, f.rrsigTypeCovered, cur); cur += 2; rrLen -= 2;
      u8(c, rt, f.rrsigAlgorithm, cur); cur++; rrLen--;
      u8(c, rt, f.rrsigLabels, cur); cur++; rrLen--;
      u32(c, rt, f.rrsigOrigTtl, cur, true); cur += 4; rrLen -= 4;
      rt.add(f.rrsigExpiration, tvb, cur, 4, { s: tvb.u32(cur), ns: 0 }); cur += 4; rrLen -= 4;
      rt.add(f.rrsigInception, tvb, cur, 4, { s: tvb.u32(cur), ns: 0 }); cur += 4; rrLen -= 4;
      u16(c, rt, f.rrsigKeyTag, cur); cur += 2; rrLen -= 2;
      const n = addName(c, rt, f.rrsigSigner, cur);
      cur += n.used; rrLen -= n.used;
      if (rrLen !== 0) bytesItem(c, rt, f.rrsigSignature, cur, rrLen);
      break;
    }
    case 47: { // NSEC
      const n = readName(tvb, cur, c.dnsOff);
      info(c, " " + n.text);
      if (full) trr.appendText(", next domain name " + n.text);
      rt.add(f.nsecNext, tvb, cur, n.used, n.text);
      typeBitmap(c, rt, cur + n.used, dataLen - n.used);
      break;
    }
    case 48: case 60: { // DNSKEY, CDNSKEY
      let rrLen = dataLen;
      const flags = tvb.u16(cur);
      const ft = rt.add(f.dnskeyFlags, tvb, cur, 2, flags);
      ft.add(f.dnskeyZone, tvb, cur, 2, (flags & 0x100) !== 0);
      ft.add(f.dnskeyRevoked, tvb, cur, 2, (flags & 0x80) !== 0);
      ft.add(f.dnskeySep, tvb, cur, 2, (flags & 0x1) !== 0);
      ft.add(f.dnskeyReserved, tvb, cur, 2, flags & 0xfe7e);
      cur += 2; rrLen -= 2;
      u8(c, rt, f.dnskeyProtocol, cur); cur++; rrLen--;
      const algo = u8(c, rt, f.dnskeyAlgorithm, cur); cur++; rrLen--;
      const id = keyId(c, rt, cur - 4, rrLen + 4, algo);
      if (id !== null) rt.addGenerated(f.dnskeyKeyId, tvb, 0, 0, id);
      bytesItem(c, rt, f.dnskeyPublic, cur, rrLen);
      break;
    }
    case 50: { // NSEC3
      const start = cur;
      u8(c, rt, f.nsec3Algo, cur); cur++;
      const fl = tvb.u8(cur);
      rt.add(f.nsec3Flags, tvb, cur, 1, fl).add(f.nsec3OptOut, tvb, cur, 1, (fl & 1) !== 0);
      cur++;
      u16(c, rt, f.nsec3Iterations, cur); cur += 2;
      const sl = u8(c, rt, f.nsec3SaltLen, cur); cur++;
      bytesItem(c, rt, f.nsec3Salt, cur, sl); cur += sl;
      const hl = u8(c, rt, f.nsec3HashLen, cur); cur++;
      if (hl) {
        const alpha = "0123456789abcdefghijklmnopqrstuv";
        let s = "";
        for (let bit = 0; bit / 8 < hl; bit += 5) s += alpha[bits5(tvb, cur * 8 + bit)];
        rt.addGenerated(f.nsec3Hash, tvb, cur, hl, s);
        cur += hl;
      }
      typeBitmap(c, rt, cur, dataLen - (cur - start));
      break;
    }
    case 51: { // NSEC3PARAM
      ownerInfo(c, owner);
      u8(c, rt, f.nsec3Algo, cur); cur++;
      u8(c, rt, f.nsec3Flags, cur); cur++;
      u16(c, rt, f.nsec3Iterations, cur); cur += 2;
      const sl = u8(c, rt, f.nsec3SaltLen, cur); cur++;
      bytesItem(c, rt, f.nsec3Salt, cur, sl);
      break;
    }
    case 249: { // TKEY
      const n = addName(c, rt, f.tkeyAlgo, cur); cur += n.used;
      rt.add(f.tkeyInception, tvb, cur, 4, { s: tvb.u32(cur), ns: 0 }); cur += 4;
      rt.add(f.tkeyExpiration, tvb, cur, 4, { s: tvb.u32(cur), ns: 0 }); cur += 4;
      u16(c, rt, f.tkeyMode, cur); cur += 2;
      u16(c, rt, f.tkeyError, cur); cur += 2;
      const kl = u16(c, rt, f.tkeyKeySize, cur); cur += 2;
      if (kl !== 0) { bytesItem(c, rt, f.tkeyKeyData, cur, kl); cur += kl; }
      const ol = u16(c, rt, f.tkeyOtherSize, cur); cur += 2;
      if (ol !== 0) bytesItem(c, rt, f.tkeyOtherData, cur, ol);
      break;
    }
    case 250: { // TSIG
      const n = addName(c, rt, f.tsigAlgo, cur); cur += n.used;
      const hi = tvb.u16(cur);
      const secs = hi * 4294967296 + tvb.u32(cur + 2);
      const ti = rt.add(f.tsigTime, tvb, cur, 6, { s: secs, ns: 0 });
      if (hi && full) ti.appendText(" (high bits set)");
      cur += 6;
      u16(c, rt, f.tsigFudge, cur); cur += 2;
      const ml = u16(c, rt, f.tsigMacSize, cur); cur += 2;
      if (ml !== 0) {
        tvb.ensure(cur, ml);
        const mi = rt.add(f.tsigMac, tvb, cur, ml, null);
        mi.expert("warn", "undecoded", `No dissector for algorithm:${n.text}`, "dns", "dns.tsig.noalg");
        cur += ml;
      }
      u16(c, rt, f.tsigOrigId, cur); cur += 2;
      u16(c, rt, f.tsigError, cur); cur += 2;
      const ol = u16(c, rt, f.tsigOtherLen, cur); cur += 2;
      if (ol !== 0) bytesItem(c, rt, f.tsigOtherData, cur, ol);
      break;
    }
    default: // (not reached: dns-rr.ts hands over only the types above)
      unknownRdata(c, rt, trr, type, cur, dataLen);
      break;
  }
}
