/**
 * X.509 certificate extensions as tshark 4.0 shows them (basicConstraints, keyUsage,
 * extKeyUsage, key identifiers, subjectAltName and other GeneralNames, authority information
 * access, CRL distribution points, certificate policies, Certificate Transparency SCT lists,
 * Netscape cert type and comment); other extensions show their id only. x509.ts calls
 * `extensions` for the certificate's extensions field.
 */
import type { Item } from "../src/core/tree.js";
import type { Tvb } from "../src/core/tvb.js";
import { children, intValue, need, oidText, tlv, type Tlv } from "../src/tls/der.js";
import { tls } from "./tls.js";
import { sigAlg } from "./tls-extensions.js";
import { ber, nameOf, nsCertExts, pkix1implicit, withName, x509af, x509ce, x509if } from "./x509-fields.js";
import { cut, items, name, type Ctx } from "./x509.js";

/** The extensions of a certificate: one item each (id, critical, value), the value decoded for the extensions in extensionValue. */
export function extensions(c: Ctx, parent: Item, x: Tlv): void {
  const t = c.t;
  const exts = children(t, x);
  // (a SEQUENCE OF item covers its contents, as BER sq_of items in tshark)
  const list = parent.add(x509af.f.extensions, t, x.body, x.end - x.body, exts.length);
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
      const l = it.add(ce.keyPurposeIds, t, v.body, v.end - v.body, ids.length);
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
