/**
 * The fields of X.509 certificates, in tshark's protocols (x509af, x509if, x509sat, x509ce,
 * pkix1implicit, pkcs-1, ns_cert_exts, ber: also the layer names a certificate adds to
 * frame.protocols), and tshark's names for OIDs. Data only: the tree is x509.ts's.
 */
import { defineProtocol } from "../src/core/proto.js";

const none = () => 0;
const DEC = "dec" as const;

export const x509af = defineProtocol({
  name: "X.509 Authentication Framework",
  abbrev: "x509af",
  dissect: none,
  fields: {
    signedCertificate: { abbrev: "x509af.signedCertificate_element", name: "signedCertificate", type: "none" },
    version: { abbrev: "x509af.version", name: "version", type: "int32", base: DEC, strings: { 0: "v1", 1: "v2", 2: "v3" } },
    serialNumber: { abbrev: "x509af.serialNumber", name: "serialNumber", type: "bytes" },
    signature: { abbrev: "x509af.signature_element", name: "signature", type: "none" },
    algorithmId: { abbrev: "x509af.algorithm.id", name: "Algorithm Id", type: "string", ftName: "FT_OID" },
    issuer: { abbrev: "x509af.issuer", name: "issuer", type: "uint32", base: DEC, strings: { 0: "rdnSequence" } },
    validity: { abbrev: "x509af.validity_element", name: "validity", type: "none" },
    notBefore: { abbrev: "x509af.notBefore", name: "notBefore", type: "uint32", base: DEC, strings: { 0: "utcTime", 1: "generalizedTime" } },
    notAfter: { abbrev: "x509af.notAfter", name: "notAfter", type: "uint32", base: DEC, strings: { 0: "utcTime", 1: "generalizedTime" } },
    utcTime: { abbrev: "x509af.utcTime", name: "utcTime", type: "string" },
    generalizedTime: { abbrev: "x509af.generalizedTime", name: "generalizedTime", type: "abs_time" },
    subject: { abbrev: "x509af.subject", name: "subject", type: "uint32", base: DEC, strings: { 0: "rdnSequence" } },
    rdnSequence: { abbrev: "x509af.rdnSequence", name: "rdnSequence", type: "uint32", base: DEC },
    spki: { abbrev: "x509af.subjectPublicKeyInfo_element", name: "subjectPublicKeyInfo", type: "none" },
    algorithm: { abbrev: "x509af.algorithm_element", name: "algorithm", type: "none" },
    subjectPublicKey: { abbrev: "x509af.subjectPublicKey", name: "subjectPublicKey", type: "bytes" },
    extensions: { abbrev: "x509af.extensions", name: "extensions", type: "uint32", base: DEC },
    extension: { abbrev: "x509af.Extension_element", name: "Extension", type: "none" },
    extensionId: { abbrev: "x509af.extension.id", name: "Extension Id", type: "string", ftName: "FT_OID" },
    critical: { abbrev: "x509af.critical", name: "critical", type: "bool", tfs: ["True", "False"] },
    algorithmIdentifier: { abbrev: "x509af.algorithmIdentifier_element", name: "algorithmIdentifier", type: "none" },
    encrypted: { abbrev: "x509af.encrypted", name: "encrypted", type: "bytes" },
  },
});

export const x509if = defineProtocol({
  name: "X.509 Information Framework",
  abbrev: "x509if",
  dissect: none,
  fields: {
    rdnSequence: { abbrev: "x509if.rdnSequence", name: "rdnSequence", type: "uint32", base: DEC },
    rdnItem: { abbrev: "x509if.RDNSequence_item", name: "RDNSequence item", type: "uint32", base: DEC },
    atvItem: { abbrev: "x509if.RelativeDistinguishedName_item_element", name: "RelativeDistinguishedName item", type: "none" },
    oid: { abbrev: "x509if.oid", name: "Object Id", type: "string", ftName: "FT_OID" },
  },
});

const DIRECTORY_STRING: Record<number, string> = { 0: "teletexString", 1: "printableString", 2: "universalString", 3: "bmpString", 4: "uTF8String" };

