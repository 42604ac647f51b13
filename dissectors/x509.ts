/**
 * X.509 certificates (RFC 5280) as tshark 4.0 shows them inside a TLS Certificate message:
 * signedCertificate (version, serial, algorithms, issuer and subject names down to each
 * attribute, validity, the public key: EC curve, or RSA modulus and exponent), the
 * extensions tshark decodes most often (basicConstraints, keyUsage, extKeyUsage, subject and
 * authority key identifiers, subjectAltName, authority information access, CRL distribution
 * points, certificate policies, Certificate Transparency SCTs, Netscape cert type and comment), then the
 * signature. Field names and labels are tshark's, spread over its protocols (x509af,
 * x509if, x509sat, x509ce, pkix1implicit, pkcs-1, ns_cert_exts, ber: x509-fields.ts), which
 * also name the layers a certificate adds to frame.protocols, as tshark's OID dispatch adds them.
 *
 * The DER is walked here with src/tls/der.ts (every item has its bytes, for -x and --highlight). Not a
 * protocol of its own: tls-handshake.ts calls `certificateTree` for each certificate.
 * Other extensions show their id only.
 */
import type { PacketInfo } from "../src/core/pinfo.js";
import type { Item } from "../src/core/tree.js";
import { BoundsError, type Tvb } from "../src/core/tvb.js";
import { children, intValue, need, oidText, tlv, type Tlv } from "../src/tls/der.js";
import { tls } from "./tls.js";
import { sigAlg } from "./tls-extensions.js";
import { ber, nameOf, nsCertExts, pkcs1, pkix1implicit, withName, x509af, x509ce, x509if, x509sat } from "./x509-fields.js";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
/** tshark's label of a long bytes value: the first 36 bytes, then "…". */
const cut = (b: Uint8Array) => hex(b.subarray(0, 36)) + (b.length > 36 ? "…" : "");
const items = (n: number) => `${n} item${n === 1 ? "" : "s"}`;

interface Ctx {
  t: Tvb;
  pinfo: PacketInfo;
  full: boolean;
}

/**
 * The tree of the DER certificate at [o, o+n) of `t` under `ct` (the TLS certificate item).
 * Returns the subject and issuer as one-line texts ("id-at-commonName=…", last RDN first: the
 * subject is what tshark appends to that item), or null when the DER is not a certificate
 * (then nothing is added).
 */
export function certificateTree(ct: Item, t: Tvb, o: number, n: number, pinfo: PacketInfo): { subject: string; issuer: string } | null {
  const c: Ctx = { t, pinfo, full: ct.tree.full };
  let cert: Tlv;
  let parts: Tlv[];
  let tbsParts: Tlv[];
  try {
    cert = tlv(t, o, o + n);
    parts = children(t, cert);
    if (parts.length < 3 || parts[0].tag !== 16 || !parts[0].cons || parts[2].tag !== 3) return null;
    tbsParts = children(t, parts[0]);
  } catch (e) {
    if (e instanceof BoundsError) return null;
    throw e;
  }
  const tbs = parts[0];
  const st = ct.add(x509af.f.signedCertificate, t, tbs.start, tbs.end - tbs.start, null);
  let i = 0;
  const f = x509af.f;
  if (tbsParts[i]?.cls === 2 && tbsParts[i].tag === 0) {
    const v = need(children(t, tbsParts[i])[0]);
    st.add(f.version, t, v.body, v.end - v.body, intValue(t, v));
    i++;
  }
  const serial = need(tbsParts[i++]);
  const sb = t.bytes(serial.body, serial.end - serial.body);
  st.add(f.serialNumber, t, serial.body, sb.length, sb, c.full ? "0x" + cut(sb) : undefined);
  algorithm(c, st, f.signature, "signature", need(tbsParts[i++]));
  const issuerText = name(c, st, f.issuer, x509if.f.rdnSequence, need(tbsParts[i++]));
  validity(c, st, need(tbsParts[i++]));
  const subjectText = name(c, st, f.subject, f.rdnSequence, need(tbsParts[i++]));
  spki(c, st, need(tbsParts[i++]));
  for (; i < tbsParts.length; i++) {
    if (tbsParts[i].cls === 2 && tbsParts[i].tag === 3) extensions(c, st, need(children(t, tbsParts[i])[0]));
  }
  algorithm(c, ct, f.algorithmIdentifier, "algorithmIdentifier", parts[1]);
  const sig = parts[2];
  if (sig.end === sig.body) throw new BoundsError(true);
  ct.add(ber.f.padding, t, sig.body, 1, t.u8(sig.body));
  const sv = t.bytes(sig.body + 1, sig.end - sig.body - 1);
  ct.add(f.encrypted, t, sig.body + 1, sv.length, sv);
  return { subject: subjectText, issuer: issuerText };
}

