/**
 * TLS hello extensions (tshark 4.0 ssl_dissect_hnd_extension and friends) and the
 * SignatureScheme item, split out of tls-handshake.ts. Fields are tls.ts's (read at
 * call time, so the import cycle is harmless).
 */
import type { Item } from "../src/core/tree.js";
import type { Tvb } from "../src/core/tvb.js";
import { EXTENSIONS, GROUPS } from "../src/tls/names.js";
import { tls } from "./tls.js";

/** What JA3/JA3S hash: the hello's extension types, groups and EC point formats, in order. */
export interface Ja3 {
  exts: number[];
  groups: number[];
  ecpf: number[];
  /** The first ALPN protocol named (in a ServerHello or EncryptedExtensions: the one chosen). */
  alpn?: string;
}

/** GREASE values (RFC 8701: 0x?a?a with both bytes equal) are left out of JA3. */
export const notGrease = (v: number) => (v & 0x0f0f) !== 0x0a0a || v >> 8 !== (v & 255);

/** Extensions block at o; returns the selected supported_version (ServerHello) or 0. */
export function extensions(m: Tvb, o: number, ht: Item, msg: number, ja: Ja3): number {
  const full = ht.tree.full;
  const el = m.u16(o);
  ht.add(tls.f.extLen, m, o, 2, el);
  o += 2;
  const end = Math.min(o + el, m.length);
  let selected = 0;
  while (o + 4 <= end) {
    const type = m.u16(o);
    const l = m.u16(o + 2);
    ja.exts.push(type);
    const et = ht.addText(m, o, 4 + l, `Extension: ${EXTENSIONS[type] ?? "Unknown type " + type} (len=${l})`);
    et.add(tls.f.extType, m, o, 2, type);
    et.add(tls.f.extLenOne, m, o + 2, 2, l);
    const e = m.sub(o + 4, l);
    switch (type) {
      case 0:
        if (msg === 1 && l >= 2) {
          const st = et.addText(e, 0, l, "Server Name Indication extension");
          st.add(tls.f.sniListLen, e, 0, 2, e.u16(0));
          let p = 2;
          while (p + 3 <= l) {
            const nl = e.u16(p + 1);
            st.add(tls.f.sniType, e, p, 1, e.u8(p));
            st.add(tls.f.sniLen, e, p + 1, 2, nl);
            st.add(tls.f.sni, e, p + 3, nl, e.ascii(p + 3, nl));
            p += 3 + nl;
          }
        }
        break;
      case 10: {
        const gl = e.u16(0);
        et.add(tls.f.groupsLen, e, 0, 2, gl);
        const gt = et.add(tls.f.groups, e, 2, gl, null);
        if (full) gt.setText(`Supported Groups (${gl >> 1} group${gl === 2 ? "" : "s"})`);
        for (let i = 0; i + 1 < gl; i += 2) {
          const g = e.u16(2 + i);
          ja.groups.push(g);
          gt.add(tls.f.group, e, 2 + i, 2, g);
        }
        break;
      }
      case 11: {
        const pl = e.u8(0);
        et.add(tls.f.ecpfLen, e, 0, 1, pl);
        const pt = et.add(tls.f.ecpfs, e, 1, pl, null);
        if (full) pt.setText(`Elliptic curves point formats (${pl})`);
        for (let i = 0; i < pl; i++) {
          ja.ecpf.push(e.u8(1 + i));
          pt.add(tls.f.ecpf, e, 1 + i, 1, e.u8(1 + i));
        }
        break;
      }
      case 13:
      case 50: {
        const sl = e.u16(0);
        et.add(tls.f.sigLen, e, 0, 2, sl);
        const at = et.add(tls.f.sigs, e, 2, sl, null);
        if (full) at.setText(`Signature Hash Algorithms (${sl >> 1} algorithm${sl === 2 ? "" : "s"})`);
        for (let i = 0; i + 1 < sl; i += 2) sigAlg(at, e, 2 + i);
        break;
      }
      case 16: {
        const al = e.u16(0);
        et.add(tls.f.alpnLen, e, 0, 2, al);
        const pt = et.add(tls.f.alpnList, e, 2, al, null);
        let p = 2;
        while (p < 2 + al) {
          const sl = e.u8(p);
          pt.add(tls.f.alpnStrLen, e, p, 1, sl);
          const name = e.ascii(p + 1, sl);
          pt.add(tls.f.alpnStr, e, p + 1, sl, name);
          ja.alpn ??= name;
          p += 1 + sl;
        }
        break;
      }
      case 43:
        if (msg === 1) {
          const vl = e.u8(0);
          et.add(tls.f.svLen, e, 0, 1, vl);
          for (let i = 0; i + 1 < vl; i += 2) et.add(tls.f.sv, e, 1 + i, 2, e.u16(1 + i));
        } else if (l >= 2) {
          selected = e.u16(0);
          et.add(tls.f.sv, e, 0, 2, selected);
        }
        break;
      case 45: {
        const n = e.u8(0);
        et.add(tls.f.pskModesLen, e, 0, 1, n);
        for (let i = 0; i < n; i++) et.add(tls.f.pskMode, e, 1 + i, 1, e.u8(1 + i));
        break;
      }
      case 51: {
        // tshark: a "Key Share extension" subtree, one "Key Share Entry" per group
        const kt = et.addText(e, 0, l, "Key Share extension");
        if (msg === 6) {
          kt.add(tls.f.ksSelected, e, 0, 2, e.u16(0));
        } else {
          let p = 0;
          let stop = l;
          if (msg === 1) {
            const cl = e.u16(0);
            kt.add(tls.f.ksClientLen, e, 0, 2, cl);
            p = 2;
            stop = Math.min(l, 2 + cl);
          }
          while (p + 4 <= stop) {
            const g = e.u16(p);
            const kl = e.u16(p + 2);
            const gn = GROUPS[g] ?? `Unknown (${g})`;
            const st = kt.addText(e, p, 4 + kl, `Key Share Entry: Group: ${gn}, Key Exchange length: ${kl}`);
            st.add(tls.f.ksGroup, e, p, 2, g);
            st.add(tls.f.ksKeLen, e, p + 2, 2, kl);
            st.add(tls.f.ksKe, e, p + 4, kl, e.bytes(p + 4, kl));
            p += 4 + kl;
          }
        }
        break;
      }
      case 15:
        if (l >= 1) et.add(tls.f.hbMode, e, 0, 1, e.u8(0));
        break;
      case 65281: {
        const rt = et.addText(e, 0, l, "Renegotiation Info extension");
        const rl = e.u8(0);
        rt.add(tls.f.renegLen, e, 0, 1, rl);
        if (rl > 0) rt.add(tls.f.reneg, e, 1, rl, e.bytes(1, rl));
        break;
      }
      case 5:
        if (msg === 1 && l >= 5) {
          et.add(tls.f.statusType, e, 0, 1, e.u8(0));
          const rl = e.u16(1);
          et.add(tls.f.statusRidsLen, e, 1, 2, rl);
          if (3 + rl + 2 <= l) et.add(tls.f.statusExtsLen, e, 3 + rl, 2, e.u16(3 + rl));
        }
        break;
      case 27: {
        const al = e.u8(0);
        et.add(tls.f.ccAlgsLen, e, 0, 1, al);
        for (let i = 0; i + 1 < al; i += 2) et.add(tls.f.ccAlg, e, 1 + i, 2, e.u16(1 + i));
        break;
      }
      case 28:
        if (l >= 2) et.add(tls.f.recordSizeLimit, e, 0, 2, e.u16(0));
        break;
      case 41:
        preSharedKey(et, e, l, msg);
        break;
      case 44: {
        const cl = e.u16(0);
        et.add(tls.f.cookieLen, e, 0, 2, cl);
        et.add(tls.f.cookie, e, 2, cl, e.bytes(2, cl));
        break;
      }
      case 17513:
        if (msg === 1 && l >= 2) {
          const al = e.u16(0);
          et.add(tls.f.alpsLen, e, 0, 2, al);
          const lt = et.add(tls.f.alpsList, e, 2, al, null);
          for (let p = 2; p < Math.min(2 + al, l); p += 1 + e.u8(p)) {
            lt.add(tls.f.alpsStrLen, e, p, 1, e.u8(p));
            lt.add(tls.f.alpsStr, e, p + 1, e.u8(p), e.ascii(p + 1, e.u8(p)));
          }
        }
        break;
      case 21:
        if (l > 0) et.add(tls.f.paddingData, e, 0, l, e.bytes(0, l));
        break;
      case 35:
        // an empty session ticket: tshark shows "Data (0 bytes)"
        if (l === 0) et.add(tls.f.extData, e, 0, 0, new Uint8Array(0)).setText("Data (0 bytes)");
        else et.add(tls.f.extData, e, 0, l, e.bytes(0, l));
        break;
      default:
        if (l > 0) et.add(tls.f.extData, e, 0, l, e.bytes(0, l));
        // an empty GREASE extension: tshark shows its data as missing
        else if (l === 0 && !notGrease(type)) et.add(tls.f.extData, e, 0, 0, new Uint8Array(0)).setText("Data: <MISSING>");
    }
    o += 4 + l;
  }
  return selected;
}

