/**
 * DNS wire-format helpers shared by dns.ts, mdns.ts and llmnr.ts: value tables,
 * name expansion (with Wireshark 4.0's exact loop / length rules), text formatting,
 * and the RDATA decoders for each RR type. No protocol is defined here; dns.ts
 * registers the fields (RR_FIELDS below) and calls dissectRdata().
 */
import type { FieldSpec } from "../src/core/field.js";
import type { PacketInfo } from "../src/core/pinfo.js";
import type { Item } from "../src/core/tree.js";
import { BoundsError, type Tvb } from "../src/core/tvb.js";
import { ipv4ToString, ipv6ToString, labelText } from "../src/core/format.js";
import type { DnsFields } from "./dns.js";

// ───────────────────────────────────────────────────────────── value tables

/** dns_types_vals: short names (Info column, item labels). Note 253/254 are swapped as in Wireshark 4.0. */
export const TYPE_SHORT: Readonly<Record<number, string>> = {
  0: "Unused", 1: "A", 2: "NS", 3: "MD", 4: "MF", 5: "CNAME", 6: "SOA", 7: "MB", 8: "MG", 9: "MR", 10: "NULL",
  11: "WKS", 12: "PTR", 13: "HINFO", 14: "MINFO", 15: "MX", 16: "TXT", 17: "RP", 18: "AFSDB", 19: "X25",
  20: "ISDN", 21: "RT", 22: "NSAP", 23: "NSAP-PTR", 24: "SIG", 25: "KEY", 26: "PX", 27: "GPOS", 28: "AAAA",
  29: "LOC", 30: "NXT", 31: "EID", 32: "NIMLOC", 33: "SRV", 34: "ATMA", 35: "NAPTR", 36: "KX", 37: "CERT",
  38: "A6", 39: "DNAME", 40: "SINK", 41: "OPT", 42: "APL", 43: "DS", 44: "SSHFP", 45: "IPSECKEY", 46: "RRSIG",
  47: "NSEC", 48: "DNSKEY", 49: "DHCID", 50: "NSEC3", 51: "NSEC3PARAM", 52: "TLSA", 55: "HIP", 57: "RKEY",
  58: "TALINK", 59: "CDS", 60: "CDNSKEY", 61: "OPENPGPKEY", 62: "CSYNC", 63: "ZONEMD", 64: "SVCB", 65: "HTTPS",
  99: "SPF", 100: "UINFO", 101: "UID", 102: "GID", 103: "UNSPEC", 104: "NID", 105: "L32", 106: "L64", 107: "LP",
  108: "EUI48", 109: "EUI64", 249: "TKEY", 250: "TSIG", 251: "IXFR", 252: "AXFR", 253: "MAILA", 254: "MAILB",
  255: "ANY", 256: "URI", 257: "CAA", 32768: "TA", 32769: "DLV", 65281: "WINS", 65282: "WINS-R", 65422: "XPF",
};

/** dns_types_description_vals: the value string of dns.qry.type / dns.resp.type. */
export const TYPE_DESC: Readonly<Record<number, string>> = {
  0: "Unused", 1: "A (Host Address)", 2: "NS (authoritative Name Server)", 3: "MD (Mail Destination)",
  4: "MF (Mail Forwarder)", 5: "CNAME (Canonical NAME for an alias)", 6: "SOA (Start Of a zone of Authority)",
  7: "MB (MailBox domain name)", 8: "MG (Mail Group member)", 9: "MR (Mail Rename domain)", 10: "NULL RR",
  11: "WKS (Well Known Service)", 12: "PTR (domain name PoinTeR)", 13: "HINFO (host information)",
  14: "MINFO (Mailbox or mail list information)", 15: "MX (Mail eXchange)", 16: "TXT (Text strings)",
  17: "RP (Responsible Person)", 18: "AFSDB (AFS Data Base location)", 19: "X25 (XX.25 PSDN address)",
  20: "ISDN (ISDN address)", 21: "RT (Route Through)", 22: "NSAP (NSAP address)",
  23: "NSAP-PTR (NSAP domain name pointer)", 24: "SIG (security signature)", 25: "KEY (security key)",
  26: "PX (X.400 mail mapping information)", 27: "GPOS (Geographical Position)", 28: "AAAA (IPv6 Address)",
  29: "LOC (Location Information)", 30: "NXT (Next Domain)", 31: "EID (Endpoint Identifier)",
  32: "NIMLOC (Nimrod Locator)", 33: "SRV (Server Selection)", 34: "ATMA (ATM Address)",
  35: "NAPTR (Naming Authority Pointer)", 36: "KX (Key Exchanger)", 37: "CERT", 38: "A6 (OBSOLETE - use AAAA)",
  39: "DNAME", 40: "SINK", 41: "OPT", 42: "APL", 43: "DS (Delegation Signer)", 44: "SSHFP (SSH Key Fingerprint)",
  45: "IPSECKEY", 46: "RRSIG (Resource Record Signature)", 47: "NSEC (Next Secure)", 48: "DNSKEY (DNS Public Key)",
  49: "DHCID", 50: "NSEC3", 51: "NSEC3PARAM", 52: "TLSA", 55: "HIP (Host Identity Protocol)", 57: "RKEY",
  58: "TALINK (Trust Anchor LINK)", 59: "CDS (Child DS)", 60: "CDNSKEY (DNSKEY(s) the Child wants reflected in DS)",
  61: "OPENPGPKEY (OpenPGP Key)", 62: "CSYNC (Child-to-Parent Synchronization)", 63: "ZONEMD",
  64: "SVCB (General Purpose Service Endpoints)", 65: "HTTPS (HTTPS Specific Service Endpoints)", 99: "SPF",
  100: "UINFO", 101: "UID", 102: "GID", 103: "UNSPEC", 104: "NID (NodeID)", 105: "L32 (Locator32)",
  106: "L64 (Locator64)", 107: "LP (Locator FQDN)", 108: "EUI48", 109: "EUI64", 249: "TKEY (Transaction Key)",
  250: "TSIG (Transaction Signature)", 251: "IXFR (incremental transfer)", 252: "AXFR (transfer of an entire zone)",
  253: "MAILB (mailbox-related RRs)", 254: "MAILA (mail agent RRs)",
  255: "* (A request for all records the server/cache has available)", 256: "URI",
  257: "CAA (Certification Authority Restriction)", 32768: "TA (DNSSEC Trust Authorities)",
  32769: "DLV (DNSSEC Lookaside Validation)", 65281: "WINS", 65282: "WINS-R", 65422: "XPF",
};

export const CLASSES: Readonly<Record<number, string>> = { 1: "IN", 2: "CS", 3: "CH", 4: "HS", 254: "NONE", 255: "ANY" };
export const OPCODES: Readonly<Record<number, string>> = {
  0: "Standard query", 1: "Inverse query", 2: "Server status request", 4: "Zone change notification",
  5: "Dynamic update", 6: "DNS Stateful operations (DSO)",
};
export const RCODES: Readonly<Record<number, string>> = {
  0: "No error", 1: "Format error", 2: "Server failure", 3: "No such name", 4: "Not implemented", 5: "Refused",
  6: "Name exists", 7: "RRset exists", 8: "RRset does not exist", 9: "Not authoritative", 10: "Name out of zone",
  11: "DSO-Type not implemented", 16: "Bad OPT Version or TSIG Signature Failure", 17: "Key not recognized",
  18: "Signature out of time window", 19: "Bad TKEY Mode", 20: "Duplicate key name", 21: "Algorithm not supported",
  22: "Bad Truncation", 23: "Bad/missing Server Cookie",
};
export const OPT_CODES: Readonly<Record<number, string>> = {
  0: "Reserved", 1: "LLQ - Long-lived query", 2: "UL - Update lease", 3: "NSID - Name Server Identifier",
  4: "Owner (reserved)", 5: "DAU - DNSSEC Algorithm Understood (RFC6975)", 6: "DHU - DS Hash Understood (RFC6975)",
  7: "N3U - NSEC3 Hash Understood (RFC6975)", 8: "CSUBNET - Client subnet", 9: "EDNS EXPIRE (RFC7314)",
  10: "COOKIE", 11: "EDNS TCP Keepalive", 12: "PADDING", 13: "CHAIN", 15: "Extended DNS Error",
  20730: "Experimental - CSUBNET - Client subnet",
};
const DNSSEC_ALGOS: Readonly<Record<number, string>> = {
  1: "RSA/MD5", 2: "Diffie-Hellman", 3: "DSA", 4: "Elliptic curve crypto", 5: "RSA/SHA1", 6: "DSA + NSEC3/SHA1",
  7: "RSA/SHA1 + NSEC3/SHA1", 8: "RSA/SHA-256", 10: "RSA/SHA-512", 12: "GOST R 34.10-2001",
  13: "ECDSA Curve P-256 with SHA-256", 14: "ECDSA Curve P-386 with SHA-386", 15: "Ed25519", 16: "Ed448",
  157: "HMAC/MD5", 252: "Indirect key", 253: "Private, domain name", 254: "Private, OID",
};
const DS_DIGESTS: Readonly<Record<number, string>> = { 0: "Reserved digest", 1: "SHA-1", 2: "SHA-256", 3: "GOST R 34.11-94", 4: "SHA-384" };
const NSEC3_HASHES: Readonly<Record<number, string>> = { 0: "Reserved", 1: "SHA-1" };
const SSHFP_ALGOS: Readonly<Record<number, string>> = { 0: "Reserved", 1: "RSA", 2: "DSA", 3: "ECDSA", 4: "Ed25519", 5: "XMSS" };
const SSHFP_FP: Readonly<Record<number, string>> = { 0: "Reserved", 1: "SHA1", 2: "SHA256" };
const TLSA_USAGE: Readonly<Record<number, string>> = {
  0: "CA constraint (PKIX-TA)", 1: "Service certificate constraint (PKIX-EE)",
  2: "Trust anchor assertion (DANE-TA)", 3: "Domain-issued certificate (DANE-EE)",
};
const TLSA_SELECTOR: Readonly<Record<number, string>> = { 0: "Full certificate (Cert)", 1: "SubjectPublicKeyInfo (SPKI)" };
const TLSA_MATCHING: Readonly<Record<number, string>> = {
  0: "No Hash Used (Full)", 1: "256 bit hash by SHA2 (SHA2-256)", 2: "512 bit hash by SHA2 (SHA2-512)",
};
const CERT_TYPES: Readonly<Record<number, string>> = {
  1: "PKIX", 2: "SPKI", 3: "PGP", 4: "IPKIX", 5: "ISPKI", 6: "IPGP", 7: "ACPKIX", 8: "IACPKIX", 253: "Private, URI", 254: "Private, OID",
};
const AFAMILY: Readonly<Record<number, string>> = { 1: "IPv4", 2: "IPv6" };
const GW_ALGO: Readonly<Record<number, string>> = { 1: "DSA", 2: "RSA" };
const GW_TYPE: Readonly<Record<number, string>> = { 0: "No Gateway", 1: "IPv4 Gateway", 2: "IPv6 Gateway", 3: "DNS Gateway" };
const TKEY_MODES: Readonly<Record<number, string>> = { 1: "Server assigned", 2: "Diffie Hellman", 3: "GSSAPI", 4: "Resolver assigned", 5: "Delete" };
export const SVCB_KEYS: Readonly<Record<number, string>> = {
  0: "mandatory", 1: "alpn", 2: "no-default-alpn", 3: "port", 4: "ipv4hint", 5: "echconfig", 6: "ipv6hint",
  32769: "odohconfig", 65535: "key65535",
};
const HIP_ALGO: Readonly<Record<number, string>> = { 0: "Reserved", 1: "DSA", 2: "RSA" };
const EXT_ERR: readonly string[] = [
  "Other Error", "Unsupported DNSKEY Algorithm", "Unsupported DS Digest Type", "Stale Answer", "Forged Answer",
  "DNSSEC Indeterminate", "DNSSEC Bogus", "Signature Expired", "Signature Not Yet Valid", "DNSKEY Missing",
  "RRSIGs Missing", "No Zone Key Bit Set", "NSEC Missing", "Cached Error", "Not Ready", "Blocked", "Censored",
  "Filtered", "Prohibited", "Stale NXDomain Answer", "Not Authoritative", "Not Supported",
  "No Reachable Authority", "Network Error", "Invalid Data", "Signature Expired before Valid", "Too Early",
  "Unsupported NSEC3 Iterations Value", "Unable to conform to policy", "Synthesized",
];
function extErrName(v: number): string {
  if (v < EXT_ERR.length) return EXT_ERR[v];
  return v < 49152 ? "Unassigned" : "Reserved for Private Use";
}