/** AlgorithmIdentifier: "signature (ecdsa-with-SHA256)" over the SEQUENCE, the OID under it. */
function algorithm(c: Ctx, parent: Item, field: typeof x509af.f.signature, label: string, x: Tlv): string {
  const t = c.t;
  const it = parent.add(field, t, x.start, x.end - x.start, null);
  const [id0, params] = children(t, x);
  const id = need(id0);
  const oid = oidText(t, id);
  if (c.full) it.setText(`${label} (${nameOf(oid)})`);
  it.add(x509af.f.algorithmId, t, id.body, id.end - id.body, oid, withName(oid));
  if (params !== undefined && oid === "1.2.840.10045.2.1" && params.tag === 6) {
    // EC parameters go through the OID dispatch (a PKCS#1 layer in tshark)
    c.pinfo.layers.push("pkcs-1");
    const p = it.add(pkcs1.f.ecParameters, t, params.start, params.end - params.start, 1);
    const curve = oidText(t, params);
    p.add(pkcs1.f.namedCurve, t, params.body, params.end - params.body, curve, withName(curve));
  }
  return oid;
}

/** An attribute value: countryName, emailAddress, or a DirectoryString choice. */
function attributeValue(c: Ctx, parent: Item, oid: string, v: Tlv): string {
  const t = c.t;
  const len = v.end - v.body;
  const text = v.tag === 30 ? bmp(t, v) : t.ascii(v.body, len);
  c.pinfo.layers.push("x509sat");
  const s = x509sat.f;
  if (oid === "2.5.4.6") {
    parent.add(s.countryName, t, v.body, len, text);
  } else if (oid === "1.2.840.113549.1.9.1" || v.tag === 22) {
    parent.add(s.ia5String, t, v.body, len, text);
  } else {
    const kind = ({ 20: 0, 19: 1, 28: 2, 30: 3, 12: 4 } as Record<number, number>)[v.tag];
    if (kind === undefined) return text;
    const d = parent.add(s.directoryString, t, v.start, v.end - v.start, kind);
    const field = [s.teletexString, s.printableString, s.universalString, s.bmpString, s.uTF8String][kind];
    d.add(field, t, v.body, len, text);
  }
  return text;
}

function bmp(t: Tvb, v: Tlv): string {
  let s = "";
  for (let o = v.body; o + 1 < v.end; o += 2) s += String.fromCharCode(t.u16(o));
  return s;
}

/**
 * A Name: "issuer: rdnSequence (0)" over it, "rdnSequence: N items (…)" over its RDNs, then
 * each RDN and attribute. Returns tshark's one-line text (last RDN first).
 */
function name(c: Ctx, parent: Item, field: typeof x509af.f.issuer, seqField: typeof x509if.f.rdnSequence, x: Tlv): string {
  const t = c.t;
  const top = parent.add(field, t, x.start, x.end - x.start, 0);
  const list = children(t, x);
  const seq = top.add(seqField, t, x.body, x.end - x.body, list.length);
  const all = rdns(c, seq, list);
  if (c.full) seq.setText(`rdnSequence: ${items(list.length)} (${all})`);
  return all;
}