/** pre_shared_key: the offered identities and binders (ClientHello), the selected identity (ServerHello). */
function preSharedKey(et: Item, e: Tvb, l: number, msg: number): void {
  const pt = et.addText(e, 0, l, "Pre-Shared Key extension");
  if (msg !== 1) {
    if (l >= 2) pt.add(tls.f.pskSelected, e, 0, 2, e.u16(0));
    return;
  }
  const il = e.u16(0);
  pt.add(tls.f.pskIdsLen, e, 0, 2, il);
  let p = 2;
  while (p + 2 <= Math.min(2 + il, l)) {
    const n = e.u16(p);
    const it = pt.addText(e, p, 2 + n + 4, `PSK Identity (length: ${n})`);
    it.add(tls.f.pskIdLen, e, p, 2, n);
    it.add(tls.f.pskId, e, p + 2, n, e.bytes(p + 2, n));
    it.add(tls.f.pskAge, e, p + 2 + n, 4, e.u32(p + 2 + n));
    p += 2 + n + 4;
  }
  p = 2 + il;
  if (p + 2 > l) return;
  const bl = e.u16(p);
  pt.add(tls.f.pskBindersLen, e, p, 2, bl);
  pt.add(tls.f.pskBinders, e, p + 2, bl, null);
}

/** A SignatureScheme with its hash and signature bytes beneath it. */
export function sigAlg(parent: Item, m: Tvb, o: number): void {
  const s = m.u16(o);
  const st = parent.add(tls.f.sig, m, o, 2, s);
  st.add(tls.f.sigHash, m, o, 1, s >> 8);
  st.add(tls.f.sigSig, m, o + 1, 1, s & 255);
}