export function typeShort(t: number): string {
  return TYPE_SHORT[t] ?? `Unknown (${t})`;
}
function typeDesc(t: number): string {
  return TYPE_DESC[t] ?? `Unknown (${t})`;
}

// ──────────────────────────────────────────────────────────────── text helpers

const ESC: Record<number, string> = { 7: "\\a", 8: "\\b", 12: "\\f", 10: "\\n", 13: "\\r", 9: "\\t", 11: "\\v" };

/**
 * Wireshark's format_text() over a "byte string" (one char per byte, 0..255):
 * printable ASCII as is, C escapes / \ooo for other ASCII, valid UTF-8 kept,
 * invalid bytes as U+FFFD.
 */
export function formatBytesText(raw: string, len = raw.length): string {
  let plain = true;
  for (let i = 0; i < len; i++) {
    const c = raw.charCodeAt(i);
    if (c < 0x20 || c >= 0x7f) { plain = false; break; }
  }
  if (plain) return len === raw.length ? raw : raw.slice(0, len);
  let out = "";
  for (let i = 0; i < len; ) {
    const c = raw.charCodeAt(i);
    if (c >= 0x20 && c < 0x7f) { out += raw[i]; i++; continue; }
    if (c < 0x80) {
      out += ESC[c] ?? "\\" + c.toString(8).padStart(3, "0");
      i++;
      continue;
    }
    // UTF-8 sequence?
    let n = 0, cp = 0;
    if (c >= 0xc2 && c <= 0xdf) { n = 1; cp = c & 0x1f; }
    else if (c >= 0xe0 && c <= 0xef) { n = 2; cp = c & 0x0f; }
    else if (c >= 0xf0 && c <= 0xf4) { n = 3; cp = c & 0x07; }
    let ok = n > 0 && i + n < len + 0 + 1 && i + n <= len - 0;
    if (ok) {
      for (let k = 1; k <= n; k++) {
        const d = raw.charCodeAt(i + k);
        if ((d & 0xc0) !== 0x80) { ok = false; break; }
        cp = (cp << 6) | (d & 0x3f);
      }
    }
    if (ok && ((n === 2 && cp < 0x800) || (n === 3 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))) ok = false;
    if (ok && cp >= 0xa0) {
      out += String.fromCodePoint(cp);
      i += n + 1;
    } else {
      out += "\ufffd";
      i++;
    }
  }
  return out;
}

/** tvb_get_string_enc(ENC_ASCII): bytes ≥ 0x80 become U+FFFD; the C string ends at a NUL. */
export function asciiString(tvb: Tvb, o: number, n: number): string {
  const b = tvb.bytes(o, n);
  let s = "";
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    if (c === 0) break;
    s += c < 0x80 ? String.fromCharCode(c) : "\ufffd";
  }
  return s;
}

const UTF8 = new TextDecoder("utf-8", { fatal: false });
/** tvb_get_string_enc(ENC_UTF_8): invalid sequences become U+FFFD; ends at a NUL. */
export function utf8String(tvb: Tvb, o: number, n: number): string {
  const b = tvb.bytes(o, n);
  const z = b.indexOf(0);
  return UTF8.decode(z < 0 ? b : b.subarray(0, z));
}

/** unsigned_time_secs_to_str: "1 hour, 15 minutes", "0 seconds". */
export function timeSecsToStr(v: number): string {
  if (v === 0) return "0 seconds";
  const secs = v % 60;
  v = Math.floor(v / 60);
  const mins = v % 60;
  v = Math.floor(v / 60);
  const hours = v % 24;
  const days = Math.floor(v / 24);
  const parts: string[] = [];
  if (days) parts.push(`${days} day${days === 1 ? "" : "s"}`);
  if (hours) parts.push(`${hours} hour${hours === 1 ? "" : "s"}`);
  if (mins) parts.push(`${mins} minute${mins === 1 ? "" : "s"}`);
  if (secs) parts.push(`${secs} second${secs === 1 ? "" : "s"}`);
  return parts.join(", ");
}

/** C's %g (6 significant digits). */
export function fmtG(x: number): string {
  if (x === 0) return "0";
  if (!isFinite(x)) return String(x);
  const exp = Math.floor(Math.log10(Math.abs(x)));
  if (exp < -4 || exp >= 6) {
    let m = x.toExponential(5);
    m = m.replace(/\.?0+e/, "e");
    return m.replace(/e([+-])(\d)$/, "e$10$2");
  }
  let s = x.toFixed(Math.max(0, 5 - exp));
  if (s.includes(".")) s = s.replace(/\.?0+$/, "");
  return s;
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
function base64(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i += 3) {
    const n = (b[i] << 16) | ((b[i + 1] ?? 0) << 8) | (b[i + 2] ?? 0);
    s += B64[(n >> 18) & 63] + B64[(n >> 12) & 63] + (i + 1 < b.length ? B64[(n >> 6) & 63] : "=") + (i + 2 < b.length ? B64[n & 63] : "=");
  }
  return s;
}

// ──────────────────────────────────────────────────────────────── names

/** Result of reading one (possibly compressed) name. */
export interface DnsName {
  /** The expanded name as a byte string (or a "<…>" marker), first `len` chars valid. */
  raw: string;
  /** Wireshark's name_len (what dns.qry.name.len shows). */
  len: number;
  /** Bytes the name occupies at its position (up to and including the first pointer). */
  used: number;
  /** format_text(raw, len): the displayed name. */
  text: string;
}

const MAX_DNAME_LEN = 255;
const LOOP = "<Name contains a pointer that loops>";
const TOO_LONG = "<Name too long>";
const UNKNOWN_EXT = "<Unknown extended label>";

function special(s: string, used: number): DnsName {
  return { raw: s, len: s.length, used, text: s };
}

/**
 * expand_dns_name + get_dns_name (Wireshark 4.0). Offsets are relative to `tvb`;
 * pointers are relative to `dnsOff` (the start of the DNS message in `tvb`).
 * Terminates on any input: a pointer chain longer than 255 is reported as a loop.
 * Reserved label types (0x80) and bad names throw a (reported) bounds error, as
 * Wireshark does (the layer is then marked "[Malformed Packet]").
 */
export function readName(tvb: Tvb, offset: number, dnsOff: number, maxLen = 0): DnsName {
  const start = offset;
  let np = "";
  let nameLen = 0;
  let len = -1;
  let pointers = 0;
  let maxname = MAX_DNAME_LEN;
  const minLen = 1;
  for (;;) {
    if (maxLen && offset - start > maxLen - 1) break;
    let component = tvb.u8(offset);
    offset++;
    if (component === 0) break;
    switch (component & 0xc0) {
      case 0x00:
        if (np.length !== 0) {
          if (maxname > 0) { np += "."; nameLen++; maxname--; }
        } else maxname--;
        while (component > 0) {
          if (maxLen && offset - start > maxLen - 1) throw new BoundsError(true);
          const ch = tvb.u8(offset);
          if (maxname > 0) { np += String.fromCharCode(ch); nameLen++; maxname--; }
          component--;
          offset++;
        }
        break;
      case 0x40:
        if ((component & 0x3f) === 0x01) {
          // Bitstring label (RFC 2673): printed into the buffer but not counted in name_len.
          const bitCount = tvb.u8(offset);
          offset++;
          let labelLen = Math.floor((bitCount - 1) / 8) + 1;
          const put = (s: string) => {
            if (maxname > 0) {
              if (s.length <= maxname) { np += s; maxname -= s.length; } else maxname = 0;
            }
          };
          put("\\[x");
          while (labelLen-- > 0) {
            put(tvb.u8(offset).toString(16).padStart(2, "0"));
            offset++;
          }
          put(`/${bitCount}]`);
        } else {
          const l = offset - start;
          if (l < minLen) throw new BoundsError(true);
          return finish(special(UNKNOWN_EXT, l));
        }
        break;
      case 0x80:
        throw new BoundsError(true);
      case 0xc0: {
        const indir = dnsOff + (((component & 0x3f) << 8) | tvb.u8(offset));
        offset++;
        pointers++;
        if (len < 0) len = offset - start;
        // (Wireshark's "trivial loop" test compares with offset + 2, which never matches a
        // self-pointer; the pointer count catches every loop.)
        if (indir === offset + 2 || pointers > MAX_DNAME_LEN) {
          if (len < minLen) throw new BoundsError(true);
          return finish(special(LOOP, len));
        }
        offset = indir;
        break;
      }
    }
  }
  let res: DnsName;
  if (maxname > 0) res = { raw: np, len: nameLen, used: 0, text: "" };
  else res = special(TOO_LONG, 0);
  if (len < 0) len = offset - start;
  res.used = len;
  return finish(res);
}

/** get_dns_name's checks on top of expand_dns_name. */
function finish(n: DnsName): DnsName {
  // "**name == '\0'": nothing was written, or the name starts with a NUL byte
  const first = n.raw.length === 0 ? 0 : n.raw.charCodeAt(0);
  if (first === 0 && n.used <= 2) return { raw: "<Root>", len: 6, used: n.used, text: "<Root>" };
  if (n.used < 2 || (n.used > 2 && n.len === 0)) throw new BoundsError(true);
  if (n.text === "") n.text = formatBytesText(n.raw, n.len);
  return n;
}

/** qname_labels_count over the first len chars of the raw name. */
export function labelCount(n: DnsName): number {
  if (n.len <= 1) return 0;
  let labels = 1;
  for (let i = 0; i < n.len && i < n.raw.length; i++) if (n.raw.charCodeAt(i) === 0x2e) labels++;
  return labels;
}

// ──────────────────────────────────────────────────────────────── RDATA fields

const U8 = "uint8" as const, U16 = "uint16" as const, U32 = "uint32" as const, S = "string" as const, B = "bytes" as const;