/**
 * A DER Name at [o, o+n) as tshark shows a CertificateRequest's CA name: its RDNs straight
 * under `parent`. Returns the one-line text ("" when it does not parse: nothing added).
 */
export function distinguishedNameTree(parent: Item, t: Tvb, o: number, n: number, pinfo: PacketInfo): string {
  const c: Ctx = { t, pinfo, full: parent.tree.full };
  let list: Tlv[];
  try {
    list = children(t, tlv(t, o, o + n));
  } catch (e) {
    if (e instanceof BoundsError) return "";
    throw e;
  }
  return rdns(c, parent, list);
}

/** The RDNs of a Name (its children) under `parent`; returns tshark's one-line text (last RDN first). */
function rdns(c: Ctx, parent: Item, list: Tlv[]): string {
  const t = c.t;
  const texts: string[] = [];
  for (const rdn of list) {
    const atvs = children(t, rdn);
    const ri = parent.add(x509if.f.rdnItem, t, rdn.start, rdn.end - rdn.start, atvs.length);
    const rdnTexts: string[] = [];
    for (const atv of atvs) {
      const [type0, value0] = children(t, atv);
      const type = need(type0), value = need(value0);
      const ai = ri.add(x509if.f.atvItem, t, atv.start, atv.end - atv.start, null);
      const oid = oidText(t, type);
      ai.add(x509if.f.oid, t, type.body, type.end - type.body, oid, withName(oid));
      const text = `${nameOf(oid)}=${attributeValue(c, ai, oid, value)}`;
      if (c.full) ai.setText(`RelativeDistinguishedName item (${text})`);
      rdnTexts.push(text);
    }
    const rt = rdnTexts.join(",");
    if (c.full) ri.setText(`RDNSequence item: ${items(atvs.length)} (${rt})`);
    texts.unshift(rt);
  }
  return texts.join(",");
}

function validity(c: Ctx, parent: Item, x: Tlv): void {
  const t = c.t;
  const v = parent.add(x509af.f.validity, t, x.start, x.end - x.start, null);
  const [nb0, na0] = children(t, x);
  const nb = need(nb0), na = need(na0);
  for (const [tm, field] of [[nb, x509af.f.notBefore], [na, x509af.f.notAfter]] as const) {
    const gen = tm.tag === 24;
    const it = v.add(field, t, tm.start, tm.end - tm.start, gen ? 1 : 0);
    const s = t.ascii(tm.body, tm.end - tm.body);
    if (gen) {
      const d = Date.UTC(+s.slice(0, 4), +s.slice(4, 6) - 1, +s.slice(6, 8), +s.slice(8, 10), +s.slice(10, 12), +s.slice(12, 14));
      it.add(x509af.f.generalizedTime, t, tm.body, tm.end - tm.body, { s: Math.floor(d / 1000), ns: 0 });
    } else {
      const yy = +s.slice(0, 2);
      const text = `${yy < 50 ? 2000 + yy : 1900 + yy}-${s.slice(2, 4)}-${s.slice(4, 6)} ${s.slice(6, 8)}:${s.slice(8, 10)}:${s.slice(10, 12)} (UTC)`;
      it.add(x509af.f.utcTime, t, tm.body, tm.end - tm.body, text);
    }
  }
}

function spki(c: Ctx, parent: Item, x: Tlv): void {
  const t = c.t;
  const it = parent.add(x509af.f.spki, t, x.start, x.end - x.start, null);
  const [alg0, key0] = children(t, x);
  const alg = need(alg0), key = need(key0);
  if (key.end === key.body) throw new BoundsError(true);
  const oid = algorithm(c, it, x509af.f.algorithm, "algorithm", alg);
  if (oid === "1.2.840.113549.1.1.1") {
    // an RSA key: the BIT STRING holds an RSAPublicKey, shown instead of the padding
    const kb = t.bytes(key.body + 1, key.end - key.body - 1);
    const k = it.add(x509af.f.subjectPublicKey, t, key.body + 1, kb.length, kb);
    try {
      const [mod0, exp0] = children(t, tlv(t, key.body + 1, key.end));
      const mod = need(mod0), exp = need(exp0);
      const mb = t.bytes(mod.body, mod.end - mod.body);
      k.add(pkcs1.f.modulus, t, mod.body, mb.length, mb, c.full ? "0x" + cut(mb) : undefined);
      k.add(pkcs1.f.publicExponent, t, exp.body, exp.end - exp.body, intValue(t, exp));
    } catch (e) {
      if (!(e instanceof BoundsError)) throw e;
    }
    return;
  }
  it.add(ber.f.padding, t, key.body, 1, t.u8(key.body));
  const kb = t.bytes(key.body + 1, key.end - key.body - 1);
  it.add(x509af.f.subjectPublicKey, t, key.body + 1, kb.length, kb);
}

