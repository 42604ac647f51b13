/**
 * What the RDATA decoders share: the context (RdataCtx), item helpers with Wireshark's
 * length rules, the NSEC/NSEC3/CSYNC/NXT type bit maps and the DNSKEY/KEY key id.
 */
import type { PacketInfo } from "../src/core/pinfo.js";
import type { Item } from "../src/core/tree.js";
import { BoundsError, type Tvb } from "../src/core/tvb.js";
import type { DnsFields } from "./dns.js";
import { asciiString, formatBytesText, readName, timeSecsToStr, utf8String, type DnsName } from "./dns-rr-names.js";
import { typeDesc } from "./dns-rr-tables.js";

/** What a decoder needs: the message view, the fields, where Info/labels go. */
export interface RdataCtx {
  tvb: Tvb;
  pinfo: PacketInfo;
  f: DnsFields;
  /** Offset of the DNS message in tvb (pointer base). */
  dnsOff: number;
  /** Tree kept (build labels)? */
  full: boolean;
  /** Info column wanted? */
  cols: boolean;
  isMdns: boolean;
}

export function addName(c: RdataCtx, t: Item, f: DnsFields[keyof DnsFields], o: number): DnsName {
  const n = readName(c.tvb, o, c.dnsOff);
  t.add(f, c.tvb, o, n.used, n.text);
  return n;
}

export function info(c: RdataCtx, s: string): void {
  if (c.cols) c.pinfo.appendInfo(s);
}

/** A bytes item with Wireshark's length rules (-1 = to the end, < -1 = error). */
export function bytesItem(c: RdataCtx, t: Item, f: DnsFields[keyof DnsFields], o: number, len: number): Item {
  if (len === -1) len = c.tvb.remaining(o);
  else if (len < -1) throw new BoundsError(true);
  return t.add(f, c.tvb, o, len, c.tvb.bytes(o, len));
}

/** A string item read as ASCII (ENC_ASCII), with format_text in the label. */
export function strItem(c: RdataCtx, t: Item, f: DnsFields[keyof DnsFields], o: number, len: number, utf8 = false): string {
  if (len === -1) len = c.tvb.remaining(o);
  else if (len < -1) throw new BoundsError(true);
  const s = utf8 ? utf8String(c.tvb, o, len) : asciiString(c.tvb, o, len);
  t.add(f, c.tvb, o, len, s);
  return s;
}

export function u8(c: RdataCtx, t: Item, f: DnsFields[keyof DnsFields], o: number): number {
  const v = c.tvb.u8(o);
  t.add(f, c.tvb, o, 1, v);
  return v;
}
export function u16(c: RdataCtx, t: Item, f: DnsFields[keyof DnsFields], o: number): number {
  const v = c.tvb.u16(o);
  t.add(f, c.tvb, o, 2, v);
  return v;
}
export function u32(c: RdataCtx, t: Item, f: DnsFields[keyof DnsFields], o: number, timeText = false): number {
  const v = c.tvb.u32(o);
  if (timeText && c.full) t.add(f, c.tvb, o, 4, v, `${v} (${timeSecsToStr(v)})`);
  else t.add(f, c.tvb, o, 4, v);
  return v;
}
export function ipv4(c: RdataCtx, t: Item, f: DnsFields[keyof DnsFields], o: number): number {
  const v = c.tvb.u32(o);
  t.add(f, c.tvb, o, 4, v);
  return v;
}

/** dissect_type_bitmap (NSEC/NSEC3/CSYNC): loops until rr_len hits exactly 0, as Wireshark does. */
export function typeBitmap(c: RdataCtx, t: Item, o: number, rrLen: number): void {
  const tvb = c.tvb;
  while (rrLen !== 0) {
    const base = tvb.u8(o);
    let size = tvb.u8(o + 1);
    o += 2;
    rrLen -= 2;
    let type = base * 256;
    for (; size; size--) {
      bitmapByte(c, t, o, type);
      type += 8;
      o++;
      rrLen--;
    }
  }
}

export function typeBitmapNxt(c: RdataCtx, t: Item, o: number, rrLen: number): void {
  let type = 0;
  while (rrLen !== 0) {
    bitmapByte(c, t, o, type);
    type += 8;
    o++;
    rrLen--;
  }
}

/** One byte of a type bit map at `o`: an item per set bit, bit 0x80 standing for `type`. */
function bitmapByte(c: RdataCtx, t: Item, o: number, type: number): void {
  const bits = c.tvb.u8(o);
  for (let i = 0, mask = 0x80; i < 8; i++, mask >>= 1) {
    if (bits & mask) {
      const it = t.add(c.f.respType, c.tvb, o, 1, type + i);
      if (c.full) it.setText(`RR type in bit map: ${typeDesc(type + i)}`);
    }
  }
}

/** compute_key_id (RFC 4034 appendix B). */
export function keyId(c: RdataCtx, t: Item, o: number, size: number, algo: number): number | null {
  const tvb = c.tvb;
  if (size < 4) {
    const it = t.addText(tvb, o, size, "Buffer too short to compute a key id");
    it.generated = true;
    it.expert("warn", "protocol", "Buffer too short to compute a key id", "dns", "dns.key_id_buffer_too_short");
    return null;
  }
  if (algo === 1) return ((tvb.u8(o + size - 3) << 8) + tvb.u8(o + size - 2)) & 0xffff;
  let ac = 0;
  for (; size > 1; size -= 2, o += 2) ac += (tvb.u8(o) << 8) + tvb.u8(o + 1);
  if (size > 0) ac += tvb.u8(o) << 8;
  ac += (ac >>> 16) & 0xffff;
  return ac & 0xffff;
}

export function bits5(tvb: Tvb, bitOff: number): number {
  const byte = bitOff >> 3, shift = bitOff & 7;
  const w = (tvb.u8(byte) << 8) | (shift > 3 ? tvb.u8(byte + 1) : 0);
  return (w >> (11 - shift)) & 0x1f;
}


/** The owner name in Info (the types whose Info shows only the owner). */
export function ownerInfo(c: RdataCtx, owner: DnsName): void {
  info(c, " " + formatBytesText(owner.raw, owner.raw.length));
}

/** A type without a decoder: an expert note and the raw RDATA as dns.data. */
export function unknownRdata(c: RdataCtx, rt: Item, trr: Item, type: number, cur: number, dataLen: number): void {
  trr.expert("note", "undecoded",
    `Dissector for DNS Type (${type}) code not implemented, Contact Wireshark developers if you want this supported`, "dns", "dns.undecoded.type");
  bytesItem(c, rt, c.f.data, cur, dataLen);
}