export const x509sat = defineProtocol({
  name: "X.509 Selected Attribute Types",
  abbrev: "x509sat",
  dissect: none,
  fields: {
    directoryString: { abbrev: "x509sat.DirectoryString", name: "DirectoryString", type: "uint32", base: DEC, strings: DIRECTORY_STRING },
    teletexString: { abbrev: "x509sat.teletexString", name: "teletexString", type: "string" },
    printableString: { abbrev: "x509sat.printableString", name: "printableString", type: "string" },
    universalString: { abbrev: "x509sat.universalString", name: "universalString", type: "string" },
    bmpString: { abbrev: "x509sat.bmpString", name: "bmpString", type: "string" },
    uTF8String: { abbrev: "x509sat.uTF8String", name: "uTF8String", type: "string" },
    countryName: { abbrev: "x509sat.CountryName", name: "CountryName", type: "string" },
    ia5String: { abbrev: "x509sat.IA5String", name: "IA5String", type: "string" },
  },
});

/** A named bit of a BIT STRING's first byte ("1... .... = digitalSignature: True"). */
const BIT = (abbrev: string, name: string, bitmask: number) => ({ abbrev, name, type: "bool" as const, bitmask, bits: 8, tfs: ["True", "False"] as const });
const KU = (abbrev: string, name: string, bitmask: number) => BIT(`x509ce.KeyUsage.${abbrev}`, name, bitmask);
const GENERAL_NAME: Record<number, string> = {
  0: "otherName", 1: "rfc822Name", 2: "dNSName", 3: "x400Address", 4: "directoryName", 5: "ediPartyName",
  6: "uniformResourceIdentifier", 7: "iPAddress", 8: "registeredID",
};

export const x509ce = defineProtocol({
  name: "X.509 Certificate Extensions",
  abbrev: "x509ce",
  dissect: none,
  fields: {
    basicConstraints: { abbrev: "x509ce.BasicConstraintsSyntax_element", name: "BasicConstraintsSyntax", type: "none" },
    cA: { abbrev: "x509ce.cA", name: "cA", type: "bool", tfs: ["True", "False"] },
    pathLen: { abbrev: "x509ce.pathLenConstraint", name: "pathLenConstraint", type: "uint64", base: DEC },
    keyUsage: { abbrev: "x509ce.KeyUsage", name: "KeyUsage", type: "bytes" },
    kuDigitalSignature: KU("digitalSignature", "digitalSignature", 0x80),
    kuContentCommitment: KU("contentCommitment", "contentCommitment", 0x40),
    kuKeyEncipherment: KU("keyEncipherment", "keyEncipherment", 0x20),
    kuDataEncipherment: KU("dataEncipherment", "dataEncipherment", 0x10),
    kuKeyAgreement: KU("keyAgreement", "keyAgreement", 0x08),
    kuKeyCertSign: KU("keyCertSign", "keyCertSign", 0x04),
    kuCRLSign: KU("cRLSign", "cRLSign", 0x02),
    kuEncipherOnly: KU("encipherOnly", "encipherOnly", 0x01),
    kuDecipherOnly: KU("decipherOnly", "decipherOnly", 0x80),
    keyPurposeIds: { abbrev: "x509ce.KeyPurposeIDs", name: "KeyPurposeIDs", type: "uint32", base: DEC },
    keyPurposeId: { abbrev: "x509ce.KeyPurposeId", name: "KeyPurposeId", type: "string", ftName: "FT_OID" },
    ski: { abbrev: "x509ce.SubjectKeyIdentifier", name: "SubjectKeyIdentifier", type: "bytes" },
    aki: { abbrev: "x509ce.AuthorityKeyIdentifier_element", name: "AuthorityKeyIdentifier", type: "none" },
    keyIdentifier: { abbrev: "x509ce.keyIdentifier", name: "keyIdentifier", type: "bytes" },
    authorityCertIssuer: { abbrev: "x509ce.authorityCertIssuer", name: "authorityCertIssuer", type: "uint32", base: DEC },
    authorityCertSerialNumber: { abbrev: "x509ce.authorityCertSerialNumber", name: "authorityCertSerialNumber", type: "bytes" },
    generalNames: { abbrev: "x509ce.GeneralNames", name: "GeneralNames", type: "uint32", base: DEC },
    generalName: { abbrev: "x509ce.GeneralName", name: "GeneralName", type: "uint32", base: DEC, strings: GENERAL_NAME },
    rfc822Name: { abbrev: "x509ce.rfc822Name", name: "rfc822Name", type: "string" },
    dNSName: { abbrev: "x509ce.dNSName", name: "dNSName", type: "string" },
    directoryName: { abbrev: "x509ce.directoryName", name: "directoryName", type: "uint32", base: DEC, strings: { 0: "rdnSequence" } },
    uri: { abbrev: "x509ce.uniformResourceIdentifier", name: "uniformResourceIdentifier", type: "string" },
    iPAddress: { abbrev: "x509ce.iPAddress", name: "iPAddress", type: "bytes" },
    crlDistPoints: { abbrev: "x509ce.CRLDistPointsSyntax", name: "CRLDistPointsSyntax", type: "uint32", base: DEC },
    distributionPointElement: { abbrev: "x509ce.DistributionPoint_element", name: "DistributionPoint", type: "none" },
    distributionPoint: { abbrev: "x509ce.distributionPoint", name: "distributionPoint", type: "uint32", base: DEC, strings: { 0: "fullName", 1: "nameRelativeToCRLIssuer" } },
    fullName: { abbrev: "x509ce.fullName", name: "fullName", type: "uint32", base: DEC },
    policies: { abbrev: "x509ce.CertificatePoliciesSyntax", name: "CertificatePoliciesSyntax", type: "uint32", base: DEC },
    policyInformation: { abbrev: "x509ce.PolicyInformation_element", name: "PolicyInformation", type: "none" },
    policyIdentifier: { abbrev: "x509ce.policyIdentifier", name: "policyIdentifier", type: "string", ftName: "FT_OID" },
    ipv4: { abbrev: "x509ce.IPAddress.ipv4", name: "iPAddress", type: "ipv4" },
    ipv6: { abbrev: "x509ce.IPAddress.ipv6", name: "iPAddress", type: "ipv6" },
  },
});