export const RR_FIELDS = {
  a: { abbrev: "dns.a", name: "Address", type: "ipv4" },
  md: { abbrev: "dns.md", name: "Mail Destination", type: S },
  mf: { abbrev: "dns.mf", name: "Mail Forwarder", type: S },
  mb: { abbrev: "dns.mb", name: "MailBox Domaine", type: S },
  mg: { abbrev: "dns.mg", name: "Mail Group member", type: S },
  mr: { abbrev: "dns.mr", name: "Mail Rename domaine", type: S },
  null: { abbrev: "dns.null", name: "Null (data)", type: B },
  aaaa: { abbrev: "dns.aaaa", name: "AAAA Address", type: "ipv6" },
  cname: { abbrev: "dns.cname", name: "CNAME", type: S },
  ns: { abbrev: "dns.ns", name: "Name Server", type: S },
  soaMname: { abbrev: "dns.soa.mname", name: "Primary name server", type: S },
  soaRname: { abbrev: "dns.soa.rname", name: "Responsible authority's mailbox", type: S },
  soaSerial: { abbrev: "dns.soa.serial_number", name: "Serial Number", type: U32 },
  soaRefresh: { abbrev: "dns.soa.refresh_interval", name: "Refresh Interval", type: U32 },
  soaRetry: { abbrev: "dns.soa.retry_interval", name: "Retry Interval", type: U32 },
  soaExpire: { abbrev: "dns.soa.expire_limit", name: "Expire limit", type: U32 },
  soaMinimum: { abbrev: "dns.soa.minimum_ttl", name: "Minimum TTL", type: U32 },
  ptr: { abbrev: "dns.ptr.domain_name", name: "Domain Name", type: S },
  wksAddress: { abbrev: "dns.wks.address", name: "Address", type: "ipv4" },
  wksProtocol: { abbrev: "dns.wks.protocol", name: "Protocol", type: U8 },
  wksBits: { abbrev: "dns.wks.bits", name: "Bits", type: U8, base: "hex" },
  hinfoCpuLen: { abbrev: "dns.hinfo.cpu_length", name: "CPU Length", type: U8 },
  hinfoCpu: { abbrev: "dns.hinfo.cpu", name: "CPU", type: S },
  hinfoOsLen: { abbrev: "dns.hinfo.os_length", name: "OS Length", type: U8 },
  hinfoOs: { abbrev: "dns.hinfo.os", name: "OS", type: S },
  minfoR: { abbrev: "dns.minfo.r", name: "Responsible Mailbox", type: S },
  minfoE: { abbrev: "dns.minfo.e", name: "Error Mailbox", type: S },
  mxPref: { abbrev: "dns.mx.preference", name: "Preference", type: U16 },
  mxExchange: { abbrev: "dns.mx.mail_exchange", name: "Mail Exchange", type: S },
  txtLen: { abbrev: "dns.txt.length", name: "TXT Length", type: U8 },
  txt: { abbrev: "dns.txt", name: "TXT", type: S },
  rpMailbox: { abbrev: "dns.rp.mailbox", name: "Mailbox", type: S },
  rpTxt: { abbrev: "dns.rp.txt_rr", name: "TXT RR", type: S },
  afsdbSubtype: { abbrev: "dns.afsdb.subtype", name: "Subtype", type: U16 },
  afsdbHost: { abbrev: "dns.afsdb.hostname", name: "Hostname", type: S },
  x25Len: { abbrev: "dns.x25.length", name: "Length", type: U8 },
  x25Addr: { abbrev: "dns.x25.psdn_address", name: "PSDN-Address", type: S },
  isdnLen: { abbrev: "dns.idsn.length", name: "Length", type: U8 },
  isdnAddr: { abbrev: "dns.idsn.address", name: "ISDN Address", type: S },
  isdnSaLen: { abbrev: "dns.idsn.sa.length", name: "Length", type: U8 },
  isdnSa: { abbrev: "dns.idsn.sa.address", name: "Sub Address", type: S },
  rtPref: { abbrev: "dns.rt.subtype", name: "Preference", type: U16 },
  rtHost: { abbrev: "dns.rt.intermediate_host", name: "Intermediate Hostname", type: S },
  nsap: { abbrev: "dns.nsap.rdata", name: "NSAP Data", type: B },
  nsapPtr: { abbrev: "dns.nsap_ptr.owner", name: "Owner", type: S },
  keyFlags: { abbrev: "dns.key.flags", name: "Flags", type: U16, base: "hex" },
  keyAuth: { abbrev: "dns.key.flags.authentication", name: "Key allowed for authentication", type: "bool", bits: 16, bitmask: 0x8000, tfs: ["Set", "Not set"] },
  keyConf: { abbrev: "dns.key.flags.confidentiality", name: "Key allowed for confidentiality", type: "bool", bits: 16, bitmask: 0x4000, tfs: ["Set", "Not set"] },
  keyReq: { abbrev: "dns.key.flags.required", name: "Key required", type: "bool", bits: 16, bitmask: 0x2000, tfs: ["Set", "Not set"] },
  keyUser: { abbrev: "dns.key.flags.associated_user", name: "Key is associated with a user", type: "bool", bits: 16, bitmask: 0x400, tfs: ["Set", "Not set"] },
  keyEntity: { abbrev: "dns.key.flags.associated_named_entity", name: "Key is associated with the named entity", type: "bool", bits: 16, bitmask: 0x200, tfs: ["Set", "Not set"] },
  keyIpsec: { abbrev: "dns.key.flags.ipsec", name: "Key use with IPSEC", type: "bool", bits: 16, bitmask: 0x80, tfs: ["Set", "Not set"] },
  keyMime: { abbrev: "dns.key.flags.mime", name: "Key use with MIME security multiparts", type: "bool", bits: 16, bitmask: 0x40, tfs: ["Set", "Not set"] },
  keySignatory: { abbrev: "dns.key.flags.signatory", name: "Signatory", type: U16, bits: 16, bitmask: 0xf },
  keyProtocol: { abbrev: "dns.key.protocol", name: "Protocol", type: U8 },
  keyAlgorithm: { abbrev: "dns.key.algorithm", name: "Algorithm", type: U8, strings: DNSSEC_ALGOS },
  keyId: { abbrev: "dns.key.key_id", name: "Key ID", type: U16 },
  keyPublic: { abbrev: "dns.key.public_key", name: "Public Key", type: B },
  pxPref: { abbrev: "dns.px.preference", name: "Preference", type: U16 },
  px822: { abbrev: "dns.px.map822", name: "MAP822", type: S },
  px400: { abbrev: "dns.px.map400", name: "MAPX400", type: S },
  gposLongLen: { abbrev: "dns.gpos.longitude_length", name: "Longitude length", type: U8 },
  gposLong: { abbrev: "dns.gpos.longitude", name: "Longitude", type: S },
  gposLatLen: { abbrev: "dns.gpos.latitude_length", name: "Latitude length", type: U8 },
  gposLat: { abbrev: "dns.gpos.latitude", name: "Latitude", type: S },
  gposAltLen: { abbrev: "dns.gpos.altitude_length", name: "Altitude length", type: U8 },
  gposAlt: { abbrev: "dns.gpos.altitude", name: "Altitude", type: S },
  locVersion: { abbrev: "dns.loc.version", name: "Version", type: U8 },
  locSize: { abbrev: "dns.loc.size", name: "Size", type: U8 },
  locHp: { abbrev: "dns.loc.horizontal_precision", name: "Horizontal Precision", type: U8 },
  locVp: { abbrev: "dns.loc.vertical_precision", name: "Vertical Precision", type: U8 },
  locLat: { abbrev: "dns.loc.latitude", name: "Latitude", type: U32 },
  locLong: { abbrev: "dns.loc.longitude", name: "Longitude", type: U32 },
  locAlt: { abbrev: "dns.loc.altitude", name: "Altitude", type: U32 },
  locUnknown: { abbrev: "dns.loc.unknown_data", name: "Unknown data", type: B },
  nxtNext: { abbrev: "dns.nxt.next_domain_name", name: "Next Domain Name", type: S },
  srvPriority: { abbrev: "dns.srv.priority", name: "Priority", type: U16 },
  srvWeight: { abbrev: "dns.srv.weight", name: "Weight", type: U16 },
  srvPort: { abbrev: "dns.srv.port", name: "Port", type: U16 },
  srvTarget: { abbrev: "dns.srv.target", name: "Target", type: S },
  naptrOrder: { abbrev: "dns.naptr.order", name: "Order", type: U16 },
  naptrPref: { abbrev: "dns.naptr.preference", name: "Preference", type: U16 },
  naptrFlagsLen: { abbrev: "dns.naptr.flags_length", name: "Flags Length", type: U8 },
  naptrFlags: { abbrev: "dns.naptr.flags", name: "Flags", type: S },
  naptrServiceLen: { abbrev: "dns.naptr.service_length", name: "Service Length", type: U8 },
  naptrService: { abbrev: "dns.naptr.service", name: "Service", type: S },
  naptrRegexLen: { abbrev: "dns.naptr.regex_length", name: "Regex Length", type: U8 },
  naptrRegex: { abbrev: "dns.naptr.regex", name: "Regex", type: S },
  naptrReplLen: { abbrev: "dns.naptr.replacement_length", name: "Replacement Length", type: U8 },
  naptrRepl: { abbrev: "dns.naptr.replacement", name: "Replacement", type: S },
  kxPref: { abbrev: "dns.kx.preference", name: "Preference", type: U16 },
  kxExchange: { abbrev: "dns.kx.key_exchange", name: "Key Exchange", type: S },
  certType: { abbrev: "dns.cert.type", name: "Type", type: U16, strings: CERT_TYPES },
  certKeyTag: { abbrev: "dns.cert.key_tag", name: "Key Tag", type: U16, base: "hex" },
  certAlgorithm: { abbrev: "dns.cert.algorithm", name: "Algorithm", type: U8, strings: DNSSEC_ALGOS },
  certCert: { abbrev: "dns.cert.certificate", name: "Certificate (or CRL)", type: B },
  a6PrefixLen: { abbrev: "dns.a6.prefix_len", name: "Prefix len", type: U8 },
  a6Suffix: { abbrev: "dns.a6.address_suffix", name: "Address Suffix", type: "ipv6" },
  a6PrefixName: { abbrev: "dns.a6.prefix_name", name: "Prefix name", type: S },
  dname: { abbrev: "dns.dname", name: "Dname", type: S },
  opt: { abbrev: "dns.opt", name: "Option", type: "none" },
  optCode: { abbrev: "dns.opt.code", name: "Option Code", type: U16, strings: OPT_CODES },
  optLen: { abbrev: "dns.opt.len", name: "Option Length", type: U16 },
  optData: { abbrev: "dns.opt.data", name: "Option Data", type: B },
  optDau: { abbrev: "dns.opt.dau", name: "DAU", type: U8, strings: DNSSEC_ALGOS },
  optDhu: { abbrev: "dns.opt.dhu", name: "DHU", type: U8, strings: DS_DIGESTS },
  optN3u: { abbrev: "dns.opt.n3u", name: "N3U", type: U8, strings: NSEC3_HASHES },
  optClientFamily: { abbrev: "dns.opt.client.family", name: "Family", type: U16, strings: AFAMILY },
  optClientNetmask: { abbrev: "dns.opt.client.netmask", name: "Source Netmask", type: U8 },
  optClientScope: { abbrev: "dns.opt.client.scope", name: "Scope Netmask", type: U8 },
  optClientAddr: { abbrev: "dns.opt.client.addr", name: "Client Subnet", type: B },
  optClientAddr4: { abbrev: "dns.opt.client.addr4", name: "Client Subnet", type: "ipv4" },
  optClientAddr6: { abbrev: "dns.opt.client.addr6", name: "Client Subnet", type: "ipv6" },
  optCookieClient: { abbrev: "dns.opt.cookie.client", name: "Client Cookie", type: B },
  optCookieServer: { abbrev: "dns.opt.cookie.server", name: "Server Cookie", type: B },
  optKeepalive: { abbrev: "dns.opt.edns_tcp_keepalive.timeout", name: "Timeout", type: U16 },
  optPadding: { abbrev: "dns.opt.padding", name: "Padding", type: B },
  optChain: { abbrev: "dns.opt.chain.fqdn", name: "Closest Trust Point", type: S },
  optExtErrCode: { abbrev: "dns.opt.ext_error.info_code", name: "Info Code", type: U16 },
  optExtErrText: { abbrev: "dns.opt.ext_error.extra_text", name: "Extra Text", type: S },
  aplFamily: { abbrev: "dns.apl.address_family", name: "Address Family", type: U16, strings: AFAMILY },
  aplPrefix: { abbrev: "dns.apl.coded_prefix", name: "Prefix Length", type: U8 },
  aplNegation: { abbrev: "dns.apl.negation", name: "Negation Flag", type: "bool", bits: 8, bitmask: 0x80, tfs: ["Yes (!)", "No (0)"] },
  aplAfdLen: { abbrev: "dns.apl.afdlength", name: "Address Length", type: U8, bits: 8, bitmask: 0x7f },
  aplAfd4: { abbrev: "dns.apl.afdpart.ipv4", name: "Address", type: "ipv4" },
  aplAfd6: { abbrev: "dns.apl.afdpart.ipv6", name: "Address", type: "ipv6" },
  aplAfdData: { abbrev: "dns.apl.afdpart.data", name: "Address", type: B },
  dsKeyId: { abbrev: "dns.ds.key_id", name: "Key id", type: U16, base: "hex" },
  dsAlgorithm: { abbrev: "dns.ds.algorithm", name: "Algorithm", type: U8, strings: DNSSEC_ALGOS },
  dsDigestType: { abbrev: "dns.ds.digest_type", name: "Digest Type", type: U8, strings: DS_DIGESTS },
  dsDigest: { abbrev: "dns.ds.digest", name: "Digest", type: B },
  sshfpAlgorithm: { abbrev: "dns.sshfp.algorithm", name: "Algorithm", type: U8, strings: SSHFP_ALGOS },
  sshfpType: { abbrev: "dns.sshfp.fingerprint.type", name: "Fingerprint type", type: U8, strings: SSHFP_FP },
  sshfpFp: { abbrev: "dns.sshfp.fingerprint", name: "Fingerprint", type: B },
  ipseckeyPrec: { abbrev: "dns.ipseckey.gateway_precedence", name: "Gateway Precedence", type: U8 },
  ipseckeyType: { abbrev: "dns.ipseckey.gateway_type", name: "Gateway Type", type: U8, strings: GW_TYPE },
  ipseckeyAlgo: { abbrev: "dns.ipseckey.gateway_algorithm", name: "Gateway Algorithm", type: U8, strings: GW_ALGO },
  ipseckeyGw4: { abbrev: "dns.ipseckey.gateway_ipv4", name: "IPv4 Gateway", type: "ipv4" },
  ipseckeyGw6: { abbrev: "dns.ipseckey.gateway_ipv6", name: "IPv6 Gateway", type: "ipv6" },
  ipseckeyGwDns: { abbrev: "dns.ipseckey.gateway_dns", name: "DNS Gateway", type: S },
  ipseckeyKey: { abbrev: "dns.ipseckey.public_key", name: "Public Key", type: B },
  rrsigTypeCovered: { abbrev: "dns.rrsig.type_covered", name: "Type Covered", type: U16, strings: TYPE_DESC },
  rrsigAlgorithm: { abbrev: "dns.rrsig.algorithm", name: "Algorithm", type: U8, strings: DNSSEC_ALGOS },
  rrsigLabels: { abbrev: "dns.rrsig.labels", name: "Labels", type: U8 },
  rrsigOrigTtl: { abbrev: "dns.rrsig.original_ttl", name: "Original TTL", type: U32 },
  rrsigExpiration: { abbrev: "dns.rrsig.signature_expiration", name: "Signature Expiration", type: "abs_time" },
  rrsigInception: { abbrev: "dns.rrsig.signature_inception", name: "Signature Inception", type: "abs_time" },
  rrsigKeyTag: { abbrev: "dns.rrsig.key_tag", name: "Key Tag", type: U16 },
  rrsigSigner: { abbrev: "dns.rrsig.signers_name", name: "Signer's name", type: S },
  rrsigSignature: { abbrev: "dns.rrsig.signature", name: "Signature", type: B },
  nsecNext: { abbrev: "dns.nsec.next_domain_name", name: "Next Domain Name", type: S },
  dnskeyFlags: { abbrev: "dns.dnskey.flags", name: "Flags", type: U16, base: "hex" },
  dnskeyZone: { abbrev: "dns.dnskey.flags.zone_key", name: "Zone Key", type: "bool", bits: 16, bitmask: 0x100, tfs: ["This is the zone key for specified zone", "This it not a zone key"] },
  dnskeyRevoked: { abbrev: "dns.dnskey.flags.key_revoked", name: "Key Revoked", type: "bool", bits: 16, bitmask: 0x80, tfs: ["Yes", "No"] },
  dnskeySep: { abbrev: "dns.dnskey.flags.secure_entry_point", name: "Key Signing Key", type: "bool", bits: 16, bitmask: 0x1, tfs: ["Yes", "No"] },
  dnskeyReserved: { abbrev: "dns.dnskey.flags.reserved", name: "Key Signing Key", type: U16, base: "hex", bits: 16, bitmask: 0xfe7e },
  dnskeyProtocol: { abbrev: "dns.dnskey.protocol", name: "Protocol", type: U8 },
  dnskeyAlgorithm: { abbrev: "dns.dnskey.algorithm", name: "Algorithm", type: U8, strings: DNSSEC_ALGOS },
  dnskeyKeyId: { abbrev: "dns.dnskey.key_id", name: "Key id", type: U16 },
  dnskeyPublic: { abbrev: "dns.dnskey.public_key", name: "Public Key", type: B },
  dhcid: { abbrev: "dns.dhcid.rdata", name: "DHCID Data", type: B },
  nsec3Algo: { abbrev: "dns.nsec3.algo", name: "Hash algorithm", type: U8, strings: NSEC3_HASHES },
  nsec3Flags: { abbrev: "dns.nsec3.flags", name: "NSEC3 flags", type: U8 },
  nsec3OptOut: { abbrev: "dns.nsec3.flags.opt_out", name: "NSEC3 Opt-out flag", type: "bool", bits: 8, bitmask: 0x1, tfs: ["Additional insecure delegations allowed", "Additional insecure delegations forbidden"] },
  nsec3Iterations: { abbrev: "dns.nsec3.iterations", name: "NSEC3 iterations", type: U16 },
  nsec3SaltLen: { abbrev: "dns.nsec3.salt_length", name: "Salt length", type: U8 },
  nsec3Salt: { abbrev: "dns.nsec3.salt_value", name: "Salt value", type: B },
  nsec3HashLen: { abbrev: "dns.nsec3.hash_length", name: "Hash length", type: U8 },
  nsec3Hash: { abbrev: "dns.nsec3.hash_value", name: "Next hashed owner", type: S },
  tlsaUsage: { abbrev: "dns.tlsa.certificate_usage", name: "Certificate Usage", type: U8, strings: TLSA_USAGE },
  tlsaSelector: { abbrev: "dns.tlsa.selector", name: "Selector", type: U8, strings: TLSA_SELECTOR },
  tlsaMatching: { abbrev: "dns.tlsa.matching_type", name: "Matching Type", type: U8, strings: TLSA_MATCHING },
  tlsaData: { abbrev: "dns.tlsa.certificate_association_data", name: "Certificate Association Data", type: B },
  hipHitLen: { abbrev: "dns.hip.hit.length", name: "HIT length", type: U8 },
  hipPkAlgo: { abbrev: "dns.hip.hit.pk.algo", name: "HIT length", type: U8, strings: HIP_ALGO },
  hipPkLen: { abbrev: "dns.hip.pk.length", name: "PK length", type: U16 },
  hipHit: { abbrev: "dns.hip.hit", name: "Host Identity Tag", type: B },
  hipPk: { abbrev: "dns.hip.pk", name: "HIP Public Key", type: B },
  hipRendezvous: { abbrev: "dns.hip.rendezvous_server", name: "Rendezvous Server", type: S },
  openpgpkey: { abbrev: "dns.openpgpkey", name: "OpenPGP Key", type: S },
  csyncSoa: { abbrev: "dns.csync.soa", name: "SOA", type: U32 },
  csyncFlags: { abbrev: "dns.csync.flags", name: "Flags", type: U16, base: "hex" },
  csyncImmediate: { abbrev: "dns.csync.flags.immediate", name: "immediate", type: "bool", bits: 16, bitmask: 0x1 },
  csyncSoaMin: { abbrev: "dns.csync.flags.soaminimum", name: "soaminimum", type: "bool", bits: 16, bitmask: 0x2 },
  csyncBitmap: { abbrev: "dns.csync.type_bitmap", name: "Type Bitmap", type: B },
  zonemdSerial: { abbrev: "dns.zonemd.serial", name: "Serial", type: U32 },
  zonemdScheme: { abbrev: "dns.zonemd.scheme", name: "Scheme", type: U8 },
  zonemdHash: { abbrev: "dns.zonemd.hash_algo", name: "Hash Algorithm", type: U8 },
  zonemdDigest: { abbrev: "dns.zonemd.digest", name: "Digest", type: B },
  svcbPriority: { abbrev: "dns.svcb.svcpriority", name: "SvcPriority", type: U16 },
  svcbTarget: { abbrev: "dns.svcb.targetname", name: "TargetName", type: S },
  svcbParam: { abbrev: "dns.svcb.svcparam", name: "SvcParam", type: "none" },
  svcbKey: { abbrev: "dns.svcb.svcparam.key", name: "SvcParamKey", type: U16, strings: SVCB_KEYS },
  svcbLen: { abbrev: "dns.svcb.svcparam.value.length", name: "SvcParamValue length", type: U16 },
  svcbValue: { abbrev: "dns.svcb.svcparam.value", name: "SvcParamValue", type: B },
  svcbMandatory: { abbrev: "dns.svcb.svcparam.mandatory.key", name: "Mandatory key", type: U16, strings: SVCB_KEYS },
  svcbAlpnLen: { abbrev: "dns.svcb.svcparam.alpn.length", name: "ALPN length", type: U8 },
  svcbAlpn: { abbrev: "dns.svcb.svcparam.alpn", name: "ALPN", type: S },
  svcbPort: { abbrev: "dns.svcb.svcparam.port", name: "Port", type: U16 },
  svcbIpv4: { abbrev: "dns.svcb.svcparam.ipv4hint.ip", name: "IP", type: "ipv4" },
  svcbEch: { abbrev: "dns.svcb.svcparam.echconfig", name: "ECHConfig", type: B },
  svcbIpv6: { abbrev: "dns.svcb.svcparam.ipv6hint.ip", name: "IP", type: "ipv6" },
  svcbOdoh: { abbrev: "dns.svcb.svcparam.odohconfig", name: "ODoHConfig", type: B },
  spfLen: { abbrev: "dns.spf.length", name: "SPF Length", type: U8 },
  spf: { abbrev: "dns.spf", name: "SPF", type: S },
  nidPref: { abbrev: "dns.ilnp.nid.preference", name: "Preference", type: U16 },
  nid: { abbrev: "dns.ilnp.nid", name: "NodeID", type: B },
  l32Pref: { abbrev: "dns.ilnp.l32.preference", name: "Preference", type: U16 },
  l32: { abbrev: "dns.ilnp.l32", name: "Locator32", type: "ipv4" },
  l64Pref: { abbrev: "dns.ilnp.l64.preference", name: "Preference", type: U16 },
  l64: { abbrev: "dns.ilnp.l64", name: "Locator64", type: B },
  lpPref: { abbrev: "dns.ilnp.lp.preference", name: "Preference", type: U16 },
  lp: { abbrev: "dns.ilnp.lp", name: "Locator FQDN", type: S },
  eui48: { abbrev: "dns.eui48", name: "EUI48 Address", type: "ether" },
  eui64: { abbrev: "dns.eui64", name: "EUI64 Address", type: B, sep: ":" },
  tkeyAlgo: { abbrev: "dns.tkey.algo_name", name: "Algorithm name", type: S },
  tkeyInception: { abbrev: "dns.tkey.signature_inception", name: "Signature Inception", type: "abs_time" },
  tkeyExpiration: { abbrev: "dns.tkey.signature_expiration", name: "Signature Expiration", type: "abs_time" },
  tkeyMode: { abbrev: "dns.tkey.mode", name: "Mode", type: U16, strings: TKEY_MODES },
  tkeyError: { abbrev: "dns.tkey.error", name: "Error", type: U16, strings: RCODES },
  tkeyKeySize: { abbrev: "dns.tkey.key_size", name: "Key Size", type: U16 },
  tkeyKeyData: { abbrev: "dns.tkey.key_data", name: "Key Data", type: B },
  tkeyOtherSize: { abbrev: "dns.tkey.other_size", name: "Other Size", type: U16 },
  tkeyOtherData: { abbrev: "dns.tkey.other_data", name: "Other Data", type: B },
  tsigAlgo: { abbrev: "dns.tsig.algorithm_name", name: "Algorithm Name", type: S },
  tsigTime: { abbrev: "dns.tsig.time_signed", name: "Time Signed", type: "abs_time" },
  tsigFudge: { abbrev: "dns.tsig.fudge", name: "Fudge", type: U16 },
  tsigMacSize: { abbrev: "dns.tsig.mac_size", name: "MAC Size", type: U16 },
  tsigMac: { abbrev: "dns.tsig.mac", name: "MAC", type: "none" },
  tsigOrigId: { abbrev: "dns.tsig.original_id", name: "Original Id", type: U16 },
  tsigError: { abbrev: "dns.tsig.error", name: "Error", type: U16, strings: RCODES },
  tsigOtherLen: { abbrev: "dns.tsig.other_len", name: "Other Len", type: U16 },
  tsigOtherData: { abbrev: "dns.tsig.other_data", name: "Other Data", type: B },
  caaFlags: { abbrev: "dns.caa.flags", name: "CAA Flags", type: U8, base: "hex" },
  caaCritical: { abbrev: "dns.caa.flags.issuer_critical", name: "Issuer Critical", type: "bool", bits: 8, bitmask: 0x80, tfs: ["Critical", "Not critical"] },
  caaIssue: { abbrev: "dns.caa.issue", name: "Issue", type: S },
  caaIssuewild: { abbrev: "dns.caa.issuewild", name: "Issue Wildcard", type: S },
  caaIodef: { abbrev: "dns.caa.iodef", name: "Report URL", type: S },
  caaUnknown: { abbrev: "dns.caa.unknown", name: "Unknown tag", type: S },
  caaTagLen: { abbrev: "dns.caa.tag_length", name: "Tag length", type: U8 },
  caaTag: { abbrev: "dns.caa.tag", name: "Tag", type: S },
  caaValue: { abbrev: "dns.caa.value", name: "Value", type: S },
  winsLocal: { abbrev: "dns.wins.local_flag", name: "Local Flag", type: "bool", bits: 32, bitmask: 0x1, tfs: ["Local", "Not local"] },
  winsLookup: { abbrev: "dns.wins.lookup_timeout", name: "Lookup timeout", type: U32 },
  winsCache: { abbrev: "dns.wins.cache_timeout", name: "Cache timeout", type: U32 },
  winsServers: { abbrev: "dns.wins.nb_wins_servers", name: "Number of WINS servers", type: U32 },
  winsServer: { abbrev: "dns.wins.wins_server", name: "WINS Server Address", type: "ipv4" },
  winsrLocal: { abbrev: "dns.winsr.local_flag", name: "Local Flag", type: "bool", bits: 32, bitmask: 0x1, tfs: ["Local", "Not local"] },
  winsrLookup: { abbrev: "dns.winsr.lookup_timeout", name: "Lookup timeout", type: U32 },
  winsrCache: { abbrev: "dns.winsr.cache_timeout", name: "Cache timeout", type: U32 },
  winsrDomain: { abbrev: "dns.winsr.name_result_domain", name: "Name Result Domain", type: S },
  data: { abbrev: "dns.data", name: "Data", type: B },
} as const satisfies Record<string, FieldSpec>;

