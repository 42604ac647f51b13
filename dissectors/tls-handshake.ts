/**
 * TLS handshake messages (ClientHello/ServerHello/HelloRetryRequest, their extensions
 * in tls-extensions.ts, Certificate with X.509 decoding, ServerKeyExchange, ClientKeyExchange),
 * split out of tls.ts. Not a protocol of its own: tls.ts calls `handshakes`.
 * Fields are tls.ts's (read at call time, so the import cycle is harmless).
 */
import { createHash } from "node:crypto";
import type { PacketInfo } from "../src/core/pinfo.js";
import type { Item } from "../src/core/tree.js";
import type { Tvb } from "../src/core/tvb.js";
import { HANDSHAKE_TYPES } from "../src/tls/names.js";
import { certificateTree, distinguishedNameTree } from "./x509.js";
import { tls } from "./tls.js";
import { kexOf, type Kex, type TlsConv } from "./tls-conv.js";
import { extensions, notGrease, sigAlg, type Ja3 } from "./tls-extensions.js";

/** The handshake messages of one record; returns their types. */
export function handshakes(tvb: Tvb, _pinfo: PacketInfo, rt: Item, c: TlsConv, infos: string[] | null): number[] {
  const len = tvb.length;
  const types: number[] = [];
  let o = 0;
  while (o + 4 <= len) {
    const type = tvb.u8(o);
    const ml = tvb.u24(o + 1);
    const name = HANDSHAKE_TYPES[type];
    if (name === undefined || o + 4 + ml > len) {
      encrypted(rt, tvb, o, len - o, infos);
      return types;
    }
    types.push(type);
    const hrr = type === 2 && isHrr(tvb, o + 4, ml);
    const info = hrr ? "Hello Retry Request" : name;
    // in Info before the body is read, so that a body that runs out still names the message (as tshark)
    infos?.push(info);
    const ht = rt.add(tls.f.hs, tvb, o, 4 + ml, null);
    if (rt.tree.full) ht.setText(`Handshake Protocol: ${info}`);
    ht.add(tls.f.hsType, tvb, o, 1, type);
    ht.add(tls.f.hsLength, tvb, o + 1, 3, ml);
    const m = tvb.sub(o + 4, ml);
    const v13 = c.version === 0x0304;
    if (type === 1) clientHello(m, ht, !v13 && c.finalVersion !== 0x0304, c);
    else if (type === 2) serverHello(m, ht, c);
    else if (type === 11) certificate(m, ht, v13, _pinfo);
    else if (type === 4) newSessionTicket(m, ht, v13);
    else if (type === 8) encryptedExtensions(m, ht, c);
    else if (type === 20) ht.add(tls.f.verifyData, m, 0, ml, null);
    // (tshark puts the request under the record, not the message)
    else if (type === 24 && ml >= 1) rt.add(tls.f.keyUpdate, m, 0, 1, m.u8(0));
    else if (type === 12) serverKeyExchange(m, ht, c);
    else if (type === 13 && c.version !== 0x0304) certificateRequest(m, ht, c.version, _pinfo);
    else if (type === 15) certificateVerify(m, ht, c.version);
    else if (type === 16) clientKeyExchange(m, ht, c.kex);
    o += 4 + ml;
  }
  if (o < len) encrypted(rt, tvb, o, len - o, infos);
  return types;
}

/** Where extension `type` starts in the extensions block at o (its 2-byte length first); -1 when absent. */
function extensionAt(m: Tvb, o: number, type: number): number {
  if (o + 2 > m.length) return -1;
  const end = Math.min(o + 2 + m.u16(o), m.length);
  for (let p = o + 2; p + 4 <= end; p += 4 + m.u16(p + 2)) if (m.u16(p) === type) return p;
  return -1;
}