function extensions(c: Ctx, parent: Item, x: Tlv): void {
  const t = c.t;
  const exts = children(t, x);
  const list = parent.add(x509af.f.extensions, t, x.start, x.end - x.start, exts.length);
  if (c.full) list.setText(`extensions: ${items(exts.length)}`);
  for (const e of exts) {
    const parts = children(t, e);
    const id = need(parts[0]);
    const oid = oidText(t, id);
    const it = list.add(x509af.f.extension, t, e.start, e.end - e.start, null);
    if (c.full) it.setText(`Extension (${nameOf(oid)})`);
    it.add(x509af.f.extensionId, t, id.body, id.end - id.body, oid, withName(oid));
    let p = 1;
    if (parts[p]?.tag === 1) {
      it.add(x509af.f.critical, t, parts[p].body, 1, t.u8(parts[p].body) !== 0);
      p++;
    }
    const value = parts[p];
    if (value === undefined || value.end === value.body) continue;
    extensionValue(c, it, oid, tlv(t, value.body, value.end));
  }
}

/** What an extension's OCTET STRING holds, for the extensions decoded here (through the OID dispatch: a layer each). */
function extensionValue(c: Ctx, it: Item, oid: string, v: Tlv): void {
  const t = c.t;
  const ce = x509ce.f;
  const layer = (l: string) => c.pinfo.layers.push(l);
  switch (oid) {
    case "2.5.29.19": {
      layer("x509ce");
      const b = it.add(ce.basicConstraints, t, v.start, v.end - v.start, null);
      if (v.end === v.body) {
        if (c.full) b.setText("BasicConstraintsSyntax [0 length]");
        break;
      }
      for (const x of children(t, v)) {
        if (x.tag === 1) b.add(ce.cA, t, x.body, 1, t.u8(x.body) !== 0);
        else if (x.tag === 2) b.add(ce.pathLen, t, x.body, x.end - x.body, intValue(t, x));
      }
      break;
    }
    case "2.5.29.15":
      layer("x509ce");
      bitString(c, it, v, ce.keyUsage, [ce.kuDigitalSignature, ce.kuContentCommitment, ce.kuKeyEncipherment, ce.kuDataEncipherment,
        ce.kuKeyAgreement, ce.kuKeyCertSign, ce.kuCRLSign, ce.kuEncipherOnly], ce.kuDecipherOnly);
      break;
    case "2.16.840.1.113730.1.1": {
      layer("ns_cert_exts");
      const n = nsCertExts.f;
      bitString(c, it, v, n.certType, [n.sslClient, n.sslServer, n.smime, n.objectSigning, n.reserved, n.sslCa, n.smimeCa, n.objectSigningCa], null);
      break;
    }
    case "2.16.840.1.113730.1.13":
      layer("ns_cert_exts");
      it.add(nsCertExts.f.comment, t, v.body, v.end - v.body, t.ascii(v.body, v.end - v.body));
      break;
    case "2.5.29.37": {
      layer("x509ce");
      const ids = children(t, v);
      const l = it.add(ce.keyPurposeIds, t, v.start, v.end - v.start, ids.length);
      if (c.full) l.setText(`KeyPurposeIDs: ${items(ids.length)}`);
      for (const x of ids) {
        const kp = oidText(t, x);
        l.add(ce.keyPurposeId, t, x.body, x.end - x.body, kp, withName(kp));
      }
      break;
    }
    case "2.5.29.14": {
      layer("x509ce");
      const b = t.bytes(v.body, v.end - v.body);
      it.add(ce.ski, t, v.body, b.length, b);
      break;
    }
    case "2.5.29.35": {
      layer("x509ce");
      const a = it.add(ce.aki, t, v.start, v.end - v.start, null);
      for (const x of children(t, v)) {
        if (x.tag === 0) {
          const b = t.bytes(x.body, x.end - x.body);
          a.add(ce.keyIdentifier, t, x.body, b.length, b);
        } else if (x.tag === 1) {
          generalNames(c, a, ce.authorityCertIssuer, "authorityCertIssuer", x);
        } else if (x.tag === 2) {
          const b = t.bytes(x.body, x.end - x.body);
          a.add(ce.authorityCertSerialNumber, t, x.body, b.length, b, c.full ? "0x" + cut(b) : undefined);
        }
      }
      break;
    }
    case "2.5.29.17":
      layer("x509ce");
      generalNames(c, it, ce.generalNames, "GeneralNames", v);
      break;
    case "1.3.6.1.5.5.7.1.1": {
      // where the issuer's certificate and the OCSP responder are
      layer("pkix1implicit");
      const p = pkix1implicit.f;
      const ads = children(t, v);
      const l = it.add(p.aia, t, v.start, v.end - v.start, ads.length);
      if (c.full) l.setText(`AuthorityInfoAccessSyntax: ${items(ads.length)}`);
      for (const ad of ads) {
        const [m0, loc0] = children(t, ad);
        const m = need(m0), loc = need(loc0);
        const a = l.add(p.accessDescription, t, ad.start, ad.end - ad.start, null);
        const method = oidText(t, m);
        a.add(p.accessMethod, t, m.body, m.end - m.body, method, withName(method));
        generalName(c, a.add(p.accessLocation, t, loc.start, loc.end - loc.start, loc.tag), loc);
      }
      break;
    }
    case "2.5.29.31": {
      layer("x509ce");
      const dps = children(t, v);
      const l = it.add(ce.crlDistPoints, t, v.start, v.end - v.start, dps.length);
      if (c.full) l.setText(`CRLDistPointsSyntax: ${items(dps.length)}`);
      for (const dp of dps) {
        const d = l.add(ce.distributionPointElement, t, dp.start, dp.end - dp.start, null);
        for (const x of children(t, dp)) {
          if (x.cls !== 2 || x.tag !== 0) continue;
          const name0 = need(children(t, x)[0]);
          const dn = d.add(ce.distributionPoint, t, name0.start, name0.end - name0.start, name0.tag);
          if (name0.tag === 0) generalNames(c, dn, ce.fullName, "fullName", name0);
        }
      }
      break;
    }
    case "1.3.6.1.4.1.11129.2.4.2":
      // Certificate Transparency: the logs' signed timestamps, in TLS's encoding (a TLS layer in tshark)
      layer("tls");
      if (v.tag === 4) scts(t, it, v.body, v.end);
      break;
    case "2.5.29.32": {
      layer("x509ce");
      const pis = children(t, v);
      const l = it.add(ce.policies, t, v.start, v.end - v.start, pis.length);
      if (c.full) l.setText(`CertificatePoliciesSyntax: ${items(pis.length)}`);
      for (const pi of pis) {
        const p = l.add(ce.policyInformation, t, pi.start, pi.end - pi.start, null);
        const id = need(children(t, pi)[0]);
        const oidv = oidText(t, id);
        p.add(ce.policyIdentifier, t, id.body, id.end - id.body, oidv, withName(oidv));
      }
      break;
    }
  }
}