// ──────────────────────────────────────────────────────────────── RDATA decoding

/** What a decoder needs: the message view, the fields, where Info/labels go. */
export interface RdataCtx {
  tvb: Tvb;
  pinfo: PacketInfo;
  f: DnsFields;
  /** Offset of the DNS message in tvb (pointer base). */
  dnsOff: number;
  /** Tree kept (build labels)? */
  full: boolean;
  /** Info column wanted? */
  cols: boolean;
  isMdns: boolean;
}

function addName(c: RdataCtx, t: Item, f: DnsFields[keyof DnsFields], o: number): DnsName {
  const n = readName(c.tvb, o, c.dnsOff);
  t.add(f, c.tvb, o, n.used, n.text);
  return n;
}

function info(c: RdataCtx, s: string): void {
  if (c.cols) c.pinfo.appendInfo(s);
}

/** A bytes item with Wireshark's length rules (-1 = to the end, < -1 = error). */
function bytesItem(c: RdataCtx, t: Item, f: DnsFields[keyof DnsFields], o: number, len: number): Item {
  if (len === -1) len = c.tvb.remaining(o);
  else if (len < -1) throw new BoundsError(true);
  return t.add(f, c.tvb, o, len, c.tvb.bytes(o, len));
}

/** A string item read as ASCII (ENC_ASCII), with format_text in the label. */
function strItem(c: RdataCtx, t: Item, f: DnsFields[keyof DnsFields], o: number, len: number, utf8 = false): string {
  if (len === -1) len = c.tvb.remaining(o);
  else if (len < -1) throw new BoundsError(true);
  const s = utf8 ? utf8String(c.tvb, o, len) : asciiString(c.tvb, o, len);
  t.add(f, c.tvb, o, len, s);
  return s;
}

