/**
 * The sections of one DNS message: questions (dissect_dns_query), resource records
 * (dissect_answer_records / dissect_dns_answer: owner, type, class, TTL or the OPT
 * pseudo-RR header, then the RDATA through dns-rr.ts), and the DSO TLVs of a DNS
 * Stateful Operations message.
 */
import type { Item } from "../src/core/tree.js";
import { CLASSES, dissectRdata, labelCount, readName, timeSecsToStr, typeShort, type DnsName } from "./dns-rr.js";
import type { Msg } from "./dns-message.js";

/** dissect_dns_query: one question. */
export function dissectQuery(m: Msg, qt: Item, off: number): { used: number; multiple: boolean } {
  const tvb = m.tvb, f = m.f;
  const n = readName(tvb, off, m.dnsOff);
  const type = tvb.u16(off + n.used);
  let cls = tvb.u16(off + n.used + 2);
  const used = n.used + 4;
  let qu = 0;
  if (m.isMdns) { qu = cls & 0x8000; cls &= 0x7fff; }
  const tname = typeShort(type);
  if (m.cols) {
    m.pinfo.appendInfo(` ${tname} ${n.text}`);
    if (m.isMdns) m.pinfo.appendInfo(qu ? ', "QU" question' : ', "QM" question');
  }
  const t = qt.addText(tvb, off, used, m.full ? `${n.text}: type ${tname}, class ${CLASSES[cls] ?? "Unknown"}${m.isMdns ? (qu ? ', "QU" question' : ', "QM" question') : ""}` : "");
  t.add(f.qryName, tvb, off, n.used, n.text);
  t.addGenerated(f.qryNameLen, tvb, off, n.used, n.len > 1 ? n.len & 0xffff : 0);
  t.addGenerated(f.countLabels, tvb, off, n.used, labelCount(n) & 0xffff);
  t.add(f.qryType, tvb, off + n.used, 2, type);
  if (m.isMdns) {
    t.add(f.qryClassMdns, tvb, off + n.used + 2, 2, cls);
    t.add(f.qryQu, tvb, off + n.used + 2, 2, qu !== 0);
  } else t.add(f.qryClass, tvb, off + n.used + 2, 2, cls);
  return { used, multiple: type === 251 || type === 252 };
}

/** dissect_answer_records: one section of RRs. Returns the bytes used. */
export function dissectAnswers(m: Msg, top: Item, off: number, count: number, title: string): number {
  const start = off;
  m.tvb.ensure(off, 1); // (a subtree of length -1 needs at least one byte, as tshark)
  const st = top.addText(m.tvb, off, m.tvb.remaining(off), title);
  for (let i = 0; i < count; i++) off += dissectAnswer(m, st, off);
  st.setLen(off - start);
  return off - start;
}

