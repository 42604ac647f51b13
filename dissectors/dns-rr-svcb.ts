/**
 * Service binding records: SVCB and HTTPS (RFC 9460) — SvcPriority, TargetName and
 * the SvcParams (mandatory, alpn, no-default-alpn, port, ipv4hint, ech, ipv6hint,
 * odohconfig, and unknown keys as raw values).
 */
import { ipv4ToString, ipv6ToString } from "../src/core/format.js";
import type { Item } from "../src/core/tree.js";
import { base64, formatBytesText } from "./dns-rr-names.js";
import { SVCB_KEYS } from "./dns-rr-tables.js";
import { addName, ipv4, strItem, u16, u8, type RdataCtx } from "./dns-rr-util.js";


function keyName(k: number): string {
  return SVCB_KEYS[k] ?? `key${k}`;
}

/**
 * SVCB (64) and HTTPS (65) RDATA (RFC 9460): priority, target and the SvcParams. Each
 * SvcParam's label grows as its parts are read (as tshark's proto_item_append_text), so
 * a truncated parameter shows what was read before the bounds error.
 */
export function dissectSvcb(c: RdataCtx, rt: Item, cur: number, dataLen: number): void {
  const tvb = c.tvb, f = c.f, full = c.full;
  const start = cur;
  u16(c, rt, f.svcbPriority, cur);
  cur += 2;
  const n = addName(c, rt, f.svcbTarget, cur);
  cur += n.used;
  while (dataLen > cur - start) {
    tvb.ensure(cur, 1); // (an item of length -1 needs at least one byte)
    const pi = rt.add(f.svcbParam, tvb, cur, tvb.remaining(cur), null);
    const key = u16(c, pi, f.svcbKey, cur);
    cur += 2;
    const len = u16(c, pi, f.svcbLen, cur);
    cur += 2;
    pi.setLen(len + 4);
    if (full) pi.appendText(": " + keyName(key));
    switch (key) {
      case 0:
        for (let o = 0; o < len; o += 2) {
          const k = u16(c, pi, f.svcbMandatory, cur);
          if (full) pi.appendText((o === 0 ? "=" : ",") + keyName(k));
          cur += 2;
        }
        break;
      case 1:
        for (let o = 0; o < len; ) {
          const l = u8(c, pi, f.svcbAlpnLen, cur);
          cur++;
          const s = strItem(c, pi, f.svcbAlpn, cur, l);
          cur += l;
          if (full) pi.appendText((o === 0 ? "=" : ",") + s);
          o += 1 + l;
        }
        break;
      case 2:
        break;
      case 3: {
        const v = u16(c, pi, f.svcbPort, cur);
        if (full) pi.appendText("=" + v);
        cur += 2;
        break;
      }
      case 4:
        for (let o = 0; o < len; o += 4) {
          const v = ipv4(c, pi, f.svcbIpv4, cur);
          if (full) pi.appendText((o === 0 ? "=" : ",") + ipv4ToString(v));
          cur += 4;
        }
        break;
      case 6:
        for (let o = 0; o < len; o += 16) {
          const v = tvb.bytes(cur, 16);
          pi.add(f.svcbIpv6, tvb, cur, 16, v);
          if (full) pi.appendText((o === 0 ? "=" : ",") + ipv6ToString(v));
          cur += 16;
        }
        break;
      case 5: case 32769: {
        const b = tvb.bytes(cur, len);
        const s = base64(b);
        pi.add(key === 5 ? f.svcbEch : f.svcbOdoh, tvb, cur, len, b, s);
        if (full) pi.appendText("=" + s);
        cur += len;
        break;
      }
      default:
        if (len > 0) {
          const b = tvb.bytes(cur, len);
          pi.add(f.svcbValue, tvb, cur, len, b);
          if (full) {
            let raw = "";
            for (let i = 0; i < b.length; i++) raw += String.fromCharCode(b[i]);
            pi.appendText("=" + formatBytesText(raw));
          }
          cur += len;
        }
        break;
    }
  }
}