function u8(c: RdataCtx, t: Item, f: DnsFields[keyof DnsFields], o: number): number {
  const v = c.tvb.u8(o);
  t.add(f, c.tvb, o, 1, v);
  return v;
}
function u16(c: RdataCtx, t: Item, f: DnsFields[keyof DnsFields], o: number): number {
  const v = c.tvb.u16(o);
  t.add(f, c.tvb, o, 2, v);
  return v;
}
function u32(c: RdataCtx, t: Item, f: DnsFields[keyof DnsFields], o: number, timeText = false): number {
  const v = c.tvb.u32(o);
  if (timeText && c.full) t.add(f, c.tvb, o, 4, v, `${v} (${timeSecsToStr(v)})`);
  else t.add(f, c.tvb, o, 4, v);
  return v;
}
function ipv4(c: RdataCtx, t: Item, f: DnsFields[keyof DnsFields], o: number): number {
  const v = c.tvb.u32(o);
  t.add(f, c.tvb, o, 4, v);
  return v;
}

/** dissect_type_bitmap (NSEC/NSEC3/CSYNC): loops until rr_len hits exactly 0, as Wireshark does. */
function typeBitmap(c: RdataCtx, t: Item, o: number, rrLen: number): void {
  const tvb = c.tvb;
  while (rrLen !== 0) {
    const base = tvb.u8(o);
    let size = tvb.u8(o + 1);
    o += 2;
    rrLen -= 2;
    let type = base * 256;
    for (; size; size--) {
      const bits = tvb.u8(o);
      for (let i = 0, mask = 0x80; i < 8; i++, mask >>= 1, type++) {
        if (bits & mask) {
          const it = t.add(c.f.respType, tvb, o, 1, type);
          if (c.full) it.setText(`RR type in bit map: ${typeDesc(type)}`);
        }
      }
      o++;
      rrLen--;
    }
  }
}

function typeBitmapNxt(c: RdataCtx, t: Item, o: number, rrLen: number): void {
  const tvb = c.tvb;
  let type = 0;
  while (rrLen !== 0) {
    const bits = tvb.u8(o);
    for (let i = 0, mask = 0x80; i < 8; i++, mask >>= 1, type++) {
      if (bits & mask) {
        const it = t.add(c.f.respType, tvb, o, 1, type);
        if (c.full) it.setText(`RR type in bit map: ${typeDesc(type)}`);
      }
    }
    o++;
    rrLen--;
  }
}

/** compute_key_id (RFC 4034 appendix B). */
function keyId(c: RdataCtx, t: Item, o: number, size: number, algo: number): number | null {
  const tvb = c.tvb;
  if (size < 4) {
    const it = t.addText(tvb, o, size, "Buffer too short to compute a key id");
    it.generated = true;
    it.expert("warn", "protocol", "Buffer too short to compute a key id", "dns");
    return null;
  }
  if (algo === 1) return ((tvb.u8(o + size - 3) << 8) + tvb.u8(o + size - 2)) & 0xffff;
  let ac = 0;
  for (; size > 1; size -= 2, o += 2) ac += (tvb.u8(o) << 8) + tvb.u8(o + 1);
  if (size > 0) ac += tvb.u8(o) << 8;
  ac += (ac >>> 16) & 0xffff;
  return ac & 0xffff;
}