/** EncryptedExtensions (TLS 1.3): an extensions block. */
function encryptedExtensions(m: Tvb, ht: Item, c: TlsConv): void {
  const ja: Ja3 = { exts: [], groups: [], ecpf: [] };
  if (m.length >= 2) extensions(m, 0, ht, 8, ja);
  if (ja.alpn !== undefined) c.alpn = ja.alpn;
}

function encrypted(rt: Item, tvb: Tvb, o: number, n: number, infos: string[] | null): void {
  if (rt.tree.full) rt.add(tls.f.hs, tvb, o, n, null).setText("Handshake Protocol: Encrypted Handshake Message");
  infos?.push("Encrypted Handshake Message");
}

/** HelloRetryRequest: a ServerHello with this magic random (RFC 8446 4.1.3). */
function isHrr(t: Tvb, o: number, n: number): boolean {
  return n >= 34 && t.u32(o + 2) === 0xcf21ad74 && t.u8(o + 33) === 0x9c;
}

/**
 * Version, Random and Session ID. tshark splits the random into time and bytes except once the
 * conversation is TLS 1.3: in a TLS 1.3 ServerHello, and in a ClientHello after a HelloRetryRequest.
 */
function helloStart(m: Tvb, ht: Item, split: boolean, hrr = false): number {
  ht.add(tls.f.hsVersion, m, 0, 2, m.u16(0));
  const rt = ht.add(tls.f.random, m, 2, 32, m.bytes(2, 32));
  if (hrr && ht.tree.full) rt.appendText(" (HelloRetryRequest magic)");
  if (split) {
    rt.add(tls.f.randomTime, m, 2, 4, { s: m.u32(2), ns: 0 });
    rt.add(tls.f.randomBytes, m, 6, 28, m.bytes(6, 28));
  }
  const sl = m.u8(34);
  ht.add(tls.f.sidLen8, m, 34, 1, sl);
  if (sl > 0) ht.add(tls.f.sid, m, 35, sl, m.bytes(35, sl));
  return 35 + sl;
}


/** The JA3/JA3S items, placed (no bytes) where the extensions begin, as tshark places them. */
function ja3Items(ht: Item, m: Tvb, o: number, full: typeof tls.f.ja3Full, hash: typeof tls.f.ja3, parts: (number | number[])[]): void {
  const s = parts.map((p) => (typeof p === "number" ? String(p) : p.filter(notGrease).join("-"))).join(",");
  ht.addGenerated(full, m, o, 0, s);
  ht.addGenerated(hash, m, o, 0, createHash("md5").update(s).digest("hex"));
}

function clientHello(m: Tvb, ht: Item, split: boolean, c: TlsConv): void {
  let o = helloStart(m, ht, split);
  // what decryption needs: the client's random (the key log's key), and which side is the client
  c.clientRandom = m.bytes(2, 32).slice();
  c.clientDir = c.curDir;
  const suites: number[] = [];
  const csl = m.u16(o);
  ht.add(tls.f.csLen, m, o, 2, csl);
  const cst = ht.add(tls.f.css, m, o + 2, csl, null);
  if (ht.tree.full) cst.setText(`Cipher Suites (${csl >> 1} suite${csl === 2 ? "" : "s"})`);
  for (let i = 0; i + 1 < csl; i += 2) {
    const s = m.u16(o + 2 + i);
    suites.push(s);
    cst.add(tls.f.cs, m, o + 2 + i, 2, s);
  }
  o += 2 + csl;
  const cl = m.u8(o);
  ht.add(tls.f.compLen, m, o, 1, cl);
  const ctt = ht.add(tls.f.comps, m, o + 1, cl, null);
  if (ht.tree.full) ctt.setText(`Compression Methods (${cl} method${cl === 1 ? "" : "s"})`);
  for (let i = 0; i < cl; i++) ctt.add(tls.f.comp, m, o + 1 + i, 1, m.u8(o + 1 + i));
  o += 1 + cl;
  const ja: Ja3 = { exts: [], groups: [], ecpf: [] };
  if (o + 2 <= m.length) extensions(m, o, ht, 1, ja);
  ja3Items(ht, m, o, tls.f.ja3Full, tls.f.ja3, [m.u16(0), suites, ja.exts, ja.groups, ja.ecpf]);
}

