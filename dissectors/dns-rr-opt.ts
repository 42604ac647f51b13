/**
 * The OPT pseudo-RR's RDATA (EDNS0 options, RFC 6891): DAU/DHU/N3U, client subnet,
 * cookies, TCP keepalive, padding, CHAIN, extended DNS errors.
 */
import type { Item } from "../src/core/tree.js";
import { BoundsError } from "../src/core/tvb.js";
import { asciiString, utf8String } from "./dns-rr-names.js";
import { extErrName, OPT_CODES } from "./dns-rr-tables.js";
import type { RdataCtx } from "./dns-rr-util.js";

/** The options of an OPT RR (EDNS0). */
export function dissectOptions(c: RdataCtx, rt: Item, cur: number, dataLen: number): void {
  const tvb = c.tvb, f = c.f;
  let left = dataLen;
  while (left > 0) {
    const code = tvb.u16(cur);
    left -= 2;
    let optlen = tvb.u16(cur + 2);
    left -= 2;
    tvb.ensure(cur, 4 + optlen);
    const ot = rt.add(f.opt, tvb, cur, 4 + optlen, null);
    if (c.full) ot.appendText(": " + (OPT_CODES[code] ?? `Unknown (${code})`));
    const codeItem = ot.add(f.optCode, tvb, cur, 2, code);
    cur += 2;
    const lenItem = ot.add(f.optLen, tvb, cur, 2, optlen);
    cur += 2;
    ot.add(f.optData, tvb, cur, optlen, tvb.bytes(cur, optlen));
    switch (code) {
      case 5: case 6: case 7: {
        const fl = code === 5 ? f.optDau : code === 6 ? f.optDhu : f.optN3u;
        while (optlen !== 0) {
          ot.add(fl, tvb, cur, 1, tvb.u8(cur));
          cur++; left--; optlen--;
        }
        break;
      }
      case 20730:
        codeItem.expert("chat", "deprecated", "Deprecated opcode. Client subnet OPT assigned as 8.", "dns", "dns.depr.opc");
      // fall through
      case 8: {
        let addrLen = (optlen - 4) & 0xffff;
        const family = tvb.u16(cur);
        ot.add(f.optClientFamily, tvb, cur, 2, family);
        cur += 2;
        ot.add(f.optClientNetmask, tvb, cur, 1, tvb.u8(cur));
        cur++;
        ot.add(f.optClientScope, tvb, cur, 1, tvb.u8(cur));
        cur++;
        if (addrLen > 16) {
          lenItem.expert("error", "malformed", "Length too long for any type of IP address.", "dns", "dns.rr.opt.bad_length");
          addrLen = 16;
        }
        const ab = new Uint8Array(16);
        ab.set(tvb.bytes(cur, addrLen));
        if (family === 1) ot.add(f.optClientAddr4, tvb, cur, addrLen, ((ab[0] << 24) >>> 0) + ((ab[1] << 16) | (ab[2] << 8) | ab[3]));
        else if (family === 2) ot.add(f.optClientAddr6, tvb, cur, addrLen, ab);
        else {
          const l = optlen - 4;
          if (l < -1) throw new BoundsError(true);
          ot.add(f.optClientAddr, tvb, cur, l < 0 ? tvb.remaining(cur) : l, tvb.bytes(cur, l < 0 ? -1 : l));
        }
        cur += optlen - 4;
        left -= optlen;
        break;
      }
      case 10: {
        ot.add(f.optCookieClient, tvb, cur, 8, tvb.bytes(cur, 8));
        cur += 8; left -= 8; optlen -= 8;
        if (optlen < -1) throw new BoundsError(true);
        const sl = optlen === -1 ? tvb.remaining(cur) : optlen;
        ot.add(f.optCookieServer, tvb, cur, sl, tvb.bytes(cur, sl));
        cur += optlen; left -= optlen;
        break;
      }
      case 11:
        if (optlen === 2) ot.add(f.optKeepalive, tvb, cur, 2, tvb.u16(cur));
        cur += optlen; left -= optlen;
        break;
      case 12: {
        ot.add(f.optPadding, tvb, cur, optlen, tvb.bytes(cur, optlen));
        cur += optlen; left -= optlen;
        break;
      }
      case 13:
        if (optlen) ot.add(f.optChain, tvb, cur, optlen, asciiString(tvb, cur, optlen));
        cur += optlen; left -= optlen;
        break;
      case 15:
        if (optlen >= 2) {
          const v = tvb.u16(cur);
          ot.add(f.optExtErrCode, tvb, cur, 2, v, c.full ? `${extErrName(v)} (${v})` : undefined);
          cur += 2; left -= 2;
          if (optlen > 2) {
            const s = utf8String(tvb, cur, optlen - 2);
            ot.add(f.optExtErrText, tvb, cur, optlen - 2, s);
            cur += optlen - 2; left -= optlen - 2;
          }
        }
        break;
      default:
        cur += optlen; left -= optlen;
        break;
    }
  }
}