function bits5(tvb: Tvb, bitOff: number): number {
  const byte = bitOff >> 3, shift = bitOff & 7;
  const w = (tvb.u8(byte) << 8) | (shift > 3 ? tvb.u8(byte + 1) : 0);
  return (w >> (11 - shift)) & 0x1f;
}

/**
 * The RDATA of one RR (dissect_dns_answer's switch). `cur` is the RDATA offset,
 * `trr` the RR's subtree item (its label gets ", addr …" etc.), `owner` the owner name.
 */
export function dissectRdata(c: RdataCtx, rt: Item, trr: Item, type: number, cur: number, dataLen: number, owner: DnsName): void {
  const tvb = c.tvb, f = c.f, full = c.full;
  const ownerInfo = () => info(c, " " + formatBytesText(owner.raw, owner.raw.length));
  switch (type) {
    case 1: { // A
      const v = tvb.u32(cur);
      if (c.cols || full) {
        const a = ipv4ToString(v);
        info(c, " " + a);
        if (full) trr.appendText(", addr " + a);
      }
      rt.add(f.a, tvb, cur, 4, v);
      break;
    }
    case 2: { // NS
      const n = readName(tvb, cur, c.dnsOff);
      info(c, " " + n.text);
      if (full) trr.appendText(", ns " + n.text);
      rt.add(f.ns, tvb, cur, n.used, n.text);
      break;
    }
    case 3: case 4: case 7: case 8: case 9: { // MD MF MB MG MR
      ownerInfo();
      const fl = type === 3 ? f.md : type === 4 ? f.mf : type === 7 ? f.mb : type === 8 ? f.mg : f.mr;
      addName(c, rt, fl, cur);
      break;
    }
    case 5: { // CNAME
      const n = readName(tvb, cur, c.dnsOff);
      info(c, " " + n.text);
      if (full) trr.appendText(", cname " + n.text);
      rt.add(f.cname, tvb, cur, n.used, n.text);
      break;
    }
    case 6: { // SOA
      const m = readName(tvb, cur, c.dnsOff);
      info(c, " " + m.text);
      if (full) trr.appendText(", mname " + m.text);
      rt.add(f.soaMname, tvb, cur, m.used, m.text);
      cur += m.used;
      const r = addName(c, rt, f.soaRname, cur);
      cur += r.used;
      u32(c, rt, f.soaSerial, cur);
      u32(c, rt, f.soaRefresh, cur + 4, true);
      u32(c, rt, f.soaRetry, cur + 8, true);
      u32(c, rt, f.soaExpire, cur + 12, true);
      u32(c, rt, f.soaMinimum, cur + 16, true);
      break;
    }
    case 10: // NULL
      ownerInfo();
      bytesItem(c, rt, f.null, cur, dataLen);
      break;
    case 11: { // WKS
      let rrLen = dataLen;
      const addr = tvb.u32(cur);
      if (c.cols || full) {
        const a = ipv4ToString(addr);
        info(c, " " + a);
        if (full) trr.appendText(", addr " + a);
      }
      rt.add(f.wksAddress, tvb, cur, 4, addr);
      cur += 4; rrLen -= 4;
      u8(c, rt, f.wksProtocol, cur);
      cur++; rrLen--;
      let port = 0;
      while (rrLen !== 0) {
        const bits = tvb.u8(cur);
        if (bits !== 0) {
          const names: number[] = [];
          for (let i = 0, mask = 0x80; i < 8; i++, mask >>= 1, port++) if (bits & mask) names.push(port);
          rt.add(f.wksBits, tvb, cur, 1, bits, full ? `0x${bits.toString(16).padStart(2, "0")} (${names.join(", ")})` : undefined);
        } else port += 8;
        cur++; rrLen--;
      }
      break;
    }
    case 12: { // PTR
      const n = readName(tvb, cur, c.dnsOff);
      info(c, " " + n.text);
      if (full) trr.appendText(", " + n.text);
      rt.add(f.ptr, tvb, cur, n.used, n.text);
      break;
    }
    case 13: { // HINFO
      const cpuLen = tvb.u8(cur);
      const cpu = asciiString(tvb, cur + 1, cpuLen);
      const osOff = cur + 1 + cpuLen;
      const osLen = tvb.u8(osOff);
      const os = asciiString(tvb, osOff + 1, osLen);
      info(c, ` ${cpu} ${os}`);
      if (full) trr.appendText(`, CPU ${cpu}, OS ${os}`);
      u8(c, rt, f.hinfoCpuLen, cur);
      strItem(c, rt, f.hinfoCpu, cur + 1, cpuLen);
      u8(c, rt, f.hinfoOsLen, osOff);
      strItem(c, rt, f.hinfoOs, osOff + 1, osLen);
      break;
    }
    case 14: { // MINFO
      ownerInfo();
      const r = addName(c, rt, f.minfoR, cur);
      addName(c, rt, f.minfoE, cur + r.used);
      break;
    }
    case 15: { // MX
      const pref = tvb.u16(cur);
      const n = readName(tvb, cur + 2, c.dnsOff);
      info(c, ` ${pref} ${n.text}`);
      if (full) trr.appendText(`, preference ${pref}, mx ${n.text}`);
      rt.add(f.mxPref, tvb, cur, 2, pref);
      rt.add(f.mxExchange, tvb, cur + 2, n.used, n.text);
      break;
    }
    case 16: case 99: { // TXT, SPF
      let rrLen = dataLen, o = cur;
      const lf = type === 16 ? f.txtLen : f.spfLen, sf = type === 16 ? f.txt : f.spf;
      while (rrLen !== 0) {
        const l = u8(c, rt, lf, o);
        o++; rrLen--;
        strItem(c, rt, sf, o, l, type === 16 && c.isMdns);
        o += l; rrLen -= l;
      }
      break;
    }
    case 17: { // RP
      ownerInfo();
      const m = addName(c, rt, f.rpMailbox, cur);
      addName(c, rt, f.rpTxt, cur + m.used);
      break;
    }
    case 18: case 21: { // AFSDB, RT
      ownerInfo();
      const n = readName(tvb, cur + 2, c.dnsOff);
      u16(c, rt, type === 18 ? f.afsdbSubtype : f.rtPref, cur);
      rt.add(type === 18 ? f.afsdbHost : f.rtHost, tvb, cur + 2, n.used, n.text);
      break;
    }
    case 19: { // X25
      ownerInfo();
      const l = u8(c, rt, f.x25Len, cur);
      strItem(c, rt, f.x25Addr, cur + 1, l);
      break;
    }
    case 20: { // ISDN
      ownerInfo();
      let rrLen = dataLen;
      const l = u8(c, rt, f.isdnLen, cur);
      cur++; rrLen--;
      strItem(c, rt, f.isdnAddr, cur, l);
      cur += l; rrLen -= l;
      if (rrLen > 1) {
        const sl = u8(c, rt, f.isdnSaLen, cur);
        strItem(c, rt, f.isdnSa, cur + 1, sl);
      }
      break;
    }
    case 22: // NSAP
      ownerInfo();
      bytesItem(c, rt, f.nsap, cur, dataLen);
      break;
    case 23: // NSAP-PTR
      ownerInfo();
      addName(c, rt, f.nsapPtr, cur);
      break;
    case 25: { // KEY
      let rrLen = dataLen;
      const flags = tvb.u16(cur);
      const ft = rt.add(f.keyFlags, tvb, cur, 2, flags);
      ft.add(f.keyAuth, tvb, cur, 2, (flags & 0x8000) !== 0);
      ft.add(f.keyConf, tvb, cur, 2, (flags & 0x4000) !== 0);
      if ((flags & 0xc000) !== 0xc000) {
        ft.add(f.keyReq, tvb, cur, 2, (flags & 0x2000) !== 0);
        ft.add(f.keyUser, tvb, cur, 2, (flags & 0x400) !== 0);
        ft.add(f.keyEntity, tvb, cur, 2, (flags & 0x200) !== 0);
        ft.add(f.keyIpsec, tvb, cur, 2, (flags & 0x80) !== 0);
        ft.add(f.keyMime, tvb, cur, 2, (flags & 0x40) !== 0);
        ft.add(f.keySignatory, tvb, cur, 2, flags & 0xf);
      }
      cur += 2; rrLen -= 2;
      u8(c, rt, f.keyProtocol, cur);
      cur++; rrLen--;
      const algo = u8(c, rt, f.keyAlgorithm, cur);
      cur++; rrLen--;
      const id = keyId(c, rt, cur - 4, rrLen + 4, algo);
      if (id !== null) rt.addGenerated(f.keyId, tvb, 0, 0, id);
      if (rrLen !== 0) bytesItem(c, rt, f.keyPublic, cur, rrLen);
      break;
    }
    case 26: { // PX
      ownerInfo();
      u16(c, rt, f.pxPref, cur);
      cur += 2;
      const m = addName(c, rt, f.px822, cur);
      addName(c, rt, f.px400, cur + m.used);
      break;
    }
    case 27: { // GPOS
      ownerInfo();
      const a = u8(c, rt, f.gposLongLen, cur);
      strItem(c, rt, f.gposLong, cur + 1, a);
      cur += 1 + a;
      const b = u8(c, rt, f.gposLatLen, cur);
      strItem(c, rt, f.gposLat, cur + 1, b);
      cur += 1 + b;
      const d = u8(c, rt, f.gposAltLen, cur);
      strItem(c, rt, f.gposAlt, cur + 1, d);
      break;
    }
    case 28: { // AAAA
      const v = tvb.bytes(cur, 16);
      if (c.cols || full) {
        const a = ipv6ToString(v);
        info(c, " " + a);
        if (full) trr.appendText(", addr " + a);
      }
      rt.add(f.aaaa, tvb, cur, 16, v);
      break;
    }
    case 29: { // LOC
      const version = u8(c, rt, f.locVersion, cur);
      if (version === 0) {
        cur++;
        const size = (o: number) => {
          const v = tvb.u8(o);
          let s = (v & 0xf0) >> 4;
          for (let e = v & 0x0f; e; e--) s *= 10;
          return s / 100;
        };
        const sizeItem = (fl: DnsFields[keyof DnsFields], o: number) => {
          const v = tvb.u8(o);
          rt.add(fl, tvb, o, 1, v, full ? `${v} (${fmtG(size(o))} m)` : undefined);
        };
        sizeItem(f.locSize, cur); cur++;
        sizeItem(f.locHp, cur); cur++;
        sizeItem(f.locVp, cur); cur++;
        const angle = (o: number, lon: boolean) => {
          let a = tvb.u32(o);
          let dir: string;
          if (a < 0x80000000) { a = 0x80000000 - a; dir = lon ? "W" : "S"; } else { a = a - 0x80000000; dir = lon ? "E" : "N"; }
          if (lon ? a > 648000000 : a > 324000000) return "Value out of range";
          const tsecs = a % 1000; a = Math.floor(a / 1000);
          const secs = a % 60; a = Math.floor(a / 60);
          const mins = a % 60; const deg = Math.floor(a / 60);
          return `${deg} deg ${mins} min ${secs}.${String(tsecs).padStart(3, "0")} sec ${dir}`;
        };
        const lat = tvb.u32(cur);
        rt.add(f.locLat, tvb, cur, 4, lat, full ? `${lat} (${angle(cur, false)})` : undefined);
        cur += 4;
        const lon = tvb.u32(cur);
        rt.add(f.locLong, tvb, cur, 4, lon, full ? `${lon} (${angle(cur, true)})` : undefined);
        cur += 4;
        const alt = tvb.u32(cur);
        rt.add(f.locAlt, tvb, cur, 4, alt, full ? `${alt} (${fmtG(((alt | 0) - 10000000) / 100)} m)` : undefined);
      } else bytesItem(c, rt, f.locUnknown, cur, dataLen);
      break;
    }
    case 30: { // NXT
      const n = readName(tvb, cur, c.dnsOff);
      info(c, " " + n.text);
      if (full) trr.appendText(", next domain name " + n.text);
      rt.add(f.nxtNext, tvb, cur, n.used, n.text);
      typeBitmapNxt(c, rt, cur + n.used, dataLen - n.used);
      break;
    }
    case 33: { // SRV
      const pri = u16(c, rt, f.srvPriority, cur);
      const w = u16(c, rt, f.srvWeight, cur + 2);
      const port = u16(c, rt, f.srvPort, cur + 4);
      const n = addName(c, rt, f.srvTarget, cur + 6);
      info(c, ` ${pri} ${w} ${port} ${n.text}`);
      if (full) trr.appendText(`, priority ${pri}, weight ${w}, port ${port}, target ${n.text}`);
      break;
    }
    case 35: { // NAPTR
      let o = cur;
      const order = u16(c, rt, f.naptrOrder, o); o += 2;
      const pref = u16(c, rt, f.naptrPref, o); o += 2;
      const fl = u8(c, rt, f.naptrFlagsLen, o); o++;
      const flags = strItem(c, rt, f.naptrFlags, o, fl); o += fl;
      const sl = u8(c, rt, f.naptrServiceLen, o); o++;
      strItem(c, rt, f.naptrService, o, sl); o += sl;
      const rl = u8(c, rt, f.naptrRegexLen, o); o++;
      strItem(c, rt, f.naptrRegex, o, rl); o += rl;
      const n = readName(tvb, o, c.dnsOff);
      rt.addGenerated(f.naptrReplLen, tvb, o, 0, n.len & 0xff);
      rt.add(f.naptrRepl, tvb, o, n.used, n.text);
      info(c, ` ${order} ${pref} ${flags}`);
      if (full) trr.appendText(`, order ${order}, preference ${pref}, flags ${flags}`);
      break;
    }
    case 36: { // KX
      const n = readName(tvb, cur + 2, c.dnsOff);
      const pref = tvb.u16(cur);
      info(c, ` ${pref} ${n.text}`);
      if (full) trr.appendText(`, preference ${pref}, kx ${n.text}`);
      rt.add(f.kxPref, tvb, cur, 2, pref);
      rt.add(f.kxExchange, tvb, cur + 2, n.used, n.text);
      break;
    }
    case 37: { // CERT
      let rrLen = dataLen;
      u16(c, rt, f.certType, cur); cur += 2; rrLen -= 2;
      u16(c, rt, f.certKeyTag, cur); cur += 2; rrLen -= 2;
      u8(c, rt, f.certAlgorithm, cur); cur++; rrLen--;
      if (rrLen !== 0) bytesItem(c, rt, f.certCert, cur, rrLen);
      break;
    }
    case 38: { // A6
      const a6 = cur;
      const pre = tvb.u8(cur);
      cur++;
      const sufLen = 128 - pre;
      const cnt = sufLen ? Math.floor((sufLen - 1) / 8) + 1 : 0;
      const suffix = new Uint8Array(16);
      for (let i = 16 - cnt; i < 16; i++) { suffix[i] = tvb.u8(cur); cur++; }
      let pn: DnsName | null = null;
      if (pre > 0) pn = readName(tvb, cur, c.dnsOff);
      const pname = pn ? pn.text : "";
      const s = `${pre} ${ipv6ToString(suffix)} ${pname}`;
      info(c, " " + s);
      rt.add(f.a6PrefixLen, tvb, a6, 1, pre);
      if (sufLen) rt.add(f.a6Suffix, tvb, a6 + 1, cnt, suffix);
      if (pn) rt.add(f.a6PrefixName, tvb, a6 + 1 + cnt, pn.used, pn.text);
      if (full) trr.appendText(", addr " + s);
      break;
    }
    case 39: { // DNAME
      const n = readName(tvb, cur, c.dnsOff);
      info(c, " " + n.text);
      if (full) trr.appendText(", dname " + n.text);
      rt.add(f.dname, tvb, cur, n.used, n.text);
      break;
    }
    case 41: // OPT
      dissectOptions(c, rt, cur, dataLen);
      break;
    case 42: { // APL
      ownerInfo();
      let rrLen = dataLen;
      while (rrLen > 1) {
        const fam = u16(c, rt, f.aplFamily, cur); cur += 2; rrLen -= 2;
        u8(c, rt, f.aplPrefix, cur); cur++; rrLen--;
        const b = tvb.u8(cur);
        const afd = b & 0x7f;
        rt.add(f.aplNegation, tvb, cur, 1, (b & 0x80) !== 0);
        rt.add(f.aplAfdLen, tvb, cur, 1, afd);
        cur++; rrLen--;
        if (fam === 1 && afd <= 4) {
          const x = new Uint8Array(4); x.set(tvb.bytes(cur, afd));
          rt.add(f.aplAfd4, tvb, cur, afd, ((x[0] << 24) >>> 0) + ((x[1] << 16) | (x[2] << 8) | x[3]));
        } else if (fam === 2 && afd <= 16) {
          const x = new Uint8Array(16); x.set(tvb.bytes(cur, afd));
          rt.add(f.aplAfd6, tvb, cur, afd, x);
        } else bytesItem(c, rt, f.aplAfdData, cur, afd);
        cur += afd; rrLen -= afd;
      }
      break;
    }
    case 43: case 59: case 32769: { // DS, CDS, DLV
      u16(c, rt, f.dsKeyId, cur);
      u8(c, rt, f.dsAlgorithm, cur + 2);
      u8(c, rt, f.dsDigestType, cur + 3);
      bytesItem(c, rt, f.dsDigest, cur + 4, dataLen - 4);
      break;
    }
    case 44: { // SSHFP
      u8(c, rt, f.sshfpAlgorithm, cur);
      u8(c, rt, f.sshfpType, cur + 1);
      if (dataLen - 2 !== 0) bytesItem(c, rt, f.sshfpFp, cur + 2, dataLen - 2);
      break;
    }
    case 45: { // IPSECKEY
      let rrLen = dataLen;
      u8(c, rt, f.ipseckeyPrec, cur); cur++; rrLen--;
      const gw = u8(c, rt, f.ipseckeyType, cur); cur++; rrLen--;
      u8(c, rt, f.ipseckeyAlgo, cur); cur++; rrLen--;
      if (gw === 1) { ipv4(c, rt, f.ipseckeyGw4, cur); cur += 4; rrLen -= 4; }
      else if (gw === 2) { rt.add(f.ipseckeyGw6, tvb, cur, 16, tvb.bytes(cur, 16)); cur += 16; rrLen -= 16; }
      else if (gw === 3) { const n = addName(c, rt, f.ipseckeyGwDns, cur); cur += n.used; rrLen -= n.used; }
      if (rrLen !== 0) bytesItem(c, rt, f.ipseckeyKey, cur, rrLen);
      break;
    }
    case 46: case 24: { // RRSIG, SIG
      let rrLen = dataLen;
      u16(c, rt, f.rrsigTypeCovered, cur); cur += 2; rrLen -= 2;
      u8(c, rt, f.rrsigAlgorithm, cur); cur++; rrLen--;
      u8(c, rt, f.rrsigLabels, cur); cur++; rrLen--;
      u32(c, rt, f.rrsigOrigTtl, cur, true); cur += 4; rrLen -= 4;
      rt.add(f.rrsigExpiration, tvb, cur, 4, { s: tvb.u32(cur), ns: 0 }); cur += 4; rrLen -= 4;
      rt.add(f.rrsigInception, tvb, cur, 4, { s: tvb.u32(cur), ns: 0 }); cur += 4; rrLen -= 4;
      u16(c, rt, f.rrsigKeyTag, cur); cur += 2; rrLen -= 2;
      const n = addName(c, rt, f.rrsigSigner, cur);
      cur += n.used; rrLen -= n.used;
      if (rrLen !== 0) bytesItem(c, rt, f.rrsigSignature, cur, rrLen);
      break;
    }
    case 47: { // NSEC
      const n = readName(tvb, cur, c.dnsOff);
      info(c, " " + n.text);
      if (full) trr.appendText(", next domain name " + n.text);
      rt.add(f.nsecNext, tvb, cur, n.used, n.text);
      typeBitmap(c, rt, cur + n.used, dataLen - n.used);
      break;
    }
    case 48: case 60: { // DNSKEY, CDNSKEY
      let rrLen = dataLen;
      const flags = tvb.u16(cur);
      const ft = rt.add(f.dnskeyFlags, tvb, cur, 2, flags);
      ft.add(f.dnskeyZone, tvb, cur, 2, (flags & 0x100) !== 0);
      ft.add(f.dnskeyRevoked, tvb, cur, 2, (flags & 0x80) !== 0);
      ft.add(f.dnskeySep, tvb, cur, 2, (flags & 0x1) !== 0);
      ft.add(f.dnskeyReserved, tvb, cur, 2, flags & 0xfe7e);
      cur += 2; rrLen -= 2;
      u8(c, rt, f.dnskeyProtocol, cur); cur++; rrLen--;
      const algo = u8(c, rt, f.dnskeyAlgorithm, cur); cur++; rrLen--;
      const id = keyId(c, rt, cur - 4, rrLen + 4, algo);
      if (id !== null) rt.addGenerated(f.dnskeyKeyId, tvb, 0, 0, id);
      bytesItem(c, rt, f.dnskeyPublic, cur, rrLen);
      break;
    }
    case 49: // DHCID
      ownerInfo();
      bytesItem(c, rt, f.dhcid, cur, dataLen);
      break;
    case 50: { // NSEC3
      const start = cur;
      u8(c, rt, f.nsec3Algo, cur); cur++;
      const fl = tvb.u8(cur);
      rt.add(f.nsec3Flags, tvb, cur, 1, fl).add(f.nsec3OptOut, tvb, cur, 1, (fl & 1) !== 0);
      cur++;
      u16(c, rt, f.nsec3Iterations, cur); cur += 2;
      const sl = u8(c, rt, f.nsec3SaltLen, cur); cur++;
      bytesItem(c, rt, f.nsec3Salt, cur, sl); cur += sl;
      const hl = u8(c, rt, f.nsec3HashLen, cur); cur++;
      if (hl) {
        const alpha = "0123456789abcdefghijklmnopqrstuv";
        let s = "";
        for (let bit = 0; bit / 8 < hl; bit += 5) s += alpha[bits5(tvb, cur * 8 + bit)];
        rt.addGenerated(f.nsec3Hash, tvb, cur, hl, s);
        cur += hl;
      }
      typeBitmap(c, rt, cur, dataLen - (cur - start));
      break;
    }
    case 51: { // NSEC3PARAM
      ownerInfo();
      u8(c, rt, f.nsec3Algo, cur); cur++;
      u8(c, rt, f.nsec3Flags, cur); cur++;
      u16(c, rt, f.nsec3Iterations, cur); cur += 2;
      const sl = u8(c, rt, f.nsec3SaltLen, cur); cur++;
      bytesItem(c, rt, f.nsec3Salt, cur, sl);
      break;
    }
    case 52: { // TLSA
      ownerInfo();
      u8(c, rt, f.tlsaUsage, cur);
      u8(c, rt, f.tlsaSelector, cur + 1);
      u8(c, rt, f.tlsaMatching, cur + 2);
      bytesItem(c, rt, f.tlsaData, cur + 3, dataLen - 3);
      break;
    }
    case 55: { // HIP
      ownerInfo();
      let rrLen = dataLen;
      const hl = u8(c, rt, f.hipHitLen, cur); cur++; rrLen--;
      u8(c, rt, f.hipPkAlgo, cur); cur++; rrLen--;
      const pl = u16(c, rt, f.hipPkLen, cur); cur += 2; rrLen -= 2;
      bytesItem(c, rt, f.hipHit, cur, hl); cur += hl; rrLen -= hl;
      bytesItem(c, rt, f.hipPk, cur, pl); cur += pl; rrLen -= pl;
      while (rrLen > 1) {
        const n = addName(c, rt, f.hipRendezvous, cur);
        cur += n.used; rrLen -= n.used;
      }
      break;
    }
    case 61: // OPENPGPKEY
      strItem(c, rt, f.openpgpkey, cur, dataLen);
      break;
    case 62: { // CSYNC
      const start = cur;
      u32(c, rt, f.csyncSoa, cur); cur += 4;
      const fl = tvb.u16(cur);
      const ft = rt.add(f.csyncFlags, tvb, cur, 2, fl);
      ft.add(f.csyncImmediate, tvb, cur, 2, (fl & 1) !== 0);
      ft.add(f.csyncSoaMin, tvb, cur, 2, (fl & 2) !== 0);
      cur += 2;
      const rrLen = dataLen - (cur - start);
      bytesItem(c, rt, f.csyncBitmap, cur, rrLen);
      typeBitmap(c, rt, cur, rrLen);
      break;
    }
    case 63: // ZONEMD
      u32(c, rt, f.zonemdSerial, cur);
      u8(c, rt, f.zonemdScheme, cur + 4);
      u8(c, rt, f.zonemdHash, cur + 5);
      bytesItem(c, rt, f.zonemdDigest, cur + 6, dataLen - 6);
      break;
    case 64: case 65: // SVCB, HTTPS
      dissectSvcb(c, rt, cur, dataLen);
      break;
    case 104: u16(c, rt, f.nidPref, cur); bytesItem(c, rt, f.nid, cur + 2, 8); break;
    case 105: u16(c, rt, f.l32Pref, cur); ipv4(c, rt, f.l32, cur + 2); break;
    case 106: u16(c, rt, f.l64Pref, cur); bytesItem(c, rt, f.l64, cur + 2, 8); break;
    case 107: u16(c, rt, f.lpPref, cur); addName(c, rt, f.lp, cur + 2); break;
    case 108: rt.add(f.eui48, tvb, cur, 6, tvb.bytes(cur, 6)); break;
    case 109: rt.add(f.eui64, tvb, cur, 8, tvb.bytes(cur, 8)); break;
    case 249: { // TKEY
      const n = addName(c, rt, f.tkeyAlgo, cur); cur += n.used;
      rt.add(f.tkeyInception, tvb, cur, 4, { s: tvb.u32(cur), ns: 0 }); cur += 4;
      rt.add(f.tkeyExpiration, tvb, cur, 4, { s: tvb.u32(cur), ns: 0 }); cur += 4;
      u16(c, rt, f.tkeyMode, cur); cur += 2;
      u16(c, rt, f.tkeyError, cur); cur += 2;
      const kl = u16(c, rt, f.tkeyKeySize, cur); cur += 2;
      if (kl !== 0) { bytesItem(c, rt, f.tkeyKeyData, cur, kl); cur += kl; }
      const ol = u16(c, rt, f.tkeyOtherSize, cur); cur += 2;
      if (ol !== 0) bytesItem(c, rt, f.tkeyOtherData, cur, ol);
      break;
    }
    case 250: { // TSIG
      const n = addName(c, rt, f.tsigAlgo, cur); cur += n.used;
      const hi = tvb.u16(cur);
      const secs = hi * 4294967296 + tvb.u32(cur + 2);
      const ti = rt.add(f.tsigTime, tvb, cur, 6, { s: secs, ns: 0 });
      if (hi && full) ti.appendText(" (high bits set)");
      cur += 6;
      u16(c, rt, f.tsigFudge, cur); cur += 2;
      const ml = u16(c, rt, f.tsigMacSize, cur); cur += 2;
      if (ml !== 0) {
        tvb.ensure(cur, ml);
        const mi = rt.add(f.tsigMac, tvb, cur, ml, null);
        mi.expert("warn", "undecoded", `No dissector for algorithm:${n.text}`, "dns");
        cur += ml;
      }
      u16(c, rt, f.tsigOrigId, cur); cur += 2;
      u16(c, rt, f.tsigError, cur); cur += 2;
      const ol = u16(c, rt, f.tsigOtherLen, cur); cur += 2;
      if (ol !== 0) bytesItem(c, rt, f.tsigOtherData, cur, ol);
      break;
    }
    case 257: { // CAA
      const fl = tvb.u8(cur);
      rt.add(f.caaFlags, tvb, cur, 1, fl).add(f.caaCritical, tvb, cur, 1, (fl & 0x80) !== 0);
      cur++;
      const tagLen = tvb.u8(cur);
      const tag = asciiString(tvb, cur + 1, tagLen);
      const valueLen = (dataLen - (tagLen + 2)) & 0xffff;
      const vb = tvb.bytes(cur + 1 + tagLen, valueLen);
      let vraw = "";
      for (let i = 0; i < vb.length; i++) vraw += vb[i] < 0x80 ? String.fromCharCode(vb[i]) : "\ufffd";
      const value = labelText(vraw);
      // strncmp(tag, keyword, tag_len) == 0
      const pre = (kw: string) => (tag.length === tagLen ? kw.length >= tagLen && kw.startsWith(tag) : kw === tag);
      const hf = pre("issue") ? f.caaIssue : pre("issuewild") ? f.caaIssuewild : pre("iodef") ? f.caaIodef : f.caaUnknown;
      const ci = rt.add(hf, tvb, cur, 1 + tagLen + valueLen, value);
      ci.add(f.caaTagLen, tvb, cur, 1, tagLen);
      ci.add(f.caaTag, tvb, cur + 1, tagLen, tag);
      ci.add(f.caaValue, tvb, cur + 1 + tagLen, valueLen, value);
      break;
    }
    case 65281: { // WINS
      let rrLen = dataLen;
      rt.add(f.winsLocal, tvb, cur, 4, (tvb.u32(cur) & 1) !== 0); cur += 4; rrLen -= 4;
      u32(c, rt, f.winsLookup, cur); cur += 4; rrLen -= 4;
      u32(c, rt, f.winsCache, cur); cur += 4; rrLen -= 4;
      let ns = u32(c, rt, f.winsServers, cur); cur += 4; rrLen -= 4;
      while (rrLen !== 0 && ns !== 0) {
        ipv4(c, rt, f.winsServer, cur);
        cur += 4; rrLen -= 4; ns--;
      }
      break;
    }
    case 65282: { // WINS-R
      rt.add(f.winsrLocal, tvb, cur, 4, (tvb.u32(cur) & 1) !== 0); cur += 4;
      u32(c, rt, f.winsrLookup, cur); cur += 4;
      u32(c, rt, f.winsrCache, cur); cur += 4;
      const n = addName(c, rt, f.winsrDomain, cur);
      info(c, " " + n.text);
      if (full) trr.appendText(", name result domain " + n.text);
      break;
    }
    default:
      trr.expert("note", "undecoded",
        `Dissector for DNS Type (${type}) code not implemented, Contact Wireshark developers if you want this supported`, "dns");
      bytesItem(c, rt, f.data, cur, dataLen);
      break;
  }
}

