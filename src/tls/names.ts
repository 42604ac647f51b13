/** TLS name tables (IANA registries, Wireshark's spellings) for the TLS dissector. */
import { SIG_ALGS as SCHEMES } from "./registry.js";

export { CIPHER_SUITES, EXTENSIONS, GROUPS } from "./registry.js";

/** Signature schemes, plus the TLS 1.2 hash/signature pairs tshark names that are not in -G values. */
export const SIG_ALGS: Readonly<Record<number, string>> = {
  ...SCHEMES,
  0x0202: "SHA1 DSA", 0x0301: "SHA224 RSA", 0x0302: "SHA224 DSA", 0x0303: "SHA224 ECDSA", 0x0402: "SHA256 DSA", 0x0502: "SHA384 DSA",
  0x0602: "SHA512 DSA",
};

export const CONTENT_TYPES: Readonly<Record<number, string>> = {
  20: "Change Cipher Spec", 21: "Alert", 22: "Handshake", 23: "Application Data", 24: "Heartbeat",
};

export const VERSIONS: Readonly<Record<number, string>> = {
  0x0002: "SSL 2.0", 0x0300: "SSL 3.0", 0x0301: "TLS 1.0", 0x0302: "TLS 1.1", 0x0303: "TLS 1.2", 0x0304: "TLS 1.3",
  0xfeff: "DTLS 1.0", 0xfefd: "DTLS 1.2", 0xfefc: "DTLS 1.3",
};

/** Protocol column text per version. */
export const VERSION_COL: Readonly<Record<number, string>> = {
  0x0300: "SSLv3", 0x0301: "TLSv1", 0x0302: "TLSv1.1", 0x0303: "TLSv1.2", 0x0304: "TLSv1.3",
};

export const HANDSHAKE_TYPES: Readonly<Record<number, string>> = {
  0: "Hello Request", 1: "Client Hello", 2: "Server Hello", 3: "Hello Verify Request", 4: "New Session Ticket",
  5: "End of Early Data", 6: "Hello Retry Request", 8: "Encrypted Extensions", 11: "Certificate",
  12: "Server Key Exchange", 13: "Certificate Request", 14: "Server Hello Done", 15: "Certificate Verify",
  16: "Client Key Exchange", 20: "Finished", 21: "Certificate URL", 22: "Certificate Status",
  23: "Supplemental Data", 24: "Key Update", 25: "Compressed Certificate", 254: "Message Hash",
};

export const ALERT_LEVELS: Readonly<Record<number, string>> = { 1: "Warning", 2: "Fatal" };

export const ALERT_DESCRIPTIONS: Readonly<Record<number, string>> = {
  0: "Close Notify", 10: "Unexpected Message", 20: "Bad Record MAC", 21: "Decryption Failed", 22: "Record Overflow",
  30: "Decompression Failure", 40: "Handshake Failure", 41: "No Certificate", 42: "Bad Certificate",
  43: "Unsupported Certificate", 44: "Certificate Revoked", 45: "Certificate Expired", 46: "Certificate Unknown",
  47: "Illegal Parameter", 48: "Unknown CA", 49: "Access Denied", 50: "Decode Error", 51: "Decrypt Error",
  60: "Export Restriction", 70: "Protocol Version", 71: "Insufficient Security", 80: "Internal Error",
  86: "Inappropriate Fallback", 90: "User Canceled", 100: "No Renegotiation", 109: "Missing Extension",
  110: "Unsupported Extension", 111: "Certificate Unobtainable", 112: "Unrecognized Name",
  113: "Bad Certificate Status Response", 114: "Bad Certificate Hash Value", 115: "Unknown PSK Identity",
  116: "Certificate Required", 120: "No application Protocol",
};

export const COMPRESSION: Readonly<Record<number, string>> = { 0: "null", 1: "DEFLATE", 64: "LZS" };

/** Hash and signature halves of a TLS 1.2 SignatureAndHashAlgorithm (tshark prints "Unknown" for the rest). */
export const SIG_HASHES: Readonly<Record<number, string>> = {
  0: "None", 1: "MD5", 2: "SHA1", 3: "SHA224", 4: "SHA256", 5: "SHA384", 6: "SHA512", 7: "SM3",
};
export const SIG_SIGS: Readonly<Record<number, string>> = { 0: "Anonymous", 1: "RSA", 2: "DSA", 3: "ECDSA", 4: "SM2" };

export const EC_POINT_FORMATS: Readonly<Record<number, string>> = {
  0: "uncompressed", 1: "ansiX962_compressed_prime", 2: "ansiX962_compressed_char2",
};

export const PSK_KE_MODES: Readonly<Record<number, string>> = {
  0: "PSK-only key establishment (psk_ke)", 1: "PSK with (EC)DHE key establishment (psk_dhe_ke)",
};

export const CURVE_TYPES: Readonly<Record<number, string>> = { 1: "explicit_prime", 2: "explicit_char2", 3: "named_curve" };

export const HEARTBEAT_MODES: Readonly<Record<number, string>> = { 1: "Peer allowed to send requests", 2: "Peer not allowed to send requests" };

/** ClientCertificateType (CertificateRequest). */
export const CERT_TYPES: Readonly<Record<number, string>> = {
  1: "RSA Sign", 2: "DSS Sign", 3: "RSA Fixed DH", 4: "DSS Fixed DH", 21: "GOST R 34.10-94", 22: "GOST R 34.10-2001",
  64: "ECDSA Sign", 65: "RSA Fixed ECDH", 66: "ECDSA Fixed ECDH", 80: "IBC Params",
};