/**
 * A SignedCertificateTimestampList (RFC 6962 section 3.3) at [o, end). Each SCT is labelled
 * with its log; nestcap has no table of the logs (tshark names the well-known ones), so it
 * says "Unknown Log", as tshark does for a log it does not know.
 */
function scts(t: Tvb, it: Item, o: number, end: number): void {
  const f = tls.f;
  const total = t.u16(o);
  it.add(f.sctsLen, t, o, 2, total);
  let p = o + 2;
  const stop = Math.min(end, p + total);
  while (p + 2 <= stop) {
    const n = t.u16(p);
    const st = it.addText(t, p, 2 + n, "Signed Certificate Timestamp (Unknown Log)");
    st.add(f.sctLen, t, p, 2, n);
    let q = p + 2;
    st.add(f.sctVersion, t, q, 1, t.u8(q));
    st.add(f.sctLogId, t, q + 1, 32, t.bytes(q + 1, 32));
    const ms = t.u32(q + 33) * 2 ** 32 + t.u32(q + 37);
    st.add(f.sctTimestamp, t, q + 33, 8, { s: Math.floor(ms / 1000), ns: (ms % 1000) * 1e6 });
    q += 41;
    const el = t.u16(q);
    st.add(f.sctExtLen, t, q, 2, el);
    if (el > 0) st.add(f.sctExt, t, q + 2, el, null);
    q += 2 + el;
    sigAlg(st, t, q);
    const sl = t.u16(q + 2);
    st.add(f.sctSigLen, t, q + 2, 2, sl);
    st.add(f.sctSig, t, q + 4, sl, t.bytes(q + 4, sl));
    p += 2 + n;
  }
}