/** The version a ServerHello selects: its supported_versions extension's, else its own. */
function selectedVersion(m: Tvb, o: number): number {
  const p = extensionAt(m, o, 43);
  return p >= 0 && m.u16(p + 2) >= 2 && p + 6 <= Math.min(o + 2 + m.u16(o), m.length) ? m.u16(p + 4) : m.u16(0);
}

function serverHello(m: Tvb, ht: Item, c: TlsConv): void {
  let o = 35 + m.u8(34);
  const v = selectedVersion(m, o + 3);
  const hrr = isHrr(m, 0, m.length);
  helloStart(m, ht, v !== 0x0304 && v !== 0xfefc, hrr);
  ht.add(tls.f.cs, m, o, 2, m.u16(o));
  ht.add(tls.f.comp, m, o + 2, 1, m.u8(o + 2));
  const cs = m.u16(o);
  c.kex = kexOf(cs);
  o += 3;
  if (!hrr) {
    // what decryption needs: the server's random, the suite, encrypt_then_mac
    c.serverRandom = m.bytes(2, 32).slice();
    c.suite = cs;
    c.etm = extensionAt(m, o, 22) >= 0;
  }
  const ja: Ja3 = { exts: [], groups: [], ecpf: [] };
  const sv = o + 2 <= m.length ? extensions(m, o, ht, hrr ? 6 : 2, ja) : 0;
  if (ja.alpn !== undefined && !hrr) c.alpn = ja.alpn;
  c.version = sv !== 0 ? sv : m.u16(0);
  ja3Items(ht, m, o, tls.f.ja3sFull, tls.f.ja3s, [m.u16(0), cs, ja.exts]);
}

/** Certificate; TLS 1.3 adds a request context first and extensions after each certificate. */
function certificate(m: Tvb, ht: Item, v13: boolean, pinfo: PacketInfo): void {
  let o = 0;
  if (v13) {
    const cl = m.u8(0);
    ht.add(tls.f.certReqCtxLen, m, 0, 1, cl);
    if (cl > 0) ht.add(tls.f.certReqCtx, m, 1, cl, m.bytes(1, cl));
    o = 1 + cl;
  }
  const total = m.u24(o);
  ht.add(tls.f.certsLen, m, o, 3, total);
  o += 3;
  const end = Math.min(o + total, m.length);
  const lt = ht.add(tls.f.certs, m, o, end - o, null);
  if (ht.tree.full) lt.setText(`Certificates (${total} bytes)`);
  while (o + 3 <= end) {
    const cl = m.u24(o);
    lt.add(tls.f.certLen, m, o, 3, cl);
    const der = m.bytes(o + 3, cl);
    const ct = lt.add(tls.f.cert, m, o + 3, cl, der);
    x509(ct, m, o + 3, cl, pinfo);
    o += 3 + cl;
    if (v13 && o + 2 <= end) {
      // the certificate's extensions (status_request, SCT…): their block, as tshark lists it
      const el = m.u16(o);
      if (el > 0) extensions(m, o, lt, 11, { exts: [], groups: [], ecpf: [] });
      else lt.add(tls.f.extLen, m, o, 2, 0);
      o += 2 + el;
    }
  }
}