/** dissect_dns_answer: one RR. Returns its length. */
function dissectAnswer(m: Msg, st: Item, start: number): number {
  const tvb = m.tvb, f = m.f, full = m.full;
  const n: DnsName = readName(tvb, start, m.dnsOff);
  const type = tvb.u16(start + n.used);
  let cls = tvb.u16(start + n.used + 2);
  let flush = 0;
  if (m.isMdns) { flush = cls & 0x8000; cls &= 0x7fff; }
  const tname = typeShort(type);
  const cname = CLASSES[cls] ?? "Unknown";
  const dataOff = start + n.used + 8;
  const dataLen = tvb.u16(dataOff);
  const cur = dataOff + 2;
  if (m.cols) {
    m.pinfo.appendInfo(" " + tname);
    if (m.isMdns && flush) m.pinfo.appendInfo(", cache flush");
  }
  // The RR's subtree covers header + RDATA: bounds-checked like proto_tree_add_subtree.
  const rrLen = cur - start + dataLen;
  tvb.ensure(start, rrLen);
  const rt = st.addText(tvb, start, rrLen, full ? (type !== 41 ? `${n.text}: type ${tname}, class ${cname}` : `${n.text}: type ${tname}`) : "");
  let o = start;
  if (type !== 41) {
    if (type === 33 && n.raw.length > 0 && n.raw.charCodeAt(0) !== 0) {
      // add_rr_to_tree splits an SRV owner "_service._proto.name" (wmem_strsplit(name, ".", 3))
      const s = n.text;
      const a = s.indexOf(".");
      rt.add(f.srvService, tvb, o, n.used, a < 0 ? s : s.slice(0, a));
      if (a >= 0) {
        const b = s.indexOf(".", a + 1);
        rt.add(f.srvProto, tvb, o, n.used, b < 0 ? s.slice(a + 1) : s.slice(a + 1, b));
        if (b >= 0) rt.add(f.srvName, tvb, o, n.used, s.slice(b + 1));
      }
    } else rt.add(f.respName, tvb, o, n.used, n.text);
    o += n.used;
    rt.add(f.respType, tvb, o, 2, type);
    o += 2;
    if (m.isMdns) {
      rt.add(f.respClassMdns, tvb, o, 2, cls);
      rt.add(f.cacheFlush, tvb, o, 2, flush !== 0);
    } else rt.add(f.respClass, tvb, o, 2, cls);
    o += 2;
    const ttl = tvb.u32(o);
    const ti = rt.add(f.respTtl, tvb, o, 4, ttl, full ? `${ttl} (${timeSecsToStr(ttl)})` : undefined);
    if (ttl >= 0x80000000) ti.expert("warn", "protocol", "The uppermost bit of the TTL is set (RFC 2181, section 8)", "dns", "dns.ttl.high_bit_set");
    o += 4;
    rt.add(f.respLen, tvb, o, 2, dataLen);
  } else {
    rt.add(f.respName, tvb, o, n.used, n.text);
    o += n.used;
    rt.add(f.respType, tvb, o, 2, type);
    o += 2;
    const ups = tvb.u16(o);
    if (m.isMdns) {
      rt.add(f.udpPayloadSizeMdns, tvb, o, 2, ups & 0x7fff);
      rt.add(f.cacheFlush, tvb, o, 2, (ups & 0x8000) !== 0);
    } else rt.add(f.udpPayloadSize, tvb, o, 2, ups);
    o += 2;
    rt.add(f.extRcode, tvb, o, 1, tvb.u8(o));
    o++;
    rt.add(f.edns0Version, tvb, o, 1, tvb.u8(o));
    o++;
    const z = tvb.u16(o);
    const zt = rt.add(f.z, tvb, o, 2, z);
    zt.add(f.zDo, tvb, o, 2, (z & 0x8000) !== 0);
    zt.add(f.zReserved, tvb, o, 2, z & 0x7fff);
    o += 2;
    rt.add(f.respLen, tvb, o, 2, dataLen);
  }
  if (m.isMdns && flush && full) rt.appendText(", cache flush");
  if (dataLen === 0) return cur - start;
  dissectRdata(m, rt, rt, type, cur, dataLen, n);
  return cur - start + dataLen;
}

const DSO_TYPES: Readonly<Record<number, string>> = {
  0: "Reserved", 1: "Keep Alive", 2: "Retry Delay", 3: "Encryption Padding", 0x40: "Subscribe", 0x41: "Push",
  0x42: "Unsubscribe", 0x43: "Reconfirm",
};
function dsoTypeName(t: number): string {
  const s = DSO_TYPES[t];
  if (s) return s;
  if (t >= 4 && t <= 0x3f) return "Unassigned, reserved for DSO session-management TLVs";
  if (t >= 0x44 && t <= 0xf7ff) return "Unassigned";
  if (t >= 0xf800 && t <= 0xfbff) return "Reserved for Experimental/Local Use";
  return "Reserved for future expansion";
}

/** dissect_dso_data: DNS Stateful Operations TLVs (opcode 6, all counts zero). */
export function dissectDso(m: Msg, top: Item, off: number): number {
  const tvb = m.tvb, f = m.f;
  const start = off;
  tvb.ensure(off, 1); // (an item of length -1 needs at least one byte: no TLVs is malformed, as tshark)
  const dt = top.add(f.dso, tvb, off, tvb.remaining(off), null);
  while (tvb.reportedLength - off >= 4) {
    const len = tvb.u16(off + 2);
    tvb.ensure(off, len + 4);
    const tt = dt.add(f.dsoTlv, tvb, off, len + 4, null);
    const type = tvb.u16(off);
    const ty = tt.add(f.dsoTlvType, tvb, off, 2, type);
    if (m.full) { tt.appendText(": " + dsoTypeName(type)); ty.display = `${dsoTypeName(type)} (${type})`; }
    off += 2;
    tt.add(f.dsoTlvLength, tvb, off, 2, len);
    off += 2;
    if (type === 1) {
      tt.add(f.dsoInactivity, tvb, off, 4, tvb.u32(off));
      tt.add(f.dsoInterval, tvb, off + 4, 4, tvb.u32(off + 4));
      off += 8;
    } else if (type === 2) {
      tt.add(f.dsoRetryDelay, tvb, off, 4, tvb.u32(off));
      off += 4;
    } else if (len > 0) {
      tt.add(type === 3 ? f.dsoPadding : f.dsoTlvData, tvb, off, len, tvb.bytes(off, len));
      off += len;
    }
  }
  dt.setLen(off - start);
  return off - start;
}
