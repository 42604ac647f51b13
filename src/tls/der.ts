/**
 * Reading DER (X.690): TLVs with their offsets, object identifiers, integers. Malformed DER
 * throws BoundsError, which the dispatcher turns into "[Malformed Packet]".
 */
import { BoundsError, type Tvb } from "../core/tvb.js";

/** One DER TLV: tag number and class, and where its header and contents are. */
export interface Tlv {
  tag: number;
  cls: number;
  cons: boolean;
  start: number;
  body: number;
  end: number;
}

export function tlv(t: Tvb, o: number, limit: number): Tlv {
  const b = t.u8(o);
  let p = o + 1;
  let len = t.u8(p++);
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 3) throw new BoundsError(true);
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + t.u8(p++);
  }
  const end = p + len;
  if (end > limit) throw new BoundsError(true);
  t.ensure(p, len);
  return { tag: b & 0x1f, cls: b >> 6, cons: (b & 0x20) !== 0, start: o, body: p, end };
}

/** A TLV the structure requires: a missing one makes the certificate malformed (BoundsError), never a crash. */
export function need(x: Tlv | undefined): Tlv {
  if (x === undefined) throw new BoundsError(true);
  return x;
}

/** The TLVs inside a constructed one. */
export function children(t: Tvb, x: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let o = x.body; o < x.end; ) {
    const c = tlv(t, o, x.end);
    out.push(c);
    o = c.end;
  }
  return out;
}

export function oidText(t: Tvb, x: Tlv): string {
  const parts: number[] = [];
  let v = 0;
  for (let o = x.body; o < x.end; o++) {
    const b = t.u8(o);
    v = v * 128 + (b & 0x7f);
    if ((b & 0x80) === 0) {
      if (parts.length === 0) parts.push(v < 80 ? Math.floor(v / 40) : 2, v < 80 ? v % 40 : v - 80);
      else parts.push(v);
      v = 0;
    }
  }
  return parts.join(".");
}

/** An INTEGER's value (two's complement). */
export function intValue(t: Tvb, x: Tlv): number {
  let v = 0;
  for (let o = x.body; o < x.end; o++) v = v * 256 + t.u8(o);
  if (x.end > x.body && t.u8(x.body) & 0x80) v -= 2 ** (8 * (x.end - x.body));
  return v;
}