/** ServerKeyExchange of an (EC)DHE suite: the parameters, then the signature (after its algorithm from TLS 1.2 on). */
function serverKeyExchange(m: Tvb, ht: Item, c: TlsConv): void {
  let o: number;
  let pt: Item;
  const ec = c.kex === "ecdh" || (c.kex === "" && m.length >= 4 && m.u8(0) === 3);
  if (ec) {
    // a named curve (the common case); explicit curves stay opaque
    if (m.length < 4 || m.u8(0) !== 3) return;
    pt = ht.addText(m, 0, m.length, "EC Diffie-Hellman Server Params");
    pt.add(tls.f.curveType, m, 0, 1, 3);
    pt.add(tls.f.namedCurve, m, 1, 2, m.u16(1));
    const pl = m.u8(3);
    pt.add(tls.f.spLen, m, 3, 1, pl);
    pt.add(tls.f.sp, m, 4, pl, m.bytes(4, pl));
    o = 4 + pl;
  } else if (c.kex === "dh") {
    pt = ht.addText(m, 0, m.length, "Diffie-Hellman Server Params");
    o = 0;
    for (const [lf, vf] of [[tls.f.pLen, tls.f.p], [tls.f.gLen, tls.f.g], [tls.f.ysLen, tls.f.ys]] as const) {
      if (o + 2 > m.length) return;
      const n = m.u16(o);
      pt.add(lf, m, o, 2, n);
      pt.add(vf, m, o + 2, n, m.bytes(o + 2, n));
      o += 2 + n;
    }
  } else {
    return;
  }
  if (o + 4 > m.length) return;
  if (c.version >= 0x0303) {
    sigAlg(pt, m, o);
    o += 2;
  }
  const sl = m.u16(o);
  pt.add(tls.f.skeSigLen, m, o, 2, sl);
  pt.add(tls.f.skeSig, m, o + 2, sl, m.bytes(o + 2, sl));
}

/** CertificateVerify: the signature (after its algorithm from TLS 1.2 on). */
function certificateVerify(m: Tvb, ht: Item, version: number): void {
  let o = 0;
  if (version >= 0x0303) {
    if (m.length < 2) return;
    sigAlg(ht, m, 0);
    o = 2;
  }
  if (o + 2 > m.length) return;
  const sl = m.u16(o);
  ht.add(tls.f.cvSigLen, m, o, 2, sl);
  ht.add(tls.f.cvSig, m, o + 2, sl, m.bytes(o + 2, sl));
}

/** CertificateRequest (before TLS 1.3): certificate types, signature algorithms (TLS 1.2), CA names. */
function certificateRequest(m: Tvb, ht: Item, version: number, pinfo: PacketInfo): void {
  const full = ht.tree.full;
  const n = m.u8(0);
  ht.add(tls.f.certTypesCount, m, 0, 1, n);
  const tt = ht.add(tls.f.certTypes, m, 1, n, null);
  if (full) tt.setText(`Certificate types (${n} type${n === 1 ? "" : "s"})`);
  for (let i = 0; i < n; i++) tt.add(tls.f.certType, m, 1 + i, 1, m.u8(1 + i));
  let o = 1 + n;
  if (version >= 0x0303 && o + 2 <= m.length) {
    const sl = m.u16(o);
    ht.add(tls.f.sigLen, m, o, 2, sl);
    const at = ht.add(tls.f.sigs, m, o + 2, sl, null);
    if (full) at.setText(`Signature Hash Algorithms (${sl >> 1} algorithm${sl === 2 ? "" : "s"})`);
    for (let i = 0; i + 1 < sl; i += 2) sigAlg(at, m, o + 2 + i);
    o += 2 + sl;
  }
  if (o + 2 > m.length) return;
  const dl = m.u16(o);
  ht.add(tls.f.dnamesLen, m, o, 2, dl);
  if (dl === 0) return;
  const dt = ht.add(tls.f.dnames, m, o + 2, dl, null);
  if (full) dt.setText(`Distinguished Names (${dl} byte${dl === 1 ? "" : "s"})`);
  const end = Math.min(o + 2 + dl, m.length);
  o += 2;
  while (o + 2 <= end) {
    const l = m.u16(o);
    dt.add(tls.f.dnameLen, m, o, 2, l);
    const it = dt.add(tls.f.dname, m, o + 2, l, null);
    const name = distinguishedNameTree(it, m, o + 2, l, pinfo);
    if (full) it.setText(`Distinguished Name: (${name})`);
    o += 2 + l;
  }
}

