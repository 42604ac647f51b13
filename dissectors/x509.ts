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
 * The extensions are x509-extensions.ts.
 */
import type { PacketInfo } from "../src/core/pinfo.js";
import type { Item } from "../src/core/tree.js";
import { BoundsError, type Tvb } from "../src/core/tvb.js";
import { children, intValue, need, oidText, tlv, type Tlv } from "../src/tls/der.js";
import { extensions } from "./x509-extensions.js";
import { ber, nameOf, pkcs1, withName, x509af, x509if, x509sat } from "./x509-fields.js";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
/** tshark's label of a long bytes value: the first 36 bytes, then "…". */
export const cut = (b: Uint8Array) => hex(b.subarray(0, 36)) + (b.length > 36 ? "…" : "");
export const items = (n: number) => `${n} item${n === 1 ? "" : "s"}`;

export interface Ctx {
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
export function name(c: Ctx, parent: Item, field: typeof x509af.f.issuer, seqField: typeof x509if.f.rdnSequence, x: Tlv): string {
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
    // (a SET OF item covers its contents, as BER sq_of items in tshark)
    const ri = parent.add(x509if.f.rdnItem, t, rdn.body, rdn.end - rdn.body, atvs.length);
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