/** The options of an OPT RR (EDNS0). */
function dissectOptions(c: RdataCtx, rt: Item, cur: number, dataLen: number): void {
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
        codeItem.expert("chat", "deprecated", "Deprecated opcode. Client subnet OPT assigned as 8.", "dns");
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
          lenItem.expert("error", "malformed", "Length too long for any type of IP address.", "dns");
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

function dissectSvcb(c: RdataCtx, rt: Item, cur: number, dataLen: number): void {
  const tvb = c.tvb, f = c.f, full = c.full;
  const start = cur;
  u16(c, rt, f.svcbPriority, cur);
  cur += 2;
  const n = addName(c, rt, f.svcbTarget, cur);
  cur += n.used;
  const keyName = (k: number) => SVCB_KEYS[k] ?? `key${k}`;
  while (dataLen > cur - start) {
    const pi = rt.add(f.svcbParam, tvb, cur, tvb.remaining(cur), null);
    const key = u16(c, pi, f.svcbKey, cur); cur += 2;
    const len = u16(c, pi, f.svcbLen, cur); cur += 2;
    let label = full ? "SvcParam: " + keyName(key) : "";
    pi.setLen(len + 4);
    switch (key) {
      case 0:
        for (let o = 0; o < len; o += 2) {
          const k = u16(c, pi, f.svcbMandatory, cur);
          if (full) label += (o === 0 ? "=" : ",") + keyName(k);
          cur += 2;
        }
        break;
      case 1:
        for (let o = 0; o < len; ) {
          const l = u8(c, pi, f.svcbAlpnLen, cur);
          cur++;
          const s = strItem(c, pi, f.svcbAlpn, cur, l);
          cur += l;
          if (full) label += (o === 0 ? "=" : ",") + s;
          o += 1 + l;
        }
        break;
      case 2:
        break;
      case 3: {
        const v = u16(c, pi, f.svcbPort, cur);
        if (full) label += "=" + v;
        cur += 2;
        break;
      }
      case 4:
        for (let o = 0; o < len; o += 4) {
          const v = ipv4(c, pi, f.svcbIpv4, cur);
          if (full) label += (o === 0 ? "=" : ",") + ipv4ToString(v);
          cur += 4;
        }
        break;
      case 6:
        for (let o = 0; o < len; o += 16) {
          const v = tvb.bytes(cur, 16);
          pi.add(f.svcbIpv6, tvb, cur, 16, v);
          if (full) label += (o === 0 ? "=" : ",") + ipv6ToString(v);
          cur += 16;
        }
        break;
      case 5: case 32769: {
        const b = tvb.bytes(cur, len);
        const s = base64(b);
        pi.add(key === 5 ? f.svcbEch : f.svcbOdoh, tvb, cur, len, b, s);
        if (full) label += "=" + s;
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
            label += "=" + formatBytesText(raw);
          }
          cur += len;
        }
        break;
    }
    if (full) pi.setText(label);
  }
}