/** NewSessionTicket: lifetime hint and ticket (TLS 1.3: age add and nonce between, extensions after). */
function newSessionTicket(m: Tvb, ht: Item, v13: boolean): void {
  if (m.length < 6) return;
  const st = ht.addText(m, 0, m.length, "TLS Session Ticket");
  const hint = m.u32(0);
  st.add(tls.f.ticketHint, m, 0, 4, hint, `${hint} seconds (${durationText(hint)})`);
  let o = 4;
  if (v13) {
    st.add(tls.f.ticketAgeAdd, m, 4, 4, m.u32(4));
    const nl = m.u8(8);
    st.add(tls.f.ticketNonceLen, m, 8, 1, nl);
    st.add(tls.f.ticketNonce, m, 9, nl, m.bytes(9, nl));
    o = 9 + nl;
  }
  const tl = m.u16(o);
  st.add(tls.f.ticketLen, m, o, 2, tl);
  st.add(tls.f.ticket, m, o + 2, tl, m.bytes(o + 2, tl));
  o += 2 + tl;
  if (v13 && o + 2 <= m.length) extensions(m, o, st, 4, { exts: [], groups: [], ecpf: [] });
}

/** "2 hours", "1 day, 2 hours, 3 minutes, 4 seconds", "0 seconds". */
function durationText(s: number): string {
  const parts: string[] = [];
  const units: [number, string][] = [[86400, "day"], [3600, "hour"], [60, "minute"], [1, "second"]];
  for (const [u, name] of units) {
    const n = Math.floor(s / u);
    s -= n * u;
    if (n > 0) parts.push(`${n} ${name}${n === 1 ? "" : "s"}`);
  }
  return parts.length === 0 ? "0 seconds" : parts.join(", ");
}

/** ClientKeyExchange by the negotiated key exchange; unknown: guessed from the length prefix. */
function clientKeyExchange(m: Tvb, ht: Item, kex: Kex): void {
  const n = m.length;
  const ecdh = kex === "ecdh" || (kex === "" && n >= 1 && m.u8(0) === n - 1);
  if (ecdh && n >= 1) {
    const pt = ht.addText(m, 0, n, "EC Diffie-Hellman Client Params");
    const pl = m.u8(0);
    pt.add(tls.f.cpLen, m, 0, 1, pl);
    pt.add(tls.f.cp, m, 1, pl, m.bytes(1, pl));
  } else if (kex === "dh" && n >= 2) {
    const pt = ht.addText(m, 0, n, "Diffie-Hellman Client Params");
    const yl = m.u16(0);
    pt.add(tls.f.ycLen, m, 0, 2, yl);
    pt.add(tls.f.yc, m, 2, yl, m.bytes(2, yl));
  } else if ((kex === "rsa" || kex === "") && n >= 2 && m.u16(0) === n - 2) {
    const pt = ht.addText(m, 0, n, "RSA Encrypted PreMaster Secret");
    pt.add(tls.f.epmsLen, m, 0, 2, n - 2);
    pt.add(tls.f.epms, m, 2, n - 2, m.bytes(2, n - 2));
  }
}



/** The certificate's X.509 tree under its item (x509.ts), and nestcap's one-line subject and issuer (hidden). */
function x509(ct: Item, m: Tvb, o: number, n: number, pinfo: PacketInfo): void {
  const r = certificateTree(ct, m, o, n, pinfo);
  if (r === null) return;
  if (ct.tree.full) ct.appendText(` (${r.subject})`);
  ct.addGenerated(tls.f.xIssuerLine, m, o, n, r.issuer).hidden = true;
  ct.addGenerated(tls.f.xSubjectLine, m, o, n, r.subject).hidden = true;
}