export const pkix1implicit = defineProtocol({
  name: "PKIX1Implitit",
  abbrev: "pkix1implicit",
  dissect: none,
  fields: {
    aia: { abbrev: "pkix1implicit.AuthorityInfoAccessSyntax", name: "AuthorityInfoAccessSyntax", type: "uint32", base: DEC },
    accessDescription: { abbrev: "pkix1implicit.AccessDescription_element", name: "AccessDescription", type: "none" },
    accessMethod: { abbrev: "pkix1implicit.accessMethod", name: "accessMethod", type: "string", ftName: "FT_OID" },
    // (a GeneralName choice, shown by number only, as tshark)
    accessLocation: { abbrev: "pkix1implicit.accessLocation", name: "accessLocation", type: "uint32", base: DEC },
  },
});

export const pkcs1 = defineProtocol({
  name: "PKCS#1",
  abbrev: "pkcs-1",
  dissect: none,
  fields: {
    ecParameters: { abbrev: "pkcs1.ECParameters", name: "ECParameters", type: "uint32", base: DEC, strings: { 0: "specifiedCurve", 1: "namedCurve", 2: "implicitCurve" } },
    namedCurve: { abbrev: "pkcs1.namedCurve", name: "namedCurve", type: "string", ftName: "FT_OID" },
    modulus: { abbrev: "pkcs1.modulus", name: "modulus", type: "bytes" },
    publicExponent: { abbrev: "pkcs1.publicExponent", name: "publicExponent", type: "int32", base: DEC },
  },
});

const NS = (abbrev: string, name: string, bitmask: number) => BIT(`ns.cert.exts.CertType.${abbrev}`, name, bitmask);

export const nsCertExts = defineProtocol({
  name: "NetScape Certificate Extensions",
  abbrev: "ns_cert_exts",
  dissect: none,
  fields: {
    certType: { abbrev: "ns_cert_exts.CertType", name: "CertType", type: "bytes" },
    sslClient: NS("ssl.client", "ssl-client", 0x80),
    sslServer: NS("ssl.server", "ssl-server", 0x40),
    smime: NS("smime", "smime", 0x20),
    objectSigning: NS("object.signing", "object-signing", 0x10),
    reserved: NS("reserved.for.future.use", "reserved-for-future-use", 0x08),
    sslCa: NS("ssl.ca", "ssl-ca", 0x04),
    smimeCa: NS("smime.ca", "smime-ca", 0x02),
    objectSigningCa: NS("object.signing.ca", "object-signing-ca", 0x01),
    comment: { abbrev: "ns_cert_exts.Comment", name: "Comment", type: "string" },
  },
});

