/**
 * X.509 certificate decoding for the TLS Certificate message, via the ASN.1 layer of
 * @peculiar/x509 (@peculiar/asn1-x509 + asn1-schema). Returns the values tshark's
 * x509af/x509sat fields show; null when the DER does not parse.
 */
import { createRequire } from "node:module";

// Loaded on the first certificate, not at start-up: the ASN.1 libraries take longer to
// load than nestcap needs to dissect a small capture.
type Asn1Schema = typeof import("@peculiar/asn1-schema");
type Asn1X509 = typeof import("@peculiar/asn1-x509");
let libs: { asn1Schema: Asn1Schema; asn1X509: Asn1X509 } | null = null;
function asn1(): { asn1Schema: Asn1Schema; asn1X509: Asn1X509 } {
  if (libs === null) {
    const require = createRequire(import.meta.url);
    libs = { asn1Schema: require("@peculiar/asn1-schema") as Asn1Schema, asn1X509: require("@peculiar/asn1-x509") as Asn1X509 };
  }
  return libs;
}

export interface CertInfo {
  version: number;
  serial: Uint8Array;
  /** Algorithm OIDs in tshark's order: TBS signature, SPKI algorithm, outer signature. */
  algorithms: string[];
  /** RDN attribute strings of issuer then subject, by ASN.1 string type. */
  utf8: string[];
  printable: string[];
  /** notBefore / notAfter: "utc" (UTCTime) or "gen" (GeneralizedTime) with the time. */
  validity: { kind: "utc" | "gen"; date: Date }[];
  subjectPublicKey: Uint8Array;
  extensionIds: string[];
  subject: string;
  issuer: string;
  /** The subject as tshark labels the Certificate item: last RDN first. */
  subjectLabel: string;
}

const ATTR_NAMES: Readonly<Record<string, string>> = {
  "2.5.4.3": "id-at-commonName", "2.5.4.6": "id-at-countryName", "2.5.4.7": "id-at-localityName",
  "2.5.4.8": "id-at-stateOrProvinceName", "2.5.4.10": "id-at-organizationName",
  "2.5.4.11": "id-at-organizationalUnitName", "1.2.840.113549.1.9.1": "pkcs-9-at-emailAddress",
  "2.5.4.41": "id-at-name", "2.5.4.4": "id-at-surname", "2.5.4.5": "id-at-serialNumber", "2.5.4.42": "id-at-givenName",
  "2.5.4.12": "id-at-title", "2.5.4.9": "id-at-streetAddress", "2.5.4.17": "id-at-postalCode",
};

type AsnValue = { utf8String?: string; printableString?: string; teletexString?: string; bmpString?: string; universalString?: string; ia5String?: string; toString(): string };
type AsnName = { type: string; value: AsnValue }[][];

const valueText = (v: AsnValue) => v.utf8String ?? v.printableString ?? v.teletexString ?? v.bmpString ?? v.universalString ?? "";

/** tshark's one-line text of a Name: the RDNs last first, "id-at-commonName=x,id-at-countryName=y". */
function tsharkNameLine(n: AsnName): string {
  const parts: string[] = [];
  for (let i = n.length - 1; i >= 0; i--)
    for (const atv of n[i]) parts.push(`${ATTR_NAMES[atv.type] ?? atv.type}=${atv.value.ia5String ?? valueText(atv.value)}`);
  return parts.join(",");
}

/** A DER-encoded Name (a CertificateRequest's CA names) as tshark's one-line text; "" when it does not parse. */
export function distinguishedName(der: Uint8Array): string {
  try {
    const { asn1Schema, asn1X509 } = asn1();
    return tsharkNameLine(asn1Schema.AsnParser.parse(der, asn1X509.Name) as unknown as AsnName);
  } catch {
    return "";
  }
}

function nameLine(n: AsnName, utf8: string[], printable: string[]): string {
  const parts: string[] = [];
  for (const rdn of n)
    for (const atv of rdn) {
      const v = atv.value;
      if (v.utf8String !== undefined) utf8.push(v.utf8String);
      else if (v.printableString !== undefined) printable.push(v.printableString);
      const s = valueText(v);
      parts.push(`${ATTR_NAMES[atv.type] ?? atv.type}=${s}`);
    }
  return parts.join(",");
}

export function decodeCert(der: Uint8Array): CertInfo | null {
  try {
    const { asn1Schema, asn1X509 } = asn1();
    const c = asn1Schema.AsnParser.parse(der, asn1X509.Certificate);
    const t = c.tbsCertificate;
    const utf8: string[] = [];
    const printable: string[] = [];
    const issuer = nameLine(t.issuer as unknown as AsnName, utf8, printable);
    const subject = nameLine(t.subject as unknown as AsnName, utf8, printable);
    const time = (x: { utcTime?: Date; generalTime?: Date }) =>
      x.utcTime !== undefined ? { kind: "utc" as const, date: x.utcTime } : { kind: "gen" as const, date: x.generalTime ?? new Date(0) };
    return {
      version: t.version,
      serial: new Uint8Array(t.serialNumber),
      algorithms: [t.signature.algorithm, t.subjectPublicKeyInfo.algorithm.algorithm, c.signatureAlgorithm.algorithm],
      utf8,
      printable,
      validity: [time(t.validity.notBefore), time(t.validity.notAfter)],
      subjectPublicKey: new Uint8Array(t.subjectPublicKeyInfo.subjectPublicKey),
      extensionIds: (t.extensions ?? []).map((e) => e.extnID),
      subject,
      issuer,
      subjectLabel: tsharkNameLine(t.subject as unknown as AsnName),
    };
  } catch {
    return null;
  }
}

/** tshark's UTCTime text: "2026-11-25 10:29:00 (UTC)". */
export function utcTimeText(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} (UTC)`;
}