/** GeneralNames: "label: N items", then "GeneralName: dNSName (2)" and its value for each. */
function generalNames(c: Ctx, parent: Item, field: typeof x509ce.f.generalNames, label: string, x: Tlv): void {
  const t = c.t;
  const ce = x509ce.f;
  const names = children(t, x);
  const l = parent.add(field, t, x.start, x.end - x.start, names.length);
  if (c.full) l.setText(`${label}: ${items(names.length)}`);
  for (const g of names) generalName(c, l.add(ce.generalName, t, g.start, g.end - g.start, g.tag), g);
}

/** The value of one GeneralName (a context-tagged choice) under its item. */
function generalName(c: Ctx, gi: Item, g: Tlv): void {
  const t = c.t;
  const ce = x509ce.f;
  const len = g.end - g.body;
  if (g.tag === 2) gi.add(ce.dNSName, t, g.body, len, t.ascii(g.body, len));
  else if (g.tag === 1) gi.add(ce.rfc822Name, t, g.body, len, t.ascii(g.body, len));
  else if (g.tag === 6) gi.add(ce.uri, t, g.body, len, t.ascii(g.body, len));
  else if (g.tag === 7) {
    // an address (tshark: as IPv4 or IPv6 when the length says which, else bytes)
    if (len === 4) gi.add(ce.ipv4, t, g.body, 4, t.u32(g.body));
    else gi.add(len === 16 ? ce.ipv6 : ce.iPAddress, t, g.body, len, t.bytes(g.body, len));
  } else if (g.tag === 4) name(c, gi, ce.directoryName, x509if.f.rdnSequence, need(children(t, g)[0]));
}

/** A named-bit BIT STRING: "Padding: n", the bytes ("KeyUsage: 88"), then each bit of the first byte (and `ninth`). */
function bitString(c: Ctx, parent: Item, v: Tlv, field: typeof x509ce.f.keyUsage, bits: (typeof x509ce.f.cA)[], ninth: typeof x509ce.f.cA | null): void {
  const t = c.t;
  parent.add(ber.f.padding, t, v.body, 1, t.u8(v.body));
  const n = v.end - v.body - 1;
  if (n <= 0) return;
  const b = t.bytes(v.body + 1, n);
  const it = parent.add(field, t, v.body + 1, n, b);
  for (const f of bits) it.add(f, t, v.body + 1, 1, (b[0] & f.bitmask!) !== 0);
  if (ninth !== null) it.add(ninth, t, v.body + 1, 1, n > 1 && (b[1] & 0x80) !== 0);
}