export const ber = defineProtocol({
  name: "Basic Encoding Rules (ASN.1 X.690)",
  abbrev: "ber",
  dissect: none,
  fields: {
    padding: { abbrev: "ber.bitstring.padding", name: "Padding", type: "uint8", base: DEC },
  },
});

/** OID names as tshark's OID resolution prints them. */
const OIDS: Readonly<Record<string, string>> = {
  "1.2.840.113549.1.1.1": "rsaEncryption", "1.2.840.113549.1.1.4": "md5WithRSAEncryption", "1.2.840.113549.1.1.5": "sha1WithRSAEncryption",
  "1.2.840.113549.1.1.11": "sha256WithRSAEncryption", "1.2.840.113549.1.1.12": "sha384WithRSAEncryption",
  "1.2.840.113549.1.1.13": "sha512WithRSAEncryption", "1.2.840.10045.2.1": "id-ecPublicKey",
  "1.2.840.10045.4.3.2": "ecdsa-with-SHA256", "1.2.840.10045.4.3.3": "ecdsa-with-SHA384", "1.2.840.10045.4.3.4": "ecdsa-with-SHA512",
  "1.2.840.10045.3.1.7": "secp256r1", "1.3.132.0.34": "secp384r1", "1.3.132.0.35": "secp521r1",
  "2.5.4.3": "id-at-commonName", "2.5.4.4": "id-at-surname", "2.5.4.5": "id-at-serialNumber", "2.5.4.6": "id-at-countryName",
  "2.5.4.7": "id-at-localityName", "2.5.4.8": "id-at-stateOrProvinceName", "2.5.4.9": "id-at-streetAddress",
  "2.5.4.10": "id-at-organizationName", "2.5.4.11": "id-at-organizationalUnitName", "2.5.4.12": "id-at-title",
  "2.5.4.17": "id-at-postalCode", "2.5.4.41": "id-at-name", "2.5.4.42": "id-at-givenName", "1.2.840.113549.1.9.1": "pkcs-9-at-emailAddress",
  "2.5.29.14": "id-ce-subjectKeyIdentifier", "2.5.29.15": "id-ce-keyUsage", "2.5.29.17": "id-ce-subjectAltName",
  "2.5.29.19": "id-ce-basicConstraints", "2.5.29.31": "id-ce-cRLDistributionPoints", "2.5.29.32": "id-ce-certificatePolicies",
  "2.5.29.35": "id-ce-authorityKeyIdentifier", "2.5.29.37": "id-ce-extKeyUsage", "1.3.6.1.5.5.7.1.1": "id-pe-authorityInfoAccess",
  "2.16.840.1.113730.1.1": "ns_cert_exts.cert_type", "2.16.840.1.113730.1.13": "ns_cert_exts.comment",
  "1.3.6.1.5.5.7.3.1": "id-kp-serverAuth", "1.3.6.1.5.5.7.3.2": "id-kp-clientAuth", "1.3.6.1.5.5.7.3.3": "id-kp-codeSigning",
  "1.3.6.1.5.5.7.3.4": "id-kp-emailProtection", "1.3.6.1.5.5.7.3.8": "id-kp-timeStamping", "1.3.6.1.5.5.7.3.9": "id-kp-OCSPSigning",
  "1.3.6.1.5.5.7.48.1": "id-ad-ocsp", "1.3.6.1.5.5.7.48.2": "id-ad-caIssuers",
  "1.3.6.1.4.1.11129.2.4.2": "SignedCertificateTimestampList",
};

/** An OID without a name: tshark names its first arc ("iso.3.6.1.4.1.44947.1.1.1"). */
const ARC0: Readonly<Record<string, string>> = { 0: "itu-t", 1: "iso", 2: "joint-iso-itu-t" };
export const nameOf = (oid: string) => {
  const n = OIDS[oid];
  if (n !== undefined) return n;
  const dot = oid.indexOf(".");
  const a = ARC0[dot < 0 ? oid : oid.slice(0, dot)];
  return a === undefined ? oid : a + (dot < 0 ? "" : oid.slice(dot));
};
export const withName = (oid: string) => `${oid} (${nameOf(oid)})`;
